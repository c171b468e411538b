"""TrafficTarget -> Linkerd: sample requests evaluated against the emitted policy objects.

The verdicts come from ``evaluate.linkerd_policy`` (Linkerd's inbound semantics), not from
reading the translator's output shape, so a test fails if the objects would let through a
request SMI denies or deny one SMI allows.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from evaluate.linkerd_policy import (
    Cluster,
    Pod,
    Request,
    admission_problems,
    evaluate,
    identity_matches,
    path_match_length,
)

from pulumi_smi.cli import main
from pulumi_smi.errors import TranslationError
from pulumi_smi.meshes import translate
from pulumi_smi.meshes.base import service_account_owner
from pulumi_smi.plan import Plan
from pulumi_smi.spec import load_text

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
  - {name: http, port: 80, targetPort: 8080, appProtocol: http}
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
metadata: {name: pg, namespace: data}
spec:
  selector: {matchLabels: {app: pg}}
  template:
    metadata: {labels: {app: pg}}
    spec:
      serviceAccountName: db
      containers: [{name: pg, image: pg, ports: [{name: pg, containerPort: 5432}]}]
---
apiVersion: v1
kind: Service
metadata: {name: pg, namespace: data}
spec:
  selector: {app: pg}
  ports: [{name: tcp-pg, port: 5432, targetPort: pg}]
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: api-routes, namespace: shop}
spec:
  matches:
  - {name: api, pathRegex: /api/.*, methods: [GET]}
  - {name: admin, pathRegex: /api/admin/.*, methods: [GET]}
  - {name: health, pathRegex: /healthz$}
  - {name: everything}
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
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: postgres, namespace: data}
spec: {matches: {ports: [5432]}}
"""

CLUSTER_INFO = Cluster()
API = Pod("shop", {"app": "api", "version": "v1"}, {"http": 8080, "mysql": 3306})
PG = Pod("data", {"app": "pg"}, {"pg": 5432})
WEB = CLUSTER_INFO.identity("web", "shop")
OTHER = CLUSTER_INFO.identity("other", "shop")
NODE_IP = "192.168.0.7"


def target(
    matches: list[str] | None = None,
    rules: list[dict[str, Any]] | None = None,
    sources: str = "[{kind: ServiceAccount, name: web}]",
    name: str = "web-to-api",
    destination: str = "api",
    namespace: str = "shop",
) -> str:
    """A TrafficTarget to ServiceAccount ``destination`` (default: HTTP rule ``matches``)."""
    if rules is None:
        rules = [{"kind": "HTTPRouteGroup", "name": "api-routes", "matches": matches or []}]
    return f"""
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {{name: {name}, namespace: {namespace}, labels: {{team: shop}}}}
spec:
  destination: {{kind: ServiceAccount, name: {destination}}}
  sources: {sources}
  rules: {json.dumps(rules)}
"""


def plan_of(*targets: str, extra: str = "", **options: Any) -> Plan:
    return translate(load_text(CLUSTER + extra + "".join(targets)), "linkerd", options)


def manifests(plan: Plan) -> list[Mapping[str, Any]]:
    return [r.properties for r in plan if r.is_kubernetes]


def verdict(
    plan: Plan,
    method: str | None = "GET",
    path: str = "/",
    port: int = 8080,
    identity: str | None = WEB,
    pod: Pod = API,
    ip: str = "10.1.2.3",
    cluster: Cluster = CLUSTER_INFO,
) -> str:
    request = Request(identity, port, method, path, {}, ip)
    return evaluate(manifests(plan), pod, request, cluster).verdict


def of_kind(plan: Plan, kind: str) -> list[Mapping[str, Any]]:
    return [m for m in manifests(plan) if m["kind"] == kind]


# --- L7 ---------------------------------------------------------------------------------


