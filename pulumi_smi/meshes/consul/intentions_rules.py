"""What one TrafficTarget allows, as Consul intention terms: L4 ``allow`` or L7 permissions.

Consul intentions have no port dimension, so a TCPRoute limited to some ports is accepted only
when those ports are every TCP port of the destination Service (then it limits nothing);
anything narrower would become an allow on every port, which widens access: an error. In one
TrafficTarget SMI ANDs a TCPRoute's ports with the HTTP rules, so a TCPRoute next to an
HTTPRouteGroup leaves the HTTP rules only. An HTTP match of any path, any method and no header
allows every request: L4 ``allow``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...plan import PlanWarning
from ...spec.catalogue import ServicePort, Workload
from ...spec.models import HTTPMatch, HTTPRouteGroup, TCPRoute, TrafficTarget
from ...spec.specset import SpecSet
from ..access import Untranslatable, allowed_matches
from ..paths import escape, smi_header, smi_path
from .intentions_identity import ConsulService

Permission = dict[str, Any]


@dataclass
class Access:
    """What a TrafficTarget lets its sources do: everything (L4), or HTTP permissions (L7)."""

    everything: bool = False
    permissions: list[Permission] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)


def target_access(specs: SpecSet, target: TrafficTarget, destination: ConsulService) -> Access:
    """The access ``target`` grants; :class:`Untranslatable` when Consul could only widen it."""
    namespace = target.metadata.namespace
    about = f"TrafficTarget {namespace}/{target.metadata.name}"
    access = Access()
    tcp = has_http = every_request = False
    for index, rule in enumerate(target.spec.rules):
        where = f"spec.rules[{index}]"
        if rule.kind == "UDPRoute":
            access.warnings.append(
                PlanWarning(
                    f"{about}: {where} (UDPRoute {rule.name}) is not enforced: Consul's service "
                    "mesh does not proxy UDP, so no intention allows it",
                    target.key,
                )
            )
        elif rule.kind == "TCPRoute":
            route = specs.get(TCPRoute, namespace, rule.name)
            assert route is not None  # SpecSet.build rejects dangling references
            _check_ports(route, destination, where)
            tcp = True
        else:
            group = specs.get(HTTPRouteGroup, namespace, rule.name)
            assert group is not None
            has_http = True
            for _, match in allowed_matches(group, rule.matches, where):
                name = match.name
                http = http_permission(match)
                if http is None:
                    every_request = True
                elif not http:
                    access.warnings.append(
                        PlanWarning(
                            f"{about}: HTTPRouteGroup {group.metadata.name} match {name!r} "
                            f"(pathRegex {match.path_regex!r}) matches only the empty path, "
                            "which no HTTP request has: nothing is allowed for it",
                            target.key,
                        )
                    )
                elif http not in access.permissions:
                    access.permissions.append(http)
    if every_request or (tcp and not has_http):
        access.everything = True
        access.permissions = []
    elif not access.permissions:
        access.warnings.append(
            PlanWarning(
                f"{about} allows nothing Consul enforces (UDP or empty-path rules only): its "
                "sources stay denied unless another TrafficTarget allows them",
                target.key,
            )
        )
    return access


def http_permission(match: HTTPMatch) -> Permission | None:
    """The L7 permission allowing exactly what ``match`` allows.

    None when the match allows every request; ``{}`` when it allows none (an exact empty path).
    """
    http: dict[str, Any] = {}
    path = smi_path(match.path_regex)
    if path.kind == "exact":
        if not path.value:
            return {}
        key, value = (
            ("pathExact", path.value)
            if path.value.startswith("/")
            else ("pathRegex", escape(path.value))
        )
        http[key] = value
    elif path.kind == "prefix":
        # Consul's pathPrefix is a plain string prefix, as SMI's start anchoring is.
        key, value = (
            ("pathPrefix", path.value)
            if path.value.startswith("/")
            else ("pathRegex", f"{escape(path.value)}.*")
        )
        http[key] = value
    elif path.kind == "regex":
        http["pathRegex"] = path.value
    if not match.any_method:
        http["methods"] = list(dict.fromkeys(match.methods))
    if match.headers:
        http["header"] = [_header(name, regex) for name, regex in sorted(match.headers.items())]
    return {"action": "allow", "http": http} if http else None


def _header(name: str, regex: str) -> dict[str, Any]:
    match = smi_header(regex)
    if match.kind == "present":
        return {"name": name, "present": True}
    if match.kind == "exact" and not match.value:
        return {"name": name, "regex": "^$"}  # Consul drops an empty ``exact``
    if match.kind in ("exact", "prefix", "suffix"):
        return {"name": name, match.kind: match.value}
    return {"name": name, "regex": regex}


def _check_ports(route: TCPRoute, destination: ConsulService, where: str) -> None:
    ports = set(route.spec.matches.ports)
    if not ports:
        return
    service = destination.service
    listed = ", ".join(str(p) for p in sorted(ports))
    about = (
        f"TCPRoute {route.metadata.name} allows port(s) {listed} only, but Consul intentions "
        "have no ports: the allow would cover every port of Consul service "
        f"{destination.name}"
    )
    tcp_ports = [p for p in service.ports if p.protocol == "TCP"]
    if not tcp_ports:
        raise Untranslatable(
            where,
            f"{about}, and the Service {service.namespace}/{service.name} in the input lists no "
            "TCP ports to show that these are all of them; add its ports",
        )
    uncovered = [p for p in tcp_ports if not _covered(p, ports, destination.workloads)]
    if uncovered:
        missing = ", ".join(str(p.port) for p in uncovered)
        raise Untranslatable(
            where,
            f"{about}, including port(s) {missing} of Service {service.namespace}/{service.name}, "
            "which SMI denies; list every port of the Service (or none) in the TCPRoute",
        )


def _covered(port: ServicePort, ports: set[int], workloads: tuple[Workload, ...]) -> bool:
    """Whether SMI ``ports`` name this Service port (by its number or its target port)."""
    if port.port in ports:
        return True
    target = port.target_port
    if target is None:
        return False
    if isinstance(target, int):
        return target in ports
    numbers = {w.container_ports.get(target) for w in workloads}
    return None not in numbers and numbers <= ports
