"""Linkerd policy objects as planned resources (``policy.linkerd.io``).

Servers are ``v1beta3``, inbound HTTPRoutes ``policy.linkerd.io/v1beta3`` (parent = Server, no
backendRefs), the authentications and AuthorizationPolicies ``v1alpha1``. Every
AuthorizationPolicy requires exactly one authentication: Linkerd's admission rejects a policy
with more than one MeshTLSAuthentication (or NetworkAuthentication), and refs are ANDed anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...plan import Resource
from ...spec.catalogue import ServicePort
from ...spec.models import ObjectKey, ObjectMeta
from ..kube import manifest_resource, object_metadata

GROUP = "policy.linkerd.io"
SERVER_API = f"{GROUP}/v1beta3"
ROUTE_API = f"{GROUP}/v1beta3"
AUTH_API = f"{GROUP}/v1alpha1"
MAX_MATCHES_PER_RULE = 8
MAX_RULES = 16
ANY_REQUEST: dict[str, Any] = {"path": {"type": "PathPrefix", "value": "/"}}
_PROTOCOLS = {"http": "HTTP/1", "http2": "HTTP/2", "grpc": "gRPC"}
"""Application protocol (:mod:`pulumi_smi.spec.protocols`) -> Server ``proxyProtocol``."""
KINDS = (
    "Server",
    "HTTPRoute",
    "MeshTLSAuthentication",
    "NetworkAuthentication",
    "AuthorizationPolicy",
)


def proxy_protocol(service_ports: Sequence[ServicePort], has_routes: bool) -> str | None:
    """The Server's ``proxyProtocol`` from the ``appProtocol`` of the Service ports in front.

    None (Linkerd detects the protocol) unless every such port declares the same HTTP protocol.
    gRPC becomes ``HTTP/2`` on a Server with inbound HTTPRoutes: a ``gRPC`` Server reads only
    GRPCRoutes, so it would ignore the routes and their authorizations.
    """
    found = {
        _PROTOCOLS.get(p.application_protocol) if p.app_protocol else None for p in service_ports
    }
    if len(found) != 1:
        return None
    protocol = found.pop()
    return "HTTP/2" if protocol == "gRPC" and has_routes else protocol


def server(
    logical: str,
    name: str,
    namespace: str,
    labels: dict[str, str],
    port: int,
    protocol: str | None,
    owner: ObjectKey,
) -> Resource:
    """A Server selecting the pods by ``labels`` on ``port``; unauthorized traffic is denied."""
    spec: dict[str, Any] = {"podSelector": {"matchLabels": labels}, "port": port}
    if protocol:
        spec["proxyProtocol"] = protocol
    spec["accessPolicy"] = "deny"
    metadata = object_metadata(name, namespace)
    return manifest_resource(logical, SERVER_API, "Server", metadata, spec, owner)


def http_route(
    logical: str,
    name: str,
    namespace: str,
    server_name: str,
    matches: Sequence[dict[str, Any]],
    owner: ObjectKey,
    source: ObjectMeta | None = None,
) -> Resource:
    """An inbound HTTPRoute on a Server: its matches, in rules of at most 8 (the CRD's limit)."""
    chunks = [
        list(matches[i : i + MAX_MATCHES_PER_RULE])
        for i in range(0, len(matches), MAX_MATCHES_PER_RULE)
    ]
    spec = {
        "parentRefs": [{"group": GROUP, "kind": "Server", "name": server_name}],
        "rules": [{"matches": chunk} for chunk in chunks],
    }
    metadata = object_metadata(name, namespace, source)
    return manifest_resource(logical, ROUTE_API, "HTTPRoute", metadata, spec, owner)


def mesh_tls_authentication(
    logical: str, name: str, namespace: str, identities: list[str], source: ObjectMeta
) -> Resource:
    """The mTLS identities of a TrafficTarget's sources (any of them authenticates)."""
    metadata = object_metadata(name, namespace, source)
    spec = {"identities": identities}
    owner = ObjectKey("TrafficTarget", namespace, source.name)
    return manifest_resource(logical, AUTH_API, "MeshTLSAuthentication", metadata, spec, owner)


def network_authentication(
    logical: str, name: str, namespace: str, networks: Sequence[str], owner: ObjectKey
) -> Resource:
    """Clients from ``networks`` (CIDRs), without mTLS: the nodes' kubelets."""
    spec = {"networks": [{"cidr": cidr} for cidr in networks]}
    metadata = object_metadata(name, namespace)
    return manifest_resource(logical, AUTH_API, "NetworkAuthentication", metadata, spec, owner)


def authorization_policy(
    logical: str,
    name: str,
    namespace: str,
    target: tuple[str, str],
    authentication: tuple[str, str],
    owner: ObjectKey,
    source: ObjectMeta | None = None,
) -> Resource:
    """Authorize the clients of one ``(kind, name)`` authentication on ``(kind, name)`` target."""
    spec = {
        "targetRef": {"group": GROUP, "kind": target[0], "name": target[1]},
        "requiredAuthenticationRefs": [
            {"group": GROUP, "kind": authentication[0], "name": authentication[1]}
        ],
    }
    metadata = object_metadata(name, namespace, source)
    return manifest_resource(logical, AUTH_API, "AuthorizationPolicy", metadata, spec, owner)


def order(resource: Resource) -> tuple[int, str, str]:
    """Sort key: kind (as in :data:`KINDS`), namespace, name."""
    metadata = resource.properties["metadata"]
    return (KINDS.index(resource.properties["kind"]), metadata["namespace"], metadata["name"])
