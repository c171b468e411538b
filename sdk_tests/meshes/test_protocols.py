"""Protocol detection (``pulumi_smi.spec.protocols``), and the targets' agreement on it.

Routing verdicts come from the independent evaluators (``evaluate.consul_chain``,
``evaluate.lattice``, ``evaluate.istio_routes``, ``evaluate.gamma``), not from the
translators' own code.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from evaluate.consul_chain import Request as ConsulRequest
from evaluate.consul_chain import route as consul_route
from evaluate.gamma import Request as GammaRequest
from evaluate.gamma import destinations as gamma_destinations
from evaluate.istio_routes import Request as IstioRequest
from evaluate.istio_routes import route as istio_route
from evaluate.lattice import Request as LatticeRequest
from evaluate.lattice import route as lattice_route

from pulumi_smi.meshes import translate
from pulumi_smi.meshes.services import is_grpc, is_http, is_http2
from pulumi_smi.spec import load_text
from pulumi_smi.spec.catalogue import ServicePort

VPC = "vpc-0123456789abcdef0"


@pytest.mark.parametrize(
    ("name", "app_protocol", "protocol", "expected", "hinted"),
    [
        ("http", None, "TCP", "http", True),
        ("http-web", None, "TCP", "http", True),
        ("HTTP-Web", None, "TCP", "http", True),
        ("http2-api", None, "TCP", "http2", True),
        ("h2c", None, "TCP", "http2", True),
        ("https", None, "TCP", "https", True),
        ("grpc", None, "TCP", "grpc", True),
        ("grpc-api", None, "TCP", "grpc", True),
        ("grpc-web", None, "TCP", "grpc-web", True),
        ("grpc-web-ui", None, "TCP", "grpc-web", True),
        ("tcp-db", None, "TCP", "tcp", True),
        ("tls-x", None, "TCP", "tls", True),
        ("mongo", None, "TCP", "mongo", True),
        ("redis-cache", None, "TCP", "redis", True),
        ("mysql", None, "TCP", "mysql", True),
        ("udp-dns", None, "TCP", "udp", True),
        ("web", None, "TCP", "tcp", False),
        ("httpx", None, "TCP", "tcp", False),
        (None, None, "TCP", "tcp", False),
        ("http", None, "UDP", "udp", True),
        ("dns", "http", "UDP", "udp", True),
        ("web", "http", "TCP", "http", True),
        ("web", "HTTP", "TCP", "http", True),
        ("tcp-x", "http", "TCP", "http", True),  # appProtocol first
        ("http", "tcp", "TCP", "tcp", True),
        ("api", "kubernetes.io/h2c", "TCP", "http2", True),
        ("ws", "kubernetes.io/ws", "TCP", "http", True),
        ("wss", "kubernetes.io/wss", "TCP", "https", True),
        ("api", "grpc-web", "TCP", "grpc-web", True),
        ("http", "example.com/custom", "TCP", "example.com/custom", True),
    ],
)
def test_rules(
    name: str | None, app_protocol: str | None, protocol: str, expected: str, hinted: bool
) -> None:
    port = ServicePort(port=80, name=name, appProtocol=app_protocol, protocol=protocol)
    assert port.application_protocol == expected
    assert port.protocol_hinted is hinted


def test_grpc_web_is_http_not_grpc() -> None:
    port = ServicePort(port=80, name="grpc-web")
    assert is_http(port) and not is_grpc(port) and not is_http2(port)
    h2c = ServicePort(port=80, name="api", appProtocol="kubernetes.io/h2c")
    assert is_http(h2c) and is_http2(h2c) and not is_grpc(h2c)


def _text(port: str) -> str:
    services = "".join(
        f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {n}, namespace: shop}}\n"
        f"spec: {{selector: {{app: {n}}}, ports: [{port}]}}\n"
        for n in ("web", "web-v1", "web-v2")
    )
    return services + (
        "---\napiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\n"
        "metadata: {name: web, namespace: shop}\n"
        "spec: {service: web, backends: [{service: web-v1, weight: 3}, "
        "{service: web-v2, weight: 1}]}\n"
    )


UNNAMED = "{name: web, port: 80, targetPort: 8080}"


def test_consul_takes_an_unnamed_port_as_http_with_a_warning() -> None:
    plan = translate(load_text(_text(UNNAMED)), "consul", {})
    entries = [dict(r.properties) for r in plan]
    assert consul_route(entries, ConsulRequest("web")) == {
        "web-v1": Fraction(3, 4),
        "web-v2": Fraction(1, 4),
    }
    defaults = {e["metadata"]["name"]: e["spec"] for e in entries if e["kind"] == "ServiceDefaults"}
    assert defaults["web"] == {"protocol": "http"}
    (warning,) = [w for w in plan.warnings if "names no protocol" in w]
    assert "shop/web port 80 (web)" in warning and "appProtocol: http" in warning


def test_consul_grpc_web_is_http() -> None:
    plan = translate(load_text(_text("{name: grpc-web, port: 80}")), "consul", {})
    defaults = {
        r.properties["metadata"]["name"]: r.properties["spec"]
        for r in plan
        if r.properties["kind"] == "ServiceDefaults"
    }
    assert defaults["web"] == {"protocol": "http"}
    assert not any("names no protocol" in w for w in plan.warnings)


def _lattice(port: str) -> tuple[dict[str, Fraction], list[str], dict[str, object]]:
    plan = translate(load_text(_text(port)), "vpc-lattice", {"vpc_id": VPC})
    (listener,) = [r for r in plan if r.type.endswith(":Listener")]
    groups = {f"${{{r.name}.id}}": r.properties for r in plan if r.type.endswith(":TargetGroup")}
    where = lattice_route(listener.properties, [], LatticeRequest())
    (first,) = {tuple(sorted(g["config"].items())) for g in groups.values()}
    verdict = {str(groups[k]["name"]): v for k, v in where.items()}
    return (
        verdict,
        list(plan.warnings),
        {"listener": listener.properties["protocol"], **dict(first)},
    )


def test_lattice_takes_an_unnamed_port_as_http_with_a_warning() -> None:
    verdict, warnings, config = _lattice(UNNAMED)
    assert verdict == {"web-v1-shop-80": Fraction(3, 4), "web-v2-shop-80": Fraction(1, 4)}
    assert config["listener"] == "HTTP" and config["protocolVersion"] == "HTTP1"
    (warning,) = [w for w in warnings if "names no protocol" in w]
    assert "shop/web port 80 (web)" in warning and "http-<suffix>" in warning


def test_lattice_grpc_web_is_http1_not_grpc() -> None:
    verdict, warnings, config = _lattice("{name: grpc-web, port: 80}")
    assert verdict == {"web-v1-shop-80": Fraction(3, 4), "web-v2-shop-80": Fraction(1, 4)}
    assert config["listener"] == "HTTP" and config["protocolVersion"] == "HTTP1"
    assert not any("names no protocol" in w for w in warnings)


def test_lattice_still_refuses_a_declared_tcp_port() -> None:
    from pulumi_smi.errors import TranslationError

    with pytest.raises(TranslationError, match="carries tcp over TCP"):
        translate(load_text(_text("{name: tcp-db, port: 80}")), "vpc-lattice", {"vpc_id": VPC})


def _matched_text(port: str) -> str:
    """``_text``'s split, plus a matched split of the same apex sending ``/api`` to web-v2."""
    return _text(port) + (
        "---\napiVersion: specs.smi-spec.io/v1alpha4\nkind: HTTPRouteGroup\n"
        "metadata: {name: api, namespace: shop}\n"
        "spec: {matches: [{name: api, pathRegex: /api.*}]}\n"
        "---\napiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\n"
        "metadata: {name: web-api, namespace: shop}\n"
        "spec: {service: web, backends: [{service: web-v2, weight: 1}], "
        "matches: [{kind: HTTPRouteGroup, name: api}]}\n"
    )


