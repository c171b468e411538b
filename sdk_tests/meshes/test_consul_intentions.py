"""TrafficTarget -> Consul ServiceIntentions: sample requests evaluated against the entries.

Verdicts come from ``evaluate.consul_intentions`` (Consul's documented and coded semantics), not
from the translator's output shape. Every verdict is checked under both ACL default policies:
consul-k8s without ACLs allows by default, and SMI's default deny must hold there too. The
cluster has no Service name in two namespaces: tests of identity folding add them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from evaluate.consul_intentions import Request, evaluate, from_config_entry

from pulumi_smi.errors import TranslationError
from pulumi_smi.meshes import TARGETS, MeshKind, translate
from pulumi_smi.meshes.base import default_namer, service_account_owner
from pulumi_smi.meshes.consul.entries import CONFIG_ENTRY_TYPE, emit
from pulumi_smi.meshes.consul.intentions import IntentionEntries, intention_entries
from pulumi_smi.meshes.consul.options import ConsulOptions
from pulumi_smi.plan import Plan
from pulumi_smi.spec import load_text


def _app(name: str, namespace: str = "shop", account: str = "", ports: str | None = "") -> str:
    service = (
        ""
        if ports is None
        else f"""
---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  selector: {{app: {name}}}
  ports: {ports or "[{name: http, port: 80, targetPort: 8080}]"}
"""
    )
    return f"""
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{serviceAccountName: {account or name}, containers: [{{name: c, image: i}}]}}
{service}"""


CLUSTER = (
    _app("api")
    + _app("web")
    + _app("admin")
    + _app("other")
    + _app("db", ports="[{name: tcp-pg, port: 5432}, {name: http-metrics, port: 9187}]")
    + _app("reporter", namespace="batch")
    + _app("orphan", ports=None)
    + _app("legacy", account="legacy-sa")
    + """
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: api-routes, namespace: shop}
spec:
  matches:
  - {name: api, pathRegex: /api/.*, methods: [GET]}
  - {name: health, pathRegex: /healthz$, methods: ["*"]}
  - {name: writes, pathRegex: /orders/.*, methods: [POST, PUT]}
  - {name: beta, pathRegex: "/beta/[0-9]+", headers: {x-beta: "true", user-agent: ".*Firefox"}}
  - {name: everything}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: all, namespace: shop}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: pg, namespace: shop}
spec: {matches: {ports: [5432]}}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: pg-and-metrics, namespace: shop}
spec: {matches: {ports: [5432, 9187]}}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: http-port, namespace: shop}
spec: {matches: {ports: [8080]}}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: service-port, namespace: shop}
spec: {matches: {ports: [80]}}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: UDPRoute
metadata: {name: dns, namespace: shop}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: all, namespace: batch}
"""
)


def target(
    name: str,
    destination: str = "api",
    sources: str = "[{kind: ServiceAccount, name: web}]",
    rules: list[dict[str, Any]] | None = None,
    matches: list[str] | None = None,
    namespace: str = "shop",
) -> str:
    """A TrafficTarget in ``namespace`` (default rule: HTTPRouteGroup api-routes ``matches``)."""
    if rules is None:
        rules = [{"kind": "HTTPRouteGroup", "name": "api-routes", "matches": matches or []}]
    return f"""
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  destination: {{kind: ServiceAccount, name: {destination}}}
  sources: {sources}
  rules: {json.dumps(rules)}
