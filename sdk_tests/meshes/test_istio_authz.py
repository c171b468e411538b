"""TrafficTarget -> Istio: sample requests evaluated against the emitted policies.

The verdicts come from ``evaluate.istio_authz`` (Istio's documented semantics), not from
reading the translator's output shape, so a test fails if the policy would let through a
request SMI denies or deny one SMI allows.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from evaluate.istio_authz import Request, Workload, evaluate, path_matches, string_matches

from pulumi_smi.cli import main
from pulumi_smi.errors import TranslationError
from pulumi_smi.meshes import translate
from pulumi_smi.meshes.base import namespace_owner, service_account_owner
from pulumi_smi.plan import Plan
from pulumi_smi.spec import load_text

POLICY_KINDS = {"AuthorizationPolicy", "PeerAuthentication"}

CLUSTER = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api, version: v1}}
    spec:
      serviceAccountName: api
      containers:
      - name: api
        image: api
        ports: [{name: http, containerPort: 8080}, {name: mysql, containerPort: 3306}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: tcp-db, port: 3306, targetPort: mysql}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {serviceAccountName: web, containers: [{name: web, image: web}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: other, namespace: shop}
spec:
  selector: {matchLabels: {app: other}}
  template:
    metadata: {labels: {app: other}}
    spec: {serviceAccountName: other, containers: [{name: other, image: other}]}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: api-routes, namespace: shop}
spec:
  matches:
  - {name: api, pathRegex: /api/.*, methods: [GET]}
  - {name: health, pathRegex: /healthz$, methods: ["*"]}
  - {name: metrics, pathRegex: /metrics, methods: [GET]}
  - {name: writes, pathRegex: /orders/.*, methods: [POST, PUT]}
  - {name: beta, pathRegex: /beta/.*, headers: {x-beta: "true", user-agent: ".*Firefox"}}
  - {name: user-orders, pathRegex: "/users/[^/]+/orders$", methods: [GET]}
  - {name: user, pathRegex: "/users/[^/]+"}
  - {name: user-orders-open, pathRegex: "/users/[^/]+/orders"}
  - {name: everything}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: db, namespace: shop}
spec: {matches: {ports: [3306]}}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: http-port, namespace: shop}
spec: {matches: {ports: [80]}}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: UDPRoute
metadata: {name: dns, namespace: shop}
spec: {matches: {ports: [53]}}
"""

API = Workload("shop", {"app": "api", "version": "v1"})
OTHER = Workload("shop", {"app": "other"})
WEB = "cluster.local/ns/shop/sa/web"


def target(
    matches: list[str] | None = None,
    rules: list[dict[str, Any]] | None = None,
    sources: str = "[{kind: ServiceAccount, name: web}]",
    name: str = "web-to-api",
    destination: str = "api",
) -> str:
    """A TrafficTarget to ServiceAccount ``destination`` (default: HTTP rule ``matches``)."""
    if rules is None:
        rules = [{"kind": "HTTPRouteGroup", "name": "api-routes", "matches": matches or []}]
    return f"""
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {{name: {name}, namespace: shop, labels: {{team: shop}}}}
spec:
  destination: {{kind: ServiceAccount, name: {destination}}}
  sources: {sources}
  rules: {json.dumps(rules)}
"""


def plan_of(*targets: str, extra: str = "", **options: Any) -> Plan:
    return translate(load_text(CLUSTER + extra + "".join(targets)), "istio", options)


def policies(plan: Plan) -> list[Mapping[str, Any]]:
    return [r.properties for r in plan if r.properties["kind"] in POLICY_KINDS]


def allowed(
    plan: Plan,
    method: str | None = "GET",
    path: str | None = "/",
    port: int = 8080,
    principal: str | None = WEB,
    workload: Workload = API,
    headers: Mapping[str, str] | None = None,
) -> bool:
    request = Request(principal, port, method, path, headers or {})
    return bool(evaluate(policies(plan), workload, request))


# --- HTTPRouteGroup ------------------------------------------------------------------


