"""The process-level registry: meshes and route groups by resource name, per deployment.

A Mesh or an HTTPRouteGroup cannot be passed from another language as the Python object the
Python components take (the other language holds only its URN), so multi-language
components name them, and find them here: the provider host is one process for the whole
program, and each multi-language ``Mesh``, ``HTTPRouteGroup``, ``TCPRoute`` and ``UDPRoute``
registers itself when it is constructed (and each ``TrafficSplit``, whose objectives a
``TrafficMetrics`` names).

The registry is scoped to one deployment: under the SDK's mocks (tests run many programs in
one process) to the mock monitor of the program, which lives as long as the program (a weak
key: it goes with it); otherwise to the organization, project, stack and preview flag, as
the provider host resets the SDK's settings for every construct call of one deployment.
Python programs that use the Python components are not affected: nothing registers them.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from pulumi.runtime import mocks, settings

from ..components import HTTPRouteGroup, Mesh, TCPRoute, TrafficSplit, UDPRoute
from ..errors import Problem, SmiValidationError

RouteGroup = HTTPRouteGroup | TCPRoute | UDPRoute
"""A component a TrafficTarget rule or a TrafficSplit match names."""


@dataclass
class Registry:
    """The meshes and route groups of one deployment, by resource name."""

    meshes: dict[str, Mesh] = field(default_factory=dict)
    routes: dict[tuple[str, str], RouteGroup] = field(default_factory=dict)
    """By (kind, resource name): ``("HTTPRouteGroup", "ratings-routes")``."""
    splits: dict[str, TrafficSplit] = field(default_factory=dict)
    """The TrafficSplits, by resource name (a TrafficMetrics alerts on their objectives)."""


_MOCKED: weakref.WeakKeyDictionary[object, Registry] = weakref.WeakKeyDictionary()
_DEPLOYED: dict[tuple[str | None, str | None, str | None, bool], Registry] = {}


def current() -> Registry:
    """The registry of the deployment (or mocked program) being run."""
    monitor = settings.SETTINGS.monitor
    if isinstance(monitor, mocks.MockMonitor):
        registry = _MOCKED.get(monitor)
        if registry is None:
            registry = _MOCKED[monitor] = Registry()
        return registry
    key = (
        settings.SETTINGS.organization,
        settings.SETTINGS.project,
        settings.SETTINGS.stack,
        bool(settings.SETTINGS.dry_run),
    )
    return _DEPLOYED.setdefault(key, Registry())


def register_mesh(name: str, mesh: Mesh) -> None:
    """Make ``mesh`` known as ``name`` to the components constructed after it."""
    meshes = current().meshes
    if name in meshes:
        raise SmiValidationError(
            [
                Problem(
                    f"a mesh named {name!r} exists already in this program: components name "
                    "their meshes, so give every smi.Mesh its own resource name",
                    f"smi:index:Mesh {name}",
                )
            ]
        )
    meshes[name] = mesh


def register_route(kind: str, name: str, group: RouteGroup) -> None:
    """Make the route group ``group`` (of ``kind``) known as ``name``."""
    routes = current().routes
    if (kind, name) in routes:
        raise SmiValidationError(
            [
                Problem(
                    f"a {kind} named {name!r} exists already in this program: rules and "
                    f"matches name it, so give every smi.{kind} its own resource name",
                    f"smi:index:{kind} {name}",
                )
            ]
        )
    routes[kind, name] = group


def register_split(name: str, split: TrafficSplit) -> None:
    """Make the TrafficSplit ``split`` known as ``name``."""
    splits = current().splits
    if name in splits:
        raise SmiValidationError(
            [
                Problem(
                    f"a TrafficSplit named {name!r} exists already in this program: a "
                    "TrafficMetrics names it, so give every smi.TrafficSplit its own resource name",
                    f"smi:index:TrafficSplit {name}",
                )
            ]
        )
    splits[name] = split


def find_mesh(name: str) -> Mesh | None:
    """The mesh registered as ``name``, or None."""
    return current().meshes.get(name)


def find_route(kind: str, name: str) -> RouteGroup | None:
    """The route group of ``kind`` registered as ``name``, or None."""
    return current().routes.get((kind, name))


def find_split(name: str) -> TrafficSplit | None:
    """The TrafficSplit registered as ``name``, or None."""
    return current().splits.get(name)


def unknown_mesh(name: str) -> str:
    """Why a mesh name is not known, and what to do."""
    return (
        f"mesh {name!r} is not known: create smi.Mesh({name!r}) earlier in the program and "
        "give this component `dependsOn: [mesh]` so Pulumi constructs the mesh first"
    )


def unknown_route(kind: str, name: str) -> str:
    """Why a route group name is not known, and what to do."""
    return (
        f"{kind} {name!r} is not known: create smi.{kind}({name!r}) earlier in the program "
        f"and give this component `dependsOn` on it so Pulumi constructs it first"
    )


def unknown_split(name: str) -> str:
    """Why a TrafficSplit name is not known, and what to do."""
    return (
        f"TrafficSplit {name!r} is not known: create smi.TrafficSplit({name!r}) earlier in the "
        "program and give this component `dependsOn` on it so Pulumi constructs it first"
    )
