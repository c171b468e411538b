"""Turn a Plan into real Pulumi resources: the only place that instantiates them."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from ..errors import SmiError
from ..plan import Plan, Resource
from .aliases import version_aliases
from .child_options import NO_OPTIONS, ChildOptions
from .handover import WeightHandover
from .typed_args import create_typed, is_typed


@dataclass(frozen=True)
class Children:
    """How a component registers its children on one mesh: the resource options of each."""

    provider: pulumi.ProviderResource | None = None
    """The mesh's explicit provider (None: the ambient default provider)."""
    depends_on: Sequence[pulumi.Resource] = ()
    """What every child waits for (the mesh's CRDs, its Helm release)."""
    options: ChildOptions = NO_OPTIONS
    """The merged child options (mesh, then component)."""
    handover: WeightHandover | None = None
    """The TrafficSplit's weight hand-over, if any."""

    def prepared(self, plan: Plan) -> Plan:
        """``plan`` as it is registered: with the hand-over's field manager annotation."""
        if self.handover is None:
            return plan
        resources = tuple(self.handover.annotated(r) for r in plan)
        return Plan(resources, plan.warnings, plan.external)

    def resource_options(
        self, resource: Resource, parent: pulumi.Resource, depends_on: Sequence[pulumi.Resource]
    ) -> pulumi.ResourceOptions:
        """The options of ``resource``: parent, provider, dependencies, aliases, child options."""
        options = self.options
        ignore = list(options.ignore_changes)
        if self.handover is not None:
            ignore += [p for p in self.handover.ignore_paths(resource) if p not in ignore]
        return pulumi.ResourceOptions(
            parent=parent,
            provider=self.provider,
            depends_on=[*self.depends_on, *depends_on],
            aliases=version_aliases(resource) or None,
            ignore_changes=ignore or None,
            protect=options.protect,
            retain_on_delete=options.retain_on_delete,
            custom_timeouts=options.custom_timeouts,
            transforms=list(options.transforms) or None,
        )


def register_plan(
    plan: Plan,
    parent: pulumi.Resource,
    children: Children | pulumi.ProviderResource | None,
    existing: Mapping[str, pulumi.Resource] | None = None,
) -> dict[str, pulumi.CustomResource]:
    """Create every resource of ``plan`` as a child of ``parent``, with ``children``'s options
    (a bare provider, or None, stands for ``Children`` with only that provider).

    ``existing`` holds resources registered before (a mesh's shared ones) that
    ``depends_on`` may name. Returns the created resources by their logical names.
    """
    if not isinstance(children, Children):
        children = Children(provider=children)
    created: dict[str, pulumi.CustomResource] = {}
    # Read through, never copied: a mesh's shared resources grow with the estate.
    known: MutableMapping[str, pulumi.Resource] = ChainMap({}, existing or {})  # type: ignore[arg-type]
    for resource in plan.resources:
        depends_on = [known[name] for name in resource.depends_on if name in known]
        opts = children.resource_options(resource, parent, depends_on)
        created[resource.name] = known[resource.name] = _create(resource, opts, known)
    return created


def _create(
    resource: Resource, opts: pulumi.ResourceOptions, known: Mapping[str, pulumi.Resource]
) -> pulumi.CustomResource:
    if resource.is_kubernetes:
        manifest = dict(resource.properties)
        api_version = manifest.pop("apiVersion")
        kind = manifest.pop("kind")
        metadata = manifest.pop("metadata")
        return k8s.apiextensions.CustomResource(
            resource.name,
            api_version=api_version,
            kind=kind,
            metadata=metadata,
            opts=opts,
            **manifest,
        )
    if is_typed(resource):
        return create_typed(resource, opts, known)
    raise SmiError(f"{resource.name}: no Pulumi resource class for type {resource.type!r}")
