"""Reading a ``convert -o json`` or ``render -o json`` output for ``diff``, and its meshes.

A document is ``{"resources": [{type, name, properties[, dependsOn, parent, provider]}],
"warnings": [...]}``. A render names its meshes with ``smi:index:Mesh`` resources; every
other resource belongs to the mesh :func:`~.table.mesh_of` says, or to none. A convert
output has no Mesh: all of it is one unnamed mesh (``None``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import SmiError, printable
from .table import MESH, mesh_of
from .values import mapping

Resource = Mapping[str, Any]
_COMPONENT_PREFIX = "smi:index:"


class UnreadableDocument(SmiError):
    """An input of ``diff`` that is not a convert/render JSON output (the message names it)."""


@dataclass(frozen=True)
class Document:
    """One side of a diff: its resources (in their order) and warnings."""

    resources: tuple[Resource, ...]
    warnings: tuple[str, ...]
    partial: bool = False
    """Whether resources that did not change may be missing (a ``pulumi preview --json``
    without ``--show-sames``): every section then judges from what is there, conservatively."""

    @property
    def meshes(self) -> list[str]:
        """The names of the ``smi:index:Mesh`` resources, sorted (none in a convert output)."""
        return sorted(str(r["name"]) for r in self.resources if r.get("type") == MESH)

    def mesh_kind(self, mesh: str | None) -> str | None:
        """The ``kind`` of the Mesh named ``mesh`` (None when there is none or it is unknown)."""
        for resource in self.resources:
            if resource.get("type") == MESH and resource.get("name") == mesh:
                kind = mapping(resource.get("properties")).get("kind")
                return kind if isinstance(kind, str) else None
        return None

    def by_mesh(self) -> dict[str | None, list[Resource]]:
        """The resources (Mesh resources left out) per mesh; ``None``: in no mesh (all of a
        convert output). Every mesh has an entry, ``None`` too."""
        meshes = self.meshes
        components = {
            str(r["name"])
            for r in self.resources
            if str(r.get("type", "")).startswith(_COMPONENT_PREFIX) and r.get("type") != MESH
        }
        groups: dict[str | None, list[Resource]] = {m: [] for m in meshes}
        groups[None] = []
        for resource in self.resources:
            if resource.get("type") != MESH:
                groups[mesh_of(resource, meshes, components)].append(resource)
        return groups


def _problem(source: str, what: str) -> UnreadableDocument:
    return UnreadableDocument(
        f"{printable(source)}: {what} (expected the JSON output of "
        "`pulumi-smi convert -o json` or `pulumi-smi render -o json`)"
    )


def parse_document(text: str, source: str) -> Document:
    """The document in ``text``; :class:`UnreadableDocument` naming ``source`` when it is not
    JSON or not the convert/render shape."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _problem(source, f"not JSON ({exc})") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("resources"), list):
        raise _problem(source, 'no "resources" list')
    warnings = data.get("warnings", [])
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        raise _problem(source, '"warnings" is not a list of strings')
    resources: list[Resource] = []
    keys: set[tuple[str, str]] = set()
    for position, resource in enumerate(data["resources"]):
        where = f"resources[{position}]"
        if not isinstance(resource, Mapping):
            raise _problem(source, f"{where} is not an object")
        name, token = resource.get("name"), resource.get("type")
        if not isinstance(name, str) or not isinstance(token, str):
            raise _problem(source, f'{where} has no string "type" and "name"')
        if not isinstance(resource.get("properties", {}), Mapping):
            raise _problem(source, f'{where} ({name}): "properties" is not an object')
        if (token, name) in keys:
            raise _problem(source, f"{where}: {token} {name!r} is listed twice")
        keys.add((token, name))
        resources.append(resource)
    return Document(tuple(resources), tuple(warnings))


def read_input(path: str, problem: Callable[[str], SmiError]) -> str:
    """The text of the file ``path`` (``-``: standard input); ``problem(reason)`` is raised
    when it cannot be read."""
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise problem(f"cannot be read ({exc.__class__.__name__}: {exc})") from None


def read_document(path: str) -> Document:
    """The document in the file ``path`` (``-``: standard input)."""
    return parse_document(read_input(path, lambda why: _problem(path, why)), path)