def test_path_regex_with_dot_star_is_a_prefix_and_methods_are_enforced() -> None:
    plan = plan_of(target(["api"]))
    assert allowed(plan, "GET", "/api/x")
    assert allowed(plan, "GET", "/api/")
    assert allowed(plan, "GET", "/api/x?q=1")
    assert not allowed(plan, "POST", "/api/x")
    # SMI anchors '/api/.*' at the start: '/apix' does not match it
    assert not allowed(plan, "GET", "/apix")
    assert not allowed(plan, "GET", "/api")


def test_dot_star_dollar_is_the_same_prefix() -> None:
    extra = """
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: closed, namespace: shop}
spec:
  matches: [{name: api, pathRegex: "^/api/.*$"}]
"""
    plan = plan_of(target(rules=[{"kind": "HTTPRouteGroup", "name": "closed"}]), extra=extra)
    policy = next(p for p in policies(plan) if p["metadata"]["name"] == "web-to-api")
    assert policy["spec"]["rules"][0]["to"] == [{"operation": {"paths": ["/api/*"]}}]
    assert allowed(plan, "GET", "/api/a*b")
    assert not allowed(plan, "GET", "/apix")


def test_dollar_makes_an_exact_path_and_star_method_allows_every_method() -> None:
    plan = plan_of(target(["health"]))
    assert allowed(plan, "DELETE", "/healthz")
    assert not allowed(plan, "GET", "/healthz/x")
    assert not allowed(plan, "GET", "/healthzx")


def test_literal_without_dollar_is_a_start_anchored_prefix() -> None:
    plan = plan_of(target(["metrics"]))
    assert allowed(plan, "GET", "/metrics")
    assert allowed(plan, "GET", "/metrics/x")
    assert allowed(plan, "GET", "/metricsfoo")  # '^/metrics' matches it too
    assert not allowed(plan, "POST", "/metrics")
    assert not allowed(plan, "GET", "/other")


def test_method_list() -> None:
    plan = plan_of(target(["writes"]))
    assert allowed(plan, "POST", "/orders/1")
    assert allowed(plan, "PUT", "/orders/1")
    assert not allowed(plan, "DELETE", "/orders/1")
    assert not allowed(plan, "GET", "/orders/1")


def test_headers_are_anded_with_the_path() -> None:
    plan = plan_of(target(["beta"]))
    firefox = {"x-beta": "true", "user-agent": "Mozilla Firefox"}
    assert allowed(plan, "GET", "/beta/x", headers=firefox)
    assert not allowed(plan, "GET", "/beta/x", headers={"x-beta": "true"})
    assert not allowed(plan, "GET", "/beta/x", headers={**firefox, "x-beta": "false"})
    assert not allowed(plan, "GET", "/other", headers=firefox)


def test_several_matches_are_ored_and_unnamed_matches_mean_all() -> None:
    plan = plan_of(target(["api", "writes"]))
    assert allowed(plan, "GET", "/api/x")
    assert allowed(plan, "POST", "/orders/1")
    assert not allowed(plan, "GET", "/healthz")
    everything = plan_of(target([]))
    assert allowed(everything, "DELETE", "/anything")


def test_match_without_conditions_allows_every_http_request_but_not_raw_tcp() -> None:
    plan = plan_of(target(["everything"]))
    assert allowed(plan, "PATCH", "/x/y")
    assert not allowed(plan, None, None, port=3306)


def test_one_segment_class_becomes_a_path_template() -> None:
    plan = plan_of(target(["user-orders"]))
    policy = next(p for p in policies(plan) if p["metadata"]["name"] == "web-to-api")
    assert policy["spec"]["rules"][0]["to"][0]["operation"]["paths"] == ["/users/{*}/orders"]
    assert allowed(plan, "GET", "/users/42/orders")
    assert not allowed(plan, "GET", "/users/42/orders/1")
    assert not allowed(plan, "GET", "/users/a/b/orders")
    assert not allowed(plan, "GET", "/users//orders")


