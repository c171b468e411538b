"""Target ``gateway-api`` (GAMMA): HTTPRoute/GRPCRoute/TCPRoute attached to Services.

Every apex Service port gets one route (:mod:`.routes`): HTTPRoute for
HTTP ports, GRPCRoute for gRPC ports, TCPRoute for the others; UDP and SCTP ports get a
warning. Gateway API has no access policy, so TrafficTargets are rendered with the policy
API of the mesh named by ``policy``, or produce a warning each.
"""

from __future__ import annotations

from typing import Literal

from ...plan import Plan, PlanWarning, Resource
from ...spec.specset import SpecSet
from ..base import Namer
from ..istio import authz
from ..istio.options import IstioPolicyOptions
from ..linkerd import authz as linkerd_authz
from ..linkerd.options import LinkerdPolicyOptions
from .routes import GROUP, RouteApis, split_routes


class GatewayApiOptions(IstioPolicyOptions, LinkerdPolicyOptions):
    """Options of the ``gateway-api`` target."""

    policy: Literal["istio", "linkerd"] | None = None
    """Gateway API has no access policy: the mesh whose policy resources to emit for
    TrafficTargets beside the routes. Without it, each TrafficTarget gives a warning."""
    tcp_route_api: Literal["v1", "v1alpha2"] = "v1"
    """API version of TCPRoutes: ``v1`` (Gateway API 1.6+ standard channel) or ``v1alpha2``
    (the experimental channel of older releases)."""


def translate(specs: SpecSet, options: GatewayApiOptions, namer: Namer) -> Plan:
    """Translate every TrafficSplit (and, with ``policy``, TrafficTarget) in ``specs``."""
    apis = RouteApis("gateway-api", tcp=f"{GROUP}/{options.tcp_route_api}")
    resources, warnings = split_routes(specs, apis, namer)
    policies, policy_warnings = _policy(specs, options, namer)
    return Plan(tuple(resources + policies), tuple(warnings + policy_warnings))


def _policy(
    specs: SpecSet, options: GatewayApiOptions, namer: Namer
) -> tuple[list[Resource], list[PlanWarning]]:
    """The access policy resources of the chosen mesh, or a warning per TrafficTarget."""
    if options.policy == "istio":
        return authz.authorization_resources(specs, options, namer)
    if options.policy == "linkerd":
        return linkerd_authz.authorization_resources(specs, options, namer)
    return [], [
        PlanWarning(
            f"TrafficTarget {target.metadata.namespace}/{target.metadata.name}: Gateway API "
            "has no access policy, so it is not enforced; choose the mesh's policy with "
            "--set policy=istio",
            target.key,
        )
        for target in specs.traffic_targets
    ]
