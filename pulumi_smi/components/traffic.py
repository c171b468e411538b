"""``smi:index:TrafficSplit`` and ``smi:index:TrafficTarget``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi

from ..spec import models
from .args import Backend, Rule, ServiceAccount
from .base import Meshes, SmiComponent
from .child_options import ChildOptions
from .handover import WeightHandover
from .remote import remote_catalogue
from .routes import HTTPRouteGroup
from .validate import check_arguments


class TrafficSplit(SmiComponent):
    """Split the traffic for one Service between weighted backend Services.

    Args:
        resource_name: the Pulumi logical name (and the object name by default).
        service: the apex Service clients call.
        backends: backend Services and their relative weights (0 = no traffic).
        meshes: the mesh or meshes to translate into.
        matches: HTTPRouteGroups whose matches (ORed) select the traffic to split;
            everything else keeps going to the apex Service unchanged.
        namespace: Kubernetes namespace of the apex and backend Services.
        object_name: Kubernetes name, when it differs from ``resource_name``.
        labels, annotations: carried onto the emitted objects where a target has any.
        weights_handover: leave the weights to a progressive-delivery controller
            (Flagger, Argo Rollouts) once created: see :class:`WeightHandover`.
        child_options: resource options for every child (merged with the mesh's).
        opts: Pulumi resource options.
    """

    spec: models.TrafficSplit
    """The validated SMI object."""

    def __init__(
        self,
        resource_name: str,
        *,
        service: str,
        backends: Sequence[Backend],
        meshes: Meshes,
        matches: Sequence[HTTPRouteGroup] = (),
        namespace: str = "default",
        object_name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
        weights_handover: WeightHandover | None = None,
        child_options: ChildOptions | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        source = check_arguments("smi:index:TrafficSplit", TrafficSplit.__init__, locals())
        remote = remote_catalogue(backends, namespace, source)
        spec = {
            "service": service,
            "backends": [b.to_spec() for b in backends],
            "matches": [{"kind": "HTTPRouteGroup", "name": g.spec.metadata.name} for g in matches],
        }
        self.spec = self._init_single(
            models.TrafficSplit,
            "smi:index:TrafficSplit",
            resource_name,
            spec,
            context=[g.spec for g in matches],
            meshes=meshes,
            namespace=namespace,
            object_name=object_name,
            labels=labels,
            annotations=annotations,
            opts=opts,
            child_options=child_options,
            handover=weights_handover,
            remote=remote,
        )


class TrafficTarget(SmiComponent):
    """Allow ``sources`` to reach ``destination`` on the routes in ``rules``; deny the rest.

    Args:
        resource_name: the Pulumi logical name (and the object name by default).
        destination: the ServiceAccount of the workload receiving traffic; it
            must live in ``namespace``.
        sources: ServiceAccounts allowed to call it (any namespace).
        rules: routes allowed, from ``HTTPRouteGroup.rule(...)``,
            ``TCPRoute.rule()`` or ``UDPRoute.rule()``.
        meshes: the mesh or meshes to translate into.
        namespace: Kubernetes namespace of the TrafficTarget and its destination.
        object_name: Kubernetes name, when it differs from ``resource_name``.
        labels, annotations: carried onto the emitted objects where a target has any.
        child_options: resource options for every child (merged with the mesh's).
        opts: Pulumi resource options.
    """

    spec: models.TrafficTarget
    """The validated SMI object."""

    def __init__(
        self,
        resource_name: str,
        *,
        destination: ServiceAccount,
        sources: Sequence[ServiceAccount],
        rules: Sequence[Rule],
        meshes: Meshes,
        namespace: str = "default",
        object_name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
        child_options: ChildOptions | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        check_arguments("smi:index:TrafficTarget", TrafficTarget.__init__, locals())
        spec = {
            "destination": destination.to_spec(),
            "sources": [s.to_spec() for s in sources],
            "rules": [r.to_spec() for r in rules],
        }
        self.spec = self._init_single(
            models.TrafficTarget,
            "smi:index:TrafficTarget",
            resource_name,
            spec,
            context=[r.route for r in rules],
            meshes=meshes,
            namespace=namespace,
            object_name=object_name,
            labels=labels,
            annotations=annotations,
            opts=opts,
            child_options=child_options,
        )
