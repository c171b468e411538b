"""``render -o table``: a render's resources per mesh, and the traffic share of every backend.

Pure: it reads the render's resources (``{type, name, properties, dependsOn, parent,
provider}``). A resource belongs to the ``smi:index:Mesh`` that is its parent (a mesh's
shared resources), or whose name follows its SMI component's (``<component>-<mesh>-...``,
how components name their children); anything else is listed under "other resources".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .model import Share
from .shares import traffic_shares
from .values import mapping

MESH = "smi:index:Mesh"
_COMPONENT_PREFIX = "smi:index:"
_PROVIDER_PREFIX = "pulumi:providers:"

Resource = Mapping[str, Any]


def compact_type(token: str) -> str:
    """``kubernetes:networking.istio.io/v1:VirtualService`` as ``VirtualService
    networking.istio.io/v1``, ``aws:vpclattice/listener:Listener`` as ``aws vpclattice
    Listener``, ``pulumi:providers:aws`` as ``provider aws``; other tokens as they are."""
    parts = token.split(":")
    if len(parts) != 3:
        return token
    package, module, kind = parts
    if token.startswith(_PROVIDER_PREFIX):
        return f"provider {kind}"
    if package == "kubernetes":
        return f"{kind} {module}"
    module = module.split("/")[0]
    return f"{package} {kind}" if module == "index" else f"{package} {module} {kind}"


def mesh_of(resource: Resource, meshes: Sequence[str], components: set[str]) -> str | None:
    """The mesh ``resource`` was registered for, or None."""
    parent = resource.get("parent")
    if parent in meshes:
        return str(parent)
    name = str(resource.get("name", ""))
    if parent in components and name.startswith(f"{parent}-"):
        rest = name[len(str(parent)) + 1 :]
        candidates = [m for m in meshes if rest.startswith(f"{m}-")]
        if candidates:
            return max(candidates, key=len)
    return None


def _provider(name: str | None, providers: Mapping[str, Resource]) -> str:
    if name is None:
        return "the ambient default provider"
    token = str(providers.get(name, {}).get("type", ""))
    package = token[len(_PROVIDER_PREFIX) :]
    return f"provider {name} ({package})" if package else f"provider {name}"


def _resource_lines(resources: Sequence[Resource]) -> list[str]:
    rows = [(compact_type(str(r["type"])), str(r["name"])) for r in resources]
    width = max((len(t) for t, _ in rows), default=0)
    return [f"    {t:<{width}}  {n}" for t, n in rows]


def _share_lines(shares: Sequence[Share]) -> list[str]:
    if not shares:
        return ["    (no traffic split)"]
    rule_width = max(len(s.rule) for s in shares)
    backend_width = max(len(s.backend) for s in shares)
    lines: list[str] = []
    apex: tuple[str, int | None] | None = None
    rule: tuple[str, str] | None = None
    for share in shares:
        if (share.apex, share.port) != apex:
            apex, rule = (share.apex, share.port), None
            port = "" if share.port is None else f" port {share.port}"
            lines.append(f"    {share.apex}{port}")
        shown_rule = share.rule if (share.rule, share.source) != rule else ""
        rule = (share.rule, share.source)
        lines.append(
            f"      {shown_rule:<{rule_width}}  {share.backend:<{backend_width}}"
            f"  {share.percent:>8}"
        )
    return lines


def render_table(resources: Iterable[Resource], warnings: Sequence[str] = ()) -> str:
    """The review table of a render: per mesh its kind, provider, resources and traffic
    shares; then the other resources and the warnings. Deterministic for the same input."""
    listed = list(resources)
    by_name = {str(r["name"]): r for r in listed}
    providers = {
        str(r["name"]): r for r in listed if str(r.get("type", "")).startswith(_PROVIDER_PREFIX)
    }
    meshes = sorted(str(r["name"]) for r in listed if r.get("type") == MESH)
    components = {
        str(r["name"])
        for r in listed
        if str(r.get("type", "")).startswith(_COMPONENT_PREFIX) and r.get("type") != MESH
    }
    groups: dict[str | None, list[Resource]] = {m: [] for m in meshes}
    groups[None] = []
    for resource in listed:
        if resource.get("type") == MESH:
            continue
        groups[mesh_of(resource, meshes, components)].append(resource)
    lines: list[str] = []
    for mesh in meshes:
        members = groups[mesh]
        kind = mapping(by_name[mesh].get("properties")).get("kind", "?")
        used = Counter(r.get("provider") for r in members)
        shown = ", ".join(_provider(p, providers) for p in sorted(used, key=str)) or "no resources"
        lines += [f"mesh {mesh}: {kind}, {shown}", f"  resources ({len(members)})"]
        lines += _resource_lines(members)
        lines += ["  traffic", *_share_lines(traffic_shares(members))]
        lines.append("")
    others = groups[None]
    if others:
        lines += [f"other resources ({len(others)})", *_resource_lines(others)]
        extra = traffic_shares(others)
        if extra:
            lines += ["  traffic", *_share_lines(extra)]
        lines.append("")
    if warnings:
        lines += [f"warnings ({len(warnings)})", *(f"  {w}" for w in warnings)]
    return "\n".join(lines).rstrip("\n") + "\n"