def test_start_anchored_segment_template_allows_exactly_what_smi_allows() -> None:
    plan = plan_of(target(["user"]))
    assert allowed(plan, "GET", "/users/42")
    assert allowed(plan, "GET", "/users/42/orders/1")
    assert allowed(plan, "GET", "/users/42/")
    assert not allowed(plan, "GET", "/users/")
    assert not allowed(plan, "GET", "/users")


def test_template_that_istio_cannot_end_open_is_narrowed_with_a_warning() -> None:
    plan = plan_of(target(["user-orders-open"]))
    assert allowed(plan, "GET", "/users/1/orders")
    assert allowed(plan, "GET", "/users/1/orders/2")
    assert not allowed(plan, "GET", "/users/1/ordersx")  # SMI allows it: narrower, never wider
    assert [w for w in plan.warnings if "user-orders-open" in w and "'$'" in w]


# --- regexes expanded into several exact patterns (issue 9) ------------------------------

EXPANDED = """
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: expanded, namespace: shop}
spec:
  matches:
  - {name: versions, pathRegex: "/api/(v1|v2)/users", methods: [GET]}
  - {name: class, pathRegex: "/v[12]/.*"}
  - {name: slash, pathRegex: "/api/v1/items/?$"}
  - {name: probes, pathRegex: "/healthz|/readyz"}
  - {name: files, pathRegex: "/files/.+"}
  - {name: tenant, headers: {x-tenant: "(acme|globex)"}}
  - {name: version, headers: {x-version: "^v1$"}}
"""

PATH_SAMPLES = [
    "/",
    "/api/v1/users",
    "/api/v2/users/7",
    "/api/v3/users",
    "/api/v1/usersx",
    "/api/v1/user",
    "/v1/",
    "/v2/a/b",
    "/v3/",
    "/v1",
    "/v12/",
    "/api/v1/items",
    "/api/v1/items/",
    "/api/v1/items//",
    "/api/v1/items/1",
    "/api/v1/itemsx",
    "/healthz",
    "/healthz/x",
    "/readyz",
    "/readyzz",
    "/ready",
    "/health",
    "/files/",
    "/files/a",
    "/files//",
    "/files/a/b",
    "/files",
    "/filesx",
]


def expanded_plan(match: str, **options: Any) -> Plan:
    rules = [{"kind": "HTTPRouteGroup", "name": "expanded", "matches": [match]}]
    return plan_of(target(rules=rules), extra=EXPANDED, **options)


def operations_of(plan: Plan) -> list[Any]:
    policy = next(p for p in policies(plan) if p["metadata"]["name"] == "web-to-api")
    return list(policy["spec"]["rules"])


@pytest.mark.parametrize(
    ("match", "regex", "operation"),
    [
        (
            "versions",
            "/api/(v1|v2)/users",
            {"methods": ["GET"], "paths": ["/api/v1/users*", "/api/v2/users*"]},
        ),
        ("class", "/v[12]/.*", {"paths": ["/v1/*", "/v2/*"]}),
        ("slash", "/api/v1/items/?$", {"paths": ["/api/v1/items", "/api/v1/items/"]}),
        ("probes", "/healthz|/readyz", {"paths": ["/healthz*", "/readyz*"]}),
        # Istio's '/files/*' matches '/files/' too; '.+' needs one more character
        ("files", "/files/.+", {"paths": ["/files/*"], "notPaths": ["/files/"]}),
    ],
)
def test_path_regex_of_alternatives_is_exact_istio_paths(
    match: str, regex: str, operation: dict[str, Any]
) -> None:
    plan = expanded_plan(match)
    (rule,) = operations_of(plan)
    assert rule["to"] == [{"operation": operation}]
    for path in PATH_SAMPLES:
        smi = re.match(regex, path) is not None
        assert allowed(plan, "GET", path) == smi, f"{regex!r} on {path!r}"
    assert not plan.warnings or all("smi-default-deny" in w for w in plan.warnings)


