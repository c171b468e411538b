"""``pulumi-smi diff``'s access section and ``--deny-access-widening``, on every access target.

Each case translates two SMI estates with :func:`pulumi_smi.meshes.translate` and compares
the outputs: a new source, method or path is a widening (exit 1 with the gate), a removed
source a narrowing (exit 0), a destination losing its last TrafficTarget a widening (its
default deny goes), an unchanged estate no access change. A property test over seeded random
estates (``estates.py``) checks that whenever the SMI reference allows in NEW a request it
denied in OLD, the gate trips.
"""

from __future__ import annotations

import dataclasses
import io
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import test_no_widening as no_widening
from estates import estate, render, requests
from evaluate.decision import Decision
from evaluate.smi_access import Estate, Request, decide

from pulumi_smi.cli import main
from pulumi_smi.errors import TranslationError
from pulumi_smi.meshes import translate
from pulumi_smi.plan import Plan
from pulumi_smi.review.access import AccessSection
from pulumi_smi.review.diff import Review, compare
from pulumi_smi.review.document import Document, parse_document
from pulumi_smi.review.report import format_review
from pulumi_smi.review.sections import Gates
from pulumi_smi.spec import load_text

NS = "shop"
LATTICE = {"vpc_id": "vpc-0123456789abcdef0", "eks_cluster_name": "prod-eks"}
TARGETS: dict[str, tuple[str, dict[str, Any]]] = {
    "istio": ("istio", {}),
    "linkerd": ("linkerd", {}),
    "consul": ("consul", {}),
    "consul-config-entry": ("consul", {"mode": "config-entry"}),
    "consul-enterprise": ("consul", {"enterprise": True}),
    "gateway-api-istio": ("gateway-api", {"policy": "istio"}),
    "gateway-api-linkerd": ("gateway-api", {"policy": "linkerd"}),
    "vpc-lattice": ("vpc-lattice", LATTICE),
    "appmesh": ("appmesh", {}),
}
HTTP_TARGETS = [t for t in TARGETS if t != "appmesh"]
"""App Mesh cannot limit a grant to methods or paths: its tests use TCPRoutes."""
GATE = Gates(deny_access_widening=True)


def app(name: str) -> str:
    return (
        f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {NS}}}\n"
        f"spec: {{selector: {{app: {name}}}, ports: [{{name: http, port: 8080}}]}}\n"
        f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {NS}}}\n"
        f"spec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n"
        f"    metadata: {{labels: {{app: {name}}}}}\n"
        f"    spec: {{serviceAccountName: {name}, containers: [{{name: c, image: i, ports: "
        f"[{{name: http, containerPort: 8080}}]}}]}}\n"
    )


APPS = "".join(app(n) for n in ("web", "api", "ops"))
ROUTES = f"""---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {{name: api-routes, namespace: {NS}}}
spec:
  matches:
  - {{name: read, methods: [{{methods}}], pathRegex: "/api/.*"}}
  - {{name: admin, methods: [GET], pathRegex: "/admin/.*"}}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {{name: all, namespace: {NS}}}
spec: {{{{}}}}
"""


def target(sources: tuple[str, ...], matches: tuple[str, ...], tcp: bool) -> str:
    listed = ", ".join(f"{{kind: ServiceAccount, name: {s}, namespace: {NS}}}" for s in sources)
    rule = (
        "{kind: TCPRoute, name: all}"
        if tcp
        else f"{{kind: HTTPRouteGroup, name: api-routes, matches: [{', '.join(matches)}]}}"
    )
    return (
        "---\napiVersion: access.smi-spec.io/v1alpha3\nkind: TrafficTarget\n"
        f"metadata: {{name: to-api, namespace: {NS}}}\nspec:\n"
        f"  destination: {{kind: ServiceAccount, name: api, namespace: {NS}}}\n"
        f"  sources: [{listed}]\n  rules: [{rule}]\n"
    )


def estate_text(
    sources: tuple[str, ...] = ("web",),
    methods: str = "GET",
    matches: tuple[str, ...] = ("read",),
    tcp: bool = False,
    targets: bool = True,
) -> str:
    routes = ROUTES.replace("{methods}", methods).replace("{{", "{").replace("}}", "}")
    return APPS + routes + (target(sources, matches, tcp) if targets else "")


def doc(name: str, text: str) -> Document:
    mesh, options = TARGETS[name]
    return parse_document(translate(load_text(text), mesh, options).to_json(), name)


def access(review: Review) -> AccessSection:
    [mesh] = review.meshes
    [section] = [s for s in mesh.sections if isinstance(s, AccessSection)]
    return section


def review(name: str, old: str, new: str) -> Review:
    return compare(doc(name, old), doc(name, new), GATE)


