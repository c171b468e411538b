"""The access model: what SMI allows, per destination identity, computed once for every target.

SMI access is a set of TrafficTargets, each naming a destination ServiceAccount, its sources and
rules. Every target's policy code consumes the model below instead of walking those rules
itself, so they all read SMI the same way:

* one :class:`Grant` per TrafficTarget that allows anything: its sources, the ports its TCPRoute
  rules name (``None``: every port), and the HTTP matches of its HTTPRouteGroup rules (``None``:
  every connection and request on those ports). SMI ANDs a TCPRoute's ports with the HTTP rules
  of the same TrafficTarget, so a TrafficTarget with both allows those HTTP requests on those
  ports only; TrafficTargets are ORed;
* UDPRoute rules allow nothing on a mesh that proxies no UDP: each is a :class:`UdpRule` for the
  target to warn about;
* the destination's pods (every workload kind the catalogue knows), the Services selecting them
  and every TCP port of the pods the catalogue knows (container ports and the Services'
  targetPorts), so that a target can deny the ports no grant allows.

A destination is one ServiceAccount (namespace and name); sources are ServiceAccounts named
directly, so a mesh that names identities itself needs no catalogue for them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..plan import PlanWarning
from ..spec.catalogue import Service, ServicePort, Workload
from ..spec.models import HTTPMatch, HTTPRouteGroup, TCPRoute, TrafficTarget
from ..spec.specset import SpecSet
from .access import Untranslatable, allowed_matches, resolve_ports, selecting_services


@dataclass(frozen=True, order=True)
class Identity:
    """An SMI identity: a Kubernetes ServiceAccount."""

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class AllowedMatch:
    """One HTTPRouteGroup match a TrafficTarget rule allows, and the field path to blame."""

    target: TrafficTarget
    where: str
    """``spec.rules[i].matches[j]`` (a named match) or ``spec.rules[i]`` (the whole group)."""
    group: HTTPRouteGroup
    match: HTTPMatch

    @property
    def every_request(self) -> bool:
        """Whether the match allows every HTTP request (no path, method or header condition)."""
        match = self.match
        return match.path_regex is None and match.any_method and not match.headers

    @property
    def rule_at(self) -> str:
        """The field path of the TrafficTarget rule, ``spec.rules[i]``."""
        return self.where.split(".matches[", 1)[0]

    @property
    def about(self) -> str:
        """``HTTPRouteGroup <name> match '<match>'``, for messages."""
        return f"HTTPRouteGroup {self.group.metadata.name} match {self.match.name!r}"


@dataclass(frozen=True)
class Grant:
    """What one TrafficTarget allows its sources on its destination."""

    target: TrafficTarget
    sources: tuple[Identity, ...]
    """The source ServiceAccounts, unique, in the TrafficTarget's order."""
    ports: tuple[int, ...] | None
    """The ports its TCPRoute rules name (Service ports or container ports, as SMI writes them),
    sorted; ``None`` when every port is allowed (no TCPRoute rule, or one without ports)."""
    ports_at: str
    """The field path of the first TCPRoute rule naming ports (empty when ``ports`` is None)."""
    tcp_at: str
    """The field path of the first TCPRoute rule (empty when the TrafficTarget has none)."""
    http: tuple[AllowedMatch, ...] | None
    """The HTTP requests allowed, ORed; ``None`` for every connection and request (L4)."""
    http_at: str
    """The field path of the first HTTPRouteGroup rule (empty when ``http`` is None)."""

    @property
    def every_request(self) -> bool:
        """Whether every connection, or every HTTP request, on :attr:`ports` is allowed."""
        return self.http is None or any(m.every_request for m in self.http)

    @property
    def name(self) -> str:
        """``<namespace>/<name>`` of the TrafficTarget, for messages."""
        return f"{self.target.metadata.namespace}/{self.target.metadata.name}"


@dataclass(frozen=True)
class UdpRule:
    """A UDPRoute rule of a TrafficTarget: allowed by SMI, enforced by no mesh we target."""

    target: TrafficTarget
    where: str
    route: str

    def warning(self, why: str) -> PlanWarning:
        """The warning saying this rule is not enforced (``why``: the mesh's reason)."""
        key = self.target.key
        return PlanWarning(
            f"TrafficTarget {key.namespace}/{key.name}: {self.where} (UDPRoute {self.route}) is "
            f"not enforced: {why}; nothing is allowed for it",
            key,
        )


@dataclass(frozen=True)
class DestinationAccess:
    """Everything SMI says about calls to one destination identity."""

    identity: Identity
    targets: tuple[TrafficTarget, ...]
    """Every TrafficTarget naming this destination, in input order (namespace, name)."""
    grants: tuple[Grant, ...]
    """One per TrafficTarget that allows anything (UDP-only TrafficTargets have none)."""
    udp: tuple[UdpRule, ...]
    workloads: tuple[Workload, ...]
    """The workloads whose pods run as the identity, sorted by kind and name (may be empty)."""
    services: tuple[Service, ...]
    """The Services of the namespace selecting any of those pods, sorted by name."""
    known_ports: dict[int, tuple[ServicePort, ...]]
    """Every TCP port of the pods the catalogue knows (container ports, Services' targetPorts),
    each with the Service ports in front of it (empty: no Service exposes it)."""

    @property
    def first(self) -> TrafficTarget:
        """The first TrafficTarget naming the destination (the one to blame for shared things)."""
        return self.targets[0]

    def unallowed_targets(self) -> list[TrafficTarget]:
        """TrafficTargets that allow nothing (only UDPRoute rules)."""
        granted = {g.target.key for g in self.grants}
        return [t for t in self.targets if t.key not in granted]


