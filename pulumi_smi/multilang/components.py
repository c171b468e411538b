"""The multi-language components: the Python components, constructed from another language.

Each class (``Mesh``, ``TrafficSplit``, ...) is what the SDK's analyzer reads for the package
schema: one ``args`` TypedDict (:mod:`.args`) and class-level ``pulumi.Output[...]``
annotations, the outputs. Constructing one gives the Python component it stands for
(:mod:`.surface`); meshes and route groups are named by resource name and found in
:mod:`.registry`. One module a job:

- :mod:`.mesh`: ``Mesh`` (kind, provider, options, catalogue);
- :mod:`.traffic`: ``TrafficSplit`` and ``TrafficTarget``;
- :mod:`.routes`: ``HTTPRouteGroup``, ``TCPRoute`` and ``UDPRoute``;
- :mod:`.manifests`: ``Manifests``;
- :mod:`.metrics`: ``TrafficMetrics`` (one mesh's golden signals and SLO alerts);
- :mod:`.common`: reading the arguments they share (meshes, route groups, child options);
- :mod:`.outputs`: what they register as outputs (names, URNs, shares, ARNs, DNS names).

This module lists them for the provider and the schema.
"""

import pulumi

from .manifests import Manifests
from .mesh import Mesh
from .metrics import TrafficMetrics
from .routes import HTTPRouteGroup, TCPRoute, UDPRoute
from .traffic import TrafficSplit, TrafficTarget

__all__ = [
    "COMPONENTS",
    "HTTPRouteGroup",
    "Manifests",
    "Mesh",
    "TCPRoute",
    "TrafficMetrics",
    "TrafficSplit",
    "TrafficTarget",
    "UDPRoute",
]

COMPONENTS: list[type[pulumi.ComponentResource]] = [
    Mesh,
    TrafficSplit,
    TrafficTarget,
    HTTPRouteGroup,
    TCPRoute,
    UDPRoute,
    Manifests,
    TrafficMetrics,
]
"""The components the provider hosts, in the schema's order."""
