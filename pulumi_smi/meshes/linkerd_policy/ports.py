"""The known ports of one selection of a destination's pods (one Linkerd Server each).

The access model knows every TCP port of the destination's pods (``known_ports``). A Server
selects pods by labels, so a selection's ports are those of the workloads its labels select:
their container ports, and the numeric targetPorts of the Services in front of them (a named
targetPort is a container port of the workload already).
"""

from __future__ import annotations

from ...spec.catalogue import ServicePort, Workload
from ..access import Selection, selects
from ..access_model import DestinationAccess


def covered_workloads(destination: DestinationAccess, selection: Selection) -> tuple[Workload, ...]:
    """The destination's workloads whose pods the selection's labels select."""
    return tuple(w for w in destination.workloads if selects(selection.labels, w))


def selection_ports(
    destination: DestinationAccess, selection: Selection
) -> dict[int, tuple[ServicePort, ...]]:
    """The known ports of the selected pods, each with the Service ports in front of it."""
    workloads = covered_workloads(destination, selection)
    services = [s for s in destination.services if any(selects(s.selector, w) for w in workloads)]
    exposed = [p for s in services for p in s.ports if p.protocol == "TCP"]
    numbers = {p for w in workloads for p in w.tcp_ports}
    numbers |= {p.port for p in exposed if p.target_port is None}
    numbers |= {p.target_port for p in exposed if isinstance(p.target_port, int)}
    return {
        port: tuple(p for p in service_ports if p in exposed)
        for port, service_ports in destination.known_ports.items()
        if port in numbers
    }