@pytest.mark.parametrize(
    ("match", "header", "values", "allowed_values", "denied_values"),
    [
        ("tenant", "x-tenant", ["acme", "globex"], ["acme", "globex"], ["acm", "acmex", "x"]),
        ("version", "x-version", ["v1"], ["v1"], ["v10", "v", "xv1"]),
    ],
)
def test_header_regex_of_alternatives_is_exact_condition_values(
    match: str, header: str, values: list[str], allowed_values: list[str], denied_values: list[str]
) -> None:
    plan = expanded_plan(match)
    (rule,) = operations_of(plan)
    assert rule["when"] == [{"key": f"request.headers[{header}]", "values": values}]
    for value in allowed_values:
        assert allowed(plan, "GET", "/any", headers={header: value})
    for value in denied_values:
        assert not allowed(plan, "GET", "/any", headers={header: value})
    assert not allowed(plan, "GET", "/any")  # SMI: a header regex needs the header


def test_header_dot_plus_after_a_literal_excludes_the_bare_literal() -> None:
    extra = """
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: tokens, namespace: shop}
spec:
  matches: [{name: bearer, headers: {authorization: "Bearer .+"}}]
"""
    plan = plan_of(target(rules=[{"kind": "HTTPRouteGroup", "name": "tokens"}]), extra=extra)
    (rule,) = operations_of(plan)
    assert rule["when"] == [
        {"key": "request.headers[authorization]", "values": ["Bearer *"], "notValues": ["Bearer "]}
    ]
    assert allowed(plan, "GET", "/", headers={"authorization": "Bearer x"})
    assert not allowed(plan, "GET", "/", headers={"authorization": "Bearer "})
    assert not allowed(plan, "GET", "/", headers={"authorization": "Basic x"})


# --- inexpressible=narrow ----------------------------------------------------------------

ODD = """
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: odd, namespace: shop}
spec:
  matches:
  - {name: ok, pathRegex: /ok}
  - {name: odd, pathRegex: "/v[0-9]+/x"}
  - {name: odd-header, pathRegex: /h, headers: {x-version: "v[0-9]+"}}
"""


def test_narrow_leaves_inexpressible_matches_out_with_one_warning_per_rule() -> None:
    rules = [{"kind": "HTTPRouteGroup", "name": "odd", "matches": ["ok", "odd", "odd-header"]}]
    with pytest.raises(TranslationError):
        plan_of(target(rules=rules), extra=ODD)  # the default: inexpressible=error
    plan = plan_of(target(rules=rules), extra=ODD, inexpressible="narrow")
    (warning,) = [w for w in plan.warnings if "inexpressible=narrow" in w]
    assert warning.startswith("TrafficTarget shop/web-to-api: spec.rules[0] (HTTPRouteGroup odd)")
    assert "match 'odd' (pathRegex '/v[0-9]+/x': '[0-9]+' repeats without bound" in warning
    assert "match 'odd-header' (header x-version 'v[0-9]+'" in warning
    assert "match 'ok'" not in warning and "still allows its other matches" in warning
    assert warning.owner.name == "web-to-api"  # type: ignore[attr-defined]
    assert allowed(plan, "GET", "/ok")
    assert not allowed(plan, "GET", "/v1/x")  # SMI allows it: narrower, never wider
    assert not allowed(plan, "GET", "/h", headers={"x-version": "v1"})


def test_narrow_rule_left_with_no_match_allows_nothing() -> None:
    rules: list[dict[str, Any]] = [
        {"kind": "HTTPRouteGroup", "name": "odd", "matches": ["odd"]},
        {"kind": "TCPRoute", "name": "db"},
    ]
    plan = plan_of(target(rules=rules), extra=ODD, inexpressible="narrow", default_deny=False)
    policy = next(p for p in policies(plan) if p["metadata"]["name"] == "web-to-api")
    # no rules at all: an ALLOW policy with a rule lacking 'to' would allow everything
    assert policy["spec"] == {"selector": {"matchLabels": API.labels}, "action": "ALLOW"}
    for method, path, port in [("GET", "/v1/x", 8080), ("GET", "/ok", 8080), (None, None, 3306)]:
        assert not allowed(plan, method, path, port=port)
    (warning,) = [w for w in plan.warnings if "inexpressible=narrow" in w]
    assert "the rule allows nothing" in warning
    assert not [w for w in plan.warnings if "only UDPRoute" in w]