"""


TCP_ALL = [{"kind": "TCPRoute", "name": "all"}]
TCP_PG = [{"kind": "TCPRoute", "name": "pg"}]
WEB_IN_BATCH = _app("web", namespace="batch")
API_IN_BATCH = _app("api", namespace="batch")
TWO_WEBS = (
    "[{kind: ServiceAccount, name: web}, {kind: ServiceAccount, name: web, namespace: batch}]"
)


def translated(*targets: str, extra: str = "", **options: Any) -> tuple[IntentionEntries, Plan]:
    """The entries, and the Plan (schema-checked by conftest) of the emitted resources."""
    specs = load_text(CLUSTER + extra + "".join(targets))
    chosen = ConsulOptions(**options)
    result = intention_entries(specs, chosen)
    plan = Plan(tuple(emit(e, chosen, default_namer) for e in result.entries), tuple(result[1]))
    if MeshKind.CONSUL in TARGETS:  # the whole target, once registered
        full = translate(specs, "consul", options)
        intentions = [r for r in full if r.name.endswith("-serviceintentions")]
        assert [r.properties for r in intentions] == [r.properties for r in plan]
    return result, plan


def manifests(plan: Plan) -> list[Mapping[str, Any]]:
    return [
        from_config_entry(r.properties) if r.type == CONFIG_ENTRY_TYPE else r.properties
        for r in plan
    ]


def verdicts(plan: Plan, destination: str, request: Request, namespace: str = "default") -> bool:
    """The verdict, asserted to be the same under both ACL default policies."""
    found = [
        evaluate(manifests(plan), destination, request, namespace, default_allow=default).allowed
        for default in (False, True)
    ]
    assert found[0] == found[1], f"depends on the ACL default policy: {request}"
    return found[0]


def http(source: str, method: str = "GET", path: str = "/", **headers: str) -> Request:
    return Request(source, method=method, path=path, headers=headers)


def sources_of(plan: Plan, name: str) -> list[dict[str, Any]]:
    entry = next(m for m in manifests(plan) if m["spec"]["destination"]["name"] == name)
    return list(entry["spec"]["sources"])


def keys(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield key
            yield from keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys(item)


# --- merging and default deny ------------------------------------------------------------


def test_two_targets_for_one_destination_merge_into_one_entry() -> None:
    result, plan = translated(
        target("web-reads", matches=["api"]),
        target("admin-writes", sources="[{kind: ServiceAccount, name: admin}]", matches=["writes"]),
    )
    assert [(e.kind, e.name, e.namespace) for e in result.entries] == [
        ("ServiceIntentions", "api", "shop")
    ]
    assert result.entries[0].owner == service_account_owner("shop", "api")
    resource = plan.resources[0]
    assert resource.properties["metadata"]["name"] == "api"
    assert [s["name"] for s in sources_of(plan, "api")] == ["admin", "web", "*"]
    assert sources_of(plan, "api")[-1] == {"name": "*", "action": "deny"}
    assert verdicts(plan, "api", http("web", "GET", "/api/x"))
    assert verdicts(plan, "api", http("admin", "POST", "/orders/1"))
    assert not verdicts(plan, "api", http("web", "POST", "/orders/1"))
    assert not verdicts(plan, "api", http("admin", "GET", "/api/x"))
    assert not verdicts(plan, "api", http("other", "GET", "/api/x"))  # the '*' deny
    assert result.http_services == {("shop", "api")}


def test_l7_path_and_method_follow_smi_start_anchoring() -> None:
    _, plan = translated(target("web-reads", matches=["api"]))
    (source, _) = sources_of(plan, "api")
    assert "action" not in source
    assert source["permissions"][0] == {
        "action": "allow",
        "http": {"pathPrefix": "/api/", "methods": ["GET"]},
    }
    assert verdicts(plan, "api", http("web", "GET", "/api/x"))
    assert verdicts(plan, "api", http("web", "GET", "/api/x?q=1"))
    assert not verdicts(plan, "api", http("web", "POST", "/api/x"))
    assert not verdicts(plan, "api", http("web", "GET", "/apix"))  # '/api/.*' needs the slash
    assert not verdicts(plan, "api", http("web", "GET", "/other"))
    assert not verdicts(plan, "api", Request("web", protocol="tcp"))


def test_exact_path_regex_path_and_headers() -> None:
    _, plan = translated(target("web-api", matches=["health", "beta"]))
    permissions = sources_of(plan, "api")[0]["permissions"]
    assert permissions[0]["http"] == {"pathExact": "/healthz"}
    assert permissions[1]["http"] == {
        "pathRegex": "(?:/beta/[0-9]+).*",
        "header": [
            {"name": "user-agent", "suffix": "Firefox"},
            {"name": "x-beta", "exact": "true"},
        ],
    }
    assert verdicts(plan, "api", http("web", "DELETE", "/healthz"))
    assert not verdicts(plan, "api", http("web", "GET", "/healthz/x"))
    firefox = {"user-agent": "Mozilla Firefox", "x-beta": "true"}
    assert verdicts(plan, "api", http("web", "GET", "/beta/12x", **firefox))
    assert not verdicts(plan, "api", http("web", "GET", "/beta/x", **firefox))
    assert not verdicts(plan, "api", http("web", "GET", "/beta/1", **{"x-beta": "true"}))


def test_match_of_everything_is_l4_on_an_http_destination() -> None:
    result, plan = translated(target("web-all", matches=["everything", "api"]))
    assert sources_of(plan, "api")[0] == {"name": "web", "action": "allow"}
    assert verdicts(plan, "api", http("web", "DELETE", "/anything"))
    # SMI allows HTTP requests, not raw TCP: the destination must speak http (ServiceDefaults)
    assert result.http_services == {("shop", "api")}


# --- TCP, ports, L4 + L7 -----------------------------------------------------------------


def test_tcp_sources_from_other_namespaces_by_service_name() -> None:
    sources = "[{name: web}, {kind: ServiceAccount, name: reporter, namespace: batch}]"
    result, plan = translated(target("to-db", destination="db", sources=sources, rules=TCP_ALL))
    assert sources_of(plan, "db") == [
        {"name": "reporter", "action": "allow"},
        {"name": "web", "action": "allow"},
        {"name": "*", "action": "deny"},
    ]
    assert verdicts(plan, "db", Request("reporter", protocol="tcp"))
    assert verdicts(plan, "db", Request("web", protocol="tcp"))
    assert not verdicts(plan, "db", Request("other", protocol="tcp"))
    assert result.http_services == set()  # TCP only: not forced to http
    assert result.warnings == []


def test_enterprise_sets_namespaces_and_a_cross_namespace_wildcard() -> None:
    result, plan = translated(
        target("webs", destination="db", sources=TWO_WEBS, rules=TCP_ALL), enterprise=True
    )
    spec = manifests(plan)[0]["spec"]
    assert spec["destination"] == {"name": "db", "namespace": "shop"}
    assert spec["sources"] == [
        {"name": "web", "namespace": "batch", "action": "allow"},
        {"name": "web", "namespace": "shop", "action": "allow"},
        {"name": "*", "namespace": "*", "action": "deny"},
    ]
    assert verdicts(plan, "db", Request("web", "batch", "tcp"), "shop")
    assert verdicts(plan, "db", Request("web", "shop", "tcp"), "shop")
    assert not verdicts(plan, "db", Request("web", "other-ns", "tcp"), "shop")
    assert not verdicts(plan, "db", Request("reporter", "batch", "tcp"), "shop")
    assert not any("open-source Consul" in w for w in result.warnings)


def test_l4_and_l7_for_one_source_across_targets_is_l4() -> None:
    result, plan = translated(
        target("web-reads", matches=["api"]), target("web-tcp", rules=TCP_ALL)
    )
    assert sources_of(plan, "api")[0] == {"name": "web", "action": "allow"}
    assert verdicts(plan, "api", http("web", "POST", "/anything"))
    assert result.http_services == set()


def test_tcp_route_and_http_group_in_one_target_keep_the_http_rules() -> None:
    rules: list[dict[str, Any]] = [
        {"kind": "TCPRoute", "name": "http-port"},
        {"kind": "HTTPRouteGroup", "name": "api-routes", "matches": ["api"]},
    ]
    result, plan = translated(target("web-reads", rules=rules))
    assert "permissions" in sources_of(plan, "api")[0]
    assert verdicts(plan, "api", http("web", "GET", "/api/x"))
    assert not verdicts(plan, "api", http("web", "POST", "/api/x"))
    assert result.http_services == {("shop", "api")}


def test_tcp_route_on_some_ports_would_widen_and_is_an_error() -> None:
    with pytest.raises(TranslationError) as error:
        translated(target("to-db", destination="db", rules=TCP_PG))
    (problem,) = error.value.problems
    assert (problem.kind, problem.name, problem.path) == ("TrafficTarget", "to-db", "spec.rules[0]")
    assert "including port 9187 of the pods of ServiceAccount shop/db" in problem.message
    assert "inexpressible=narrow" in problem.message


def test_tcp_route_listing_every_port_is_every_port() -> None:
    rules = [{"kind": "TCPRoute", "name": "pg-and-metrics"}]
    _, plan = translated(target("to-db", destination="db", rules=rules))
    assert sources_of(plan, "db")[0] == {"name": "web", "action": "allow"}
    # a Service port stands for its targetPort: api's only known port is 8080, behind port 80
    for route in ("service-port", "http-port"):
        _, plan = translated(target("web-api", rules=[{"kind": "TCPRoute", "name": route}]))
        assert sources_of(plan, "api")[0] == {"name": "web", "action": "allow"}


def test_ports_of_a_destination_without_manifests_are_unknown_so_a_port_limit_is_an_error() -> None:
    with pytest.raises(TranslationError) as error:
        translated(target("to-ghost", destination="ghost", rules=TCP_PG))
    (problem,) = error.value.problems
    assert problem.path == "spec.rules[0]"
    assert "the input shows no port of the pods of ServiceAccount shop/ghost" in problem.message


# --- inexpressible=narrow: left out, with a warning ------------------------------------------


def test_narrow_leaves_a_port_limited_traffic_target_out_with_one_warning() -> None:
    admin = "[{kind: ServiceAccount, name: admin}]"
    result, plan = translated(
        target("to-db", destination="db", rules=TCP_PG),
        target("admin-db", destination="db", sources=admin, rules=TCP_ALL),
        inexpressible="narrow",
    )
    assert sources_of(plan, "db") == [
        {"name": "admin", "action": "allow"},
        {"name": "*", "action": "deny"},
    ]
    assert not verdicts(plan, "db", Request("web", protocol="tcp"))  # less than SMI, never more
    assert verdicts(plan, "db", Request("admin", protocol="tcp"))
    (warning,) = result.warnings
    assert warning.startswith(
        "TrafficTarget shop/to-db: spec.rules[0] (TCPRoute) is left out (inexpressible=narrow)"
    )
    assert "port 9187" in warning
    assert warning.owner.name == "to-db"


def test_narrow_leaves_out_http_rules_anded_with_too_few_ports() -> None:
    rules: list[dict[str, Any]] = [
        {"kind": "TCPRoute", "name": "pg"},
        {"kind": "HTTPRouteGroup", "name": "api-routes", "matches": ["api"]},
    ]
    with pytest.raises(TranslationError) as error:
        translated(target("to-db", destination="db", rules=rules))
    assert [p.path for p in error.value.problems] == ["spec.rules[0]"]
    result, plan = translated(
        target("to-db", destination="db", rules=rules), inexpressible="narrow"
    )
    assert sources_of(plan, "db") == [{"name": "*", "action": "deny"}]
    assert not verdicts(plan, "db", http("web", "GET", "/api/x"))
    assert result.http_services == set()
    (warning,) = result.warnings
    assert "spec.rules[0] (TCPRoute) is left out" in warning


def test_narrow_changes_nothing_that_is_expressible() -> None:
    docs = (
        target("to-db", destination="db", rules=[{"kind": "TCPRoute", "name": "pg-and-metrics"}]),
        target("web-reads", matches=["api", "beta"]),
    )
    strict, strict_plan = translated(*docs)
    narrow, narrow_plan = translated(*docs, inexpressible="narrow")
    assert narrow_plan.to_json() == strict_plan.to_json() and narrow.warnings == strict.warnings


def test_narrow_leaves_out_a_port_limit_on_unknown_ports() -> None:
    result, plan = translated(
        target("to-ghost", destination="ghost", rules=TCP_PG), inexpressible="narrow"
    )
    assert sources_of(plan, "ghost") == [{"name": "*", "action": "deny"}]
    assert any("left out" in w and "shows no port" in w for w in result.warnings)


def test_udp_rule_is_a_warning_and_allows_nothing() -> None:
    result, plan = translated(target("dns", rules=[{"kind": "UDPRoute", "name": "dns"}]))
    assert sources_of(plan, "api") == [{"name": "*", "action": "deny"}]
    assert any("UDPRoute dns" in w for w in result.warnings)
    assert not verdicts(plan, "api", Request("web", protocol="tcp"))


# --- identities ----------------------------------------------------------------------------


def test_a_service_account_without_manifests_is_its_own_consul_name() -> None:
    # ghost: nothing in the input; cron (namespace ops): nothing; orphan: a Deployment, no Service
    sources = "[{name: ghost}, {name: cron, namespace: ops}]"
    result, plan = translated(
        target("to-orphan", destination="orphan", sources=sources, rules=TCP_ALL)
    )
    assert manifests(plan)[0]["spec"]["destination"] == {"name": "orphan"}
    assert sources_of(plan, "orphan") == [
        {"name": "cron", "action": "allow"},
        {"name": "ghost", "action": "allow"},
        {"name": "*", "action": "deny"},
    ]
    assert verdicts(plan, "orphan", Request("ghost", protocol="tcp"))
    assert verdicts(plan, "orphan", Request("cron", protocol="tcp"))
    assert not verdicts(plan, "orphan", Request("web", protocol="tcp"))
    assert result.warnings == []


def test_a_service_named_after_a_service_account_selecting_other_pods_is_an_error() -> None:
    extra = """