@pytest.mark.parametrize("name", list(TARGETS))
def test_a_new_source_is_a_widening(name: str) -> None:
    tcp = name == "appmesh"
    found = review(name, estate_text(tcp=tcp), estate_text(("web", "ops"), tcp=tcp))
    assert found.tripped, format_review(found, "text")
    assert all(v.startswith("access: ") for v in found.violations)
    assert any("ops" in v for v in found.violations), found.violations
    added = [r for r in access(found).grants if r.status == "added"]
    assert added and all("ops" in r.grant.source for r in added if r.widening)


@pytest.mark.parametrize("name", list(TARGETS))
def test_a_removed_source_is_a_narrowing(name: str) -> None:
    tcp = name == "appmesh"
    found = review(name, estate_text(("web", "ops"), tcp=tcp), estate_text(tcp=tcp))
    assert not found.tripped, found.violations
    section = access(found)
    assert section.changed
    removed = [r for r in section.grants if r.status == "removed"]
    assert removed and all("ops" in r.grant.source for r in removed)
    assert "narrowing" in format_review(found, "text")


@pytest.mark.parametrize("name", HTTP_TARGETS)
def test_a_new_method_is_a_widening(name: str) -> None:
    found = review(name, estate_text(), estate_text(methods="GET, POST"))
    assert found.tripped
    widened = [r.grant for r in access(found).grants if r.widening]
    assert widened and all(g.method == "POST" for g in widened), widened


@pytest.mark.parametrize("name", HTTP_TARGETS)
def test_a_new_path_is_a_widening(name: str) -> None:
    found = review(name, estate_text(), estate_text(matches=("read", "admin")))
    assert found.tripped
    assert any("/admin/" in r.grant.path for r in access(found).grants if r.widening)


def test_app_mesh_has_no_method_or_path_to_widen() -> None:
    """App Mesh leaves method-limited rules out (inexpressible=narrow): nothing to widen."""
    mesh, _ = TARGETS["appmesh"]
    old, new = (
        parse_document(translate(load_text(text), mesh, {"inexpressible": "narrow"}).to_json(), "x")
        for text in (estate_text(), estate_text(methods="GET, POST"))
    )
    found = compare(old, new, GATE)
    assert not found.tripped
    assert not [r for r in access(found).grants if r.status != "same"]


@pytest.mark.parametrize("name", list(TARGETS))
def test_deleting_the_last_traffic_target_is_a_widening(name: str) -> None:
    tcp = name == "appmesh"
    found = review(name, estate_text(tcp=tcp), estate_text(tcp=tcp, targets=False))
    assert found.tripped, format_review(found, "text")
    assert any("access: guard gone" in v for v in found.violations), found.violations


@pytest.mark.parametrize("name", list(TARGETS))
def test_an_unchanged_estate_has_no_access_change(name: str) -> None:
    tcp = name == "appmesh"
    text = estate_text(("web", "ops"), tcp=tcp)
    found = review(name, text, text)
    section = access(found)
    assert not found.tripped and not section.changed
    assert section.grants and section.guards
    assert section.text()[0].startswith("access: unchanged (")


def test_istio_default_deny_of_the_namespace_keeps_a_destination_closed() -> None:
    """Another TrafficTarget in the namespace keeps smi-default-deny: removing the one of
    ``api`` narrows (its pods stay deny-by-default)."""
    other = (
        target(("web",), ("read",), False)
        .replace("to-api", "to-ops")
        .replace("name: api, namespace", "name: ops, namespace")
    )
    old = estate_text() + other
    new = estate_text(targets=False) + other
    found = review("istio", old, new)
    assert not found.tripped, found.violations
    [gone] = [
        r for r in access(found).guards if r.status == "removed" and "deny by" in r.guard.what
    ]
    assert gone.judged() == "still given by another guard"


def test_a_rewritten_narrower_rule_is_covered_or_flagged_with_the_note() -> None:
    found = review("istio", estate_text(methods="GET, POST"), estate_text())
    assert not found.tripped  # GET stays, POST goes
    wider = review("consul", estate_text(), estate_text(methods='"*"'))
    assert wider.tripped
    assert "a rule rewritten to allow the same or less may be flagged" in format_review(
        wider, "text"
    )


def test_unknown_parts_are_widenings() -> None:
    new = json.loads(translate(load_text(estate_text()), "linkerd", {}).to_json())
    new["resources"] = [r for r in new["resources"] if "MeshTLSAuthentication" not in r["type"]]
    found = compare(doc("linkerd", estate_text()), parse_document(json.dumps(new), "new"), GATE)
    assert found.tripped
    assert any(r.grant.unknown and r.widening for r in access(found).grants)


