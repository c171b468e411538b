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
VirtualService reaching pods of other ServiceAccounts, a source ServiceAccount no known
workload runs as (it has no VirtualNode), or a source workload whose Service's VirtualNode
also stands for pods of other ServiceAccounts (they would share its backends) follow the
option ``inexpressible`` — a located error, or no backend for it with a warning. UDPRoute
rules allow nothing (a warning).

The egress allow-list holds only for pods that run an Envoy with a VirtualNode, so every known
workload of a namespace holding a TrafficTarget destination or source gets one (:func:`_in_mesh`):
the VirtualNode of each Service selecting its pods, else a listener-less client node. With
``DROP_ALL`` such a node reaches only its backends, none when no TrafficTarget allows it
anything. A caller outside those namespaces, without an Envoy, or without an identity is
outside the mesh and not stopped (a warning), unless the option ``mtls_trust_domain`` puts
STRICT mutual TLS on the listeners the grants land on (:mod:`.mtls`).

``ALLOW_ALL`` on a mesh created here would enforce nothing, so it is an error with any
TrafficTarget; on an existing mesh the Plan warns that it must be ``DROP_ALL``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ...spec.catalogue import Service, Workload
from ...spec.models import ObjectKey
from ..access_model import DestinationAccess, Grant, Identity, access_model
from ..aws.references import ref
from ..narrowing import source_path
from .grants import granted_services, inexpressible
from .mtls import Grants, client_policy, plaintext_nodes, secure_listeners
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
    allowed: dict[str, dict[str, str]] = defaultdict(dict)
    grants = Grants()
    for destination in access_model(b.specs):
        for rule in destination.udp:
            b.warn_once(rule.warning("App Mesh carries no UDP"))
        for grant in destination.grants:
            with b.collecting():  # each grant apart: the problems of one do not hide another's
                _grant(b, destination, grant, allowed, grants)
    _in_mesh(b)
    if b.options.mtls_trust_domain:
        secure_listeners(b, grants)
    for node in sorted(allowed):
        with b.collecting():
            _set_backends(b, node, allowed[node], grants)
    _warn_outside(b)


def _grant(
    b: Builder,
    destination: DestinationAccess,
    grant: Grant,
    allowed: dict[str, dict[str, str]],
    grants: Grants,
) -> None:
    """Record the backends ``grant`` gives each of its sources' VirtualNodes."""
    services = granted_services(b, destination, grant)
    backends = {b.dns(s.namespace, s.name): _virtual_service(b, s, grant) for s in services}
    for service in backends.values():
        grants.add(service, destination.identity, grant.target.key)
    for source in grant.sources if backends else ():
        for node in _source_nodes(b, grant, source):
            allowed[node].update(backends)
            for service in backends.values():
                grants.call(service, node, source)


def _warn_outside(b: Builder) -> None:
    """The warning about callers outside the mesh, naming the listeners that refuse them."""
    text = (
        "App Mesh has no inbound authorization: TrafficTargets are enforced on the callers' "
        "Envoy egress (backends + DROP_ALL), so a caller outside the mesh (no Envoy) reaches "
        "the destinations directly"
    )
    if not b.options.mtls_trust_domain:
        text += (
            "; block it with a Kubernetes NetworkPolicy or security groups for pods, or set "
            "mtls_trust_domain (SPIRE) to have the destinations refuse it"
        )
    else:
        text += (
            " — except on the listeners given STRICT mTLS (mtls_trust_domain), which refuse a "
            "caller without the certificate of an allowed source. Still reachable from outside "
            "the mesh: the pods' ports that are no listener of their VirtualNode (their Envoy "
            "does not take them)"
        )
        plain = plaintext_nodes(b)
        if plain:
            shown = ", ".join(plain[:MAX_NAMED])
            more = f" and {len(plain) - MAX_NAMED} more" if len(plain) > MAX_NAMED else ""
            text += (
                f", and the plaintext listeners of {shown}{more} (no TrafficTarget grant "
                "lands on them)"
            )
        text += "; block those with a Kubernetes NetworkPolicy or security groups for pods"
    b.warn(None, text)


MAX_NAMED = 10
"""VirtualNodes a warning names before it counts the rest."""


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
        shared = [
            (service, others)
            for service in b.services_of(source.namespace, workload)
            if (others := _other_accounts(b, service, source.name))
        ]
        for service, others in shared:
            why = (
                f"Service {service.namespace}/{service.name} also selects pods of ServiceAccount "
                f"{', '.join(others)}: they share its VirtualNode {service.name}_"
                f"{service.namespace}, so a backend on it would allow those too"
            )
            inexpressible(b, grant, path, why)
        if not shared:
            nodes += _workload_nodes(b, workload, key, path)
    return nodes


