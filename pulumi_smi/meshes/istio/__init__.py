"""Target ``istio``: VirtualServices for splits, AuthorizationPolicies for access."""

from __future__ import annotations

from ...plan import Plan
from ...spec.specset import SpecSet
from ..base import Namer
from ..istio_policy import IstioPolicyOptions, authorization_resources
from ..plan_builder import PlanBuilder
from .options import IstioOptions
from .routes import virtual_services


def translate(specs: SpecSet, options: IstioOptions, namer: Namer) -> Plan:
    """Translate every TrafficSplit and TrafficTarget in ``specs`` for Istio."""
    b = PlanBuilder(specs)
    virtual_services(b, options, namer)
    with b.collecting():
        b.include(*authorization_resources(specs, options, namer))
    return b.plan()


__all__ = ["IstioOptions", "IstioPolicyOptions", "translate"]
