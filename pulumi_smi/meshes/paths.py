"""SMI path and header regexes, classified for targets with simpler match types.

SMI anchors ``pathRegex`` at the start of the path only (``/api`` matches
``/api/v1``); meshes match whole paths. A regex is reduced to an exact path, a
string prefix or "any" only when that means exactly the same; otherwise it stays
a regex that fully matches exactly what SMI matches. Header values are regexes
on the whole value (as Envoy-based SMI implementations applied them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..spec.regex import full_match_of_prefix_regex

_META = set(".^$*+?()[]{}|\\")

MatchKind = Literal["any", "exact", "prefix", "suffix", "present", "regex"]


@dataclass(frozen=True)
class Match:
    """A classified SMI regex.

    ``kind`` is ``any`` (matches everything), ``exact``, ``prefix`` (string
    prefix, not path-segment aware), ``suffix``, ``present`` (headers: any value)
    or ``regex``, whose ``value`` is then a full-match RE2 regex.
    """

    kind: MatchKind
    value: str = ""


def escape(text: str) -> str:
    """``text`` as a regex matching it literally (only regex syntax is escaped)."""
    return "".join(f"\\{c}" if c in _META else c for c in text)


def literal(pattern: str) -> str | None:
    """The string ``pattern`` matches literally, or None if it has regex syntax."""
    chars: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escaped = pattern[i + 1 : i + 2]
            if not escaped or escaped.isalnum() or escaped == "_":
                return None  # \d, \w, \b... are classes or assertions, not characters
            chars.append(escaped)
            i += 2
            continue
        if char in _META:
            return None
        chars.append(char)
        i += 1
    return "".join(chars)


def _ends_with_any(pattern: str) -> bool:
    return pattern.endswith(".*") and literal(pattern[:-2]) is not None


def smi_path(path_regex: str | None) -> Match:
    """Classify an SMI ``pathRegex`` (start-anchored) for a full-match target."""
    if path_regex is None:
        return Match("any")
    body = path_regex.removeprefix("^")
    if "|" not in body and body.endswith("$") and not body.endswith("\\$"):
        inner = body[:-1]
        exact = literal(inner)
        if exact is not None:
            return Match("exact", exact)
        if _ends_with_any(inner):  # '/api/.*$' is the same as '/api/.*'
            body = inner
        else:
            return Match("regex", inner)
    prefix = literal(body[:-2]) if _ends_with_any(body) else literal(body)
    if prefix is not None:
        return Match("prefix", prefix) if prefix else Match("any")
    return Match("regex", full_match_of_prefix_regex(body))


def smi_header(value_regex: str) -> Match:
    """Classify an SMI header value regex (matched against the whole value)."""
    if value_regex in (".*", "^.*$", "^.*"):
        return Match("present")
    exact = literal(value_regex)
    if exact is not None:
        return Match("exact", exact)
    if _ends_with_any(value_regex):
        return Match("prefix", literal(value_regex[:-2]) or "")
    if value_regex.startswith(".*"):
        suffix = literal(value_regex[2:])
        if suffix is not None:
            return Match("suffix", suffix)
    return Match("regex", value_regex)
