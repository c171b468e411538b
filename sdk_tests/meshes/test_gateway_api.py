"""Target ``gateway-api``: GAMMA routes, judged by where sample requests end up.

Every request is evaluated with the precedence of Istio and of Linkerd (see
``evaluate/gamma.py``) and must land in the same place under both.
"""

from __future__ import annotations

import io
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from evaluate.gamma import REJECTED, Outcome, Request, destinations
from schema_check import validate_manifests

from pulumi_smi import cli
from pulumi_smi.errors import SmiError, TranslationError
from pulumi_smi.meshes import default_namer, translate
from pulumi_smi.meshes.gateway_api import GatewayApiOptions
from pulumi_smi.meshes.istio_policy import IstioPolicyOptions, authz
from pulumi_smi.plan import Plan, PlanWarning
from pulumi_smi.spec import load_text

BOOKINFO = sorted(
    (Path(__file__).parents[2] / "examples" / "manifests" / "bookinfo").glob("*.yaml")
)
HTTP = "{name: http, port: 80}"


def service(name: str, *ports: str) -> str:
    return (
        f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\n"
        f"spec: {{ports: [{', '.join(ports or (HTTP,))}]}}\n"
    )


def split(name: str, backends: dict[str, int], groups: tuple[str, ...] = ()) -> str:
    listed = ", ".join(f"{{service: {s}, weight: {w}}}" for s, w in backends.items())
    matches = ", ".join(f"{{kind: HTTPRouteGroup, name: {g}}}" for g in groups)
    return (
        "---\napiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\n"
        f"metadata: {{name: {name}}}\nspec:\n  service: web\n  backends: [{listed}]\n"
        + (f"  matches: [{matches}]\n" if groups else "")
    )


def group(name: str, *matches: str) -> str:
    body = "".join(f"  - {m}\n" for m in matches)
    return (
        "---\napiVersion: specs.smi-spec.io/v1alpha4\nkind: HTTPRouteGroup\n"
        f"metadata: {{name: {name}}}\nspec:\n  matches:\n{body}"
    )


WEB = service("web") + service("web-v1") + service("web-v2") + service("web-v3")


def plan_of(text: str, **options: Any) -> Plan:
    return translate(load_text(text), "gateway-api", options)


def manifests(plan: Plan) -> list[dict[str, Any]]:
    return [dict(r.properties) for r in plan if r.is_kubernetes]


def to(plan: Plan, port: int = 80, **request: Any) -> Outcome:
    """Where the request to web:port goes; the same under Istio's and Linkerd's precedence."""
    req = Request("web", port, **request)
    istio = destinations(manifests(plan), req, "istio")
    assert destinations(manifests(plan), req, "linkerd") == istio
    return istio


def only(name: str) -> Outcome:
    return {name: Fraction(1)}


# --- weights ---------------------------------------------------------------------------


def test_canary_90_10_attaches_an_httproute_to_the_apex_port() -> None:
    plan = plan_of(WEB + split("canary", {"web-v1": 90, "web-v2": 10}))
    [route] = manifests(plan)
    assert route["kind"] == "HTTPRoute"
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert route["metadata"]["name"] == "web-80"
    assert route["spec"]["parentRefs"] == [
        {"group": "", "kind": "Service", "name": "web", "port": 80}
    ]
    assert "hostnames" not in route["spec"]
    assert plan.resources[0].name == "default-canary-httproute-80"
    assert to(plan) == {"web-v1": Fraction(9, 10), "web-v2": Fraction(1, 10)}
    assert to(plan, path="/anything", method="POST") == to(plan)


def test_relative_weights_are_written_as_given() -> None:
    plan = plan_of(WEB + split("canary", {"web-v1": 1, "web-v2": 3}))
    [route] = manifests(plan)
    assert [r["weight"] for r in route["spec"]["rules"][0]["backendRefs"]] == [1, 3]
    assert to(plan) == {"web-v1": Fraction(1, 4), "web-v2": Fraction(3, 4)}


def test_zero_weight_backend_is_left_out() -> None:
    plan = plan_of(WEB + split("canary", {"web-v1": 5, "web-v2": 0}))
    [route] = manifests(plan)
    assert [r["name"] for r in route["spec"]["rules"][0]["backendRefs"]] == ["web-v1"]
    assert to(plan) == only("web-v1")


