"""Where GAMMA routes send a request: a small evaluator of Gateway API mesh routing, for tests.

Independent of the translator: it reads plain HTTPRoute/GRPCRoute/TCPRoute manifests and
answers "a request to Service S port P goes to which backend Services, with which
probability", following Gateway API (v1.6) semantics:

* Routes attach to ``(S, P)`` through a ``parentRefs`` entry of kind Service (group ``""``)
  naming S in the route's namespace, with ``port: P`` or without a port (all ports).
* No route attached: the request goes to S itself. Routes attached but no rule matches:
  ``REJECTED`` (GAMMA rejects it, 404).
* HTTPRouteMatch: path ``Exact``, ``PathPrefix`` (segment-aware, trailing ``/`` ignored;
  the default is ``PathPrefix /``), ``RegularExpression`` (full match); one method; headers
  ``Exact`` (names case-insensitive) or ``RegularExpression`` (full match), ANDed. The
  matches of a rule are ORed; a rule without matches matches everything.
* Precedence is not rule order. RegularExpression ranking is implementation-specific, so
  the evaluator takes a ``model``, each read from the implementation's source:
  ``"istio"`` (pilot ``sortHTTPRoutes``): path kind Exact > PathPrefix > RegularExpression,
  then length of the path value, then method, then number of headers;
  ``"linkerd"`` (linkerd2-proxy ``RequestMatch`` ordering): number of path characters
  matched (Exact and RegularExpression: the whole path; PathPrefix: the prefix), then
  number of headers, then method. Both give ties to the earlier route (namespace/name
  order, standing in for creation time), then the earlier rule, then the earlier match.
* GRPCRouteMatch: ``method`` (service and/or method, Exact or RegularExpression) and
  headers; precedence: characters of the matched service, then of the method, then number
  of headers (both models).
* TCPRoute: the first rule's backends.
* Backends: ``weight`` defaults to 1, is relative, and a weight of 0 gets nothing; a rule
  whose weights are all 0 answers ``NO_BACKEND`` (500). The result maps each backend
  Service name to its probability (a :class:`~fractions.Fraction`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

REJECTED = "rejected (404)"
NO_BACKEND = "no backend (500)"
Model = Literal["istio", "linkerd"]
Outcome = dict[str, Fraction]
_KINDS = {"http": "HTTPRoute", "grpc": "GRPCRoute", "tcp": "TCPRoute"}
_PATH_RANK = {"Exact": 3, "PathPrefix": 2, "RegularExpression": 1}


@dataclass(frozen=True)
class Request:
    """A request (or, for ``tcp``, a connection) to Service ``service`` port ``port``.

    For ``grpc`` the ``path`` is ``/package.Service/Method`` (the method is always POST).
    """

    service: str
    port: int
    namespace: str = "default"
    method: str = "GET"
    path: str = "/"
    headers: Mapping[str, str] = field(default_factory=dict)
    protocol: Literal["http", "grpc", "tcp"] = "http"


def destinations(
    manifests: Iterable[Mapping[str, Any]], request: Request, model: Model = "istio"
) -> Outcome:
    """Each backend Service the request may reach, with its probability."""
    routes = _attached(manifests, request)
    if not routes:
        return {request.service: Fraction(1)}
    if request.protocol == "tcp":
        return _split(routes[0]["spec"]["rules"][0])
    best: tuple[tuple[int, ...], Mapping[str, Any]] | None = None
    for key, rule in _candidates(routes, request, model):
        if best is None or key > best[0]:  # strictly greater: ties keep the earlier
            best = (key, rule)
    return REJECTED_OUTCOME if best is None else _split(best[1])


REJECTED_OUTCOME: Outcome = {REJECTED: Fraction(1)}


def _attached(manifests: Iterable[Mapping[str, Any]], request: Request) -> list[Mapping[str, Any]]:
    kind = _KINDS[request.protocol]
    routes = [
        m
        for m in manifests
        if m.get("kind") == kind
        and any(_is_parent(m, ref, request) for ref in m["spec"].get("parentRefs", ()))
    ]
    return sorted(routes, key=lambda m: (m["metadata"]["namespace"], m["metadata"]["name"]))


def _is_parent(route: Mapping[str, Any], ref: Mapping[str, Any], request: Request) -> bool:
    return (
        ref.get("group", "gateway.networking.k8s.io") in ("", "core")
        and ref.get("kind", "Gateway") == "Service"
        and ref["name"] == request.service
        and ref.get("namespace", route["metadata"]["namespace"]) == request.namespace
        and ref.get("port", request.port) == request.port
    )


def _candidates(
    routes: list[Mapping[str, Any]], request: Request, model: Model
) -> Iterator[tuple[tuple[int, ...], Mapping[str, Any]]]:
    """(precedence key, rule) for every match that matches the request, in route order."""
    for route in routes:
        for rule in route["spec"]["rules"]:
            for match in rule.get("matches") or [{}]:
                if request.protocol == "grpc":
                    if _grpc_matches(match, request):
                        yield _grpc_key(match), rule
                elif _http_matches(match, request):
                    yield _http_key(match, request, model), rule


# --- HTTP ------------------------------------------------------------------------------


def _path(match: Mapping[str, Any]) -> tuple[str, str]:
    path = match.get("path") or {}
    return path.get("type", "PathPrefix"), path.get("value", "/")


def _http_matches(match: Mapping[str, Any], request: Request) -> bool:
    kind, value = _path(match)
    if kind == "Exact":
        path_ok = request.path == value
    elif kind == "PathPrefix":
        prefix = value.rstrip("/")
        path_ok = request.path == prefix or request.path.startswith(prefix + "/")
    else:
        path_ok = re.fullmatch(value, request.path) is not None
    if not path_ok or match.get("method", request.method) != request.method:
        return False
    assert not match.get("queryParams"), "query parameters are not evaluated"
    return _headers_match(match.get("headers", ()), request.headers)


def _headers_match(conditions: Iterable[Mapping[str, str]], headers: Mapping[str, str]) -> bool:
    present = {name.lower(): value for name, value in headers.items()}
    for condition in conditions:
        value = present.get(condition["name"].lower())
        if value is None:
            return False
        if condition.get("type", "Exact") == "Exact":
            if value != condition["value"]:
                return False
        elif re.fullmatch(condition["value"], value) is None:
            return False
    return True


def _http_key(match: Mapping[str, Any], request: Request, model: Model) -> tuple[int, ...]:
    kind, value = _path(match)
    method = int("method" in match)
    headers = len(match.get("headers", ()))
    if model == "istio":
        length = len(value.rstrip("/") or "/") if kind == "PathPrefix" else len(value)
        return _PATH_RANK[kind], length, method, headers
    matched = len(value.rstrip("/") or "/") if kind == "PathPrefix" else len(request.path)
    return matched, headers, method


# --- gRPC ------------------------------------------------------------------------------


def _grpc_matches(match: Mapping[str, Any], request: Request) -> bool:
    service, _, method = request.path.removeprefix("/").partition("/")
    wanted = match.get("method") or {}
    exact = wanted.get("type", "Exact") == "Exact"
    for part, actual in (("service", service), ("method", method)):
        if part not in wanted:
            continue
        if exact and wanted[part] != actual:
            return False
        if not exact and re.fullmatch(wanted[part], actual) is None:
            return False
    return _headers_match(match.get("headers", ()), request.headers)


def _grpc_key(match: Mapping[str, Any]) -> tuple[int, ...]:
    wanted = match.get("method") or {}
    return (
        len(wanted.get("service", "")),
        len(wanted.get("method", "")),
        len(match.get("headers", ())),
    )


# --- backends --------------------------------------------------------------------------


def _split(rule: Mapping[str, Any]) -> Outcome:
    refs = rule.get("backendRefs") or []
    for ref in refs:
        assert ref.get("kind", "Service") == "Service" and ref.get("group", "") == "", ref
        assert "port" in ref, f"a Service backendRef needs a port: {ref}"
    total = sum(ref.get("weight", 1) for ref in refs)
    if total == 0:
        return {NO_BACKEND: Fraction(1)}
    outcome: Outcome = {}
    for ref in refs:
        weight = ref.get("weight", 1)
        if weight:
            outcome[ref["name"]] = outcome.get(ref["name"], Fraction(0)) + Fraction(weight, total)
    return outcome
