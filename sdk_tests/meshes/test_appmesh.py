"""Target ``appmesh``: where calls go, who may call, and strict botocore checks of every input."""

from __future__ import annotations

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
_RENAMES = {"metadatas": "metadata"}  # pulumi-aws (Terraform block) names -> API names


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


ACCESS = (
    WEB
    + app("front")
    + app("cron", account="batch", svc=False)
    + app("other")
    + group("reads", "{name: read, pathRegex: /api/.*, methods: [GET]}")
    + split("canary", "web", {"web-v1": 90, "web-v2": 10})
)


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
    assert any("cannot enforce match 'read'" in w and "GET" in w for w in plan.warnings)


def test_existing_mesh_and_destination_without_split() -> None:
    plan = appmesh(
        ACCESS,
        target("t", "other", ["front"], "{kind: HTTPRouteGroup, name: reads}"),
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
