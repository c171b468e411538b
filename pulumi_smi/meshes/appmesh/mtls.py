"""Opt-in mutual TLS (option ``mtls_trust_domain``): destinations refuse callers outside the mesh.

App Mesh has no inbound authorization, but an Envoy listener with ``tls.mode: STRICT`` and a
``validation`` context completes only handshakes presenting a certificate of the trust bundle
whose SAN is listed (App Mesh user guide, "Mutual TLS authentication"; a listener without SANs
would take any certificate of the bundle, so SANs are always listed). With SPIRE serving
certificates through Envoy's Secret Discovery Service, a pod's certificate is its SVID, the
SDS secret ``spiffe://<trust domain>/ns/<namespace>/sa/<service account>`` (the SPIRE
Controller Manager's default ClusterSPIFFEID template: register the pods so), and the trust
bundle the SDS secret ``spiffe://<trust domain>``. So, from the grants that gave backends
(:mod:`.access`):

* every listener a granted VirtualService lands on — each listener of the VirtualNode providing
  it; for a VirtualRouter, the listener of each weighted target on the router's port (else its
  only one, as :mod:`.routes` pairs them) — gets ``tls``: ``STRICT``, the destination's SVID as
  certificate, the bundle as trust, and as SANs the SVIDs of the sources given that
  VirtualService as a backend (whose VirtualNodes exist);
* every granted backend gets a client policy: TLS enforced, the caller's SVID as certificate,
  the bundle as trust and the destination's SVID as the peer's SAN.

A caller without such a certificate (no Envoy, no identity, or an identity no grant names) is
refused by the destination, on TCP, HTTP, HTTP/2 and gRPC listeners alike; the backends still
decide which VirtualServices a caller in the mesh reaches. Listeners no grant lands on stay
plaintext, and are named in the warning about callers outside the mesh. The kubelet's probes
are plaintext too: a probe on a container port behind a STRICT listener fails (a warning).
A VirtualNode of a backend served outside the mesh (:mod:`.remote`) has no pods here and gets
no listener TLS; a grant whose VirtualService sends it a share is a located error on the split,
since the callers' client policy would demand the destination's SVID from the remote host.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...errors import TranslationError
from ...plan import whole_reference
from ...spec.catalogue import Service
from ...spec.models import ObjectKey
from ..access_model import Identity
from ..identity import spiffe_principal
from .nodes import ROUTE, VIRTUAL_NODE, VIRTUAL_SERVICE, Builder, RemoteNode

MAX_SAN = 254
"""Characters of a subject alternative name (botocore ``SubjectAlternativeName``)."""


@dataclass
class Grants:
    """What the grants gave: per VirtualService (logical name) its destination and callers."""

    destination: dict[str, tuple[Identity, ObjectKey]] = field(default_factory=dict)
    callers: dict[str, set[Identity]] = field(default_factory=lambda: defaultdict(set))
    node_identity: dict[str, Identity] = field(default_factory=dict)
    """Source VirtualNode (logical name) -> the ServiceAccount its pods run as."""

    def add(self, service: str, destination: Identity, key: ObjectKey) -> None:
        self.destination.setdefault(service, (destination, key))

    def call(self, service: str, node: str, source: Identity) -> None:
        self.callers[service].add(source)
        self.node_identity[node] = source


def svid(b: Builder, identity: Identity, key: ObjectKey, path: str) -> str:
    """The SPIFFE ID of ``identity``'s pods (a located error when App Mesh cannot take it)."""
    assert b.options.mtls_trust_domain is not None
    found = "spiffe://" + spiffe_principal(
        b.options.mtls_trust_domain, identity.namespace, identity.name
    )
    if len(found) > MAX_SAN:
        raise b.fail(
            key,
            path,
            f"the SPIFFE ID {found[:60]}... has {len(found)} characters; App Mesh takes "
            f"subject alternative names of at most {MAX_SAN}",
        )
    return found


def bundle(b: Builder) -> str:
    """The SDS secret of the trust bundle."""
    return f"spiffe://{b.options.mtls_trust_domain}"


def client_policy(b: Builder, caller: Identity, destination: Identity, key: ObjectKey) -> Any:
    """``clientPolicy`` of a backend: present the caller's SVID, verify the destination's."""
    return {
        "tls": {
            "enforce": True,
            "certificate": {"sds": {"secretName": svid(b, caller, key, "spec.sources")}},
            "validation": {
                "trust": {"sds": {"secretName": bundle(b)}},
                "subjectAlternativeNames": {
                    "match": {"exacts": [svid(b, destination, key, "spec.destination.name")]}
                },
            },
        }
    }


