"""The shell every SMI component shares: translate per mesh, then register the Plan."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

import pulumi

from ..errors import Problem, SmiValidationError
from ..meshes import Namer, translate
from ..meshes.base import default_namer
from ..plan import SHARED_KINDS, Plan, Resource
from ..spec.catalogue import Catalogue
from ..spec.models import ObjectKey, SmiObject
from ..spec.specset import Origin, SpecSet
from .aliases import mesh_rename_aliases
from .child_options import ChildOptions
from .common import smi_object
from .handover import WeightHandover
from .mesh import Mesh
from .register import Children, register_plan
from .remote import with_outputs

Meshes = Mesh | Sequence[Mesh]
"""One :class:`Mesh` or several: the same intent is translated for each."""


def mesh_list(meshes: Meshes, source: str) -> list[Mesh]:
    """``meshes`` as a non-empty list without duplicates."""
    chosen = [meshes] if isinstance(meshes, Mesh) else list(meshes)
    if not chosen:
        raise SmiValidationError([Problem("give at least one smi.Mesh", source, path="meshes")])
    names = [m.mesh_resource_name for m in chosen]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        message = f"the same mesh is given twice: {', '.join(twice)}"
        raise SmiValidationError([Problem(message, source, path="meshes")])
    return chosen


def component_namer(component: str, mesh: str, owned: Sequence[ObjectKey]) -> Namer:
    """Child names start with the component's name, so one Alias renames them all.

    A component owning one SMI object names children ``<component>-<mesh>-<role>``;
    one owning several adds the object's namespace and name.
    """
    single = owned[0] if len(owned) == 1 else None

    def name(owner: ObjectKey, role: str) -> str:
        if owner.kind in SHARED_KINDS:  # registered once, under the Mesh
            return f"{mesh}-{default_namer(owner, role)}"
        if owner == single:
            return f"{component}-{mesh}-{role}"
        return f"{component}-{mesh}-{owner.namespace}-{owner.name}-{role}"

    return name


def build_specs(
    source: str, owned: Sequence[SmiObject], context: Iterable[SmiObject] = ()
) -> SpecSet:
    """The SpecSet of a component: its own objects plus the ones they refer to."""
    objects = {o.key: o for o in context}
    objects.update({o.key: o for o in owned})
    return SpecSet.build(objects.values(), origins={o.key: Origin(source) for o in owned})


ObjT = TypeVar("ObjT", bound=SmiObject)


@dataclasses.dataclass(frozen=True)
class _ComponentChildren(Children):
    """How a component registers its children on ``mesh``: with aliases under the Mesh's
    former names too (:func:`.aliases.mesh_rename_aliases`), as ``<component>-<mesh>-...``
    names change with the Mesh's and the engine's inherited aliases only follow a parent."""

    component: str = ""
    mesh: Mesh | None = None

    @classmethod
    def of(cls, children: Children, component: str, mesh: Mesh) -> _ComponentChildren:
        given = {f.name: getattr(children, f.name) for f in dataclasses.fields(children)}
        return cls(**given, component=component, mesh=mesh)

    def resource_options(
        self, resource: Resource, parent: pulumi.Resource, depends_on: Sequence[pulumi.Resource]
    ) -> pulumi.ResourceOptions:
        opts = super().resource_options(resource, parent, depends_on)
        if self.mesh is not None:
            renamed = mesh_rename_aliases(resource, self.component, self.mesh)
            if renamed:
                opts.aliases = [*(opts.aliases or ()), *renamed]
        return opts


class SmiComponent(pulumi.ComponentResource):
    """Base of the SMI components: owns SMI objects and registers their translation per mesh.

    Every mesh is translated before anything is registered, so invalid input
    raises before a single resource exists. Each child gets the mesh's provider and
    ``depends_on``, the merged child options (:class:`ChildOptions`), type aliases for the
    other apiVersions its target can emit and aliases under the Mesh's former names
    (:mod:`.aliases`) and, for a TrafficSplit with a :class:`WeightHandover`,
    ``ignore_changes`` on its weights.
    """

    plans: dict[str, Plan]
    """The Plan of each mesh (by the Mesh's resource name): exactly what was registered (with
    a weight hand-over's field manager annotation, when there is one)."""
    resources: dict[str, pulumi.CustomResource]
    """Every child resource, by logical name."""
    _source: str
    """The component in messages: ``smi:index:TrafficSplit reviews``."""

    def __init__(
        self,
        type_name: str,
        resource_name: str,
        specs: SpecSet,
        owned: Sequence[ObjectKey],
        meshes: Meshes,
        opts: pulumi.ResourceOptions | None,
        props: dict[str, object] | None = None,
        child_options: ChildOptions | None = None,
        handover: WeightHandover | None = None,
        remote: tuple[Catalogue, Mapping[str, pulumi.Output[str]]] | None = None,
    ) -> None:
        claimant = f"{type_name} {resource_name}"
        stand_ins, outputs = remote or (Catalogue(), {})
        chosen = mesh_list(meshes, claimant)
        plans: dict[str, Plan] = {}
        shared: dict[str, Plan] = {}
        children: dict[str, Children] = {}
        for mesh in chosen:
            catalogue = mesh.catalogue.merged(specs.catalogue).merged(stand_ins)
            mesh_specs = dataclasses.replace(specs, catalogue=catalogue)
            namer = component_namer(resource_name, mesh.mesh_resource_name, owned)
            plan = with_outputs(translate(mesh_specs, mesh.kind, mesh.options, namer), outputs)
            children[mesh.mesh_resource_name] = _ComponentChildren.of(
                mesh.children(child_options, handover), resource_name, mesh
            )
            plans[mesh.mesh_resource_name] = children[mesh.mesh_resource_name].prepared(
                plan.owned_by(owned)
            )
            shared[mesh.mesh_resource_name] = plan.shared()
            mesh.check_claims(plans[mesh.mesh_resource_name], claimant)
            mesh.check_shared(shared[mesh.mesh_resource_name])
        super().__init__(type_name, resource_name, props or {}, opts)
        self._source = claimant
        self.plans = plans
        self.resources = {}
        for mesh in chosen:
            plan = plans[mesh.mesh_resource_name]
            for warning in plan.warnings:
                pulumi.log.warn(f"mesh {mesh.mesh_resource_name}: {warning}", resource=self)
            mesh.claim(plan, claimant)
            mesh.register_shared(shared[mesh.mesh_resource_name])
            own = register_plan(
                plan, self, children[mesh.mesh_resource_name], mesh.shared_resources
            )
            self.resources.update(own)
            mesh.note_registered(plan, own)
            mesh.register_shared(shared[mesh.mesh_resource_name], after=own)
        self.register_outputs({})

    def _init_single(
        self,
        model: type[ObjT],
        type_name: str,
        resource_name: str,
        spec: Mapping[str, Any],
        *,
        context: Iterable[SmiObject] = (),
        meshes: Meshes,
        namespace: str,
        object_name: str | None,
        labels: Mapping[str, str] | None,
        annotations: Mapping[str, str] | None,
        opts: pulumi.ResourceOptions | None,
        child_options: ChildOptions | None = None,
        handover: WeightHandover | None = None,
        remote: tuple[Catalogue, Mapping[str, pulumi.Output[str]]] | None = None,
    ) -> ObjT:
        """Validate the component's one SMI object, then translate and register it."""
        obj = smi_object(
            model,
            type_name,
            resource_name,
            namespace=namespace,
            object_name=object_name,
            labels=labels,
            annotations=annotations,
            spec=spec,
        )
        specs = build_specs(f"{type_name} {resource_name}", [obj], context)
        SmiComponent.__init__(
            self,
            type_name,
            resource_name,
            specs,
            [obj.key],
            meshes,
            opts,
            child_options=child_options,
            handover=handover,
            remote=remote,
        )
        return obj
