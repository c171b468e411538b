"""The wild corpus: SMI YAML as published by SMI implementations, converted for every target.

``data/wild/`` holds SMI YAML collected from public repositories (the SMI spec, Open Service Mesh,
Argo Rollouts, Linkerd's SMI extension, Traefik Mesh, NGINX Service Mesh, Layer5/Meshery), one
file per published file or per Markdown block, unedited but for a first-line
``# provenance: OWNER/REPO@COMMIT PATH [block N] [heredoc M]`` comment (see
``data/wild/PROVENANCE.md``). Many are not valid as published (template placeholders, missing
``apiVersion``, broken indentation): they exercise the error path. ``companions/`` folders hold the
Kubernetes manifests of the same demos, used only by the :data:`BUNDLES` (files published to be
applied together).

Every case (a file, or a bundle) is loaded and translated in-process for every target of
:data:`TARGETS`; the outcome is ``converted``, ``converted: no resources`` (warnings only) or
``ErrorClass: reason + reason`` (the reasons derived from the problems' messages by
:data:`REASONS`). The tests assert:

* nothing but an :class:`~pulumi_smi.SmiError` is ever raised;
* every problem is located: its source is an input file, its document number exists, the
  ``Kind/name`` it names are those of that document, and a problem about an object has a field
  path;
* every problem's message has a reason label (a new kind of message fails until labelled here);
* a converted case drops no TrafficSplit or TrafficTarget silently: each owns a resource or a
  warning (or, merged per destination/apex, its destination ServiceAccount / apex Service does);
* the Kubernetes objects of every converted plan validate against the CRD schemas;
* the outcome of every cell is the one recorded in ``data/wild/EXPECTED.json``, so any change of
  behaviour shows as a failure. After a deliberate change, regenerate it with
  ``WILD_UPDATE=1 python -m pytest sdk_tests/test_wild.py`` (or
  ``python sdk_tests/test_wild.py --update``) and review the diff;
* the CLI agrees with the library on some files: exit 2 with nothing on stdout and located lines
  on stderr, or exit 0.

The table of outcomes (cases x targets) and the count of each outcome class per target are printed
to the terminal by ``test_outcome_table``.
"""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from schema_check import validate_manifests

import pulumi_smi
from pulumi_smi.cli import main
from pulumi_smi.errors import Problem, SmiError, SmiValidationError
from pulumi_smi.plan import Plan
from pulumi_smi.spec import SpecSet, load_files, load_text
from pulumi_smi.spec.models import ObjectKey

WILD = Path(__file__).resolve().parent / "data" / "wild"
EXPECTED_FILE = WILD / "EXPECTED.json"
UPDATE = os.environ.get("WILD_UPDATE") == "1"
VPC = "vpc-0123456789abcdef0"
CONVERTED = "converted"
EMPTY = "converted: no resources"
"""The outcomes of a translation that succeeds (the second with warnings only, or nothing)."""

TARGETS: dict[str, tuple[str, dict[str, str]]] = {
    "smi": ("smi", {}),
    "istio": ("istio", {}),
    "istio+narrow": ("istio", {"inexpressible": "narrow"}),
    "linkerd": ("linkerd", {}),
    "consul": ("consul", {}),
    "gateway-api": ("gateway-api", {}),
    "gateway-api+istio": ("gateway-api", {"policy": "istio"}),
    "gateway-api+linkerd": ("gateway-api", {"policy": "linkerd"}),
    "appmesh": ("appmesh", {}),
    "vpc-lattice": ("vpc-lattice", {"vpc_id": VPC}),
}
"""Column name -> (mesh, options)."""
COLUMN = {
    "smi": "smi",
    "istio": "istio",
    "istio+narrow": "istio~n",
    "linkerd": "lnkd",
    "consul": "consul",
    "gateway-api": "gw",
    "gateway-api+istio": "gw+i",
    "gateway-api+linkerd": "gw+l",
    "appmesh": "appm",
    "vpc-lattice": "lattice",
}
"""Short column headings of the printed table."""

