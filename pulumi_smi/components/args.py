"""Plain, IDE-friendly argument types of the components.

A component checks their types first (:mod:`.validate`, from these annotations), then
converts them into the pure models of :mod:`pulumi_smi.spec`, which check the values; either
way an invalid one raises :class:`~pulumi_smi.SmiError` naming the component and the field.
Components take these classes, not plain dicts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi

from ..spec.models import SmiObject
from ..spec.names import dns1035_label_problem

if TYPE_CHECKING:
    from .mesh import Mesh


@dataclass(frozen=True)
class Backend:
    """A backend Service of a TrafficSplit and its relative weight (0 = no traffic).

    A backend served outside the split's mesh (another mesh of the estate, or any host) is
    reached the way each mesh reaches a remote service (README, "Backends served elsewhere"):

    Args:
        service: the backend Service; with ``mesh``, its name in that mesh.
        weight: its relative weight.
        mesh: the other mesh of the program that serves it. On the split's meshes it is
            the Service ``<service>-<mesh>`` standing for it (an ExternalName Service).
        host: the DNS name it is reached at: a string, or a Pulumi Output (a Lattice
            service's DNS name, an ALB's). Without it, a ``vpc-lattice`` ``mesh`` gives the
            DNS name of its Lattice service for ``service`` (created before this split).
    """

    service: str
    weight: int
    mesh: Mesh | None = None
    host: str | pulumi.Output[str] | None = None

    def to_spec(self) -> dict[str, Any]:
        return {"service": self.stand_in, "weight": self.weight}

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k in ("mesh", "host") if (v := getattr(self, k)))
        return f"Backend(service={self.service!r}, weight={self.weight!r}{extra})"

    @property
    def is_remote(self) -> bool:
        """Whether it is served outside the split's meshes."""
        return self.mesh is not None or self.host is not None

    @property
    def stand_in(self) -> str:
        """The Service name the split's meshes know it by (``<service>-<mesh>`` with ``mesh``)."""
        if self.mesh is None:
            return self.service
        return f"{self.service}-{_label(self.mesh.mesh_resource_name)}"

    def problems(self, path: str) -> list[tuple[str, str]]:
        """What is wrong with the values (the types are checked before), located at ``path``."""
        if self.mesh is not None and dns1035_label_problem(self.stand_in):
            return [
                (
                    f"{path}.mesh",
                    f"the Service standing for it, {self.stand_in!r}, is not a valid Service "
                    "name (at most 63 lower-case letters, digits and '-'): give a shorter "
                    "service or mesh name",
                )
            ]
        return []


def _label(text: str) -> str:
    """``text`` as a DNS label: lower case, anything else than letters and digits a '-'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class HTTPMatch:
    """A named HTTP match: every condition given must hold.

    Args:
        name: the match's name, referenced by ``HTTPRouteGroup.rule(name)``.
        path_regex: a regex anchored at the start of the path (SMI semantics).
        methods: HTTP methods; empty or ``["*"]`` means all.
        headers: header name -> regex on its value.
    """

    name: str
    path_regex: str | None = None
    methods: Sequence[str] = ()
    headers: Mapping[str, str] = field(default_factory=dict)

    def to_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"name": self.name, "methods": list(self.methods)}
        if self.path_regex is not None:
            spec["pathRegex"] = self.path_regex
        spec["headers"] = dict(self.headers)
        return spec


@dataclass(frozen=True)
class ServiceAccount:
    """A workload identity; ``namespace`` defaults to the TrafficTarget's namespace."""

    name: str
    namespace: str | None = None

    def to_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"kind": "ServiceAccount", "name": self.name}
        if self.namespace is not None:
            spec["namespace"] = self.namespace
        return spec


@dataclass(frozen=True)
class Rule:
    """A route a TrafficTarget allows: a route spec, optionally narrowed to named matches.

    Get one from ``HTTPRouteGroup.rule(...)``, ``TCPRoute.rule()`` or ``UDPRoute.rule()``.
    """

    route: SmiObject
    matches: tuple[str, ...] = ()

    def to_spec(self) -> dict[str, Any]:
        return {
            "kind": self.route.KIND,
            "name": self.route.metadata.name,
            "matches": list(self.matches),
        }
