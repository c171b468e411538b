"""Target ``istio``, TrafficSplit -> VirtualService: where sample requests go."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from evaluate.istio_routes import NO_ROUTE, Request, route

from pulumi_smi.errors import TranslationError
from pulumi_smi.meshes import translate
from pulumi_smi.plan import Plan
from pulumi_smi.spec import load_text

NS = "shop"


def host(service: str) -> str:
    return f"{service}.{NS}.svc.cluster.local"


def service(name: str, *ports: str) -> str:
    """A Service manifest; each port is ``NUMBER[/appProtocol]``."""
    items = []
    for port in ports or ("80/http",):
        number, _, protocol = port.partition("/")
        app = f", appProtocol: {protocol}" if protocol else ""
        items.append(f"{{name: p{number}, port: {number}{app}}}")
    return (
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {NS}}}\n"
        f"spec: {{selector: {{app: {name}}}, ports: [{', '.join(items)}]}}\n"
    )


def split(name: str, apex: str, backends: dict[str, int], matches: tuple[str, ...] = ()) -> str:
    refs = "".join(f"\n  - {{kind: HTTPRouteGroup, name: {m}}}" for m in matches)
    items = "".join(f"\n  - {{service: {s}, weight: {w}}}" for s, w in backends.items())
    return (
        f"apiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\n"
        f"metadata: {{name: {name}, namespace: {NS}}}\nspec:\n  service: {apex}\n"
        f"  backends:{items}\n" + (f"  matches:{refs}\n" if matches else "")
    )


def group(name: str, *matches: str) -> str:
    body = "".join(f"\n  - {m}" for m in matches)
    return (
        f"apiVersion: specs.smi-spec.io/v1alpha4\nkind: HTTPRouteGroup\n"
        f"metadata: {{name: {name}, namespace: {NS}}}\nspec:\n  matches:{body}\n"
    )


def istio(*docs: str, **options: Any) -> Plan:
    return translate(load_text("---\n".join(docs)), "istio", options)


def virtual_services(plan: Plan) -> list[dict[str, Any]]:
    return [dict(r.properties) for r in plan if r.properties["kind"] == "VirtualService"]


def go(plan: Plan, **request: Any) -> dict[str, Fraction]:
    request.setdefault("host", host("web"))
    return route(virtual_services(plan), Request(**request))


WEB = (service("web"), service("web-v1"), service("web-v2"))


def test_canary_90_10() -> None:
    plan = istio(*WEB, split("web", "web", {"web-v1": 90, "web-v2": 10}))
    assert go(plan) == {host("web-v1"): Fraction(9, 10), host("web-v2"): Fraction(1, 10)}
    (vs,) = virtual_services(plan)
    assert vs["metadata"]["name"] == "web" and vs["metadata"]["namespace"] == NS
    assert vs["spec"]["hosts"] == [host("web")]


def test_relative_weights_keep_their_exact_ratio() -> None:
    plan = istio(*WEB, split("web", "web", {"web-v1": 1, "web-v2": 2}))
    (vs,) = virtual_services(plan)
    weights = [d["weight"] for d in vs["spec"]["http"][0]["route"]]
    assert weights == [1, 2]  # relative since Istio 1.15: as given, not 33/67
    assert go(plan) == {host("web-v1"): Fraction(1, 3), host("web-v2"): Fraction(2, 3)}
    assert not plan.warnings


def test_three_way_equal_split_is_exactly_a_third_each() -> None:
    backends = {"web-v1": 1, "web-v2": 1, "web-v3": 1}
    plan = istio(*WEB, service("web-v3"), split("web", "web", backends))
    assert go(plan) == {host(s): Fraction(1, 3) for s in backends}


def test_zero_weight_backend_gets_nothing_and_is_never_a_lone_destination() -> None:
    plan = istio(*WEB, split("web", "web", {"web-v1": 0, "web-v2": 5}))
    assert go(plan) == {host("web-v2"): Fraction(1)}
    (vs,) = virtual_services(plan)
    hosts = [d["destination"]["host"] for d in vs["spec"]["http"][0]["route"]]
    assert hosts == [host("web-v2")]


def test_a_tiny_share_is_kept_exactly_not_rounded_to_zero() -> None:
    plan = istio(*WEB, split("web", "web", {"web-v1": 1, "web-v2": 500}))
    assert go(plan) == {host("web-v1"): Fraction(1, 501), host("web-v2"): Fraction(500, 501)}
    assert not plan.warnings


def test_weights_summing_above_int32_are_divided_exactly_by_their_common_divisor() -> None:
    plan = istio(*WEB, split("web", "web", {"web-v1": 2_100_000_000, "web-v2": 700_000_000}))
    (vs,) = virtual_services(plan)
    assert [d["weight"] for d in vs["spec"]["http"][0]["route"]] == [3, 1]
    assert go(plan) == {host("web-v1"): Fraction(3, 4), host("web-v2"): Fraction(1, 4)}
    assert not plan.warnings


def test_weights_no_exact_form_fits_are_scaled_with_a_warning() -> None:
    big = 2**31 - 1  # a prime: no common divisor with 2**31 - 2
    plan = istio(*WEB, split("web", "web", {"web-v1": big, "web-v2": big - 1}))
    (vs,) = virtual_services(plan)
    weights = [d["weight"] for d in vs["spec"]["http"][0]["route"]]
    assert sum(weights) <= 2**31 - 1 and weights[0] > weights[1] > 0
    assert any("ratios are approximate" in w for w in plan.warnings)


def test_header_ab_sends_matching_requests_to_the_split_and_others_to_the_apex() -> None:
    plan = istio(
        *WEB,
        group("beta", "{name: beta, headers: {x-beta: 'true'}}"),
        split("web-ab", "web", {"web-v2": 1}, ("beta",)),
    )
    assert go(plan, headers={"X-Beta": "true"}) == {host("web-v2"): Fraction(1)}
    assert go(plan, headers={"X-Beta": "false"}) == {host("web"): Fraction(1)}
    assert go(plan) == {host("web"): Fraction(1)}


def test_path_regex_is_start_anchored_like_smi() -> None:
    plan = istio(
        *WEB,
        group("api", "{name: v2, pathRegex: '/api/v2'}", "{name: n, pathRegex: '/items/[0-9]+$'}"),
        split("web-ab", "web", {"web-v2": 1}, ("api",)),
    )
    v2, apex = {host("web-v2"): Fraction(1)}, {host("web"): Fraction(1)}
    assert go(plan, path="/api/v2") == v2
    assert go(plan, path="/api/v2/users") == v2  # anchored at the start only
    assert go(plan, path="/x/api/v2") == apex
    assert go(plan, path="/items/42") == v2
    assert go(plan, path="/items/42/x") == apex  # '$' ends it
    assert go(plan, path="/items/") == apex


def test_methods_are_ored_and_anded_with_the_path() -> None:
    plan = istio(
        *WEB,
        group("writes", "{name: w, methods: [POST, PUT], pathRegex: /orders}"),
        split("web-ab", "web", {"web-v2": 1}, ("writes",)),
    )
    v2, apex = {host("web-v2"): Fraction(1)}, {host("web"): Fraction(1)}
    assert go(plan, method="POST", path="/orders") == v2
    assert go(plan, method="PUT", path="/orders/1") == v2
    assert go(plan, method="GET", path="/orders") == apex
    assert go(plan, method="POST", path="/users") == apex


def test_multiple_matches_and_groups_are_ored() -> None:
    plan = istio(
        *WEB,
        group("a", "{name: firefox, headers: {user-agent: '.*Firefox.*'}}"),
        group("b", "{name: beta, headers: {cookie: 'beta=1'}}", "{name: p, pathRegex: /beta}"),
        split("web-ab", "web", {"web-v2": 1}, ("a", "b")),
    )
    v2 = {host("web-v2"): Fraction(1)}
    assert go(plan, headers={"User-Agent": "Mozilla/5.0 Firefox/130"}) == v2
    assert go(plan, headers={"Cookie": "beta=1"}) == v2
    assert go(plan, path="/beta/x") == v2
    assert go(plan, headers={"Cookie": "beta=0"}) == {host("web"): Fraction(1)}


def test_matched_split_and_default_split_on_one_apex_merge() -> None:
    plan = istio(
        *WEB,
        service("web-v3"),
        group("beta", "{name: beta, headers: {x-beta: 'true'}}"),
        split("web-ab", "web", {"web-v3": 1}, ("beta",)),
        split("web-canary", "web", {"web-v1": 90, "web-v2": 10}),
    )
    assert len(virtual_services(plan)) == 1
    assert go(plan, headers={"x-beta": "true"}) == {host("web-v3"): Fraction(1)}
    assert go(plan) == {host("web-v1"): Fraction(9, 10), host("web-v2"): Fraction(1, 10)}


def test_two_default_splits_on_one_apex_are_refused() -> None:
    with pytest.raises(TranslationError) as err:
        istio(*WEB, split("a", "web", {"web-v1": 1}), split("b", "web", {"web-v2": 1}))
    (problem,) = err.value.problems
    assert (problem.kind, problem.name, problem.path) == ("TrafficSplit", "b", "spec.service")
    assert "several TrafficSplits without matches (a, b)" in problem.message


def test_tcp_canary_uses_tcp_routes_on_the_tcp_port() -> None:
    db = (service("db", "5432/tcp"), service("db-v1", "5432/tcp"), service("db-v2", "5432/tcp"))
    plan = istio(*db, split("db", "db", {"db-v1": 80, "db-v2": 20}))
    (vs,) = virtual_services(plan)
    assert "http" not in vs["spec"]
    assert go(plan, host=host("db"), port=5432, tcp=True) == {
        host("db-v1"): Fraction(4, 5),
        host("db-v2"): Fraction(1, 5),
    }


def test_mixed_ports_route_http_and_tcp_separately() -> None:
    ports = ("8080/http", "9000/tcp")
    apex = (service("web", *ports), service("web-v1", *ports), service("web-v2", *ports))
    plan = istio(*apex, split("web", "web", {"web-v1": 50, "web-v2": 50}))
    half = {host("web-v1"): Fraction(1, 2), host("web-v2"): Fraction(1, 2)}
    assert go(plan, port=8080) == half
    assert go(plan, port=9000, tcp=True) == half


def test_backend_without_the_apex_port_is_left_out_for_that_port() -> None:
    apex = service("web", "8080/http", "9090/http")
    plan = istio(
        apex,
        service("web-v1", "8080/http", "9090/http"),
        service("web-v2", "8080/http"),
        split("web", "web", {"web-v1": 50, "web-v2": 50}),
    )
    half = {host("web-v1"): Fraction(1, 2), host("web-v2"): Fraction(1, 2)}
    assert go(plan, port=8080) == half
    assert go(plan, port=9090) == {host("web-v1"): Fraction(1)}


def test_unknown_apex_service_assumes_http_with_a_warning() -> None:
    plan = istio(split("web", "web", {"web-v1": 50, "web-v2": 50}))
    assert go(plan) == {host("web-v1"): Fraction(1, 2), host("web-v2"): Fraction(1, 2)}
    assert any("is not in the input: assuming every port is HTTP" in w for w in plan.warnings)


def test_requests_to_other_hosts_are_untouched_and_every_route_has_a_catch_all() -> None:
    plan = istio(
        *WEB, group("g", "{name: m, pathRegex: /x}"), split("s", "web", {"web-v2": 1}, ("g",))
    )
    assert go(plan, host=host("other")) == {host("other"): Fraction(1)}
    assert NO_ROUTE not in go(plan, path="/anything", method="DELETE")


def test_gateways_annotation_adds_the_gateways_and_keeps_the_mesh() -> None:
    text = split("web", "web", {"web-v1": 1}).replace(
        f"namespace: {NS}}}",
        f"namespace: {NS}, annotations: "
        "{VirtualService.v1alpha3.networking.istio.io/spec.gateways: '[\"istio-system/public\"]'}}",
    )
    (vs,) = virtual_services(istio(*WEB, text))
    assert vs["spec"]["gateways"] == ["istio-system/public", "mesh"]
    assert "annotations" not in vs["metadata"]  # it configured the split, not the VS


def test_options_domain_suffix_and_api_version() -> None:
    plan = istio(
        *WEB, split("web", "web", {"web-v1": 1}), domain_suffix="corp.example", istio_api="v1beta1"
    )
    (vs,) = virtual_services(plan)
    assert vs["apiVersion"] == "networking.istio.io/v1beta1"
    assert vs["spec"]["hosts"] == [f"web.{NS}.svc.corp.example"]


def test_the_apex_as_a_backend_keeps_its_share_on_its_own_endpoints() -> None:
    plan = istio(*WEB, split("web", "web", {"web": 90, "web-v2": 10}))
    # A destination with the VirtualService's own host is that Service's cluster, not a loop.
    assert go(plan) == {host("web"): Fraction(9, 10), host("web-v2"): Fraction(1, 10)}


def test_the_apex_as_a_backend_of_a_matched_split() -> None:
    plan = istio(
        *WEB,
        group("beta", "{name: beta, headers: {x-beta: 'true'}}"),
        split("web-ab", "web", {"web": 1, "web-v2": 1}, ("beta",)),
        split("web-canary", "web", {"web-v1": 1}),
    )
    half = {host("web"): Fraction(1, 2), host("web-v2"): Fraction(1, 2)}
    assert go(plan, headers={"x-beta": "true"}) == half
    assert go(plan) == {host("web-v1"): Fraction(1)}


def test_no_virtual_service_without_routes_and_each_split_is_named() -> None:
    db = (service("db", "5432/tcp"), service("db-v2", "5432/tcp"))
    plan = istio(
        *db,
        group("beta", "{name: beta, headers: {x-beta: 'true'}}"),
        split("db-ab", "db", {"db-v2": 1}, ("beta",)),
        split("db-ab2", "db", {"db-v2": 1}, ("beta",)),
    )
    assert virtual_services(plan) == []  # istiod refuses a VirtualService without routes
    for name in ("db-ab", "db-ab2"):
        assert any(
            w.startswith(f"TrafficSplit {NS}/{name}: no VirtualService for Service {NS}/db")
            for w in plan.warnings
        )
    assert not any("produced no resource" in w for w in plan.warnings)


def test_an_apex_with_only_udp_ports_gets_no_virtual_service() -> None:
    udp = (
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: dns, namespace: {NS}}}\n"
        "spec: {ports: [{name: dns, port: 53, protocol: UDP}]}\n"
    )
    plan = istio(udp, split("dns", "dns", {"dns-v2": 1}))
    assert virtual_services(plan) == []
    assert any("port 53 is UDP" in w for w in plan.warnings)
    assert any("no VirtualService for Service" in w for w in plan.warnings)


@pytest.mark.parametrize(
    "apex", ["web.shop", "web.shop.svc", "web.shop.svc.cluster.local", "web.shop.svc.corp"]
)
def test_the_apex_may_be_written_as_the_name_clients_call(apex: str) -> None:
    plain = istio(*WEB, split("web", "web", {"web-v1": 9, "web-v2": 1}))
    assert istio(*WEB, split("web", apex, {"web-v1": 9, "web-v2": 1})).to_json() == plain.to_json()
