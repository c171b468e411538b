"""Remote backends on Istio: a ServiceEntry for the host, a weighted destination to it.

A TrafficSplit backend whose Service stands for a host outside the mesh
(:mod:`pulumi_smi.spec.remote`: an ExternalName Service) is reached as Istio reaches any
external service: a ``ServiceEntry`` with ``hosts: [<host>]``, ``location: MESH_EXTERNAL``
and ``resolution: DNS`` on the ports the apex routes to it, exported to its own namespace
only (``exportTo: ["."]``), and the VirtualService's destination for that backend is the host.
The ServiceEntry is named after the backend Service and shared by every split naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...plan import PlanWarning, Resource
from ...spec.catalogue import ServicePort
from ...spec.models import ObjectKey
from ...spec.remote import Remote
from ..base import Namer, service_owner
from ..kube import manifest_resource, object_metadata
from ..plan_builder import PlanBuilder
from ..services import apex_ports, backend_lacks_port, missing_service_hint
from ..splits import ApexRouting

PROTOCOLS = {
    "http": "HTTP",
    "grpc-web": "HTTP",
    "http2": "HTTP2",
    "grpc": "GRPC",
    "https": "HTTPS",
    "tls": "TLS",
    "mongo": "MONGO",
}
"""Application protocol (:mod:`pulumi_smi.spec.protocols`) -> ServiceEntry port protocol;
any other is TCP."""


def no_host_message(backend: str, remote: Remote) -> str:
    """Why a remote backend without a host cannot be an Istio destination."""
    return (
        f"backend Service {backend!r} is served at {remote.where}: Istio reaches a remote "
        "backend by its DNS name; make the Service type: ExternalName with spec.externalName"
    )


def plan_remote_backends(
    b: PlanBuilder,
    namer: Namer,
    api_version: str,
    routing: ApexRouting,
    remotes: Mapping[str, tuple[Remote, ObjectKey]],
) -> None:
    """Plan a ServiceEntry (one per backend Service: ports merged over every apex reaching
    it) and a warning for each remote backend of ``routing`` (Service -> where, first split)."""
    ns = routing.namespace
    for service, (remote, key) in sorted(remotes.items()):
        known = apex_ports(b.specs, routing.owner_split)
        own = b.specs.catalogue.service(ns, service)
        ports = [
            p
            for p in (known if known is not None else own.ports if own else ())
            if p.protocol == "TCP" and not backend_lacks_port(b.specs, ns, service, p.port)
        ]
        if not ports:
            raise b.fail(
                key,
                "spec.service",
                f"the ServiceEntry of remote backend {ns}/{service} needs the ports it is "
                "reached on: " + missing_service_hint(ns, routing.apex),
            )
        entry = service_entry(namer, api_version, ns, service, remote, ports)
        planned = b.resources.get(entry.name)
        if planned is not None:
            merged = {p["number"]: p for p in planned.properties["spec"]["ports"]}
            merged.update({p["number"]: p for p in entry.properties["spec"]["ports"]})
            spec = {**entry.properties["spec"], "ports": [merged[n] for n in sorted(merged)]}
            properties = {**entry.properties, "spec": spec}
            entry = Resource(entry.type, entry.name, properties, owner=entry.owner)
        b.add_resource(entry)
        b.warnings.append(remote_warning(key, ns, service, remote))


def service_entry(
    namer: Namer,
    api_version: str,
    namespace: str,
    backend: str,
    remote: Remote,
    ports: list[ServicePort],
) -> Resource:
    """The ServiceEntry of a remote backend reached on the apex ``ports`` (their protocols:
    the sidecar forwards what the apex port carries; Istio originates no TLS here)."""
    assert remote.host is not None
    entry_ports = []
    for port in sorted(ports, key=lambda p: p.port):
        protocol = PROTOCOLS.get(port.application_protocol, "TCP")
        entry_ports.append(
            {
                "number": port.port,
                "name": port.name or f"{protocol.lower()}-{port.port}",
                "protocol": protocol,
            }
        )
    spec: dict[str, Any] = {
        "hosts": [remote.host],
        "location": "MESH_EXTERNAL",
        "resolution": "DNS",
        "ports": entry_ports,
        "exportTo": ["."],
    }
    owner = service_owner(namespace, backend)
    return manifest_resource(
        namer(owner, "serviceentry"),
        api_version,
        "ServiceEntry",
        object_metadata(backend, namespace),
        spec,
        owner,
    )


def remote_warning(key: ObjectKey, namespace: str, backend: str, remote: Remote) -> PlanWarning:
    """How the remote backend is reached, and what Istio needs beyond the ServiceEntry."""
    return PlanWarning(
        f"TrafficSplit {key.namespace}/{key.name}: backend {namespace}/{backend} is served "
        f"at {remote.where}: reached through a ServiceEntry (MESH_EXTERNAL, resolution DNS) "
        "with the protocol of the apex port (Istio originates no TLS here); requests keep "
        "the apex's Host header (Istio rewrites the authority per route, not per "
        "destination), so the remote must accept it (a VPC Lattice service: give it that "
        "custom domain name); with outboundTrafficPolicy REGISTRY_ONLY the ServiceEntry is "
        "what allows it",
        key,
    )