def secure_listeners(b: Builder, grants: Grants) -> None:
    """``tls`` STRICT with the allowed callers' SANs on every listener a grant lands on."""
    sans: dict[tuple[str, int], set[str]] = defaultdict(set)
    owners: dict[str, tuple[Identity, ObjectKey]] = {}
    for service, (destination, key) in sorted(grants.destination.items()):
        callers = grants.callers.get(service, set())
        if not callers:
            continue
        names = {svid(b, c, key, "spec.sources") for c in callers}
        for node, port in _landings(b, service):
            if node in b.remote_nodes:
                _remote_problem(b, b.remote_nodes[node], service, key)
                continue
            known = owners.setdefault(node, (destination, key))
            if known[0] != destination:
                raise TranslationError(
                    [
                        b.specs.problem(
                            key,
                            "spec.destination.name",
                            f"VirtualNode {b.resources[node].properties['name']} serves "
                            f"ServiceAccounts {known[0]} and {destination}: its listener has "
                            "one certificate, so mTLS cannot name both",
                        )
                    ]
                )
            sans[(node, port)] |= names
    node_ports: dict[str, set[int]] = {}
    for node, port in sans:
        node_ports.setdefault(node, set()).add(port)
    for node, (destination, key) in sorted(owners.items()):
        resource = b.resources[node]
        certificate = svid(b, destination, key, "spec.destination.name")
        listeners = []
        for listener in resource.properties["spec"].get("listeners", []):
            port = listener["portMapping"]["port"]
            allowed = sorted(sans.get((node, port), ()))
            if allowed:
                listener = {**listener, "tls": _listener_tls(b, certificate, allowed)}
            listeners.append(listener)
        b.replace_spec(node, {**resource.properties["spec"], "listeners": listeners})
        _warn_probes(b, node, node_ports.get(node, set()), key)


def plaintext_nodes(b: Builder) -> list[str]:
    """App Mesh names of the VirtualNodes with a listener and no ``tls`` on one of them."""
    return sorted(
        r.properties["name"]
        for r in b.resources.values()
        if r.type == VIRTUAL_NODE
        and r.name not in b.remote_nodes  # no pods here: nothing to reach from outside
        and any("tls" not in item for item in r.properties["spec"].get("listeners", []))
    )


def _remote_problem(b: Builder, remote: RemoteNode, service: str, key: ObjectKey) -> None:
    """A granted VirtualService sends a share to a backend outside the mesh: mTLS breaks it."""
    dns = b.resources[service].properties["name"]
    b.problem(
        remote.key,
        remote.path,
        f"backend Service {remote.namespace}/{remote.service} is served at {remote.where}, "
        f"and TrafficTarget {key.namespace}/{key.name} gives VirtualService {dns} mutual TLS "
        "(mtls_trust_domain): App Mesh applies a backend's client policy to every target of "
        "the VirtualService, so the callers' Envoy would demand the destination's SVID from "
        "the remote host and its share would fail; leave mtls_trust_domain unset, or take "
        "the remote backend out of the split",
    )


def _listener_tls(b: Builder, certificate: str, allowed: list[str]) -> dict[str, Any]:
    return {
        "mode": "STRICT",
        "certificate": {"sds": {"secretName": certificate}},
        "validation": {
            "trust": {"sds": {"secretName": bundle(b)}},
            "subjectAlternativeNames": {"match": {"exacts": allowed}},
        },
    }


def _landings(b: Builder, service: str) -> Iterable[tuple[str, int]]:
    """(VirtualNode logical name, listener port) a VirtualService's traffic arrives on."""
    provider = b.resources[service].properties["spec"]["provider"]
    assert b.resources[service].type == VIRTUAL_SERVICE
    if "virtualNode" in provider:
        node = _target(provider["virtualNode"]["virtualNodeName"])
        for listener in b.resources[node].properties["spec"].get("listeners", []):
            yield node, listener["portMapping"]["port"]
        return
    router = provider["virtualRouter"]["virtualRouterName"]
    (listener,) = b.resources[_target(router)].properties["spec"]["listeners"]
    port = listener["portMapping"]["port"]
    for route in b.resources.values():
        if route.type != ROUTE or route.properties["virtualRouterName"] != router:
            continue
        (body,) = [v for k, v in route.properties["spec"].items() if k.endswith("Route")]
        for target in body["action"]["weightedTargets"]:
            node = _target(target["virtualNode"])
            ports = [
                item["portMapping"]["port"]
                for item in b.resources[node].properties["spec"].get("listeners", [])
            ]
            if port in ports:
                yield node, port
            elif len(ports) == 1:
                yield node, ports[0]


def _target(reference: str) -> str:
    found = whole_reference(reference)
    assert found is not None and found[1] == "name", reference
    return found[0]


def _service_at(b: Builder, hostname: Any) -> Service | None:
    """The first Service of the catalogue whose DNS name is ``hostname``, or None.

    ``<service>.<namespace>.svc.<domain>``, and neither name has a dot: the two leading
    labels name the only candidate.
    """
    if not isinstance(hostname, str):
        return None
    name, _, rest = hostname.partition(".")
    namespace = rest.partition(".")[0]
    service = b.specs.catalogue.service(namespace, name)
    return service if service and b.dns(namespace, name) == hostname else None


def _warn_probes(b: Builder, node: str, ports: set[int], key: ObjectKey) -> None:
    """Warn about kubelet probes on the pods' ports that the node's STRICT listeners cover.

    The pods' Envoy takes inbound traffic on the listener ports (App Mesh's proxy redirects
    them), the kubelet's too.
    """
    discovery = b.resources[node].properties["spec"].get("serviceDiscovery", {})
    hostname = discovery.get("dns", {}).get("hostname")
    service = _service_at(b, hostname)
    if service is None or not service.selector:
        return
    for workload in b.specs.catalogue.selected_workloads(service.namespace, service.selector):
        for number in sorted(ports & set(workload.probes)):
            b.warn(
                key,
                f"{workload.kind} {workload.namespace}/{workload.name} has kubelet HTTP probes "
                f"({', '.join(workload.probes[number])}) on port {number}, a STRICT mTLS "
                f"listener of VirtualNode {service.name}_{service.namespace}: the kubelet "
                "probes in plaintext, so they fail; serve them on a port that is no listener",
            )
