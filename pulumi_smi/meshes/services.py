"""Looking up the Services a translation needs in the catalogue."""

from __future__ import annotations

from ..errors import TranslationError
from ..spec import protocols
from ..spec.catalogue import ServicePort
from ..spec.models import TrafficSplit
from ..spec.remote import Remote
from ..spec.specset import SpecSet

HTTP_PROTOCOLS = protocols.HTTP
"""Application protocols carried over HTTP (routed by HTTP rules); ``grpc-web`` is HTTP."""


def is_http(port: ServicePort) -> bool:
    """Whether the port carries HTTP (HTTP/1, HTTP/2, gRPC or gRPC-Web)."""
    return port.application_protocol in HTTP_PROTOCOLS


def is_http2(port: ServicePort) -> bool:
    """Whether the port carries cleartext HTTP/2 (``http2``, ``h2c``, ``kubernetes.io/h2c``)."""
    return port.application_protocol == "http2"


def is_grpc(port: ServicePort) -> bool:
    """Whether the port carries gRPC (not gRPC-Web, which is HTTP)."""
    return port.application_protocol == "grpc"


def assumed_http(port: ServicePort) -> bool:
    """A TCP port with no protocol hint: HTTP where SMI HTTP matches or rules apply to it."""
    return not port.protocol_hinted


def assumed_http_warning(namespace: str, service: str, port: ServicePort) -> str:
    """The warning text for a port taken to be HTTP, saying how to declare it."""
    name = f" ({port.name})" if port.name else ""
    return (
        f"Service {namespace}/{service} port {port.port}{name} names no protocol: assuming "
        "HTTP (set appProtocol: http, or name the port http or http-<suffix>, to say so; "
        "appProtocol: tcp if it is not HTTP)"
    )


def missing_service_hint(namespace: str, name: str) -> str:
    """How to supply a Service the input lacks: the exact document to add."""
    return (
        "add its Service manifest to the input (or to the Mesh catalogue), a document "
        f"'apiVersion: v1, kind: Service, metadata: {{name: {name}, namespace: {namespace}}}' "
        "with its spec.ports (for example 'ports: [{name: http, port: 80}]')"
    )


def apex_ports(specs: SpecSet, split: TrafficSplit) -> tuple[ServicePort, ...] | None:
    """The ports of the split's apex Service, or None when the catalogue lacks it."""
    service = specs.catalogue.service(split.metadata.namespace, split.spec.service)
    return None if service is None else service.ports


def require_apex_ports(specs: SpecSet, split: TrafficSplit, target: str) -> tuple[ServicePort, ...]:
    """The apex Service's ports; a :class:`TranslationError` naming what is missing."""
    ports = apex_ports(specs, split)
    ns, apex = split.metadata.namespace, split.spec.service
    if ports is None:
        raise TranslationError(
            [
                specs.problem(
                    split.key,
                    "spec.service",
                    f"the {target} target needs the ports of Service {ns}/{apex}: "
                    + missing_service_hint(ns, apex),
                )
            ]
        )
    if not ports:
        raise TranslationError(
            [specs.problem(split.key, "spec.service", f"Service {ns}/{apex} has no ports")]
        )
    return ports


def backend_lacks_port(specs: SpecSet, namespace: str, backend: str, port: int) -> bool:
    """True when the catalogue knows the backend Service and it has no ``port``.

    SMI leaves such a backend out of the split for that port. An unknown backend
    (not created yet, as in SMI's rollout workflow) does not count as lacking it.
    """
    service = specs.catalogue.service(namespace, backend)
    if service is None or (service.remote is not None and not service.ports):
        return False  # a remote backend listing no ports is reached on the apex's port
    return service.port(port) is None


def remote_of(specs: SpecSet, namespace: str, backend: str) -> Remote | None:
    """Where the backend Service is served when it stands for one outside the mesh
    (:mod:`pulumi_smi.spec.remote`), else None."""
    service = specs.catalogue.service(namespace, backend)
    return service.remote if service is not None else None
