"""The access model -> App Mesh egress allow-lists.

App Mesh has no authorization resource. With the mesh's egress filter ``DROP_ALL`` a
workload's Envoy only reaches the VirtualServices listed in its VirtualNode's ``backends``,
so a grant (:mod:`..access_model`) becomes: every Service selecting the destination
ServiceAccount's pods gets a VirtualService (the split's, when the Service is an apex), and
the VirtualNode of every workload of every source ServiceAccount lists those VirtualServices
as backends, by reference (``${<virtualservice>.name}``), so that Pulumi creates each
VirtualService before the nodes calling it — except where that would be a cycle (a node
calling a VirtualService it provides, or two nodes calling each other's): there the plain
name is written, which App Mesh accepts before the VirtualService exists. This restricts
mesh-routed calls only (a pod can still dial a pod IP; pair it with a NetworkPolicy).

A backend allows every request on every listener of the VirtualService, to every pod behind
it, so a grant is given one only where that is exactly what SMI allows (:mod:`.grants`):
HTTP matches limited by path, method or header, a rule allowing only some of a
VirtualService's listeners (some ports; HTTP only, on a listener carrying raw TCP), a
VirtualService reaching pods of other ServiceAccounts, or a source ServiceAccount no known
workload runs as (it has no VirtualNode) follow the option ``inexpressible`` — a located
error, or no backend for it with a warning. UDPRoute rules allow nothing (a warning).
``ALLOW_ALL`` on a mesh created here would enforce nothing, so it is an error with any
TrafficTarget; on an existing mesh the Plan warns that it must be ``DROP_ALL``.
"""

from __future__ import annotations

from collections import defaultdict

from ...plan import Resource
from ...spec.catalogue import Service
from ..access_model import Grant, Identity, access_model
from ..aws.narrowing import source_path
from ..aws.references import ref
from .grants import granted_services, inexpressible
from .nodes import VIRTUAL_NODE, Builder
from .options import MAX_BACKENDS


def translate_targets(b: Builder) -> None:
    """Backends allow-lists of the sources' VirtualNodes, and warnings for the rest."""
    if not b.specs.traffic_targets:
        return
    if b.options.creates_mesh and b.options.egress_filter == "ALLOW_ALL":
        first = b.specs.traffic_targets[0]
        raise b.fail(
            first.key,
            "spec",
            "egress_filter ALLOW_ALL lets every workload reach every Service, so App Mesh "
            "would enforce no TrafficTarget: use DROP_ALL",
        )
    if not b.options.creates_mesh:
        b.warn(
            None,
            f"App Mesh enforces TrafficTargets only when mesh {b.options.mesh!r} has egress "
            "filter DROP_ALL; pulumi-smi does not manage that existing mesh, so check it",
        )
    b.warn(
        None,
        "App Mesh has no inbound authorization: TrafficTargets are enforced on the callers' "
        "Envoy egress (backends + DROP_ALL), so a caller outside the mesh (no Envoy) reaches "
        "the destinations directly; block it with a Kubernetes NetworkPolicy or security "
        "groups for pods",
    )
    allowed: dict[str, dict[str, str]] = defaultdict(dict)
    for destination in access_model(b.specs):
        for rule in destination.udp:
            warning = rule.warning("App Mesh carries no UDP")
            if warning not in b.warnings:
                b.warnings.append(warning)
        for grant in destination.grants:
            services = granted_services(b, destination, grant)
            backends = {b.dns(s.namespace, s.name): _virtual_service(b, s, grant) for s in services}
            for source in grant.sources if backends else ():
                for node in _source_nodes(b, grant, source):
                    allowed[node].update(backends)
    for node in sorted(allowed):
        _set_backends(b, node, allowed[node])


def _virtual_service(b: Builder, service: Service, grant: Grant) -> str:
    """The logical name of the VirtualService of ``service`` (planned if it is not yet)."""
    name = b.virtual_service_name(service.namespace, service.name)
    if name not in b.resources:
        node = b.node(service, grant.target.key, "spec.destination.name")
        provider = {"virtualNode": {"virtualNodeName": ref(node, "name")}}
        b.virtual_service(service.namespace, service.name, provider, grant.target.key)
    return name


def _source_nodes(b: Builder, grant: Grant, source: Identity) -> list[str]:
    """The VirtualNodes of the workloads running as ``source`` (planned if they are not yet)."""
    key = grant.target.key
    path = f"{source_path(grant.target, source)}.name"
    workloads = b.specs.catalogue.workloads_of(source.namespace, source.name)
    if not workloads:
        why = (
            f"no known workload runs as ServiceAccount {source}: App Mesh allows calls on the "
            "caller's VirtualNode, so pass its Deployment (or StatefulSet, DaemonSet, "
            "ReplicaSet, Job, CronJob, Pod or Argo Rollout) manifest"
        )
        inexpressible(b, grant, path, why)
        return []
    nodes: list[str] = []
    for workload in workloads:
        services = b.services_of(source.namespace, workload)
        nodes += [b.node(s, key, path) for s in services] or [b.client_node(workload, key, path)]
    return nodes


def _set_backends(b: Builder, node: str, granted: dict[str, str]) -> None:
    """Write ``backends`` (DNS name -> VirtualService logical name) on the VirtualNode."""
    resource = b.resources[node]
    if len(granted) > MAX_BACKENDS:
        raise b.fail(
            b.specs.traffic_targets[0].key,
            "spec.sources",
            f"VirtualNode {resource.properties['name']} would list {len(granted)} backends; "
            f"App Mesh allows {MAX_BACKENDS} (not adjustable)",
        )
    backends = []
    for dns in sorted(granted):
        service = granted[dns]
        name = dns if _depends_on(b, service, node) else ref(service, "name")
        backends.append({"virtualService": {"virtualServiceName": name}})
    spec = {**resource.properties["spec"], "backends": backends}
    b.resources[node] = Resource(
        VIRTUAL_NODE,
        node,
        {**resource.properties, "spec": spec},
        resource.depends_on,
        resource.owner,
    )


def _depends_on(b: Builder, start: str, goal: str) -> bool:
    """Whether planned resource ``start`` refers to ``goal``, directly or through others."""
    seen, pending = set(), [start]
    while pending:
        name = pending.pop()
        if name == goal:
            return True
        if name in seen or name not in b.resources:
            continue
        seen.add(name)
        resource = b.resources[name]
        pending += [*resource.depends_on, *resource.references()]
    return False
