"""The multi-language surface: the components as other Pulumi languages construct them.

``pulumi package add`` on this repository gives TypeScript, Go, C#, Java and YAML programs
``smi.Mesh``, ``smi.TrafficSplit``, ... with the schema the SDK's analyzer derives from
:mod:`.args` and the components :mod:`.components` lists (``schema.json``). Each is the
Python component (same type token, same children), constructed from one ``args`` object;
meshes and route groups are named by resource name (:mod:`.registry`). Python programs keep
using :mod:`pulumi_smi` directly.
"""

from .args import (
    Backend,
    ChildOptions,
    CustomTimeouts,
    HandoverScope,
    HttpMatch,
    HTTPRouteGroupArgs,
    ManifestsArgs,
    MeshArgs,
    MeshKind,
    PortRouteArgs,
    RouteKind,
    Rule,
    ServiceAccountRef,
    TrafficMetricsArgs,
    TrafficSplitArgs,
    TrafficTargetArgs,
    WeightHandover,
)
from .components import (
    COMPONENTS,
    HTTPRouteGroup,
    Manifests,
    Mesh,
    TCPRoute,
    TrafficMetrics,
    TrafficSplit,
    TrafficTarget,
    UDPRoute,
)
from .inputs import whole_number

__all__ = [
    "COMPONENTS",
    "Backend",
    "ChildOptions",
    "CustomTimeouts",
    "HTTPRouteGroup",
    "HTTPRouteGroupArgs",
    "HandoverScope",
    "HttpMatch",
    "Manifests",
    "ManifestsArgs",
    "Mesh",
    "MeshArgs",
    "MeshKind",
    "PortRouteArgs",
    "RouteKind",
    "Rule",
    "ServiceAccountRef",
    "TCPRoute",
    "TrafficMetrics",
    "TrafficMetricsArgs",
    "TrafficSplit",
    "TrafficSplitArgs",
    "TrafficTarget",
    "TrafficTargetArgs",
    "UDPRoute",
    "WeightHandover",
    "whole_number",
]
