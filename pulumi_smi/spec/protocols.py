"""Protocol detection of a Service port, written once for every target.

Kubernetes ``appProtocol`` first, else the port name, following Istio's rules: a name is
``<protocol>[-<suffix>]`` (``http-web``, ``grpc``, ``tcp-db``), case-insensitive, with
``grpc-web`` a protocol of its own (HTTP, not gRPC: browsers send it over HTTP/1.1). The
Kubernetes standard names ``kubernetes.io/h2c`` (HTTP/2 cleartext), ``kubernetes.io/ws``
(WebSocket, HTTP/1.1 upgrade) and ``kubernetes.io/wss`` (WebSocket over TLS) are understood
in ``appProtocol``. A UDP or SCTP port is ``udp``/``sctp`` whatever its name says.

The result is one of :data:`KNOWN`, ``tcp`` for a TCP port with no hint, or the
lower-cased ``appProtocol`` value when it names a protocol not listed here.
"""

from __future__ import annotations

KNOWN = (
    "http",
    "http2",
    "https",
    "grpc",
    "grpc-web",
    "tcp",
    "tls",
    "mongo",
    "redis",
    "mysql",
    "udp",
)
"""Protocols a port name prefix or an ``appProtocol`` may name (Istio's list)."""

ALIASES = {
    "h2c": "http2",
    "kubernetes.io/h2c": "http2",
    "kubernetes.io/ws": "http",
    "kubernetes.io/wss": "https",
}
"""Other names of a known protocol."""

HTTP = ("http", "http2", "grpc", "grpc-web")
"""Protocols carried over (cleartext) HTTP, so routed by HTTP rules."""


def _parse(value: str) -> str | None:
    """The protocol ``value`` names (``<protocol>[-<suffix>]``), or None."""
    lowered = value.lower()
    if lowered in ALIASES:
        return ALIASES[lowered]
    if lowered == "grpc-web" or lowered.startswith("grpc-web-"):
        return "grpc-web"
    prefix = lowered.split("-", 1)[0]
    if prefix in ALIASES:
        return ALIASES[prefix]
    return prefix if prefix in KNOWN else None


def application_protocol(
    name: str | None, protocol: str = "TCP", app_protocol: str | None = None
) -> str:
    """The application protocol of a Service port (lower-case), as the module doc says."""
    if protocol != "TCP":
        return protocol.lower()
    if app_protocol:
        return _parse(app_protocol) or app_protocol.lower()
    if name:
        return _parse(name) or "tcp"
    return "tcp"


def hinted(name: str | None, protocol: str = "TCP", app_protocol: str | None = None) -> bool:
    """Whether the port says its protocol (``appProtocol``, a protocol name, or not TCP)."""
    return (
        protocol != "TCP" or bool(app_protocol) or (name is not None and _parse(name) is not None)
    )
