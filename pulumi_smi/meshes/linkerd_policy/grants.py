"""What one TrafficTarget allows, per Linkerd Server (destination pods + one container port).

A :class:`Grant` is either L4 (``matches`` None: every connection and request on the port) or
L7 (the Gateway API HTTPRouteMatches SMI allows, ORed). SMI's rules combine as in the other
translators:

* only TCPRoute rules: L4 on the TCPRoute ports (resolved to container ports through the
  Services selecting the pods); a TCPRoute without ports means every port, which Linkerd can
  only express port by port: the ports known from the manifests get a Server each (warned);
* HTTPRouteGroup rules: L7 on the TCPRoute ports when the TrafficTarget also has TCPRoute
  rules with ports (SMI ANDs them: no blanket TCP access then), otherwise on the HTTP ports of
  the Services selecting the pods;
* UDPRoute rules: a warning each (Linkerd does not proxy UDP), never an allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...plan import PlanWarning
from ...spec.catalogue import ServicePort
from ...spec.models import HTTPRouteGroup, TCPRoute, TrafficTarget
from ...spec.specset import SpecSet
from ..access import (
    Selection,
    Untranslatable,
    allowed_matches,
    http_ports,
    resolve_ports,
    selecting_services,
    selects,
)
from ..access import selections as pod_selections
from ..gamma.matches import Inexpressible, http_matches

Match = dict[str, Any]


@dataclass(frozen=True)
class ServerKey:
    """One Linkerd Server: pods of a destination ServiceAccount (a selection) and a port."""

    namespace: str
    account: str
    suffix: str
    port: int

    @property
    def name(self) -> str:
        """``<sa>[-<workload>]-<port>``: stable, shared by every TrafficTarget using it."""
        return "-".join(p for p in (self.account, self.suffix, str(self.port)) if p)


@dataclass(frozen=True)
class Grant:
    """What ``target`` allows on one Server: L4 (``matches`` None) or these HTTP matches."""

    target: TrafficTarget
    server: ServerKey
    labels: tuple[tuple[str, str], ...]
    service_ports: tuple[ServicePort, ...]
    matches: tuple[Match, ...] | None

    @property
    def everything_http(self) -> bool:
        """Whether the L7 grant allows every HTTP request (an unconditional match)."""
        return self.matches == ({},)


def target_grants(specs: SpecSet, target: TrafficTarget) -> tuple[list[Grant], list[PlanWarning]]:
    """The grants of one TrafficTarget; :class:`Untranslatable` when it cannot be expressed."""
    chosen = linkerd_selections(specs, target)
    namespace = target.metadata.namespace
    warnings: list[PlanWarning] = []
    matches: list[Match] = []
    tcp_ports: set[int] = set()
    every_port, tcp_at, http_at = False, "", ""
    for index, rule in enumerate(target.spec.rules):
        where = f"spec.rules[{index}]"
        if rule.kind == "UDPRoute":
            warnings.append(
                _warn(
                    target,
                    f"{where} (UDPRoute {rule.name}) is not enforced: "
                    "Linkerd does not proxy UDP; nothing is allowed for it",
                )
            )
        elif rule.kind == "TCPRoute":
            route = specs.get(TCPRoute, namespace, rule.name)
            assert route is not None  # SpecSet.build rejects dangling references
            tcp_ports.update(route.spec.matches.ports)
            every_port |= not route.spec.matches.ports
            tcp_at = tcp_at or where
        else:
            group = specs.get(HTTPRouteGroup, namespace, rule.name)
            assert group is not None
            matches += _group_matches(group, rule.matches, where)
            http_at = http_at or where
    grants: list[Grant] = []
    for selection in chosen:
        if http_at:
            allowed = ({},) if {} in matches else tuple(_unique(matches))
            ports = _http_ports(specs, target, selection, tcp_ports, every_port, tcp_at, http_at)
        elif tcp_at:
            allowed = None
            ports = _tcp_ports(specs, target, selection, tcp_ports, every_port, tcp_at)
        else:
            continue
        for port, service_ports in ports.items():
            server = ServerKey(namespace, target.spec.destination.name, selection.suffix, port)
            labels = tuple(selection.labels.items())
            grants.append(Grant(target, server, labels, tuple(service_ports), allowed))
    if every_port and not http_at and grants:
        known = ", ".join(str(g.server.port) for g in grants if g.server.suffix == chosen[0].suffix)
        warnings.append(
            _warn(
                target,
                f"{tcp_at} allows every port, but a Linkerd Server "
                f"covers one port: only the ports known from the manifests "
                f"({known}) are allowed; name the others in the TCPRoute",
            )
        )
    if not http_at and not tcp_at:
        warnings.append(_warn(target, "has only UDPRoute rules: it allows nothing"))
    return grants, warnings


def linkerd_selections(specs: SpecSet, target: TrafficTarget) -> list[Selection]:
    """The pod selections, without one whose pods another selects (Servers must not overlap)."""
    kept: list[Selection] = []
    for selection in sorted(pod_selections(specs, target, "Linkerd"), key=lambda s: len(s.labels)):
        if not any(selects(k.labels, w) for k in kept for w in selection.workloads):
            kept.append(selection)
    return sorted(kept, key=lambda s: s.suffix)


def _group_matches(group: HTTPRouteGroup, names: tuple[str, ...], where: str) -> list[Match]:
    result: list[Match] = []
    for path, match in allowed_matches(group, names, where):
        try:
            result += http_matches(match)
        except Inexpressible as exc:
            about = f"HTTPRouteGroup {group.metadata.name} match {match.name!r}"
            raise Untranslatable(path, f"{about}: {exc}") from None
    return result


def _unique(matches: list[Match]) -> list[Match]:
    seen: list[Match] = []
    for match in matches:
        if match not in seen:
            seen.append(match)
    return seen


def _http_ports(
    specs: SpecSet,
    target: TrafficTarget,
    selection: Selection,
    tcp_ports: set[int],
    every_port: bool,
    tcp_at: str,
    http_at: str,
) -> dict[int, list[ServicePort]]:
    namespace = target.metadata.namespace
    if tcp_ports and not every_port:
        return resolve_ports(
            specs.catalogue, namespace, selection.workloads, sorted(tcp_ports), tcp_at
        )
    ports = http_ports(specs.catalogue, namespace, selection.workloads, http_at)
    if not ports:
        raise Untranslatable(
            http_at,
            f"no HTTP port of the pods of ServiceAccount {namespace}/"
            f"{target.spec.destination.name} is known, and a Linkerd Server needs one: pass "
            "the manifest of a Service selecting them with an HTTP port (appProtocol http, "
            "http2, grpc or kubernetes.io/h2c, or a port name such as http-web), or add a "
            "TCPRoute rule naming the port",
        )
    return ports


def _tcp_ports(
    specs: SpecSet,
    target: TrafficTarget,
    selection: Selection,
    tcp_ports: set[int],
    every_port: bool,
    tcp_at: str,
) -> dict[int, list[ServicePort]]:
    namespace = target.metadata.namespace
    if not every_port:
        return resolve_ports(
            specs.catalogue, namespace, selection.workloads, sorted(tcp_ports), tcp_at
        )
    services = selecting_services(specs.catalogue, namespace, selection.workloads)
    numbers = {p.port for s in services for p in s.ports if p.protocol == "TCP"}
    ports = resolve_ports(specs.catalogue, namespace, selection.workloads, sorted(numbers), tcp_at)
    for workload in selection.workloads:
        for number in workload.container_ports.values():
            ports.setdefault(number, [])
    if not ports:
        raise Untranslatable(
            tcp_at,
            "the TCPRoute allows every port, but Linkerd needs one Server per port and no port "
            f"of the pods of ServiceAccount {namespace}/{target.spec.destination.name} is known: "
            "name the ports in the TCPRoute, or pass the Service or workload manifests",
        )
    return dict(sorted(ports.items()))


def _warn(target: TrafficTarget, text: str) -> PlanWarning:
    key = target.key
    return PlanWarning(f"TrafficTarget {key.namespace}/{key.name}: {text}", key)