BUNDLES: dict[str, tuple[str, ...]] = {
    "bundle:osm-bookstore-access": (
        "osm-docs/companions/manifests__apps__bookbuyer.yaml",
        "osm-docs/companions/manifests__apps__bookstore.yaml",
        "osm-docs/companions/manifests__apps__bookthief.yaml",
        "osm-docs/companions/manifests__apps__bookwarehouse.yaml",
        "osm-docs/companions/manifests__apps__mysql.yaml",
        "osm-docs/manifests__access__traffic-access-v1.yaml",
    ),
    "bundle:osm-bookstore-allow-bookthief": (
        "osm-docs/companions/manifests__apps__bookbuyer.yaml",
        "osm-docs/companions/manifests__apps__bookstore.yaml",
        "osm-docs/companions/manifests__apps__bookthief.yaml",
        "osm-docs/companions/manifests__apps__bookwarehouse.yaml",
        "osm-docs/companions/manifests__apps__mysql.yaml",
        "osm-docs/manifests__access__traffic-access-v1-allow-bookthief.yaml",
    ),
    "bundle:osm-bookstore-v2": (
        "osm-docs/companions/manifests__apps__bookbuyer.yaml",
        "osm-docs/companions/manifests__apps__bookstore.yaml",
        "osm-docs/companions/manifests__apps__bookwarehouse.yaml",
        "osm-docs/companions/manifests__apps__mysql.yaml",
        "osm-docs/manifests__access__traffic-access-v1.yaml",
        "osm-docs/manifests__apps__bookstore-v2.yaml",
    ),
    "bundle:osm-canary": (
        "osm-docs/companions/manifests__samples__canary__httpbin.yaml",
        "osm-docs/companions/manifests__samples__canary__httpbin-v1.yaml",
        "osm-docs/companions/manifests__samples__canary__httpbin-v2.yaml",
        "osm-docs/manifests__samples__canary__httpbin-split.yaml",
    ),
    "bundle:osm-dapr": (
        "osm-docs/content__en__docs__guides__integrations__dapr.block20.heredoc1.yaml",
        "osm-docs/content__en__docs__guides__integrations__dapr.block21.heredoc1.yaml",
    ),
    "bundle:traefik-acl-http": (
        "traefik-mesh/companions/integration__testdata__acl_enabled__http__0.service-account.yaml",
        "traefik-mesh/companions/integration__testdata__acl_enabled__http__1.server.yaml",
        "traefik-mesh/companions/integration__testdata__acl_enabled__http__3.server-api.yaml",
        "traefik-mesh/companions/integration__testdata__acl_enabled__http__4.server-header.yaml",
        "traefik-mesh/companions/integration__testdata__tool__tool-authorized.yaml",
        "traefik-mesh/integration__testdata__acl_enabled__http__7.traffic-target-path-filter.yaml",
        "traefik-mesh/integration__testdata__acl_enabled__http__8.traffic-target-header-filter.yaml",
    ),
    "bundle:traefik-acl-split": (
        "traefik-mesh/companions/integration__testdata__acl_enabled__traffic-split__0.service-account.yaml",
        "traefik-mesh/companions/integration__testdata__tool__tool-authorized.yaml",
        "traefik-mesh/integration__testdata__acl_enabled__traffic-split__1.server-split.yaml",
    ),
    "bundle:traefik-split": (
        "traefik-mesh/integration__testdata__acl_disabled__traffic-split__1.server.yaml",
        "traefik-mesh/companions/integration__testdata__acl_disabled__traffic-split__2.server-v1.yaml",
        "traefik-mesh/companions/integration__testdata__acl_disabled__traffic-split__3.server-v2.yaml",
    ),
    "bundle:traefik-config-docs": (
        "traefik-mesh/docs__content__configuration.block6.yaml",
        "traefik-mesh/docs__content__configuration.block7.yaml",
        "traefik-mesh/docs__content__configuration.block8.yaml",
    ),
    "bundle:nginx-accesscontrol": (
        "nginx-service-mesh/docs__content__tutorials__accesscontrol-walkthrough.block16.yaml",
        "nginx-service-mesh/docs__content__tutorials__accesscontrol-walkthrough.block18.yaml",
    ),
    "bundle:nginx-trafficsplit-matches": (
        "nginx-service-mesh/docs__content__tutorials__trafficsplit-deployments.block22.yaml",
        "nginx-service-mesh/docs__content__tutorials__trafficsplit-deployments.block23.yaml",
    ),
}
"""Files published to be applied together (a demo's manifests with its SMI objects)."""

