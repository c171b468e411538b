"""Target ``linkerd``: Gateway API routes for splits, Servers and policies for access.

Splits become HTTPRoutes (GRPCRoutes, TCPRoutes) attached to the apex Service, exactly as
for the ``gateway-api`` target — Linkerd implements GAMMA — in the ``gateway`` or the
``policy.linkerd.io`` flavour. No ServiceProfile is emitted: one with ``dstOverrides``
would silently override every HTTPRoute of its Service.
"""

from __future__ import annotations

from ...plan import Plan
from ...spec.specset import SpecSet
from ..base import Namer
from ..gamma import GROUP, RouteApis, split_routes
from ..linkerd_policy import LinkerdPolicyOptions, authorization_resources
from ..plan_builder import PlanBuilder
from .options import LinkerdOptions

POLICY_GROUP = "policy.linkerd.io"


def route_apis(options: LinkerdOptions) -> RouteApis:
    """The route apiVersions for ``options.route_api`` (TCPRoute: as Linkerd reads it)."""
    http = f"{POLICY_GROUP}/v1beta3" if options.route_api == "policy" else f"{GROUP}/v1"
    return RouteApis("linkerd", http=http, tcp=f"{GROUP}/{options.tcp_route_api}", mesh="linkerd")


def translate(specs: SpecSet, options: LinkerdOptions, namer: Namer) -> Plan:
    """Translate every TrafficSplit and TrafficTarget in ``specs`` for Linkerd."""
    b = PlanBuilder(specs)
    split_routes(b, route_apis(options), namer)
    with b.collecting():
        b.include(*authorization_resources(specs, options, namer))
    return b.plan()


__all__ = ["LinkerdOptions", "LinkerdPolicyOptions", "translate"]
