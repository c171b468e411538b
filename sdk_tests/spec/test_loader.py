"""The loader: documents in, a checked SpecSet (or every problem at once) out."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_smi.errors import Problem, SmiValidationError, printable, shown
from pulumi_smi.spec import load_files, load_text
from pulumi_smi.spec.regex import full_match_of_prefix_regex, regex_problem
from pulumi_smi.spec.versions import user_path

BOOKINFO = Path(__file__).parents[2] / "examples" / "manifests" / "bookinfo"


def test_bookinfo_mixes_versions_and_builds_a_catalogue() -> None:
    specs = load_files(sorted(BOOKINFO.glob("*.yaml")))
    assert [s.metadata.name for s in specs.traffic_splits] == ["details-ab", "reviews-canary"]
    assert len(specs.http_route_groups) == 2
    assert len(specs.traffic_targets) == 2
    db = specs.catalogue.service("bookinfo", "ratings-db")
    assert db is not None
    port = db.port(3306)
    assert port is not None and port.application_protocol == "tcp"
    assert port.target_port == "mysql"
    (workload,) = specs.catalogue.workloads_of("bookinfo", "ratings-db")
    assert workload.kind == "StatefulSet"
    assert workload.pod_labels == {"app": "ratings-db"}
    assert workload.container_ports == {"mysql": 3306}
    assert specs.catalogue.has_service_account("bookinfo", "productpage")
    assert any("ConfigMap/reviews-config" in w and "skipped" in w for w in specs.warnings)


def test_objects_are_sorted_whatever_the_input_order() -> None:
    docs = [
        "apiVersion: specs.smi-spec.io/v1alpha4\nkind: TCPRoute\n"
        f"metadata: {{name: {name}, namespace: {ns}}}\n"
        for ns, name in [("b", "x"), ("a", "z"), ("a", "y")]
    ]
    forward = load_text("---\n".join(docs))
    backward = load_text("---\n".join(reversed(docs)))
    assert forward.tcp_routes == backward.tcp_routes
    assert [(r.metadata.namespace, r.metadata.name) for r in forward.tcp_routes] == [
        ("a", "y"),
        ("a", "z"),
        ("b", "x"),
    ]


def test_every_problem_of_every_document_is_reported_at_once() -> None:
    text = """
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: one}
spec: {service: web, backends: [{service: a, weight: -1}]}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: two}
spec: {matches: [{name: m, pathRegex: "(unclosed"}]}
"""
    with pytest.raises(SmiValidationError) as err:
        load_text(text, "f.yaml")
    rendered = [str(p) for p in err.value.problems]
    assert rendered[0].startswith("f.yaml: document 1 (TrafficSplit/one): spec.backends[0].weight:")
    assert rendered[1].startswith(
        "f.yaml: document 2 (HTTPRouteGroup/two): spec.matches[0].pathRegex:"
    )
    assert len(rendered) == 2


def test_empty_documents_are_skipped_but_counted() -> None:
    text = "---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n"
    specs = load_text(text, "f.yaml")
    assert specs.warnings == (
        "f.yaml: document 2 (Namespace/x): skipped: v1 Namespace is not read by pulumi-smi",
    )


@pytest.mark.parametrize(
    ("pattern", "construct"),
    [
        ("/a(?=b)", "look-ahead"),
        ("/a(?!b)", "negative look-ahead"),
        ("(?<=a)b", "look-behind"),
        (r"(a)\1", "back-reference"),
        ("a*+", "possessive quantifier"),
        ("(?>a)", "atomic group"),
    ],
)
def test_regexes_re2_cannot_run_are_rejected(pattern: str, construct: str) -> None:
    problem = regex_problem(pattern)
    assert problem is not None and construct in problem


@pytest.mark.parametrize("pattern", ["/api/.*", r"/a\+b", "[+]+", r"\d+", "a{2}", "(?:x|y)+"])
def test_re2_compatible_regexes_pass(pattern: str) -> None:
    assert regex_problem(pattern) is None


@pytest.mark.parametrize(
    ("smi", "path", "matches"),
    [
        ("/api", "/api/v1", True),
        ("/api", "/x/api", False),
        ("/a|/b", "/b/c", True),
        ("/a|/b", "/c/b", False),
        ("/api/.*", "/api/x", True),
        (r"/v\.*", "/v..x", True),
        ("/exact$", "/exact", True),
        ("/exact$", "/exact/more", False),
    ],
)
def test_full_match_translation_accepts_exactly_what_smi_accepts(
    smi: str, path: str, matches: bool
) -> None:
    import re

    assert bool(re.match(smi, path)) is matches
    assert bool(re.fullmatch(full_match_of_prefix_regex(smi), path)) is matches


def test_http_probes_of_workloads_are_read_with_named_ports_resolved() -> None:
    text = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: api
        ports: [{name: http, containerPort: 8080}]
        livenessProbe: {httpGet: {path: /live, port: http}}
        readinessProbe: {httpGet: {port: 8080}}
        startupProbe: {exec: {command: [true]}}
"""
    (workload,) = load_text(text).catalogue.workloads
    assert workload.probes == {8080: ("/live", "/")}