def test_http_match_allows_exactly_the_smi_requests_from_the_source() -> None:
    plan = plan_of(target(["api"]))
    assert verdict(plan, "GET", "/api/x") == "allowed"
    assert verdict(plan, "GET", "/api/x?q=1") == "allowed"
    assert verdict(plan, "POST", "/api/x") in ("not-found", "forbidden")
    assert verdict(plan, "GET", "/apix") == "not-found"  # '/api/.*' is anchored at the start
    assert verdict(plan, "GET", "/api/x", identity=OTHER) == "forbidden"
    assert verdict(plan, "GET", "/api/x", identity=None) == "forbidden"
    assert verdict(plan, None, port=8080) == "refused"  # an HTTP/1 Server, no L4 access
    assert verdict(plan, None, port=3306) == "refused"  # declared, granted to no one: denied
    assert verdict(plan, None, port=9999) == "allowed"  # undeclared: Linkerd's default policy


def test_l7_objects_server_route_and_one_authentication_per_policy() -> None:
    plan = plan_of(target(["api", "health"]))
    denied, server = of_kind(plan, "Server")
    assert denied["metadata"]["name"] == "api-3306"  # the undeclared mysql port: denied
    assert server["apiVersion"] == "policy.linkerd.io/v1beta3"
    assert server["metadata"]["name"] == "api-8080"
    assert server["spec"] == {
        "podSelector": {"matchLabels": {"app": "api", "version": "v1"}},
        "port": 8080,
        "proxyProtocol": "HTTP/1",
        "accessPolicy": "deny",
    }
    (route,) = of_kind(plan, "HTTPRoute")
    assert route["apiVersion"] == "policy.linkerd.io/v1beta3"
    assert route["spec"]["parentRefs"] == [
        {"group": "policy.linkerd.io", "kind": "Server", "name": "api-8080"}
    ]
    assert all("backendRefs" not in rule for rule in route["spec"]["rules"])
    (policy,) = of_kind(plan, "AuthorizationPolicy")
    assert policy["spec"]["targetRef"] == {
        "group": "policy.linkerd.io",
        "kind": "HTTPRoute",
        "name": "web-to-api-8080",
    }
    assert policy["metadata"]["labels"]["team"] == "shop"
    assert verdict(plan, "DELETE", "/healthz") == "allowed"
    assert verdict(plan, "GET", "/healthz/x") == "not-found"


def test_server_is_shared_and_owned_by_the_destination_service_account() -> None:
    plan = plan_of(target(["api"]), target(["health"], name="second"))
    servers = [r for r in plan if r.properties["metadata"]["name"] == "api-8080"]
    assert len(servers) == 1
    assert servers[0].owner == service_account_owner("shop", "api")
    assert servers[0].name == "shop-api-server-8080"
    assert not admission_problems(manifests(plan), [API, PG])


# --- L4 ---------------------------------------------------------------------------------


def test_tcp_only_access_from_another_namespace() -> None:
    rules = [{"kind": "TCPRoute", "name": "postgres"}]
    sources = "[{kind: ServiceAccount, name: web, namespace: shop}]"
    plan = plan_of(target(rules=rules, sources=sources, destination="db", namespace="data"))
    assert verdict(plan, None, port=5432, pod=PG) == "allowed"
    assert verdict(plan, "GET", "/x", port=5432, pod=PG) == "allowed"
    web_in_data = CLUSTER_INFO.identity("web", "data")
    assert verdict(plan, None, port=5432, pod=PG, identity=web_in_data) == "refused"
    assert verdict(plan, None, port=5432, pod=PG, identity=None) == "refused"
    (auth,) = of_kind(plan, "MeshTLSAuthentication")
    assert auth["metadata"] == {
        "name": "web-to-api",
        "namespace": "data",
        "labels": {"app.kubernetes.io/managed-by": "pulumi-smi", "team": "shop"},
    }
    assert auth["spec"] == {"identities": [WEB]}
    (policy,) = of_kind(plan, "AuthorizationPolicy")
    assert policy["spec"]["targetRef"]["kind"] == "Server"
    assert not of_kind(plan, "HTTPRoute")


