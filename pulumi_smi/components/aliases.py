"""Aliases that keep a child's identity when a target option changes its apiVersion, or
when its Mesh is renamed.

A Kubernetes child's Pulumi type token holds its apiVersion
(``kubernetes:networking.istio.io/v1beta1:VirtualService``). Switching ``istio_api`` from
``v1beta1`` to ``v1`` changes the token, and without an alias the engine would plan a
create of the "new" resource and a delete of the "old" one — the same object in the cluster,
since the API server serves every version of a group's kind from one stored object, so the
delete would remove what the create just wrote. Each such child therefore gets a
``pulumi.Alias(type_=...)`` for every other version the options can select; the engine
then sees one resource and plans an update.

Only versions of the same group and kind are aliased. Linkerd's ``route_api`` switches the
API *group* of HTTPRoutes (``gateway.networking.k8s.io`` <-> ``policy.linkerd.io``): those are
two distinct objects in the cluster, and an alias would make pulumi-kubernetes patch the new
kind in place while the old object stayed behind, unmanaged. That switch is left as the
engine shows it: a create and a delete, which is what happens in the cluster.

A component's children are named ``<component>-<mesh>-<role>`` and parented to the component.
Renaming the *component* with ``pulumi.Alias(name=old)`` keeps their URNs through the engine's
inherited child aliases (a child named after its parent is looked up under the parent's old
name). Renaming the *Mesh* does not reach them (the Mesh is not their parent), so each also
gets :func:`mesh_rename_aliases`: its name under every former name of its Mesh.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable

import pulumi

from ..meshes import MeshKind, TargetOptions, target
from ..plan import KUBERNETES_PREFIX, Resource


def _choices(kind: MeshKind, option: str) -> tuple[str, ...]:
    """The values a target option of ``Literal[...]`` type can take."""
    options: type[TargetOptions] = target(kind).options
    return tuple(str(v) for v in typing.get_args(options.model_fields[option].annotation))


def _union(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for group in groups for v in group))


_ISTIO = _choices(MeshKind.ISTIO, "istio_api")
_TCP_ROUTE = _union(
    _choices(MeshKind.GATEWAY_API, "tcp_route_api"), _choices(MeshKind.LINKERD, "tcp_route_api")
)
VERSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("networking.istio.io", "*"): _ISTIO,
    ("security.istio.io", "*"): _ISTIO,
    ("gateway.networking.k8s.io", "TCPRoute"): _TCP_ROUTE,
}
"""(API group, kind or ``*``) -> the versions that target options select for it: Istio's
``istio_api`` (``istio`` and ``gateway-api`` with ``policy=istio``) and the ``tcp_route_api``
of ``gateway-api`` and ``linkerd``, read from the options models themselves."""


def version_aliases(resource: Resource) -> list[pulumi.Alias]:
    """Aliases of ``resource`` under the other apiVersions its target can emit it in."""
    return [pulumi.Alias(type_=token) for token in alias_types(resource.type)]


def mesh_rename_aliases(
    resource: Resource, component: str, mesh: pulumi.Resource
) -> list[pulumi.Input[pulumi.Alias]]:
    """Aliases of ``resource``, a child of ``component`` on ``mesh``, under the Mesh's former names.

    The former names are read from the Mesh's aliases as the SDK keeps them
    (``Resource._aliases``: the Mesh's former URN for each alias it was given, as Outputs). Each
    also comes with every other apiVersion's type token (:func:`alias_types`), so that a rename
    and an ``istio_api`` switch in one update still match. A name not starting with
    ``<component>-<mesh>-`` gets none (a component's children all do: ``component_namer``).
    """
    prefix = f"{component}-{mesh.pulumi_resource_name}-"
    if not resource.name.startswith(prefix):
        return []
    role = resource.name[len(prefix) :]
    aliases: list[pulumi.Input[pulumi.Alias]] = []
    for former in getattr(mesh, "_aliases", None) or ():
        for token in (None, *alias_types(resource.type)):

            def alias(urn: str, token: str | None = token) -> pulumi.Alias:
                name = f"{component}-{urn.split('::', 3)[3]}-{role}"
                return (
                    pulumi.Alias(name=name)
                    if token is None
                    else pulumi.Alias(name=name, type_=token)
                )

            aliases.append(pulumi.Output.from_input(former).apply(alias))
    return aliases


def alias_types(type_token: str) -> list[str]:
    """The type tokens of ``type_token``'s kind in the other selectable versions."""
    if not type_token.startswith(KUBERNETES_PREFIX):
        return []
    _, api_version, kind = type_token.split(":", 2)
    group, _, version = api_version.rpartition("/")
    versions = VERSIONS.get((group, kind)) or VERSIONS.get((group, "*")) or ()
    if version not in versions:
        return []
    return [f"{KUBERNETES_PREFIX}{group}/{v}:{kind}" for v in versions if v != version]
