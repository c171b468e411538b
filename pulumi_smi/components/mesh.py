"""``smi:index:Mesh``: a target mesh, its Pulumi provider, options and catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from ..errors import SmiValidationError
from ..meshes import MeshKind, Target, TargetOptions, parse_options, target
from ..spec.catalogue import Catalogue


class Mesh(pulumi.ComponentResource):
    """A mesh that SMI components translate into.

    Pass it to the ``meshes=`` argument of the other components. Every resource
    translated for this mesh gets ``provider``: a ``pulumi_kubernetes.Provider``
    for the Kubernetes-based meshes (the cluster to write to), a
    ``pulumi_aws.Provider`` for the AWS ones. Without a provider the ambient
    default provider is used (the current kubeconfig context or AWS credentials).

    Args:
        resource_name: the Pulumi logical name; also part of every child's name.
        kind: the target mesh (``smi``, ``istio``, ``linkerd``, ``consul``,
            ``gateway-api``, ``appmesh``, ``vpc-lattice``).
        provider: the explicit Pulumi provider for this mesh's resources.
        mesh_name: name of the mesh instance, for targets that name one.
        options: target options, as the target's options model or a mapping of
            their Python names (the same names as ``pulumi-smi convert --set``).
        catalogue: Services, ServiceAccounts and workloads of the cluster, for
            the ports, protocols and pod labels translators need.
        opts: Pulumi resource options of the component itself.
    """

    kind: MeshKind
    target: Target
    options: TargetOptions
    provider: pulumi.ProviderResource | None
    catalogue: Catalogue

    def __init__(
        self,
        resource_name: str,
        kind: str | MeshKind,
        *,
        provider: pulumi.ProviderResource | None = None,
        mesh_name: str | None = None,
        options: TargetOptions | Mapping[str, Any] | None = None,
        catalogue: Catalogue | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        source = f"smi:index:Mesh {resource_name}"
        chosen = target(kind)
        if mesh_name is not None:
            if isinstance(options, TargetOptions):
                options = options.model_copy(update={"mesh_name": mesh_name})
            else:
                options = {**(options or {}), "mesh_name": mesh_name}
        parsed = parse_options(chosen.kind, options, source)
        package = getattr(provider, "package", None)
        if provider is not None and package != chosen.provider_package:
            raise SmiValidationError.from_message(
                f"provider: mesh {chosen.kind.value!r} needs a {chosen.provider_package} "
                f"provider, got a {package} provider",
                source,
            )
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
        self.mesh_resource_name = resource_name
        self.register_outputs({"kind": self.kind.value})
