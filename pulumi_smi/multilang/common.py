"""Reading the arguments several components share: meshes and route groups by name (found in
:mod:`.registry`), child options, and the metadata of every SMI-object component."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypeVar, cast

import pulumi

from .. import components as python
from . import registry
from .args import RouteKind
from .inputs import Inputs

T = TypeVar("T")


def _named(
    read: Inputs,
    value: object,
    path: str,
    find: Callable[[str], T | None],
    unknown: Callable[[str], str],
    *,
    required: bool,
) -> T | None:
    """What ``find`` knows by the name ``value`` (a problem when it knows none)."""
    name = read.text(value, path, required=required)
    if name is None:
        return None
    found = find(name)
    if found is None:
        read.fail(path, unknown(name))
    return found


def mesh(read: Inputs, value: object, path: str, *, required: bool = False) -> python.Mesh | None:
    """The Mesh component ``value`` names."""
    return _named(read, value, path, registry.find_mesh, registry.unknown_mesh, required=required)


def meshes(read: Inputs, value: object) -> list[python.Mesh]:
    """The Mesh components ``meshes`` names (at least one)."""
    return read.each(value, "meshes", partial(mesh, read, required=True), required=True)


def route(read: Inputs, kind: RouteKind, value: object, path: str) -> registry.RouteGroup | None:
    """The route-group component of ``kind`` that ``value`` names."""
    find = partial(registry.find_route, kind.value)
    unknown = partial(registry.unknown_route, kind.value)
    # cast: mypy joins the union RouteGroup to SmiComponent when it solves _named's T.
    return cast(
        "registry.RouteGroup | None", _named(read, value, path, find, unknown, required=True)
    )


def child_options(read: Inputs, value: object, path: str) -> python.ChildOptions | None:
    """The ``childOptions`` of a Mesh or a component."""
    return read.nested(value, path, partial(_child_options, read))


def _child_options(read: Inputs, given: Mapping[str, Any], path: str) -> python.ChildOptions:
    timeouts = partial(_timeouts, read)
    custom_timeouts = read.nested(given.get("custom_timeouts"), f"{path}.customTimeouts", timeouts)
    return python.ChildOptions(
        ignore_changes=tuple(read.texts(given.get("ignore_changes"), f"{path}.ignoreChanges")),
        protect=read.flag(given.get("protect"), f"{path}.protect"),
        retain_on_delete=read.flag(given.get("retain_on_delete"), f"{path}.retainOnDelete"),
        custom_timeouts=custom_timeouts,
    )


def _timeouts(read: Inputs, given: Mapping[str, Any], path: str) -> pulumi.CustomTimeouts:
    return pulumi.CustomTimeouts(
        **{
            op: read.text(given.get(op), f"{path}.{op}")
            for op in ("create", "update", "delete", "read")
        }
    )


def metadata(read: Inputs, args: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments every SMI-object component shares."""
    labels = args.get("labels")
    annotations = args.get("annotations")
    return {
        "namespace": read.text(args.get("namespace"), "namespace") or "default",
        "object_name": read.text(args.get("object_name"), "objectName"),
        "labels": None if labels is None else read.strings(labels, "labels"),
        "annotations": None if annotations is None else read.strings(annotations, "annotations"),
        "child_options": child_options(read, args.get("child_options"), "childOptions"),
    }