def test_weights_above_the_gateway_api_maximum_are_scaled_down_exactly() -> None:
    plan = plan_of(WEB + split("canary", {"web-v1": 2_000_000, "web-v2": 6_000_000}))
    [route] = manifests(plan)
    assert [r["weight"] for r in route["spec"]["rules"][0]["backendRefs"]] == [1, 3]


def test_weights_that_cannot_be_scaled_exactly_are_an_error() -> None:
    with pytest.raises(TranslationError, match=r"spec\.backends.*cannot be scaled down exactly"):
        plan_of(WEB + split("canary", {"web-v1": 1_000_001, "web-v2": 1}))


def test_more_than_16_backends_is_an_error() -> None:
    names = [f"web-b{i}" for i in range(17)]
    text = service("web") + "".join(service(n) for n in names)
    with pytest.raises(TranslationError, match=r"spec\.backends: 17 backends"):
        plan_of(text + split("wide", dict.fromkeys(names, 1)))


# --- A/B matches -----------------------------------------------------------------------


def test_ab_by_header_sends_the_rest_to_the_apex() -> None:
    text = WEB + group("beta", '{name: beta, headers: {x-beta: "true"}}')
    plan = plan_of(text + split("ab", {"web-v2": 1}, ("beta",)))
    assert to(plan, headers={"X-Beta": "true"}) == only("web-v2")
    assert to(plan, headers={"x-beta": "false"}) == only("web")
    assert to(plan) == only("web")
    [route] = manifests(plan)
    assert route["spec"]["rules"][-1] == {
        "backendRefs": [{"group": "", "kind": "Service", "name": "web", "port": 80, "weight": 1}]
    }


def test_header_regexes_match_the_whole_value() -> None:
    text = WEB + group("ff", "{name: ff, headers: {user-agent: '.*Firefox.*'}}")
    plan = plan_of(text + split("ab", {"web-v2": 1}, ("ff",)))
    assert to(plan, headers={"User-Agent": "Mozilla Firefox/120"}) == only("web-v2")
    assert to(plan, headers={"User-Agent": "curl"}) == only("web")


def test_ab_by_path_prefix_keeps_smi_string_prefix_semantics() -> None:
    plan = plan_of(
        WEB + group("api", "{name: api, pathRegex: /api}") + split("ab", {"web-v2": 1}, ("api",))
    )
    [route] = manifests(plan)
    assert route["spec"]["rules"][0]["matches"] == [
        {"path": {"type": "RegularExpression", "value": "/api.*"}}
    ]
    assert to(plan, path="/api") == only("web-v2")
    assert to(plan, path="/api/v1") == only("web-v2")
    assert to(plan, path="/apix") == only("web-v2")  # SMI prefixes are not segment-aware
    assert to(plan, path="/ap") == only("web")
    assert to(plan, path="/other/api") == only("web")


def test_regex_path_rules_beat_the_catch_all_under_istio_and_linkerd() -> None:
    text = WEB + group(
        "r", "{name: r, pathRegex: '/items/[0-9]+$'}", "{name: h, headers: {x-v: '2'}}"
    )
    plan = plan_of(text + split("ab", {"web-v2": 1}, ("r",)))
    [route] = manifests(plan)
    catch_all = route["spec"]["rules"][-1]
    assert catch_all["matches"] == [{"path": {"type": "RegularExpression", "value": ".*"}}]
    assert to(plan, path="/items/42") == only("web-v2")
    assert to(plan, path="/items/42/x") == only("web")
    assert to(plan, path="/", headers={"x-v": "2"}) == only("web-v2")
    assert to(plan, path="/") == only("web")


def test_a_plain_catch_all_would_shadow_regex_rules_on_istio() -> None:
    """Why the translator writes the catch-all as a regex when the route has regex paths."""
    regex_rule = {
        "matches": [{"path": {"type": "RegularExpression", "value": "/items/[0-9]+"}}],
        "backendRefs": [{"group": "", "kind": "Service", "name": "web-v2", "port": 80}],
    }
    plain_catch_all = {"backendRefs": [{"group": "", "kind": "Service", "name": "web", "port": 80}]}
    route = {
        "kind": "HTTPRoute",
        "metadata": {"name": "web-80", "namespace": "default"},
        "spec": {
            "parentRefs": [{"group": "", "kind": "Service", "name": "web", "port": 80}],
            "rules": [regex_rule, plain_catch_all],
        },
    }
    request = Request("web", 80, path="/items/1")
    assert destinations([route], request, "istio") == only("web")
    assert destinations([route], request, "linkerd") == only("web-v2")


