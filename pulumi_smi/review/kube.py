"""Shares read from Kubernetes objects: Istio VirtualServices, GAMMA routes, SMI TrafficSplits."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from . import matches
from .model import Share, shares_of_rule
from .values import items, mapping, service_host, weight_in

Properties = Mapping[str, Any]
GAMMA_KINDS = ("HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute")


def _port(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _kind(resource: Mapping[str, Any], group: str, *kinds: str) -> bool:
    properties = mapping(resource.get("properties"))
    api = str(properties.get("apiVersion", ""))
    return (
        str(resource.get("type", "")).startswith("kubernetes:")
        and api.split("/")[0] in group.split("|")
        and properties.get("kind") in kinds
    )


def _metadata(resource: Mapping[str, Any]) -> tuple[Properties, str]:
    properties = mapping(resource.get("properties"))
    namespace = mapping(properties.get("metadata")).get("namespace")
    return mapping(properties.get("spec")), namespace if isinstance(namespace, str) else "default"


def _istio(resource: Mapping[str, Any]) -> list[Share]:
    spec, namespace = _metadata(resource)
    found: list[Share] = []
    for host in spec.get("hosts") or []:
        apex = service_host(host, namespace)
        for protocol in ("http", "tcp", "tls"):
            for route in items(spec.get(protocol)):
                destinations = items(route.get("route"))
                if not destinations:
                    continue  # a redirect, direct response or delegate: no split
                entries = items(route.get("match"))
                ports = {e.get("port") for e in entries}
                port = _port(ports.pop()) if len(ports) == 1 else None
                rule = matches.describe(matches.istio(e, port is not None) for e in entries)
                weighted = [
                    (
                        _destination(mapping(d.get("destination")), namespace),
                        Fraction(1) if len(destinations) == 1 else weight_in(d, "weight", 0),
                    )
                    for d in destinations
                ]
                found += shares_of_rule(apex, port, rule, str(resource["name"]), weighted)
    return found


def _destination(destination: Properties, namespace: str) -> str:
    shown = service_host(destination.get("host"), namespace)
    subset = destination.get("subset")
    return f"{shown} (subset {subset})" if subset else shown


def _gamma(resource: Mapping[str, Any]) -> list[Share]:
    spec, namespace = _metadata(resource)
    found: list[Share] = []
    for parent in items(spec.get("parentRefs")):
        if parent.get("kind") != "Service" or parent.get("group", "") not in ("", "core"):
            continue  # a Gateway's or a Linkerd Server's route: not a mesh split
        apex = f"{parent.get('namespace') or namespace}/{parent.get('name')}"
        for rule in items(spec.get("rules")):
            refs = items(rule.get("backendRefs"))
            if not refs:
                continue
            name = matches.describe(matches.gamma(m) for m in items(rule.get("matches")))
            weighted = [(_backend(ref, namespace), weight_in(ref, "weight", 1)) for ref in refs]
            found += shares_of_rule(
                apex, _port(parent.get("port")), name, str(resource["name"]), weighted
            )
    return found


def _backend(ref: Properties, namespace: str) -> str:
    where = f"{ref.get('namespace') or namespace}/{ref.get('name')}"
    kind = ref.get("kind", "Service")
    return where if kind == "Service" else f"{kind} {where}"


def _smi(resource: Mapping[str, Any]) -> list[Share]:
    spec, namespace = _metadata(resource)
    apex = service_host(str(spec.get("service", "")).split(".")[0] or None, namespace)
    refs = items(spec.get("matches"))
    rule = (
        "matches " + ", ".join(f"{m.get('kind')}/{m.get('name')}" for m in refs)
        if refs
        else matches.DEFAULT_RULE
    )
    weighted = [
        (service_host(b.get("service"), namespace), weight_in(b, "weight", 1))
        for b in items(spec.get("backends"))
    ]
    return shares_of_rule(apex, None, rule, str(resource["name"]), weighted)


def kubernetes_shares(resource: Mapping[str, Any]) -> list[Share]:
    """The shares one Kubernetes object routes (none for other objects)."""
    if _kind(resource, "networking.istio.io", "VirtualService"):
        return _istio(resource)
    if _kind(resource, "gateway.networking.k8s.io|policy.linkerd.io", *GAMMA_KINDS):
        return _gamma(resource)
    if _kind(resource, "split.smi-spec.io", "TrafficSplit"):
        return _smi(resource)
    return []
