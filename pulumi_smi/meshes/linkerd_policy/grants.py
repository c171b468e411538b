"""What one TrafficTarget allows, per Linkerd Server (destination pods + one container port).

Built from the access model's :class:`~pulumi_smi.meshes.access_model.Grant` of the
TrafficTarget. A Linkerd :class:`Grant` is either L4 (``matches`` None: every connection and
request on the port) or L7 (the Gateway API HTTPRouteMatches SMI allows, ORed), on:

* the TCPRoute ports, resolved to container ports, when the TrafficTarget names ports (SMI
  ANDs them with its HTTP rules: no blanket TCP access then);
* otherwise, L4: every port of the pods the manifests declare (a Linkerd Server covers one
  port, so "every port" is written port by port, warned); L7: the HTTP ports of the Services
  selecting the pods.

UDPRoute rules are warnings (Linkerd does not proxy UDP), never an allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...plan import PlanWarning
from ...spec.catalogue import ServicePort
from ...spec.models import TrafficTarget
from ...spec.specset import SpecSet
from ..access import Selection, Untranslatable, http_ports, selects
from ..access import selections as pod_selections
from ..access_model import DestinationAccess, port_grants
from ..access_model import Grant as AccessGrant
from ..gamma.matches import Inexpressible, http_matches
from .ports import covered_workloads, selection_ports

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


def target_grants(
    specs: SpecSet,
    destination: DestinationAccess,
    grant: AccessGrant,
    chosen: list[Selection],
) -> tuple[list[Grant], list[PlanWarning]]:
    """The Linkerd grants of one TrafficTarget's access grant on the ``chosen`` selections.

    Raises :class:`Untranslatable` when it cannot be expressed without widening access.
    """
    target = grant.target
    allowed = None if grant.http is None else _allowed(grant)
    found: list[Grant] = []
    for selection in chosen:
        ports = _ports(specs, destination, grant, selection)
        for port, service_ports in ports.items():
            server = ServerKey(
                destination.identity.namespace, destination.identity.name, selection.suffix, port
            )
            labels = tuple(selection.labels.items())
            found.append(Grant(target, server, labels, tuple(service_ports), allowed))
    warnings = []
    if grant.ports is None and grant.http is None and found:
        known = ", ".join(str(g.server.port) for g in found if g.server.suffix == chosen[0].suffix)
        warnings.append(
            _warn(
                target,
                f"{grant.tcp_at} allows every port, but a Linkerd Server "
                "covers one port: only the ports known from the manifests "
                f"({known}) are allowed; name the others in the TCPRoute",
            )
        )
    return found, warnings


def linkerd_selections(specs: SpecSet, destination: DestinationAccess) -> list[Selection]:
    """The pod selections, without one whose pods another selects (Servers must not overlap)."""
    kept: list[Selection] = []
    found = pod_selections(specs, destination.first, "Linkerd")
    for selection in sorted(found, key=lambda s: len(s.labels)):
        if not any(selects(k.labels, w) for k in kept for w in selection.workloads):
            kept.append(selection)
    return sorted(kept, key=lambda s: s.suffix)


def _allowed(grant: AccessGrant) -> tuple[Match, ...]:
    """The grant's HTTPRouteMatches, unique (``({},)`` when one allows every request)."""
    matches: list[Match] = []
    for allowed in grant.http or ():
        try:
            converted = http_matches(allowed.match)
        except Inexpressible as exc:
            raise Untranslatable(allowed.where, f"{allowed.about}: {exc}") from None
        matches += [m for m in converted if m not in matches]
    return ({},) if {} in matches else tuple(matches)


def _ports(
    specs: SpecSet, destination: DestinationAccess, grant: AccessGrant, selection: Selection
) -> dict[int, list[ServicePort]]:
    """The container ports of the selection's pods the grant reaches, with their Service ports."""
    workloads = covered_workloads(destination, selection)
    named = port_grants(specs, destination, grant, workloads)
    if named is not None:
        return named
    identity = destination.identity
    if grant.http is not None:
        ports = http_ports(specs.catalogue, identity.namespace, workloads, grant.http_at)
        if not ports:
            raise Untranslatable(
                grant.http_at,
                f"no HTTP port of the pods of ServiceAccount {identity} is known, and a "
                "Linkerd Server needs one: pass the manifest of a Service selecting them with "
                "an HTTP port (appProtocol http, http2, grpc or kubernetes.io/h2c, or a port "
                "name such as http-web), or add a TCPRoute rule naming the port",
            )
        return ports
    every = {p: list(s) for p, s in selection_ports(destination, selection).items()}
    if not every:
        raise Untranslatable(
            grant.tcp_at,
            "the TCPRoute allows every port, but Linkerd needs one Server per port and no port "
            f"of the pods of ServiceAccount {identity} is known: name the ports in the "
            "TCPRoute, or pass the Service or workload manifests",
        )
    return every


def _warn(target: TrafficTarget, text: str) -> PlanWarning:
    key = target.key
    return PlanWarning(f"TrafficTarget {key.namespace}/{key.name}: {text}", key)
