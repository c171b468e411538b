"""Target ``smi``: every input version comes out as the newest, meaning unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_smi.errors import SmiValidationError, UnsupportedTargetError
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


# --- the apex written as the name clients call ------------------------------------------

APEX_WORLD = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-v2, namespace: shop}
spec: {selector: {app: web, version: v2}, ports: [{name: http, port: 8080}]}
"""


def apex_split(apex: str, namespace: str = "shop") -> str:
    return (
        f"---\napiVersion: split.smi-spec.io/v1alpha2\nkind: TrafficSplit\n"
        f"metadata: {{name: web, namespace: {namespace}}}\n"
        f"spec: {{service: {apex}, backends: [{{service: web-v2, weight: 1}}]}}\n"
    )


FORMS = ["web.shop", "web.shop.svc", "web.shop.svc.cluster.local", "web.shop.svc.corp.example"]


@pytest.mark.parametrize("apex", FORMS)
def test_every_dns_form_of_the_apex_is_normalised_to_the_service_name(apex: str) -> None:
    (split,) = by_kind(translate(load_text(apex_split(apex)), "smi"), "TrafficSplit")
    assert split["spec"]["service"] == "web"


def test_the_namespace_form_of_the_default_namespace() -> None:
    text = apex_split("web.default.svc.cluster.local").replace(", namespace: shop", "")
    (split,) = by_kind(translate(load_text(text), "smi"), "TrafficSplit")
    assert split["spec"]["service"] == "web"


@pytest.mark.parametrize("kind", [k for k in TARGETS if k is not MeshKind.SMI])
@pytest.mark.parametrize("apex", FORMS)
def test_every_target_translates_the_dns_form_as_the_name(kind: MeshKind, apex: str) -> None:
    options = {"vpc_id": "vpc-0123456789abcdef0"} if kind is MeshKind.VPC_LATTICE else {}
    plain = translate(load_text(APEX_WORLD + apex_split("web")), kind, options)
    written = translate(load_text(APEX_WORLD + apex_split(apex)), kind, options)
    assert written.to_json() == plain.to_json()
    assert len(plain) > 0


def test_an_apex_in_another_namespace_is_a_located_error() -> None:
    with pytest.raises(SmiValidationError) as err:
        load_text(apex_split("web.other.svc.cluster.local"), "split.yaml")
    (problem,) = err.value.problems
    assert (problem.source, problem.document, problem.kind, problem.name, problem.path) == (
        "split.yaml",
        1,
        "TrafficSplit",
        "web",
        "spec.service",
    )
    assert "a Service in namespace 'other'" in problem.message
    assert "its own namespace 'shop'" in problem.message


@pytest.mark.parametrize(
    ("apex", "wanted"),
    [
        ("web.shop.cluster.local", "is not a Service: write its name, or name.namespace"),
        ("web.shop.svc.", "is not a Service"),
        ("web.", "is not a Service"),
        ("web.Shop", "is not a Service"),
        ("9web.shop", "'9web' is not a valid Service name"),
    ],
)
def test_other_dotted_apexes_are_errors_at_spec_service(apex: str, wanted: str) -> None:
    with pytest.raises(SmiValidationError) as err:
        load_text(apex_split(f"'{apex}'"))
    (problem,) = err.value.problems
    assert problem.path == "spec.service" and wanted in problem.message
