"""Target ``linkerd``, TrafficSplit -> HTTPRoute: where sample requests go (Linkerd precedence)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from evaluate.gamma import Request, destinations

from pulumi_smi.errors import TranslationError
from pulumi_smi.meshes import translate
from pulumi_smi.plan import Plan
from pulumi_smi.spec import load_text


def service(name: str, port: str = "{name: http, port: 8080}") -> str:
    return (
        f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: shop}}\n"
        f"spec: {{selector: {{app: {name}}}, ports: [{port}]}}\n"
    )


WEB = "".join(service(s) for s in ("web", "web-v1", "web-v2", "web-v3"))


def split(version: str, backends: str, extra: str = "", name: str = "web") -> str:
    return (
        f"---\napiVersion: split.smi-spec.io/{version}\nkind: TrafficSplit\n"
        f"metadata: {{name: {name}, namespace: shop}}\nspec:\n  service: web\n"
        f"  backends: {backends}\n{extra}"
    )


def linkerd(text: str, **options: Any) -> Plan:
    return translate(load_text(text), "linkerd", options)


def to(plan: Plan, port: int = 8080, **request: Any) -> dict[str, Fraction]:
    manifests = [dict(r.properties) for r in plan]
    return destinations(manifests, Request("web", port, namespace="shop", **request), "linkerd")


def test_canary_is_an_httproute_on_the_apex_port_with_weighted_backends() -> None:
    plan = linkerd(
        WEB + split("v1alpha4", "[{service: web-v1, weight: 90}, {service: web-v2, weight: 10}]")
    )
    assert to(plan) == {"web-v1": Fraction(9, 10), "web-v2": Fraction(1, 10)}
    (route,) = [r.properties for r in plan]
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert route["spec"]["parentRefs"] == [
        {"group": "", "kind": "Service", "name": "web", "port": 8080}
    ]
    assert all(ref["port"] == 8080 for ref in route["spec"]["rules"][0]["backendRefs"])


def test_three_way_split_with_quantity_weights_keeps_the_ratios() -> None:
    backends = (
        "[{service: web-v1, weight: 500m}, {service: web-v2, weight: 250m},"
        " {service: web-v3, weight: '250m'}]"
    )
    plan = linkerd(WEB + split("v1alpha1", backends))
    assert to(plan) == {
        "web-v1": Fraction(1, 2),
        "web-v2": Fraction(1, 4),
        "web-v3": Fraction(1, 4),
    }


def test_zero_weight_backend_gets_no_traffic() -> None:
    plan = linkerd(
        WEB + split("v1alpha2", "[{service: web-v1, weight: 0}, {service: web-v2, weight: 3}]")
    )
    assert to(plan) == {"web-v2": Fraction(1)}


def test_header_ab_routes_matching_requests_and_keeps_the_rest_on_the_apex() -> None:
    group = (
        "---\napiVersion: specs.smi-spec.io/v1alpha4\nkind: HTTPRouteGroup\n"
        "metadata: {name: beta, namespace: shop}\nspec:\n  matches:\n"
        "  - {name: beta, headers: [{x-beta: 'true'}]}\n"
        "  - {name: ff, headers: [{user-agent: '.*Firefox.*'}]}\n"
    )
    extra = "  matches: [{kind: HTTPRouteGroup, name: beta}]\n"
    plan = linkerd(WEB + group + split("v1alpha3", "[{service: web-v3, weight: 1}]", extra))
    assert to(plan, headers={"x-beta": "true"}) == {"web-v3": Fraction(1)}
    assert to(plan, headers={"User-Agent": "Mozilla Firefox/130"}) == {"web-v3": Fraction(1)}
    assert to(plan, headers={"x-beta": "no"}) == {"web": Fraction(1)}  # not a 404: the apex
    assert to(plan) == {"web": Fraction(1)}
    (route,) = [r.properties for r in plan]
    rules = route["spec"]["rules"]
    assert len(rules[0]["matches"]) == 2  # ORed in one rule, never ANDed into one match


def test_path_regex_keeps_smi_start_anchoring() -> None:
    group = (
        "---\napiVersion: specs.smi-spec.io/v1alpha4\nkind: HTTPRouteGroup\n"
        "metadata: {name: api, namespace: shop}\n"
        "spec:\n  matches: [{name: v2, pathRegex: /api/v2}]\n"
    )
    extra = "  matches: [{kind: HTTPRouteGroup, name: api}]\n"
    plan = linkerd(WEB + group + split("v1alpha4", "[{service: web-v2, weight: 1}]", extra))
    assert to(plan, path="/api/v2") == {"web-v2": Fraction(1)}
    assert to(plan, path="/api/v2x/y") == {"web-v2": Fraction(1)}
    assert to(plan, path="/x/api/v2") == {"web": Fraction(1)}


def test_policy_flavour_of_httproute() -> None:
    plan = linkerd(WEB + split("v1alpha4", "[{service: web-v1, weight: 1}]"), route_api="policy")
    (route,) = [r.properties for r in plan]
    assert route["apiVersion"] == "policy.linkerd.io/v1beta3"
    assert to(plan) == {"web-v1": Fraction(1)}


def test_tcp_apex_port_becomes_a_tcproute_with_one_rule() -> None:
    tcp = "{name: tcp-db, port: 5432, appProtocol: tcp}"
    text = "".join(service(s, tcp) for s in ("web", "web-v1", "web-v2"))
    plan = linkerd(
        text + split("v1alpha4", "[{service: web-v1, weight: 1}, {service: web-v2, weight: 1}]")
    )
    (route,) = [r.properties for r in plan]
    assert (route["kind"], route["apiVersion"]) == (
        "TCPRoute",
        "gateway.networking.k8s.io/v1alpha2",
    )
    assert len(route["spec"]["rules"]) == 1  # Linkerd's admission accepts a single rule only
    assert to(plan, port=5432, protocol="tcp") == {
        "web-v1": Fraction(1, 2),
        "web-v2": Fraction(1, 2),
    }


def test_no_service_profile_is_ever_emitted() -> None:
    plan = linkerd(WEB + split("v1alpha1", "[{service: web-v1, weight: 1}]"))
    assert all(r.properties["kind"] != "ServiceProfile" for r in plan)


@pytest.mark.parametrize("route_api", ["gateway", "policy"])
def test_missing_apex_service_names_the_split(route_api: str) -> None:
    with pytest.raises(TranslationError) as err:
        linkerd(split("v1alpha4", "[{service: web-v1, weight: 1}]"), route_api=route_api)
    (problem,) = err.value.problems
    assert (problem.kind, problem.name, problem.path) == ("TrafficSplit", "web", "spec.service")
    assert "the linkerd target needs the ports of Service shop/web" in problem.message
    assert "kind: Service, metadata: {name: web, namespace: shop}" in problem.message


@pytest.mark.parametrize("route_api", ["gateway", "policy"])
def test_the_apex_as_its_own_backend_as_in_linkerd_smi(route_api: str) -> None:
    # linkerd-smi's own tests split an apex between itself and a new version; a backendRef
    # to the parent Service is its own endpoints in Linkerd (GAMMA), not a loop.
    backends = "[{service: web, weight: 500m}, {service: web-v2, weight: 500m}]"
    plan = linkerd(WEB + split("v1alpha1", backends), route_api=route_api)
    assert to(plan) == {"web": Fraction(1, 2), "web-v2": Fraction(1, 2)}
    assert not plan.warnings


def test_the_apex_written_as_its_fqdn_is_the_apex() -> None:
    backends = "[{service: web-v1, weight: 1}]"
    fqdn = split("v1alpha4", backends).replace("service: web\n", "service: web.shop.svc\n")
    assert linkerd(WEB + fqdn).to_json() == linkerd(WEB + split("v1alpha4", backends)).to_json()
