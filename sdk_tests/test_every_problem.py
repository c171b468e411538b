"""Every problem at once: a translator reports the problems of every defect in its input.

Each defect below is a small estate of its own (its own namespace and names, its own file).
Translated alone, a defect fails on some targets with some problems; translated together,
the input must fail with exactly the union of those problems, routing and access alike —
not with the first one found. A target on which fewer than two defects fail would make the
test vacuous for it, so that is a failure too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pulumi_smi import translate
from pulumi_smi.errors import SmiValidationError
from pulumi_smi.spec.loader import load_documents

Doc = dict[str, Any]
SPLIT = "split.smi-spec.io/v1alpha4"
SPECS = "specs.smi-spec.io/v1alpha4"
ACCESS = "access.smi-spec.io/v1alpha3"


def service(ns: str, name: str, *ports: tuple[int, str, str]) -> Doc:
    """A Service selecting ``app: name``; ports as (port, name, protocol)."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "selector": {"app": name},
            "ports": [{"port": p, "name": n, "protocol": proto} for p, n, proto in ports]
            or [{"port": 80, "name": "http", "protocol": "TCP"}],
        },
    }


def deployment(ns: str, name: str) -> Doc:
    """A Deployment of ``app: name`` pods running as ServiceAccount ``name``."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "serviceAccountName": name,
                    "containers": [{"name": name, "image": "x", "ports": [{"containerPort": 80}]}],
                },
            },
        },
    }


def split(
    ns: str,
    name: str,
    apex: str,
    backends: dict[str, int],
    matches: list[str] | None = None,
    annotations: dict[str, str] | None = None,
) -> Doc:
    spec: Doc = {
        "service": apex,
        "backends": [{"service": s, "weight": w} for s, w in backends.items()],
    }
    if matches:
        spec["matches"] = [{"kind": "HTTPRouteGroup", "name": m} for m in matches]
    metadata: Doc = {"name": name, "namespace": ns}
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": SPLIT, "kind": "TrafficSplit", "metadata": metadata, "spec": spec}


def route_group(ns: str, name: str, path_regex: str) -> Doc:
    return {
        "apiVersion": SPECS,
        "kind": "HTTPRouteGroup",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"matches": [{"name": "m", "pathRegex": path_regex, "methods": ["GET"]}]},
    }


def target(ns: str, name: str, destination: str, source: str, group: str) -> Doc:
    return {
        "apiVersion": ACCESS,
        "kind": "TrafficTarget",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "destination": {"kind": "ServiceAccount", "name": destination, "namespace": ns},
            "sources": [{"kind": "ServiceAccount", "name": source, "namespace": ns}],
            "rules": [{"kind": "HTTPRouteGroup", "name": group, "matches": ["m"]}],
        },
    }


def workloads(ns: str, *names: str) -> list[Doc]:
    return [d for name in names for d in (service(ns, name), deployment(ns, name))]


def two_defaults(ns: str) -> list[Doc]:
    return [
        *workloads(ns, f"{ns}-a", f"{ns}-v1", f"{ns}-v2"),
        split(ns, "one", f"{ns}-a", {f"{ns}-v1": 1, f"{ns}-v2": 1}),
        split(ns, "two", f"{ns}-a", {f"{ns}-v1": 3, f"{ns}-v2": 1}),
    ]


def missing_apex(ns: str) -> list[Doc]:
    return [
        *workloads(ns, f"{ns}-v1", f"{ns}-v2"),
        split(ns, "ghost", f"{ns}-ghost", {f"{ns}-v1": 1, f"{ns}-v2": 1}),
    ]


def many_backends(ns: str) -> list[Doc]:
    backends = {f"{ns}-v{i}": 1 for i in range(20)}
    return [
        *workloads(ns, f"{ns}-a", *backends),
        split(ns, "wide", f"{ns}-a", backends),
    ]


def coprime_weights(ns: str) -> list[Doc]:
    return [
        *workloads(ns, f"{ns}-a", f"{ns}-v1", f"{ns}-v2"),
        split(ns, "fine", f"{ns}-a", {f"{ns}-v1": 1, f"{ns}-v2": 1_000_003}),
    ]


def bad_gateways(ns: str) -> list[Doc]:
    annotation = {"VirtualService.v1alpha3.networking.istio.io/spec.gateways": "not json"}
    return [
        *workloads(ns, f"{ns}-a", f"{ns}-v1"),
        split(ns, "gw", f"{ns}-a", {f"{ns}-a": 1, f"{ns}-v1": 1}, annotations=annotation),
    ]


def udp_apex(ns: str) -> list[Doc]:
    return [
        service(ns, f"{ns}-a", (53, "dns", "UDP")),
        *workloads(ns, f"{ns}-v1", f"{ns}-v2"),
        split(ns, "udp", f"{ns}-a", {f"{ns}-v1": 1, f"{ns}-v2": 1}),
    ]


def two_tcp_ports(ns: str) -> list[Doc]:
    return [
        service(ns, f"{ns}-a", (80, "http", "TCP"), (81, "http-admin", "TCP")),
        *workloads(ns, f"{ns}-v1", f"{ns}-v2"),
        split(ns, "ports", f"{ns}-a", {f"{ns}-v1": 1, f"{ns}-v2": 1}),
    ]


def contains_match_split(ns: str) -> list[Doc]:
    return [
        *workloads(ns, f"{ns}-a", f"{ns}-v1", f"{ns}-v2"),
        route_group(ns, "inner", "/api/.*/items"),
        split(ns, "canary", f"{ns}-a", {f"{ns}-v2": 1}, matches=["inner"]),
    ]


def contains_match_access(ns: str) -> list[Doc]:
    return [
        *workloads(ns, f"{ns}-api", f"{ns}-web"),
        route_group(ns, "inner", "/api/.*/items"),
        target(ns, "reads", f"{ns}-api", f"{ns}-web", "inner"),
    ]


def no_workload(ns: str) -> list[Doc]:
    return [
        *workloads(ns, f"{ns}-web"),
        route_group(ns, "all", "/.*"),
        target(ns, "nowhere", f"{ns}-nobody", f"{ns}-web", "all"),
    ]


DEFECTS: dict[str, Callable[[str], list[Doc]]] = {
    "d01": two_defaults,
    "d02": missing_apex,
    "d03": many_backends,
    "d04": coprime_weights,
    "d05": bad_gateways,
    "d06": udp_apex,
    "d07": two_tcp_ports,
    "d08": contains_match_split,
    "d09": contains_match_access,
    "d10": no_workload,
}
CONFIGS: list[tuple[str, dict[str, Any]]] = [
    ("istio", {}),
    ("linkerd", {}),
    ("consul", {}),
    ("gateway-api", {}),
    ("gateway-api", {"policy": "istio"}),
    ("appmesh", {}),
    ("vpc-lattice", {"vpc_id": "vpc-0123456789abcdef0"}),
]


def problems(namespaces: list[str], mesh: str, options: dict[str, Any]) -> set[str] | None:
    """The problem lines of translating the defects together (None: it translates)."""
    documents = [
        (f"{ns}.yaml", number, doc)
        for ns in namespaces
        for number, doc in enumerate(DEFECTS[ns](ns), start=1)
    ]
    try:
        translate(load_documents(documents), mesh, options)
    except SmiValidationError as exc:
        assert exc.problems, "an error without problems"
        return {str(p) for p in exc.problems}
    return None


@pytest.mark.parametrize(("mesh", "options"), CONFIGS, ids=lambda c: str(c) if c else "")
def test_all_defects_are_reported_together(mesh: str, options: dict[str, Any]) -> None:
    alone = {ns: problems([ns], mesh, options) for ns in DEFECTS}
    failing = {ns: found for ns, found in alone.items() if found is not None}
    assert len(failing) >= 2, f"{mesh}: only {sorted(failing)} fail; the test proves nothing"
    together = problems(sorted(DEFECTS), mesh, options)
    assert together is not None
    expected = set().union(*failing.values())
    assert together - expected == set(), "problems that no defect has alone"
    assert expected - together == set(), "problems lost when the defects come together"
    for ns in failing:
        assert any(line.startswith(f"{ns}.yaml: ") for line in together), ns
