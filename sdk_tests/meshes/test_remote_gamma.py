"""GAMMA routes (targets ``gateway-api`` and ``linkerd``): split backends served outside the
mesh (ExternalName Services, Consul redirects)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from test_gateway_api import WEB, group, manifests, plan_of, service, split, to

from pulumi_smi.errors import TranslationError
from pulumi_smi.meshes import translate
from pulumi_smi.plan import Plan, PlanWarning
from pulumi_smi.spec import load_text

CLOUD = "web.use1.example.com"


def remote(name: str, ports: str = "", annotations: str = "") -> str:
    """An ExternalName Service at CLOUD (``ports`` e.g. ``[{port: 80}]``)."""
    notes = f", annotations: {{{annotations}}}" if annotations else ""
    listed = f", ports: {ports}" if ports else ""
    return (
        f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}{notes}}}\n"
        f"spec: {{type: ExternalName, externalName: {CLOUD}{listed}}}\n"
    )


def consul(name: str) -> str:
    """A Service standing for a Consul service of datacenter dc2 (no host)."""
    return (
        f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, annotations: "
        "{smi.pulumi.com/consul-datacenter: dc2}}\nspec: {ports: [{port: 80}]}\n"
    )


def linkerd(text: str, **options: Any) -> Plan:
    return translate(load_text(text), "linkerd", options)


def remote_warnings(plan: Plan) -> list[PlanWarning]:
    return [w for w in plan.warnings if "is served at" in w]


def refs(route: dict[str, Any], rule: int = -1) -> list[dict[str, Any]]:
    return list(route["spec"]["rules"][rule]["backendRefs"])


def test_remote_backend_stays_a_weighted_backend_ref_on_the_apex_port() -> None:
    plan = plan_of(
        WEB
        + remote("web-cloud", annotations="smi.pulumi.com/served-by: use1")
        + split("canary", {"web-v1": 3, "web-cloud": 1})
    )
    [route] = manifests(plan)
    assert refs(route) == [
        {"group": "", "kind": "Service", "name": "web-cloud", "port": 80, "weight": 1},
        {"group": "", "kind": "Service", "name": "web-v1", "port": 80, "weight": 3},
    ]
    assert to(plan) == {"web-v1": Fraction(3, 4), "web-cloud": Fraction(1, 4)}
    (warning,) = remote_warnings(plan)
    assert warning.owner is not None and warning.owner.name == "canary"
    assert warning.startswith(
        f"TrafficSplit default/canary: backend Service default/web-cloud is served at host "
        f"{CLOUD} (mesh use1): it stays a backendRef to Service web-cloud on port 80 with "
        "weight 1, but Gateway API leaves ExternalName backends implementation-specific "
        "(implementations SHOULD NOT support them)"
    )
    assert f"add a ServiceEntry (hosts [{CLOUD}], location MESH_EXTERNAL" in warning
    assert "500 (cluster_not_found)" in warning and "ResolvedRefs False" in warning


def test_remote_backend_in_a_matched_split_and_on_every_apex_port() -> None:
    text = (
        service("web", "{name: http, port: 80}", "{name: http-alt, port: 8080}")
        + service("web-v1", "{name: http, port: 80}", "{name: http-alt, port: 8080}")
        + remote("web-cloud")
        + group("beta", "{name: beta, headers: {x-beta: 'true'}}")
        + split("ab", {"web-cloud": 1}, groups=("beta",))
    )
    plan = plan_of(text)
    routes = manifests(plan)
    assert [r["spec"]["parentRefs"][0]["port"] for r in routes] == [80, 8080]
    for route, port in zip(routes, (80, 8080), strict=True):
        assert refs(route, 0) == [
            {"group": "", "kind": "Service", "name": "web-cloud", "port": port, "weight": 1}
        ]
    assert to(plan, headers={"x-beta": "true"}) == {"web-cloud": Fraction(1)}
    assert to(plan) == {"web": Fraction(1)}
    (warning,) = remote_warnings(plan)  # one per backend, not per port
    assert "a backendRef to Service web-cloud on ports 80, 8080 with weight 1" in warning


def test_zero_weight_remote_backend_is_left_out_and_still_warned() -> None:
    plan = plan_of(WEB + remote("web-cloud") + split("canary", {"web-v1": 1, "web-cloud": 0}))
    [route] = manifests(plan)
    assert [r["name"] for r in refs(route)] == ["web-v1"]
    (warning,) = remote_warnings(plan)
    assert "it is left out of the routes while its weight is 0, then becomes a backendRef" in (
        warning
    )


def test_remote_listing_none_of_the_apex_ports_is_left_out() -> None:
    plan = plan_of(
        WEB + remote("web-cloud", ports="[{port: 443}]") + split("c", {"web-v1": 1, "web-cloud": 1})
    )
    [route] = manifests(plan)
    assert [r["name"] for r in refs(route)] == ["web-v1"]
    (warning,) = remote_warnings(plan)
    assert "it lists none of the apex's ports, so SMI leaves it out of the split" in warning


def test_consul_only_remote_is_a_located_error_on_gateway_api() -> None:
    with pytest.raises(TranslationError) as caught:
        plan_of(WEB + consul("web-dc2") + split("canary", {"web-v1": 1, "web-dc2": 1}))
    (problem,) = caught.value.problems
    assert (problem.name, problem.path) == ("canary", "spec.backends[1].service")
    assert problem.message == (
        "backend Service default/web-dc2 is served at datacenter dc2: a Gateway API backendRef "
        "is a Service routed by its endpoints, and a Consul redirect gives the gateway-api "
        "target no host to send the share to; make the Service type: ExternalName with "
        "spec.externalName"
    )


def test_linkerd_cannot_route_to_an_external_name_service() -> None:
    with pytest.raises(TranslationError) as caught:
        linkerd(WEB + remote("web-cloud") + split("canary", {"web-v1": 1, "web-cloud": 1}))
    (problem,) = caught.value.problems
    assert (problem.kind, problem.name, problem.path) == (
        "TrafficSplit",
        "canary",
        "spec.backends[1].service",
    )
    assert problem.message.startswith(
        f"backend Service default/web-cloud is an ExternalName Service served at host {CLOUD}: "
        "Linkerd accepts the backendRef but cannot route to it (its destination controller "
        "serves no endpoints for an ExternalName Service"
    )
    assert "use the mirror Service its Link creates in this namespace, <service>-<link name>" in (
        problem.message
    )
    assert "EgressNetwork (policy.linkerd.io/v1alpha1, Linkerd 2.17+)" in problem.message


def test_linkerd_reports_every_remote_backend_of_every_split_at_once() -> None:
    text = (
        WEB
        + service("api")
        + service("api-v1")
        + remote("web-cloud")
        + consul("api-dc2")
        + split("canary", {"web-v1": 1, "web-cloud": 1})
        + split("api", {"api-v1": 1, "api-dc2": 1}).replace("service: web", "service: api")
    )
    with pytest.raises(TranslationError) as caught:
        linkerd(text)
    found = {(p.name, p.path): p.message for p in caught.value.problems}
    assert set(found) == {
        ("api", "spec.backends[1].service"),
        ("canary", "spec.backends[1].service"),
    }
    assert (
        "a Consul redirect gives the linkerd target no host"
        in found[("api", "spec.backends[1].service")]
    )
    assert "<service>-<link name>" in found[("api", "spec.backends[1].service")]


def test_linkerd_takes_a_multicluster_mirror_service_as_a_plain_backend() -> None:
    mirror = service("web-west")  # what the Link creates: a plain Service, no annotation
    plan = linkerd(WEB + mirror + split("canary", {"web-v1": 1, "web-west": 1}))
    [route] = manifests(plan)
    assert [r["name"] for r in refs(route)] == ["web-v1", "web-west"]
    assert not remote_warnings(plan)


@pytest.mark.parametrize(
    ("policy", "refused"), [(None, False), ("istio", False), ("linkerd", True)]
)
def test_gateway_api_refuses_an_external_name_backend_when_linkerd_reads_the_routes(
    policy: str | None, refused: bool
) -> None:
    text = WEB + remote("web-cloud") + split("canary", {"web-v1": 1, "web-cloud": 1})
    options = {"policy": policy} if policy else {}
    if refused:
        with pytest.raises(TranslationError, match="Linkerd accepts the backendRef"):
            translate(load_text(text), "gateway-api", options)
    else:
        assert remote_warnings(translate(load_text(text), "gateway-api", options))
