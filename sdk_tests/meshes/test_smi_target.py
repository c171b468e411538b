"""Target ``smi``: every input version comes out as the newest, meaning unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_smi.errors import UnsupportedTargetError
from pulumi_smi.meshes import TARGETS, MeshKind, target, translate
from pulumi_smi.plan import Plan
from pulumi_smi.spec import load_files, load_text

BOOKINFO = sorted(
    (Path(__file__).parents[2] / "examples" / "manifests" / "bookinfo").glob("*.yaml")
)


def by_kind(plan: Plan, kind: str) -> list[dict]:  # type: ignore[type-arg]
    return [dict(r.properties) for r in plan if r.properties["kind"] == kind]


def test_bookinfo_translates_to_newest_versions() -> None:
    plan = translate(load_files(BOOKINFO), "smi")
    versions = {(r.properties["kind"], r.properties["apiVersion"]) for r in plan}
    assert versions == {
        ("TrafficSplit", "split.smi-spec.io/v1alpha4"),
        ("HTTPRouteGroup", "specs.smi-spec.io/v1alpha4"),
        ("TCPRoute", "specs.smi-spec.io/v1alpha4"),
        ("TrafficTarget", "access.smi-spec.io/v1alpha3"),
    }
    for resource in plan:
        kind = resource.properties["kind"]
        assert resource.type == f"kubernetes:{resource.properties['apiVersion']}:{kind}"


def test_quantity_canary_becomes_integer_weights_with_the_same_ratio() -> None:
    plan = translate(load_files(BOOKINFO), "smi")
    canary = next(
        s for s in by_kind(plan, "TrafficSplit") if s["metadata"]["name"] == "reviews-canary"
    )
    assert canary["spec"]["backends"] == [
        {"service": "reviews-v1", "weight": 9},
        {"service": "reviews-v2", "weight": 1},
    ]


def test_destination_port_of_old_access_versions_is_kept_as_a_tcp_route() -> None:
    plan = translate(load_files(BOOKINFO), "smi")
    target = next(
        t
        for t in by_kind(plan, "TrafficTarget")
        if t["metadata"]["name"] == "productpage-reads-reviews"
    )
    assert target["spec"]["rules"] == [
        {"kind": "HTTPRouteGroup", "name": "reviews-api", "matches": ["read"]},
        {"kind": "TCPRoute", "name": "productpage-reads-reviews-port-9080"},
    ]
    route = next(
        r
        for r in by_kind(plan, "TCPRoute")
        if r["metadata"]["name"] == "productpage-reads-reviews-port-9080"
    )
    assert route["spec"] == {"matches": {"ports": [9080]}}


def test_headers_are_written_in_the_crd_form_with_a_warning() -> None:
    plan = translate(load_files(BOOKINFO), "smi")
    group = next(
        g for g in by_kind(plan, "HTTPRouteGroup") if g["metadata"]["name"] == "beta-testers"
    )
    assert group["spec"]["matches"][0]["headers"] == [
        {"user-agent": ".*Firefox.*"},
        {"x-beta": "true"},
    ]
    assert any("smi-spec#233" in w and "beta-testers" in w for w in plan.warnings)


def test_labels_and_annotations_are_kept_and_marked_as_ours() -> None:
    text = """
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata:
  name: t
  labels: {team: a}
  annotations: {note: x, kubectl.kubernetes.io/last-applied-configuration: "{}"}
spec: {matches: {ports: [1]}}
"""
    (resource,) = translate(load_text(text), "smi")
    assert resource.properties["metadata"] == {
        "name": "t",
        "namespace": "default",
        "labels": {"app.kubernetes.io/managed-by": "pulumi-smi", "team": "a"},
        "annotations": {"note": "x"},
    }
    assert resource.name == "default-t-tcproute"


def test_same_input_gives_the_same_bytes() -> None:
    first = translate(load_files(BOOKINFO), "smi")
    second = translate(load_files(list(reversed(BOOKINFO))), "smi")
    assert first.to_json() == second.to_json()
    assert first.to_yaml() == second.to_yaml()


def test_unimplemented_targets_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(TARGETS) == set(MeshKind)  # every target is implemented now
    monkeypatch.delitem(TARGETS, MeshKind.APPMESH)  # as before its issue landed
    with pytest.raises(UnsupportedTargetError, match="not supported yet"):
        target(MeshKind.APPMESH)
    with pytest.raises(UnsupportedTargetError, match="unknown mesh 'nginx'"):
        target("nginx")
