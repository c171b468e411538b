"""Registering a TrafficMetrics' Plan: child names, the provider of their package, and the
core Kubernetes kinds (the dashboard ConfigMap) as typed pulumi_kubernetes resources."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as k8s

from ..errors import Problem, SmiError, SmiValidationError
from ..plan import REFERENCE, Plan, Resource, parse_reference
from .child_options import ChildOptions
from .mesh import Mesh
from .register import Children, register_plan
from .typed_args import snake
from .validate import describe

CORE = "kubernetes:core/v1:"
"""The Plan's type of a core kind; a CustomResource of ``apiVersion: v1`` would register
``kubernetes:v1:ConfigMap`` instead, so these are created with their typed class."""


def prefixed(plan: Plan, prefix: str) -> Plan:
    """``plan`` with every logical name ``<prefix>-<name>``, dependencies and ``${name.output}``
    references following (names in ``plan.external``, registered elsewhere, keep theirs), so
    that a component rename is one Alias and two components on one stack never collide."""
    names = {r.name: f"{prefix}-{r.name}" for r in plan}

    def rename(value: object) -> object:
        if isinstance(value, str):
            return REFERENCE.sub(lambda m: _renamed_reference(m.group(1), names), value)
        if isinstance(value, Mapping):
            return {k: rename(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [rename(v) for v in value]
        return value

    resources = tuple(
        Resource(
            r.type,
            names[r.name],
            rename(r.properties),  # type: ignore[arg-type]  # a mapping stays a mapping
            tuple(names.get(d, d) for d in r.depends_on),
            r.owner,
        )
        for r in plan
    )
    return Plan(resources, plan.warnings, plan.external)


def _renamed_reference(body: str, names: Mapping[str, str]) -> str:
    name, output = parse_reference(body)
    return f"${{{names.get(name, name)}.{output}}}"


def _package(resource: Resource) -> str:
    return "kubernetes" if resource.is_kubernetes else resource.type.split(":", 1)[0]


def children_for(
    source: str,
    mesh: Mesh,
    plan: Plan,
    provider: pulumi.ProviderResource | None,
    child_options: ChildOptions | None,
) -> Children:
    """How the children are registered: the provider of their package (``provider``, else the
    mesh's), the mesh's dependencies, the mesh's child options merged with ``child_options``."""
    needed = sorted({_package(r) for r in plan})
    problem = ""
    if len(needed) > 1:  # pragma: no cover - no metrics Plan mixes packages
        problem = f"the metrics need providers of several packages ({', '.join(needed)})"
    package = needed[0] if needed else None
    given = getattr(provider, "package", None)
    own = getattr(mesh.provider, "package", None)
    if provider is not None and package is not None and given != package:
        problem = (
            f"the metrics of mesh {mesh.mesh_resource_name} ({mesh.kind.value}) are {package} "
            f"resources: expected a {package} provider, got {describe(provider)}"
        )
    elif provider is None and mesh.provider is not None and package not in (None, own):
        problem = (
            f"the metrics of mesh {mesh.mesh_resource_name} ({mesh.kind.value}) are {package} "
            f"resources and the mesh's provider is a {own} provider: give provider= the "
            f"{package} provider of the cluster or account whose monitoring reads them"
        )
    if problem:
        raise SmiValidationError([Problem(problem, source, path="provider")])
    return Children(
        provider=provider or mesh.provider,
        depends_on=mesh.depends_on,
        options=mesh.child_options.merged(child_options),
    )


def register(
    plan: Plan,
    parent: pulumi.Resource,
    children: Children,
    external: Mapping[str, pulumi.Resource],
) -> dict[str, pulumi.CustomResource]:
    """Register ``plan``'s resources in order, as children of ``parent``: core Kubernetes
    kinds as typed resources, the others through :func:`.register.register_plan`, like every
    component's. ``external`` holds the registered resources the Plan refers to."""
    created: dict[str, pulumi.CustomResource] = {}
    known: dict[str, pulumi.Resource] = dict(external)
    for resource in plan:
        if resource.type.startswith(CORE):
            depends_on = [known[n] for n in resource.depends_on if n in known]
            opts = children.resource_options(resource, parent, depends_on)
            one = {resource.name: _core(resource, opts)}
        else:
            single = Plan((resource,), external=frozenset(known))
            one = register_plan(single, parent, children, known)
        created.update(one)
        known.update(one)
    return created


def _core(resource: Resource, opts: pulumi.ResourceOptions) -> pulumi.CustomResource:
    kind = resource.type.removeprefix(CORE)
    cls = getattr(k8s.core.v1, kind, None)
    if cls is None:  # pragma: no cover - the metrics Plan emits ConfigMaps only
        raise SmiError(f"{resource.name}: no pulumi_kubernetes class for {resource.type!r}")
    fields = {
        snake(k): v for k, v in resource.properties.items() if k not in ("apiVersion", "kind")
    }
    created: pulumi.CustomResource = cls(resource.name, opts=opts, **fields)
    return created