def test_http_and_tcp_rules_together_restrict_http_to_the_tcp_ports() -> None:
    rules: list[dict[str, Any]] = [
        {"kind": "TCPRoute", "name": "http-port"},
        {"kind": "HTTPRouteGroup", "name": "api-routes", "matches": ["api"]},
    ]
    plan = plan_of(target(rules=rules))
    assert [s["spec"]["port"] for s in of_kind(plan, "Server")] == [3306, 8080]
    assert verdict(plan, None, port=3306) == "refused"  # the other declared port: denied
    assert verdict(plan, "GET", "/api/x") == "allowed"
    assert verdict(plan, "POST", "/api/x") != "allowed"
    assert verdict(plan, None) == "refused"  # no blanket TCP access
    assert not [p for p in of_kind(plan, "AuthorizationPolicy") if "Server" in str(p["spec"])]


# --- several TrafficTargets on one Server -------------------------------------------------


def test_l4_and_l7_targets_share_a_server_without_losing_or_gaining_access() -> None:
    l4 = target(
        rules=[{"kind": "TCPRoute", "name": "http-port"}],
        name="other-all",
        sources="[{kind: ServiceAccount, name: other}]",
    )
    plan = plan_of(target(["api"]), l4)
    assert [s["metadata"]["name"] for s in of_kind(plan, "Server")] == ["api-3306", "api-8080"]
    # the L4 grantee keeps every request and connection (catch-all route + Server policy)
    assert verdict(plan, "POST", "/anything", identity=OTHER) == "allowed"
    assert verdict(plan, "GET", "/api/x", identity=OTHER) == "allowed"
    # the L7 grantee gets its matches only
    assert verdict(plan, "GET", "/api/x") == "allowed"
    assert verdict(plan, "GET", "/other") == "forbidden"
    assert verdict(plan, "GET", "/api/x", identity=None) == "forbidden"
    assert not admission_problems(manifests(plan), [API])


def test_targets_with_the_same_or_wider_matches_are_authorized_on_each_others_routes() -> None:
    same = target(["api"], name="other-api", sources="[{kind: ServiceAccount, name: other}]")
    plan = plan_of(target(["api"]), same)
    assert verdict(plan, "GET", "/api/x") == "allowed"
    assert verdict(plan, "GET", "/api/x", identity=OTHER) == "allowed"
    assert not [w for w in plan.warnings if "best-matching" in w]
    wider = target(
        ["everything"], name="other-all", sources="[{kind: ServiceAccount, name: other}]"
    )
    plan = plan_of(target(["api"]), wider)
    assert verdict(plan, "GET", "/api/x", identity=OTHER) == "allowed"
    assert verdict(plan, "DELETE", "/x", identity=OTHER) == "allowed"
    assert verdict(plan, None, identity=OTHER) == "refused"  # every HTTP request, not TCP
    assert verdict(plan, "DELETE", "/x") == "forbidden"


def test_overlapping_matches_of_different_targets_narrow_with_a_warning() -> None:
    admin = target(["admin"], name="other-admin", sources="[{kind: ServiceAccount, name: other}]")
    plan = plan_of(target(["api"]), admin)
    # '/api/.*' contains '/api/admin/.*': web is authorized on the admin route too
    assert verdict(plan, "GET", "/api/admin/x") == "allowed"
    assert verdict(plan, "GET", "/api/x") == "allowed"
    assert verdict(plan, "GET", "/api/x", identity=OTHER) == "forbidden"  # never wider
    # both regexes match the whole path, so Linkerd ranks the routes equal (age decides):
    # other may lose GET /api/admin/x to web's route
    assert verdict(plan, "GET", "/api/admin/x", identity=OTHER) == "ambiguous"
    (warning,) = [w for w in plan.warnings if "best-matching" in w]
    assert "shop/other-admin" in warning and "shop/web-to-api" not in warning
    assert warning.owner == service_account_owner("shop", "api")  # type: ignore[attr-defined]


# --- many TrafficTargets on one Server ------------------------------------------------------

SMI_MATCHES = {  # api-routes above: (pathRegex, methods), start-anchored as SMI reads it
    "api": ("/api/.*", ("GET",)),
    "admin": ("/api/admin/.*", ("GET",)),
    "health": ("/healthz$", None),
    "everything": ("", None),
}


