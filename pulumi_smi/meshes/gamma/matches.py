"""SMI HTTP matches as Gateway API ``HTTPRouteMatch``/``GRPCRouteMatch``, and their precedence.

Paths: SMI's start-anchored ``pathRegex`` becomes an ``Exact`` path when it names one
path, no path at all when it matches every path, and a full-match ``RegularExpression``
otherwise. Gateway API's ``PathPrefix`` is never used for an SMI prefix: it is
segment-aware (``/api`` matches ``/api/x`` but not ``/apix``, and ``/api/`` also matches
``/api``), so it equals SMI's string prefix only for ``/``, which is the same as no path.

Precedence: Gateway API does not use rule order first. Implementations sort the matches
of every route attached to a Service port, and regular expressions are
implementation-specific. Read from source: Istio sorts by path kind (Exact > PathPrefix >
RegularExpression), then the length of the path value, then method, then header count;
Linkerd by the number of path characters matched (a regex matches the whole path), then
header count, then method. Ties go to the earlier rule in both. The catch-all rule must lose
to every match rule in both: when a route holds a regex path match, the catch-all and the
"any path" matches are written as the regex ``.*`` too (see :func:`uses_regex_paths`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ...spec.models import HTTPMatch
from ..paths import escape, smi_header, smi_path

ANY_PATH = ".*"
"""The regex every path fully matches: the catch-all's path in a route with regex paths."""
MAX_PATH = 1024
MAX_HEADER_VALUE = 4096
_HEADER_VALUE = re.compile(r"[!-~]+([\t ]?[!-~]+)*")
_PATH_CHARS = re.compile(r"(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+")
_PATH_FORBIDDEN = ("//", "/./", "/../", "%2f", "%2F", "#")
_GRPC_SERVICE = re.compile(r"\.?[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*")
_GRPC_METHOD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")

Match = dict[str, Any]


class Inexpressible(ValueError):
    """An SMI match that the route kind cannot express exactly."""


# --- HTTPRoute -------------------------------------------------------------------------


def http_matches(match: HTTPMatch) -> list[Match]:
    """The HTTPRouteMatches (ORed) for one SMI match: one per method."""
    path = _http_path(match.path_regex)
    headers = [_header(name, match.headers[name]) for name in sorted(match.headers)]
    if len(headers) > 16:
        raise Inexpressible(f"match {match.name!r} has {len(headers)} headers (Gateway API: 16)")
    methods: Sequence[str | None] = (
        [None] if match.any_method else list(dict.fromkeys(match.methods))
    )
    result: list[Match] = []
    for method in methods:
        item: Match = {}
        if path is not None:
            item["path"] = path
        if method is not None:
            item["method"] = method
        if headers:
            item["headers"] = headers
        result.append(item)
    return result


def uses_regex_paths(matches: Sequence[Match]) -> bool:
    """Whether any match has a RegularExpression path (the route then uses :data:`ANY_PATH`)."""
    return any(m.get("path", {}).get("type") == "RegularExpression" for m in matches)


def with_regex_any_path(match: Match) -> Match:
    """``match`` with the regex :data:`ANY_PATH` instead of "no path".

    Istio ranks every PathPrefix (the default path) above every regex, so in a route with
    regex paths the catch-all and the any-path matches must be regexes too.
    """
    if "path" in match:
        return match
    return {"path": {"type": "RegularExpression", "value": ANY_PATH}, **match}


def _http_path(path_regex: str | None) -> dict[str, str] | None:
    classified = smi_path(path_regex)
    if classified.kind == "any" or (classified.kind, classified.value) == ("prefix", "/"):
        return None
    if classified.kind == "exact":
        if _exact_path_ok(classified.value):
            return {"type": "Exact", "value": classified.value}
        return _regex_path(escape(classified.value), path_regex)
    if classified.kind == "prefix":
        return _regex_path(escape(classified.value) + ".*", path_regex)
    return _regex_path(classified.value, path_regex)


