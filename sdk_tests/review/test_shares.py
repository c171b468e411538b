"""``pulumi_smi.review.traffic_shares`` on Plans of every target, cross-checked with the
evaluators of ``sdk_tests/evaluate`` where one exists (they read the emitted objects on
their own, following each mesh's documented semantics)."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from typing import Any

import pytest
from evaluate import appmesh as appmesh_eval
from evaluate import consul_chain, gamma, istio_routes, lattice

from pulumi_smi.meshes import translate
from pulumi_smi.plan import Plan
from pulumi_smi.review import DEFAULT_RULE, Share, format_percent, traffic_shares
from pulumi_smi.review.values import service_host
from pulumi_smi.spec import load_text

NS = "shop"
LATTICE = {"vpc_id": "vpc-0123456789abcdef0", "eks_cluster_name": "prod-eks"}


def app(name: str) -> str:
    """A Deployment (pods app=NAME) and its Service on port 80 (http)."""
    return (
        f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {NS}}}\n"
        f"spec: {{selector: {{app: {name}}}, ports: [{{name: http, port: 80}}]}}\n"
        f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {NS}}}\n"
        f"spec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n"
        f"    metadata: {{labels: {{app: {name}}}}}\n"
        f"    spec: {{serviceAccountName: {name}, containers: [{{name: c, image: i}}]}}\n"
    )


def split(name: str, backends: dict[str, int | str], group: str | None = None) -> str:
    items = "".join(f"\n  - {{service: {s}, weight: {w}}}" for s, w in backends.items())
    matches = f"  matches:\n  - {{kind: HTTPRouteGroup, name: {group}}}\n" if group else ""
    return (
        f"---\napiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\n"
        f"metadata: {{name: {name}, namespace: {NS}}}\nspec:\n  service: web\n"
        f"  backends:{items}\n{matches}"
    )


BETA = (
    f"---\napiVersion: specs.smi-spec.io/v1alpha4\nkind: HTTPRouteGroup\n"
    f"metadata: {{name: beta, namespace: {NS}}}\nspec:\n"
    "  matches:\n  - {name: beta, headers: [{x-beta: 'true'}]}\n"
)
APPS = app("web") + app("web-v1") + app("web-v2") + app("web-v3")
CANARY = APPS + split("web", {"web-v1": 90, "web-v2": 10})
AB = CANARY + BETA + split("web-beta", {"web-v3": 1}, "beta")


def plan_of(text: str, mesh: str, **options: Any) -> Plan:
    if mesh == "vpc-lattice":
        options = {**LATTICE, **options}
    return translate(load_text(text), mesh, options)


def shares(plan: Plan) -> list[Share]:
    return traffic_shares([r.to_dict() for r in plan])


def table(found: list[Share]) -> dict[str, dict[str, Fraction | None]]:
    """rule -> backend -> fraction (one apex and port)."""
    assert len({(s.apex, s.port) for s in found}) == 1, found
    rules: dict[str, dict[str, Fraction | None]] = {}
    for share in found:
        rules.setdefault(share.rule, {})[share.backend] = share.fraction
    return rules


CANARY_SHARES = {"web-v1": Fraction(9, 10), "web-v2": Fraction(1, 10)}


def kube(shares_: dict[str, Fraction]) -> dict[str, Fraction]:
    return {f"{NS}/{backend}": share for backend, share in shares_.items()}


def test_istio_canary_and_header_ab_agree_with_the_virtualservice_evaluator() -> None:
    plan = plan_of(AB, "istio")
    found = shares(plan)
    assert {(s.apex, s.port) for s in found} == {(f"{NS}/web", None)}
    assert table(found) == {"x-beta=true": kube({"web-v3": 1}), DEFAULT_RULE: kube(CANARY_SHARES)}
    assert [s.rule for s in found] == ["x-beta=true", DEFAULT_RULE, DEFAULT_RULE]  # Istio's order
    services = [dict(r.properties) for r in plan if r.properties.get("kind") == "VirtualService"]
    host = f"web.{NS}.svc.cluster.local"
    for rule, headers in ((DEFAULT_RULE, {}), ("x-beta=true", {"x-beta": "true"})):
        routed = istio_routes.route(services, istio_routes.Request(host=host, headers=headers))
        assert {service_host(h, NS): p for h, p in routed.items()} == table(found)[rule]


@pytest.mark.parametrize("mesh", ["gateway-api", "linkerd"])
def test_gamma_routes_agree_with_the_gamma_evaluator(mesh: str) -> None:
    plan = plan_of(AB, mesh)
    found = shares(plan)
    assert {(s.apex, s.port) for s in found} == {(f"{NS}/web", 80)}
    rules = table(found)
    assert rules == {"x-beta=true": kube({"web-v3": 1}), DEFAULT_RULE: kube(CANARY_SHARES)}
    manifests = [dict(r.properties) for r in plan if r.is_kubernetes]
    for rule, headers in ((DEFAULT_RULE, {}), ("x-beta=true", {"x-beta": "true"})):
        request = gamma.Request("web", 80, namespace=NS, headers=headers)
        outcome = gamma.destinations(manifests, request)
        assert kube(outcome) == rules[rule]


@pytest.mark.parametrize("mode", ["crd", "config-entry"])
def test_consul_router_and_splitter_agree_with_the_discovery_chain(mode: str) -> None:
    plan = plan_of(AB, "consul", mode=mode)
    found = shares(plan)
    rules = table(found)
    assert {s.apex for s in found} == {"web"}
    assert rules == {"x-beta=true": {"web-v3": Fraction(1)}, DEFAULT_RULE: CANARY_SHARES}
    crds = plan_of(AB, "consul")
    entries = [dict(r.properties) for r in crds if r.is_kubernetes]
    for rule, headers in ((DEFAULT_RULE, {}), ("x-beta=true", {"x-beta": "true"})):
        assert (
            consul_chain.route(entries, consul_chain.Request("web", headers=headers))
            == (rules[rule])
        )


def test_consul_percentages_are_read_exactly() -> None:
    plan = plan_of(APPS + split("web", {"web-v1": 1, "web-v2": 1, "web-v3": 1}), "consul")
    (splitter,) = [r for r in plan if r.properties.get("kind") == "ServiceSplitter"]
    weights = sorted(s["weight"] for s in splitter.properties["spec"]["splits"])
    assert weights == [33.33, 33.33, 33.34]
    found = shares(plan)
    assert sorted(s.fraction for s in found if s.fraction) == [
        Fraction(3333, 10000),
        Fraction(3333, 10000),
        Fraction(3334, 10000),
    ]
    assert sorted(s.percent for s in found) == ["33.33%", "33.33%", "33.34%"]


def test_vpc_lattice_rules_and_default_action_name_the_target_groups() -> None:
    plan = plan_of(AB, "vpc-lattice")
    found = shares(plan)
    assert {(s.apex, s.port) for s in found} == {("web-shop", 80)}
    rules = table(found)
    assert rules == {
        "x-beta=true": {"web-v3-shop-80": Fraction(1)},
        DEFAULT_RULE: {"web-v1-shop-80": Fraction(9, 10), "web-v2-shop-80": Fraction(1, 10)},
    }
    (listener,) = [r.properties for r in plan if r.type.endswith(":Listener")]
    listener_rules = [r.properties for r in plan if r.type.endswith(":ListenerRule")]
    names = {f"${{{r.name}.id}}": r.properties["name"] for r in plan if "TargetGroup" in r.type}
    for rule, headers in ((DEFAULT_RULE, {}), ("x-beta=true", {"x-beta": "true"})):
        outcome = lattice.route(listener, listener_rules, lattice.Request(headers=headers))
        assert {names[k]: v for k, v in outcome.items()} == rules[rule]


def test_app_mesh_routes_name_the_virtual_nodes_by_priority() -> None:
    plan = plan_of(AB, "appmesh")
    found = shares(plan)
    assert {s.apex for s in found} == {f"{NS}/web"}
    assert [s.rule for s in found] == ["x-beta=true", DEFAULT_RULE, DEFAULT_RULE]
    rules = table(found)
    assert rules == {
        "x-beta=true": {"web-v3_shop": Fraction(1)},
        DEFAULT_RULE: {"web-v1_shop": Fraction(9, 10), "web-v2_shop": Fraction(1, 10)},
    }
    mesh = appmesh_eval.Mesh(r.to_dict() for r in plan)
    nodes = {
        n["name"]: n["spec"]["serviceDiscovery"]["dns"]["hostname"]
        for n in mesh.by_kind["VirtualNode"]
    }
    for rule, headers in ((DEFAULT_RULE, {}), ("x-beta=true", {"x-beta": "true"})):
        outcome = mesh.call(appmesh_eval.Call(host=f"web.{NS}.svc.cluster.local", headers=headers))
        assert outcome == {nodes[n]: p for n, p in rules[rule].items()}


def test_the_smi_target_shows_its_traffic_splits_as_they_are() -> None:
    found = shares(plan_of(AB, "smi"))
    assert {s.apex for s in found} == {f"{NS}/web"}
    assert table([s for s in found if s.source.endswith("web-beta-trafficsplit")]) == {
        "matches HTTPRouteGroup/beta": kube({"web-v3": Fraction(1)})
    }
    assert table([s for s in found if s.rule == DEFAULT_RULE]) == {
        DEFAULT_RULE: kube(CANARY_SHARES)
    }


def test_quantity_weights_of_a_traffic_split_keep_their_ratio() -> None:
    manifest = {
        "type": "kubernetes:split.smi-spec.io/v1alpha1:TrafficSplit",
        "name": "web",
        "properties": {
            "apiVersion": "split.smi-spec.io/v1alpha1",
            "kind": "TrafficSplit",
            "metadata": {"name": "web", "namespace": NS},
            "spec": {
                "service": f"web.{NS}.svc.cluster.local",
                "backends": [
                    {"service": "a", "weight": "900m"},
                    {"service": "b", "weight": "100m"},
                ],
            },
        },
    }
    assert [(s.apex, s.backend, s.percent) for s in traffic_shares([manifest])] == [
        (f"{NS}/web", f"{NS}/a", "90.00%"),
        (f"{NS}/web", f"{NS}/b", "10.00%"),
    ]


def test_a_remote_backend_is_shown_as_its_host() -> None:
    host = "web-apps-0a1b2c3d4e5f.7d67968.vpc-lattice-svcs.us-east-1.on.aws"
    remote = (
        f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: web-aws, namespace: {NS}}}\n"
        f"spec: {{type: ExternalName, externalName: {host}}}\n"
    )
    found = shares(plan_of(APPS + remote + split("web", {"web-v1": 9, "web-aws": 1}), "istio"))
    assert {s.backend: s.fraction for s in found} == {
        f"{NS}/web-v1": Fraction(9, 10),
        host: Fraction(1, 10),
    }


def test_zero_weight_backends_get_nothing_on_every_target() -> None:
    text = APPS + split("web", {"web-v1": 1, "web-v2": 0})
    for mesh in ("istio", "gateway-api", "consul", "smi", "appmesh", "vpc-lattice"):
        found = [s for s in shares(plan_of(text, mesh)) if s.fraction]
        served = {s.backend.removeprefix(f"{NS}/").split("_")[0] for s in found}
        assert served in ({"web-v1"}, {"web-v1-shop-80"}), mesh
        assert {s.fraction for s in found} == {Fraction(1)}, mesh


def lattice_render(preview: bool) -> list[dict[str, Any]]:
    """A Lattice Plan as a render shows it: references resolved as the mocks resolve them."""
    plan = plan_of(CANARY, "vpc-lattice")
    text = json.dumps([r.to_dict() for r in plan])
    for resource in plan:
        for output in ("id", "listenerId", "arn"):
            reference = f"${{{resource.name}.{output}}}"
            text = text.replace(f'"{reference}"', "null" if preview else f'"{resource.name}-id"')
    rendered: list[dict[str, Any]] = json.loads(text)
    for resource in rendered:  # a render's dependsOn holds the referenced resources too
        resource["dependsOn"] = sorted(_refs(plan, resource["name"]))
    return rendered


def _refs(plan: Plan, name: str) -> set[str]:
    resource = next(r for r in plan if r.name == name)
    return set(resource.depends_on) | resource.references()


def test_a_render_resolves_mock_ids_and_a_preview_keeps_unknowns_unknown() -> None:
    rendered = traffic_shares(lattice_render(preview=False))
    assert {s.backend: s.percent for s in rendered} == {
        "web-v1-shop-80": "90.00%",
        "web-v2-shop-80": "10.00%",
    }
    previewed = traffic_shares(lattice_render(preview=True))
    assert {s.apex for s in previewed} == {"web-shop"}  # the listener's only Service dependency
    assert {s.backend: s.percent for s in previewed} == {
        "(unknown #1)": "90.00%",
        "(unknown #2)": "10.00%",
    }


def test_an_unknown_weight_leaves_the_rule_unknown() -> None:
    plan = plan_of(CANARY, "gateway-api")
    (route,) = [copy.deepcopy(r.to_dict()) for r in plan if r.properties.get("kind") == "HTTPRoute"]
    route["properties"]["spec"]["rules"][0]["backendRefs"][0]["weight"] = None
    assert {s.percent for s in traffic_shares([route])} == {"(unknown)"}


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [
        (Fraction(2, 3), "66.67%"),
        (Fraction(1, 8), "12.50%"),
        (Fraction(1, 20000), "0.01%"),  # half up, not to even
        (Fraction(1, 3) / 10000, "0.00%"),
        (Fraction(1), "100.00%"),
        (None, "(unknown)"),
    ],
)
def test_percentages_are_rounded_half_up_to_two_decimals(
    fraction: Fraction | None, shown: str
) -> None:
    assert format_percent(fraction) == shown


def test_shares_are_deterministic_and_ignore_unrelated_resources() -> None:
    dicts = [r.to_dict() for r in plan_of(AB, "consul")]
    assert traffic_shares(dicts) == traffic_shares(list(reversed(dicts)))
    routing = ("ServiceRouter", "ServiceSplitter")
    others = [r for r in dicts if r["properties"].get("kind") not in routing]
    assert others and traffic_shares(others) == []


def test_lattice_target_groups_without_a_weight_get_lattice_s_default() -> None:
    plan = plan_of(CANARY, "vpc-lattice")
    resources = copy.deepcopy([r.to_dict() for r in plan])
    (listener,) = [r for r in resources if r["type"].endswith(":Listener")]
    groups = listener["properties"]["defaultAction"]["forwards"][0]["targetGroups"]
    groups[0]["weight"] = 300
    del groups[1]["weight"]  # 100 when absent
    assert {s.backend: s.percent for s in traffic_shares(resources)} == {
        "web-v1-shop-80": "75.00%",
        "web-v2-shop-80": "25.00%",
    }