REASONS: tuple[tuple[str, str], ...] = (
    # (regex on "field.path: message", label); the first that matches labels the problem.
    (r"YAML syntax error", "YAML syntax error"),
    (r"^: a document must be a mapping", "document is not a mapping"),
    (r"^apiVersion: required string is missing", "missing apiVersion"),
    (r"^kind: required string is missing", "missing kind"),
    (r"^apiVersion: (needs a version|unknown version)", "unsupported apiVersion"),
    (r"^kind: \S+ has no kind", "unsupported kind"),
    (r"'[^']*[$<>{}][^']*' is not a valid", "unexpanded template placeholder"),
    (r"^spec\.service: '[^']*\.[^']*' is not a valid Service name", "apex is a DNS name"),
    (r"is not a valid", "invalid name"),
    (r"not found in namespace", "dangling reference"),
    (r"has no match named", "dangling reference"),
    (r"^spec\.rules: required field is missing", "TrafficTarget without rules"),
    (r"required field is missing", "missing field"),
    (r": unknown field", "unknown field"),
    (r"invalid regular expression", "invalid regex"),
    (r"duplicate", "duplicate"),
    (r"needs the ports of Service", "missing Service manifest"),
    (r"no known workload runs as ServiceAccount", "needs pod manifests"),
    (r"is not in the input: the Rollout runs", "needs pod manifests"),
    (r"Consul intentions have no ports", "inexpressible ports"),
    (r"has no HTTP port, and Consul splits", "TCP apex (Consul)"),
    (r"a Lattice service carries HTTP", "TCP port (Lattice)"),
    (r"no HTTP port of the pods of ServiceAccount \S+ is known", "no known HTTP port"),
    (r"Consul knows them all as service", "ambiguous Consul name"),
    (r"App Mesh cannot limit an allow", "inexpressible match (App Mesh)"),
    (r"(regex|pathRegex|header)[^:]*(no exact|is not an|cannot|only)", "inexpressible regex"),
    (r"allows only path", "inexpressible regex"),
    (r"routes to pods of several ServiceAccounts", "several identities (Lattice)"),
    (r"set the option eks_cluster_name", "needs identity option (Lattice)"),
)
"""How a problem's message maps to a short reason label."""

_PROVENANCE = re.compile(
    r"# provenance: (?P<repo>[\w.-]+/[\w.-]+)@(?P<commit>[0-9a-f]{40}) (?P<path>\S+)"
    r"( block \d+)?( heredoc \d+)?"
)
_SMI = re.compile(
    r"^\s*kind:\s*(TrafficSplit|TrafficTarget|HTTPRouteGroup|TCPRoute|UDPRoute|IdentityBinding)\b"
    r"|smi-spec\.io/",
    re.M,
)


def corpus_files() -> list[str]:
    """Every wild file holding SMI objects, relative to ``data/wild`` (companions excluded)."""
    return sorted(
        p.relative_to(WILD).as_posix()
        for p in WILD.rglob("*.yaml")
        if "companions" not in p.relative_to(WILD).parts
    )


def companion_files() -> list[str]:
    return sorted(p.relative_to(WILD).as_posix() for p in WILD.glob("*/companions/*.yaml"))


def cases() -> dict[str, tuple[str, ...]]:
    """Case id -> the files (relative to ``data/wild``) it loads together."""
    return {**{f: (f,) for f in corpus_files()}, **BUNDLES}


@dataclass
class Cell:
    """The outcome of one case on one target, and what is wrong with it (empty: nothing)."""

    outcome: str
    unlocated: list[str] = field(default_factory=list)
    unclassified: list[str] = field(default_factory=list)
    crash: str | None = None
    silent: list[str] = field(default_factory=list)
    unreferenced: list[str] = field(default_factory=list)
    schema: str | None = None
    resources: int = 0


def reason(problem: Problem) -> str | None:
    """The reason label of ``problem`` (None: no rule of :data:`REASONS` matches)."""
    text = f"{problem.path}: {problem.message}"
    for pattern, label in REASONS:
        if re.search(pattern, text):
            return label
    return None


def _raw_documents(sources: Mapping[str, str]) -> dict[str, list[Any] | None]:
    """Source name -> the parsed documents of that file (None when it does not parse)."""
    documents: dict[str, list[Any] | None] = {}
    for source, relative in sources.items():
        try:
            documents[source] = list(yaml.safe_load_all((WILD / relative).read_text("utf-8")))
        except yaml.YAMLError:
            documents[source] = None
    return documents


