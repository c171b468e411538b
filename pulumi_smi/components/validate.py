"""Type checks of the components' arguments, in one place, before anything is registered.

Every public component calls :func:`check_arguments` first, with its constructor and the
arguments it got; a value of the wrong type (``backends=[{...}]``, ``ports=80``,
``meshes="istio"``, ``labels="x"``) raises :class:`~pulumi_smi.SmiValidationError` with one
problem per argument, each naming the component and the argument path::

    smi:index:TrafficSplit reviews: backends[0]: expected smi.Backend, got dict
    {'service': 'reviews-v1', 'weight': 90}; use smi.Backend(service='reviews-v1', weight=90)

The expected types are read from the constructors' own annotations (and those of the
argument classes in :mod:`.args`), so the checks cannot drift from the signatures. Only
types are checked here, plus the values of the option classes no spec model sees
(``ChildOptions``, ``WeightHandover``: property paths, durations, a field manager name), by
their own ``problems``; other values (a negative weight, a name that is not DNS-1123) are
the spec models' business, checked next, and all happen before the component itself, let
alone a child, is registered.

Plain dicts are not accepted for the argument classes (``Backend``, ``HTTPMatch``,
``ServiceAccount``): the Python API documents the classes only, and a dict in SMI's YAML
spelling (``pathRegex``) would not mean the same as one in Python's (``path_regex``).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import sys
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Union

import pulumi

from ..errors import Problem, SmiValidationError, raise_if_any
from ..meshes import MeshKind, TargetOptions, parse_options
from . import args
from .child_options import ChildOptions
from .handover import WeightHandover

_MAX_TEXT = 80
"""Longest repr of a value quoted in a message; longer ones are cut, with ``...``."""
_ARG_CLASSES = (
    args.Backend,
    args.HTTPMatch,
    args.ServiceAccount,
    args.Rule,
    ChildOptions,
    WeightHandover,
)
"""The argument classes whose fields are checked too (and values, where they have ``problems``)."""

Found = list[tuple[str, str]]
"""(argument path, what is wrong) pairs."""


def check_arguments(
    type_name: str, init: Callable[..., None], arguments: Mapping[str, object]
) -> str:
    """Check ``arguments`` (a constructor's ``locals()``) against ``init``'s annotations.

    Returns the component's name in messages (``smi:index:TrafficSplit reviews``);
    raises :class:`SmiValidationError` listing every argument of the wrong type.
    """
    name = arguments["resource_name"]
    valid_name = isinstance(name, str) and name != ""
    source = f"{type_name} {name if valid_name else shorten(name)}"
    found: Found = []
    if not valid_name:
        found.append(("resource_name", f"expected a non-empty str, got {describe(name)}"))
    for parameter, hint in _parameters(init).items():
        if parameter != "resource_name":
            found.extend(_check(hint, arguments[parameter], parameter))
    raise_found(found, source)
    return source


def check_value(source: str, path: str, value: object, hint: Any) -> None:
    """Check one value against the type ``hint``; the problems are located at ``path``."""
    raise_found(_check(hint, value, path), source)


def raise_found(found: Found, source: str) -> None:
    raise_if_any([Problem(message, source, path=path) for path, message in found])


@functools.cache
def _parameters(init: Callable[..., None]) -> dict[str, Any]:
    hints = typing.get_type_hints(init)
    hints.pop("return", None)
    return hints


# --- the checks ---------------------------------------------------------------------------


def _check(hint: Any, value: object, path: str) -> Found:
    """What is wrong with ``value`` as a ``hint``, located under ``path`` (nothing: fine)."""
    if hint is Any:
        return []
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        return _check_union(hint, value, path)
    if _fits(hint, value):
        return _check_inside(hint, value, path)
    return [(path, f"expected {expected(hint)}, got {describe(value)}{_advice(hint, value)}")]


def _check_union(hint: Any, value: object, path: str) -> Found:
    branches = typing.get_args(hint)
    for branch in branches:  # the branch the value was meant for: its problems are inside
        if _fits(branch, value):
            return _check_inside(branch, value, path)
    return [(path, f"expected {expected(hint)}, got {describe(value)}{_advice(hint, value)}")]


def _fits(hint: Any, value: object) -> bool:
    """Whether ``value`` has the outer shape of ``hint`` (a list for a list, ...)."""
    if hint is Any:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        return any(_fits(branch, value) for branch in typing.get_args(hint))
    if origin is Literal:
        return value in typing.get_args(hint)
    cls = origin if origin is not None else hint
    if not isinstance(cls, type):
        raise TypeError(f"no argument check for the annotation {hint!r}")
    if cls is int and isinstance(value, bool):
        return False
    if cls in (Sequence, list, tuple):
        return _is_list(value) and isinstance(value, cls)
    return isinstance(value, cls)


def _check_inside(hint: Any, value: Any, path: str) -> Found:
    """The problems of a value of the right outer shape: its items, fields, keys."""
    origin = typing.get_origin(hint)
    params = typing.get_args(hint)
    if origin in (Sequence, list, tuple) and params:
        item = params[0]
        return [p for i, v in enumerate(value) for p in _check(item, v, f"{path}[{i}]")]
    if origin in (Mapping, dict) and params:
        key_hint, value_hint = params
        found: Found = []
        for key, item in value.items():
            if not _fits(key_hint, key):
                found.append((path, f"key {shorten(key)}: expected {expected(key_hint)}"))
            else:
                found.extend(_check(value_hint, item, f"{path}[{key!r}]"))
        return found
    if hint in _ARG_CLASSES:
        found = [
            p
            for f in dataclasses.fields(hint)
            for p in _check(_field_hints(hint)[f.name], getattr(value, f.name), f"{path}.{f.name}")
        ]
        problems = getattr(value, "problems", None)
        if not found and callable(problems):
            found = list(problems(path))
        return found
    return []


@functools.cache
def _field_hints(cls: type) -> dict[str, Any]:
    from .mesh import Mesh  # args.Backend names it; mesh.py imports this module

    return typing.get_type_hints(cls, localns={"Mesh": Mesh})


def _is_list(value: object) -> bool:
    """A sequence of items: not a string, which is a sequence of characters."""
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


# --- advice: what the user probably meant ------------------------------------------------------


def _advice(hint: Any, value: object) -> str:
    branches = _branches(hint)
    if isinstance(value, pulumi.Output):  # any attribute of an Output is an Output: no probing
        if any(b is pulumi.Output for b in branches):
            return ""
        return "; an Output is not accepted here: the value must be known before translating"
    for branch in branches:
        cls = typing.get_origin(branch) or branch
        if branch in _ARG_CLASSES and isinstance(value, Mapping):
            return f"; use {_constructor(branch, value)}"
        if branch is args.Rule and callable(getattr(value, "rule", None)):
            return "; use its .rule(...)"
        if branch in _ARG_CLASSES and isinstance(value, str) and _one_required(branch):
            return f"; use {display(branch)}({shorten(value)})"
        catalogue = getattr(value, "catalogue", None)
        if catalogue is not None and isinstance(cls, type) and isinstance(catalogue, cls):
            return "; use its .catalogue"
    for branch in branches:
        listed = typing.get_origin(branch) in (Sequence, list)
        item = typing.get_args(branch)[0] if listed else None
        if item is not None and _fits(item, value) and not _check(item, value, ""):
            text = shorten(value)
            return "; put it in a list" + ("" if text.startswith("<") else f": [{text}]")
    if isinstance(value, pulumi.Resource) and any(b is pulumi.Output for b in branches):
        return "; pass one of its outputs, such as .id"
    return ""


def _branches(hint: Any) -> tuple[Any, ...]:
    if typing.get_origin(hint) in (Union, types.UnionType):
        return typing.get_args(hint)
    return (hint,)


def _one_required(cls: type) -> bool:
    """Whether ``cls`` can be made from one positional argument."""
    missing = dataclasses.MISSING
    required = [
        f for f in dataclasses.fields(cls) if f.default is missing and f.default_factory is missing
    ]
    return len(required) == 1


def _constructor(cls: type, given: Mapping[object, object]) -> str:
    """``smi.Backend(service='a', weight=1)`` from a dict of its fields, else its signature."""
    fields = dataclasses.fields(cls)
    names = {f.name for f in fields}
    if given and set(given) <= names:
        text = ", ".join(f"{k}={v!r}" for k, v in given.items())
        if len(text) <= _MAX_TEXT:
            return f"{display(cls)}({text})"
    parts = []
    for f in fields:
        if f.default is not dataclasses.MISSING:
            parts.append(f"{f.name}={f.default!r}")
        elif f.default_factory is not dataclasses.MISSING:
            parts.append(f"{f.name}={f.default_factory()!r}")
        else:
            parts.append(f.name)
    return f"{display(cls)}({', '.join(parts)})"


# --- words ---------------------------------------------------------------------------------


def expected(hint: Any) -> str:
    """``hint`` in words: ``smi.Mesh or a list of smi.Mesh``."""
    if hint is Any:
        return "any value"
    if hint is None or hint is type(None):
        return "None"
    origin = typing.get_origin(hint)
    params = typing.get_args(hint)
    if origin in (Union, types.UnionType):
        words = [expected(b) for b in params]
        return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
    if origin is Literal:
        return "one of " + ", ".join(repr(p) for p in params)
    if origin is tuple and params:
        return f"a tuple of {expected(params[0])}"
    if origin in (Sequence, list) and params:
        item = expected(params[0])
        return f"a list of ({item})" if " or " in item else f"a list of {item}"
    if origin in (Mapping, dict) and params:
        if params[1] is Any:
            return f"a dict with {expected(params[0])} keys"
        return f"a dict of {expected(params[0])} to {expected(params[1])}"
    cls = origin if origin is not None else hint
    if cls is os.PathLike:
        return "os.PathLike"
    if cls is Callable:
        return "pulumi.ResourceTransform (a callable)"
    return display(cls)


def display(cls: type) -> str:
    """The shortest public name of ``cls``: ``smi.Backend``, ``pulumi.ResourceOptions``."""
    if cls.__module__ == "builtins":
        return cls.__qualname__
    top = sys.modules.get("pulumi_smi")
    if top is not None and getattr(top, cls.__name__, None) is cls:
        return f"smi.{cls.__name__}"
    parts = cls.__module__.split(".")
    for end in range(1, len(parts) + 1):
        module = sys.modules.get(".".join(parts[:end]))
        if module is not None and getattr(module, cls.__name__, None) is cls:
            return f"{module.__name__}.{cls.__name__}"
    return f"{cls.__module__}.{cls.__qualname__}"


def describe(value: object) -> str:
    """A value in a message: its type and its (shortened) repr."""
    if value is None:
        return "None"
    cls = type(value)
    name = display(cls)
    if isinstance(value, pulumi.Resource):
        return f"{name} resource {value.pulumi_resource_name!r}"
    if isinstance(value, pulumi.Output):
        return "a pulumi.Output"
    text = shorten(value)
    if text.startswith(f"{cls.__name__}("):
        return f"{name}{text[len(cls.__name__) :]}"
    if text.startswith("<"):  # object.__repr__: no more than the type
        return name
    return f"{name} {text}"


def shorten(value: object) -> str:
    """``repr(value)``, cut to at most ``_MAX_TEXT`` characters."""
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real problem
        text = object.__repr__(value)
    return text if len(text) <= _MAX_TEXT else f"{text[: _MAX_TEXT - 3]}..."


# --- mesh options given as Pulumi inputs ---------------------------------------------------------


@dataclass(frozen=True)
class _Input:
    """An option passed untouched into resource properties: a string or a Pulumi Output."""

    what: str
    pattern: str = ""
    required: str = ""
    """Why the mesh cannot do without it ('' when it can)."""
    output: str = ""
    """An Output that would do, for the message (``vpc.id``)."""


_INPUT_OPTIONS: dict[tuple[MeshKind, str], _Input] = {
    (MeshKind.VPC_LATTICE, "vpc_id"): _Input(
        "a VPC id (vpc-0123456789abcdef0)",
        r"vpc-([0-9a-z]{8}|[0-9a-z]{17})",
        "every target group is in a VPC",
        "vpc.id",
    ),
    (MeshKind.VPC_LATTICE, "service_network"): _Input(
        "a service network id (sn-0123456789abcdef0) or ARN",
        r"sn-[0-9a-z]{17}|arn:[a-z0-9-]+:vpc-lattice:[a-zA-Z0-9-]+:\d{12}:servicenetwork/sn-[0-9a-z]{17}",
    ),
}
"""Options of a target whose values are Pulumi inputs, with the AWS id patterns (botocore's)."""
_STR_OR_OUTPUT: Any = str | pulumi.Output


def check_input_options(options: TargetOptions, kind: MeshKind, source: str) -> None:
    """Check the options a target passes into resources untouched (typed ``Any`` in its model).

    Each must be a string or a Pulumi Output (``vpc.id``); a string must look like the id
    it stands for, and a required one must be there. An Output is taken as it is: its value
    is not known before ``pulumi up``.
    """
    found: Found = []
    for name, info in type(options).model_fields.items():
        if info.annotation is not Any:
            continue
        value = getattr(options, name)
        rule = _INPUT_OPTIONS.get((kind, name), _Input("a str"))
        path = f"options.{name}"
        if value is None:
            if rule.required:
                such = f", such as {rule.output}" if rule.output else ""
                give = f"give {rule.what} or a pulumi.Output of one{such}"
                found.append((path, f"required by mesh {kind.value!r} ({rule.required}): {give}"))
        elif isinstance(value, pulumi.Output):
            continue
        elif not isinstance(value, str):
            advice = _advice(_STR_OR_OUTPUT, value)
            found.append((path, f"expected str or pulumi.Output, got {describe(value)}{advice}"))
        elif rule.pattern and re.fullmatch(rule.pattern, value) is None:
            found.append((path, f"expected {rule.what}, got {shorten(value)}"))
    raise_found(found, source)


def parse_mesh_options(
    kind: MeshKind,
    options: TargetOptions | Mapping[str, Any] | None,
    source: str,
    mesh_name_given: bool,
) -> TargetOptions:
    """The target's ``parse_options``, with the problems located under ``options.``.

    ``mesh_name`` keeps its own name when it was given as the Mesh's ``mesh_name`` argument.
    """
    try:
        parsed = parse_options(kind, options, source)
    except SmiValidationError as exc:
        problems = [
            dataclasses.replace(p, path=_option_path(p.path, mesh_name_given)) for p in exc.problems
        ]
        raise SmiValidationError(problems) from None
    check_input_options(parsed, kind, source)
    return parsed


def _option_path(path: str, mesh_name_given: bool) -> str:
    if not path:
        return "options"
    if path == "mesh_name" and mesh_name_given:
        return path
    return f"options.{path}"


__all__ = [
    "check_arguments",
    "check_input_options",
    "check_value",
    "describe",
    "display",
    "expected",
    "parse_mesh_options",
    "shorten",
]