def smi_allows(matches: list[str], method: str, path: str) -> bool:
    """What SMI allows a source of a TrafficTarget with these api-routes matches."""
    for name in matches:
        regex, methods = SMI_MATCHES[name]
        if re.match(regex, path) and (methods is None or method in methods):
            return True
    return False


def many(count: int, matches_of: Callable[[int], list[str]]) -> list[str]:
    """TrafficTargets ``tt-<i>`` to api from ``src-<i>`` (every third also from ``shared``)."""
    found = []
    for i in range(count):
        sources = [{"kind": "ServiceAccount", "name": f"src-{i}"}]
        if i % 3 == 0:
            sources.append({"kind": "ServiceAccount", "name": "shared"})
        found.append(target(matches_of(i), name=f"tt-{i:03}", sources=json.dumps(sources)))
    return found


def test_traffic_targets_with_the_same_matches_share_one_route_and_one_policy() -> None:
    other = target(["api"], name="other-api", sources="[{kind: ServiceAccount, name: other}]")
    plan = plan_of(target(["api"]), other)
    (route,) = of_kind(plan, "HTTPRoute")
    assert route["metadata"]["name"] == "other-api-8080"  # after the first by name
    (policy,) = of_kind(plan, "AuthorizationPolicy")
    assert policy["metadata"]["name"] == "other-api-8080"
    assert policy["spec"]["targetRef"]["name"] == "other-api-8080"
    (required,) = policy["spec"]["requiredAuthenticationRefs"]
    assert required["name"] == "other-api-8080-clients"
    authentications = {a["metadata"]["name"]: a for a in of_kind(plan, "MeshTLSAuthentication")}
    assert authentications["other-api-8080-clients"]["spec"]["identities"] == [OTHER, WEB]
    assert set(authentications) == {"other-api", "web-to-api", "other-api-8080-clients"}
    for identity in (WEB, OTHER):
        assert verdict(plan, "GET", "/api/x", identity=identity) == "allowed"
        assert verdict(plan, "POST", "/api/x", identity=identity) != "allowed"
    assert verdict(plan, "GET", "/api/x", identity=None) == "forbidden"
    assert not admission_problems(manifests(plan), [API])


def test_a_traffic_target_joining_a_route_updates_its_objects_instead_of_replacing_them() -> None:
    alone = plan_of(target(["api"]))
    joining = target(["api"], name="x-api", sources="[{kind: ServiceAccount, name: other}]")
    joined = plan_of(target(["api"]), joining)
    # web-to-api (first by name) keeps its route and policy: an update, not a replacement
    assert {r.name for r in alone} <= {r.name for r in joined}
    (policy,) = of_kind(joined, "AuthorizationPolicy")
    assert policy["metadata"]["name"] == "web-to-api-8080"
    assert policy["spec"]["requiredAuthenticationRefs"][0]["name"] == "web-to-api-8080-clients"
    assert [r["metadata"]["name"] for r in of_kind(joined, "HTTPRoute")] == ["web-to-api-8080"]


@pytest.mark.parametrize("count", [10, 50, 200])
def test_policy_objects_grow_linearly_with_the_traffic_targets_of_a_server(count: int) -> None:
    same = plan_of(*many(count, lambda i: ["api"]))
    # one MeshTLSAuthentication per TrafficTarget; one route, policy and client list in all
    # (before: a route, a MeshTLSAuthentication and `count` policies per TrafficTarget)
    assert len(of_kind(same, "MeshTLSAuthentication")) == count + 1
    assert len(of_kind(same, "AuthorizationPolicy")) == len(of_kind(same, "HTTPRoute")) == 1
    assert len(same.resources) <= count + 10
    sets = [["api"], ["api", "health"], ["admin"], ["everything"], ["health", "api"]]
    mixed = plan_of(*many(count, lambda i: sets[i % len(sets)]))
    assert len(mixed.resources) <= count + 20


