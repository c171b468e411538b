"""Where does a request go? An evaluator of Istio VirtualServices, for tests.

Independent of the translator: it follows the VirtualService semantics of
istio/api ``networking/v1alpha3/virtual_service.proto``. The first ``http`` (or
``tcp``) route whose match list has a matching entry wins (entries are ORed,
fields of an entry ANDed); ``uri``/header regexes match the whole string (RE2
full match); header names are lower-case. A host with no VirtualService keeps
its traffic; a request matching no route of a bound host gets 404 (Envoy's
``NR``). Destinations are returned as probabilities by weight.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

NO_ROUTE = "404 (no route)"


@dataclass(frozen=True)
class Request:
    """An HTTP request (``tcp=True``: a TCP connection) to ``host`` on ``port``."""

    host: str
    port: int = 80
    method: str = "GET"
    path: str = "/"
    headers: Mapping[str, str] = field(default_factory=dict)
    tcp: bool = False


def _string_match(spec: Mapping[str, str], value: str | None) -> bool:
    if value is None:
        return False
    if "exact" in spec:
        return value == spec["exact"]
    if "prefix" in spec:
        return value.startswith(spec["prefix"])
    if "regex" in spec:
        return re.fullmatch(spec["regex"], value) is not None
    return True


def _entry_matches(entry: Mapping[str, Any], request: Request) -> bool:
    if "port" in entry and entry["port"] != request.port:
        return False
    if "uri" in entry and not _string_match(entry["uri"], request.path):
        return False
    if "method" in entry and not _string_match(entry["method"], request.method):
        return False
    headers = {k.lower(): v for k, v in request.headers.items()}
    return all(
        _string_match(spec, headers.get(name)) for name, spec in entry.get("headers", {}).items()
    )


def _weighted(route: Iterable[Mapping[str, Any]]) -> dict[str, Fraction]:
    destinations = list(route)
    if len(destinations) == 1:
        return {destinations[0]["destination"]["host"]: Fraction(1)}
    total = sum(d.get("weight", 0) for d in destinations)
    assert total > 0, "Istio rejects several destinations whose weights sum to 0"
    shares: dict[str, Fraction] = {}
    for d in destinations:
        if d.get("weight", 0):
            host = d["destination"]["host"]
            shares[host] = shares.get(host, Fraction(0)) + Fraction(d["weight"], total)
    return shares


def route(virtual_services: Iterable[Mapping[str, Any]], request: Request) -> dict[str, Fraction]:
    """Destination host -> probability for ``request``; ``{NO_ROUTE: 1}`` when none matches."""
    bound = [vs for vs in virtual_services if request.host in vs["spec"]["hosts"]]
    assert len(bound) <= 1, f"several VirtualServices bind {request.host} (Istio: undefined)"
    if not bound:
        return {request.host: Fraction(1)}
    spec = bound[0]["spec"]
    for rule in spec.get("tcp" if request.tcp else "http", []):
        entries = rule.get("match") or [{}]
        if any(_entry_matches(entry, request) for entry in entries):
            return _weighted(rule["route"])
    if request.tcp:
        return {request.host: Fraction(1)}  # no tcp route: Istio passes the connection through
    return {NO_ROUTE: Fraction(1)}
