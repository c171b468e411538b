"""TrafficTarget -> Linkerd: SMI's default deny on every port the manifests declare.

A destination pod port without a Server follows the cluster's default inbound policy
(``all-unauthenticated`` unless configured): anyone may connect. So every known port of the
destination's pods gets a Server, denied unless a TrafficTarget grants it. Verdicts come from
``evaluate.linkerd_policy`` (Linkerd's inbound semantics), run on the emitted objects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from evaluate.linkerd_policy import Cluster, Pod, Request, admission_problems, evaluate

from pulumi_smi.meshes import translate
from pulumi_smi.plan import Plan
from pulumi_smi.spec import load_text

CLUSTER = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      containers:
      - name: api
        image: api
        ports:
        - {name: http, containerPort: 8080}
        - {containerPort: 6379}
        - {name: admin, containerPort: 8081}
        livenessProbe: {httpGet: {path: /healthz, port: admin}}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports:
  - {name: http, port: 80, targetPort: http, appProtocol: http}
  - {name: metrics, port: 9102}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {serviceAccountName: web, containers: [{name: web, image: web}]}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: api-routes, namespace: shop}
spec:
  matches:
  - {name: reads, pathRegex: /api/.*, methods: [GET]}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: http-port, namespace: shop}
spec: {matches: {ports: [80]}}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: every-port, namespace: shop}
spec: {}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: UDPRoute
metadata: {name: dns, namespace: shop}
spec: {matches: {ports: [53]}}
"""

LINKERD = Cluster()
API = Pod("shop", {"app": "api"}, {"http": 8080, "admin": 8081}, {8081: ["/healthz"]})
WEB = LINKERD.identity("web", "shop")
OTHER = LINKERD.identity("other", "shop")
NODE_IP = "192.168.0.7"
UNDECLARED = 7000


def target(rules: list[dict[str, Any]], name: str = "web-to-api", extra: str = "") -> str:
    """A TrafficTarget from ServiceAccount web to api with ``rules``."""
    return f"""
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {{name: {name}, namespace: shop}}
spec:
  destination: {{kind: ServiceAccount, name: api}}
  sources: [{{kind: ServiceAccount, name: web}}]
  rules: {json.dumps(rules)}
{extra}"""


READS = [{"kind": "HTTPRouteGroup", "name": "api-routes", "matches": ["reads"]}]
HTTP_PORT = [{"kind": "TCPRoute", "name": "http-port"}]
EVERY_PORT = [{"kind": "TCPRoute", "name": "every-port"}]


def plan_of(*targets: str, mesh: str = "linkerd", cluster: str = CLUSTER, **options: Any) -> Plan:
    return translate(load_text(cluster + "".join(targets)), mesh, options)


def manifests(plan: Plan) -> list[Mapping[str, Any]]:
    return [r.properties for r in plan if r.is_kubernetes]


def verdict(
    plan: Plan,
    port: int,
    method: str | None = None,
    path: str = "/",
    identity: str | None = WEB,
    ip: str = "10.1.2.3",
    pod: Pod = API,
    cluster: Cluster = LINKERD,
) -> str:
    request = Request(identity, port, method, path, {}, ip)
    return evaluate(manifests(plan), pod, request, cluster).verdict


def servers(plan: Plan) -> dict[str, Mapping[str, Any]]:
    return {m["metadata"]["name"]: m["spec"] for m in manifests(plan) if m["kind"] == "Server"}


# --- default deny on the ports no rule names ------------------------------------------------


def test_an_ungranted_declared_port_is_denied_even_to_the_allowed_source() -> None:
    plan = plan_of(target(READS))
    assert verdict(plan, 8080, "GET", "/api/x") == "allowed"
    # redis: a container port without a name, granted to no one: denied, not default-allowed
    for identity in (WEB, OTHER, None):
        assert verdict(plan, 6379, identity=identity) == "refused"
        assert verdict(plan, 6379, "GET", "/api/x", identity=identity) == "forbidden"
    # so is the port only the Service declares (targetPort 9102, no containerPort)
    assert verdict(plan, 9102) == "refused"
    assert set(servers(plan)) == {"api-6379", "api-8080", "api-8081", "api-9102"}
    assert servers(plan)["api-6379"] == {
        "podSelector": {"matchLabels": {"app": "api"}},
        "port": 6379,
        "accessPolicy": "deny",
    }
    targeted = {
        m["spec"]["targetRef"]["name"]
        for m in manifests(plan)
        if m["kind"] == "AuthorizationPolicy"
    }
    assert not targeted & {"api-6379", "api-8081", "api-9102"}
    assert not admission_problems(manifests(plan), [API])


def test_a_port_no_manifest_declares_follows_the_default_inbound_policy() -> None:
    plan = plan_of(target(READS))
    assert verdict(plan, UNDECLARED, identity=None) == "allowed"  # all-unauthenticated
    closed = Cluster(default_policy="deny")
    assert verdict(plan, UNDECLARED, identity=None, cluster=closed) == "refused"
    (warning,) = [w for w in plan.warnings if "default-inbound-policy" in w]
    assert warning.startswith("namespace shop: every port the manifests declare")
    assert "a port they do not declare" in warning


