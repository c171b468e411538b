"""The loader: documents in, a checked SpecSet (or every problem at once) out."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_smi.errors import SmiValidationError
from pulumi_smi.spec import load_files, load_text
from pulumi_smi.spec.regex import full_match_of_prefix_regex, regex_problem

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
