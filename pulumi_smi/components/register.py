"""Turn a Plan into real Pulumi resources: the only place that instantiates them."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from ..errors import SmiError
from ..plan import Plan, Resource


def register_plan(
    plan: Plan, parent: pulumi.Resource, provider: pulumi.ProviderResource | None
) -> dict[str, pulumi.CustomResource]:
    """Create every resource of ``plan`` as a child of ``parent`` with ``provider``.

    Returns the created resources by their logical names.
    """
    created: dict[str, pulumi.CustomResource] = {}
    for resource in plan.resources:
        depends_on = [created[name] for name in resource.depends_on if name in created]
        opts = pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=depends_on)
        created[resource.name] = _create(resource, opts)
    return created


def _create(resource: Resource, opts: pulumi.ResourceOptions) -> pulumi.CustomResource:
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
    raise SmiError(f"{resource.name}: no Pulumi resource class for type {resource.type!r}")
