"""The access model: SMI's access rules read once, the same way for every target."""

from __future__ import annotations

from pulumi_smi.meshes.access import Untranslatable
from pulumi_smi.meshes.access_model import Identity, access_model, port_grants
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
        ports:
        - {name: http, containerPort: 8080}
        - {containerPort: 6379}
        - {containerPort: 5353, protocol: UDP}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: metrics, port: 9102}
"""

ROUTES = """
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: api-routes, namespace: shop}
spec:
  matches:
  - {name: reads, methods: [GET], pathRegex: /api/.*}
  - {name: all}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: http-port, namespace: shop}
spec: {matches: {ports: [80]}}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: any-port, namespace: shop}
spec: {}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: UDPRoute
metadata: {name: dns, namespace: shop}
spec: {matches: {ports: [5353]}}
"""


def _target(name: str, rules: str, sources: str = "[{kind: ServiceAccount, name: web}]") -> str:
    return f"""
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {{name: {name}, namespace: shop}}
spec:
  destination: {{kind: ServiceAccount, name: api, namespace: shop}}
  sources: {sources}
  rules: {rules}
"""


def _model(*targets: str) -> list:  # type: ignore[type-arg]
    return list(access_model(load_text(CLUSTER + ROUTES + "".join(targets))))


def test_one_destination_per_service_account_with_every_known_port() -> None:
    (api,) = _model(_target("a", "[{kind: TCPRoute, name: any-port}]"))
    assert api.identity == Identity("shop", "api")
    assert [w.name for w in api.workloads] == ["api"]
    assert [s.name for s in api.services] == ["api"]
    # container ports (named or not, TCP only) and the Services' targetPorts
    assert sorted(api.known_ports) == [6379, 8080, 9102]
    assert [p.port for p in api.known_ports[8080]] == [80]
    assert api.known_ports[6379] == ()


def test_tcp_only_is_l4_on_the_named_ports_or_every_port() -> None:
    (api,) = _model(
        _target("ports", "[{kind: TCPRoute, name: http-port}]"),
        _target("every", "[{kind: TCPRoute, name: any-port}, {kind: TCPRoute, name: http-port}]"),
    )
    every, ports = api.grants  # sorted by name: "every" < "ports"
    assert ports.http is None and ports.ports == (80,) and ports.ports_at == "spec.rules[0]"
    assert every.ports is None and every.every_request
    assert (every.tcp_at, every.ports_at) == ("spec.rules[0]", "")


def test_http_rules_and_tcp_ports_are_anded_within_one_traffic_target() -> None:
    rules = (
        "[{kind: HTTPRouteGroup, name: api-routes, matches: [reads]},"
        " {kind: TCPRoute, name: http-port}]"
    )
    (api,) = _model(_target("reads", rules))
    (grant,) = api.grants
    assert grant.ports == (80,) and grant.ports_at == "spec.rules[1]"
    assert grant.http is not None and [m.match.name for m in grant.http] == ["reads"]
    assert grant.http[0].where == "spec.rules[0].matches[0]" and not grant.every_request
    assert port_grants(
        load_text(CLUSTER + ROUTES + _target("reads", rules)), api, grant, api.workloads
    ) == {8080: [api.known_ports[8080][0]]}


def test_a_group_without_match_names_allows_every_match() -> None:
    (api,) = _model(_target("all", "[{kind: HTTPRouteGroup, name: api-routes}]"))
    (grant,) = api.grants
    assert grant.http is not None
    assert [(m.where, m.match.name) for m in grant.http] == [
        ("spec.rules[0]", "reads"),
        ("spec.rules[0]", "all"),
    ]
    assert grant.every_request  # the match "all" has no condition
    assert grant.ports is None


def test_udp_rules_allow_nothing_and_are_reported() -> None:
    (api,) = _model(_target("udp", "[{kind: UDPRoute, name: dns}]"))
    assert api.grants == () and [t.metadata.name for t in api.unallowed_targets()] == ["udp"]
    (rule,) = api.udp
    assert (rule.where, rule.route) == ("spec.rules[0]", "dns")
    assert "UDPRoute dns) is not enforced: no UDP; nothing is allowed" in rule.warning("no UDP")


def test_sources_default_to_the_traffic_target_namespace_and_are_unique() -> None:
    sources = (
        "[{kind: ServiceAccount, name: web}, {kind: ServiceAccount, name: web, namespace: shop},"
        " {kind: ServiceAccount, name: cron, namespace: ops}]"
    )
    (api,) = _model(_target("a", "[{kind: TCPRoute, name: any-port}]", sources))
    assert api.grants[0].sources == (Identity("shop", "web"), Identity("ops", "cron"))


def test_a_destination_without_workloads_is_still_in_the_model() -> None:
    text = ROUTES + _target("a", "[{kind: TCPRoute, name: any-port}]")
    (api,) = access_model(load_text(text))
    assert api.workloads == () and api.services == () and api.known_ports == {}
    assert len(api.grants) == 1


def test_a_named_target_port_the_pods_lack_is_reported_where_ports_resolve() -> None:
    broken = CLUSTER.replace("targetPort: http}", "targetPort: web}")
    specs = load_text(broken + ROUTES + _target("a", "[{kind: TCPRoute, name: http-port}]"))
    (api,) = access_model(specs)
    assert 9102 in api.known_ports  # the broken port does not hide the Service's other ports
    try:
        port_grants(specs, api, api.grants[0], api.workloads)
    except Untranslatable as exc:
        assert exc.path == "spec.rules[0]" and "targetPort 'web'" in exc.message
    else:
        raise AssertionError("expected Untranslatable")
