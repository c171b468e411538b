"""Plain, IDE-friendly argument types of the components.

A component checks their types first (:mod:`.validate`, from these annotations), then
converts them into the pure models of :mod:`pulumi_smi.spec`, which check the values; either
way an invalid one raises :class:`~pulumi_smi.SmiError` naming the component and the field.
Components take these classes, not plain dicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..spec.models import SmiObject


@dataclass(frozen=True)
class Backend:
    """A backend Service of a TrafficSplit and its relative weight (0 = no traffic)."""

    service: str
    weight: int

    def to_spec(self) -> dict[str, Any]:
        return {"service": self.service, "weight": self.weight}


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
