"""pulumi-smi: Service Mesh Interface intent, expanded by Pulumi into native mesh resources.

The components (``Mesh``, ``TrafficSplit``, ...) import Pulumi; they are loaded
on first use so that the pure layers and the CLI start fast. ``TrafficMetrics`` gives a
mesh's golden signals (the metrics contract) and the SLO alerts of its objectives.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import Problem, SmiError, SmiValidationError, TranslationError, UnsupportedTargetError
from .meshes import MeshKind, TargetOptions, translate
from .plan import Plan, Resource
from .spec import Catalogue, SpecSet, load_files, load_text

__version__ = "0.1.0"
"""The one place the version is written (pyproject reads it; ``pulumi-smi --version`` prints it)."""

if TYPE_CHECKING:
    from .components import (
        Backend,
        ChildOptions,
        HTTPMatch,
        HTTPRouteGroup,
        Manifests,
        Mesh,
        Rule,
        ServiceAccount,
        TCPRoute,
        TrafficMetrics,
        TrafficSplit,
        TrafficTarget,
        UDPRoute,
        WeightHandover,
    )

_COMPONENTS = {
    "Backend",
    "ChildOptions",
    "HTTPMatch",
    "HTTPRouteGroup",
    "Manifests",
    "Mesh",
    "Rule",
    "ServiceAccount",
    "TCPRoute",
    "TrafficMetrics",
    "TrafficSplit",
    "TrafficTarget",
    "UDPRoute",
    "WeightHandover",
}


def __getattr__(name: str) -> Any:
    if name in _COMPONENTS:
        return getattr(importlib.import_module(".components", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Backend",
    "Catalogue",
    "ChildOptions",
    "HTTPMatch",
    "HTTPRouteGroup",
    "Manifests",
    "Mesh",
    "MeshKind",
    "Plan",
    "Problem",
    "Resource",
    "Rule",
    "ServiceAccount",
    "SmiError",
    "SmiValidationError",
    "SpecSet",
    "TCPRoute",
    "TargetOptions",
    "TrafficMetrics",
    "TrafficSplit",
    "TrafficTarget",
    "TranslationError",
    "UDPRoute",
    "UnsupportedTargetError",
    "WeightHandover",
    "load_files",
    "load_text",
    "translate",
]
