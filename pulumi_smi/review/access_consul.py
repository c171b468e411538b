"""Access read from Consul ServiceIntentions: consul-k8s CRDs or pulumi-consul ConfigEntries.

The destination is the entry's Consul service (``namespace/name`` with Enterprise). Per
source (``[peer:P/][partition/][namespace/]name``; ``*``: anyone):

* ``action: allow`` grants raw TCP and every HTTP request; ``action: deny`` is a guard;
* ``permissions`` are tried in order, the first match deciding: an allow permission grants
  one HTTP grant per method, with its path (``pathExact``/``pathPrefix``/``pathRegex``)
  and its header conditions, plus a condition per deny permission before it (a deny moved
  or removed is then never read as equal); every deny permission is also a guard. When no
  permission is a catch-all deny, the rest falls to the ACL default policy: a grant of every
  request with that condition.

L7 grants carry the destination's protocol (from its ServiceDefaults, ``default`` when none
is in the input) as a condition, since Consul denies L7 intentions on a TCP service.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .access_istio import canonical, manifest
from .access_model import ANY, ANYONE_DENIED, HTTP, TCP, Access, Destination, Grant, Guard
from .consul import CONFIG_ENTRY, _camel
from .values import is_unknown, items, mapping

Resource = Mapping[str, Any]
_GROUP = "consul.hashicorp.com"
_KINDS = {"service-intentions": "ServiceIntentions", "service-defaults": "ServiceDefaults"}
SERVICE = "consul service"
_HTTP_KNOWN = ("pathExact", "pathPrefix", "pathRegex", "methods", "header")
_FALLS_THROUGH = "no permission matched: the ACL default policy decides"


def _entries(resources: Sequence[Resource]) -> list[tuple[str, str, Mapping[str, Any], str]]:
    """(kind, scope, spec, logical name) of every ServiceIntentions and ServiceDefaults."""
    found = []
    for resource in resources:
        name = str(resource["name"])
        properties = manifest(resource, _GROUP, tuple(_KINDS.values()))
        if properties is not None:
            spec = mapping(properties.get("spec"))
            metadata = mapping(properties.get("metadata"))
            destination = mapping(spec.get("destination"))
            service = destination.get("name", metadata.get("name"))
            namespace = destination.get("namespace")
            found.append((str(properties["kind"]), _scope(namespace, service), spec, name))
            continue
        properties = mapping(resource.get("properties"))
        kind = _KINDS.get(str(properties.get("kind")))
        if resource.get("type") != CONFIG_ENTRY or kind is None:
            continue
        try:
            parsed: Any = _camel(json.loads(str(properties.get("configJson"))))
        except ValueError:
            parsed = None  # unknown in a preview
        scope = _scope(properties.get("namespace"), properties.get("name"))
        found.append((kind, scope, parsed if isinstance(parsed, Mapping) else {"unknown": 1}, name))
    return found


def _scope(namespace: object, name: object) -> str:
    shown = "(unknown)" if is_unknown(name) else str(name)
    return f"{namespace}/{shown}" if isinstance(namespace, str) and namespace else shown


def _source(source: Mapping[str, Any]) -> str:
    name = str(source.get("name", "(unknown)"))
    namespace = source.get("namespace")
    if name == "*" and namespace in (None, "*") and not source.get("peer"):
        return ANY
    parts = [str(source[k]) for k in ("partition", "namespace") if source.get(k)]
    peer = f"peer:{source['peer']}/" if source.get("peer") else ""
    group = f"sameness:{source['samenessGroup']}/" if source.get("samenessGroup") else ""
    return peer + group + "/".join([*parts, name])


def _path(http: Mapping[str, Any]) -> str:
    if "pathExact" in http:
        return f"exact {http['pathExact']}"
    prefix, regex = http.get("pathPrefix"), http.get("pathRegex")
    if prefix is not None and prefix != "/":
        return f"prefix {prefix}"
    if regex is not None and regex != ".*":
        return f"regex {regex}"
    return ANY


def _headers(http: Mapping[str, Any]) -> tuple[str, ...]:
    found = []
    for header in items(http.get("header")):
        rest = {k: v for k, v in header.items() if k != "name"}
        found.append(f"header {header.get('name')} {canonical(rest)}")
    return tuple(sorted(found))


def _catch_all(http: Mapping[str, Any]) -> bool:
    return _path(http) == ANY and not http.get("methods") and not http.get("header")


def _source_access(
    destination: Destination, source: Mapping[str, Any], protocol: str, via: tuple[str, ...]
) -> tuple[list[Grant], list[Guard]]:
    who = _source(source)
    unknown = "(unknown)" in who or destination.scope.startswith("(unknown)")
    if "permissions" not in source:
        action = source.get("action")
        if action == "allow":
            return [
                Grant(destination, who, TCP, unknown=unknown, via=via),
                Grant(destination, who, HTTP, unknown=unknown, via=via),
            ], []
        if who == ANY:
            return [], [Guard(destination, ANYONE_DENIED, unknown=action != "deny", via=via)]
        what = f"intention: {who} denied"
        hidden = unknown or action != "deny"
        return [], [Guard(destination, what, unknown=hidden, via=via, source=who)]
    grants: list[Grant] = []
    guards: list[Guard] = []
    denied: list[str] = []
    base = (f"service protocol {protocol}",)
    for permission in items(source.get("permissions")):
        http = mapping(permission.get("http"))
        described = canonical(http)
        if permission.get("action") != "allow":
            what = f"{who}: deny permission {described}"
            guards.append(Guard(destination, what, via=via, source=None if who == ANY else who))
            denied.append(f"not {described}")
            if _catch_all(http):
                return grants, guards
            continue
        hidden = unknown or any(k not in _HTTP_KNOWN for k in http)
        conditions = tuple(sorted({*base, *denied, *_headers(http)}))
        for method in [str(m) for m in http.get("methods") or []] or [ANY]:
            grants.append(
                Grant(destination, who, HTTP, ANY, method, _path(http), conditions, hidden, via)
            )
    conditions = tuple(sorted({*base, *denied, _FALLS_THROUGH}))
    grants.append(Grant(destination, who, HTTP, conditions=conditions, unknown=unknown, via=via))
    return grants, guards


def consul_access(resources: Sequence[Resource]) -> Access:
    """The grants and guards of every ServiceIntentions entry."""
    entries = _entries(resources)
    protocols = {
        scope: str(spec.get("protocol", "default"))
        for kind, scope, spec, _ in entries
        if kind == "ServiceDefaults"
    }
    grants: list[Grant] = []
    guards: list[Guard] = []
    for kind, scope, spec, name in entries:
        if kind != "ServiceIntentions":
            continue
        destination = Destination(SERVICE, scope)
        via = (name,)
        if "unknown" in spec:
            grants.append(Grant(destination, "(unknown)", HTTP, unknown=True, via=via))
            continue
        protocol = protocols.get(scope, protocols.get(scope.rpartition("/")[2], "default"))
        for source in items(spec.get("sources")):
            found_grants, found_guards = _source_access(destination, source, protocol, via)
            grants += found_grants
            guards += found_guards
    return Access.of(grants, guards)