---
apiVersion: v1
kind: Service
metadata: {name: ghost, namespace: shop}
spec: {selector: {app: other}, ports: [{port: 80}]}
"""
    sources = "[{name: web}, {name: ghost}]"
    with pytest.raises(TranslationError) as error:
        translated(target("to-api", sources=sources, rules=TCP_ALL), extra=extra)
    (problem,) = error.value.problems
    assert (problem.name, problem.path) == ("to-api", "spec.sources[1].name")
    assert problem.message.startswith(
        "Service shop/ghost selects Deployment other (ServiceAccount other): Consul knows them all"
    )


def test_service_named_differently_from_its_service_account_is_used_with_a_warning() -> None:
    result, plan = translated(target("to-legacy", destination="legacy-sa", rules=TCP_ALL))
    assert manifests(plan)[0]["spec"]["destination"] == {"name": "legacy"}
    assert any("register in Consul as service legacy" in w for w in result.warnings)


def _api_v2(labels: str, selector: str) -> str:
    """A second Deployment of ServiceAccount shop/api, with its own Service api-v2."""
    return f"""
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: api-v2, namespace: shop}}
spec:
  selector: {{matchLabels: {labels}}}
  template:
    metadata: {{labels: {labels}}}
    spec: {{serviceAccountName: api, containers: [{{name: c, image: i}}]}}