def unlocated(problem: Problem, documents: Mapping[str, list[Any] | None]) -> str | None:
    """Why ``problem`` is not located in ``documents`` (None: it is)."""
    if problem.source not in documents:
        return "its source is not an input file"
    if problem.document is None:
        return "no document number"
    docs = documents[problem.source]
    if docs is None:
        return None  # the file does not parse: a file and a document number is all there is
    if not 1 <= problem.document <= len(docs):
        return f"document {problem.document} does not exist (the file has {len(docs)})"
    doc = docs[problem.document - 1]
    if not isinstance(doc, dict):
        return None
    kind = doc.get("kind")
    metadata = doc.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if isinstance(kind, str) and problem.kind != kind:
        return f"names kind {problem.kind!r}, but document {problem.document} is a {kind}"
    if isinstance(name, str) and problem.name != name:
        return f"names {problem.name!r}, but document {problem.document} is {name!r}"
    if isinstance(kind, str) and not problem.path:
        return "no field path"
    return None


def _problems(exc: SmiError) -> tuple[Problem, ...]:
    if isinstance(exc, SmiValidationError):
        return exc.problems
    return (Problem(str(exc), "<no source>"),)


def _refusal(exc: SmiError, documents: Mapping[str, list[Any] | None], cell: Cell) -> str:
    labels: set[str] = set()
    for problem in _problems(exc):
        why = unlocated(problem, documents)
        if why:
            cell.unlocated.append(f"{problem}  <- {why}")
        label = reason(problem)
        if label is None:
            cell.unclassified.append(str(problem))
            label = "UNCLASSIFIED"
        labels.add(label)
    return f"{type(exc).__name__}: {' + '.join(sorted(labels))}"


def _traced(key: ObjectKey, owners: set[ObjectKey | None], warnings: Sequence[str]) -> bool:
    named = (f"{key.kind} {key.namespace}/{key.name}", f"({key.kind}/{key.name})")
    return key in owners or any(n in w for n in named for w in warnings)


def silent_drops(specs: SpecSet, plan: Plan) -> tuple[list[str], list[str]]:
    """The SMI objects of ``specs`` that left no trace in ``plan``.

    A trace is a resource or a warning owned by the object, or a warning naming it
    (``Kind ns/name`` or ``(Kind/name)``). Returns (the TrafficSplits and TrafficTargets without
    one, the route specs without one that no TrafficSplit or TrafficTarget references). A
    TrafficTarget is also traced by a resource owned by its destination ServiceAccount, and a
    TrafficSplit by one owned by its apex Service: targets merge them per destination or apex
    (Consul's ServiceIntentions, Linkerd's Servers), which this check cannot see through.
    """
    owners: set[ObjectKey | None] = {r.owner for r in plan.resources}
    owners |= {getattr(w, "owner", None) for w in plan.warnings}
    dropped: list[str] = []
    referenced: set[ObjectKey] = set()
    for split in specs.traffic_splits:
        ns = split.metadata.namespace
        referenced |= {ObjectKey("HTTPRouteGroup", ns, m.name) for m in split.spec.matches}
        apex = ObjectKey("Service", ns, split.spec.service)
        if not (_traced(split.key, owners, plan.warnings) or apex in owners):
            dropped.append(str(split.key))
    for target in specs.traffic_targets:
        ns = target.metadata.namespace
        referenced |= {ObjectKey(r.kind, ns, r.name) for r in target.spec.rules}
        dest = target.spec.destination
        identity = ObjectKey("ServiceAccount", dest.namespace or ns, dest.name)
        if not (_traced(target.key, owners, plan.warnings) or identity in owners):
            dropped.append(str(target.key))
    routes = (*specs.http_route_groups, *specs.tcp_routes, *specs.udp_routes)
    unreferenced = [
        str(r.key)
        for r in routes
        if r.key not in referenced and not _traced(r.key, owners, plan.warnings)
    ]
    return dropped, unreferenced


def _run(files: Sequence[str]) -> dict[str, Cell]:
    """Load ``files`` together and translate them for every target."""
    # a file alone is named as it is in the table; a bundle's files by their paths (load_files)
    sources = {files[0]: files[0]} if len(files) == 1 else {str(WILD / f): f for f in files}
    documents = _raw_documents(sources)
    specs: SpecSet | None = None
    load_cell: Cell | None = None
    try:
        if len(files) == 1:
            specs = load_text((WILD / files[0]).read_text("utf-8"), files[0])
        else:
            specs = load_files(list(sources))
    except SmiError as exc:
        load_cell = Cell("")
        load_cell.outcome = _refusal(exc, documents, load_cell)
    except Exception as exc:
        load_cell = Cell(f"CRASH: {type(exc).__name__}", crash=_trace(exc))
    row: dict[str, Cell] = {}
    for column, (mesh, options) in TARGETS.items():
        if load_cell is not None or specs is None:
            row[column] = load_cell or Cell("?")
            continue
        cell = Cell(CONVERTED)
        try:
            plan = pulumi_smi.translate(specs, mesh, options)
        except SmiError as exc:
            cell.outcome = _refusal(exc, documents, cell)
        except Exception as exc:
            cell = Cell(f"CRASH: {type(exc).__name__}", crash=_trace(exc))
        else:
            cell.resources = len(plan.resources)
            if not plan.resources:
                cell.outcome = EMPTY
            cell.silent, cell.unreferenced = silent_drops(specs, plan)
            try:
                validate_manifests([r.properties for r in plan.resources if r.is_kubernetes])
            except AssertionError as exc:
                cell.schema = str(exc)[:2000]
        row[column] = cell
    return row