def test_narrow_is_an_option_of_gateway_api_with_istio_policy() -> None:
    rules = [{"kind": "HTTPRouteGroup", "name": "odd", "matches": ["ok", "odd"]}]
    specs = load_text(CLUSTER + ODD + target(rules=rules))
    plan = translate(specs, "gateway-api", {"policy": "istio", "inexpressible": "narrow"})
    assert [w for w in plan.warnings if "left out match 'odd'" in w]
    assert allowed(plan, "GET", "/ok") and not allowed(plan, "GET", "/v1/x")


# --- TCPRoute ----------------------------------------------------------------------------


def test_tcp_route_ports_become_target_ports_as_strings() -> None:
    plan = plan_of(target(rules=[{"kind": "TCPRoute", "name": "db"}]))
    policy = next(p for p in policies(plan) if p["metadata"]["name"] == "web-to-api")
    # Service port 3306 -> named targetPort 'mysql' -> container port 3306
    assert policy["spec"]["rules"] == [
        {
            "from": [{"source": {"principals": [WEB]}}],
            "to": [{"operation": {"ports": ["3306"]}}],
        }
    ]
    assert allowed(plan, None, None, port=3306)
    assert not allowed(plan, None, None, port=3307)


def test_tcp_route_service_port_resolves_to_its_numeric_target_port() -> None:
    plan = plan_of(target(rules=[{"kind": "TCPRoute", "name": "http-port"}]))
    assert allowed(plan, None, None, port=8080)
    assert not allowed(plan, None, None, port=80)


def test_tcp_route_without_ports_allows_every_port() -> None:
    extra = """
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: all-ports, namespace: shop}
spec: {matches: {ports: []}}
"""
    plan = plan_of(target(rules=[{"kind": "TCPRoute", "name": "all-ports"}]), extra=extra)
    assert allowed(plan, None, None, port=12345)
    assert not allowed(plan, None, None, port=12345, principal="cluster.local/ns/shop/sa/x")


def test_http_and_tcp_rules_together_restrict_http_to_the_tcp_ports() -> None:
    rules: list[dict[str, Any]] = [
        {"kind": "TCPRoute", "name": "http-port"},
        {"kind": "HTTPRouteGroup", "name": "api-routes", "matches": ["api"]},
    ]
    plan = plan_of(target(rules=rules))
    assert allowed(plan, "GET", "/api/x", port=8080)
    assert not allowed(plan, "GET", "/api/x", port=9090)
    assert not allowed(plan, "POST", "/api/x", port=8080)
    assert not allowed(plan, None, None, port=8080)  # no blanket TCP access


def test_named_target_port_missing_from_the_containers_is_an_error() -> None:
    extra = """
---
apiVersion: v1
kind: Service
metadata: {name: api-admin, namespace: shop}
spec:
  selector: {app: api}
  ports: [{port: 9000, targetPort: admin}]
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: admin, namespace: shop}
spec: {matches: {ports: [9000]}}
"""
    with pytest.raises(TranslationError) as caught:
        plan_of(target(rules=[{"kind": "TCPRoute", "name": "admin"}]), extra=extra)
    (problem,) = caught.value.problems
    assert problem.path == "spec.rules[0]"
    assert "'admin'" in problem.message


# --- identities --------------------------------------------------------------------------


def test_cross_namespace_source_uses_its_own_namespace_in_the_principal() -> None:
    plan = plan_of(
        target(["metrics"], sources="[{kind: ServiceAccount, name: prom, namespace: mon}]")
    )
    assert allowed(plan, "GET", "/metrics", principal="cluster.local/ns/mon/sa/prom")
    assert not allowed(plan, "GET", "/metrics", principal="cluster.local/ns/shop/sa/prom")


def test_unknown_source_and_plaintext_are_denied() -> None:
    plan = plan_of(target(["api"]))
    assert not allowed(plan, "GET", "/api/x", principal="cluster.local/ns/shop/sa/other")
    request = Request(None, 8080, "GET", "/api/x")
    decision = evaluate(policies(plan), API, request)
    assert not decision and "STRICT" in decision.reason


