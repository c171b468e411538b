"""The multi-language Mesh: the kind, provider, options and catalogue other languages give.

No ``from __future__ import annotations`` here: the analyzer reads these annotations at run
time.
"""

import copy
import glob
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, cast

import pulumi
import pulumi_aws
import pulumi_consul
import pulumi_kubernetes

from .. import components as python
from ..errors import SmiError, SmiValidationError
from ..meshes import parse_options, target
from ..spec.catalogue import Catalogue
from ..spec.loader import load_files
from . import common, registry
from .args import MeshArgs, MeshKind, schema_docs
from .inputs import Inputs
from .surface import _Surface, implements

_PROVIDERS: tuple[tuple[str, str, type[pulumi.ProviderResource], str], ...] = (
    ("kubernetes_provider", "kubernetesProvider", pulumi_kubernetes.Provider, "kubernetes"),
    ("aws_provider", "awsProvider", pulumi_aws.Provider, "aws"),
    ("consul_provider", "consulProvider", pulumi_consul.Provider, "consul"),
)
"""Each provider input: its key, its schema name, its class and its package."""


@schema_docs
class Mesh(_Surface):
    """A mesh that SMI components translate into: its kind, Pulumi provider, options and
    catalogue.

    Other components name it in their `meshes` by its resource name, so create it first and
    give them `dependsOn` on it. Every child of every component on this mesh is given its
    provider explicitly (never inherited from a parent, so two meshes in two clusters or
    accounts cannot mix up; a Mesh without one leaves them on the ambient default provider)
    and waits for what this Mesh depends on (`dependsOn`: the mesh's CRDs, the Helm release
    installing it), as the first `pulumi up` on a fresh cluster would otherwise fail with "no
    matches for kind". The provider may also come from the `providers` resource option (its
    entry for the package the target needs).
    """

    # In Python the attribute is the Python Mesh's (a pulumi_smi.MeshKind, which the provider
    # serialises by its value); other languages get the output.
    kind: pulumi.Output[MeshKind]
    """The target mesh."""
    mesh_name: pulumi.Output[str] | None
    """The name of the mesh instance, when one was given (`meshName` or the option)."""

    def __init__(
        self, name: str, args: MeshArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        given = cast(Mapping[str, Any], args)
        read = Inputs("smi:index:Mesh", name)
        kind = read.choice(given.get("kind"), "kind", MeshKind, required=True)
        mesh_name = read.text(given.get("mesh_name"), "meshName")
        options = read.nested(given.get("options"), "options", partial(_options, read))
        catalogue = _catalogue(read, given.get("catalogue_files"))
        child_options = common.child_options(read, given.get("child_options"), "childOptions")
        provider = _provider(read, given, kind, options, opts)
        read.done()
        assert kind is not None
        depends_on, opts = _without_depends_on(opts)
        mesh = self._construct(
            python.Mesh,
            name,
            kind.value,
            provider=provider,
            mesh_name=mesh_name,
            options=options,
            catalogue=catalogue,
            depends_on=depends_on,
            child_options=child_options,
            opts=opts,
        )
        registry.register_mesh(name, mesh)
        named = mesh.options.mesh_name  # given as meshName or as the option mesh_name
        self.mesh_name = None if named is None else pulumi.Output.from_input(named)
        outputs = {"kind": kind.value}
        if named is not None:
            outputs["meshName"] = named
        self._finish(outputs)


@implements(Mesh)
class _Mesh(Mesh, python.Mesh):  # type: ignore[misc]  # kind: the Python MeshKind, as an output
    """A multi-language Mesh: the Python Mesh, constructed from ``MeshArgs``."""


def _options(read: Inputs, given: Mapping[str, Any], path: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for key, item in given.items():
        at = f"{path}.{key}"
        if isinstance(item, pulumi.Output):  # an option the target passes on untouched
            options[str(key)] = item
        elif (text := read.text(item, at, required=True)) is not None:
            options[str(key)] = text
    return options


def _paths(read: Inputs, value: object, path: str) -> list[str]:
    """The files ``value`` names (paths or glob patterns; each pattern must match a file)."""
    found: list[str] = []
    for index, pattern in enumerate(read.texts(value, path)):
        matched = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not matched:
            read.fail(f"{path}[{index}]", f"no file matches {pattern!r}")
        found += matched
    return found


def _catalogue(read: Inputs, value: object) -> Catalogue | None:
    if value is None:
        return None
    paths = _paths(read, value, "catalogueFiles")
    if not paths:
        return None
    try:
        specs = load_files(paths)
    except SmiValidationError as exc:
        read.problems.extend(exc.problems)
        return None
    smi = sorted(f"{o.KIND}/{o.metadata.namespace}/{o.metadata.name}" for o in specs.objects())
    if smi:
        read.fail(
            "catalogueFiles",
            f"the catalogue files hold SMI objects ({', '.join(smi)}): give them to smi.Manifests",
        )
    return specs.catalogue


def _provider(
    read: Inputs,
    args: Mapping[str, Any],
    kind: MeshKind | None,
    options: Mapping[str, Any] | None,
    opts: pulumi.ResourceOptions | None,
) -> pulumi.ProviderResource | None:
    """The mesh's provider: the one given as an input, else the one of ``opts.providers``
    for the package the target needs."""
    given = [
        (schema_name, provider)
        for key, schema_name, cls, package in _PROVIDERS
        if (provider := read.resource(args.get(key), schema_name, cls, f"a {package} provider"))
    ]
    if len(given) > 1:
        names = ", ".join(name for name, _ in given)
        read.fail(given[1][0], f"give one provider, got {names}")
    if given:
        return given[0][1]
    providers = opts.providers if opts is not None else None
    if not providers or kind is None:
        return None
    try:
        chosen = target(kind.value)
        needed = chosen.package_for(parse_options(chosen.kind, options))
    except SmiError:
        return None  # the Python Mesh reports it
    if isinstance(providers, Mapping):
        return providers.get(needed)
    return next((p for p in providers if getattr(p, "package", None) == needed), None)


def _without_depends_on(
    opts: pulumi.ResourceOptions | None,
) -> tuple[list[pulumi.Resource], pulumi.ResourceOptions | None]:
    """The resources ``opts`` depends on, and ``opts`` without them."""
    if opts is None or not opts.depends_on:
        return [], opts
    given = opts.depends_on
    listed = list(given) if isinstance(given, Sequence) else [given]
    if not all(isinstance(r, pulumi.Resource) for r in listed):
        return [], opts  # Outputs of resources: left on the component
    rest = copy.copy(opts)
    rest.depends_on = None
    return cast(list[pulumi.Resource], listed), rest
