"""Strict checks of AWS API input against botocore's service models, for tests.

botocore's own client-side validation checks types and ``min`` only, and moto checks almost
nothing; the AWS APIs enforce ``max``, ``pattern`` and ``enum`` too. :func:`violations`
walks a value against an operation's input shape and reports every breach of ``required``,
``min``/``max`` (string length, list length, number range), ``pattern`` (full match) and
``enum``, plus unknown members. Translators' outputs are mapped to API input by each
target's tests; this module knows nothing about pulumi-smi.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape


@cache
def operation(service: str, name: str) -> OperationModel:
    """The botocore model of ``service``'s operation ``name`` (e.g. vpc-lattice CreateRule)."""
    return botocore.session.get_session().get_service_model(service).operation_model(name)


def violations(service: str, operation_name: str, params: Mapping[str, Any]) -> list[str]:
    """Every way ``params`` breaks the input shape of the operation; empty when none."""
    shape = operation(service, operation_name).input_shape
    return list(_check(shape, params, operation_name))


def assert_valid(service: str, operation_name: str, params: Mapping[str, Any]) -> None:
    """Fail with every violation listed."""
    found = violations(service, operation_name, params)
    assert not found, f"{service} {operation_name}: " + "; ".join(found)


def _check(shape: Shape, value: Any, path: str) -> Iterator[str]:
    if isinstance(shape, StructureShape):
        yield from _structure(shape, value, path)
    elif isinstance(shape, ListShape):
        if not isinstance(value, list):
            yield f"{path}: expected a list, got {type(value).__name__}"
            return
        yield from _bounds(shape, len(value), path, "items")
        for index, item in enumerate(value):
            yield from _check(shape.member, item, f"{path}[{index}]")
    elif isinstance(shape, MapShape):
        if not isinstance(value, Mapping):
            yield f"{path}: expected a map, got {type(value).__name__}"
            return
        for key, item in value.items():
            yield from _check(shape.key, key, f"{path}.<key {key!r}>")
            yield from _check(shape.value, item, f"{path}[{key!r}]")
    else:
        yield from _scalar(shape, value, path)


def _structure(shape: StructureShape, value: Any, path: str) -> Iterator[str]:
    if not isinstance(value, Mapping):
        yield f"{path}: expected a structure, got {type(value).__name__}"
        return
    for name in shape.required_members:
        if name not in value:
            yield f"{path}.{name}: required member is missing"
    for name, item in value.items():
        member = shape.members.get(name)
        if member is None:
            yield f"{path}.{name}: not a member of {shape.name}"
        else:
            yield from _check(member, item, f"{path}.{name}")
    if shape.metadata.get("union") and len(value) != 1:
        yield f"{path}: a union ({shape.name}) needs exactly one member, got {sorted(value)}"


def _scalar(shape: Shape, value: Any, path: str) -> Iterator[str]:
    kind = shape.type_name
    if kind == "string":
        if not isinstance(value, str):
            yield f"{path}: expected a string, got {type(value).__name__}"
            return
        yield from _bounds(shape, len(value), path, "characters")
        enum = shape.enum
        if enum and value not in enum:
            yield f"{path}: {value!r} is not one of {enum}"
        pattern = shape.metadata.get("pattern")
        if pattern and re.fullmatch(pattern, value) is None:
            yield f"{path}: {value!r} does not match {pattern!r}"
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            yield f"{path}: expected an integer, got {value!r}"
            return
        yield from _bounds(shape, value, path, "")
    elif kind == "boolean" and not isinstance(value, bool):
        yield f"{path}: expected a boolean, got {value!r}"


def _bounds(shape: Shape, size: int, path: str, unit: str) -> Iterator[str]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        yield f"{path}: {size} {unit} is below the minimum {low}".replace("  ", " ")
    if high is not None and size > high:
        yield f"{path}: {size} {unit} is above the maximum {high}".replace("  ", " ")
