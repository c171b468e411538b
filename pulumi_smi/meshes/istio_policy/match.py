"""SMI HTTP matches and ports as Istio AuthorizationPolicy operations and conditions.

Istio string fields support only exact, ``prefix*``, ``*suffix`` and ``*`` (presence), and
``paths`` also the URI templates ``{*}`` (one segment) and ``{**}`` (any number of segments).
SMI path and header values are regexes, so each one is either expressed exactly, expressed by
something narrower (with a note saying what is lost), or refused: an ALLOW rule is never widened.

Path templates run in Envoy as ``{*}`` = ``[pchar]+`` and ``{**}`` = ``[pchar/]*`` where pchar is
RFC 3986's set without ``*`` (``a-zA-Z0-9-._~%!$&'()+,;:@=``). For the paths of valid HTTP
requests (percent-encoded, query stripped by Istio) ``[^/]+`` and ``{*}`` differ only on a literal
``*`` in the segment, which the template refuses: narrower, so safe for an allow-list.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...spec.models import HTTPMatch
from ..access import Untranslatable, target_ports
from ..paths import smi_header, smi_path

__all__ = ["HTTPOperation", "Untranslatable", "http_operation", "target_ports"]

ONE_SEGMENT = "{*}"
ANY_SEGMENTS = "{**}"
_SEGMENT_CLASS = "[^/]+"
_TEMPLATE_LITERAL = set(string.ascii_letters + string.digits + "-._~%!$&'()+,;:@=")
_META = set(".^$*+?()[]{}|\\")


@dataclass(frozen=True)
class HTTPOperation:
    """One SMI HTTP match as an Istio ``operation`` (without ports) and its ``when`` conditions.

    ``note`` says what a narrower translation denies that SMI allows (empty when exact).
    """

    operation: Mapping[str, Any]
    when: tuple[Mapping[str, Any], ...] = ()
    note: str = ""


@dataclass(frozen=True)
class _PathRule:
    paths: tuple[str, ...] = ()
    note: str = ""


@dataclass
class _Template:
    segments: list[list[str]] = field(default_factory=lambda: [[]])
    open_end: bool = True

    def text(self) -> str:
        return "/".join("".join(segment) for segment in self.segments)


def http_operation(match: HTTPMatch, where: str) -> HTTPOperation:
    """The Istio operation allowing exactly (or less than) what ``match`` allows.

    Raises :class:`Untranslatable` (about ``where``) when only a wider rule would do. A match
    with no method and no path condition still gets ``paths: ["*"]`` (any non-empty path, i.e.
    every HTTP request): an ALLOW operation without HTTP fields would also allow plain TCP,
    which an HTTPRouteGroup never does.
    """
    operation: dict[str, Any] = {}
    if not match.any_method:
        operation["methods"] = list(dict.fromkeys(match.methods))
    rule = _path_rule(match.path_regex, where)
    if rule.paths:
        operation["paths"] = list(rule.paths)
    elif not operation:
        operation["paths"] = ["*"]
    when = tuple(
        {"key": f"request.headers[{name}]", "values": [_header_value(name, regex, where)]}
        for name, regex in sorted(match.headers.items())
    )
    return HTTPOperation(operation, when, rule.note)


def _path_rule(path_regex: str | None, where: str) -> _PathRule:
    match = smi_path(path_regex)
    if match.kind == "any":
        return _PathRule()
    if match.kind == "exact":
        if not match.value:
            raise Untranslatable(where, f"pathRegex {path_regex!r} matches only the empty path")
        return _PathRule((_plain_glob(match.value, "", path_regex, where),))
    if match.kind == "prefix":
        return _PathRule((_plain_glob(match.value, "*", path_regex, where),))
    return _template_rule(path_regex or "", where)


def _plain_glob(value: str, wildcard: str, original: str | None, where: str) -> str:
    """``value`` (+ ``wildcard``) as an Istio string, refusing what Istio would read as a glob."""
    if value.startswith("*") or (value.endswith("*") and not wildcard):
        raise Untranslatable(
            where,
            f"{original!r}: Istio reads a leading or trailing '*' as a wildcard, so the literal "
            f"{value!r} cannot be matched exactly",
        )
    if ONE_SEGMENT in value or ANY_SEGMENTS in value:
        raise Untranslatable(
            where, f"{original!r}: Istio reads '{{*}}' and '{{**}}' in a path as a template"
        )
    return value + wildcard


def _template_rule(path_regex: str, where: str) -> _PathRule:
    """A regex made of literal segments, ``[^/]+`` segments and a final ``.*`` or ``$``."""
    template = _parse_template(path_regex, where)
    text = template.text()
    if not template.open_end:
        return _PathRule((text,))
    if ONE_SEGMENT not in text:  # 'literal.*$': a plain prefix (smi_path leaves it a regex)
        return _PathRule((_plain_glob(text, "*", path_regex, where),))
    last = template.segments[-1]
    if not last:
        return _PathRule((text + ANY_SEGMENTS,))
    rule = (text, f"{text}/{ANY_SEGMENTS}")
    if last == [ONE_SEGMENT]:
        return _PathRule(rule)
    return _PathRule(
        rule,
        f"pathRegex {path_regex!r} also matches paths continuing the last segment (such as "
        f"{text.replace(ONE_SEGMENT, 'x')}-more), which Istio path templates cannot express: "
        f"only {text} and {text}/... are allowed; end the regex with '$' or '/.*' to say so",
    )


def _parse_template(path_regex: str, where: str) -> _Template:
    def refuse(why: str) -> Untranslatable:
        return Untranslatable(
            where,
            f"pathRegex {path_regex!r} cannot be expressed as an Istio path (exact, prefix, or a "
            f"template of literal and [^/]+ segments ending in '$' or '.*'): {why}; a wider "
            "path would allow requests SMI denies",
        )

    body = path_regex.removeprefix("^")
    template = _Template()
    i = 0
    while i < len(body):
        if body.startswith(_SEGMENT_CLASS, i):
            template.segments[-1].append(ONE_SEGMENT)
            i += len(_SEGMENT_CLASS)
        elif body[i:] in (".*", ".*$", "$"):
            template.open_end = body[i:] != "$"
            break
        else:
            char, i = _literal_char(body, i)
            if char is None:
                raise refuse(f"it uses regex syntax at {body[i:]!r}")
            if char == "/":
                template.segments.append([])
            elif char in _TEMPLATE_LITERAL:
                template.segments[-1].append(char)
            else:
                raise refuse(f"{char!r} is not allowed in a path template")
    if template.segments[0]:
        raise refuse("it does not start with '/'")
    if any(ONE_SEGMENT in seg and seg != [ONE_SEGMENT] for seg in template.segments):
        raise refuse("[^/]+ must be a whole path segment")
    return template


def _literal_char(body: str, i: int) -> tuple[str | None, int]:
    """The literal character at ``i`` (None for regex syntax) and the index after it."""
    char = body[i]
    if char == "\\":
        escaped = body[i + 1 : i + 2]
        if not escaped or escaped.isalnum() or escaped == "_":
            return None, i
        return escaped, i + 2
    if char in _META:
        return None, i
    return char, i + 1


def _header_value(name: str, regex: str, where: str) -> str:
    match = smi_header(regex)
    if match.kind == "present":
        return "*"
    if match.kind == "exact" and match.value:
        return _plain_glob(match.value, "", regex, f"{where}.headers.{name}")
    if match.kind == "prefix" and match.value:
        return _plain_glob(match.value, "*", regex, f"{where}.headers.{name}")
    if match.kind == "suffix" and match.value and not match.value.endswith("*"):
        return "*" + match.value
    raise Untranslatable(
        f"{where}.headers.{name}",
        f"header regex {regex!r} cannot be expressed as an Istio condition (exact, prefix "
        "'v.*', suffix '.*v' or presence '.*' only); a wider condition would allow requests "
        "SMI denies",
    )