def test_ab_by_exact_path_and_method() -> None:
    text = WEB + group("login", "{name: login, pathRegex: '^/login$', methods: [GET, HEAD]}")
    plan = plan_of(text + split("ab", {"web-v2": 1}, ("login",)))
    [route] = manifests(plan)
    assert route["spec"]["rules"][0]["matches"] == [
        {"path": {"type": "Exact", "value": "/login"}, "method": "GET"},
        {"path": {"type": "Exact", "value": "/login"}, "method": "HEAD"},
    ]
    assert "matches" not in route["spec"]["rules"][-1]
    assert to(plan, path="/login", method="GET") == only("web-v2")
    assert to(plan, path="/login", method="HEAD") == only("web-v2")
    assert to(plan, path="/login", method="POST") == only("web")
    assert to(plan, path="/login/x", method="GET") == only("web")


def test_matches_of_several_groups_are_ored() -> None:
    text = WEB + group("a", "{name: a, methods: [DELETE]}", "{name: b, headers: {x-b: '1'}}")
    text += group("c", "{name: c, pathRegex: '^/c$'}")
    plan = plan_of(text + split("ab", {"web-v2": 1}, ("a", "c")))
    assert to(plan, method="DELETE") == only("web-v2")
    assert to(plan, headers={"x-b": "1"}) == only("web-v2")
    assert to(plan, path="/c") == only("web-v2")
    assert to(plan, path="/d") == only("web")


def test_matched_and_default_splits_merge_into_one_route() -> None:
    text = WEB + group("beta", "{name: beta, headers: {x-beta: 'yes'}}")
    text += split("ab", {"web-v3": 1}, ("beta",)) + split("canary", {"web-v1": 1, "web-v2": 1})
    plan = plan_of(text)
    assert len(manifests(plan)) == 1
    assert plan.resources[0].name == "default-canary-httproute-80"  # owned by the default split
    assert to(plan, headers={"x-beta": "yes"}) == only("web-v3")
    assert to(plan) == {"web-v1": Fraction(1, 2), "web-v2": Fraction(1, 2)}


def test_a_request_that_matches_nothing_is_rejected_only_without_a_catch_all() -> None:
    route = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "r", "namespace": "default"},
        "spec": {
            "parentRefs": [{"group": "", "kind": "Service", "name": "web"}],
            "rules": [{"matches": [{"method": "GET"}], "backendRefs": [{"name": "x", "port": 1}]}],
        },
    }
    assert destinations([route], Request("web", 80, method="POST")) == {REJECTED: Fraction(1)}
    assert destinations([route], Request("other", 80)) == only("other")


def test_splits_that_precedence_could_reorder_get_a_warning() -> None:
    text = WEB + group("hdr", "{name: h, headers: {x-a: '1'}}")
    text += group("path", "{name: p, pathRegex: /api}")
    plan = plan_of(
        text
        + split("a-first", {"web-v1": 1}, ("hdr",))
        + split("b-later", {"web-v2": 1}, ("path",))
    )
    [warning] = [w for w in plan.warnings if "make their matches disjoint" in w]
    assert "default/a-first and default/b-later" in warning
    request = Request("web", 80, path="/api", headers={"x-a": "1"})
    outcomes = {m: destinations(manifests(plan), request, m) for m in ("istio", "linkerd")}
    assert outcomes["linkerd"] == only("web-v1")  # linkerd ranks header count first
    assert outcomes["istio"] == only("web-v2")  # istio ranks the longer regex first


def test_disjoint_splits_get_no_precedence_warning() -> None:
    text = WEB + group("one", "{name: one, headers: {x-v: '1'}}")
    text += group("two", "{name: two, headers: {x-v: '2'}, methods: [GET]}")
    plan = plan_of(text + split("a", {"web-v1": 1}, ("one",)) + split("b", {"web-v2": 1}, ("two",)))
    assert not [w for w in plan.warnings if "disjoint" in w]
    assert to(plan, headers={"x-v": "2"}) == only("web-v2")
    assert to(plan, headers={"x-v": "1"}) == only("web-v1")


# --- the apex as one of its own backends ----------------------------------------------


def test_a_split_listing_its_apex_routes_part_of_the_traffic_to_the_apex_endpoints() -> None:
    plan = plan_of(WEB + split("canary", {"web": 90, "web-v2": 10}))
    [route] = manifests(plan)  # a backendRef to the parent Service: its own endpoints
    assert [r["name"] for r in route["spec"]["rules"][0]["backendRefs"]] == ["web", "web-v2"]
    assert to(plan) == {"web": Fraction(9, 10), "web-v2": Fraction(1, 10)}
    assert not plan.warnings