def test_a_probe_on_an_unknown_named_port_is_an_error() -> None:
    text = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers: [{name: api, image: api, livenessProbe: {httpGet: {port: web}}}]
"""
    with pytest.raises(SmiValidationError) as err:
        load_text(text)
    (problem,) = err.value.problems
    assert problem.path == "spec.template.spec.containers[0].livenessProbe.httpGet.port"


# RE2's own answers (google-re2 1.1): counts above 1000, alone or multiplied along nested
# groups, are refused; so is nesting deeper than we accept.
RE2_ACCEPTS = {
    "a{1000}": True,
    "a{1001}": False,
    "(a{10}){100}": True,
    "(a{100}){100}": False,
    "(a{2,}){600}": False,
    "(a{10}|b{100}){6}": True,
    "(a{10}|b{200}){6}": False,
    "a{1000}b{1000}": True,
    "((a{10}){10}){11}": False,
    "x{1000,}": True,
    "a{4294967296}": False,
    "[[:alpha:]]{2}": True,
    "\\{1001}": True,
}


@pytest.mark.parametrize(("pattern", "accepted"), sorted(RE2_ACCEPTS.items()))
def test_repetition_limits_are_re2s(pattern: str, accepted: bool) -> None:
    assert (regex_problem(pattern) is None) == accepted


def test_nesting_is_bounded_before_compiling() -> None:
    assert regex_problem("(" * 100 + "a" + ")" * 100) is None
    problem = regex_problem("(" * 5000 + "a" + ")" * 5000)
    assert problem is not None and "nests groups more than 100 deep" in problem
    assert len(problem) < 200  # the pattern is cut short


@pytest.mark.parametrize(
    ("api_version", "kind", "path", "written"),
    [
        ("access.smi-spec.io/v1alpha1", "TrafficTarget", "spec.rules[1].name", "specs[1].name"),
        ("access.smi-spec.io/v1alpha1", "TrafficTarget", "spec.sources[0]", "sources[0]"),
        ("access.smi-spec.io/v1alpha1", "TCPRoute", "metadata.name", "destination.port"),
        ("access.smi-spec.io/v1alpha2", "TCPRoute", "spec", "spec.destination.port"),
        ("access.smi-spec.io/v1alpha2", "TrafficTarget", "spec.rules[0]", "spec.rules[0]"),
        ("specs.smi-spec.io/v1alpha2", "HTTPRouteGroup", "spec.matches[0].name", "matches[0].name"),
        ("specs.smi-spec.io/v1alpha3", "HTTPRouteGroup", "spec.matches", "spec.matches"),
        ("access.smi-spec.io/v1alpha1", "TrafficTarget", "metadata.name", "metadata.name"),
    ],
)
def test_field_paths_are_those_of_the_written_version(
    api_version: str, kind: str, path: str, written: str
) -> None:
    written_kind = "HTTPRouteGroup" if kind == "HTTPRouteGroup" else "TrafficTarget"
    assert user_path(api_version, written_kind, kind, path) == written


def test_a_translator_problem_on_a_v1alpha1_target_names_the_written_field() -> None:
    text = (
        "apiVersion: specs.smi-spec.io/v1alpha4\nkind: TCPRoute\nmetadata: {name: db}\n---\n"
        "apiVersion: access.smi-spec.io/v1alpha1\nkind: TrafficTarget\nmetadata: {name: t}\n"
        "destination: {kind: ServiceAccount, name: db}\n"
        "sources: [{kind: ServiceAccount, name: web}]\n"
        "specs: [{kind: TCPRoute, name: db}]\n"
    )
    specs = load_text(text, "old.yaml")
    (target,) = specs.traffic_targets
    problem = specs.problem(target.key, "spec.rules[0].name", "why")
    assert str(problem) == "old.yaml: document 2 (TrafficTarget/t): specs[0].name: why"


def test_printable_and_shown_keep_a_message_on_one_short_line() -> None:
    assert printable("a\nb\x1b[31m\u2028") == "a\\nb\\x1b[31m\\u2028"
    assert printable("plain text: é") == "plain text: é"
    assert printable("x" * 5000, limit=10) == "xxxxxxxxxx... (4990 more characters)"
    assert shown("x" * 100) == f"{'x' * 80!r}... (100 characters)"
    assert shown("ok") == "'ok'"
    assert str(Problem("m", "f.yaml", 1, "TCPRoute", "a\nb", "spec")) == (
        "f.yaml: document 1 (TCPRoute/'a\\nb'): spec: m"
    )
