"""The objectives an estate carries: one per Service and per TrafficSplit backend."""

from __future__ import annotations

from dataclasses import dataclass

from ..spec.models import ObjectKey
from ..spec.objectives import ServiceLevel
from ..spec.specset import SpecSet


@dataclass(frozen=True)
class Objective:
    """What one Service must meet, and the object that says so.

    A Service annotated itself and a TrafficSplit annotated for its backends give two
    objectives for one backend: both are alerted on, so neither loosens the other.
    """

    namespace: str
    service: str
    source: ObjectKey
    """The Service or the TrafficSplit whose annotations give it."""
    level: ServiceLevel

    @property
    def traffic_split(self) -> str | None:
        """The TrafficSplit it comes from, or None for a Service's own objective."""
        return self.source.name if self.source.kind == "TrafficSplit" else None


def objectives(specs: SpecSet) -> tuple[Objective, ...]:
    """Every objective of ``specs``: sorted by namespace, Service and source."""
    found: list[Objective] = []
    for service in specs.catalogue.services:
        if service.slo is not None:
            key = ObjectKey("Service", service.namespace, service.name)
            found.append(Objective(service.namespace, service.name, key, service.slo))
    for split in specs.traffic_splits:
        level = split.metadata.slo
        if level is None:
            continue
        for backend in split.spec.backends:
            found.append(Objective(split.metadata.namespace, backend.service, split.key, level))
    return tuple(sorted(found, key=lambda o: (o.namespace, o.service, o.source)))
