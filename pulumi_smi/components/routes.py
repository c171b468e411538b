"""``smi:index:HTTPRouteGroup``, ``smi:index:TCPRoute`` and ``smi:index:UDPRoute``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

import pulumi

from ..errors import SmiError
from ..spec import models
from .args import HTTPMatch, Rule
from .base import Meshes, SmiComponent
from .child_options import ChildOptions
from .validate import check_arguments, check_value


class HTTPRouteGroup(SmiComponent):
    """Named HTTP matches (path regex, methods, headers) for TrafficSplit and TrafficTarget.

    Args:
        resource_name: the Pulumi logical name (and the object name by default).
        matches: the named matches; each one's conditions are ANDed.
        meshes: the mesh or meshes to translate into.
        namespace: Kubernetes namespace of the route group.
        object_name: Kubernetes name, when it differs from ``resource_name``.
        labels, annotations: carried onto the emitted objects where a target has any.
        child_options: resource options for every child (merged with the mesh's).
        opts: Pulumi resource options.
    """

    spec: models.HTTPRouteGroup
    """The validated SMI object."""

    def __init__(
        self,
        resource_name: str,
        *,
        matches: Sequence[HTTPMatch],
        meshes: Meshes,
        namespace: str = "default",
        object_name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
        child_options: ChildOptions | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        check_arguments("smi:index:HTTPRouteGroup", HTTPRouteGroup.__init__, locals())
        self.spec = self._init_single(
            models.HTTPRouteGroup,
            "smi:index:HTTPRouteGroup",
            resource_name,
            {"matches": [m.to_spec() for m in matches]},
            meshes=meshes,
            namespace=namespace,
            object_name=object_name,
            labels=labels,
            annotations=annotations,
            opts=opts,
            child_options=child_options,
        )

    def rule(self, *match_names: str) -> Rule:
        """A TrafficTarget rule allowing the named matches (all matches when none are named)."""
        check_value(self._source, "rule: match_names", match_names, tuple[str, ...])
        unknown = [n for n in match_names if self.spec.match(n) is None]
        if unknown:
            known = ", ".join(m.name for m in self.spec.spec.matches)
            raise SmiError(
                f"{self._source}: rule: no match named {', '.join(map(repr, unknown))} "
                f"(it has: {known})"
            )
        return Rule(self.spec, tuple(match_names))


class _PortRoute(SmiComponent):
    _MODEL: ClassVar[type[models.TCPRoute] | type[models.UDPRoute]]
    spec: models.TCPRoute | models.UDPRoute

    def __init__(
        self,
        resource_name: str,
        *,
        meshes: Meshes,
        ports: Sequence[int] = (),
        namespace: str = "default",
        object_name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
        child_options: ChildOptions | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        type_name = f"smi:index:{self._MODEL.KIND}"
        check_arguments(type_name, _PortRoute.__init__, locals())
        self.spec = self._init_single(
            self._MODEL,
            type_name,
            resource_name,
            {"matches": {"ports": list(ports)}},
            meshes=meshes,
            namespace=namespace,
            object_name=object_name,
            labels=labels,
            annotations=annotations,
            opts=opts,
            child_options=child_options,
        )

    def rule(self) -> Rule:
        """A TrafficTarget rule allowing this route's ports."""
        return Rule(self.spec)


class TCPRoute(_PortRoute):
    """TCP ports a TrafficTarget can allow.

    Args:
        resource_name: the Pulumi logical name (and the object name by default).
        meshes: the mesh or meshes to translate into.
        ports: the ports; empty means every port of the destination.
        namespace, object_name, labels, annotations, child_options, opts: as for
            :class:`HTTPRouteGroup`.
    """

    _MODEL = models.TCPRoute


class UDPRoute(_PortRoute):
    """UDP ports a TrafficTarget can allow; arguments as for :class:`TCPRoute`."""

    _MODEL = models.UDPRoute
