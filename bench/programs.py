"""The Pulumi programs the components bench runs under mocks, ours and hand-written.

* ``manifests``: one ``smi.Manifests`` reading the estate's YAML into one ``smi.Mesh``;
* ``objects``: the per-object components (``smi.HTTPRouteGroup``, ``smi.TrafficSplit``,
  ``smi.TrafficTarget`` per service), the catalogue given to the Mesh;
* ``handwritten``: the floor, a program registering the identical resources directly with
  pulumi_kubernetes and pulumi_aws, read from a *script* (what its source would spell out
  literally) that :func:`script` writes from a run of ours.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi

from . import estate

OPTIONS: dict[str, dict[str, Any]] = {
    "vpc-lattice": {"vpc_id": "vpc-0123456789abcdef0", "eks_cluster_name": "prod-eks"},
    "appmesh": {"inexpressible": "narrow"},
}
"""Target options the estates need (convert's ``--set``)."""


def manifests(target: str, path: Path) -> Callable[[], list[Any]]:
    """``smi.Manifests`` over the estate file ``path``."""

    def program() -> list[Any]:
        import pulumi_smi as smi

        mesh = smi.Mesh("mesh", kind=target, options=OPTIONS.get(target))
        return [mesh, smi.Manifests("estate", files=[str(path)], meshes=[mesh])]

    return program


def objects(target: str, services: int, catalogue_path: Path) -> Callable[[], list[Any]]:
    """The per-object components of the estate; the catalogue read from ``catalogue_path``."""

    def program() -> list[Any]:
        import pulumi_smi as smi

        catalogue = smi.load_files([str(catalogue_path)]).catalogue
        mesh = smi.Mesh("mesh", kind=target, options=OPTIONS.get(target), catalogue=catalogue)
        made: list[Any] = [mesh]
        for doc in estate.documents(services):
            made += _component(smi, doc, mesh, made)
        return made

    return program


def _component(smi: Any, doc: dict[str, Any], mesh: Any, made: list[Any]) -> list[Any]:
    """The component for one SMI document of the estate (none for Kubernetes documents)."""
    kind, meta, spec = doc["kind"], doc["metadata"], doc.get("spec", {})
    namespace, name = meta["namespace"], meta["name"]
    if kind == "HTTPRouteGroup":
        matches = [
            smi.HTTPMatch(
                m["name"],
                path_regex=m.get("pathRegex"),
                methods=m.get("methods", ()),
                headers=m.get("headers", {}),
            )
            for m in spec["matches"]
        ]
        return [smi.HTTPRouteGroup(name, namespace=namespace, matches=matches, meshes=mesh)]
    groups = {
        (c.spec.metadata.namespace, c.spec.metadata.name): c
        for c in made[-3:]
        if isinstance(c, smi.HTTPRouteGroup)
    }
    if kind == "TrafficSplit":
        return [
            smi.TrafficSplit(
                name,
                namespace=namespace,
                service=spec["service"],
                matches=[groups[(namespace, m["name"])] for m in spec["matches"]],
                backends=[smi.Backend(b["service"], b["weight"]) for b in spec["backends"]],
                meshes=mesh,
            )
        ]
    if kind == "TrafficTarget":
        rules = [groups[(namespace, r["name"])].rule(*r["matches"]) for r in spec["rules"]]
        return [
            smi.TrafficTarget(
                name,
                namespace=namespace,
                destination=smi.ServiceAccount(spec["destination"]["name"]),
                sources=[smi.ServiceAccount(s["name"]) for s in spec["sources"]],
                rules=rules,
                meshes=mesh,
            )
        ]
    return []


# --- the hand-written floor ------------------------------------------------------------


def script(made: list[Any], created: list[tuple[str, str]], recording: Any) -> dict[str, Any]:
    """What a hand-written program registering the same resources would spell out.

    ``made``: the Mesh and components of a run of ours; ``created``: (resource name, parent
    name) of each child in the order ours created them; ``recording``: that run's Recording.
    """
    from pulumi_smi.components.aliases import alias_types

    planned: dict[str, Any] = {}
    for component in made:
        for plan in getattr(component, "plans", {}).values():
            planned.update({r.name: r for r in plan})
        planned.update(getattr(component, "_shared_plans", {}))
    components = [
        {"type": r.type, "name": r.name, "parent": r.parent_name, "props": r.inputs}
        for r in recording.resources
        if not r.custom
    ]
    children = []
    for name, parent in created:
        resource = planned[name]
        children.append(
            {
                "type": resource.type,
                "name": name,
                "parent": parent,
                "properties": _snake_inputs(resource),
                "dependsOn": list(resource.depends_on),
                "aliases": alias_types(resource.type),
            }
        )
    return {"components": components, "children": children}


def _snake_inputs(resource: Any) -> Any:
    """Kubernetes manifests as they are; AWS inputs as the SDK's snake_case keywords."""
    if resource.type.startswith("kubernetes:"):
        return dict(resource.properties)
    return {_snake(k): _snake_keys(v) for k, v in resource.properties.items()}


def _snake_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {_snake(k): _snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snake_keys(v) for v in value]
    return value


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_REFERENCE = re.compile(r"\$\{([^}]+)\.([^.}]+)\}")
_AWS = re.compile(r"^aws:(?P<module>[a-zA-Z0-9]+)/[a-zA-Z0-9]+:(?P<cls>\w+)$")


def handwritten(plan: dict[str, Any]) -> Callable[[], None]:
    """The floor: register ``plan`` (see :func:`script`) with the provider SDKs directly."""

    def program() -> None:
        import importlib

        import pulumi_kubernetes as k8s

        known: dict[str, pulumi.Resource] = {}
        for entry in plan["components"]:
            parent = known.get(entry["parent"]) if entry["parent"] else None
            component = pulumi.ComponentResource(
                entry["type"],
                entry["name"],
                entry["props"],
                pulumi.ResourceOptions(parent=parent),
            )
            component.register_outputs({})
            known[entry["name"]] = component
        for entry in plan["children"]:
            opts = pulumi.ResourceOptions(
                parent=known[entry["parent"]],
                depends_on=[known[d] for d in entry["dependsOn"] if d in known],
                aliases=[pulumi.Alias(type_=t) for t in entry["aliases"]] or None,
            )
            props = entry["properties"]
            if entry["type"].startswith("kubernetes:"):
                manifest = dict(props)
                known[entry["name"]] = k8s.apiextensions.CustomResource(
                    entry["name"],
                    api_version=manifest.pop("apiVersion"),
                    kind=manifest.pop("kind"),
                    metadata=manifest.pop("metadata"),
                    opts=opts,
                    **manifest,
                )
                continue
            match = _AWS.match(entry["type"])
            assert match is not None, entry["type"]
            module = importlib.import_module(f"pulumi_aws.{match['module']}")
            kwargs = {k: _outputs(v, known) for k, v in props.items()}
            known[entry["name"]] = getattr(module, match["cls"])(entry["name"], **kwargs, opts=opts)

    return program


def _outputs(value: Any, known: dict[str, pulumi.Resource]) -> Any:
    """``value`` with its ``${name.output}`` strings as the resources' Outputs."""
    if isinstance(value, str):
        found = _REFERENCE.fullmatch(value)
        if found:
            return getattr(known[found[1]], _snake(found[2]))
        parts = _REFERENCE.findall(value)
        if not parts:
            return value
        outputs = [getattr(known[n], _snake(o)) for n, o in parts]
        return pulumi.Output.all(*outputs).apply(lambda values: _substitute(value, values))
    if isinstance(value, dict):
        return {k: _outputs(v, known) for k, v in value.items()}
    if isinstance(value, list):
        return [_outputs(v, known) for v in value]
    return value


def _substitute(text: str, values: list[Any]) -> str:
    """``text`` with its references replaced, in order, by ``values``."""
    remaining = iter(values)
    return _REFERENCE.sub(lambda _: str(next(remaining)), text)