def test_strict_mtls_is_one_peer_authentication_per_destination_service_account() -> None:
    plan = plan_of(target(["api"]), target(["metrics"], name="second"))
    (peer,) = [r for r in plan if r.properties["kind"] == "PeerAuthentication"]
    assert peer.owner == service_account_owner("shop", "api")
    assert peer.name == "shop-api-peerauthentication"
    assert peer.properties["metadata"]["name"] == "api-strict-mtls"
    assert peer.properties["spec"] == {
        "selector": {"matchLabels": {"app": "api", "version": "v1"}},
        "mtls": {"mode": "STRICT"},
    }
    assert not [r for r in plan_of(target(["api"]), strict_mtls=False) if "Peer" in r.type]


def test_trust_domain_option() -> None:
    plan = plan_of(target(["api"]), trust_domain="example.org")
    assert allowed(plan, "GET", "/api/x", principal="example.org/ns/shop/sa/web")
    assert not allowed(plan, "GET", "/api/x", principal=WEB)


def test_policy_selects_the_destination_pods_and_keeps_the_target_labels() -> None:
    plan = plan_of(target(["api"]))
    policy = next(r for r in plan if r.properties["metadata"]["name"] == "web-to-api")
    assert policy.type == "kubernetes:security.istio.io/v1:AuthorizationPolicy"
    assert policy.name == "shop-web-to-api-authorizationpolicy"
    assert policy.properties["metadata"]["labels"]["team"] == "shop"
    assert policy.properties["spec"]["selector"] == {"matchLabels": {"app": "api", "version": "v1"}}
    assert policy.properties["spec"]["action"] == "ALLOW"
    assert not allowed(plan, "GET", "/api/x", workload=Workload("shop", {"app": "web"}))


# --- default deny ------------------------------------------------------------------------


def test_default_deny_closes_workloads_without_a_traffic_target() -> None:
    plan = plan_of(target(["api"]))
    assert not allowed(plan, "GET", "/", workload=OTHER)
    deny = next(r for r in plan if r.properties["metadata"]["name"] == "smi-default-deny")
    assert deny.properties["spec"] == {}
    assert deny.owner == namespace_owner("shop")
    assert deny.name == "shop-default-deny"
    (warning,) = [w for w in plan.warnings if "smi-default-deny" in w]
    assert "default_deny=false" in warning
    assert warning.owner == namespace_owner("shop")  # type: ignore[attr-defined]


def test_default_deny_can_be_turned_off() -> None:
    plan = plan_of(target(["api"]), default_deny=False)
    assert allowed(plan, "GET", "/", workload=OTHER)
    assert not allowed(plan, "GET", "/", workload=API)  # the destination still follows SMI
    assert not [w for w in plan.warnings if "smi-default-deny" in w]


def test_istio_api_v1beta1() -> None:
    plan = plan_of(target(["api"]), istio_api="v1beta1")
    kinds = {r.properties["kind"] for r in plan if r.type.startswith("kubernetes:security")}
    assert kinds == POLICY_KINDS
    for resource in plan:
        if resource.properties["kind"] in POLICY_KINDS:
            assert resource.properties["apiVersion"] == "security.istio.io/v1beta1"


# --- errors and warnings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("regex", "why"),
    [
        ("/v[0-9]+/x", "repeats without bound"),
        ("/x[^/]+/y$", "whole"),
        ("/a.*b", "wildcard in the middle"),
        ("/a\\\\*$", "as a wildcard"),
        ("/x/\\\\{\\\\*\\\\}", "as a template"),
    ],
)
def test_untranslatable_path_regex_names_the_target_and_the_field(regex: str, why: str) -> None:
    extra = f"""
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {{name: odd, namespace: shop}}
spec:
  matches: [{{name: ok, pathRegex: /ok}}, {{name: odd, pathRegex: "{regex}"}}]
"""
    rules = [{"kind": "HTTPRouteGroup", "name": "odd", "matches": ["ok", "odd"]}]
    with pytest.raises(TranslationError) as caught:
        plan_of(target(rules=rules), extra=extra)
    (problem,) = caught.value.problems
    assert (problem.kind, problem.name, problem.path) == (
        "TrafficTarget",
        "web-to-api",
        "spec.rules[0].matches[1]",
    )
    assert "HTTPRouteGroup odd match 'odd'" in problem.message
    assert why in problem.message


