"""Access read from Istio objects: AuthorizationPolicy and PeerAuthentication.

An ALLOW AuthorizationPolicy is a guard ``deny by default`` on the pods it selects (its
namespace, ``selector.matchLabels``; none: every pod, as the allow-nothing
``smi-default-deny`` does) and one grant per combination of a rule's source principal
(``from``; none: anyone), operation port, method and path (``to``; none: any, raw TCP too),
and ``when`` header value. Operations naming methods, paths or hosts, and rules with header
conditions, apply to HTTP only. ``notPaths``, ``notValues`` and any source or operation field
not modelled here (namespaces, ipBlocks, hosts, not* lists) are kept as conditions, so a
change to them is never read as equal. A DENY or CUSTOM policy is a guard (its rules as
written); a STRICT PeerAuthentication (whole or per port) is a guard ``STRICT mTLS``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from typing import Any

from .access_model import (
    ANY,
    DENY_BY_DEFAULT,
    HTTP,
    STRICT_MTLS,
    TCP,
    Access,
    Destination,
    Grant,
    Guard,
    selector_of,
)
from .values import is_unknown, items, mapping

Resource = Mapping[str, Any]
_GROUP = "security.istio.io"
_HTTP_FIELDS = ("methods", "paths", "hosts", "notMethods", "notPaths", "notHosts")
_OPERATION_KNOWN = ("ports", "methods", "paths", "notPaths")
PODS = "pods"


def manifest(resource: Resource, group: str, kinds: Sequence[str]) -> Mapping[str, Any] | None:
    """The Kubernetes manifest of ``resource`` if it is one of ``kinds`` in API ``group``."""
    if not str(resource.get("type", "")).startswith("kubernetes:"):
        return None
    properties = mapping(resource.get("properties"))
    api = properties.get("apiVersion")
    if not isinstance(api, str) or api.split("/")[0] != group:
        return None
    return properties if properties.get("kind") in kinds else None


def namespace_of(properties: Mapping[str, Any]) -> str | None:
    """``metadata.namespace`` (``default`` when absent; None when unknown)."""
    metadata = mapping(properties.get("metadata"))
    if "namespace" not in metadata:
        return "default"
    namespace = metadata["namespace"]
    return namespace if isinstance(namespace, str) and not is_unknown(namespace) else None


def canonical(value: object) -> str:
    """``value`` as compact, sorted JSON (for conditions and guards quoting objects)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _values(value: object) -> tuple[list[str], bool]:
    """A list field's values (``[*]`` when absent) and whether one is unknown."""
    if value is None:
        return [ANY], False
    if not isinstance(value, list) or any(is_unknown(v) for v in value):
        return ["(unknown)"], True
    return [str(v) for v in value] or [ANY], False


def _pods(resource: Resource, properties: Mapping[str, Any]) -> tuple[Destination, bool]:
    spec = mapping(properties.get("spec"))
    namespace = namespace_of(properties)
    selector = spec.get("selector")
    unknown = (
        namespace is None
        or "targetRef" in spec
        or "targetRefs" in spec
        or (selector is not None and not isinstance(mapping(selector).get("matchLabels", {}), dict))
        or bool(mapping(selector).get("matchExpressions"))
    )
    labels = selector_of(mapping(selector).get("matchLabels"))
    if unknown:
        return Destination(
            PODS, namespace or "(unknown)", (("(unknown)", str(resource["name"])),)
        ), True
    return Destination(PODS, namespace or "", labels), False


def _rule_grants(
    destination: Destination, rule: Mapping[str, Any], unknown: bool, via: tuple[str, ...]
) -> list[Grant]:
    sources: list[tuple[str, tuple[str, ...]]] = []
    froms = items(rule.get("from"))
    for entry in froms or [{}]:
        peer = mapping(entry.get("source"))
        principals, hidden = _values(peer.get("principals"))
        unknown = unknown or hidden
        extra = tuple(
            f"source {k} {canonical(v)}" for k, v in sorted(peer.items()) if k != "principals"
        )
        sources += [(p, extra) for p in principals]
    whens = items(rule.get("when"))
    http_only = any(str(w.get("key", "")).startswith("request.") for w in whens)
    alternatives: list[list[tuple[str, ...]]] = []
    for when in whens:
        key = str(when.get("key"))
        rest = (f"{key} not in {canonical(when['notValues'])}",) if "notValues" in when else ()
        if "values" in when:
            values, hidden = _values(when.get("values"))
            unknown = unknown or hidden
            alternatives.append([(f"{key} = {v}", *rest) for v in values])
        else:
            alternatives.append([rest])
    grants: list[Grant] = []
    for entry in items(rule.get("to")) or [{}]:
        operation = mapping(entry.get("operation"))
        http = http_only or any(operation.get(f) for f in _HTTP_FIELDS)
        ports, hidden_ports = _values(operation.get("ports"))
        methods, hidden_methods = _values(operation.get("methods"))
        paths, hidden_paths = _values(operation.get("paths"))
        hidden = unknown or hidden_ports or hidden_methods or hidden_paths
        extra = tuple(
            f"{k} {canonical(v)}" for k, v in sorted(operation.items()) if k not in _OPERATION_KNOWN
        )
        if operation.get("notPaths"):
            extra += (f"path not in {canonical(operation['notPaths'])}",)
        protocols = [HTTP] if http else [TCP, HTTP]
        for (source, from_extra), port, protocol, combo in itertools.product(
            sources, ports, protocols, itertools.product(*alternatives)
        ):
            conditions = tuple(sorted({*from_extra, *extra, *(c for part in combo for c in part)}))
            for method, path in itertools.product(
                methods if protocol == HTTP else [ANY], paths if protocol == HTTP else [ANY]
            ):
                grants.append(
                    Grant(
                        destination,
                        source,
                        protocol,
                        port,
                        method,
                        ANY if path == "*" else path,
                        conditions,
                        hidden,
                        via,
                    )
                )
    return grants


def istio_access(resources: Sequence[Resource]) -> Access:
    """The grants and guards of every AuthorizationPolicy and PeerAuthentication."""
    grants: list[Grant] = []
    guards: list[Guard] = []
    for resource in resources:
        properties = manifest(resource, _GROUP, ("AuthorizationPolicy", "PeerAuthentication"))
        if properties is None:
            continue
        via = (str(resource["name"]),)
        destination, unknown = _pods(resource, properties)
        spec = mapping(properties.get("spec"))
        if properties.get("kind") == "PeerAuthentication":
            if mapping(spec.get("mtls")).get("mode") == "STRICT":
                guards.append(Guard(destination, STRICT_MTLS, ANY, unknown, via=via))
            for port, level in sorted(mapping(spec.get("portLevelMtls")).items()):
                if mapping(level).get("mode") == "STRICT":
                    guards.append(Guard(destination, STRICT_MTLS, str(port), unknown, via=via))
            continue
        action = spec.get("action", "ALLOW")
        if action == "AUDIT":
            continue
        if action != "ALLOW":
            what = f"{action} policy {canonical(spec.get('rules') or [])}"
            guards.append(Guard(destination, what, ANY, unknown or is_unknown(action), via=via))
            continue
        guards.append(Guard(destination, DENY_BY_DEFAULT, ANY, unknown, via=via))
        for rule in items(spec.get("rules")):
            grants += _rule_grants(destination, rule, unknown, via)
    return Access.of(grants, guards)
