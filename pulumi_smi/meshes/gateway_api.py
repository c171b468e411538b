"""Target ``gateway-api`` (GAMMA): HTTPRoute/GRPCRoute/TCPRoute attached to Services."""

from __future__ import annotations

from typing import Literal

from ..plan import Plan
from ..spec.specset import SpecSet
from .base import Namer
from .istio.options import IstioPolicyOptions


class GatewayApiOptions(IstioPolicyOptions):
    """Options of the ``gateway-api`` target."""

    policy: Literal["istio", "linkerd"] | None = None
    """Gateway API has no access policy: the mesh whose policy resources to emit for
    TrafficTargets beside the routes. Without it, each TrafficTarget gives a warning."""


def translate(specs: SpecSet, options: GatewayApiOptions, namer: Namer) -> Plan:
    """Translate every TrafficSplit (and, with ``policy``, TrafficTarget) in ``specs``."""
    return Plan()
