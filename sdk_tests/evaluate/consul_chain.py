"""Where a request goes through Consul's discovery chain: an evaluator of config entries.

Independent of the translator; it follows Consul's documented chain: a request to service
S is matched against S's ServiceRouter routes in order (first match wins; ``pathExact``,
``pathPrefix`` — a string prefix — and ``pathRegex`` — RE2 full match —, ``methods``, and
``header`` conditions exact/prefix/suffix/regex/present, all ANDed); the matched route's
destination service, or S itself when none matches, then goes through that service's
ServiceSplitter if it has one (recursively, as a split to another service is eligible for
further splitting), else to the service's instances. A split or destination with a
``serviceSubset`` ends at that subset, shown as ``service/subset``. Entries are read in CRD
form (camelCase spec, ``metadata.name`` = the Consul name).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

Outcome = dict[str, Fraction]


@dataclass(frozen=True)
class Request:
    """An HTTP request to Consul service ``service``."""

    service: str
    method: str = "GET"
    path: str = "/"
    headers: Mapping[str, str] = field(default_factory=dict)


def route(entries: Iterable[Mapping[str, Any]], request: Request) -> Outcome:
    """Each final service (or ``service/subset``) the request may reach, with its probability."""
    by_kind: dict[tuple[str, str], Mapping[str, Any]] = {
        (e["kind"], e["metadata"]["name"]): e["spec"] for e in entries
    }
    router = by_kind.get(("ServiceRouter", request.service))
    target: Mapping[str, str] = {"service": request.service}
    for candidate in (router or {}).get("routes", []):
        if _matches(candidate.get("match", {}).get("http", {}), request):
            target = candidate["destination"]
            break
    return _resolve(by_kind, target, Fraction(1), depth=0)


def _resolve(
    by_kind: Mapping[tuple[str, str], Mapping[str, Any]],
    target: Mapping[str, str],
    share: Fraction,
    depth: int,
) -> Outcome:
    assert depth < 8, "splitter loop"
    service, subset = target["service"], target.get("serviceSubset")
    if subset:
        return {f"{service}/{subset}": share}
    splitter = by_kind.get(("ServiceSplitter", service))
    if splitter is None:
        return {service: share}
    splits = splitter["splits"]
    assert sum(Fraction(str(s["weight"])) for s in splits) == 100
    outcome: Outcome = {}
    for split in splits:
        weight = Fraction(str(split["weight"])) / 100
        if not weight:
            continue
        onward = dict(split)
        onward.setdefault("service", service)
        # A split to the splitter's own service ends there (Consul does not split it again).
        nested = (
            {service: share * weight}
            if onward["service"] == service and not onward.get("serviceSubset")
            else _resolve(by_kind, onward, share * weight, depth + 1)
        )
        for name, value in nested.items():
            outcome[name] = outcome.get(name, Fraction(0)) + value
    return outcome


def _matches(http: Mapping[str, Any], request: Request) -> bool:
    path = request.path.split("?", 1)[0]
    if "pathExact" in http and path != http["pathExact"]:
        return False
    if "pathPrefix" in http and not path.startswith(http["pathPrefix"]):
        return False
    if "pathRegex" in http and re.fullmatch(http["pathRegex"], path) is None:
        return False
    if http.get("methods") and request.method not in http["methods"]:
        return False
    headers = {k.lower(): v for k, v in request.headers.items()}
    return all(_header(h, headers.get(h["name"].lower())) for h in http.get("header", []))


def _header(condition: Mapping[str, Any], value: str | None) -> bool:
    if condition.get("present"):
        return value is not None
    if value is None:
        return False
    if "exact" in condition:
        return value == condition["exact"]
    if "prefix" in condition:
        return value.startswith(condition["prefix"])
    if "suffix" in condition:
        return value.endswith(condition["suffix"])
    if "regex" in condition:
        return re.fullmatch(condition["regex"], value) is not None
    raise AssertionError(f"unknown header condition {condition}")
