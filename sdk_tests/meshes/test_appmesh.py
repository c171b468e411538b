"""Target ``appmesh``: where calls go, who may call, and strict botocore checks of every input."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from typing import Any

import boto3
import pytest
from botocore_check import violations
from evaluate.appmesh import DENIED, NO_ROUTE, Call, Mesh
from moto import mock_aws

from pulumi_smi.errors import TranslationError
from pulumi_smi.meshes.appmesh import AppMeshOptions, translate
from pulumi_smi.meshes.base import default_namer
from pulumi_smi.plan import Plan
from pulumi_smi.spec import load_text

NS = "shop"


def host(service: str) -> str:
    return f"{service}.{NS}.svc.cluster.local"


def app(name: str, port: str = "80/http", account: str | None = None, svc: bool = True) -> str:
    """A Deployment (pods app=NAME, ServiceAccount) and, with ``svc``, its Service."""
    number, _, protocol = port.partition("/")
    app_protocol = f", appProtocol: {protocol}" if protocol else ""
    service = (
        f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {NS}}}\n"
        f"spec: {{selector: {{app: {name}}}, ports: [{{port: {number}{app_protocol}}}]}}\n"
    )
    return (
        f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {NS}}}\n"
        f"spec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n"
        f"    metadata: {{labels: {{app: {name}}}}}\n"
        f"    spec: {{serviceAccountName: {account or name}, "
        "containers: [{name: c, image: i}]}\n" + (service if svc else "")
    )


def split(name: str, apex: str, backends: dict[str, int], matches: tuple[str, ...] = ()) -> str:
    refs = "".join(f"\n  - {{kind: HTTPRouteGroup, name: {m}}}" for m in matches)
    items = "".join(f"\n  - {{service: {s}, weight: {w}}}" for s, w in backends.items())
    return (
        f"---\napiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\n"
        f"metadata: {{name: {name}, namespace: {NS}}}\nspec:\n  service: {apex}\n"
        f"  backends:{items}\n" + (f"  matches:{refs}\n" if matches else "")
    )


def group(name: str, *matches: str) -> str:
    body = "".join(f"\n  - {m}" for m in matches)
    return (
        f"---\napiVersion: specs.smi-spec.io/v1alpha4\nkind: HTTPRouteGroup\n"
        f"metadata: {{name: {name}, namespace: {NS}}}\nspec:\n  matches:{body}\n"
    )


def target(name: str, destination: str, sources: list[str], rules: str) -> str:
    items = "".join(f"\n  - {{kind: ServiceAccount, name: {s}}}" for s in sources)
    return (
        f"---\napiVersion: access.smi-spec.io/v1alpha3\nkind: TrafficTarget\n"
        f"metadata: {{name: {name}, namespace: {NS}}}\nspec:\n"
        f"  destination: {{kind: ServiceAccount, name: {destination}}}\n"
        f"  sources:{items}\n  rules:\n  - {rules}\n"
    )


def appmesh(*docs: str, **options: Any) -> Plan:
    plan = translate(load_text("".join(docs)), AppMeshOptions(**options), default_namer)
    for resource in plan:
        api, params = api_input(resource.type, dict(resource.properties))
        assert violations("appmesh", api, params) == [], (resource.name, params)
    return plan


def go(plan: Plan, **call: Any) -> dict[str, Fraction]:
    call.setdefault("host", host("web"))
    return Mesh(r.to_dict() for r in plan).call(Call(**call))


def of(plan: Plan, kind: str) -> list[dict[str, Any]]:
    return [dict(r.properties) for r in plan if r.type.endswith(f":{kind}")]


_OPERATIONS = {
    "Mesh": ("CreateMesh", "meshName"),
    "VirtualNode": ("CreateVirtualNode", "virtualNodeName"),
    "VirtualRouter": ("CreateVirtualRouter", "virtualRouterName"),
    "Route": ("CreateRoute", "routeName"),
    "VirtualService": ("CreateVirtualService", "virtualServiceName"),
}
_RENAMES = {"metadatas": "metadata", "exacts": "exact"}  # pulumi-aws names -> API names


def _api(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {_RENAMES.get(k, k): _api(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_api(v, names) for v in value]
    if isinstance(value, str):  # ${res.name} -> that resource's name (or a stand-in)
        return re.sub(r"\$\{([^.}]+)\.name\}", lambda m: names.get(m.group(1), "n"), value)
    return value


def api_input(
    token: str, properties: dict[str, Any], names: dict[str, str] | None = None
) -> tuple[str, dict[str, Any]]:
    """The App Mesh API operation and its parameters for one planned resource."""
    operation, name_key = _OPERATIONS[token.rsplit(":", 1)[1]]
    params = _api(properties, names or {})
    params[name_key] = params.pop("name")
    return operation, params


WEB = app("web") + app("web-v1") + app("web-v2") + app("web-v3")


def test_canary_90_10() -> None:
    plan = appmesh(WEB, split("canary", "web", {"web-v1": 90, "web-v2": 10}))
    assert go(plan) == {host("web-v1"): Fraction(9, 10), host("web-v2"): Fraction(1, 10)}
    (router,) = of(plan, "VirtualRouter")
    assert router["name"] == "web_shop"
    assert router["spec"] == {"listeners": [{"portMapping": {"port": 80, "protocol": "http"}}]}
    (service,) = of(plan, "VirtualService")
    assert service["name"] == host("web")
    assert service["spec"]["provider"] == {
        "virtualRouter": {"virtualRouterName": "${shop-canary-virtualrouter.name}"}
    }
    (route,) = of(plan, "Route")
    assert route["spec"]["priority"] == 1000
    assert route["spec"]["httpRoute"]["action"]["weightedTargets"] == [
        {"virtualNode": "${shop-web-v1-virtualnode.name}", "weight": 90},
        {"virtualNode": "${shop-web-v2-virtualnode.name}", "weight": 10},
    ]
    node = next(n for n in of(plan, "VirtualNode") if n["name"] == "web-v1_shop")
    assert node["spec"] == {
        "listeners": [{"portMapping": {"port": 80, "protocol": "http"}}],
        "serviceDiscovery": {"dns": {"hostname": host("web-v1")}},
    }
    (mesh,) = of(plan, "Mesh")
    assert mesh == {"name": "smi", "spec": {"egressFilter": {"type": "DROP_ALL"}}}
    assert all(p["meshName"] == "${smi-appmesh-mesh.name}" for p in of(plan, "Route"))


def test_three_way_split_sums_to_100() -> None:
    plan = appmesh(WEB, split("s", "web", {"web-v1": 1, "web-v2": 1, "web-v3": 1}))
    (route,) = of(plan, "Route")
    assert [t["weight"] for t in route["spec"]["httpRoute"]["action"]["weightedTargets"]] == [
        34,
        33,
        33,
    ]


def test_zero_weight_backend_gets_a_node_but_no_target() -> None:
    plan = appmesh(WEB, split("s", "web", {"web-v1": 100, "web-v2": 0}))
    assert go(plan) == {host("web-v1"): Fraction(1)}
    assert {n["name"] for n in of(plan, "VirtualNode")} == {"web-v1_shop", "web-v2_shop"}


def test_header_ab_with_catch_all_to_the_apex() -> None:
    plan = appmesh(
        WEB,
        group("beta", '{name: beta, headers: {x-beta: "true"}}'),
        split("ab", "web", {"web-v2": 1}, matches=("beta",)),
    )
    assert go(plan, headers={"X-Beta": "true"}) == {host("web-v2"): Fraction(1)}
    assert go(plan, headers={"x-beta": "truex"}) == {host("web"): Fraction(1)}
    assert go(plan) == {host("web"): Fraction(1)}
    priorities = [r["spec"]["priority"] for r in of(plan, "Route")]
    assert priorities == [0, 1000]


def test_path_ab_keeps_smi_start_anchoring() -> None:
    plan = appmesh(
        WEB,
        group("paths", "{name: api, pathRegex: /api}", "{name: item, pathRegex: '/item/[0-9]+'}"),
        split("ab", "web", {"web-v2": 1}, matches=("paths",)),
        split("main", "web", {"web-v1": 1}),
    )
    v1, v2 = {host("web-v1"): Fraction(1)}, {host("web-v2"): Fraction(1)}
    assert go(plan, path="/api/v1") == v2
    assert go(plan, path="/x/api") == v1
    assert go(plan, path="/item/42/reviews") == v2
    assert go(plan, path="/item/x") == v1


def test_one_route_per_method() -> None:
    plan = appmesh(
        WEB,
        group("w", "{name: writes, pathRegex: /orders, methods: [POST, PUT]}"),
        split("ab", "web", {"web-v2": 1}, matches=("w",)),
    )
    methods = [r["spec"]["httpRoute"]["match"].get("method") for r in of(plan, "Route")]
    assert methods == ["POST", "PUT", None]
    assert go(plan, method="PUT", path="/orders") == {host("web-v2"): Fraction(1)}
    assert go(plan, method="GET", path="/orders") == {host("web"): Fraction(1)}


def test_tcp_apex_gets_a_tcp_route() -> None:
    db = app("db", "5432") + app("db-v1", "5432") + app("db-v2", "5432")
    plan = appmesh(db, split("db", "db", {"db-v1": 3, "db-v2": 1}))
    (route,) = of(plan, "Route")
    assert route["spec"]["tcpRoute"]["action"]["weightedTargets"][0]["weight"] == 75
    assert go(plan, host=host("db")) == {
        host("db-v1"): Fraction(3, 4),
        host("db-v2"): Fraction(1, 4),
    }


def test_grpc_apex_gets_grpc_routes() -> None:
    svc = app("rpc", "50051/grpc") + app("rpc-v1", "50051/grpc") + app("rpc-v2", "50051/grpc")
    plan = appmesh(
        svc,
        group("m", "{name: get, pathRegex: '/shop\\.Orders/Get$', headers: {x-canary: '1'}}"),
        split("ab", "rpc", {"rpc-v2": 1}, matches=("m",)),
        split("main", "rpc", {"rpc-v1": 1}),
    )
    first = of(plan, "Route")[0]["spec"]["grpcRoute"]["match"]
    assert first["serviceName"] == "shop.Orders" and first["methodName"] == "Get"
    call = {"host": host("rpc"), "method": "POST", "path": "/shop.Orders/Get"}
    assert go(plan, **call, headers={"x-canary": "1"}) == {host("rpc-v2"): Fraction(1)}
    assert go(plan, **call) == {host("rpc-v1"): Fraction(1)}


# the split's backends run as the apex's ServiceAccount: a backend for VirtualService web
# reaches pods of ServiceAccount web only
ACCESS = (
    app("web")
    + app("web-v1", account="web")
    + app("web-v2", account="web")
    + app("front")
    + app("cron", account="batch", svc=False)
    + app("other")
    + group("reads", "{name: read, pathRegex: /api/.*, methods: [GET]}", "{name: all}")
    + split("canary", "web", {"web-v1": 90, "web-v2": 10})
)
TCP = """---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: %s, namespace: shop}
spec: {matches: {ports: %s}}
"""


def test_traffic_target_allows_sources_only() -> None:
    plan = appmesh(
        ACCESS,
        target("t", "web", ["front", "batch"], "{kind: HTTPRouteGroup, name: reads}"),
    )
    allowed = {host("web-v1"): Fraction(9, 10), host("web-v2"): Fraction(1, 10)}
    assert go(plan, client="front_shop") == allowed
    assert go(plan, client="cron_shop") == allowed  # client-only workload: listener-less node
    assert go(plan, client="other_shop") == {DENIED: Fraction(1)}
    assert go(plan, client="web-v1_shop") == {DENIED: Fraction(1)}
    assert "backends" not in nodes(plan)["other_shop"]["spec"]  # in the mesh, reaching nothing
    assert not [w for w in plan.warnings if "TrafficTarget " in w]  # match 'all': every request
    assert any("a caller outside the mesh (no Envoy)" in w for w in plan.warnings)


def nodes(plan: Plan) -> dict[str, dict[str, Any]]:
    """VirtualNodes by App Mesh name."""
    return {n["name"]: n for n in of(plan, "VirtualNode")}


def test_every_workload_of_a_traffic_target_namespace_is_in_the_mesh() -> None:
    # the sources front (shop) and worker (ops) are granted web; other, web's own pods, cron
    # (no Service) and ops' idle get nodes that reach nothing; lab holds no TrafficTarget
    elsewhere = (
        app("worker").replace(f"namespace: {NS}", "namespace: ops")
        + app("idle").replace(f"namespace: {NS}", "namespace: ops")
        + app("toy").replace(f"namespace: {NS}", "namespace: lab")
    )
    text = ACCESS + elsewhere + target("t", "web", ["front"], "{kind: HTTPRouteGroup, name: reads}")
    text = text.replace(
        "  - {kind: ServiceAccount, name: front}",
        "  - {kind: ServiceAccount, name: front}\n  - {kind: ServiceAccount, name: worker, "
        "namespace: ops}",
    )
    plan = appmesh(text)
    found = nodes(plan)
    assert set(found) == {
        "web_shop",
        "web-v1_shop",
        "web-v2_shop",
        "front_shop",
        "cron_shop",
        "other_shop",
        "worker_ops",
        "idle_ops",
    }
    granted = {"front_shop", "worker_ops"}
    assert {n for n, node in found.items() if node["spec"].get("backends")} == granted
    assert found["cron_shop"]["spec"] == {}  # a client no Service selects: no listeners
    assert found["other_shop"]["spec"]["listeners"] == [
        {"portMapping": {"port": 80, "protocol": "http"}}
    ]
    allowed = {host("web-v1"): Fraction(9, 10), host("web-v2"): Fraction(1, 10)}
    assert go(plan, client="worker_ops") == allowed
    for client in ("other_shop", "cron_shop", "idle_ops", "web-v1_shop"):
        assert go(plan, client=client) == {DENIED: Fraction(1)}
        assert go(plan, client=client, host=host("front")) == {DENIED: Fraction(1)}
    (warning,) = [w for w in plan.warnings if "every known workload of namespace" in w]
    assert "namespace ops, shop (holding destinations or sources of TrafficTargets)" in warning
    assert "none when no TrafficTargets allow it anything" in warning
    assert any("a caller outside the mesh (no Envoy)" in w for w in plan.warnings)


def test_a_namespace_node_keeps_its_name_when_a_traffic_target_names_it_later() -> None:
    rules = "{kind: HTTPRouteGroup, name: reads, matches: [all]}"
    before = nodes(appmesh(ACCESS, target("t", "web", ["front"], rules)))
    after = nodes(appmesh(ACCESS, target("t", "web", ["front", "other"], rules)))
    assert set(before) == set(after)
    assert "backends" not in before["other_shop"]["spec"]
    assert after["other_shop"]["spec"]["backends"] == after["front_shop"]["spec"]["backends"]
    names = {r.name for r in appmesh(ACCESS, target("t", "web", ["front"], rules))}
    assert {"shop-other-virtualnode", "shop-batch-virtualnode-cron"} <= names


def test_a_workload_with_a_virtual_node_gets_no_other() -> None:
    # Service web-all also selects web-v1's pods, which run as the split's node web-v1_shop
    extra = (
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: web-all, namespace: shop}\n"
        "spec: {selector: {app: web-v1}, ports: [{port: 80}]}\n"
    )
    rules = "{kind: HTTPRouteGroup, name: reads, matches: [all]}"
    plan = appmesh(ACCESS, extra, target("t", "other", ["front"], rules))
    assert "web-all_shop" not in nodes(plan)
    assert {"web-v1_shop", "web_shop", "other_shop", "front_shop", "cron_shop"} <= set(nodes(plan))


def test_splits_alone_put_no_workload_in_the_mesh() -> None:
    plan = appmesh(ACCESS)
    assert set(nodes(plan)) == {"web-v1_shop", "web-v2_shop"}  # the split's backends only
    assert not [w for w in plan.warnings if "every known workload" in w]


def test_a_source_node_shared_with_other_service_accounts_is_an_error_or_left_out() -> None:
    # Service front also selects the pods of front-canary (ServiceAccount canary): both run
    # as VirtualNode front_shop, so a backend on it would let canary call web too
    canary = app("front-canary", account="canary", svc=False).replace(
        "labels: {app: front-canary}", "labels: {app: front, track: canary}"
    )
    rules = "{kind: HTTPRouteGroup, name: reads, matches: [all]}"
    text = ACCESS + canary + target("t", "web", ["front"], rules)
    with pytest.raises(
        TranslationError,
        match=r"spec.sources\[0\].name: Service shop/front also selects pods of ServiceAccount "
        r"canary: they share its VirtualNode front_shop",
    ):
        appmesh(text)
    plan = appmesh(text, inexpressible="narrow")
    assert go(plan, client="front_shop") == {DENIED: Fraction(1)}
    assert "backends" not in nodes(plan)["front_shop"]["spec"]
    assert any("share its VirtualNode front_shop" in w and "left out" in w for w in plan.warnings)


TD = "spiffe://example.org"


def svid(account: str) -> str:
    return f"{TD}/ns/{NS}/sa/{account}"


def test_mtls_listeners_take_only_the_allowed_sources_certificates() -> None:
    probed = app("web-v1", account="web").replace(
        "containers: [{name: c, image: i}]",
        "containers: [{name: c, image: i, ports: [{containerPort: 80}], "
        "readinessProbe: {httpGet: {path: /ready, port: 80}}}]",
    )
    text = ACCESS.replace(app("web-v1", account="web"), probed)
    rules = "{kind: HTTPRouteGroup, name: reads, matches: [all]}"
    plan = appmesh(
        text, target("t", "web", ["front", "batch"], rules), mtls_trust_domain="example.org"
    )
    found = nodes(plan)
    # the split's backends take the traffic of VirtualService web (router port 80) and of
    # their own VirtualServices: both listeners name the two sources
    for node in ("web-v1_shop", "web-v2_shop"):
        (listener,) = found[node]["spec"]["listeners"]
        assert listener["tls"] == {
            "mode": "STRICT",
            "certificate": {"sds": {"secretName": svid("web")}},
            "validation": {
                "trust": {"sds": {"secretName": TD}},
                "subjectAlternativeNames": {"match": {"exacts": [svid("batch"), svid("front")]}},
            },
        }
    assert "tls" not in found["front_shop"]["spec"]["listeners"][0]  # no grant lands on it
    policies = [b["virtualService"]["clientPolicy"] for b in found["cron_shop"]["spec"]["backends"]]
    assert len(policies) == 3
    assert policies[0] == {
        "tls": {
            "enforce": True,
            "certificate": {"sds": {"secretName": svid("batch")}},
            "validation": {
                "trust": {"sds": {"secretName": TD}},
                "subjectAlternativeNames": {"match": {"exacts": [svid("web")]}},
            },
        }
    }
    mesh = Mesh(r.to_dict() for r in plan)
    assert mesh.refusal("front_shop", host("web"), "web-v1_shop", 80) is None
    assert mesh.refusal("cron_shop", host("web-v2"), "web-v2_shop", 80) is None
    assert mesh.refusal(None, host("web"), "web-v1_shop", 80) == "the listener takes TLS only"
    assert mesh.refusal("other_shop", host("web"), "web-v1_shop", 80) == (
        "the listener takes TLS only"
    )
    assert mesh.refusal(None, host("front"), "front_shop", 80) is None  # plaintext, warned
    (warning,) = [w for w in plan.warnings if "a caller outside the mesh (no Envoy)" in w]
    assert "except on the listeners given STRICT mTLS (mtls_trust_domain)" in warning
    assert "the plaintext listeners of cron_shop" not in warning  # cron has no listener
    assert "front_shop, other_shop, web_shop (no TrafficTarget grant lands on them)" in warning
    (probe,) = [w for w in plan.warnings if "kubelet HTTP probes" in w]
    assert probe.startswith("TrafficTarget shop/t: Deployment shop/web-v1 has kubelet HTTP probes")
    assert "(/ready) on port 80, a STRICT mTLS listener of VirtualNode web-v1_shop" in probe


def test_mtls_refuses_a_certificate_the_listener_does_not_list() -> None:
    rules = "{kind: HTTPRouteGroup, name: reads, matches: [all]}"
    plan = appmesh(ACCESS, target("t", "web", ["front"], rules), mtls_trust_domain="example.org")
    resources = [r.to_dict() for r in plan]
    front = next(r for r in resources if r["properties"]["name"] == "front_shop")
    other = next(r for r in resources if r["properties"]["name"] == "other_shop")
    forged = json.loads(
        json.dumps(front["properties"]["spec"]["backends"]).replace("front", "other")
    )
    other["properties"]["spec"]["backends"] = forged
    mesh = Mesh(resources)
    assert mesh.refusal("other_shop", host("web"), "web-v1_shop", 80) == (
        f"the listener does not accept the client certificate {svid('other')}"
    )


def test_mtls_trust_domain_is_a_spiffe_trust_domain_name() -> None:
    with pytest.raises(ValueError, match="SPIFFE trust domain"):
        AppMeshOptions(mtls_trust_domain="spiffe://example.org")
    plan = appmesh(ACCESS, target("t", "web", ["front"], "{kind: HTTPRouteGroup, name: reads}"))
    assert not [n for n in of(plan, "VirtualNode") if "tls" in json.dumps(n)]
    assert any("or set mtls_trust_domain (SPIRE)" in w for w in plan.warnings)


def test_a_client_node_refers_to_its_backends_so_they_are_created_first() -> None:
    plan = appmesh(ACCESS, target("t", "web", ["front"], "{kind: HTTPRouteGroup, name: reads}"))
    by_name = {r.name: r for r in plan}
    front = by_name["shop-front-virtualnode"]
    names = [
        b["virtualService"]["virtualServiceName"] for b in front.properties["spec"]["backends"]
    ]
    assert names == [
        "${shop-web-v1-virtualservice.name}",
        "${shop-web-v2-virtualservice.name}",
        "${shop-web-virtualservice.name}",
    ]
    assert {"shop-web-virtualservice", "shop-web-v1-virtualservice"} <= front.references()
    assert Plan(plan.resources)  # the references resolve; no cycle is needed to order them


@pytest.mark.parametrize(
    "match",
    [
        "{name: read, pathRegex: /api/.*}",
        "{name: read, methods: [GET]}",
        '{name: read, headers: {x-user: "jason"}}',
    ],
)
def test_a_match_app_mesh_cannot_limit_is_an_error_or_no_backend(match: str) -> None:
    text = (
        ACCESS
        + group("limited", match)
        + target("t", "web", ["front"], "{kind: HTTPRouteGroup, name: limited}")
    )
    with pytest.raises(TranslationError) as info:
        appmesh(text)
    (problem,) = info.value.problems
    assert (problem.kind, problem.name, problem.path) == ("TrafficTarget", "t", "spec.rules[0]")
    assert "App Mesh cannot limit an allow to paths, methods or headers" in problem.message
    assert "inexpressible=narrow" in problem.message
    plan = appmesh(text, inexpressible="narrow")
    assert go(plan, client="front_shop") == {DENIED: Fraction(1)}
    (warning,) = [w for w in plan.warnings if "left out" in w]
    assert warning.startswith("TrafficTarget shop/t: spec.rules[0]: HTTPRouteGroup limited")
    assert "App Mesh allows less than SMI" in warning


def test_every_request_match_gives_the_backend_whatever_else_is_allowed() -> None:
    rules = "{kind: HTTPRouteGroup, name: reads, matches: [read, all]}"
    plan = appmesh(ACCESS, target("t", "web", ["front"], rules))
    assert go(plan, client="front_shop", method="DELETE", path="/x") != {DENIED: Fraction(1)}


def test_tcp_ports_must_cover_every_listener_of_the_virtual_service() -> None:
    two = app("db", "5432").replace("ports: [{port: 5432}]", "ports: [{port: 5432}, {port: 9187}]")
    base = two + app("front")
    rules = "{kind: TCPRoute, name: db}"
    every = appmesh(base, TCP % ("db", "[5432, 9187]"), target("t", "db", ["front"], rules))
    assert go(every, host=host("db"), client="front_shop") == {host("db"): Fraction(1)}
    l4 = appmesh(base, TCP % ("db", "[]"), target("t", "db", ["front"], rules))
    assert go(l4, host=host("db"), client="front_shop") == {host("db"): Fraction(1)}
    some = base + TCP % ("db", "[5432]") + target("t", "db", ["front"], rules)
    with pytest.raises(
        TranslationError,
        match=r"spec.rules\[0\]: a backend for VirtualService db.shop.svc.cluster.local would "
        r"allow more than ports 5432 \(listener 9187: not allowed\)",
    ):
        appmesh(some)
    narrowed = appmesh(some, inexpressible="narrow")
    assert go(narrowed, host=host("db"), client="front_shop") == {DENIED: Fraction(1)}
    assert any("would allow more than ports 5432" in w for w in narrowed.warnings)
    with pytest.raises(TranslationError, match="the rule allows no listener of the destination"):
        appmesh(base, TCP % ("db", "[6379]"), target("t", "db", ["front"], rules))


def test_an_http_rule_on_a_raw_tcp_listener_is_an_error_or_no_backend() -> None:
    # an HTTPRouteGroup allows HTTP requests only; a tcp listener would carry any bytes
    text = app("db", "5432") + app("front") + group("g", "{name: all}")
    text += target("t", "db", ["front"], "{kind: HTTPRouteGroup, name: g}")
    with pytest.raises(
        TranslationError,
        match=r"spec.rules\[0\]: a backend for VirtualService db.shop.svc.cluster.local would "
        r"allow more than HTTP requests \(listener 5432: HTTP requests only, but the listener "
        "carries raw TCP\\)",
    ):
        appmesh(text)
    narrowed = appmesh(text, inexpressible="narrow")
    assert go(narrowed, host=host("db"), client="front_shop") == {DENIED: Fraction(1)}


def test_a_source_without_a_workload_is_an_error_or_left_out() -> None:
    rules = "{kind: HTTPRouteGroup, name: reads, matches: [all]}"
    text = ACCESS + target("t", "web", ["front", "ghost"], rules)
    with pytest.raises(
        TranslationError, match=r"spec.sources\[1\].name: no known workload runs as .*shop/ghost"
    ):
        appmesh(text)
    plan = appmesh(text, inexpressible="narrow")
    assert go(plan, client="front_shop") != {DENIED: Fraction(1)}
    assert any(w.startswith("TrafficTarget shop/t: spec.sources[1].name: ") for w in plan.warnings)


def test_a_virtual_service_reaching_other_service_accounts_is_an_error() -> None:
    # WEB: web-v1 and web-v2 run as their own ServiceAccounts, which the apex reaches
    text = WEB + app("front") + group("g", "{name: all}") + split("s", "web", {"web-v1": 1})
    text += target("t", "web", ["front"], "{kind: HTTPRouteGroup, name: g}")
    with pytest.raises(
        TranslationError,
        match=r"spec.destination.name: VirtualService web.shop.svc.cluster.local also reaches "
        "pods of ServiceAccount web-v1",
    ):
        appmesh(text)
    narrowed = appmesh(text, inexpressible="narrow")
    assert go(narrowed, client="front_shop") == {DENIED: Fraction(1)}


def test_udp_rules_allow_nothing_with_a_warning() -> None:
    udp = (
        "---\napiVersion: specs.smi-spec.io/v1alpha4\nkind: UDPRoute\n"
        "metadata: {name: dns, namespace: shop}\nspec: {matches: {ports: [53]}}\n"
    )
    plan = appmesh(ACCESS, udp, target("t", "web", ["front"], "{kind: UDPRoute, name: dns}"))
    assert go(plan, client="front_shop") == {DENIED: Fraction(1)}
    assert any("UDPRoute dns) is not enforced: App Mesh carries no UDP" in w for w in plan.warnings)


@pytest.mark.parametrize(
    ("destination", "missing"),
    [("ghost", "no known workload runs as"), ("batch", "no known Service selects the pods of")],
)
def test_a_destination_app_mesh_cannot_reach_is_an_error(destination: str, missing: str) -> None:
    # ghost runs nowhere; batch runs the Deployment cron, which no Service selects
    rules = "{kind: HTTPRouteGroup, name: reads, matches: [all]}"
    text = ACCESS + target("t", destination, ["front"], rules)
    with pytest.raises(
        TranslationError, match=rf"\(TrafficTarget/t\): spec.destination.name: {missing}"
    ):
        appmesh(text, inexpressible="narrow")


def test_mutual_and_self_calls_plan_no_dependency_cycle() -> None:
    rules = "{kind: HTTPRouteGroup, name: g}"
    plan = appmesh(
        app("a"),
        app("b"),
        group("g", "{name: all}"),
        target("a-calls-b", "b", ["a"], rules),
        target("b-calls-a-and-itself", "a", ["b", "a"], rules),
    )
    edges = {r.name: r.references() | set(r.depends_on) for r in plan}

    def reaches(start: str, goal: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(
            n == goal or (n not in seen and reaches(n, goal, seen | {n})) for n in edges[start]
        )

    assert not any(reaches(name, name) for name in edges)
    for client, called in (("a_shop", "b"), ("b_shop", "a"), ("a_shop", "a")):
        assert go(plan, client=client, host=host(called)) == {host(called): Fraction(1)}


def test_existing_mesh_and_destination_without_split() -> None:
    plan = appmesh(
        ACCESS,
        target("t", "other", ["front"], "{kind: HTTPRouteGroup, name: reads, matches: [all]}"),
        mesh_name="prod",
    )
    assert of(plan, "Mesh") == []
    assert {p["meshName"] for p in of(plan, "VirtualNode")} == {"prod"}
    assert go(plan, host=host("other"), client="front_shop") == {host("other"): Fraction(1)}
    assert any("DROP_ALL" in w for w in plan.warnings)


def test_deprecation_warning_names_the_date_and_lattice() -> None:
    plan = appmesh(WEB, split("s", "web", {"web-v1": 1}))
    (warning,) = [w for w in plan.warnings if "end of support" in w]
    assert "2026-09-30" in warning and "vpc-lattice" in warning
    assert getattr(warning, "owner", "x") is None


def test_more_than_ten_backends_is_an_error() -> None:
    many = "".join(app(f"web-v{i}") for i in range(11))
    with pytest.raises(TranslationError, match="at most 10 weighted targets"):
        appmesh(app("web"), many, split("s", "web", {f"web-v{i}": 1 for i in range(11)}))


def test_unknown_backend_names_the_field() -> None:
    with pytest.raises(TranslationError, match=r"spec\.backends\[1\]\.service.*web-v9"):
        appmesh(WEB, split("s", "web", {"web-v1": 1, "web-v9": 1}))


def test_multi_port_apex_is_an_error() -> None:
    two = WEB.replace(
        "ports: [{port: 80, appProtocol: http}]}\n", "ports: [{port: 80}, {port: 81}]}\n", 1
    )
    with pytest.raises(TranslationError, match="exactly one"):
        appmesh(two, split("s", "web", {"web-v1": 1}))


def test_no_route_matches_gives_404_never_here() -> None:
    plan = appmesh(WEB, split("s", "web", {"web-v1": 1}))
    assert go(plan, path="/anything") != {NO_ROUTE: Fraction(1)}


def test_topology_wires_up_in_moto() -> None:
    """Mesh, nodes, router and routes through boto3 (moto lacks CreateVirtualService)."""
    plan = appmesh(
        WEB,
        group("beta", '{name: beta, headers: {x-beta: "true"}}'),
        split("ab", "web", {"web-v2": 1}, matches=("beta",)),
        split("canary", "web", {"web-v1": 90, "web-v2": 10}),
    )
    names = {r.name: r.properties["name"] for r in plan}
    order = ["Mesh", "VirtualNode", "VirtualRouter", "Route"]
    with mock_aws():
        client = boto3.client("appmesh", region_name="us-east-1")
        for kind in order:
            for resource in plan:
                if not resource.type.endswith(f":{kind}"):
                    continue
                operation, params = api_input(resource.type, dict(resource.properties), names)
                method = re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
                getattr(client, method)(**params)
        nodes = {
            n["virtualNodeName"] for n in client.list_virtual_nodes(meshName="smi")["virtualNodes"]
        }
        routes = client.list_routes(meshName="smi", virtualRouterName="web_shop")["routes"]
        assert len(routes) == 2
        for item in routes:
            route = client.describe_route(
                meshName="smi", virtualRouterName="web_shop", routeName=item["routeName"]
            )["route"]
            targets = route["spec"]["httpRoute"]["action"]["weightedTargets"]
            assert {t["virtualNode"] for t in targets} <= nodes
            assert sum(t["weight"] for t in targets) == 100


def test_the_apex_as_a_backend_is_its_own_virtual_node() -> None:
    # The apex's VirtualNode resolves the apex's DNS name to its ClusterIP: its own pods.
    plan = appmesh(app("web"), app("web-v2"), split("web", "web", {"web": 90, "web-v2": 10}))
    assert go(plan) == {host("web"): Fraction(9, 10), host("web-v2"): Fraction(1, 10)}
    nodes = [n["name"] for n in of(plan, "VirtualNode")]
    assert nodes.count(f"web_{NS}") == 1  # one node for the apex, as router target and backend


def test_a_matched_split_may_list_the_apex_beside_the_default_split() -> None:
    plan = appmesh(
        app("web"),
        app("web-v1"),
        app("web-v3"),
        group("beta", "{name: beta, headers: {x-beta: 'true'}}"),
        split("ab", "web", {"web": 1, "web-v3": 1}, ("beta",)),
        split("canary", "web", {"web-v1": 1}),
    )
    half = {host("web"): Fraction(1, 2), host("web-v3"): Fraction(1, 2)}
    assert go(plan, headers={"x-beta": "true"}) == half
    assert go(plan) == {host("web-v1"): Fraction(1)}


def test_a_split_name_with_a_dot_gives_resolvable_references() -> None:
    plan = appmesh(split("web.v2", "web", {"web-v1": 1}), app("web"), app("web-v1"))
    names = {r.name for r in plan}
    routes = [r for r in plan if r.type.endswith(":Route")]
    assert routes and all(r.name.startswith("shop-web.v2-") for r in routes)
    for resource in plan:
        assert resource.references() <= names, resource.name
    assert any("shop-web.v2-virtualrouter" in r.references() for r in routes)