def _exact_path_ok(path: str) -> bool:
    """Whether Gateway API accepts ``path`` as an Exact path (its CEL rules)."""
    return (
        path.startswith("/")
        and len(path) <= MAX_PATH
        and not any(bad in path for bad in _PATH_FORBIDDEN)
        and not path.endswith(("/..", "/."))
        and _PATH_CHARS.fullmatch(path) is not None
    )


def _regex_path(value: str, path_regex: str | None) -> dict[str, str]:
    if len(value) > MAX_PATH:
        raise Inexpressible(f"pathRegex {path_regex!r} gives a regex longer than {MAX_PATH}")
    if len(value) < len(ANY_PATH):
        value = f"(?:{value})"  # never shorter than the catch-all's ".*" (Istio sorts by length)
    return {"type": "RegularExpression", "value": value}


def _header(name: str, value_regex: str) -> dict[str, str]:
    classified = smi_header(value_regex)
    if classified.kind == "exact" and _HEADER_VALUE.fullmatch(classified.value):
        return {"name": name, "type": "Exact", "value": classified.value}
    value = {
        "exact": escape(classified.value) or "(?:)",
        "present": ANY_PATH,
        "prefix": escape(classified.value) + ".*",
        "suffix": ".*" + escape(classified.value),
    }.get(classified.kind, classified.value)
    if len(value) > MAX_HEADER_VALUE or not _HEADER_VALUE.fullmatch(value):
        raise Inexpressible(
            f"header {name!r}: {value_regex!r} is not a valid Gateway API header value "
            "(printable ASCII, single inner spaces, at most 4096 characters)"
        )
    return {"name": name, "type": "RegularExpression", "value": value}


# --- GRPCRoute -------------------------------------------------------------------------


def grpc_matches(match: HTTPMatch) -> list[Match]:
    """The GRPCRouteMatches for one SMI match; empty when it can match no gRPC call.

    gRPC calls are ``POST /package.Service/Method``: methods without POST match none;
    a path must name a service (``^/pkg.Svc/``, ``/pkg.Svc/.*``) or a method
    (``^/pkg.Svc/Method$``). Anything else would have to widen or narrow the match.
    """
    if not match.any_method and "POST" not in match.methods:
        return []
    item: Match = {}
    method = _grpc_method(match.path_regex)
    if method is not None:
        item["method"] = method
    headers = [_header(name, match.headers[name]) for name in sorted(match.headers)]
    if len(headers) > 16:
        raise Inexpressible(f"match {match.name!r} has {len(headers)} headers (Gateway API: 16)")
    if headers:
        item["headers"] = headers
    return [item]


def _grpc_method(path_regex: str | None) -> dict[str, str] | None:
    if smi_path(path_regex).kind == "any":
        return None
    parsed = _GRPC_PATH.fullmatch(path_regex or "")
    if parsed is None:
        raise Inexpressible(
            f"pathRegex {path_regex!r} names no gRPC service or method: on a gRPC port write "
            "'^/package.Service/Method$' or '/package.Service/.*'"
        )
    service, method, method_prefix = parsed.group("service", "method", "prefix")
    literal_service = _literal_dots(service)
    if literal_service is not None and (method is not None or method_prefix is None):
        exact = {"type": "Exact", "service": literal_service}
        return exact if method is None else {**exact, "method": method}
    regex = {"type": "RegularExpression", "service": service}
    if method is not None or method_prefix is not None:
        regex["method"] = escape(method) if method is not None else f"{method_prefix}.*"
    return regex


# A gRPC call's path is exactly /<service>/<method>, so an SMI pathRegex of this shape
# splits exactly into a service part and a method part (the latter exact with "$",
# a prefix without it, or absent for every method of the service).
_GRPC_PATH = re.compile(
    r"\^?/(?P<service>(?:\\\.|[.A-Za-z0-9_])+)/"
    r"(?:(?P<method>[A-Za-z_][A-Za-z_0-9]*)\$|(?P<prefix>[A-Za-z_][A-Za-z_0-9]*)(?:\.\*)?|\.\*)?"
)


