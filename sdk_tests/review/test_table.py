"""``render -o table``: resources grouped per mesh, and the traffic shares of each."""

from __future__ import annotations

from typing import Any

from pulumi_smi.meshes import translate
from pulumi_smi.meshes.base import default_namer
from pulumi_smi.review.table import compact_type, mesh_of, render_table
from pulumi_smi.spec import load_text
from pulumi_smi.spec.models import ObjectKey

APPS = "".join(
    f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {n}, namespace: shop}}\n"
    f"spec: {{selector: {{app: {n}}}, ports: [{{name: http, port: 80}}]}}\n"
    for n in ("web", "web-v1", "web-v2")
)
SPLIT = """---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: web, namespace: shop}
spec: {service: web, backends: [{service: web-v1, weight: 2}, {service: web-v2, weight: 1}]}
"""


def rendered(component: str, mesh: str, kind: str, provider: str | None) -> list[dict[str, Any]]:
    """The children one component registers on one mesh, as a render shows them."""

    def namer(owner: ObjectKey, role: str) -> str:
        return (
            f"{component}-{mesh}-{role}" if owner.kind != "Service" else default_namer(owner, role)
        )

    plan = translate(load_text(APPS + SPLIT), kind, None, namer)
    return [{**r.to_dict(), "parent": component, "provider": provider} for r in plan]


def resource(type_: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": type_,
        "name": name,
        "properties": {},
        "dependsOn": [],
        "parent": None,
        "provider": None,
        **extra,
    }


ESTATE = [
    resource("pulumi:providers:kubernetes", "east"),
    resource("smi:index:Mesh", "dc", properties={"kind": "istio"}),
    resource("smi:index:Mesh", "dc-b", properties={"kind": "gateway-api"}),
    resource("smi:index:TrafficSplit", "web"),
    *rendered("web", "dc", "istio", "east"),
    *rendered("web", "dc-b", "gateway-api", None),
]


def test_children_go_to_the_mesh_their_name_says_the_longest_one() -> None:
    meshes, components = ["dc", "dc-b"], {"web"}
    by_name = {r["name"]: r for r in ESTATE}
    assert mesh_of(by_name["web-dc-virtualservice"], meshes, components) == "dc"
    assert mesh_of(by_name["web-dc-b-httproute-80"], meshes, components) == "dc-b"
    assert mesh_of({"name": "dc-shared", "parent": "dc-b"}, meshes, components) == "dc-b"
    assert mesh_of(by_name["web"], meshes, components) is None


def test_the_table_shows_each_mesh_with_provider_resources_and_shares() -> None:
    assert render_table(ESTATE, ["mesh dc: a warning"]) == (
        "mesh dc: istio, provider east (kubernetes)\n"
        "  resources (1)\n"
        "    VirtualService networking.istio.io/v1  web-dc-virtualservice\n"
        "  traffic\n"
        "    shop/web\n"
        "      default  shop/web-v1    66.67%\n"
        "               shop/web-v2    33.33%\n"
        "\n"
        "mesh dc-b: gateway-api, the ambient default provider\n"
        "  resources (1)\n"
        "    HTTPRoute gateway.networking.k8s.io/v1  web-dc-b-httproute-80\n"
        "  traffic\n"
        "    shop/web port 80\n"
        "      default  shop/web-v1    66.67%\n"
        "               shop/web-v2    33.33%\n"
        "\n"
        "other resources (2)\n"
        "    provider kubernetes  east\n"
        "    smi TrafficSplit     web\n"
        "\n"
        "warnings (1)\n"
        "  mesh dc: a warning\n"
    )


def test_the_table_is_deterministic() -> None:
    assert render_table(ESTATE) == render_table([dict(r) for r in ESTATE])


def test_compact_types() -> None:
    assert compact_type("kubernetes:networking.istio.io/v1:VirtualService") == (
        "VirtualService networking.istio.io/v1"
    )
    assert compact_type("aws:vpclattice/listener:Listener") == "aws vpclattice Listener"
    assert compact_type("consul:index/configEntry:ConfigEntry") == "consul ConfigEntry"
    assert compact_type("pulumi:providers:aws") == "provider aws"
    assert compact_type("odd") == "odd"
