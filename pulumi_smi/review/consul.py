"""Shares read from Consul's discovery chain: ServiceRouters and ServiceSplitters.

Entries come as consul-k8s CRDs (camelCase ``spec``, ``metadata.name`` the Consul name) or
as pulumi-consul ``ConfigEntry`` resources (``kind``, ``name``, ``configJson`` in the API's
PascalCase). An apex is a service with a router, or with a splitter that no router routes
to: a router's route, or the rest, goes to its destination service, then through that
service's splitter when it has one (recursively: a split to another split service is split
again), else to the service itself. A subset is shown ``service/subset``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from . import matches
from .model import Share, shares_of_rule
from .values import Index, items, mapping, weight_in

CONFIG_ENTRY = "consul:index/configEntry:ConfigEntry"
_CRD_GROUP = "consul.hashicorp.com"
_KINDS = {"service-router": "ServiceRouter", "service-splitter": "ServiceSplitter"}


@dataclass(frozen=True)
class _Entry:
    kind: str
    name: str
    spec: Mapping[str, Any]
    source: str


def _camel(value: Any) -> Any:
    """The API's PascalCase as the CRD's camelCase (``HTTP`` -> ``http``)."""
    if isinstance(value, Mapping):
        return {
            ("http" if k == "HTTP" else k[:1].lower() + k[1:]): _camel(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _entries(index: Index) -> list[_Entry]:
    found: list[_Entry] = []
    for resource in index.resources:
        properties = mapping(resource.get("properties"))
        kind = properties.get("kind")
        if resource.get("type") == CONFIG_ENTRY and kind in _KINDS:
            try:
                spec = json.loads(str(properties.get("configJson")))
            except ValueError:
                continue  # unknown in a preview
            name = properties.get("name")
            if isinstance(name, str) and isinstance(spec, Mapping):
                found.append(_Entry(_KINDS[str(kind)], name, _camel(spec), str(resource["name"])))
        elif (
            str(resource.get("type", "")).startswith(f"kubernetes:{_CRD_GROUP}/")
            and kind in _KINDS.values()
        ):
            name = mapping(properties.get("metadata")).get("name")
            if isinstance(name, str):
                spec = mapping(properties.get("spec"))
                found.append(_Entry(str(kind), name, spec, str(resource["name"])))
    return found


Weighted = list[tuple[str, Fraction | None]]


def _resolve(
    service: str, subset: object, splitters: Mapping[str, _Entry], seen: frozenset[str]
) -> Weighted:
    if subset:
        return [(f"{service}/{subset}", Fraction(1))]
    splitter = splitters.get(service)
    if splitter is None or service in seen:
        return [(service, Fraction(1))]
    splits = items(splitter.spec.get("splits"))
    weights = [weight_in(s, "weight", 0) for s in splits]
    if any(w is None for w in weights):
        return [(str(s.get("service") or service), None) for s in splits]
    total = sum((w for w in weights if w is not None), Fraction(0))
    found: Weighted = []
    for split, weight in zip(splits, weights, strict=True):
        target = str(split.get("service") or service)
        subset_of = split.get("serviceSubset")
        inner: Weighted
        if target == service and not subset_of:
            inner = [(service, Fraction(1))]  # its own instances, past its splitter
        else:
            inner = _resolve(target, subset_of, splitters, seen | {service})
        for backend, share in inner:
            scaled = (
                None if share is None or weight is None or not total else share * weight / total
            )
            found.append((backend, scaled if total else Fraction(0)))
    return found


def consul_shares(index: Index) -> list[Share]:
    """The shares of every Consul apex among ``index``'s resources."""
    entries = _entries(index)
    routers = {e.name: e for e in entries if e.kind == "ServiceRouter"}
    splitters = {e.name: e for e in entries if e.kind == "ServiceSplitter"}
    routed_to = {
        str(mapping(r.get("destination")).get("service"))
        for router in routers.values()
        for r in items(router.spec.get("routes"))
    }
    apexes = sorted(set(routers) | (set(splitters) - routed_to))
    found: list[Share] = []
    for apex in apexes:
        router = routers.get(apex)
        for route in items(router.spec.get("routes")) if router else []:
            rule = matches.describe(
                [matches.consul(mapping(mapping(route.get("match")).get("http")))]
            )
            destination = mapping(route.get("destination"))
            target = str(destination.get("service") or apex)
            weighted = _resolve(target, destination.get("serviceSubset"), splitters, frozenset())
            source = router.source if router else apex
            found += shares_of_rule(apex, None, rule, source, weighted)
        if apex in splitters or router is not None:
            source = splitters[apex].source if apex in splitters else routers[apex].source
            weighted = _resolve(apex, None, splitters, frozenset())
            found += shares_of_rule(apex, None, matches.DEFAULT_RULE, source, weighted)
    return found
