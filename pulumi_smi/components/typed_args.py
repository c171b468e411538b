"""Planned provider resources (pulumi-aws, pulumi-consul) as typed Pulumi resources.

The Plan holds engine (camelCase) inputs; here each becomes the resource's own ``*Args``
class, nested ``*Args`` classes included, so that the SDK rejects a wrong input name at
``pulumi preview`` rather than the provider ignoring it. ``${name.output}`` strings
become the Outputs of the resources planned before.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import pulumi

from ..errors import SmiError
from ..plan import REFERENCE, Resource, references_in, whole_reference

_TOKEN = re.compile(r"^(?P<package>aws|consul):(?P<module>[a-zA-Z0-9]+)/[a-zA-Z0-9]+:(?P<cls>\w+)$")
_EXTRAS = {"consul": "consul"}
"""Provider package -> the pulumi-smi extra that installs its SDK."""
_NESTED = re.compile(r"ForwardRef\('(\w+Args)'\)")

Resolve = Callable[[str], Any]


def is_typed(resource: Resource) -> bool:
    """Whether ``resource`` is a resource of a provider SDK this module builds."""
    return _TOKEN.match(resource.type) is not None


def create_typed(
    resource: Resource, opts: pulumi.ResourceOptions, known: Mapping[str, pulumi.Resource]
) -> pulumi.CustomResource:
    """Instantiate ``resource`` with its typed ``*Args``; references resolved from ``known``."""
    match = _TOKEN.match(resource.type)
    assert match is not None
    package = f"pulumi_{match['package']}"
    path = package if match["module"] == "index" else f"{package}.{match['module']}"
    try:
        module = importlib.import_module(path)
    except ImportError:
        extra = _EXTRAS.get(match["package"], "")
        hint = f": pip install 'pulumi-smi[{extra}]'" if extra else ""
        raise SmiError(
            f"{resource.name}: {resource.type} needs the {package} package{hint}"
        ) from None
    cls = getattr(module, match["cls"])
    args_cls = getattr(module, f"{match['cls']}Args")
    inputs = importlib.import_module(f"{path}._inputs")

    def resolve(text: str) -> Any:
        return _resolve(text, known, resource.name)

    args = _typed(args_cls, resource.properties, inputs, resolve, resource.type)
    created: pulumi.CustomResource = cls(resource.name, args=args, opts=opts)
    return created


def _typed(
    args_cls: type, properties: Mapping[str, Any], inputs: ModuleType, resolve: Resolve, where: str
) -> Any:
    parameters = _nested_args(args_cls)
    kwargs: dict[str, Any] = {}
    for key, value in properties.items():
        name = snake(key)
        if name not in parameters:
            raise SmiError(f"{where}: {args_cls.__name__} has no input {key!r}")
        kwargs[name] = _value(parameters[name], value, inputs, resolve, f"{where}.{key}")
    return args_cls(**kwargs)


@functools.cache
def _nested_args(args_cls: type) -> dict[str, re.Match[str] | None]:
    """Each keyword of ``args_cls`` -> the ``*Args`` class its annotation names, if any.

    ``inspect.signature`` of an SDK ``*Args`` class is slow and the same every time: it is
    read once per class.
    """
    parameters = inspect.signature(args_cls).parameters
    return {name: _NESTED.search(str(p.annotation)) for name, p in parameters.items()}


def _value(
    nested: re.Match[str] | None, value: Any, inputs: ModuleType, resolve: Resolve, where: str
) -> Any:
    if isinstance(value, str):
        return resolve(value)
    if nested and isinstance(value, Mapping):
        return _typed(getattr(inputs, nested[1]), value, inputs, resolve, where)
    if isinstance(value, list):
        if nested:
            cls = getattr(inputs, nested[1])
            return [_typed(cls, item, inputs, resolve, f"{where}[]") for item in value]
        return [resolve(item) if isinstance(item, str) else item for item in value]
    if isinstance(value, Mapping):  # tags and other plain maps
        return {k: resolve(v) if isinstance(v, str) else v for k, v in value.items()}
    return value


def _resolve(text: str, known: Mapping[str, pulumi.Resource], where: str) -> Any:
    """``text`` with its ``${name.output}`` references replaced by the resources' Outputs."""
    references = references_in(text)
    if not references:
        return text
    outputs = []
    for name, output in references:
        if name not in known:
            raise SmiError(f"{where}: refers to {name!r}, which is not registered before it")
        outputs.append(getattr(known[name], snake(output)))
    if whole_reference(text) is not None:
        return outputs[0]
    return pulumi.Output.all(*outputs).apply(lambda values: _substitute(text, values))


def _substitute(text: str, values: list[Any]) -> str:
    """``text`` with its references replaced, in order, by ``values``."""
    remaining = iter(values)
    return REFERENCE.sub(lambda _: str(next(remaining)), text)


def snake(name: str) -> str:
    """An engine (camelCase) input name as the Python SDK's keyword (snake_case)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
