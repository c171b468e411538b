"""Pulumi components: the thin shell that registers a translation's Plan."""

from .args import Backend, HTTPMatch, Rule, ServiceAccount
from .base import SmiComponent
from .child_options import ChildOptions
from .handover import WeightHandover
from .manifests import Manifests
from .mesh import Mesh
from .metrics import TrafficMetrics
from .routes import HTTPRouteGroup, TCPRoute, UDPRoute
from .traffic import TrafficSplit, TrafficTarget

__all__ = [
    "Backend",
    "ChildOptions",
    "HTTPMatch",
    "HTTPRouteGroup",
    "Manifests",
    "Mesh",
    "Rule",
    "ServiceAccount",
    "SmiComponent",
    "TCPRoute",
    "TrafficMetrics",
    "TrafficSplit",
    "TrafficTarget",
    "UDPRoute",
    "WeightHandover",
]
