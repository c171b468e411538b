"""Access read from Linkerd policy objects: Server, HTTPRoute, AuthorizationPolicy and
MeshTLSAuthentication / NetworkAuthentication.

A Server (its namespace, ``podSelector.matchLabels``, ``port``) with ``accessPolicy: deny``
is a guard; another accessPolicy is a Server-wide grant (``all-unauthenticated``: anyone).
An AuthorizationPolicy grants the identities of its first required authentication (the
others, ANDed, become conditions): targeting a Server (or a Namespace: each of its Servers),
raw TCP on the Server's port and every HTTP match of the Server's inbound routes (every
request when it has none, Linkerd's default route); targeting an inbound HTTPRoute, the
route's matches on each Server it is attached to. A match is one method, one path
(``PathPrefix /``: any) and its header and query conditions.

Linkerd sends a request to the single best-matching route: a route that goes away hands its
requests to another one. So every route is also a guard naming who its requests are
reserved to (the route's and the Server's grantees); losing it widens only when another
route of that Server admits someone else (:func:`~.access_model.guard_kept`). A reference to
an object absent from the input (a Server, a route, an authentication) gives unknown grants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .access_istio import PODS, canonical, manifest, namespace_of
from .access_model import ANY, HTTP, TCP, Access, Destination, Grant, Guard, selector_of
from .values import is_unknown, items, mapping

Resource = Mapping[str, Any]
_POLICY = "policy.linkerd.io"
_ROUTE_GROUPS = (_POLICY, "gateway.networking.k8s.io")
Match = tuple[str, str, tuple[str, ...]]
"""(method, path, conditions) of one route match."""


@dataclass
class _Server:
    destination: Destination
    port: str
    unknown: bool
    via: str
    policy: object = "deny"
    routes: list[_Route] = field(default_factory=list)
    grantees: set[str] = field(default_factory=set)


@dataclass
class _Route:
    key: tuple[str, str]
    matches: list[Match]
    parents: list[tuple[str, str]]
    via: str
    grantees: set[str] = field(default_factory=set)


def _match(match: Mapping[str, Any]) -> Match:
    path = mapping(match.get("path"))
    kind, value = path.get("type", "PathPrefix"), path.get("value", "/")
    shown = ANY if (kind, value) == ("PathPrefix", "/") else f"{kind} {value}"
    conditions = [
        f"header {h.get('name')} {h.get('type', 'Exact')} {h.get('value')}"
        for h in items(match.get("headers"))
    ]
    conditions += [f"query {canonical(q)}" for q in items(match.get("queryParams"))]
    method = match.get("method")
    return (method if isinstance(method, str) else ANY, shown, tuple(sorted(conditions)))


def route_matches(spec: Mapping[str, Any]) -> list[Match]:
    """Every match of an HTTPRoute ``spec`` (a rule without matches: every request)."""
    found: list[Match] = []
    for rule in items(spec.get("rules")) or [{}]:
        found += [_match(m) for m in items(rule.get("matches")) or [{}]]
    return sorted(set(found))


def _sources(
    refs: list[Mapping[str, Any]], namespace: str, authns: Mapping[tuple[str, str], list[str]]
) -> tuple[list[str], tuple[str, ...], bool]:
    """The identities of the first authentication, the others as conditions, and whether
    one is absent from the input."""
    if not refs:
        return [ANY], (), False
    found: list[list[str]] = []
    unknown = False
    for ref in sorted(refs, key=canonical):
        key = (str(ref.get("namespace") or namespace), str(ref.get("name")))
        if ref.get("kind") == "ServiceAccount":
            found.append([f"serviceaccount {key[0]}/{key[1]}"])
        elif ref.get("kind") == "Namespace":
            found.append([f"namespace {key[1]}"])
        elif key in authns:
            found.append(authns[key])
        else:
            found.append([f"(unknown {ref.get('kind')} {key[0]}/{key[1]})"])
            unknown = True
    first, rest = found[0], found[1:]
    return first, tuple(f"and one of {canonical(sorted(r))}" for r in rest), unknown


AUTHN_KINDS = ("MeshTLSAuthentication", "NetworkAuthentication")


def object_key(properties: Mapping[str, Any]) -> tuple[str, str]:
    """(namespace, name) of a Linkerd object's manifest."""
    return (namespace_of(properties) or "", str(mapping(properties.get("metadata")).get("name")))


@dataclass(frozen=True)
class ServerRoute:
    """An HTTPRoute attached to Servers (inbound policy), as :func:`server_routes` finds it."""

    name: str
    """The resource's logical name."""
    key: tuple[str, str]
    spec: Mapping[str, Any]
    parents: list[tuple[str, str]]
    """(namespace, name) of each Server it is attached to."""


def server_routes(resources: Sequence[Resource]) -> list[ServerRoute]:
    """Every Linkerd or Gateway API HTTPRoute of ``resources`` with a Server parent (a GAMMA
    route of a Service is traffic, not inbound policy)."""
    found: list[ServerRoute] = []
    for resource in resources:
        properties = next(
            (p for g in _ROUTE_GROUPS if (p := manifest(resource, g, ("HTTPRoute",))) is not None),
            None,
        )
        if properties is None:
            continue
        spec, namespace = mapping(properties.get("spec")), namespace_of(properties) or ""
        parents = [
            (str(p.get("namespace") or namespace), str(p.get("name")))
            for p in items(spec.get("parentRefs"))
            if p.get("kind") == "Server"
        ]
        if parents:
            found.append(ServerRoute(str(resource["name"]), object_key(properties), spec, parents))
    return found


