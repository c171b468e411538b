"""Every served SMI version normalises to the newest shape with the same meaning."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pulumi_smi.errors import SmiValidationError
from pulumi_smi.spec import load_text
from pulumi_smi.spec.quantity import parse_quantity


def split(version: str, backends: str, extra: str = "") -> str:
    return (
        f"apiVersion: split.smi-spec.io/{version}\nkind: TrafficSplit\n"
        f"metadata: {{name: web, namespace: shop}}\nspec:\n  service: web\n"
        f"  backends: {backends}\n{extra}"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500m", Fraction(1, 2)),
        ("1", Fraction(1)),
        ("1500m", Fraction(3, 2)),
        ("2k", Fraction(2000)),
        ("1Ki", Fraction(1024)),
        ("1e3", Fraction(1000)),
        ("0.25", Fraction(1, 4)),
        ("10u", Fraction(1, 100000)),
        (7, Fraction(7)),
        (0.5, Fraction(1, 2)),
    ],
)
def test_quantities_parse_exactly(text: str | int | float, expected: Fraction) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("bad", ["", "m", "1.2.3", "12xyz", "1Qi", "ten"])
def test_non_quantities_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError, match="quantity"):
        parse_quantity(bad)


def test_v1alpha1_quantity_weights_keep_their_ratio() -> None:
    text = split(
        "v1alpha1",
        "[{service: a, weight: 900m}, {service: b, weight: 100m}, {service: c, weight: '1'}]",
    )
    backends = load_text(text).traffic_splits[0].spec.backends
    assert [(b.service, b.weight) for b in backends] == [("a", 9), ("b", 1), ("c", 10)]


def test_v1alpha1_plain_integer_weights_stay_as_they_are() -> None:
    text = split("v1alpha1", "[{service: a, weight: 90}, {service: b, weight: 10}]")
    assert [b.weight for b in load_text(text).traffic_splits[0].spec.backends] == [90, 10]


@pytest.mark.parametrize("version", ["v1alpha1", "v1alpha2"])
def test_matches_before_v1alpha3_are_rejected(version: str) -> None:
    text = split(
        version,
        "[{service: a, weight: 1}]",
        "  matches: [{kind: HTTPRouteGroup, name: g}]\n",
    )
    with pytest.raises(SmiValidationError) as err:
        load_text(text)
    (problem,) = err.value.problems
    assert problem.path == "spec.matches"
    assert "added in v1alpha3" in problem.message


def test_http_route_group_top_level_form_of_v1alpha2() -> None:
    text = """
apiVersion: specs.smi-spec.io/v1alpha2
kind: HTTPRouteGroup
metadata: {name: g}
matches:
- {name: m, pathRegex: /api, methods: [GET], headers: {X-Env: prod}}
"""
    group = load_text(text).http_route_groups[0]
    match = group.spec.matches[0]
    assert (match.path_regex, match.methods, match.headers) == ("/api", ("GET",), {"x-env": "prod"})
    assert group.metadata.namespace == "default"


def test_headers_list_of_maps_and_map_forms_are_the_same() -> None:
    template = """
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {{name: g}}
spec:
  matches:
  - name: m
    headers: {headers}
"""
    as_list = load_text(template.format(headers="[{user-agent: '.*Firefox.*'}, {X-Beta: 'true'}]"))
    as_map = load_text(template.format(headers="{user-agent: '.*Firefox.*', X-Beta: 'true'}"))
    assert as_list.http_route_groups == as_map.http_route_groups
    assert as_map.http_route_groups[0].spec.matches[0].headers == {
        "user-agent": ".*Firefox.*",
        "x-beta": "true",
    }


def test_conflicting_header_entries_are_rejected() -> None:
    text = """
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: g}
spec:
  matches:
  - {name: m, headers: [{x-a: '1'}, {X-A: '2'}]}
"""
    with pytest.raises(SmiValidationError, match="given twice"):
        load_text(text)


@pytest.mark.parametrize("version", ["v1alpha1", "v1alpha2", "v1alpha3"])
def test_old_tcp_routes_mean_every_port(version: str) -> None:
    text = f"apiVersion: specs.smi-spec.io/{version}\nkind: TCPRoute\nmetadata: {{name: t}}\n"
    assert load_text(text).tcp_routes[0].spec.matches.ports == ()


def test_access_v1alpha1_top_level_form_with_port_becomes_a_tcp_route_rule() -> None:
    text = """
apiVersion: access.smi-spec.io/v1alpha1
kind: TrafficTarget
metadata: {name: tt, namespace: shop}
destination: {kind: ServiceAccount, name: api, namespace: shop, port: 8080}
sources: [{kind: ServiceAccount, name: web, namespace: front}]
specs: [{kind: TCPRoute, name: all}]
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: all, namespace: shop}
spec: {matches: {ports: []}}
"""
    specs = load_text(text)
    target = specs.traffic_targets[0]
    assert [(r.kind, r.name) for r in target.spec.rules] == [
        ("TCPRoute", "all"),
        ("TCPRoute", "tt-port-8080"),
    ]
    port_route = next(r for r in specs.tcp_routes if r.metadata.name == "tt-port-8080")
    assert port_route.spec.matches.ports == (8080,)
    assert target.spec.sources[0].namespace == "front"


def test_identity_namespaces_default_to_the_traffic_targets() -> None:
    text = """
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: tt, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: api}
  sources: [{kind: ServiceAccount, name: web}]
  rules: [{kind: TCPRoute, name: all}]
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: all, namespace: shop}
spec: {matches: {ports: [8080]}}
"""
    spec = load_text(text).traffic_targets[0].spec
    assert spec.destination.namespace == "shop"
    assert spec.sources[0].namespace == "shop"


@pytest.mark.parametrize(
    ("version", "body", "path"),
    [
        (
            "v1alpha2",
            "spec: {destination: {kind: ServiceAccount, name: api},"
            " sources: [{kind: ServiceAccount, name: web}]}",
            "spec.rules",
        ),
        (
            "v1alpha1",
            "destination: {kind: ServiceAccount, name: api}\n"
            "sources: [{kind: ServiceAccount, name: web}]",
            "specs",
        ),
    ],
)
def test_old_traffic_targets_without_rules_say_what_to_write(
    version: str, body: str, path: str
) -> None:
    text = (
        f"apiVersion: access.smi-spec.io/{version}\nkind: TrafficTarget\n"
        f"metadata: {{name: t, namespace: shop}}\n{body}\n"
    )
    with pytest.raises(SmiValidationError) as raised:
        load_text(text, "tt.yaml")
    (problem,) = raised.value.problems
    assert problem.path == path
    assert "add a TCPRoute without ports" in problem.message
    assert "never guesses an allow" in problem.message