def _literal_dots(service: str) -> str | None:
    """The service name when every dot is escaped (a literal), else None."""
    unescaped = service.replace("\\.", "")
    if "." in unescaped:
        return None
    literal = service.replace("\\.", ".")
    return literal if _GRPC_SERVICE.fullmatch(literal) else None


# --- precedence ------------------------------------------------------------------------


def may_outrank(later: Match, earlier: Match, grpc: bool = False) -> bool:
    """Whether a request matching both could pick ``later`` over the earlier rule's match.

    ``True`` when the two may overlap and Istio's or Linkerd's ordering (module doc) can
    rank ``later`` strictly higher; ties go to the earlier rule everywhere.
    """
    if not _may_overlap(later, earlier):
        return False
    if grpc:
        return _grpc_key(later) > _grpc_key(earlier)
    return _istio_key(later) > _istio_key(earlier) or _linkerd_outranks(later, earlier)


def _istio_key(match: Match) -> tuple[int, int, bool, int]:
    path = match.get("path")
    rank, length = (2, 1) if path is None else (_RANKS[path["type"]], len(path["value"]))
    return rank, length, "method" in match, len(match.get("headers", ()))


_RANKS = {"Exact": 3, "PathPrefix": 2, "RegularExpression": 1}


def _linkerd_outranks(later: Match, earlier: Match) -> bool:
    """Linkerd: matched path characters, then header count, then method."""
    later_specific, earlier_specific = "path" in later, "path" in earlier
    if later_specific and not earlier_specific:
        return True  # any longer path beats the default PathPrefix "/"
    if earlier_specific and not later_specific and not _can_match_root(earlier):
        return False
    rest = (len(later.get("headers", ())), "method" in later)
    return rest > (len(earlier.get("headers", ())), "method" in earlier)


def _can_match_root(match: Match) -> bool:
    path = match["path"]
    if path["type"] == "Exact":
        return bool(path["value"] == "/")
    return _fullmatch(path["value"], "/")


def _grpc_key(match: Match) -> tuple[int, int, int]:
    method = match.get("method", {})
    return (
        len(method.get("service", "")),
        len(method.get("method", "")),
        len(match.get("headers", ())),
    )


def _may_overlap(a: Match, b: Match) -> bool:
    """False only when no request can satisfy both matches."""
    if "method" in a and "method" in b and a["method"] != b["method"]:
        if not isinstance(a["method"], Mapping):
            return False
        if _grpc_disjoint(a["method"], b["method"]):
            return False
    if _paths_disjoint(a.get("path"), b.get("path")):
        return False
    b_headers = {h["name"]: h for h in b.get("headers", ())}
    return not any(
        _values_disjoint(h, b_headers[h["name"]])
        for h in a.get("headers", ())
        if h["name"] in b_headers
    )


def _grpc_disjoint(a: Mapping[str, str], b: Mapping[str, str]) -> bool:
    return any(key in a and key in b and a[key] != b[key] for key in ("service", "method"))


def _paths_disjoint(a: Mapping[str, str] | None, b: Mapping[str, str] | None) -> bool:
    return a is not None and b is not None and _values_disjoint(a, b)


def _values_disjoint(a: Mapping[str, str], b: Mapping[str, str]) -> bool:
    """Whether no value satisfies both (Exact or RegularExpression) string matches."""
    if a["type"] == "Exact" and b["type"] == "Exact":
        return bool(a["value"] != b["value"])
    if a["type"] == "Exact":
        return not _fullmatch(b["value"], a["value"])
    if b["type"] == "Exact":
        return not _fullmatch(a["value"], b["value"])
    return False


def _fullmatch(regex: str, text: str) -> bool:
    try:
        return re.fullmatch(regex, text) is not None
    except re.error:  # an RE2-only construct: assume it may match
        return True
