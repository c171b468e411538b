"""``smi:index:Mesh``: a target mesh, its Pulumi provider, options and catalogue."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from ..errors import Problem, SmiError, SmiValidationError, UnsupportedTargetError
from ..meshes import MeshKind, Target, TargetOptions, target
from ..meshes.vpc_lattice import SERVICE as LATTICE_SERVICE
from ..plan import Plan, Resource
from ..spec.catalogue import Catalogue
from .child_options import NO_OPTIONS, ChildOptions
from .handover import WeightHandover
from .register import Children, register_plan
from .validate import check_arguments, parse_mesh_options


class Mesh(pulumi.ComponentResource):
    """A mesh that SMI components translate into.

    Pass it to the ``meshes=`` argument of the other components. Every resource
    translated for this mesh gets ``provider``: a ``pulumi_kubernetes.Provider``
    for the Kubernetes-based meshes (the cluster to write to), a
    ``pulumi_aws.Provider`` for the AWS ones. Without a provider the ambient
    default provider is used (the current kubeconfig context or AWS credentials).

    Every child also waits for ``depends_on`` (the mesh's CRDs, the Helm release installing
    it): on a fresh cluster the first ``pulumi up`` would otherwise fail with "no matches
    for kind", the API server not knowing the kinds yet. ``child_options`` go on every
    child of every component on this mesh (merged with the component's own, see
    :class:`ChildOptions`).

    Args:
        resource_name: the Pulumi logical name; also part of every child's name.
        kind: the target mesh (``smi``, ``istio``, ``linkerd``, ``consul``,
            ``gateway-api``, ``appmesh``, ``vpc-lattice``).
        provider: the explicit Pulumi provider for this mesh's resources.
        mesh_name: name of the mesh instance, for targets that name one.
        options: target options, as the target's options model or a mapping of
            their Python names (the same names as ``pulumi-smi convert --set``); an
            option the target passes into resources untouched (``vpc_id``) may be a
            Pulumi Output.
        catalogue: Services, ServiceAccounts and workloads of the cluster, for
            the ports, protocols and pod labels translators need.
        depends_on: resources every child depends on (CRDs, a Helm release); the Mesh
            component itself depends on them too.
        child_options: resource options for every child registered on this mesh.
        opts: Pulumi resource options of the component itself.
    """

    kind: MeshKind
    target: Target
    options: TargetOptions
    provider: pulumi.ProviderResource | None
    catalogue: Catalogue
    depends_on: tuple[pulumi.Resource, ...]
    """What every child of this mesh depends on."""
    child_options: ChildOptions
    """The mesh-level child options."""

    def __init__(
        self,
        resource_name: str,
        kind: str | MeshKind,
        *,
        provider: pulumi.ProviderResource | None = None,
        mesh_name: str | None = None,
        options: TargetOptions | Mapping[str, Any] | None = None,
        catalogue: Catalogue | None = None,
        depends_on: Sequence[pulumi.Resource] = (),
        child_options: ChildOptions | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        source = check_arguments("smi:index:Mesh", Mesh.__init__, locals())
        try:
            chosen = target(kind)
        except UnsupportedTargetError as exc:
            raise UnsupportedTargetError(f"{source}: kind: {exc}") from None
        if mesh_name is not None:
            if isinstance(options, TargetOptions):
                options = options.model_copy(update={"mesh_name": mesh_name})
            else:
                options = {**(options or {}), "mesh_name": mesh_name}
        parsed = parse_mesh_options(chosen.kind, options, source, mesh_name is not None)
        package = getattr(provider, "package", None)
        needed = chosen.package_for(parsed)
        if provider is not None and package != needed:
            message = (
                f"mesh {chosen.kind.value!r} needs a {needed} provider, got a {package} provider"
            )
            raise SmiValidationError([Problem(message, source, path="provider")])
        if depends_on:
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=depends_on))
        super().__init__(
            "smi:index:Mesh",
            resource_name,
            {"kind": chosen.kind.value, "meshName": parsed.mesh_name},
            opts,
        )
        # Set after super().__init__, which turns the props above into Output attributes.
        self.target = chosen
        self.kind = chosen.kind
        self.options = parsed
        self.provider = provider
        self.catalogue = catalogue or Catalogue()
        self.depends_on = tuple(depends_on)
        self.child_options = child_options or NO_OPTIONS
        self.mesh_resource_name = resource_name
        self.shared_resources: dict[str, pulumi.CustomResource] = {}
        """Resources shared by several components (one per namespace or identity), by name."""
        self.lattice_services: dict[str, pulumi.CustomResource] = {}
        """The Lattice services registered on this mesh so far, by their Lattice name (a
        ``smi.Backend(mesh=this)`` of another mesh reaches one at its DNS name)."""
        self._shared_plans: dict[str, Resource] = {}
        self._claims: dict[tuple[str, str, str], str] = {}
        self._shared_warnings: set[str] = set()
        self.register_outputs({"kind": self.kind.value})

    def children(
        self, options: ChildOptions | None = None, handover: WeightHandover | None = None
    ) -> Children:
        """How children on this mesh are registered, with a component's ``options`` merged in."""
        return Children(
            provider=self.provider,
            depends_on=self.depends_on,
            options=self.child_options.merged(options),
            handover=handover,
        )

    # --- one writer per object ----------------------------------------------------------

    def check_claims(self, plan: Plan, claimant: str) -> None:
        """Fail if another component already writes one of ``plan``'s Kubernetes objects.

        Two writers of one object (say two VirtualServices for one apex host) would
        overwrite each other on every ``pulumi up``.
        """
        for key in _identities(plan):
            holder = self._claims.get(key)
            if holder is not None and holder != claimant:
                kind, namespace, name = key
                raise SmiError(
                    f"{claimant}: mesh {self.mesh_resource_name}: {kind} {namespace}/{name} is "
                    f"already written by {holder}; one object needs one writer (put both SMI "
                    "objects in one component, e.g. smi.Manifests, to have them merged)"
                )

    def claim(self, plan: Plan, claimant: str) -> None:
        """Record ``claimant`` as the writer of ``plan``'s Kubernetes objects."""
        for key in _identities(plan):
            self._claims[key] = claimant

    def check_shared(self, plan: Plan) -> None:
        """Fail if a shared resource was registered before with other properties."""
        for resource in plan:
            known = self._shared_plans.get(resource.name)
            if known is not None and known.properties != resource.properties:
                raise SmiError(
                    f"mesh {self.mesh_resource_name}: {_describe(resource)} is shared, and two "
                    "components plan it differently (SMI objects that meet in it, such as "
                    "TrafficTargets of one destination port, were translated separately); put "
                    "them in one component (smi.Manifests) to have them merged"
                )

    def register_shared(
        self, plan: Plan, after: Mapping[str, pulumi.Resource] | None = None
    ) -> None:
        """Register the shared resources not registered yet, as children of this Mesh.

        A shared resource that depends on a component's own resources (an App Mesh
        VirtualService on its router, say) waits: it is registered by the call that passes
        those resources as ``after``, which a component makes once its own are registered.
        """
        shared: Mapping[str, pulumi.Resource] = self.shared_resources
        known: Mapping[str, pulumi.Resource] = ChainMap(dict(after or {}), shared)  # type: ignore[arg-type]
        ready: dict[str, Resource] = {}
        outside: set[str] = set()
        for resource in plan:
            if resource.name in self._shared_plans:
                continue
            needs = set(resource.depends_on) | resource.references()
            if all(n in known or n in ready for n in needs):
                ready[resource.name] = resource
                outside |= needs
        if ready:  # looked up, not copied: the mesh's shared resources grow with the estate
            fresh = Plan(tuple(ready.values()), external=frozenset(outside - set(ready)))
            self._shared_plans.update(ready)
            registered = register_plan(fresh, self, self.children(), known)
            self.shared_resources.update(registered)
            self.note_registered(fresh, registered)
        for warning in plan.warnings:
            if warning not in self._shared_warnings:
                self._shared_warnings.add(warning)
                pulumi.log.warn(warning, resource=self)

    def note_registered(self, plan: Plan, registered: Mapping[str, pulumi.CustomResource]) -> None:
        """Remember the Lattice services among ``plan``'s resources, now ``registered``."""
        for resource in plan:
            if resource.type == LATTICE_SERVICE and resource.name in registered:
                self.lattice_services[resource.properties["name"]] = registered[resource.name]


def _describe(resource: Resource) -> str:
    if resource.is_kubernetes:
        metadata = resource.properties["metadata"]
        kind = resource.properties["kind"]
        return f"{kind} {metadata.get('namespace', '')}/{metadata['name']}"
    return resource.name


def _identities(plan: Plan) -> list[tuple[str, str, str]]:
    return [
        (
            r.properties["kind"],
            r.properties["metadata"].get("namespace", ""),
            r.properties["metadata"]["name"],
        )
        for r in plan
        if r.is_kubernetes
    ]