def test_a_tcp_route_without_ports_grants_every_known_port() -> None:
    plan = plan_of(target(EVERY_PORT))
    for port in (6379, 8080, 8081, 9102):
        assert verdict(plan, port, "POST", "/x") == "allowed"
        assert verdict(plan, port, "POST", "/x", identity=OTHER) == "forbidden"
    for port in (6379, 8081, 9102):  # 8080 is HTTP/1 (appProtocol http): no raw TCP there
        assert verdict(plan, port) == "allowed"
        assert verdict(plan, port, identity=OTHER) == "refused"
    (warning,) = [w for w in plan.warnings if "allows every port" in w]
    assert "spec.rules[0] allows every port" in warning
    assert "(6379, 8080, 8081, 9102)" in warning
    assert not admission_problems(manifests(plan), [API])


def test_tcp_ports_and_http_rules_together_deny_the_other_ports() -> None:
    plan = plan_of(target(READS + HTTP_PORT))
    assert verdict(plan, 8080, "GET", "/api/x") == "allowed"
    assert verdict(plan, 8080) == "refused"  # HTTP on that port only, no raw TCP
    for port in (6379, 8081, 9102):
        assert verdict(plan, port, "GET", "/api/x") == "forbidden"


def test_a_destination_with_only_udp_rules_is_denied_on_every_declared_port() -> None:
    plan = plan_of(target([{"kind": "UDPRoute", "name": "dns"}]))
    for port in (6379, 8080, 8081, 9102):
        assert verdict(plan, port) == "refused"
    assert [w for w in plan.warnings if "only UDPRoute rules" in w]
    assert not [m for m in manifests(plan) if m["kind"] == "AuthorizationPolicy"]


def test_gateway_api_with_linkerd_policy_denies_the_ungranted_ports_too() -> None:
    plan = plan_of(target(READS), mesh="gateway-api", policy="linkerd")
    assert verdict(plan, 8080, "GET", "/api/x") == "allowed"
    assert verdict(plan, 6379) == "refused"


# --- probes ---------------------------------------------------------------------------------


def test_kubelet_http_probes_reach_a_denied_port() -> None:
    plan = plan_of(target(READS))
    # no route on api-8081: Linkerd's default probe route authorizes the probe paths
    assert verdict(plan, 8081, "GET", "/healthz", identity=None, ip=NODE_IP) == "allowed"
    assert verdict(plan, 8081, "GET", "/other", identity=None, ip=NODE_IP) == "forbidden"
    assert verdict(plan, 8081, "POST", "/healthz", identity=None, ip=NODE_IP) == "forbidden"
    assert verdict(plan, 8081, "GET", "/healthz", identity=WEB) == "allowed"  # the probe route
    assert verdict(plan, 8081, "GET", "/other", identity=WEB) == "forbidden"
    assert not [w for w in plan.warnings if "8081" in w]


def test_a_denied_port_keeps_the_protocol_a_granted_one_would_have_but_for_probes() -> None:
    # Linkerd serves an unmeshed client (the kubelet) of an HTTP/2 or gRPC Server as HTTP/2
    # only, so HTTP/1.1 probes would fail there: with probes, the protocol is detected
    more = (
        "appProtocol: http}\n"
        "  - {name: h2, port: 8081, appProtocol: kubernetes.io/h2c}\n"
        "  - {name: rpc, port: 6379, appProtocol: grpc}"
    )
    cluster = CLUSTER.replace("appProtocol: http}", more)
    plan = plan_of(target([{"kind": "UDPRoute", "name": "dns"}]), cluster=cluster)
    protocols = {name: spec.get("proxyProtocol") for name, spec in servers(plan).items()}
    assert protocols == {
        "api-6379": "gRPC",  # no probes there
        "api-8080": "HTTP/1",
        "api-8081": None,  # HTTP/2 would break the kubelet's /healthz probe
        "api-9102": None,  # no appProtocol: detected
    }
    assert verdict(plan, 8081, "GET", "/healthz", identity=None, ip=NODE_IP) == "allowed"


# --- shared Servers -------------------------------------------------------------------------


def test_traffic_targets_translated_apart_plan_their_shared_servers_alike() -> None:
    # an L7 grant on 8080 and an L4 grant on 9102, in separate plans (separate components):
    # each denies the other's port with the same Server the other grants on
    metrics = {"kind": "TCPRoute", "name": "metrics"}
    route = "---\napiVersion: specs.smi-spec.io/v1alpha4\nkind: TCPRoute\n"
    route += "metadata: {name: metrics, namespace: shop}\nspec: {matches: {ports: [9102]}}\n"
    first = servers(plan_of(target(READS)))
    second = servers(plan_of(target([metrics], name="web-scrapes-api"), cluster=CLUSTER + route))
    assert first == second


def test_workloads_selected_apart_get_a_server_per_workload_and_port() -> None:
    # the two workloads of api share no label: one selection (and Server) per workload
    cluster = (
        CLUSTER
        + """
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch, namespace: shop}
spec:
  template:
    metadata: {labels: {app: batch}}
    spec:
      serviceAccountName: api
      containers: [{name: batch, image: batch, ports: [{containerPort: 5000}]}]
"""
    )
    plan = plan_of(target(HTTP_PORT), cluster=cluster)
    batch = Pod("shop", {"app": "batch"}, {})
    assert verdict(plan, 5000, pod=batch) == "refused"
    assert verdict(plan, 6379, pod=batch) == "allowed"  # not a port of batch's pods
    assert verdict(plan, 6379) == "refused"
    assert verdict(plan, 8080, "POST", "/x") == "allowed"
    assert {"api-batch-5000", "api-api-6379", "api-api-8080"} <= set(servers(plan))
    assert not admission_problems(manifests(plan), [API, batch])
