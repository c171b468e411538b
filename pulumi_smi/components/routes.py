"""``smi:index:HTTPRouteGroup``, ``smi:index:TCPRoute`` and ``smi:index:UDPRoute``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi

from ..errors import SmiError
from ..spec import models
from .args import HTTPMatch, Rule
from .base import Meshes, SmiComponent, build_specs
from .common import smi_object


class HTTPRouteGroup(SmiComponent):
    """Named HTTP matches (path regex, methods, headers) for TrafficSplit and TrafficTarget.

    Args:
        resource_name: the Pulumi logical name (and the object name by default).
        matches: the named matches; each one's conditions are ANDed.
        meshes: the mesh or meshes to translate into.
        namespace: Kubernetes namespace of the route group.
        object_name: Kubernetes name, when it differs from ``resource_name``.
        labels, annotations: carried onto the emitted objects where a target has any.
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
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        type_name = "smi:index:HTTPRouteGroup"
        self.spec = smi_object(
            models.HTTPRouteGroup,
            type_name,
            resource_name,
            namespace=namespace,
            object_name=object_name,
            labels=labels,
            annotations=annotations,
            spec={"matches": [m.to_spec() for m in matches]},
        )
        specs = build_specs(f"{type_name} {resource_name}", [self.spec])
        super().__init__(type_name, resource_name, specs, [self.spec.key], meshes, opts)

    def rule(self, *match_names: str) -> Rule:
        """A TrafficTarget rule allowing the named matches (all matches when none are named)."""
        unknown = [n for n in match_names if self.spec.match(n) is None]
        if unknown:
            known = ", ".join(m.name for m in self.spec.spec.matches)
            raise SmiError(
                f"smi:index:HTTPRouteGroup {self.spec.metadata.name}: no match named "
                f"{', '.join(map(repr, unknown))} (it has: {known})"
            )
        return Rule(self.spec, tuple(match_names))


class _PortRoute(SmiComponent):
    spec: models.TCPRoute | models.UDPRoute

    def __init__(
        self,
        model: type[models.TCPRoute] | type[models.UDPRoute],
        resource_name: str,
        ports: Sequence[int],
        meshes: Meshes,
        namespace: str,
        object_name: str | None,
        labels: Mapping[str, str] | None,
        annotations: Mapping[str, str] | None,
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        type_name = f"smi:index:{model.KIND}"
        self.spec = smi_object(
            model,
            type_name,
            resource_name,
            namespace=namespace,
            object_name=object_name,
            labels=labels,
            annotations=annotations,
            spec={"matches": {"ports": list(ports)}},
        )
        specs = build_specs(f"{type_name} {resource_name}", [self.spec])
        super().__init__(type_name, resource_name, specs, [self.spec.key], meshes, opts)

    def rule(self) -> Rule:
        """A TrafficTarget rule allowing this route's ports."""
        return Rule(self.spec)


class TCPRoute(_PortRoute):
    """TCP ports a TrafficTarget can allow (no ports = every port).

    Args: as :class:`HTTPRouteGroup`, with ``ports`` instead of ``matches``.
    """

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
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            models.TCPRoute,
            resource_name,
            ports,
            meshes,
            namespace,
            object_name,
            labels,
            annotations,
            opts,
        )


class UDPRoute(_PortRoute):
    """UDP ports a TrafficTarget can allow (no ports = every port).

    Args: as :class:`HTTPRouteGroup`, with ``ports`` instead of ``matches``.
    """

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
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            models.UDPRoute,
            resource_name,
            ports,
            meshes,
            namespace,
            object_name,
            labels,
            annotations,
            opts,
        )