def test_merged_policies_allow_exactly_what_smi_allows_each_source() -> None:
    sets = [["api"], ["health"], ["everything"], ["api"], ["health"], ["api"]]
    sets += [["health"], ["everything"], ["health"], ["api"], ["api"], ["everything"]]
    plan = plan_of(*many(len(sets), lambda i: sets[i]))
    assert not [w for w in plan.warnings if "best-matching" in w]  # no narrowing here
    requests = [
        (method, path)
        for method in ("GET", "POST", "DELETE")
        for path in ("/api/x", "/api/admin/x", "/healthz", "/healthz/x", "/other", "/")
    ]
    sources: dict[str | None, list[str]] = {None: []}
    for i, matches in enumerate(sets):
        sources[CLUSTER_INFO.identity(f"src-{i}", "shop")] = matches
        if i % 3 == 0:
            sources.setdefault(CLUSTER_INFO.identity("shared", "shop"), []).extend(matches)
    sources[OTHER] = []
    for identity, matches in sources.items():
        for method, path in requests:
            got = verdict(plan, method, path, identity=identity)
            assert (got == "allowed") == smi_allows(matches, method, path), (identity, method, path)
        assert verdict(plan, None, identity=identity) == "refused"  # HTTP only: no TCP
    assert not admission_problems(manifests(plan), [API])


# --- probes -------------------------------------------------------------------------------


def test_routes_on_a_server_warn_about_kubelet_probes() -> None:
    plan = plan_of(target(["api"]))
    probe_pod = Pod(API.namespace, API.labels, API.named_ports, {8080: ["/healthz"]})
    assert verdict(plan, "GET", "/healthz", identity=None, ip=NODE_IP, pod=probe_pod) == (
        "not-found"
    )
    (warning,) = [w for w in plan.warnings if "probe" in w]
    assert "api-8080" in warning and "probe_routes" in warning
    assert warning.owner == service_account_owner("shop", "api")  # type: ignore[attr-defined]
    l4_only = plan_of(target(rules=[{"kind": "TCPRoute", "name": "http-port"}]))
    assert not [w for w in l4_only.warnings if "probe" in w]
    # without routes Linkerd authorizes the probes itself
    assert verdict(l4_only, "GET", "/healthz", identity=None, ip=NODE_IP, pod=probe_pod) == (
        "allowed"
    )


def test_probe_routes_option_allows_kubelet_probes_from_the_node_network() -> None:
    options: dict[str, Any] = {
        "probe_routes": True,
        "probe_paths": ["/healthz", "/ready"],
        "probe_networks": ["192.168.0.0/16"],
    }
    plan = plan_of(target(["api"]), **options)
    assert not [w for w in plan.warnings if "kubelet" in w]
    assert verdict(plan, "GET", "/healthz", identity=None, ip=NODE_IP) == "allowed"
    assert verdict(plan, "GET", "/ready", identity=None, ip=NODE_IP) == "allowed"
    assert verdict(plan, "POST", "/healthz", identity=None, ip=NODE_IP) != "allowed"
    assert verdict(plan, "GET", "/healthz", identity=None, ip="10.9.9.9") == "forbidden"
    assert verdict(plan, "GET", "/api/x", identity=None, ip=NODE_IP) == "forbidden"
    (network,) = of_kind(plan, "NetworkAuthentication")
    assert network["spec"] == {"networks": [{"cidr": "192.168.0.0/16"}]}
    assert not admission_problems(manifests(plan), [API])


def test_probe_paths_come_from_the_workloads_kubelet_probes() -> None:
    probed = CLUSTER.replace(
        "        ports: [{name: http, containerPort: 8080}, {name: mysql, containerPort: 3306}]\n",
        "        ports: [{name: http, containerPort: 8080}, {name: mysql, containerPort: 3306}]\n"
        "        livenessProbe: {httpGet: {path: /live, port: http}}\n"
        "        readinessProbe: {httpGet: {path: /ready, port: 8080}}\n",
        1,
    )
    assert probed != CLUSTER
    specs = load_text(probed + target(["api"]))
    warned = translate(specs, "linkerd", {})
    (warning,) = [w for w in warned.warnings if "kubelet" in w]
    assert "(/live, /ready in the workload manifests)" in warning
    plan = translate(specs, "linkerd", {"probe_routes": True, "probe_networks": ["192.168.0.0/16"]})
    assert not [w for w in plan.warnings if "kubelet" in w]
    for path in ("/live", "/ready"):
        assert verdict(plan, "GET", path, identity=None, ip=NODE_IP) == "allowed"
    assert verdict(plan, "GET", "/healthz", identity=None, ip=NODE_IP) == "not-found"


