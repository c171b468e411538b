"""The multi-language TrafficSplit and TrafficTarget: weighted backends, allowed sources.

No ``from __future__ import annotations`` here: the analyzer reads these annotations at run
time.
"""

from collections.abc import Mapping
from functools import partial
from typing import Any, cast

import pulumi

from .. import components as python
from ..errors import SmiError
from . import common, registry
from .args import HandoverScope, RouteKind, TrafficSplitArgs, TrafficTargetArgs, schema_docs
from .inputs import Inputs
from .outputs import registered, split_shares
from .surface import _Surface, implements


@schema_docs
class TrafficSplit(_Surface):
    """Split the traffic for one Service between weighted backend Services, on every mesh
    named in `meshes`.

    Weights are relative whole numbers (0 = no traffic). With `matches` (HTTPRouteGroup
    components) only the matching requests are split; the rest keeps going to the apex
    Service. Children are named `<split>-<mesh>-<role>`; invalid arguments fail the
    construction with every problem, naming the component and the field.
    """

    resource_names: pulumi.Output[dict[str, list[str]]]
    """Per mesh (by its resource name), the logical names of the children registered for it."""
    urns: pulumi.Output[dict[str, list[str]]]
    """Per mesh, the URNs of the children registered for it."""
    shares: pulumi.Output[dict[str, dict[str, float]]]
    (
        "Per mesh, each backend's percentage of the split traffic, read from the objects "
        "registered, the backends named as `pulumi-smi render -o table` names them: "
        "`<namespace>/<service>` on Kubernetes meshes, the service on Consul, the target group "
        "on VPC Lattice, the virtual node on App Mesh."
    )
    arns: pulumi.Output[dict[str, str]]
    """The ARN of every AWS child (appmesh and vpc-lattice meshes), by logical name."""
    lattice_dns_names: pulumi.Output[dict[str, str]]
    """The DNS name of every VPC Lattice service registered, by Lattice service name."""

    def __init__(
        self, name: str, args: TrafficSplitArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        given = cast(Mapping[str, Any], args)
        read = Inputs("smi:index:TrafficSplit", name)
        service = read.text(given.get("service"), "service", required=True)
        backends = read.each_nested(
            given.get("backends"), "backends", partial(_backend, read), required=True
        )
        meshes = common.meshes(read, given.get("meshes"))
        named = read.each(
            given.get("matches"), "matches", partial(common.route, read, RouteKind.HTTP_ROUTE_GROUP)
        )
        matches = [group for group in named if isinstance(group, python.HTTPRouteGroup)]
        handover = read.nested(
            given.get("weights_handover"), "weightsHandover", partial(_handover, read)
        )
        metadata = common.metadata(read, given)
        read.done()
        assert service is not None
        split = self._construct(
            python.TrafficSplit,
            name,
            service=service,
            backends=backends,
            meshes=meshes,
            matches=matches,
            weights_handover=handover,
            opts=opts,
            **metadata,
        )
        registry.register_split(name, split)
        self._publish({**registered(split), "shares": split_shares(split, meshes)})


@implements(TrafficSplit)
class _TrafficSplit(TrafficSplit, python.TrafficSplit):
    """A multi-language TrafficSplit: the Python one, constructed from ``TrafficSplitArgs``."""


def _backend(read: Inputs, given: Mapping[str, Any], path: str) -> python.Backend | None:
    service = read.text(given.get("service"), f"{path}.service", required=True)
    weight = read.whole(given.get("weight"), f"{path}.weight", required=True)
    mesh = common.mesh(read, given.get("mesh"), f"{path}.mesh")
    host = read.text_or_output(given.get("host"), f"{path}.host")
    if service is None or weight is None:
        return None
    return python.Backend(service, weight, mesh=mesh, host=host)


def _handover(read: Inputs, given: Mapping[str, Any], path: str) -> python.WeightHandover:
    scope = read.choice(given.get("scope"), f"{path}.scope", HandoverScope)
    manager = read.text(given.get("field_manager"), f"{path}.fieldManager")
    return python.WeightHandover(
        scope="lists" if scope is HandoverScope.LISTS else "weights",
        field_manager="pulumi-smi" if manager is None else (manager or None),
    )


@schema_docs
class TrafficTarget(_Surface):
    """Allow `sources` to reach `destination` on the routes in `rules`; deny the rest,
    on every mesh named in `meshes`.

    A rule names a route-group component by kind and resource name (created earlier in the
    program; give this component `dependsOn` on it), optionally narrowed to some of an
    HTTPRouteGroup's named matches.
    """

    resource_names: pulumi.Output[dict[str, list[str]]]
    """Per mesh (by its resource name), the logical names of the children registered for it."""
    urns: pulumi.Output[dict[str, list[str]]]
    """Per mesh, the URNs of the children registered for it."""
    arns: pulumi.Output[dict[str, str]]
    """The ARN of every AWS child (appmesh and vpc-lattice meshes), by logical name."""
    lattice_dns_names: pulumi.Output[dict[str, str]]
    """The DNS name of every VPC Lattice service registered, by Lattice service name."""

    def __init__(
        self, name: str, args: TrafficTargetArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        given = cast(Mapping[str, Any], args)
        read = Inputs("smi:index:TrafficTarget", name)
        account = partial(_account, read)
        destination = read.nested(given.get("destination"), "destination", account, required=True)
        sources = read.each_nested(given.get("sources"), "sources", account, required=True)
        rules = read.each_nested(given.get("rules"), "rules", partial(_rule, read), required=True)
        meshes = common.meshes(read, given.get("meshes"))
        metadata = common.metadata(read, given)
        read.done()
        assert destination is not None
        target = self._construct(
            python.TrafficTarget,
            name,
            destination=destination,
            sources=sources,
            rules=rules,
            meshes=meshes,
            opts=opts,
            **metadata,
        )
        self._publish(registered(target))


@implements(TrafficTarget)
class _TrafficTarget(TrafficTarget, python.TrafficTarget):
    """A multi-language TrafficTarget: the Python one, constructed from ``TrafficTargetArgs``."""


def _account(read: Inputs, given: Mapping[str, Any], path: str) -> python.ServiceAccount | None:
    name = read.text(given.get("name"), f"{path}.name", required=True)
    namespace = read.text(given.get("namespace"), f"{path}.namespace")
    return None if name is None else python.ServiceAccount(name, namespace)


def _rule(read: Inputs, given: Mapping[str, Any], path: str) -> python.Rule | None:
    kind = read.choice(given.get("kind"), f"{path}.kind", RouteKind, required=True)
    matches = read.texts(given.get("matches"), f"{path}.matches")
    if kind is None:
        return None
    group = common.route(read, kind, given.get("name"), f"{path}.name")
    if group is None:
        return None
    if isinstance(group, python.HTTPRouteGroup):
        try:
            return group.rule(*matches)
        except SmiError as exc:
            read.fail(f"{path}.matches", str(exc))
            return None
    if matches:
        read.fail(f"{path}.matches", f"a {kind.value} has no named matches: give none")
        return None
    return group.rule()