def test_a_split_whose_only_serving_backend_is_its_apex_still_gets_its_route() -> None:
    plan = plan_of(WEB + split("canary", {"web": 1, "web-v2": 0}))
    [route] = manifests(plan)
    assert route["spec"]["rules"] == [
        {"backendRefs": [{"group": "", "kind": "Service", "name": "web", "port": 80, "weight": 1}]}
    ]
    assert to(plan) == only("web")


def test_a_matched_split_may_list_its_apex_beside_the_default_split() -> None:
    text = WEB + group("beta", '{name: beta, headers: {x-beta: "true"}}')
    plan = plan_of(
        text + split("ab", {"web": 1, "web-v3": 1}, ("beta",)) + split("canary", {"web-v1": 1})
    )
    assert to(plan, headers={"x-beta": "true"}) == {"web": Fraction(1, 2), "web-v3": Fraction(1, 2)}
    assert to(plan) == only("web-v1")


@pytest.mark.parametrize(
    ("port", "protocol", "kind"),
    [
        ("{name: tcp-db, port: 5432, appProtocol: tcp}", "tcp", "TCPRoute"),
        ("{name: api, port: 5432, appProtocol: grpc}", "grpc", "GRPCRoute"),
    ],
)
def test_the_apex_as_a_backend_on_tcp_and_grpc_ports(port: str, protocol: str, kind: str) -> None:
    text = service("web", port) + service("web-v2", port)
    plan = plan_of(text + split("canary", {"web": 3, "web-v2": 1}))
    [route] = manifests(plan)
    assert route["kind"] == kind
    extra = {"path": "/shop.Catalog/Get"} if protocol == "grpc" else {}
    assert to(plan, 5432, protocol=protocol, **extra) == {
        "web": Fraction(3, 4),
        "web-v2": Fraction(1, 4),
    }


@pytest.mark.parametrize(
    "apex", ["web.default", "web.default.svc", "web.default.svc.cluster.local"]
)
def test_the_apex_may_be_written_as_the_name_clients_call(apex: str) -> None:
    text = split("canary", {"web-v1": 9, "web-v2": 1})
    assert text.count("service: web\n") == 1
    written = plan_of(WEB + text.replace("service: web\n", f"service: {apex}\n"))
    assert written.to_json() == plan_of(WEB + text).to_json()


# --- ports and protocols ---------------------------------------------------------------


def test_tcp_canary_becomes_a_v1_tcproute() -> None:
    tcp = "{name: tcp-db, port: 5432, appProtocol: tcp}"
    text = service("web", tcp) + service("web-v1", tcp) + service("web-v2", tcp)
    plan = plan_of(text + split("canary", {"web-v1": 3, "web-v2": 1}))
    [route] = manifests(plan)
    assert (route["kind"], route["apiVersion"]) == ("TCPRoute", "gateway.networking.k8s.io/v1")
    assert route["metadata"]["name"] == "web-5432"
    assert to(plan, 5432, protocol="tcp") == {"web-v1": Fraction(3, 4), "web-v2": Fraction(1, 4)}


def test_matches_cannot_apply_to_a_tcp_port() -> None:
    tcp = "{name: tcp, port: 9000}"
    text = service("web", tcp) + service("web-v1", tcp) + service("web-v2", tcp)
    text += group("g", "{name: g, headers: {x: '1'}}") + split("ab", {"web-v2": 1}, ("g",))
    plan = plan_of(text + split("canary", {"web-v1": 1}))
    assert to(plan, 9000, protocol="tcp") == only("web-v1")
    assert any("matches cannot apply" in w and "default/canary splits" in w for w in plan.warnings)
    assert not manifests(plan_of(text))  # no default split: connections stay on the apex


def test_tcp_route_api_v1alpha2_validates_against_gateway_api_1_2() -> None:
    ports = (HTTP, "{name: tcp-x, port: 7000}")
    text = service("web", *ports) + service("web-v1", *ports) + service("web-v2", *ports)
    plan = plan_of(text + split("canary", {"web-v1": 1, "web-v2": 1}), tcp_route_api="v1alpha2")
    kinds = {(m["kind"], m["apiVersion"]) for m in manifests(plan)}
    assert kinds == {
        ("HTTPRoute", "gateway.networking.k8s.io/v1"),
        ("TCPRoute", "gateway.networking.k8s.io/v1alpha2"),
    }
    validate_manifests(manifests(plan), root="gateway-api-v1.2.1")