def _trace(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-4000:]


@cache
def results() -> dict[str, dict[str, Cell]]:
    """Case -> target -> :class:`Cell`, computed once per session."""
    return {case: _run(files) for case, files in cases().items()}


def outcomes() -> dict[str, dict[str, str]]:
    return {case: {t: c.outcome for t, c in row.items()} for case, row in results().items()}


def expected_document() -> dict[str, Any]:
    table = outcomes()
    return {
        "_comment": "outcome per wild case and target; regenerate with "
        "WILD_UPDATE=1 python -m pytest sdk_tests/test_wild.py (or "
        "python sdk_tests/test_wild.py --update) after a deliberate change, and review the diff",
        "targets": {t: {"mesh": m, "options": o} for t, (m, o) in TARGETS.items()},
        "files": {c: table[c] for c in cases() if not c.startswith("bundle:")},
        "bundles": {c: {"files": list(BUNDLES[c]), **table[c]} for c in BUNDLES},
    }


def update_expected() -> None:
    """Write ``data/wild/EXPECTED.json`` from the current behaviour."""
    EXPECTED_FILE.write_text(json.dumps(expected_document(), indent=1) + "\n", encoding="utf-8")


def _bad(attribute: str) -> Iterator[str]:
    for case, row in results().items():
        for target, cell in row.items():
            value = getattr(cell, attribute)
            if value:
                shown = value if isinstance(value, str) else "\n    ".join(value)
                yield f"{case} [{target}]:\n    {shown}"


# --- the corpus itself -----------------------------------------------------------------------


def test_corpus_files_carry_provenance_and_smi() -> None:
    listed = (WILD / "PROVENANCE.md").read_text("utf-8")
    files = corpus_files() + companion_files()
    assert 30 <= len(corpus_files()) <= 80
    for name in files:
        first = (WILD / name).read_text("utf-8").splitlines()[0]
        match = _PROVENANCE.fullmatch(first)
        assert match, f"{name}: first line is not a provenance comment: {first!r}"
        assert f"`{match['repo']}`" in listed, f"{name}: {match['repo']} not in PROVENANCE.md"
        assert match["commit"] in listed, f"{name}: commit {match['commit']} not in PROVENANCE.md"
        has_smi = bool(_SMI.search((WILD / name).read_text("utf-8").split("\n", 1)[1]))
        where = "outside" if has_smi else "in"
        assert has_smi == ("companions" not in name), f"{name}: belongs {where} companions/"


def test_bundles_name_existing_files_and_use_every_companion() -> None:
    used = {f for files in BUNDLES.values() for f in files}
    for name in used:
        assert (WILD / name).is_file(), name
    assert set(companion_files()) <= used


# --- the outcomes ----------------------------------------------------------------------------


def test_nothing_but_smi_errors_is_raised() -> None:
    crashes = list(_bad("crash"))
    assert not crashes, "non-SmiError exceptions:\n" + "\n".join(crashes)


def test_every_problem_is_located() -> None:
    bad = list(_bad("unlocated"))
    assert not bad, "problems not located:\n" + "\n".join(bad)


def test_every_refusal_has_a_reason_label() -> None:
    bad = list(_bad("unclassified"))
    assert not bad, "messages no REASONS rule labels (add one):\n" + "\n".join(bad)


def test_no_traffic_split_or_target_is_dropped_silently() -> None:
    bad = list(_bad("silent"))
    assert not bad, "converted with no resource and no warning for:\n" + "\n".join(bad)


def test_converted_plans_match_the_crd_schemas() -> None:
    bad = list(_bad("schema"))
    assert not bad, "converted plans Kubernetes would reject:\n" + "\n".join(bad)


