"""Ports of a grant, for Consul intentions, which have no port dimension.

An intention allows a source on every port of the destination service. A TrafficTarget whose
TCPRoute rules name ports therefore translates exactly only when those ports are every TCP port
the catalogue knows for the destination's pods (the access model's ``known_ports``: container
ports and the targetPorts of the Services selecting them): then the limit limits nothing.
Narrower, the allow would open the other ports too — it cannot be expressed; and with no port
known, nothing shows that the named ports are all of them.
"""

from __future__ import annotations

from ...spec.catalogue import ServicePort
from ...spec.specset import SpecSet
from ..access_model import DestinationAccess, Grant, port_grants


def inexpressible_ports(
    specs: SpecSet, destination: DestinationAccess, grant: Grant, service: str
) -> str | None:
    """Why Consul cannot limit ``grant`` to its ports (None: it can, or it names none).

    The text continues "the TCPRoute rules allow ...". ``service`` is the destination's Consul
    name. Raises :class:`~pulumi_smi.meshes.access.Untranslatable` (at the TCPRoute rule) for
    a named targetPort the pods lack.
    """
    if grant.ports is None:
        return None
    listed = ", ".join(str(p) for p in grant.ports)
    about = (
        f"port(s) {listed} only, but Consul intentions have no ports: the allow would cover "
        f"every port of Consul service {service}"
    )
    identity = f"ServiceAccount {destination.identity}"
    known = destination.known_ports
    if not known:
        return (
            f"{about}, and the input shows no port of the pods of {identity} to prove that these "
            "are all of them; pass their workload (Deployment, StatefulSet...) and Service"
        )
    allowed = port_grants(specs, destination, grant, destination.workloads) or {}
    missing = [_port(number, known[number]) for number in known if number not in allowed]
    if not missing:
        return None
    return (
        f"{about}, including {', '.join(missing)} of the pods of {identity}, which SMI denies; "
        "list every port of the destination (or none) in the TCPRoute"
    )


def _port(number: int, service_ports: tuple[ServicePort, ...]) -> str:
    """``port 9187``, or ``port 8080 (Service port 80)`` when a Service maps another number."""
    fronts = sorted({p.port for p in service_ports} - {number})
    if not fronts:
        return f"port {number}"
    return f"port {number} (Service port {', '.join(str(p) for p in fronts)})"