def test_httproutes_with_matches_validate_against_gateway_api_1_2() -> None:
    text = WEB + group("g", "{name: g, pathRegex: /a, methods: [GET], headers: {x: 'y.*'}}")
    plan = plan_of(text + split("ab", {"web-v1": 1}, ("g",)) + split("c", {"web-v2": 1}))
    validate_manifests(manifests(plan), root="gateway-api-v1.2.1")


def test_grpc_port_gets_a_grpcroute_with_method_matches() -> None:
    grpc = "{name: api, port: 9090, appProtocol: grpc}"
    text = service("web", grpc) + service("web-v1", grpc) + service("web-v2", grpc)
    text += group(
        "rpc",
        "{name: get, pathRegex: '^/shop\\.Catalog/Get$', methods: [POST]}",
        "{name: svc, pathRegex: '/shop.Admin/.*', headers: {x-admin: '1'}}",
        "{name: never, methods: [GET]}",
    )
    plan = plan_of(text + split("ab", {"web-v2": 1}, ("rpc",)) + split("canary", {"web-v1": 1}))
    [route] = manifests(plan)
    assert (route["kind"], route["metadata"]["name"]) == ("GRPCRoute", "web-9090")
    assert route["spec"]["rules"][0]["matches"] == [
        {"method": {"type": "Exact", "service": "shop.Catalog", "method": "Get"}},
        {
            "method": {"type": "RegularExpression", "service": "shop.Admin"},
            "headers": [{"name": "x-admin", "type": "Exact", "value": "1"}],
        },
    ]
    assert to(plan, 9090, protocol="grpc", path="/shop.Catalog/Get") == only("web-v2")
    assert to(plan, 9090, protocol="grpc", path="/shop.Catalog/List") == only("web-v1")
    grpc_admin = {"protocol": "grpc", "path": "/shop.Admin/Drop"}
    assert to(plan, 9090, headers={"x-admin": "1"}, **grpc_admin) == only("web-v2")
    assert to(plan, 9090, **grpc_admin) == only("web-v1")


def test_grpc_path_that_names_no_method_is_an_error() -> None:
    grpc = "{name: grpc, port: 9090}"
    text = (
        service("web", grpc)
        + service("web-v2", grpc)
        + group("g", "{name: g, pathRegex: '/v[0-9]'}")
    )
    with pytest.raises(TranslationError, match=r"spec\.matches\[0\].*names no gRPC service"):
        plan_of(text + split("ab", {"web-v2": 1}, ("g",)))


def test_grpc_split_whose_matches_exclude_post_does_not_apply() -> None:
    grpc = "{name: grpc, port: 9090}"
    text = service("web", grpc) + service("web-v2", grpc) + group("g", "{name: g, methods: [GET]}")
    plan = plan_of(text + split("ab", {"web-v2": 1}, ("g",)))
    assert not manifests(plan)
    assert any("can match a gRPC call" in w for w in plan.warnings)


def test_multi_port_apex_gets_one_route_per_port() -> None:
    ports = (
        HTTP,
        "{name: grpc, port: 9090}",
        "{name: pg, port: 5432}",
        "{name: dns, port: 53, protocol: UDP}",
    )
    text = service("web", *ports) + service("web-v1", *ports) + service("web-v2", *ports)
    plan = plan_of(text + split("canary", {"web-v1": 1, "web-v2": 1}))
    names = {(m["kind"], m["metadata"]["name"]) for m in manifests(plan)}
    assert names == {("HTTPRoute", "web-80"), ("GRPCRoute", "web-9090"), ("TCPRoute", "web-5432")}
    assert any("UDP default/web port 53" in w for w in plan.warnings)
    half = {"web-v1": Fraction(1, 2), "web-v2": Fraction(1, 2)}
    assert to(plan, 80) == to(plan, 5432, protocol="tcp") == half
    assert to(plan, 9090, protocol="grpc", path="/a.B/C") == half


def test_backend_lacking_the_apex_port_is_left_out_with_a_warning() -> None:
    admin = "{name: http-admin, port: 8080}"
    text = service("web", HTTP, admin) + service("web-v1", HTTP) + service("web-v2", HTTP, admin)
    plan = plan_of(text + split("canary", {"web-v1": 1, "web-v2": 1, "web-new": 2}))
    assert to(plan, 80) == {
        "web-v1": Fraction(1, 4),
        "web-v2": Fraction(1, 4),
        "web-new": Fraction(1, 2),
    }
    assert to(plan, 8080) == {"web-v2": Fraction(1, 3), "web-new": Fraction(2, 3)}
    [warning] = [w for w in plan.warnings if "no port" in w]
    assert "'web-v1' has no port 8080" in warning
    assert isinstance(warning, PlanWarning) and warning.owner is not None
    assert warning.owner.name == "canary"