def _istio(text: str) -> tuple[list[dict[str, object]], list[str]]:
    plan = translate(load_text(text), "istio", {})
    return [dict(r.properties) for r in plan if r.is_kubernetes], list(plan.warnings)


def _host(service: str) -> str:
    return f"{service}.shop.svc.cluster.local"


def test_istio_takes_an_unnamed_port_with_matches_as_http_with_a_warning() -> None:
    services, warnings = _istio(_matched_text(UNNAMED))
    api = IstioRequest(_host("web"), path="/api/items")
    assert istio_route(services, api) == {_host("web-v2"): Fraction(1)}
    assert istio_route(services, IstioRequest(_host("web"))) == {
        _host("web-v1"): Fraction(3, 4),
        _host("web-v2"): Fraction(1, 4),
    }
    (warning,) = [w for w in warnings if "names no protocol" in w]
    assert "shop/web port 80 (web)" in warning and "appProtocol: http" in warning
    assert not any("cannot apply to TCP" in w for w in warnings)


def test_istio_keeps_a_declared_tcp_port_tcp_and_drops_its_matches() -> None:
    services, warnings = _istio(_matched_text("{name: tcp-db, port: 80}"))
    assert istio_route(services, IstioRequest(_host("web"), tcp=True)) == {
        _host("web-v1"): Fraction(3, 4),
        _host("web-v2"): Fraction(1, 4),
    }
    assert any("cannot apply to TCP port(s) 80" in w for w in warnings)
    assert not any("names no protocol" in w for w in warnings)


