"""Every Linkerd Server of the TrafficTarget destinations: the granted ports and the denied ones.

Read from the access model, destination by destination. Each selection of a destination's
pods gets a Server on every port a grant reaches and on every other port the manifests
declare for those pods (``known_ports``): SMI denies what no TrafficTarget allows, and a
port without a Server would follow Linkerd's default inbound policy instead
(``all-unauthenticated`` unless configured), which lets anyone connect.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ...plan import PlanWarning
from ...spec.catalogue import ServicePort
from ...spec.models import ObjectKey, TrafficTarget
from ...spec.specset import SpecSet
from ..access import Selection, Untranslatable
from ..access_model import DestinationAccess, access_model
from .grants import Grant, ServerKey, linkerd_selections, target_grants
from .ports import selection_ports


@dataclass
class Server:
    """One Server: its pods (labels) and port, and the grants on it (none: denies all)."""

    key: ServerKey
    labels: tuple[tuple[str, str], ...]
    known: tuple[ServicePort, ...] = ()
    """The Service ports in front of the port (from the manifests)."""
    grants: list[Grant] = field(default_factory=list)


@dataclass
class Servers:
    """The Servers of every destination, and what translating them found."""

    servers: dict[ServerKey, Server] = field(default_factory=dict)
    granted: list[TrafficTarget] = field(default_factory=list)
    """TrafficTargets with a grant on some Server (each gets a MeshTLSAuthentication)."""
    notes: dict[ObjectKey, list[PlanWarning]] = field(default_factory=lambda: defaultdict(list))
    """Warnings, by the TrafficTarget they are about."""
    failures: dict[ObjectKey, Untranslatable] = field(default_factory=dict)
    """TrafficTargets that cannot be translated without widening access."""
    namespaces: set[str] = field(default_factory=set)
    """The namespaces of the destinations translated."""


def collect_servers(specs: SpecSet) -> Servers:
    """The Servers of every destination identity in ``specs`` (see the module docstring)."""
    found = Servers()
    for destination in access_model(specs):
        try:
            chosen = linkerd_selections(specs, destination)
        except Untranslatable as exc:
            found.failures.update((t.key, exc) for t in destination.targets)
            continue
        namespace, account = destination.identity.namespace, destination.identity.name
        found.namespaces.add(namespace)
        for selection in chosen:
            labels = tuple(selection.labels.items())
            for port, known in selection_ports(destination, selection).items():
                key = ServerKey(namespace, account, selection.suffix, port)
                found.servers[key] = Server(key, labels, known)
        _grants(specs, destination, chosen, found)
    return found


def _grants(
    specs: SpecSet, destination: DestinationAccess, chosen: list[Selection], found: Servers
) -> None:
    """Add the destination's grants (and their warnings, or failures) to ``found``."""
    for rule in destination.udp:
        found.notes[rule.target.key].append(rule.warning("Linkerd does not proxy UDP"))
    for grant in destination.grants:
        try:
            grants, notes = target_grants(specs, destination, grant, chosen)
        except Untranslatable as exc:
            found.failures[grant.target.key] = exc
            continue
        found.notes[grant.target.key] += notes
        for each in grants:
            server = found.servers.setdefault(each.server, Server(each.server, each.labels))
            server.grants.append(each)
        if grants:
            found.granted.append(grant.target)
    for target in destination.unallowed_targets():
        found.notes[target.key].append(
            PlanWarning(
                f"TrafficTarget {target.metadata.namespace}/{target.metadata.name}: has only "
                "UDPRoute rules: it allows nothing",
                target.key,
            )
        )