def test_untranslatable_header_regex_is_an_error_about_that_header() -> None:
    extra = """
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: odd, namespace: shop}
spec:
  matches: [{name: odd, headers: {x-version: "v[0-9]+"}}]
"""
    with pytest.raises(TranslationError) as caught:
        plan_of(target(rules=[{"kind": "HTTPRouteGroup", "name": "odd"}]), extra=extra)
    (problem,) = caught.value.problems
    assert problem.path == "spec.rules[0].headers.x-version"


def test_unknown_destination_service_account_is_an_error() -> None:
    with pytest.raises(TranslationError) as caught:
        plan_of(target(["api"], destination="ghost"))
    (problem,) = caught.value.problems
    assert (problem.kind, problem.name, problem.path) == (
        "TrafficTarget",
        "web-to-api",
        "spec.destination.name",
    )
    assert "shop/ghost" in problem.message and "Deployment" in problem.message


def test_udp_route_is_a_warning_and_never_an_allow() -> None:
    rules: list[dict[str, Any]] = [
        {"kind": "UDPRoute", "name": "dns"},
        {"kind": "HTTPRouteGroup", "name": "api-routes", "matches": ["api"]},
    ]
    plan = plan_of(target(rules=rules))
    (warning,) = [w for w in plan.warnings if "UDPRoute dns" in w]
    assert warning.owner.name == "web-to-api"  # type: ignore[attr-defined]
    assert allowed(plan, "GET", "/api/x")
    assert not allowed(plan, None, None, port=53)


def test_udp_only_target_gets_a_policy_that_allows_nothing() -> None:
    plan = plan_of(target(rules=[{"kind": "UDPRoute", "name": "dns"}]), default_deny=False)
    policy = next(p for p in policies(plan) if p["metadata"]["name"] == "web-to-api")
    assert "rules" not in policy["spec"]
    assert not allowed(plan, None, None, port=53)
    assert not allowed(plan, "GET", "/")
    assert [w for w in plan.warnings if "only UDPRoute rules" in w]


# --- several workloads per ServiceAccount ----------------------------------------------


def _deployment(name: str, sa: str, labels: dict[str, str]) -> str:
    return f"""
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: shop}}
spec:
  selector: {{matchLabels: {json.dumps(labels)}}}
  template:
    metadata: {{labels: {json.dumps(labels)}}}
    spec: {{serviceAccountName: {sa}, containers: [{{name: c, image: i}}]}}
"""


def test_workloads_sharing_a_service_account_share_one_selector() -> None:
    extra = _deployment("api-v2", "api", {"app": "api", "version": "v2"})
    plan = plan_of(target(["api"]), extra=extra)
    policy = next(p for p in policies(plan) if p["metadata"]["name"] == "web-to-api")
    assert policy["spec"]["selector"] == {"matchLabels": {"app": "api"}}
    assert allowed(
        plan, "GET", "/api/x", workload=Workload("shop", {"app": "api", "version": "v2"})
    )


def test_shared_labels_also_on_another_identity_give_one_policy_per_workload() -> None:
    extra = _deployment("api-v2", "api", {"app": "api", "version": "v2"}) + _deployment(
        "api-canary", "canary", {"app": "api", "version": "canary"}
    )
    plan = plan_of(target(["api"]), extra=extra)
    names = sorted(p["metadata"]["name"] for p in policies(plan))
    assert names == [
        "api-api-strict-mtls",
        "api-api-v2-strict-mtls",
        "smi-default-deny",
        "web-to-api-api",
        "web-to-api-api-v2",
    ]
    canary = Workload("shop", {"app": "api", "version": "canary"})
    assert not allowed(plan, "GET", "/api/x", workload=canary)
    assert allowed(
        plan, "GET", "/api/x", workload=Workload("shop", {"app": "api", "version": "v2"})
    )