def test_istio_without_matches_keeps_an_unnamed_port_tcp() -> None:
    services, warnings = _istio(_text(UNNAMED))
    assert istio_route(services, IstioRequest(_host("web"), tcp=True)) == {
        _host("web-v1"): Fraction(3, 4),
        _host("web-v2"): Fraction(1, 4),
    }
    assert not any("names no protocol" in w for w in warnings)


def _gamma(text: str, target: str) -> tuple[list[dict[str, object]], list[str]]:
    plan = translate(load_text(text), target, {})
    return [dict(r.properties) for r in plan if r.is_kubernetes], list(plan.warnings)


@pytest.mark.parametrize("target", ["gateway-api", "linkerd"])
def test_gamma_takes_an_unnamed_port_with_matches_as_http_with_a_warning(target: str) -> None:
    manifests, warnings = _gamma(_matched_text(UNNAMED), target)
    routes = [m for m in manifests if str(m["kind"]).endswith("Route")]
    assert {m["kind"] for m in routes} == {"HTTPRoute"}
    for model in ("istio", "linkerd"):
        api = GammaRequest("web", 80, namespace="shop", path="/api/items")
        assert gamma_destinations(manifests, api, model) == {"web-v2": Fraction(1)}
        root = GammaRequest("web", 80, namespace="shop")
        assert gamma_destinations(manifests, root, model) == {
            "web-v1": Fraction(3, 4),
            "web-v2": Fraction(1, 4),
        }
    (warning,) = [w for w in warnings if "names no protocol" in w]
    assert "shop/web port 80 (web)" in warning and "http-<suffix>" in warning


@pytest.mark.parametrize("target", ["gateway-api", "linkerd"])
def test_gamma_keeps_a_declared_tcp_port_tcp(target: str) -> None:
    for port in ("{name: tcp-db, port: 80}", "{name: web, port: 80, appProtocol: tcp}"):
        manifests, warnings = _gamma(_matched_text(port), target)
        routes = [m for m in manifests if str(m["kind"]).endswith("Route")]
        assert {m["kind"] for m in routes} == {"TCPRoute"}
        connection = GammaRequest("web", 80, namespace="shop", protocol="tcp")
        assert gamma_destinations(manifests, connection) == {
            "web-v1": Fraction(3, 4),
            "web-v2": Fraction(1, 4),
        }
        assert not any("names no protocol" in w for w in warnings)
