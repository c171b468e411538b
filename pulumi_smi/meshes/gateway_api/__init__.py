"""Target ``gateway-api`` (GAMMA): HTTPRoute/GRPCRoute/TCPRoute attached to Services.

Every apex Service port gets one route (:mod:`.routes`): HTTPRoute for
HTTP ports, GRPCRoute for gRPC ports, TCPRoute for the others; UDP and SCTP ports get a
warning. Gateway API has no access policy, so TrafficTargets are rendered with the policy
API of the mesh named by ``policy``, or produce a warning each.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_validator

from ...plan import Plan, PlanWarning, Resource
from ...spec.specset import SpecSet
from ..base import Namer, TargetOptions
from ..gamma import GROUP, RouteApis, split_routes
from ..istio_policy import IstioPolicyOptions
from ..istio_policy import authorization_resources as istio_policy
from ..linkerd_policy import LinkerdPolicyOptions
from ..linkerd_policy import authorization_resources as linkerd_policy
from ..plan_builder import PlanBuilder

_POLICY_OPTIONS: dict[str, type[TargetOptions]] = {
    "istio": IstioPolicyOptions,
    "linkerd": LinkerdPolicyOptions,
}


class GatewayApiOptions(TargetOptions):
    """Options of the ``gateway-api`` target.

    The options of the chosen ``policy`` mesh are given flat, by their own names
    (``--set policy=istio --set trust_domain=example.org``), or as one mapping
    (``istio={...}`` / ``linkerd={...}``); an option of the mesh that is not chosen is an
    error, never ignored.
    """

    policy: Literal["istio", "linkerd"] | None = None
    """Gateway API has no access policy: the mesh whose policy resources to emit for
    TrafficTargets beside the routes. Without it, each TrafficTarget gives a warning."""
    tcp_route_api: Literal["v1", "v1alpha2"] = "v1"
    """API version of TCPRoutes: ``v1`` (Gateway API 1.6+ standard channel) or ``v1alpha2``
    (the experimental channel of older releases)."""
    istio: IstioPolicyOptions | None = None
    """The Istio policy options (with ``policy=istio``; set from the flat options)."""
    linkerd: LinkerdPolicyOptions | None = None
    """The Linkerd policy options (with ``policy=linkerd``; set from the flat options)."""

    @classmethod
    def option_names(cls) -> list[str]:
        """Every option name, the flat policy options included."""
        names = set(cls.model_fields) - set(_POLICY_OPTIONS)
        for model in _POLICY_OPTIONS.values():
            names |= set(model.model_fields)
        return sorted(names)

    @model_validator(mode="before")
    @classmethod
    def _policy_options(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        policy = data.get("policy")
        own = set(cls.model_fields)
        flat = {k: v for k, v in data.items() if k not in own}
        chosen: dict[str, Any] = {}
        for key in flat:
            owners = [m for m, model in _POLICY_OPTIONS.items() if key in model.model_fields]
            if not owners:
                continue  # left in place: the model reports it as unknown
            if policy not in owners:
                mesh = " and ".join(owners)
                raise ValueError(
                    f"option {key} is an option of {mesh} policy, but policy is "
                    f"{policy or 'not set'}: set policy={owners[0]} or remove {key}"
                )
            chosen[key] = flat[key]
        for name in _POLICY_OPTIONS:
            if data.get(name) is not None and name != policy:
                raise ValueError(f"option {name} needs policy={name} (policy is {policy})")
        result = {k: v for k, v in data.items() if k not in chosen}
        if isinstance(policy, str) and policy in _POLICY_OPTIONS:
            nested = result.get(policy) or {}
            if isinstance(nested, dict):
                result[policy] = {**nested, **chosen}
        return result

    def policy_options(self) -> IstioPolicyOptions | LinkerdPolicyOptions | None:
        """The options of the chosen policy mesh (defaults when none were given)."""
        if self.policy == "istio":
            return self.istio or IstioPolicyOptions()
        if self.policy == "linkerd":
            return self.linkerd or LinkerdPolicyOptions()
        return None


def translate(specs: SpecSet, options: GatewayApiOptions, namer: Namer) -> Plan:
    """Translate every TrafficSplit (and, with ``policy``, TrafficTarget) in ``specs``."""
    apis = RouteApis("gateway-api", tcp=f"{GROUP}/{options.tcp_route_api}", mesh=options.policy)
    b = PlanBuilder(specs)
    split_routes(b, apis, namer)
    with b.collecting():
        b.include(*_policy(specs, options, namer))
    return b.plan()


def _policy(
    specs: SpecSet, options: GatewayApiOptions, namer: Namer
) -> tuple[list[Resource], list[PlanWarning]]:
    """The access policy resources of the chosen mesh, or a warning per TrafficTarget."""
    chosen = options.policy_options()
    if isinstance(chosen, IstioPolicyOptions):
        return istio_policy(specs, chosen, namer)
    if isinstance(chosen, LinkerdPolicyOptions):
        return linkerd_policy(specs, chosen, namer)
    return [], [
        PlanWarning(
            f"TrafficTarget {target.metadata.namespace}/{target.metadata.name}: Gateway API "
            "has no access policy, so it is not enforced; choose the mesh's policy with "
            "--set policy=istio",
            target.key,
        )
        for target in specs.traffic_targets
    ]
