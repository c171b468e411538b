"""smi-appmesh-deprecated: every App Mesh resource, and the appmesh Mesh, get the notice."""

from __future__ import annotations

import pulumi
from policy_estates import check_all, custom_resource, estate

from pulumi_smi.policy import POLICIES, appmesh_deprecated


def test_every_app_mesh_resource_and_the_mesh_are_flagged() -> None:
    recording = estate("appmesh")
    found = check_all(recording, appmesh_deprecated)
    appmesh = {r.name for r in recording.resources if r.type.startswith("aws:appmesh/")}
    assert len(appmesh) >= 5  # nodes, router, route, virtual services
    assert set(found) == appmesh | {"m"}
    route = found["web-m-route-web-default"].messages[0]
    assert route.startswith("aws:appmesh Route web-default (web-m-route-web-default): ")
    assert "end of support on 2026-09-30" in route
    assert "migrate to VPC Lattice" in route and "examples/05-appmesh-to-lattice" in route
    assert found["m"].messages[0].startswith("smi:index Mesh m: ")


def test_app_mesh_controller_objects_are_flagged_and_lattice_is_not() -> None:
    def controller(explicit: pulumi.ProviderResource) -> None:
        custom_resource(
            explicit, "legacy-node", "appmesh.k8s.aws/v1beta2", "VirtualNode", {"listeners": []}
        )

    assert list(check_all(estate("istio", extra=controller), appmesh_deprecated)) == ["legacy-node"]
    assert check_all(estate("vpc-lattice"), appmesh_deprecated) == {}


def test_deprecation_is_advisory_the_rest_mandatory() -> None:
    levels = {p.name: p.enforcement for p in POLICIES}
    assert levels == {
        "smi-mtls-required": "mandatory",
        "smi-no-wildcard-principals": "mandatory",
        "smi-max-canary-step": "mandatory",
        "smi-appmesh-deprecated": "advisory",
    }
