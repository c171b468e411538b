"""Split backends served outside the mesh -> App Mesh VirtualNodes with the remote host.

A TrafficSplit backend whose Service stands for a host outside the mesh
(:mod:`pulumi_smi.spec.remote`: an ExternalName Service) is reached the way App Mesh reaches
any external endpoint: a VirtualNode whose ``serviceDiscovery.dns.hostname`` is that host
(with DNS service discovery the callers' Envoy resolves the name and connects on the listener
port).
It has the name every backend node has, ``<backend>_<namespace>``, and one listener: the
apex's port with the apex's protocol when the remote Service lists no ports, else its port
matching the apex's (or its only one), with the apex's protocol as for every backend. The
callers' Envoy sends that share to ``host:port``; there are no pods behind it here, so no
targetPort warning, no listener mTLS (:mod:`.mtls` leaves it out) and it is never a
TrafficTarget destination. A remote backend without a host (only a Consul datacenter, peer or
partition) cannot be a VirtualNode: a located error.
"""

from __future__ import annotations

from typing import Any

from ...plan import Resource
from ...spec.catalogue import ServicePort
from ...spec.models import ObjectKey
from ...spec.remote import Remote
from ..base import service_owner
from .nodes import VIRTUAL_NODE, Builder, RemoteNode, appmesh_protocol


def remote_node(
    b: Builder,
    key: ObjectKey,
    path: str,
    namespace: str,
    backend: str,
    remote: Remote,
    apex: ServicePort,
    apex_host: str,
) -> str:
    """The VirtualNode of a backend served at ``remote`` for the apex (its port, its DNS
    name); its logical name."""
    if remote.host is None:
        raise b.fail(
            key,
            path,
            f"backend Service {namespace}/{backend} is served at {remote.where}: App Mesh "
            "reaches a backend outside the mesh by its DNS name (a VirtualNode's "
            "serviceDiscovery.dns.hostname), and a Consul redirect has none; make the Service "
            "type: ExternalName with spec.externalName (a host the callers' Envoy resolves)",
        )
    port, protocol = _listener(b, key, path, namespace, backend, apex)
    owner = service_owner(namespace, backend)
    name = b.namer(owner, "virtualnode")
    spec: dict[str, Any] = {
        "listeners": [{"portMapping": {"port": port, "protocol": protocol}}],
        "serviceDiscovery": {"dns": {"hostname": remote.host}},
    }
    props = {"name": f"{backend}_{namespace}", **b.mesh_properties(), "spec": spec}
    b.add(Resource(VIRTUAL_NODE, name, props, owner=owner), key, path)
    b.remote_nodes.setdefault(name, RemoteNode(key, path, namespace, backend, remote.where))
    b.warn(key, _warning(namespace, backend, remote, port, protocol, apex_host))
    return name


def _listener(
    b: Builder, key: ObjectKey, path: str, namespace: str, backend: str, apex: ServicePort
) -> tuple[int, str]:
    """(port, protocol) of the remote node's listener: the apex's when it lists no ports."""
    protocol = appmesh_protocol(apex)
    assert protocol is not None  # the router's port is TCP
    service = b.specs.catalogue.service(namespace, backend)
    if service is None or not service.ports:
        return apex.port, protocol
    port = service.port(apex.port)
    if port is None and len(service.ports) == 1:
        port = service.ports[0]
    if port is None or appmesh_protocol(port) != protocol:
        raise b.fail(
            key,
            path,
            f"backend Service {namespace}/{backend} needs a port {apex.port} (or a single "
            f"port, or none: then it is reached on the apex's) with the apex's protocol "
            f"{protocol}",
        )
    return port.port, protocol


def _warning(
    namespace: str, backend: str, remote: Remote, port: int, protocol: str, apex_host: str
) -> str:
    """How the remote backend is reached, and what must hold outside pulumi-smi."""
    host = remote.host
    text = (
        f"backend {namespace}/{backend} is served at {remote.where}: its share goes to "
        f"VirtualNode "
        f"{backend}_{namespace} (DNS service discovery {host}, listener {port}/{protocol}), "
        f"reached through the callers' Envoy at {host}:{port} as they send it (App Mesh "
        "originates no TLS to it); with egress filter DROP_ALL that VirtualNode is what "
        "allows it, and only through the apex's VirtualService. Outside pulumi-smi: "
        f"{host} must resolve from the callers' pods (cluster or VPC DNS) and {host}:{port} "
        "be reachable from them (routes, security groups, VPN or Direct Connect)"
    )
    if protocol != "tcp":
        text += f", and the remote end must accept requests for Host/authority {apex_host}"
    return text