# --- identities, UDP, errors --------------------------------------------------------------


def test_identity_format_follows_trust_domain_and_control_plane_namespace() -> None:
    plan = plan_of(target(["api"]), trust_domain="example.org", control_plane_namespace="l5d")
    (auth,) = of_kind(plan, "MeshTLSAuthentication")
    assert auth["spec"]["identities"] == ["web.shop.serviceaccount.identity.l5d.example.org"]
    custom = Cluster(trust_domain="example.org", control_plane_namespace="l5d")
    assert (
        verdict(plan, "GET", "/api/x", identity=custom.identity("web", "shop"), cluster=custom)
        == "allowed"
    )
    assert verdict(plan, "GET", "/api/x") == "forbidden"


def test_udp_route_is_a_warning_and_never_an_allow() -> None:
    rules: list[dict[str, Any]] = [
        {"kind": "UDPRoute", "name": "dns"},
        {"kind": "HTTPRouteGroup", "name": "api-routes", "matches": ["api"]},
    ]
    plan = plan_of(target(rules=rules))
    (warning,) = [w for w in plan.warnings if "UDPRoute dns" in w]
    assert warning.owner.name == "web-to-api"  # type: ignore[attr-defined]
    assert verdict(plan, "GET", "/api/x") == "allowed"
    udp_only = plan_of(target(rules=[{"kind": "UDPRoute", "name": "dns"}]))
    assert not of_kind(udp_only, "AuthorizationPolicy")
    assert [w for w in udp_only.warnings if "only UDPRoute rules" in w]


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


def test_http_rule_without_a_known_http_port_is_an_error_naming_the_manifest() -> None:
    with pytest.raises(TranslationError) as caught:
        plan_of(
            target(["api"], name="web-to-web", destination="web"),
            target(["api"], destination="ghost"),
        )
    problems = {(p.name, p.path): p.message for p in caught.value.problems}
    assert "Service" in problems[("web-to-web", "spec.rules[0]")]
    assert ("web-to-api", "spec.destination.name") in problems  # every problem, at once


def test_grpc_app_protocol_is_http2_when_routes_are_attached() -> None:
    extra = """
---
apiVersion: v1
kind: Service
metadata: {name: api-grpc, namespace: shop}
spec:
  selector: {app: api}
  ports: [{name: grpc, port: 9090, appProtocol: grpc}]
"""
    plan = plan_of(target(["everything"]), extra=extra)
    protocols = {s["spec"]["port"]: s["spec"].get("proxyProtocol") for s in of_kind(plan, "Server")}
    assert protocols == {3306: None, 8080: "HTTP/1", 9090: "HTTP/2"}
    assert verdict(plan, "POST", "/pkg.Svc/Call", port=9090) == "allowed"


# --- plan properties, CLI, gateway-api -----------------------------------------------------


def test_same_input_in_another_order_gives_the_same_plan() -> None:
    first = plan_of(target(["api"], name="b"), target(["health"], name="a"))
    second = plan_of(target(["health"], name="a"), target(["api"], name="b"))
    assert first.to_json() == second.to_json()
    kinds = [r.properties["kind"] for r in first]
    assert kinds == sorted(
        kinds, key=["Server", "HTTPRoute", "MeshTLSAuthentication", "AuthorizationPolicy"].index
    )


def test_every_policy_has_exactly_one_authentication() -> None:
    l4 = target(
        rules=[{"kind": "TCPRoute", "name": "http-port"}],
        name="other-all",
        sources="[{kind: ServiceAccount, name: other}, {kind: ServiceAccount, name: x}]",
    )
    plan = plan_of(target(["api", "health"]), l4, probe_routes=True, probe_paths=["/healthz"])
    for policy in of_kind(plan, "AuthorizationPolicy"):
        assert len(policy["spec"]["requiredAuthenticationRefs"]) == 1
    assert len(of_kind(plan, "MeshTLSAuthentication")) == 2
    assert not admission_problems(manifests(plan), [API])