def test_pods_indistinguishable_from_another_identity_are_an_error() -> None:
    extra = _deployment("lookalike", "other-sa", {"app": "api", "version": "v1", "x": "y"})
    with pytest.raises(TranslationError) as caught:
        plan_of(target(["api"]), extra=extra)
    (problem,) = caught.value.problems
    assert problem.path == "spec.destination.name"
    assert "distinguishing label" in problem.message


# --- plan properties and CLI ------------------------------------------------------------


def test_same_input_in_another_order_gives_the_same_plan() -> None:
    first = plan_of(target(["api"], name="b"), target(["writes"], name="a"))
    second = plan_of(target(["writes"], name="a"), target(["api"], name="b"))
    assert first.to_json() == second.to_json()
    names = [r.properties["metadata"]["name"] for r in first if "security" in r.type]
    assert names == ["a", "b", "smi-default-deny", "api-strict-mtls"]


def test_cli_convert(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(CLUSTER + target(["api"]))
    out = io.StringIO()
    code = main(
        [
            "convert",
            "--mesh",
            "istio",
            "--set",
            "trust_domain=example.org",
            "-o",
            "json",
            str(path),
        ],
        stdout=out,
    )
    assert code == 0
    document = json.loads(out.getvalue())
    manifests = [r["properties"] for r in document["resources"]]
    kinds = [m for m in manifests if m["kind"] in POLICY_KINDS]
    assert evaluate(kinds, API, Request("example.org/ns/shop/sa/web", 8080, "GET", "/api/x"))
    assert not evaluate(kinds, API, Request(WEB, 8080, "GET", "/api/x"))
    assert any("smi-default-deny" in w for w in document["warnings"])


# --- the evaluator itself ----------------------------------------------------------------


def _policy(spec: dict[str, Any], namespace: str = "shop") -> dict[str, Any]:
    return {
        "kind": "AuthorizationPolicy",
        "metadata": {"name": "p", "namespace": namespace},
        "spec": spec,
    }


def test_evaluator_deny_wins_and_deny_drops_http_fields_on_tcp() -> None:
    allow_all = _policy({"rules": [{}]})
    deny_post = _policy(
        {"action": "DENY", "rules": [{"to": [{"operation": {"methods": ["POST"]}}]}]}
    )
    objects = [allow_all, deny_post]
    assert evaluate(objects, API, Request(WEB, 80, "GET", "/"))
    assert not evaluate(objects, API, Request(WEB, 80, "POST", "/"))
    assert not evaluate(objects, API, Request(WEB, 80))  # TCP: methods dropped from the DENY
    assert evaluate([], API, Request(None, 80))  # no policy: allow


def test_evaluator_root_namespace_and_string_and_template_matching() -> None:
    assert not evaluate([_policy({}, namespace="istio-system")], API, Request(WEB, 80))
    assert evaluate([_policy({}, namespace="elsewhere")], API, Request(WEB, 80))
    assert string_matches("*", "x") and not string_matches("*", "")
    assert string_matches("*.js", "a.js") and string_matches("/a*", "/ab")
    assert path_matches("/a/{**}", "/a/") and path_matches("/a/{**}", "/a/b/c")
    assert not path_matches("/a/{*}", "/a/b/c") and not path_matches("/a/{*}", "/a/*")


def test_a_target_whose_policy_would_overwrite_the_default_deny_is_refused() -> None:
    with pytest.raises(TranslationError) as raised:
        plan_of(target(["api"], name="smi-default-deny"))
    (problem,) = raised.value.problems
    assert (problem.kind, problem.name, problem.path) == (
        "TrafficTarget",
        "smi-default-deny",
        "metadata.name",
    )
    assert "emits AuthorizationPolicy shop/smi-default-deny, which" in problem.message
    assert plan_of(target(["api"], name="smi-default-deny"), default_deny=False)
