"""Pulumi property paths (``ignore_changes``): parse, check and write them.

The syntax is the engine's (``resource.ParsePropertyPath`` in pulumi/pulumi): names joined by
dots, ``[N]`` for a list index, ``[*]`` (or ``.*``) for every element or key, and
``["key"]`` for a key holding characters other than letters, digits and ``_``::

    spec.http[0].route[1].weight
    spec.rules[*].backendRefs[*].weight
    metadata.annotations["pulumi.com/patchFieldManager"]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

PathPart = str | int
"""A key (``"*"``: any key or index) or a list index."""
_PLAIN = re.compile(r"[A-Za-z0-9_]+")


class PathError(ValueError):
    """A string that is not a property path."""


def parse_path(text: str) -> list[PathPart]:
    """The parts of property path ``text``; :class:`PathError` when it is not one."""
    parts: list[PathPart] = []
    i, n = 0, len(text)
    if not text:
        raise PathError("is empty")
    while i < n:
        char = text[i]
        if char == "[":
            i = _bracket(text, i + 1, parts)
            continue
        if char == ".":
            if not parts:
                raise PathError("starts with '.'")
            i += 1
        elif parts:
            raise PathError(f"needs '.' or '[' before {text[i:]!r}")
        end = i
        while end < n and text[end] not in ".[":
            end += 1
        if end == i:
            raise PathError(f"has an empty name at character {i + 1}")
        parts.append(text[i:end])
        i = end
    return parts


def _bracket(text: str, i: int, parts: list[PathPart]) -> int:
    """Parse what follows ``[`` at ``i`` into ``parts``; return the index after ``]``."""
    if text.startswith('"', i):
        key, i = _quoted(text, i + 1)
        parts.append(key)
    else:
        end = text.find("]", i)
        if end < 0:
            raise PathError("has a '[' without ']'")
        inside = text[i:end]
        if inside == "*":
            parts.append("*")
        elif inside.isdigit() and inside.isascii():
            parts.append(int(inside))
        else:
            raise PathError(f"has [{inside}]: an index is a number, * or a quoted key")
        i = end
    if not text.startswith("]", i):
        raise PathError("has a quoted key without ']' after it")
    return i + 1


def _quoted(text: str, i: int) -> tuple[str, int]:
    key: list[str] = []
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            key.append(text[i + 1])
            i += 2
        elif char == '"':
            return "".join(key), i + 1
        else:
            key.append(char)
            i += 1
    raise PathError("has an unterminated quoted key")


def path_problem(text: str) -> str:
    """Why ``text`` is not a property path ('' when it is one)."""
    try:
        parse_path(text)
    except PathError as exc:
        example = "spec.http[0].route[*].weight"
        return f"{text!r} is not a property path: it {exc} (write e.g. {example})"
    return ""


def format_path(parts: Sequence[PathPart]) -> str:
    """The property path of ``parts``, quoting keys as the engine prints them."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif part == "*":
            out.append("[*]")
        elif _PLAIN.fullmatch(part):
            out.append(f".{part}" if out else part)
        else:
            escaped = part.replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'["{escaped}"]')
    return "".join(out)
