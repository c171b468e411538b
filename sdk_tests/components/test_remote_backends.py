"""``smi.Backend(mesh=..., host=...)``: a share of an on-prem split served by another mesh."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest

import pulumi_smi as smi
from pulumi_smi.spec import Service
from pulumi_smi.testing import Recording, run_program

NS = "bookinfo"
VPC = "vpc-0123456789abcdef0"
LATTICE_DNS = "reviews-bookinfo-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-east-1.on.aws"


def catalogue(*names: str) -> smi.Catalogue:
    return smi.Catalogue(
        services=[
            Service(
                name=n, namespace=NS, selector={"app": n}, ports=[{"port": 9080, "name": "http"}]
            )
            for n in names
        ]
    )


def estate(aws_weight: int = 10, create_cloud: bool = True, **backend: Any) -> None:
    """An on-prem Istio split sending ``aws_weight`` of 100 to reviews on VPC Lattice."""
    cloud = smi.Mesh(
        "aws-lattice",
        "vpc-lattice",
        provider=aws.Provider("aws", region="us-east-1"),
        options={"vpc_id": VPC},
        catalogue=catalogue("reviews", "reviews-v1"),
    )
    onprem = smi.Mesh(
        "dc1",
        "istio",
        provider=k8s.Provider("dc1-k8s", kubeconfig="dc1"),
        catalogue=catalogue("reviews", "reviews-v1"),
    )
    if create_cloud:
        smi.TrafficSplit(
            "reviews-aws",
            namespace=NS,
            service="reviews",
            meshes=cloud,
            backends=[smi.Backend("reviews-v1", 1)],
        )
    smi.TrafficSplit(
        "reviews",
        namespace=NS,
        service="reviews",
        meshes=onprem,
        backends=[
            smi.Backend("reviews-v1", 100 - aws_weight),
            smi.Backend("reviews", aws_weight, **({"mesh": cloud} | backend)),
        ],
    )


def spec_of(recording: Recording, kind: str) -> dict[str, Any]:
    (found,) = [r for r in recording.resources if r.inputs.get("kind") == kind]
    return dict(found.inputs["spec"])


def test_the_on_prem_share_goes_to_the_lattice_service_dns_name() -> None:
    recording = run_program(estate)
    routes = spec_of(recording, "VirtualService")["http"][0]["route"]
    assert routes == [  # backends sorted by Service: reviews-aws-lattice, reviews-v1
        {"destination": {"host": LATTICE_DNS}, "weight": 10},
        {"destination": {"host": f"reviews-v1.{NS}.svc.cluster.local"}, "weight": 90},
    ]
    entry = spec_of(recording, "ServiceEntry")
    assert entry["hosts"] == [LATTICE_DNS]
    assert entry["location"] == "MESH_EXTERNAL"
    (named,) = [r for r in recording.resources if r.inputs.get("kind") == "ServiceEntry"]
    assert named.inputs["metadata"]["name"] == "reviews-aws-lattice"
    assert named.provider_name == "dc1-k8s"


def test_in_preview_the_host_stays_unknown_not_invented() -> None:
    recording = run_program(estate, preview=True)
    routes = spec_of(recording, "VirtualService")["http"][0]["route"]
    assert routes[1]["destination"]["host"] == f"reviews-v1.{NS}.svc.cluster.local"
    assert LATTICE_DNS not in str(routes)
    assert "remote.pulumi-smi.invalid" not in str(recording.resources)


def test_moving_the_weight_changes_only_the_weights() -> None:
    before, after = run_program(lambda: estate(10)), run_program(lambda: estate(50))
    assert [(r.type, r.name) for r in before.resources] == [
        (r.type, r.name) for r in after.resources
    ]
    changed = [
        r.name
        for r, s in zip(before.resources, after.resources, strict=True)
        if r.inputs != s.inputs
    ]
    assert changed == ["reviews-dc1-virtualservice"]
    weights = [d["weight"] for d in spec_of(after, "VirtualService")["http"][0]["route"]]
    assert weights == [50, 50]


def test_a_literal_host_needs_no_other_mesh() -> None:
    def program() -> None:
        onprem = smi.Mesh("dc1", "istio", catalogue=catalogue("reviews", "reviews-v1"))
        smi.TrafficSplit(
            "reviews",
            namespace=NS,
            service="reviews",
            meshes=onprem,
            backends=[
                smi.Backend("reviews-v1", 3),
                smi.Backend("reviews-eu", 1, host="reviews.eu.example.com"),
            ],
        )

    entry = spec_of(run_program(program), "ServiceEntry")
    assert entry["hosts"] == ["reviews.eu.example.com"]


def test_an_output_host_is_put_back_in_place() -> None:
    def program() -> None:
        onprem = smi.Mesh("dc1", "istio", catalogue=catalogue("reviews", "reviews-v1"))
        smi.TrafficSplit(
            "reviews",
            namespace=NS,
            service="reviews",
            meshes=onprem,
            backends=[
                smi.Backend("reviews-v1", 3),
                smi.Backend("reviews-eu", 1, host=pulumi.Output.from_input("gw.eu.example.com")),
            ],
        )

    recording = run_program(program)
    assert spec_of(recording, "ServiceEntry")["hosts"] == ["gw.eu.example.com"]
    assert (
        spec_of(recording, "VirtualService")["http"][0]["route"][0]["destination"]["host"]
        == "gw.eu.example.com"
    )


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"create_cloud": False}, "has no Lattice service for bookinfo/reviews yet"),
    ],
)
def test_a_host_that_cannot_be_found_is_an_error_before_anything_registers(
    kwargs: dict[str, Any], words: str
) -> None:
    with pytest.raises(smi.SmiError, match=words) as caught:
        run_program(lambda: estate(**kwargs))
    assert "backends[1].host" in str(caught.value)


def test_a_kubernetes_mesh_needs_a_host() -> None:
    def program() -> None:
        west = smi.Mesh("west", "linkerd")
        onprem = smi.Mesh("dc1", "istio", catalogue=catalogue("reviews", "reviews-v1"))
        smi.TrafficSplit(
            "reviews",
            namespace=NS,
            service="reviews",
            meshes=onprem,
            backends=[smi.Backend("reviews-v1", 3), smi.Backend("reviews", 1, mesh=west)],
        )

    with pytest.raises(smi.SmiError, match="mesh west is linkerd: give host="):
        run_program(program)


def test_a_placeholder_inside_a_longer_string_becomes_the_output_in_place() -> None:
    from pulumi_smi.components.remote import with_outputs
    from pulumi_smi.plan import Plan, Resource

    seen: list[Any] = []

    def program() -> None:
        host = "web.shop.remote.pulumi-smi.invalid"
        plan = Plan((Resource("x:y:Z", "z", {"url": f"http://{host}:80/{host}", "h": host}),))
        (resource,) = with_outputs(plan, {host: pulumi.Output.from_input("gw.example.com")})
        pulumi.Output.all(resource.properties["url"], resource.properties["h"]).apply(seen.append)

    run_program(program)
    assert seen == [["http://gw.example.com:80/gw.example.com", "gw.example.com"]]
