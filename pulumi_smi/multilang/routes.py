"""The multi-language route groups: HTTPRouteGroup (named HTTP matches), TCPRoute and
UDPRoute (ports), which TrafficSplit matches and TrafficTarget rules name (:mod:`.registry`).

No ``from __future__ import annotations`` here: the analyzer reads these annotations at run
time.
"""

from collections.abc import Mapping
from functools import partial
from typing import Any, cast

import pulumi

from .. import components as python
from . import common, registry
from .args import HTTPRouteGroupArgs, PortRouteArgs, RouteKind, schema_docs
from .inputs import Inputs
from .outputs import registered
from .surface import _Surface, implements


@schema_docs
class HTTPRouteGroup(_Surface):
    """Named HTTP matches (path regex, methods, headers) that TrafficSplit `matches` and
    TrafficTarget rules name, on every mesh named in `meshes`."""

    resource_names: pulumi.Output[dict[str, list[str]]]
    """Per mesh (by its resource name), the logical names of the children registered for it."""
    urns: pulumi.Output[dict[str, list[str]]]
    """Per mesh, the URNs of the children registered for it."""
    arns: pulumi.Output[dict[str, str]]
    """The ARN of every AWS child (appmesh and vpc-lattice meshes), by logical name."""
    lattice_dns_names: pulumi.Output[dict[str, str]]
    """The DNS name of every VPC Lattice service registered, by Lattice service name."""

    def __init__(
        self, name: str, args: HTTPRouteGroupArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        given = cast(Mapping[str, Any], args)
        read = Inputs("smi:index:HTTPRouteGroup", name)
        matches = read.each_nested(
            given.get("matches"), "matches", partial(_match, read), required=True
        )
        meshes = common.meshes(read, given.get("meshes"))
        metadata = common.metadata(read, given)
        read.done()
        group = self._construct(
            python.HTTPRouteGroup, name, matches=matches, meshes=meshes, opts=opts, **metadata
        )
        registry.register_route(RouteKind.HTTP_ROUTE_GROUP.value, name, group)
        self._publish(registered(group))


@implements(HTTPRouteGroup)
class _HTTPRouteGroup(HTTPRouteGroup, python.HTTPRouteGroup):
    """A multi-language HTTPRouteGroup: the Python one, constructed from its args."""


def _match(read: Inputs, given: Mapping[str, Any], path: str) -> python.HTTPMatch | None:
    name = read.text(given.get("name"), f"{path}.name", required=True)
    path_regex = read.text(given.get("path_regex"), f"{path}.pathRegex")
    methods = read.texts(given.get("methods"), f"{path}.methods")
    headers = read.strings(given.get("headers"), f"{path}.headers")
    if name is None:
        return None
    return python.HTTPMatch(name, path_regex=path_regex, methods=methods, headers=headers)


def _port_route(
    component: _Surface,
    cls: type[python.TCPRoute] | type[python.UDPRoute],
    kind: RouteKind,
    name: str,
    args: PortRouteArgs,
    opts: pulumi.ResourceOptions | None,
) -> None:
    """Construct ``component`` (a TCPRoute or a UDPRoute) from its ``args``."""
    given = cast(Mapping[str, Any], args)
    read = Inputs(f"smi:index:{kind.value}", name)
    ports = read.wholes(given.get("ports"), "ports")
    meshes = common.meshes(read, given.get("meshes"))
    metadata = common.metadata(read, given)
    read.done()
    route = component._construct(cls, name, meshes=meshes, ports=ports, opts=opts, **metadata)
    registry.register_route(kind.value, name, route)
    component._publish(registered(route))


@schema_docs
class TCPRoute(_Surface):
    """TCP ports a TrafficTarget rule can allow (empty: every port of the destination), on
    every mesh named in `meshes`."""

    resource_names: pulumi.Output[dict[str, list[str]]]
    """Per mesh (by its resource name), the logical names of the children registered for it."""
    urns: pulumi.Output[dict[str, list[str]]]
    """Per mesh, the URNs of the children registered for it."""
    arns: pulumi.Output[dict[str, str]]
    """The ARN of every AWS child (appmesh and vpc-lattice meshes), by logical name."""
    lattice_dns_names: pulumi.Output[dict[str, str]]
    """The DNS name of every VPC Lattice service registered, by Lattice service name."""

    def __init__(
        self, name: str, args: PortRouteArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        _port_route(self, python.TCPRoute, RouteKind.TCP_ROUTE, name, args, opts)


@implements(TCPRoute)
class _TCPRoute(TCPRoute, python.TCPRoute):
    """A multi-language TCPRoute: the Python one, constructed from ``PortRouteArgs``."""


@schema_docs
class UDPRoute(_Surface):
    """UDP ports a TrafficTarget rule can allow (empty: every port of the destination), on
    every mesh named in `meshes`."""

    resource_names: pulumi.Output[dict[str, list[str]]]
    """Per mesh (by its resource name), the logical names of the children registered for it."""
    urns: pulumi.Output[dict[str, list[str]]]
    """Per mesh, the URNs of the children registered for it."""
    arns: pulumi.Output[dict[str, str]]
    """The ARN of every AWS child (appmesh and vpc-lattice meshes), by logical name."""
    lattice_dns_names: pulumi.Output[dict[str, str]]
    """The DNS name of every VPC Lattice service registered, by Lattice service name."""

    def __init__(
        self, name: str, args: PortRouteArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        _port_route(self, python.UDPRoute, RouteKind.UDP_ROUTE, name, args, opts)


@implements(UDPRoute)
class _UDPRoute(UDPRoute, python.UDPRoute):
    """A multi-language UDPRoute: the Python one, constructed from ``PortRouteArgs``."""