def test_cli_convert(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(CLUSTER + target(["api"]))
    out = io.StringIO()
    args = ["convert", "--mesh", "linkerd", "--set", "trust_domain=example.org", "-o", "json"]
    assert main([*args, str(path)], stdout=out) == 0
    document = json.loads(out.getvalue())
    objects = [r["properties"] for r in document["resources"]]
    custom = Cluster(trust_domain="example.org")
    request = Request(custom.identity("web", "shop"), 8080, "GET", "/api/x")
    assert evaluate(objects, API, request, custom)
    assert not evaluate(objects, API, Request(WEB, 8080, "GET", "/api/x"), custom)
    assert any("kubelet" in w for w in document["warnings"])


def test_gateway_api_with_linkerd_policy() -> None:
    specs = load_text(CLUSTER + target(["api"]))
    plan = translate(specs, "gateway-api", {"policy": "linkerd"})
    assert {r.properties["kind"] for r in plan} >= {"Server", "HTTPRoute", "AuthorizationPolicy"}
    assert verdict(plan, "GET", "/api/x") == "allowed"
    assert verdict(plan, "GET", "/api/x", identity=OTHER) == "forbidden"


# --- the evaluator itself ------------------------------------------------------------------


def test_evaluator_path_prefix_identity_wildcards_and_localhost() -> None:
    prefix = {"type": "PathPrefix", "value": "/api/"}
    assert path_match_length(prefix, "/api") == 4 and path_match_length(prefix, "/api/x") == 4
    assert path_match_length(prefix, "/apix") is None
    assert path_match_length({"type": "RegularExpression", "value": "/a|/ab"}, "/ab") is None
    assert identity_matches("*", WEB) and identity_matches(
        "*.shop.serviceaccount.identity.linkerd.cluster.local", WEB
    )
    assert not identity_matches("*.data.serviceaccount.identity.linkerd.cluster.local", WEB)
    server = {
        "kind": "Server",
        "metadata": {"name": "s", "namespace": "shop"},
        "spec": {"podSelector": {"matchLabels": {"app": "api"}}, "port": "http"},
    }
    assert not evaluate([server], API, Request(WEB, 8080))
    assert evaluate([server], API, Request(None, 8080, ip="127.0.0.1"))
    assert evaluate([], API, Request(None, 8080))  # default all-unauthenticated
    assert not evaluate([], API, Request(None, 8080), Cluster(default_policy="all-authenticated"))


def test_evaluator_reports_ties_between_routes_that_decide_differently() -> None:
    def route(name: str) -> dict[str, Any]:
        return {
            "apiVersion": "policy.linkerd.io/v1beta3",
            "kind": "HTTPRoute",
            "metadata": {"name": name, "namespace": "shop"},
            "spec": {"parentRefs": [{"kind": "Server", "name": "s"}], "rules": [{}]},
        }

    server = {
        "kind": "Server",
        "metadata": {"name": "s", "namespace": "shop"},
        "spec": {"podSelector": {"matchLabels": {"app": "api"}}, "port": 8080},
    }
    auth = {
        "kind": "NetworkAuthentication",
        "metadata": {"name": "n", "namespace": "shop"},
        "spec": {"networks": [{"cidr": "0.0.0.0/0"}]},
    }
    policy = {
        "kind": "AuthorizationPolicy",
        "metadata": {"name": "p", "namespace": "shop"},
        "spec": {
            "targetRef": {"kind": "HTTPRoute", "name": "a"},
            "requiredAuthenticationRefs": [{"kind": "NetworkAuthentication", "name": "n"}],
        },
    }
    objects = [server, route("a"), route("b"), auth, policy]
    assert evaluate(objects, API, Request(None, 8080, "GET", "/")).verdict == "ambiguous"
