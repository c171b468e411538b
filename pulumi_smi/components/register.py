"""Turn a Plan into real Pulumi resources: the only place that instantiates them."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as k8s

from ..errors import SmiError
from ..plan import Plan, Resource
from .typed_args import create_typed, is_typed


def register_plan(
    plan: Plan,
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None,
    existing: Mapping[str, pulumi.Resource] | None = None,
) -> dict[str, pulumi.CustomResource]:
    """Create every resource of ``plan`` as a child of ``parent`` with ``provider``.

    ``existing`` holds resources registered before (a mesh's shared ones) that
    ``depends_on`` may name. Returns the created resources by their logical names.
    """
    created: dict[str, pulumi.CustomResource] = {}
    known: dict[str, pulumi.Resource] = dict(existing or {})
    for resource in plan.resources:
        depends_on = [known[name] for name in resource.depends_on if name in known]
        opts = pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=depends_on)
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
