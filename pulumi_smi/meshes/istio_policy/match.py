"""SMI HTTP matches and ports as Istio AuthorizationPolicy operations and conditions.

Istio string fields support only exact, ``prefix*``, ``*suffix`` and ``*`` (presence), and
``paths`` also the URI templates ``{*}`` (one segment) and ``{**}`` (any number of segments).
SMI path and header values are regexes: each one is expanded by
:mod:`~pulumi_smi.meshes.regex_globs` into the list of those patterns that matches exactly the
same strings (``/api/(v1|v2)/users`` -> ``/api/v1/users*``, ``/api/v2/users*``; ``/files/.+`` ->
``paths: [/files/*]`` with ``notPaths: [/files/]`` in the same operation, which Istio ANDs),
expressed by something narrower (with a note saying what is lost), or refused
(:class:`InexpressibleMatch`): an ALLOW rule is never widened.

Path templates run in Envoy as ``{*}`` = ``[pchar]+`` and ``{**}`` = ``[pchar/]*`` where pchar is
RFC 3986's set without ``*`` (``a-zA-Z0-9-._~%!$&'()+,;:@=``). For the paths of valid HTTP
requests (percent-encoded, query stripped by Istio) ``[^/]+`` and ``{*}`` differ only on a literal
``*`` in the segment, which the template refuses: narrower, so safe for an allow-list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...spec.models import HTTPMatch
from ..access import Untranslatable, target_ports
from ..regex_globs import (
    ANY_SEGMENTS,
    MAX_GLOBS,
    ONE_SEGMENT,
    Glob,
    Globs,
    Inexpressible,
    path_globs,
    value_globs,
)

__all__ = [
    "HTTPOperation",
    "InexpressibleMatch",
    "Untranslatable",
    "http_operation",
    "target_ports",
]

_PATH_FORMS = f"exact, prefix*, *suffix and {ONE_SEGMENT}/{ANY_SEGMENTS} templates"
_VALUE_FORMS = "exact, prefix*, *suffix or * presence"


class InexpressibleMatch(Untranslatable):
    """A path or header regex of a match that Istio cannot express exactly.

    ``subject`` is ``pathRegex`` or ``header <name>``, ``regex`` the SMI regex, ``reason``
    why (for messages naming several of them).
    """

    def __init__(self, path: str, subject: str, regex: str, reason: str, forms: str) -> None:
        super().__init__(
            path,
            f"{subject} {regex!r} cannot be expressed exactly in Istio ({forms}, at most "
            f"{MAX_GLOBS}): {reason}; a wider match would allow requests SMI denies",
        )
        self.subject = subject
        self.regex = regex
        self.reason = reason


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
    paths: tuple[str, ...] = ()  # none: any path
    not_paths: tuple[str, ...] = ()
    note: str = ""


def http_operation(match: HTTPMatch, where: str) -> HTTPOperation:
    """The Istio operation allowing exactly (or less than) what ``match`` allows.

    Raises :class:`InexpressibleMatch` (about ``where``, or ``where.headers.<name>``) when only
    a wider rule would do. A match with no method and no path condition still gets
    ``paths: ["*"]`` (any non-empty path, i.e. every HTTP request): an ALLOW operation without
    HTTP fields would also allow plain TCP, which an HTTPRouteGroup never does.
    """
    operation: dict[str, Any] = {}
    if not match.any_method:
        operation["methods"] = list(dict.fromkeys(match.methods))
    rule = _path_rule(match.path_regex, where)
    if rule.paths:
        operation["paths"] = list(rule.paths)
    elif not operation:
        operation["paths"] = ["*"]
    if rule.not_paths:
        operation["notPaths"] = list(rule.not_paths)
    when = tuple(
        _header_condition(name, regex, f"{where}.headers.{name}")
        for name, regex in sorted(match.headers.items())
    )
    return HTTPOperation(operation, when, rule.note)


def _path_rule(path_regex: str | None, where: str) -> _PathRule:
    if path_regex is None:
        return _PathRule()
    note = ""
    try:
        globs = path_globs(path_regex)
    except Inexpressible as exc:
        if exc.narrower is None:
            raise InexpressibleMatch(
                where, "pathRegex", path_regex, exc.reason, _PATH_FORMS
            ) from None
        globs = exc.narrower
        note = f"pathRegex {path_regex!r} {exc.reason}; end the regex with '$' or '/.*' to say so"
    if globs == Globs((Glob("any"),)):
        return _PathRule(note=note)
    strings = _istio_strings(globs, "pathRegex", path_regex, where, path=True)
    return _PathRule(strings.include, strings.exclude, note)


def _header_condition(name: str, regex: str, where: str) -> Mapping[str, Any]:
    subject = f"header {name}"
    try:
        globs = value_globs(regex)
    except Inexpressible as exc:
        raise InexpressibleMatch(where, subject, regex, exc.reason, _VALUE_FORMS) from None
    strings = _istio_strings(globs, subject, regex, where, path=False)
    condition: dict[str, Any] = {"key": f"request.headers[{name}]", "values": list(strings.include)}
    if strings.exclude:
        condition["notValues"] = list(strings.exclude)
    return condition


@dataclass(frozen=True)
class _Strings:
    include: tuple[str, ...]
    exclude: tuple[str, ...]


def _istio_strings(globs: Globs, subject: str, regex: str, where: str, path: bool) -> _Strings:
    """``globs`` as Istio strings, refusing literals Istio would read as wildcards."""

    def istio(glob: Glob) -> str:
        if glob.kind in ("any", "template"):
            return glob.pattern
        value = glob.value
        wildcard_end = glob.kind == "prefix"
        wildcard_start = glob.kind == "suffix"
        if (value.startswith("*") and not wildcard_start) or (
            value.endswith("*") and not wildcard_end
        ):
            raise InexpressibleMatch(
                where,
                subject,
                regex,
                "Istio reads a leading or trailing '*' as a wildcard, so the literal "
                f"{value!r} cannot be matched exactly",
                _PATH_FORMS if path else _VALUE_FORMS,
            )
        if path and (ONE_SEGMENT in value or ANY_SEGMENTS in value):
            raise InexpressibleMatch(
                where,
                subject,
                regex,
                f"Istio reads '{ONE_SEGMENT}' and '{ANY_SEGMENTS}' in a path as a template",
                _PATH_FORMS,
            )
        return glob.pattern

    include = tuple(istio(g) for g in globs.include)
    exclude = tuple(istio(Glob("exact", e)) for e in globs.exclude)
    return _Strings(include, exclude)