def test_outcomes_are_the_expected_ones() -> None:
    if UPDATE:
        update_expected()
        return
    assert EXPECTED_FILE.is_file(), "no EXPECTED.json: run with WILD_UPDATE=1"
    recorded = json.loads(EXPECTED_FILE.read_text("utf-8"))
    expected = {**recorded["files"], **recorded["bundles"]}
    actual = outcomes()
    changes = [
        f"{case} [{target}]: expected {want!r}, got {got!r}"
        for case in sorted(set(expected) | set(actual))
        for target in TARGETS
        if (want := expected.get(case, {}).get(target)) != (got := actual.get(case, {}).get(target))
    ]
    assert not changes, (
        "outcomes changed (regenerate with WILD_UPDATE=1 once deliberate):\n" + "\n".join(changes)
    )


def outcome_table() -> str:
    """The table of outcomes, a legend of its codes and the count per class and target."""
    table = outcomes()
    classes = sorted({o for row in table.values() for o in row.values()} - {CONVERTED, EMPTY})
    code = {CONVERTED: "ok", EMPTY: "ok0", **{c: f"E{i}" for i, c in enumerate(classes, 1)}}
    width = max(len(c) for c in table)
    lines = [f"{'case':<{width}}  " + " ".join(f"{COLUMN[t]:>7}" for t in TARGETS)]
    for case, row in table.items():
        lines.append(f"{case:<{width}}  " + " ".join(f"{code[row[t]]:>7}" for t in TARGETS))
    counts = {t: Counter(row[t] for row in table.values()) for t in TARGETS}
    lines += ["", f"{'code':<5} " + " ".join(f"{COLUMN[t]:>7}" for t in TARGETS) + "  class"]
    for outcome in [CONVERTED, EMPTY, *classes]:
        cells = " ".join(f"{counts[t][outcome] or '.':>7}" for t in TARGETS)
        lines.append(f"{code[outcome]:<5} {cells}  {outcome}")
    quiet = {
        case: sorted({o for cell in row.values() for o in cell.unreferenced})
        for case, row in results().items()
    }
    if any(quiet.values()):
        lines += ["", "unreferenced route specs that converted to nothing, without a warning:"]
        for case, keys in quiet.items():
            if keys:
                targets = [t for t, c in results()[case].items() if c.unreferenced]
                lines.append(f"  {case}: {', '.join(keys)} [{', '.join(targets)}]")
    return "\n".join(lines)


def test_outcome_table(capsys: pytest.CaptureFixture[str]) -> None:
    table = outcome_table()
    with capsys.disabled():
        print(f"\n\nwild corpus: {len(results())} cases x {len(TARGETS)} targets\n{table}\n")
    assert "ok" in table


# --- the command line ------------------------------------------------------------------------

CLI_CASES = (
    "linkerd-smi/test__testdata__traffic-split-leaf-weights.yaml",
    "nginx-service-mesh/docs__content__guides__smi-traffic-policies.block1.yaml",
    "osm-docs/manifests__split__traffic-split-v1.yaml",
    "osm-docs/manifests__access__traffic-access-v1.yaml",
    "smi-spec/apis__traffic-split__v1alpha1__traffic-split.block1.yaml",
    "traefik-mesh/integration__testdata__acl_disabled__traffic-split__1.server.yaml",
)


@pytest.mark.parametrize("name", CLI_CASES)
def test_cli_agrees_and_exit_2_prints_nothing_on_stdout(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(WILD / name)
    for target, (mesh, options) in TARGETS.items():
        sets = [a for key, value in options.items() for a in ("--set", f"{key}={value}")]
        code = main(["convert", "--mesh", mesh, *sets, path])
        out, err = capsys.readouterr()
        converted = results()[name][target].outcome in (CONVERTED, EMPTY)
        assert code == (0 if converted else 2), f"{target}: exit {code}\n{err}"
        if converted:
            assert bool(out.strip()) == (results()[name][target].resources > 0), target
            continue
        assert out == "", f"{target}: exit 2 printed on stdout"
        lines = err.splitlines()
        assert lines, f"{target}: exit 2 without a message"
        for line in lines:
            assert line.startswith(f"{path}: document "), f"{target}: unlocated line {line!r}"


def _main(argv: Sequence[str]) -> int:
    if list(argv) != ["--update"]:
        print("usage: python sdk_tests/test_wild.py --update", file=sys.stderr)
        return 2
    update_expected()
    print(f"{EXPECTED_FILE}\n{outcome_table()}")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
