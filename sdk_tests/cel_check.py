"""Evaluate the CRDs' ``x-kubernetes-validations`` (CEL) rules on emitted objects, for tests.

The API server applies schema defaults, then evaluates every CEL rule at its schema node with
``self`` bound to the value there; a rule that is false, or fails to evaluate, rejects the
object. This does the same with cel-python for the rules it can compile; transition rules
(``oldSelf``) do not apply to creation and are skipped, and so are rules using Kubernetes'
CEL extension libraries that cel-python lacks (:func:`coverage` counts them).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator, Mapping
from typing import Any

import celpy  # type: ignore[import-untyped]

_ENV = celpy.Environment()


@functools.cache
def _program(rule: str) -> Any:
    """The compiled rule, or None when cel-python cannot compile it (an extension function)."""
    try:
        return _ENV.program(_ENV.compile(rule))
    except Exception:
        return None


def with_defaults(schema: Mapping[str, Any], value: Any) -> Any:
    """``value`` with the schema's ``default`` values filled in, as the API server does."""
    value = copy.deepcopy(value)
    _fill(schema, value)
    return value


def _fill(schema: Mapping[str, Any], value: Any) -> None:
    if isinstance(value, dict):
        for key, sub in schema.get("properties", {}).items():
            if key not in value and "default" in sub:
                value[key] = copy.deepcopy(sub["default"])
            if key in value:
                _fill(sub, value[key])
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping):
            for key in set(value) - set(schema.get("properties", {})):
                _fill(extra, value[key])
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for item in value:
            _fill(schema["items"], item)


def cel_problems(schema: Mapping[str, Any], value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(JSON path, message) for every CEL rule ``value`` breaks (``value`` already defaulted)."""
    for rule in schema.get("x-kubernetes-validations", ()):
        text = rule["rule"]
        program = None if "oldSelf" in text else _program(text)
        if program is None:
            continue
        try:
            result = program.evaluate({"self": celpy.json_to_cel(value)})
        except Exception as exc:
            result = exc
        if result is not True and result != celpy.celtypes.BoolType(True):
            reason = rule.get("message") or text
            yield path, f"CEL rule fails: {reason}" + ("" if result is False else f" ({result})")
    if isinstance(value, Mapping):
        properties = schema.get("properties", {})
        for key, item in value.items():
            sub = properties.get(key, schema.get("additionalProperties"))
            if isinstance(sub, Mapping):
                yield from cel_problems(sub, item, f"{path}.{key}")
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            yield from cel_problems(schema["items"], item, f"{path}[{index}]")


def coverage(schema: Mapping[str, Any]) -> tuple[int, int]:
    """(rules evaluated, rules skipped) in ``schema``."""
    done = skipped = 0
    for rule in schema.get("x-kubernetes-validations", ()):
        if "oldSelf" in rule["rule"] or _program(rule["rule"]) is None:
            skipped += 1
        else:
            done += 1
    for sub in _children(schema):
        sub_done, sub_skipped = coverage(sub)
        done, skipped = done + sub_done, skipped + sub_skipped
    return done, skipped


def _children(schema: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from schema.get("properties", {}).values()
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), Mapping):
            yield schema[key]