def _other_accounts(b: Builder, service: Service, account: str) -> list[str]:
    """ServiceAccounts other than ``account`` running pods that ``service`` selects."""
    if not service.selector:
        return []
    selected = b.specs.catalogue.selected_workloads(service.namespace, service.selector)
    return sorted({w.service_account_name for w in selected if w.service_account_name != account})


def _in_mesh(b: Builder) -> None:
    """A VirtualNode for every known workload of a namespace a TrafficTarget names.

    The namespaces of the TrafficTargets (their destinations) and of their sources: there,
    with ``DROP_ALL``, every pod's Envoy reaches only its node's backends, so a pod no
    TrafficTarget allows anything reaches nothing, as SMI says. A workload one of whose
    VirtualNodes is planned already (a split's backend, a destination, a source) needs no
    other; else it gets the node of each Service selecting its pods (the names a TrafficTarget
    naming the workload later keeps), or its listener-less client node. Called before the
    backends are written: a node planned here and by a grant is one resource.
    """
    scope: dict[str, tuple[ObjectKey, str]] = {}
    for target in b.specs.traffic_targets:
        namespace = target.metadata.namespace
        scope.setdefault(namespace, (target.key, "spec.destination"))
        for index, source in enumerate(target.spec.sources):
            scope.setdefault(source.namespace or namespace, (target.key, f"spec.sources[{index}]"))
    meshed: set[str] = set()
    planned = _PlannedNodes(b)
    for workload in b.specs.catalogue.workloads:
        if workload.namespace not in scope:
            continue
        meshed.add(workload.namespace)
        if not planned.has_node(workload):
            key, path = scope[workload.namespace]
            planned.note(_workload_nodes(b, workload, key, path))
    if meshed:
        b.warn(
            None,
            "App Mesh enforces TrafficTargets on the callers' Envoy, so every known workload of "
            f"namespace {', '.join(sorted(meshed))} (holding destinations or sources of "
            "TrafficTargets) gets a VirtualNode: the one of the Service selecting its pods, else "
            "<workload>_<namespace>; with DROP_ALL it reaches only its backends, none when no "
            "TrafficTargets allow it anything. Run each of those pods with an Envoy sidecar set "
            "to its VirtualNode (APPMESH_RESOURCE_ARN): a pod without one is outside the mesh",
        )


class _PlannedNodes:
    """The names and DNS hostnames of the VirtualNodes planned so far, to look up.

    Built once from the planned resources; :meth:`note` adds the nodes planned after (the
    Builder only ever adds resources while workloads are put in the mesh).
    """

    def __init__(self, b: Builder) -> None:
        self._b = b
        self._names: set[Any] = set()
        self._hostnames: set[Any] = set()
        self.note(list(b.resources))

    def note(self, names: Iterable[str]) -> None:
        """Take in the planned resources ``names`` (the VirtualNodes among them)."""
        for name in names:
            resource = self._b.resources[name]
            if resource.type == VIRTUAL_NODE:
                self._names.add(resource.properties["name"])
                discovery = resource.properties["spec"].get("serviceDiscovery", {})
                self._hostnames.add(discovery.get("dns", {}).get("hostname"))

    def has_node(self, workload: Workload) -> bool:
        """Whether a VirtualNode the workload's pods can run as is planned already."""
        b = self._b
        services = b.services_of(workload.namespace, workload)
        hostnames = {b.dns(s.namespace, s.name) for s in services}
        return f"{workload.name}_{workload.namespace}" in self._names or bool(
            hostnames & self._hostnames
        )


def _workload_nodes(b: Builder, workload: Workload, key: ObjectKey, path: str) -> list[str]:
    """The VirtualNodes of ``workload``'s pods: its Services' nodes, else its client node."""
    services = b.services_of(workload.namespace, workload)
    return [b.node(s, key, path) for s in services] or [b.client_node(workload, key, path)]


def _set_backends(b: Builder, node: str, granted: dict[str, str], grants: Grants) -> None:
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
        backend: dict[str, Any] = {"virtualServiceName": name}
        if b.options.mtls_trust_domain:
            destination, key = grants.destination[service]
            caller = grants.node_identity[node]
            backend["clientPolicy"] = client_policy(b, caller, destination, key)
        backends.append({"virtualService": backend})
    b.replace_spec(node, {**resource.properties["spec"], "backends": backends})


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
