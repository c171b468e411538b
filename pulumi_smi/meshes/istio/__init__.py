"""Target ``istio``: VirtualServices for splits, AuthorizationPolicies for access."""

from __future__ import annotations

from ...plan import Plan
from ...spec.specset import SpecSet
from ..base import Namer
from ..istio_policy import IstioPolicyOptions, authorization_resources
from .options import IstioOptions
from .routes import virtual_services


def translate(specs: SpecSet, options: IstioOptions, namer: Namer) -> Plan:
    """Translate every TrafficSplit and TrafficTarget in ``specs`` for Istio."""
    routes, route_warnings = virtual_services(specs, options, namer)
    policies, policy_warnings = authorization_resources(specs, options, namer)
    return Plan(tuple(routes + policies), tuple(route_warnings + policy_warnings))


__all__ = ["IstioOptions", "IstioPolicyOptions", "translate"]
