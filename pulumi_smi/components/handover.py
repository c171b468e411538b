"""Handing a TrafficSplit's weights over to a progressive-delivery controller.

Flagger and Argo Rollouts move traffic by rewriting the weights of the objects that carry a
split: Istio VirtualService routes, Gateway API route backendRefs, Consul ServiceSplitter
splits, SMI TrafficSplit backends, and in AWS, Lattice listener/rule target groups and App
Mesh route weighted targets. Without a hand-over every ``pulumi up`` writes the planned
weights back. :class:`WeightHandover` makes Pulumi ignore them, on exactly the properties the
Plan puts weights in: they are found in each resource's properties (every ``weight`` key of a
list element; a JSON document property holding weights, such as a Consul config entry's
``configJson``, as a whole), not from a list kept per target.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ..plan import Resource
from .paths import PathPart, format_path

FIELD_MANAGER_ANNOTATION = "pulumi.com/patchFieldManager"
"""pulumi-kubernetes' annotation naming the server-side apply field manager of a resource."""
_FIELD_MANAGER = re.compile(r"[A-Za-z0-9][-A-Za-z0-9_.]{0,127}")
"""A field manager name: printable, at most 128 characters (what the API server accepts)."""
_WEIGHT = "weight"


@dataclass(frozen=True)
class WeightHandover:
    """Leave a TrafficSplit's weights to a progressive-delivery controller (Flagger, Argo Rollouts).

    Pass it as ``weights_handover=`` to :class:`~pulumi_smi.TrafficSplit`. Pulumi still creates
    every resource with the planned weights, then never changes a weight again: a preview after
    the controller moved traffic shows no diff, and an update leaves its weights alone.

    Args:
        scope: ``"weights"`` (default): ignore each weight property only; Pulumi keeps
            managing the rest of the objects (matches, backend names). ``"lists"``: for
            Kubernetes objects, ignore the whole top-level list that holds the weights
            (``spec.http``, ``spec.rules``, ``spec.splits``, ``spec.backends``). The lists are
            atomic, so under server-side apply a controller that writes one weight owns the
            whole list and an update of it by Pulumi conflicts; pulumi-kubernetes leaves an
            ignored top-level field that another manager owns out of its apply, so with
            ``"lists"`` Pulumi and the controller never conflict, at the price of Pulumi no
            longer updating those routes. AWS resources have no field managers and keep the
            per-weight paths. Weights are ignored by position: change the backends with the
            hand-over off.
        field_manager: the server-side apply field manager Pulumi uses for the Kubernetes
            objects carrying the weights (the ``pulumi.com/patchFieldManager`` annotation), so
            that ``managedFields`` and conflict messages name Pulumi's manager the same way on
            every stack and after every replacement; ``None`` leaves pulumi-kubernetes' own
            (a random ``pulumi-kubernetes-<hex>`` kept in the state).
    """

    scope: Literal["weights", "lists"] = "weights"
    field_manager: str | None = "pulumi-smi"

    def problems(self, path: str) -> list[tuple[str, str]]:
        """What is wrong with the values (the types are checked before), located at ``path``."""
        manager = self.field_manager
        if manager is not None and _FIELD_MANAGER.fullmatch(manager) is None:
            return [
                (
                    f"{path}.field_manager",
                    f"{manager!r} is not a field manager name (letters, digits, '-', '_', '.', "
                    "at most 128 characters)",
                )
            ]
        return []

    def ignore_paths(self, resource: Resource) -> list[str]:
        """The ``ignore_changes`` paths that hand ``resource``'s weights over (none: no weights)."""
        found = list(weight_paths(resource.properties))
        if self.scope == "lists" and resource.is_kubernetes:
            found = [parts[: _first_index(parts)] for parts in found]
        return list(dict.fromkeys(format_path(parts) for parts in found))

    def annotated(self, resource: Resource) -> Resource:
        """``resource`` with the field manager annotation (a Kubernetes object with weights)."""
        if self.field_manager is None or not resource.is_kubernetes:
            return resource
        if not any(True for _ in weight_paths(resource.properties)):
            return resource
        metadata = dict(resource.properties["metadata"])
        annotations = dict(metadata.get("annotations") or {})
        annotations[FIELD_MANAGER_ANNOTATION] = self.field_manager
        metadata["annotations"] = annotations
        return dataclasses.replace(
            resource, properties={**resource.properties, "metadata": metadata}
        )


def weight_paths(value: Any, path: tuple[PathPart, ...] = ()) -> Iterator[tuple[PathPart, ...]]:
    """The paths of every weight in ``value`` (a resource's properties).

    A weight is a ``weight`` key (any case) of a mapping that is a list element: a route
    destination, a backendRef, a split, a target group. A string property that is a JSON
    document holding such weights (a Consul config entry's ``configJson``) counts as one path:
    the engine cannot ignore a part of a string.
    """
    if isinstance(value, Mapping):
        for key, item in value.items():
            here = (*path, str(key))
            weight = str(key).lower() == _WEIGHT and bool(path) and isinstance(path[-1], int)
            if weight or (isinstance(item, str) and path == () and _json_has_weights(item)):
                yield here
            else:
                yield from weight_paths(item, here)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from weight_paths(item, (*path, i))


def _json_has_weights(text: str) -> bool:
    if not text.lstrip().startswith(("{", "[")):
        return False
    try:
        document = json.loads(text)
    except ValueError:
        return False
    return any(True for _ in weight_paths(document))


def _first_index(parts: tuple[PathPart, ...]) -> int:
    """Where the first list index is in ``parts`` (the end when there is none)."""
    return next((i for i, part in enumerate(parts) if isinstance(part, int)), len(parts))
