"""Looking up the Services a translation needs in the catalogue."""

from __future__ import annotations

from ..errors import TranslationError
from ..spec.catalogue import ServicePort
from ..spec.models import TrafficSplit
from ..spec.specset import SpecSet

HTTP_PROTOCOLS = ("http", "http2", "h2c", "grpc", "grpc-web", "kubernetes.io/h2c")
"""Application protocols carried over HTTP (routed by HTTP rules)."""


def is_http(port: ServicePort) -> bool:
    """Whether the port carries HTTP (HTTP/1, HTTP/2 or gRPC)."""
    return port.application_protocol in HTTP_PROTOCOLS


def is_grpc(port: ServicePort) -> bool:
    """Whether the port carries gRPC."""
    return port.application_protocol in ("grpc", "grpc-web")


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
                    f"the {target} target needs the ports of Service {ns}/{apex}: add its "
                    "Service manifest to the input (or to the Mesh catalogue)",
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
    return service is not None and service.port(port) is None