def test_output_formats_show_the_access_section(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(translate(load_text(estate_text()), "istio", {}).to_json())
    new.write_text(translate(load_text(estate_text(("web", "ops"))), "istio", {}).to_json())
    out = io.StringIO()
    assert main(["diff", str(old), str(new), "--deny-access-widening"], out) == 1
    text = out.getvalue()
    assert "gate --deny-access-widening: tripped" in text
    assert "+ shop pods {app=api} ← cluster.local/ns/shop/sa/ops: http any port GET /api/*" in text
    out = io.StringIO()
    assert main(["diff", str(new), str(old), "--deny-access-widening", "-o", "markdown"], out) == 0
    assert "| - | shop pods {app=api} ← cluster.local/ns/shop/sa/ops:" in out.getvalue()
    out = io.StringIO()
    assert main(["diff", str(old), str(new), "-o", "json"], out) == 0  # no gate: exit 0
    [mesh] = json.loads(out.getvalue())["meshes"]
    section = next(s for s in mesh["sections"] if s["section"] == "access")
    [added] = [g for g in section["grants"] if g["status"] == "added"]
    assert added["source"] == "cluster.local/ns/shop/sa/ops" and added["widening"]
    assert added["method"] == "GET" and added["path"] == "/api/*"
    runs = {
        main(["diff", str(old), str(new), "-o", "json"], o := io.StringIO()) or o.getvalue()
        for _ in range(2)
    }
    assert len(runs) == 1


def test_the_readme_shows_what_the_access_section_prints() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Reviewing changes", 1)[1].split("\n## ", 1)[0]
    block = section.split("```text\n# a source added", 1)[1].split("```", 1)[0]
    printed = format_review(review("istio", estate_text(), estate_text(("web", "ops"))), "text")
    printed += format_review(review("istio", estate_text(), estate_text(targets=False)), "text")
    shown = {" ".join(line.split()) for line in printed.splitlines()}
    lines = [" ".join(line.split()) for line in block.splitlines()[1:] if line[:1] != "#"]
    assert len(lines) == 4
    assert [line for line in lines if line not in shown] == []


# --- property: never a missed widening -------------------------------------------------------

DECIDERS: dict[str, Callable[[Plan, Estate], Callable[[Request], Decision]]] = {
    "istio": no_widening.istio,
    "linkerd": no_widening.linkerd,
    "consul": no_widening.consul(enterprise=False),
    "vpc-lattice": no_widening.vpc_lattice,
}
"""The glue of ``test_no_widening``: a request decided by the mesh's evaluator on a Plan."""
SEEDS = {"vpc-lattice": range(60)}
"""Seeds per target (default ``range(30)``): Lattice refuses most estates (plain TCP)."""


def shrunk(full: Estate, rng: random.Random) -> Estate:
    """``full`` with some TrafficTargets dropped and some sources removed."""
    kept = []
    for tt in full.targets:
        if rng.random() < 0.3:
            continue
        sources = tuple(s for s in tt.sources if rng.random() < 0.7) or tt.sources[:1]
        kept.append(dataclasses.replace(tt, sources=sources))
    return dataclasses.replace(full, targets=tuple(kept))


def allowed(decider: Callable[[Request], Decision], request: Request) -> bool | None:
    """The mesh's verdict (None where its evaluator does not model the request)."""
    try:
        return decider(request).allowed
    except (NotImplementedError, ValueError):
        return None


@pytest.mark.parametrize("name", list(DECIDERS))
def test_whenever_smi_allows_more_the_gate_trips(name: str) -> None:
    """OLD is a random estate with TrafficTargets and sources dropped, NEW the whole estate.
    Whenever the SMI reference allows in NEW a request it denied in OLD and the mesh enforces
    it (its evaluator allows it on NEW's objects: translators may allow less than SMI, never
    more), or the mesh's evaluator allows in NEW what it denied in OLD, the gate trips."""
    mesh, options = TARGETS[name]
    if name == "vpc-lattice":  # the session tag the glue signs requests with
        options = {**options, "eks_cluster_name": no_widening.CLUSTER_NAME}
    widened = 0
    for seed in SEEDS.get(name, range(30)):
        new_estate = estate(seed).estate
        old_estate = shrunk(new_estate, random.Random(seed))
        try:
            old = translate(load_text(render(old_estate)), mesh, options)
            new = translate(load_text(render(new_estate)), mesh, options)
        except TranslationError:
            continue
        new_mesh = DECIDERS[name](new, new_estate)
        old_mesh = DECIDERS[name](old, old_estate)
        more = []
        for request in requests(new_estate, seed):
            now, before = allowed(new_mesh, request), allowed(old_mesh, request)
            smi_more = bool(decide(new_estate, request)) and not decide(old_estate, request)
            if now and (smi_more or before is False):
                more.append(request)
        found = compare(
            parse_document(old.to_json(), "o"), parse_document(new.to_json(), "n"), GATE
        )
        if more:
            widened += 1
            assert found.tripped, (seed, more[0], format_review(found, "text"))
        same = parse_document(new.to_json(), "n")
        assert not compare(same, same, GATE).tripped
    assert widened >= 2, f"{name}: too few estates where access widens: the test checks nothing"
