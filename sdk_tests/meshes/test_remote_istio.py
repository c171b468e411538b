"""Remote backends on Istio: a ServiceEntry for the host and a weighted destination to it."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from evaluate.istio_routes import Request, route
from test_istio_routes import NS, WEB, group, host, istio, service, split, virtual_services

from pulumi_smi.errors import TranslationError
from pulumi_smi.plan import Plan

LATTICE_HOST = "web-apps-0a1b2c3d4e5f.7d67968.vpc-lattice-svcs.us-east-1.on.aws"


def remote(name: str, host_name: str | None = LATTICE_HOST, **annotations: str) -> str:
    """A Service standing for a backend served elsewhere."""
    notes = ", ".join(f"smi.pulumi.com/{k.replace('_', '-')}: {v}" for k, v in annotations.items())
    spec = f"{{type: ExternalName, externalName: {host_name}}}" if host_name else "{}"
    return (
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {NS}, "
        f"annotations: {{{notes}}}}}\nspec: {spec}\n"
    )


def entries(plan: Plan) -> list[dict[str, Any]]:
    return [dict(r.properties) for r in plan if r.properties["kind"] == "ServiceEntry"]


def test_ten_percent_goes_to_the_remote_host_through_a_service_entry() -> None:
    plan = istio(
        *WEB, remote("web-aws", served_by="aws"), split("web", "web", {"web-v1": 9, "web-aws": 1})
    )
    shares = route(virtual_services(plan), Request(host=host("web")))
    assert shares == {host("web-v1"): Fraction(9, 10), LATTICE_HOST: Fraction(1, 10)}
    (entry,) = entries(plan)
    assert entry["metadata"]["name"] == "web-aws"
    assert entry["spec"] == {
        "hosts": [LATTICE_HOST],
        "location": "MESH_EXTERNAL",
        "resolution": "DNS",
        "ports": [{"number": 80, "name": "p80", "protocol": "HTTP"}],
        "exportTo": ["."],
    }
    assert any("web-aws is served at host" in w and "Host header" in w for w in plan.warnings)


def test_a_weight_move_changes_only_the_weights() -> None:
    before = istio(*WEB, remote("web-aws"), split("web", "web", {"web-v1": 9, "web-aws": 1}))
    after = istio(*WEB, remote("web-aws"), split("web", "web", {"web-v1": 1, "web-aws": 1}))
    assert [r.name for r in before] == [r.name for r in after]
    assert entries(before) == entries(after)
    assert route(virtual_services(after), Request(host=host("web")))[LATTICE_HOST] == Fraction(1, 2)


def test_the_service_entry_covers_every_apex_port_that_routes_to_it() -> None:
    apex = service("web", "80/http", "9090/grpc")
    plan = istio(
        apex,
        service("web-v1", "80/http", "9090/grpc"),
        remote("web-aws"),
        split("web", "web", {"web-v1": 1, "web-aws": 1}),
    )
    (entry,) = entries(plan)
    assert [(p["number"], p["protocol"]) for p in entry["spec"]["ports"]] == [
        (80, "HTTP"),
        (9090, "GRPC"),
    ]


def test_one_service_entry_for_a_remote_named_by_several_apexes() -> None:
    plan = istio(
        *WEB,
        service("api"),
        remote("web-aws"),
        split("web", "web", {"web-v1": 1, "web-aws": 1}),
        split("api", "api", {"api": 1, "web-aws": 1}),
    )
    assert len(entries(plan)) == 1


def test_a_remote_without_a_host_is_a_located_error() -> None:
    with pytest.raises(TranslationError) as caught:
        istio(
            *WEB,
            remote("web-dc2", None, consul_datacenter="dc2"),
            split("web", "web", {"web-v1": 1, "web-dc2": 1}),
        )
    (problem,) = caught.value.problems
    assert problem.path == "spec.backends[1].service"
    assert "datacenter dc2" in problem.message and "ExternalName" in problem.message


def test_matched_requests_can_go_to_the_remote() -> None:
    plan = istio(
        *WEB,
        remote("web-aws"),
        group("beta", "{name: b, headers: [{x-beta: '1'}]}"),
        split("beta", "web", {"web-aws": 1}, matches=("beta",)),
    )
    beta = route(virtual_services(plan), Request(host=host("web"), headers={"x-beta": "1"}))
    assert beta == {LATTICE_HOST: Fraction(1)}