def access_model(specs: SpecSet) -> tuple[DestinationAccess, ...]:
    """The access of every destination identity of ``specs``, sorted by identity.

    Pure and total: a catalogue problem (a named targetPort the pods lack) is reported where a
    target resolves the ports of a grant (:func:`port_grants`), not here.
    """
    by_destination: dict[Identity, list[TrafficTarget]] = defaultdict(list)
    for target in specs.traffic_targets:
        identity = Identity(target.metadata.namespace, target.spec.destination.name)
        by_destination[identity].append(target)
    model = []
    for identity in sorted(by_destination):
        targets = by_destination[identity]
        grants: list[Grant] = []
        udp: list[UdpRule] = []
        for target in targets:
            grant, udp_rules = _grant(specs, target)
            udp += udp_rules
            if grant is not None:
                grants.append(grant)
        workloads = tuple(
            sorted(
                specs.catalogue.workloads_of(identity.namespace, identity.name),
                key=lambda w: (w.kind, w.name),
            )
        )
        services = tuple(
            sorted(
                selecting_services(specs.catalogue, identity.namespace, workloads),
                key=lambda s: s.name,
            )
        )
        model.append(
            DestinationAccess(
                identity,
                tuple(targets),
                tuple(grants),
                tuple(udp),
                workloads,
                services,
                _known_ports(specs, identity, workloads, services),
            )
        )
    return tuple(model)


def _grant(specs: SpecSet, target: TrafficTarget) -> tuple[Grant | None, list[UdpRule]]:
    namespace = target.metadata.namespace
    udp: list[UdpRule] = []
    matches: list[AllowedMatch] = []
    ports: set[int] = set()
    every_port, ports_at, tcp_at, http_at = False, "", "", ""
    for index, rule in enumerate(target.spec.rules):
        where = f"spec.rules[{index}]"
        if rule.kind == "UDPRoute":
            udp.append(UdpRule(target, where, rule.name))
        elif rule.kind == "TCPRoute":
            route = specs.get(TCPRoute, namespace, rule.name)
            assert route is not None  # SpecSet.build rejects dangling references
            tcp_at = tcp_at or where
            ports.update(route.spec.matches.ports)
            every_port |= not route.spec.matches.ports
            if route.spec.matches.ports and not ports_at:
                ports_at = where
        else:
            group = specs.get(HTTPRouteGroup, namespace, rule.name)
            assert group is not None
            http_at = http_at or where
            matches += [
                AllowedMatch(target, path, group, match)
                for path, match in allowed_matches(group, rule.matches, where)
            ]
    if not tcp_at and not http_at:
        return None, udp
    sources = tuple(
        dict.fromkeys(Identity(s.namespace or namespace, s.name) for s in target.spec.sources)
    )
    narrowed = None if every_port or not ports else tuple(sorted(ports))
    http = tuple(matches) if http_at else None
    grant = Grant(
        target,
        sources,
        narrowed,
        ports_at if narrowed else "",
        tcp_at,
        http,
        http_at if http is not None else "",
    )
    return grant, udp


def _known_ports(
    specs: SpecSet,
    identity: Identity,
    workloads: tuple[Workload, ...],
    services: tuple[Service, ...],
) -> dict[int, tuple[ServicePort, ...]]:
    known: dict[int, list[ServicePort]] = {p: [] for w in workloads for p in w.tcp_ports}
    numbers = sorted({p.port for s in services for p in s.ports if p.protocol == "TCP"})
    for number in numbers:  # one by one: a port the pods lack must not hide the others
        try:
            resolved = resolve_ports(specs.catalogue, identity.namespace, workloads, [number], "")
        except Untranslatable:
            continue  # a named targetPort the pods lack: reported where ports are resolved
        for container_port, service_ports in resolved.items():
            known.setdefault(container_port, []).extend(service_ports)
    return {p: tuple(dict.fromkeys(known[p])) for p in sorted(known)}


def port_grants(
    specs: SpecSet, destination: DestinationAccess, grant: Grant, workloads: tuple[Workload, ...]
) -> dict[int, list[ServicePort]] | None:
    """The container ports of ``workloads`` that ``grant`` names (``None``: every port).

    Raises :class:`~pulumi_smi.meshes.access.Untranslatable` (at the TCPRoute rule) for a named
    targetPort the pods lack.
    """
    if grant.ports is None:
        return None
    namespace = destination.identity.namespace
    return resolve_ports(specs.catalogue, namespace, workloads, grant.ports, grant.ports_at)