---
apiVersion: v1
kind: Service
metadata: {{name: api-v2, namespace: shop}}
spec: {{selector: {selector}, ports: [{{port: 80, targetPort: 8080}}]}}
"""


def test_several_services_use_the_one_named_after_the_service_account_if_it_selects_all() -> None:
    extra = _api_v2("{app: api, version: v2}", "{version: v2}")
    result, plan = translated(target("web-api", rules=TCP_ALL), extra=extra)
    assert manifests(plan)[0]["spec"]["destination"] == {"name": "api"}
    assert any("Services api, api-v2 all select the pods" in w for w in result.warnings)
    # api-v2's pods are not selected by Service api: without ACLs they are service api-v2,
    # which no intention covers (consul-k8s allows by default): ambiguous, an error
    extra = _api_v2("{app: api-v2}", "{app: api-v2}")
    with pytest.raises(TranslationError) as error:
        translated(target("web-api", rules=TCP_ALL), extra=extra)
    (problem,) = error.value.problems
    assert problem.path == "spec.destination.name"
    assert "but Deployment api-v2 only by api-v2, not by api" in problem.message


def test_service_selecting_two_identities_is_an_error() -> None:
    extra = """
---
apiVersion: v1
kind: Service
metadata: {name: everyone, namespace: shop}
spec: {selector: {}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: mixed, namespace: shop}
spec:
  selector: {matchLabels: {tier: mixed}}
  template:
    metadata: {labels: {tier: mixed}}
    spec: {serviceAccountName: mixed, containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Service
metadata: {name: mixed, namespace: shop}
spec: {selector: {tier: mixed}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: mixed-too, namespace: shop}
spec:
  selector: {matchLabels: {tier: mixed}}
  template:
    metadata: {labels: {tier: mixed, extra: x}}
    spec: {serviceAccountName: admin, containers: [{name: c, image: i}]}
"""
    with pytest.raises(TranslationError) as error:
        translated(target("to-mixed", destination="mixed", rules=TCP_ALL), extra=extra)
    assert "also Deployment mixed-too (ServiceAccount admin)" in str(error.value)


# --- identity folding: one name, two namespaces (open-source Consul) ------------------------


def _folding_error(*targets: str, extra: str = "") -> list[tuple[str, str, str]]:
    """The problems (TrafficTarget, field, message), each asserted to point to enterprise=true."""
    with pytest.raises(TranslationError) as error:
        translated(*targets, extra=extra)
    found = [(p.name, p.path, p.message) for p in error.value.problems]
    for _, _, message in found:
        assert "open-source Consul has one namespace" in message
        assert "set enterprise=true" in message
    return found


def test_two_web_sources_from_two_namespaces_are_an_error_naming_both() -> None:
    (problem,) = _folding_error(target("webs", destination="db", sources=TWO_WEBS, rules=TCP_ALL))
    assert problem[:2] == ("webs", "spec.sources[0].name")
    assert (
        "ServiceAccount batch/web and ServiceAccount shop/web are all Consul service web"
        in (problem[2])
    )


def test_with_enterprise_the_two_web_sources_are_distinct() -> None:
    result, plan = translated(
        target("webs", destination="db", sources="[{name: web, namespace: batch}]", rules=TCP_ALL),
        target("web-api", rules=TCP_ALL),
        extra=WEB_IN_BATCH,
        enterprise=True,
    )
    assert verdicts(plan, "db", Request("web", "batch", "tcp"), "shop")
    assert not verdicts(plan, "db", Request("web", "shop", "tcp"), "shop")
    assert verdicts(plan, "api", Request("web", "shop", "tcp"), "shop")
    assert not verdicts(plan, "api", Request("web", "batch", "tcp"), "shop")
    assert result.warnings == []


def test_a_service_of_the_same_name_in_another_namespace_would_share_the_allow() -> None:
    # batch/web is in no TrafficTarget, but its pods register as web too
    (problem,) = _folding_error(target("web-api", rules=TCP_ALL), extra=WEB_IN_BATCH)
    assert problem[:2] == ("web-api", "spec.sources[0].name")
    assert "ServiceAccount shop/web and the pods of Service batch/web are all" in problem[2]
    (problem,) = _folding_error(target("web-api", rules=TCP_ALL), extra=API_IN_BATCH)
    assert problem[:2] == ("web-api", "spec.destination.name")
    assert "ServiceAccount shop/api and the pods of Service batch/api" in problem[2]


def test_a_destination_and_a_source_of_one_name_from_two_namespaces_are_an_error() -> None:
    (problem,) = _folding_error(
        target("to-db", destination="db", rules=TCP_ALL),
        target("db-calls-api", sources="[{name: db, namespace: batch}]", rules=TCP_ALL),
    )
    assert problem[:2] == ("db-calls-api", "spec.sources[0].name")
    assert "ServiceAccount batch/db and ServiceAccount shop/db" in problem[2]


def test_same_destination_name_from_two_namespaces_is_an_error_in_open_source_consul() -> None:
    both = (target("web-api", rules=TCP_ALL), target("web-api", rules=TCP_ALL, namespace="batch"))
    found = _folding_error(*both)
    assert [(name, path) for name, path, _ in found] == [
        ("web-api", "spec.destination.name"),
        ("web-api", "spec.sources[0].name"),
    ]
    assert "ServiceAccount batch/api and ServiceAccount shop/api" in found[0][2]
    result, _ = translated(*both, enterprise=True)
    assert [(e.namespace, e.name) for e in result.entries] == [("batch", "api"), ("shop", "api")]
    # even when neither allows anything: both would need the one ServiceIntentions named api
    udp = [{"kind": "UDPRoute", "name": "dns"}]
    dns = "\n---\n{apiVersion: specs.smi-spec.io/v1alpha4, kind: UDPRoute,"
    dns += " metadata: {name: dns, namespace: batch}}\n"
    (problem,) = _folding_error(
        target("dns", rules=udp), target("dns", rules=udp, namespace="batch"), extra=dns
    )
    assert problem[:2] == ("dns", "spec.destination.name")
    assert "ServiceAccount batch/api and ServiceAccount shop/api" in problem[2]


def test_a_shared_name_no_intention_allows_anything_for_is_not_an_error() -> None:
    admin = "[{kind: ServiceAccount, name: admin}]"
    result, _ = translated(
        target("admin-db", destination="db", sources=admin, rules=TCP_ALL),
        extra=WEB_IN_BATCH + API_IN_BATCH,
    )
    assert result.warnings == []
    # a destination whose entry only denies: the deny reaches the other namespace's pods too
    result, plan = translated(
        target("dns", rules=[{"kind": "UDPRoute", "name": "dns"}]), extra=API_IN_BATCH
    )
    assert sources_of(plan, "api") == [{"name": "*", "action": "deny"}]
    assert any(
        "ServiceIntentions api denies every caller" in w and "Service batch/api" in w
        for w in result.warnings
    )


# --- modes and output ------------------------------------------------------------------------


def test_open_source_output_has_no_namespace_or_partition_anywhere() -> None:
    sources = "[{kind: ServiceAccount, name: reporter, namespace: batch}]"
    for mode in ("crd", "config-entry"):
        _, plan = translated(
            target("a", matches=["api", "beta"]),
            target("b", destination="db", sources=sources, rules=TCP_ALL),
            mode=mode,
        )
        for resource in plan:
            spec = resource.properties.get("spec") or json.loads(resource.properties["configJson"])
            found = {k.lower() for k in keys(spec)}
            assert not found & {"namespace", "partition"}, resource.name
            assert "namespace" not in resource.properties or resource.type != CONFIG_ENTRY_TYPE


def test_config_entry_mode_writes_consul_api_form() -> None:
    result, plan = translated(
        target("web-reads", matches=["api"]),
        target("admin-all", sources="[{kind: ServiceAccount, name: admin}]", rules=TCP_ALL),
        mode="config-entry",
    )
    (resource,) = plan.resources
    assert resource.type == "consul:index/configEntry:ConfigEntry"
    assert (resource.properties["kind"], resource.properties["name"]) == (
        "service-intentions",
        "api",
    )
    entry = json.loads(resource.properties["configJson"])
    assert entry["Sources"][0] == {"Name": "admin", "Action": "allow"}
    web = entry["Sources"][1]
    assert web["Name"] == "web"
    assert web["Permissions"][0] == {
        "Action": "allow",
        "HTTP": {"PathPrefix": "/api/", "Methods": ["GET"]},
    }
    assert entry["Sources"][-1] == {"Name": "*", "Action": "deny"}
    assert verdicts(plan, "api", http("web", "GET", "/api/1"))
    assert not verdicts(plan, "api", http("web", "GET", "/admin"))
    assert verdicts(plan, "api", http("admin", "GET", "/admin"))
    assert result.http_services == {("shop", "api")}


def test_output_is_deterministic_whatever_the_input_order() -> None:
    docs = [
        target("z", matches=["writes", "api"]),
        target("a", sources="[{kind: ServiceAccount, name: admin}]", matches=["health"]),
        target("m", destination="db", rules=TCP_ALL),
    ]
    first = translated(*docs)[1].to_json()
    assert translated(*reversed(docs))[1].to_json() == first
    assert translated(*docs)[1].to_json() == first
