"""The Lattice services to plan, and the destination identities each stands in front of.

Every apex Service of a TrafficSplit is one; so is every other Service selecting the pods of a
TrafficTarget's destination (the access model's ``services``), with listeners for the ports a
Lattice service carries. A destination no Lattice service can stand in front of (no known
workload, no Service selecting its pods) is an error naming what to pass: a TrafficTarget is
never dropped.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from ...errors import Problem
from ...plan import PlanWarning
from ...spec.catalogue import Service, ServicePort
from ...spec.models import ObjectKey
from ...spec.specset import SpecSet
from ..access import selects
from ..access_model import DestinationAccess, Identity
from ..base import service_owner
from ..services import require_apex_ports
from ..splits import ApexRouting, by_apex
from .routing import Builder, port_protocol
from .target_groups import target_port


@dataclass(frozen=True)
class LatticeService:
    """A Lattice service to plan: the Kubernetes Service it stands for and its routing."""

    namespace: str
    service: str
    ports: tuple[ServicePort, ...]
    routing: ApexRouting | None
    key: ObjectKey
    """The SMI object errors about it name."""

    @property
    def owner(self) -> ObjectKey:
        """The owner of its resources: the split's, else the Service's."""
        return self.routing.owner if self.routing else service_owner(self.namespace, self.service)

    @property
    def backends(self) -> set[str]:
        """The Services it forwards to: itself and every split backend."""
        names = {self.service}
        for split in self.routing.splits if self.routing else ():
            names |= {b.service for b in split.spec.backends}
        return names


def lattice_services(
    specs: SpecSet, model: tuple[DestinationAccess, ...], b: Builder, covered: set[Identity]
) -> list[LatticeService]:
    """The Lattice services to plan: every split apex, and every Service in front of a
    destination's pods; ``covered`` gets the destinations whose Services Lattice cannot carry."""
    found: list[LatticeService] = []
    taken: set[tuple[str, str]] = set()
    for routing in by_apex(specs, b.problems):
        split = routing.owner_split
        with b.collecting():
            ports = require_apex_ports(specs, split, "vpc-lattice")
            found.append(LatticeService(routing.namespace, routing.apex, ports, routing, split.key))
            taken |= {(routing.namespace, s) for s in found[-1].backends}
    for destination in model:
        ns = destination.identity.namespace
        for service in destination.services:
            if (ns, service.name) in taken or not service.ports:
                continue
            taken.add((ns, service.name))
            carried = _carried(service, destination, b)
            if carried:
                found.append(LatticeService(ns, service.name, carried, None, destination.first.key))
            else:
                covered.add(destination.identity)
    return sorted(found, key=lambda s: (s.namespace, s.service))


def _carried(
    service: Service, destination: DestinationAccess, b: Builder
) -> tuple[ServicePort, ...]:
    """The ports of a Service protected (not routed) by Lattice that a listener can carry.

    A Lattice service carries no plain TCP or UDP: such ports get no listener, and a Service
    with no other port no Lattice service, each with a warning (calls to them do not go
    through Lattice, which so allows nothing on them; SMI allows only less or as much).
    """
    carried = tuple(p for p in service.ports if port_protocol(p) is not None)
    left = [
        f"{p.port} ({p.application_protocol} over {p.protocol})"
        for p in service.ports
        if port_protocol(p) is None
    ]
    if left:
        names = ", ".join(f"{t.metadata.namespace}/{t.metadata.name}" for t in destination.targets)
        what = "no Lattice service" if not carried else "no listener on them"
        b.warnings.append(
            PlanWarning(
                f"Service {service.namespace}/{service.name} in front of the pods of "
                f"ServiceAccount {destination.identity} (TrafficTarget {names}) has ports a "
                f"Lattice service does not carry: {', '.join(left)}; {what}, so Lattice "
                "allows nothing on them",
                destination.first.key,
            )
        )
    return carried


def destinations_of(
    specs: SpecSet, model: tuple[DestinationAccess, ...], lattice: LatticeService, b: Builder
) -> list[DestinationAccess]:
    """The destination identities whose pods this Lattice service reaches."""
    catalogue = specs.catalogue
    accounts: set[str] = set()
    for name in lattice.backends:
        service = catalogue.service(lattice.namespace, name)
        if service and service.selector:
            accounts |= {
                w.service_account_name
                for w in catalogue.selected_workloads(lattice.namespace, service.selector)
            }
    destinations = _accessed(model, lattice.namespace, accounts)
    if destinations and len(accounts) > 1:
        b.problems.append(
            specs.problem(
                destinations[0].first.key,
                "spec.destination.name",
                f"Service {lattice.namespace}/{lattice.service} routes to pods of several "
                f"ServiceAccounts ({', '.join(sorted(accounts))}): Lattice authorises per "
                "service, so an allow for one would reach the others; run its backends as one "
                "ServiceAccount",
            )
        )
    return destinations


def _accessed(
    model: tuple[DestinationAccess, ...], namespace: str, accounts: set[str]
) -> list[DestinationAccess]:
    """The destinations of ``model`` (sorted by identity) that are ServiceAccounts
    ``accounts`` of ``namespace``, in model order (by binary search, not a scan)."""
    found = []
    for account in sorted(accounts):
        identity = Identity(namespace, account)
        at = bisect_left(model, identity, key=lambda d: d.identity)
        if at < len(model) and model[at].identity == identity:
            found.append(model[at])
    return found


def listener_ports(
    specs: SpecSet, lattice: LatticeService, destinations: list[DestinationAccess]
) -> dict[int, frozenset[int]]:
    """Listener port -> the container ports of the destinations' pods its target groups use."""
    workloads = [w for d in destinations for w in d.workloads]
    listeners: dict[int, frozenset[int]] = {}
    for port in lattice.ports:
        if port_protocol(port) is None:
            continue  # no listener (an error reported by the routing)
        behind = set()
        for name in sorted(lattice.backends):
            service = specs.catalogue.service(lattice.namespace, name)
            if service is None or service.port(port.port) is None or not service.selector:
                continue
            if any(selects(service.selector, w) for w in workloads):
                behind.add(target_port(specs, lattice.namespace, name, port.port))
        listeners[port.port] = frozenset(behind)
    return listeners


def unprotected(specs: SpecSet, destination: DestinationAccess) -> list[Problem]:
    """Why no Lattice service protects ``destination``: one problem per TrafficTarget."""
    identity = destination.identity
    if not destination.workloads:
        why = (
            f"no known workload runs as ServiceAccount {identity}: Lattice protects the "
            "Lattice service in front of its pods, so pass the Deployment (or StatefulSet, "
            "DaemonSet, ReplicaSet, Job, CronJob, Pod or Argo Rollout) whose pod template uses "
            f"serviceAccountName: {identity.name}, and the Service selecting its pods"
        )
    else:
        pods = ", ".join(f"{w.kind} {w.name}" for w in destination.workloads)
        why = (
            f"no Service with ports selects the pods of ServiceAccount {identity} ({pods}): "
            "Lattice protects a service, so pass the Service in front of them"
        )
    return [specs.problem(t.key, "spec.destination.name", why) for t in destination.targets]