def test_missing_apex_service_is_an_error_naming_the_split() -> None:
    text = service("web-v1") + split("canary", {"web-v1": 1})
    with pytest.raises(TranslationError) as caught:
        plan_of(text)
    [problem] = caught.value.problems
    assert (problem.kind, problem.name, problem.path) == ("TrafficSplit", "canary", "spec.service")
    assert "default/web" in problem.message


def test_same_input_gives_the_same_bytes() -> None:
    text = (
        WEB
        + group("g", "{name: g, pathRegex: /a, methods: [PUT, GET]}")
        + split("ab", {"web-v1": 1}, ("g",))
    )
    assert plan_of(text).to_json() == plan_of(text).to_json()


# --- access policy ---------------------------------------------------------------------

TARGET = """
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: reads}
spec:
  destination: {kind: ServiceAccount, name: web}
  sources: [{kind: ServiceAccount, name: client}]
  rules: [{kind: HTTPRouteGroup, name: g}]
""" + group("g", "{name: g, methods: [GET]}")
WORKLOAD = """
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {serviceAccountName: web, containers: [{name: web, image: web}]}
"""


def test_without_policy_each_traffic_target_gets_a_warning() -> None:
    plan = plan_of(WEB + TARGET)
    [warning] = plan.warnings
    assert "TrafficTarget default/reads" in warning and "policy=istio" in warning
    assert isinstance(warning, PlanWarning) and warning.owner is not None
    assert warning.owner.kind == "TrafficTarget"


def test_flat_policy_options_reach_the_chosen_policy() -> None:
    specs = load_text(WEB + TARGET + WORKLOAD)
    plan = translate(specs, "gateway-api", {"policy": "istio", "trust_domain": "x.org"})
    policies = [r for r in plan.resources if r.properties["kind"] == "AuthorizationPolicy"]
    principals = [
        p
        for r in policies
        for rule in r.properties["spec"].get("rules", [])
        for f in rule["from"]
        for p in f["source"]["principals"]
    ]
    assert principals and all(p.startswith("x.org/") for p in principals)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"policy": "istio", "probe_routes": True}, "probe_routes is an option of linkerd policy"),
        ({"policy": "linkerd", "default_deny": False}, "default_deny is an option of istio"),
        ({"trust_domain": "x.org"}, "policy is not set"),
        ({"policy": "istio", "linkerd": {}}, "option linkerd needs policy=linkerd"),
        ({"policy": "istio", "bogus": 1}, "unknown option"),
    ],
)
def test_options_of_the_policy_not_chosen_are_errors(
    options: dict[str, Any], expected: str
) -> None:
    with pytest.raises(SmiError, match=expected):
        translate(load_text(WEB), "gateway-api", options)


def test_policy_istio_output_is_the_istio_authorization_resources() -> None:
    specs = load_text(WEB + TARGET + WORKLOAD)
    plan = translate(specs, "gateway-api", {"policy": "istio"})
    options = GatewayApiOptions(policy="istio").policy_options()
    assert isinstance(options, IstioPolicyOptions)
    policies, notes = authz.authorization_resources(specs, options, default_namer)
    assert policies and list(plan.resources) == policies
    assert list(plan.warnings) == notes
    assert not any("not enforced" in w for w in plan.warnings)


# --- CLI -------------------------------------------------------------------------------


def test_cli_converts_bookinfo_to_routes() -> None:
    out = io.StringIO()
    assert (
        cli.main(
            ["convert", "--mesh", "gateway-api", "-o", "json", *map(str, BOOKINFO)], stdout=out
        )
        == 0
    )
    document = json.loads(out.getvalue())
    kinds = [r["properties"]["kind"] for r in document["resources"]]
    assert kinds and set(kinds) <= {"HTTPRoute", "GRPCRoute", "TCPRoute"}
    assert {r["properties"]["metadata"]["name"] for r in document["resources"]} == {
        "details-9080",
        "reviews-9080",
    }
    validate_manifests([r["properties"] for r in document["resources"]])
    assert sum("TrafficTarget" in w for w in document["warnings"]) == 2
