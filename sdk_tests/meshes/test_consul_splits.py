"""Target ``consul``, TrafficSplit -> splitter/router/resolver: where sample requests go."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest
from evaluate.consul_chain import Request, route

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


def split(
    backends: dict[str, str | int],
    groups: tuple[str, ...] = (),
    name: str = "web",
    version: str = "v1alpha4",
) -> str:
    listed = ", ".join(f"{{service: {s}, weight: {w}}}" for s, w in backends.items())
    matches = ", ".join(f"{{kind: HTTPRouteGroup, name: {g}}}" for g in groups)
    return (
        f"---\napiVersion: split.smi-spec.io/{version}\nkind: TrafficSplit\n"
        f"metadata: {{name: {name}, namespace: shop}}\nspec:\n  service: web\n"
        f"  backends: [{listed}]\n" + (f"  matches: [{matches}]\n" if groups else "")
    )


def group(name: str, *matches: str) -> str:
    body = "".join(f"  - {m}\n" for m in matches)
    return (
        "---\napiVersion: specs.smi-spec.io/v1alpha4\nkind: HTTPRouteGroup\n"
        f"metadata: {{name: {name}, namespace: shop}}\nspec:\n  matches:\n{body}"
    )


def consul(text: str, **options: Any) -> Plan:
    return translate(load_text(text), "consul", options)


def entries(plan: Plan) -> list[dict[str, Any]]:
    return [dict(r.properties) for r in plan]


def to(plan: Plan, **request: Any) -> dict[str, Fraction]:
    return route(entries(plan), Request("web", **request))


def of_kind(plan: Plan, kind: str) -> list[dict[str, Any]]:
    return [e for e in entries(plan) if e["kind"] == kind]


def test_canary_is_a_service_splitter_with_http_service_defaults() -> None:
    plan = consul(WEB + split({"web-v1": 90, "web-v2": 10}))
    assert to(plan) == {"web-v1": Fraction(9, 10), "web-v2": Fraction(1, 10)}
    (splitter,) = of_kind(plan, "ServiceSplitter")
    assert splitter["metadata"]["name"] == "web"
    assert splitter["spec"]["splits"] == [
        {"weight": 90, "service": "web-v1"},
        {"weight": 10, "service": "web-v2"},
    ]
    defaults = {e["metadata"]["name"]: e["spec"] for e in of_kind(plan, "ServiceDefaults")}
    assert defaults == {s: {"protocol": "http"} for s in ("web", "web-v1", "web-v2")}


def test_three_way_equal_split_uses_two_decimals_summing_to_100() -> None:
    plan = consul(WEB + split({"web-v1": 1, "web-v2": 1, "web-v3": 1}))
    (splitter,) = of_kind(plan, "ServiceSplitter")
    assert [s["weight"] for s in splitter["spec"]["splits"]] == [33.34, 33.33, 33.33]
    assert sum(to(plan).values()) == 1


def test_awkward_weights_are_emitted_in_an_order_consul_k8s_accepts() -> None:
    plan = consul(WEB + split({"web-v1": 1034, "web-v2": 8292, "web-v3": 674}))
    (splitter,) = of_kind(plan, "ServiceSplitter")
    splits = splitter["spec"]["splits"]
    assert {s["service"]: s["weight"] for s in splits} == {
        "web-v1": 10.34,
        "web-v2": 82.92,
        "web-v3": 6.74,
    }
    assert [s["service"] for s in splits] != ["web-v1", "web-v2", "web-v3"]  # reordered
    assert to(plan) == {
        "web-v1": Fraction(1034, 10000),
        "web-v2": Fraction(8292, 10000),
        "web-v3": Fraction(674, 10000),
    }


def test_quantity_weights_keep_their_ratio() -> None:
    plan = consul(WEB + split({"web-v1": "750m", "web-v2": "250m"}, version="v1alpha1"))
    assert to(plan) == {"web-v1": Fraction(3, 4), "web-v2": Fraction(1, 4)}


def test_zero_weight_backend_gets_no_traffic() -> None:
    plan = consul(WEB + split({"web-v1": 0, "web-v2": 1}))
    assert to(plan) == {"web-v2": Fraction(1)}


def test_header_ab_routes_matching_requests_and_leaves_the_rest_on_the_apex() -> None:
    text = (
        WEB
        + group("beta", "{name: beta, headers: {x-beta: 'true'}}")
        + split({"web-v3": 1}, ("beta",))
    )
    plan = consul(text)
    assert to(plan, headers={"X-Beta": "true"}) == {"web-v3": Fraction(1)}
    assert to(plan, headers={"X-Beta": "no"}) == {"web": Fraction(1)}
    assert not of_kind(plan, "ServiceSplitter")  # all matched traffic to one backend


def test_path_ab_keeps_smi_start_anchoring_and_splits_matched_traffic() -> None:
    text = (
        WEB
        + group(
            "api", "{name: v2, pathRegex: /api/v2}", "{name: items, pathRegex: '/items/[0-9]+$'}"
        )
        + split({"web-v2": 1, "web-v3": 1}, ("api",), name="ab")
    )
    plan = consul(text)
    half = {"web-v2": Fraction(1, 2), "web-v3": Fraction(1, 2)}
    assert to(plan, path="/api/v2") == half
    assert to(plan, path="/api/v2x/y") == half
    assert to(plan, path="/items/42") == half
    assert to(plan, path="/items/42/x") == {"web": Fraction(1)}
    assert to(plan, path="/x/api/v2") == {"web": Fraction(1)}
    (splitter,) = of_kind(plan, "ServiceSplitter")
    assert splitter["metadata"]["name"] == "web-ab"  # matched traffic has its own splitter
    assert {"web-ab"} <= {e["metadata"]["name"] for e in of_kind(plan, "ServiceDefaults")}


def test_method_ab_and_merged_default_split() -> None:
    text = (
        WEB
        + group("writes", "{name: w, methods: [POST, PUT]}")
        + split({"web-v3": 1}, ("writes",), name="writes")
        + split({"web-v1": 90, "web-v2": 10}, name="canary")
    )
    plan = consul(text)
    assert to(plan, method="POST") == {"web-v3": Fraction(1)}
    assert to(plan, method="GET") == {"web-v1": Fraction(9, 10), "web-v2": Fraction(1, 10)}


def test_subsets_option_splits_versions_of_one_consul_service() -> None:
    subsets = {"web-v1": "Service.Meta.version == v1", "web-v2": "Service.Meta.version == v2"}
    plan = consul(WEB + split({"web-v1": 90, "web-v2": 10}), subsets=subsets)
    assert to(plan) == {"web/web-v1": Fraction(9, 10), "web/web-v2": Fraction(1, 10)}
    (resolver,) = of_kind(plan, "ServiceResolver")
    assert resolver["spec"] == {
        "subsets": {
            "web-v1": {"filter": "Service.Meta.version == v1"},
            "web-v2": {"filter": "Service.Meta.version == v2"},
        }
    }
    assert {e["metadata"]["name"] for e in of_kind(plan, "ServiceDefaults")} == {"web"}


def test_subsets_option_from_the_command_line_is_json() -> None:
    specs = load_text(WEB + split({"web-v1": 1}))
    plan = translate(specs, "consul", {"subsets": '{"web-v1": "Service.Meta.version == v1"}'})
    assert of_kind(plan, "ServiceResolver")


def test_a_tcp_only_apex_cannot_be_split_by_consul() -> None:
    tcp = "{name: tcp-db, port: 5432, appProtocol: tcp}"
    with pytest.raises(TranslationError) as err:
        consul(service("web", tcp) + split({"web-v1": 1}))
    (problem,) = err.value.problems
    assert problem.path == "spec.service" and "Consul splits and routes only" in problem.message


def test_grpc_apex_declares_grpc() -> None:
    grpc = "{name: grpc, port: 9090, appProtocol: grpc}"
    plan = consul(service("web", grpc) + split({"web-v1": 1, "web-v2": 1}))
    defaults = {e["metadata"]["name"]: e["spec"] for e in of_kind(plan, "ServiceDefaults")}
    assert defaults["web"] == {"protocol": "grpc"}


def test_open_source_consul_refuses_one_name_in_two_namespaces() -> None:
    other = split({"web-v1": 1}).replace("namespace: shop", "namespace: shop2")
    with pytest.raises(TranslationError, match="open-source Consul has one namespace"):
        consul(WEB + split({"web-v1": 1}) + other)
    plan = consul(WEB + split({"web-v1": 1}) + other, enterprise=True, mode="config-entry")
    assert {r.properties["namespace"] for r in plan} == {"shop", "shop2"}


def test_config_entry_mode_writes_consul_api_entries_in_order() -> None:
    plan = consul(WEB + split({"web-v1": 90, "web-v2": 10}), mode="config-entry")
    assert {r.type for r in plan} == {"consul:index/configEntry:ConfigEntry"}
    by_kind = {(r.properties["kind"], r.properties["name"]): r for r in plan}
    splitter = by_kind[("service-splitter", "web")]
    assert json.loads(splitter.properties["configJson"]) == {
        "Splits": [{"Service": "web-v1", "Weight": 90}, {"Service": "web-v2", "Weight": 10}]
    }
    assert "namespace" not in splitter.properties
    defaults = {r.name for r in plan if r.properties["kind"] == "service-defaults"}
    assert defaults <= set(splitter.depends_on)  # protocols first, or Consul refuses the split


def test_the_apex_in_its_own_splitter_goes_to_its_instances() -> None:
    plan = consul(WEB + split({"web": 90, "web-v2": 10}))
    # A split to the splitter's own service ends at its resolver: the apex's instances.
    assert to(plan) == {"web": Fraction(9, 10), "web-v2": Fraction(1, 10)}
    (splitter,) = of_kind(plan, "ServiceSplitter")
    assert splitter["spec"]["splits"][0] == {"weight": 90, "service": "web"}
    assert not of_kind(plan, "ServiceResolver")


def test_a_matched_split_reaches_the_apex_instances_past_the_default_splitter() -> None:
    text = (
        WEB
        + group("beta", "{name: beta, headers: {x-beta: 'true'}}")
        + split({"web": 1, "web-v3": 1}, ("beta",), name="ab")
        + split({"web-v1": 90, "web-v2": 10}, name="canary")
    )
    plan = consul(text)
    # Routed to plain "web", matched traffic would go through web's splitter (the canary)
    # again; the apex's subset of every instance (empty filter) stops there.
    assert to(plan, headers={"x-beta": "true"}) == {
        "web/web": Fraction(1, 2),
        "web-v3": Fraction(1, 2),
    }
    assert to(plan) == {"web-v1": Fraction(9, 10), "web-v2": Fraction(1, 10)}
    (resolver,) = of_kind(plan, "ServiceResolver")
    assert resolver["metadata"]["name"] == "web"
    assert resolver["spec"] == {"subsets": {"web": {"filter": ""}}}


def test_a_matched_split_to_the_apex_alone_uses_the_subset_only_when_the_apex_is_split() -> None:
    beta = group("beta", "{name: beta, headers: {x-beta: 'true'}}")
    ab = split({"web": 1, "web-v3": 0}, ("beta",), name="ab")
    with_default = consul(WEB + beta + ab + split({"web-v1": 1}, name="canary"))
    assert to(with_default, headers={"x-beta": "true"}) == {"web/web": Fraction(1)}
    (router,) = of_kind(with_default, "ServiceRouter")
    assert router["spec"]["routes"][0]["destination"] == {"service": "web", "serviceSubset": "web"}
    alone = consul(WEB + beta + ab)
    assert to(alone, headers={"x-beta": "true"}) == {"web": Fraction(1)}
    assert not of_kind(alone, "ServiceResolver")


def test_routing_entries_depend_on_the_service_defaults_of_their_own_chain_only() -> None:
    """Consul checks the protocols of an entry's own service and of the services it sends
    traffic to; one dependency on every ServiceDefaults of the namespace grows with the
    square of its size."""
    api = "".join(service(s) for s in ("api", "api-v1", "api-v2"))
    text = (
        WEB
        + api
        + group("beta", "{name: beta, headers: {x-beta: 'true'}}")
        + split({"web-v2": 1, "web-v3": 1}, ("beta",), name="ab")
        + split({"web-v1": 90, "web-v2": 10}, name="canary")
        + split({"api-v1": 1, "api-v2": 1}, name="api").replace("service: web", "service: api")
    )
    plan = consul(text)
    names = {r.name: (r.properties["kind"], r.properties["metadata"]["name"]) for r in plan}
    needs = {
        names[r.name]: sorted(names[d] for d in r.depends_on)
        for r in plan
        if r.properties["kind"] in ("ServiceRouter", "ServiceSplitter")
    }

    def defaults(*services: str) -> list[tuple[str, str]]:
        return sorted(("ServiceDefaults", s) for s in services)

    assert needs == {
        ("ServiceSplitter", "web"): defaults("web", "web-v1", "web-v2"),
        ("ServiceSplitter", "web-ab"): defaults("web-ab", "web-v2", "web-v3"),
        ("ServiceRouter", "web"): defaults("web", "web-ab"),
        ("ServiceSplitter", "api"): defaults("api", "api-v1", "api-v2"),
    }