def authentications(resources: Sequence[Resource]) -> dict[tuple[str, str], list[str]]:
    """The identities (or networks) each Mesh/NetworkAuthentication allows, by (ns, name)."""
    found: dict[tuple[str, str], list[str]] = {}
    for resource in resources:
        properties = manifest(resource, _POLICY, AUTHN_KINDS)
        if properties is None:
            continue
        spec = mapping(properties.get("spec"))
        key = object_key(properties)
        if properties.get("kind") == "NetworkAuthentication":
            found[key] = [f"network {canonical(n)}" for n in items(spec.get("networks"))]
            continue
        identities = [
            "any authenticated" if i == "*" else str(i)
            for i in spec.get("identities") or []
            if not is_unknown(i)
        ]
        for ref in items(spec.get("identityRefs")):
            where = ref.get("namespace") or key[0]
            identities.append(f"{str(ref.get('kind')).lower()} {where}/{ref.get('name')}")
        found[key] = identities
    return found


def _grants(
    server: _Server, sources: list[str], conditions: tuple[str, ...], unknown: bool, via: str
) -> list[Grant]:
    """Server-wide grants: raw TCP, and every match of the Server's routes."""
    matches = [m for r in server.routes for m in r.matches] or [(ANY, ANY, ())]
    hidden = unknown or server.unknown
    grants = [
        Grant(server.destination, s, TCP, server.port, conditions=conditions, unknown=hidden)
        for s in sources
    ]
    grants += [
        Grant(server.destination, s, HTTP, server.port, m, p, tuple(sorted({*c, *conditions})))
        for s in sources
        for m, p, c in matches
    ]
    return [_via(g, hidden, via) for g in grants]


def _via(grant: Grant, unknown: bool, via: str) -> Grant:
    return Grant(
        grant.destination,
        grant.source,
        grant.protocol,
        grant.port,
        grant.method,
        grant.path,
        grant.conditions,
        unknown or grant.unknown,
        (via,),
    )


def _absent(kind: str, namespace: str, name: str) -> _Server:
    return _Server(Destination(f"absent {kind}", f"{namespace}/{name}"), "(unknown)", True, "")


def linkerd_access(resources: Sequence[Resource]) -> Access:
    """The grants and guards of every Linkerd Server, route and policy."""
    servers: dict[tuple[str, str], _Server] = {}
    routes: dict[tuple[str, str], _Route] = {}
    guards: list[Guard] = []
    grants: list[Grant] = []
    for resource in resources:
        properties = manifest(resource, _POLICY, ("Server",))
        if properties is None:
            continue
        spec, namespace = mapping(properties.get("spec")), namespace_of(properties)
        selector = mapping(spec.get("podSelector"))
        port = spec.get("port")
        unknown = namespace is None or is_unknown(port) or bool(selector.get("matchExpressions"))
        destination = Destination(
            PODS, namespace or "(unknown)", selector_of(selector.get("matchLabels"))
        )
        name = str(mapping(properties.get("metadata")).get("name"))
        server = _Server(destination, str(port), unknown, str(resource["name"]))
        servers[(namespace or "", name)] = server
        server.policy = policy = spec.get("accessPolicy", "deny")
        if policy == "deny":
            guards.append(
                Guard(
                    destination, "Server accessPolicy deny", server.port, unknown, via=(server.via,)
                )
            )
    for attached in server_routes(resources):
        route = _Route(attached.key, route_matches(attached.spec), attached.parents, attached.name)
        routes[attached.key] = route
        for parent in attached.parents:
            servers.setdefault(parent, _absent("Server", *parent)).routes.append(route)
    authns = authentications(resources)
    for resource in resources:
        properties = manifest(resource, _POLICY, ("AuthorizationPolicy",))
        if properties is None:
            continue
        spec, namespace = mapping(properties.get("spec")), namespace_of(properties) or ""
        target = mapping(spec.get("targetRef"))
        sources, conditions, unknown = _sources(
            items(spec.get("requiredAuthenticationRefs")), namespace, authns
        )
        via = str(resource["name"])
        where = (str(target.get("namespace") or namespace), str(target.get("name")))
        kind = target.get("kind")
        if kind == "HTTPRoute":
            found = routes.get(where)
            if found is None:
                grants += _grants(_absent("HTTPRoute", *where), sources, conditions, True, via)
                continue
            found.grantees.update(sources)
            for parent in found.parents:
                server = servers[parent]
                for method, path, extra in found.matches:
                    for source in sources:
                        grant = Grant(
                            server.destination,
                            source,
                            HTTP,
                            server.port,
                            method,
                            path,
                            tuple(sorted({*extra, *conditions})),
                        )
                        grants.append(_via(grant, unknown or server.unknown, via))
            continue
        if kind == "Namespace":
            chosen = [s for k, s in sorted(servers.items()) if k[0] == where[1]]
        elif kind == "Server":
            chosen = [servers.get(where) or _absent("Server", *where)]
        else:
            chosen = []
        for server in chosen or [_absent(str(kind), *where)]:
            server.grantees.update(sources)
            grants += _grants(server, sources, conditions, unknown, via)
    for server in servers.values():
        if server.policy != "deny" and server.via:  # absent Servers: no policy known
            shown = (
                [ANY]
                if server.policy == "all-unauthenticated"
                else [f"accessPolicy {server.policy}"]
            )
            server.grantees.update(shown)
            grants += _grants(server, shown, (), is_unknown(server.policy), server.via)
    for server in servers.values():
        for route in server.routes:
            what = f"route {canonical(route.matches)}"
            reserved = frozenset(route.grantees | server.grantees)
            guards.append(
                Guard(server.destination, what, server.port, server.unknown, reserved, (route.via,))
            )
    return Access.of(grants, guards)
