"""TrafficTarget -> Linkerd Server, MeshTLSAuthentication, inbound HTTPRoute, AuthorizationPolicy.

Per TrafficTarget: one MeshTLSAuthentication named after it, listing its sources' identities
(``<sa>.<ns>.serviceaccount.identity.<control-plane-ns>.<trust-domain>``; a source in another
namespace keeps its namespace), and per Server it reaches (:mod:`.grants`):

* L4 (TCPRoute-only access): an AuthorizationPolicy ``<tt>-<port>`` targeting the Server;
* L7 (HTTPRouteGroup rules): an inbound HTTPRoute ``<tt>-<port>`` with the allowed matches
  (no backendRefs), shared by every TrafficTarget with the same matches (in any order) and
  named after the first of them by name. Each route has one AuthorizationPolicy for everyone
  authorized there (below), named ``<tt>-<port>`` after the first TrafficTarget whose route
  it is. It requires that TrafficTarget's MeshTLSAuthentication when no one else is
  authorized there, else a MeshTLSAuthentication ``<policy>-clients`` listing every
  authorized identity: a policy's required authentications are ANDed (and Linkerd admits
  one MeshTLSAuthentication per policy), so one list is the only way to OR them. The
  objects therefore grow linearly with the TrafficTargets of a Server: one
  MeshTLSAuthentication each, and two or three objects per distinct match set.

Shared, owned by the destination ServiceAccount (registered once): one Server
``<sa>[-<workload>]-<port>`` per selection of its pods and port (``accessPolicy: deny``, the
pods from the catalogue, never namespace-wide; Linkerd's admission rejects two Servers on the
same pod/port, so TrafficTargets share it), and, on a Server with inbound routes, the catch-all
route and the probe route described below. Every port the manifests declare for those pods
(the access model's ``known_ports``: container ports, named or not, and the Services'
targetPorts) gets a Server, granted or not (:mod:`.servers`): a port without one would follow
the cluster's default inbound policy (``all-unauthenticated`` unless configured), which lets
anyone connect where SMI denies.

Linkerd semantics that shape a shared Server (proxy ``server-policy`` and the policy
controller's inbound index): policies targeting the Server authorize raw TCP *and* every
route; once any HTTPRoute is attached, a request must match one (else 404) and only the single
best-matching route's policies (plus the Server's) apply. Hence:

* L4 grantees keep all their HTTP access through a catch-all route ``<server>-any`` (prefix
  ``/``, no policy of its own: the Server's policies apply to it). An L7 TrafficTarget that
  allows every HTTP request is authorized on that catch-all instead of a route of its own.
* A request two routes match goes to the best one, so an L7 TrafficTarget is also authorized
  on every other route of the Server whose matches all lie inside its own — identical
  matches share the route, wider ones are among the route's clients, and neither loses
  access. Where routes only overlap, Linkerd can deny what SMI allows (never the reverse): a
  warning names the TrafficTargets. (A catch-all route only wider matches reach has its
  policy named ``<tt>-on-<route>`` after the first of them.)
* Kubelet HTTP probes match no route either: a warning per Server with routes, or, with
  ``probe_routes``, a route ``<server>-probes`` (GET, the ``probe_paths``) authorized for a
  NetworkAuthentication ``smi-probe-networks`` of the ``probe_networks``. Anyone in those
  networks may then GET the probe paths, as with Linkerd's own default probe routes (a
  TrafficTarget's GET route matching a probe path ranks equal to the probe route there).

A Server nothing is granted on (no AuthorizationPolicy, no route) still lets the kubelet's
HTTP probes through: for a Server without HTTPRoutes the policy controller adds a default
route and, for the pod's HTTP GET probe paths on the port, a probe route authorized for
unauthenticated clients from the cluster's ``probeNetworks`` (``default_inbound_http_routes``
in ``policy-controller/k8s/index/src/inbound/index.rs``, since Linkerd 2.12), whatever the
Server's ``accessPolicy`` (``deny`` only adds no Server authorization). Its ``proxyProtocol``
is left to detection where HTTP/2 or gRPC would meet such probes (the proxy serves an
unmeshed client of those as HTTP/2 only). Kubelet HTTPS and gRPC probes match no probe route
and are refused there, as on any Server that does not authorize the kubelet.

Ports the manifests do not declare follow Linkerd's default inbound policy (a warning per
namespace). UDPRoute rules are warnings. Problems are collected into one TranslationError.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from ...errors import TranslationError
from ...plan import PlanWarning, Resource
from ...spec.models import ObjectKey, TrafficTarget
from ...spec.specset import SpecSet
from ..access import Untranslatable
from ..base import Namer, namespace_owner, service_account_owner
from ..identity import linkerd_identity
from ..kube import manifest_name_problems
from . import manifests as m
from .grants import Grant, Match, ServerKey
from .options import LinkerdPolicyOptions
from .overlap import contains, may_tie_with_any, overlap
from .servers import Server, collect_servers

PROBE_NETWORKS = "smi-probe-networks"


@dataclass(frozen=True)
class _Route:
    """An inbound HTTPRoute on a Server and who owns it (a TrafficTarget or the shared owner)."""

    name: str
    matches: tuple[Match, ...]
    owner: ObjectKey
    target: TrafficTarget | None = None
    """The TrafficTarget it is named after (None: the catch-all)."""
    members: frozenset[ObjectKey] = frozenset()
    """TrafficTargets whose own route it is (same matches; the catch-all: every request)."""


def authorization_resources(
    specs: SpecSet, options: LinkerdPolicyOptions, namer: Namer
) -> tuple[list[Resource], list[PlanWarning]]:
    """The Linkerd policy resources and warnings for every TrafficTarget in ``specs``.

    Raises :class:`~pulumi_smi.errors.TranslationError` with one problem per TrafficTarget
    that cannot be translated without widening access (no partial result).
    """
    found = collect_servers(specs)
    problems = [
        specs.problem(t.key, found.failures[t.key].path, found.failures[t.key].message)
        for t in specs.traffic_targets
        if t.key in found.failures
    ]
    warnings = [w for t in specs.traffic_targets for w in found.notes.get(t.key, ())]
    resources = [_mesh_tls(target, options, namer) for target in found.granted]
    probe_namespaces: set[str] = set()
    for key in sorted(found.servers, key=lambda k: (k.namespace, k.name)):
        server = found.servers[key]
        probes = options.probe_paths or _probe_paths(specs, key, server.labels)
        if not server.grants:
            resources.append(_deny_server(server, probes, namer))
            continue
        try:
            built, notes = _server_resources(key, server.grants, options, probes, namer)
        except Untranslatable as exc:
            problems.append(specs.problem(server.grants[0].target.key, exc.path, exc.message))
            continue
        resources += built
        warnings += notes
        if any(r.properties["metadata"]["name"].endswith("-probes") for r in built):
            probe_namespaces.add(key.namespace)
    for namespace in sorted(probe_namespaces):
        owner = namespace_owner(namespace)
        logical = namer(owner, "networkauthentication-probes")
        networks = options.probe_networks
        resources.append(
            m.network_authentication(logical, PROBE_NETWORKS, namespace, networks, owner)
        )
    warnings += [_default_policy_warning(ns) for ns in sorted(found.namespaces)]
    resources.sort(key=m.order)
    problems += manifest_name_problems(resources, specs)
    if problems:
        raise TranslationError(problems)
    return resources, warnings


def _mesh_tls(target: TrafficTarget, options: LinkerdPolicyOptions, namer: Namer) -> Resource:
    name, namespace = target.metadata.name, target.metadata.namespace
    logical = namer(target.key, "meshtlsauthentication")
    identities = list(dict.fromkeys(_identities(target, options)))
    return m.mesh_tls_authentication(logical, name, namespace, identities, target.metadata)


def _identities(target: TrafficTarget, options: LinkerdPolicyOptions) -> list[str]:
    """The mTLS identities of the TrafficTarget's sources."""
    return [
        linkerd_identity(
            s.name, s.namespace or "", options.control_plane_namespace, options.trust_domain
        )
        for s in target.spec.sources
    ]


def _deny_server(server: Server, probe_paths: tuple[str, ...], namer: Namer) -> Resource:
    """A Server no TrafficTarget grants anything on: it denies every client but the probes.

    Its ``proxyProtocol`` is the one a granted Server would have, unless that is HTTP/2 or
    gRPC while the pods have HTTP probes on the port: Linkerd serves an unmeshed client of
    such a Server (the kubelet) as HTTP/2 only, and a gRPC Server reads no HTTP route, so the
    probes would fail; detection serves them.
    """
    key = server.key
    owner = service_account_owner(key.namespace, key.account)
    role = key.name.removeprefix(f"{key.account}-")
    protocol = m.proxy_protocol(server.known, False)
    if probe_paths and protocol in ("HTTP/2", "gRPC"):
        protocol = None
    logical = namer(owner, f"server-{role}")
    labels = dict(server.labels)
    return m.server(logical, key.name, key.namespace, labels, key.port, protocol, owner)


def _probe_paths(
    specs: SpecSet, key: ServerKey, labels: tuple[tuple[str, str], ...]
) -> tuple[str, ...]:
    """The HTTP probe paths of the Server's pods on its port, from the workload manifests."""
    selected = [
        w
        for w in specs.catalogue.workloads_of(key.namespace, key.account)
        if set(labels) <= set(w.pod_labels.items())
    ]
    return tuple(dict.fromkeys(p for w in selected for p in w.probes.get(key.port, ())))


def _server_resources(
    key: ServerKey,
    grants: list[Grant],
    options: LinkerdPolicyOptions,
    probe_paths: tuple[str, ...],
    namer: Namer,
) -> tuple[list[Resource], list[PlanWarning]]:
    """The Server, its routes and every authorization on them."""
    owner = service_account_owner(key.namespace, key.account)
    role = key.name.removeprefix(f"{key.account}-")
    l4 = [g for g in grants if g.matches is None]
    l7 = sorted((g for g in grants if g.matches is not None), key=lambda g: g.target.key)
    routes = _routes(key, role, l4, l7, owner)
    service_ports = list(dict.fromkeys(p for g in grants for p in g.service_ports))
    protocol = m.proxy_protocol(service_ports, bool(routes))
    labels = dict(grants[0].labels)
    resources = [
        m.server(
            namer(owner, f"server-{role}"),
            key.name,
            key.namespace,
            labels,
            key.port,
            protocol,
            owner,
        )
    ]
    for grant in l4:
        resources.append(_policy(grant, role, ("Server", key.name), namer))
    authorized: dict[str, set[ObjectKey]] = {}
    for route in routes:
        if len(route.matches) > m.MAX_MATCHES_PER_RULE * m.MAX_RULES:
            raise Untranslatable(
                "spec.rules",
                f"{len(route.matches)} HTTP matches on port {key.port}: a Linkerd HTTPRoute "
                f"holds at most {m.MAX_MATCHES_PER_RULE * m.MAX_RULES}",
            )
        route_role = f"httproute-{role}" + ("" if route.target else "-any")
        source = route.target.metadata if route.target else None
        resources.append(
            m.http_route(
                namer(route.owner, route_role),
                route.name,
                key.namespace,
                key.name,
                route.matches,
                route.owner,
                source,
            )
        )
        allowed = [
            g
            for g in l7
            if g.target.key in route.members or contains(g.matches or (), route.matches)
        ]
        authorized[route.name] = {g.target.key for g in allowed}
        if allowed:
            resources += _route_authorization(route, allowed, role, options, namer)
    warnings = _narrowing_warnings(key, routes, authorized, owner)
    if routes and options.probe_routes:
        if probe_paths:
            resources += _probe_resources(key, role, probe_paths, owner, namer)
    elif routes:
        warnings.append(_probe_warning(key, probe_paths, owner))
    return resources, warnings


def _routes(
    key: ServerKey, role: str, l4: list[Grant], l7: list[Grant], owner: ObjectKey
) -> list[_Route]:
    """The Server's inbound routes: the catch-all (if any), then one per distinct match set.

    L7 grants with the same matches (in any order) share a route, named after the first of
    their TrafficTargets by name, in that one's match order.
    """
    routes: list[_Route] = []
    everything = frozenset(g.target.key for g in l7 if g.everything_http)
    if l7 and (l4 or everything):
        routes.append(_Route(f"{key.name}-any", (m.ANY_REQUEST,), owner, None, everything))
    groups: dict[frozenset[str], list[Grant]] = {}
    for grant in l7:
        if not grant.everything_http:
            assert grant.matches is not None
            same = frozenset(json.dumps(match, sort_keys=True) for match in grant.matches)
            groups.setdefault(same, []).append(grant)
    for members in groups.values():
        first = members[0]
        assert first.matches is not None
        name = f"{first.target.metadata.name}-{role}"
        keys = frozenset(g.target.key for g in members)
        routes.append(_Route(name, first.matches, first.target.key, first.target, keys))
    return routes


def _route_authorization(
    route: _Route, allowed: list[Grant], role: str, options: LinkerdPolicyOptions, namer: Namer
) -> list[Resource]:
    """One AuthorizationPolicy on ``route`` for every TrafficTarget ``allowed`` there.

    Named after the route's first member (``<tt>-<port>``, as for a route of its own), or,
    when no member is allowed (a catch-all route only wider matches contain), after the
    first allowed TrafficTarget (``<tt>-on-<route>``). One TrafficTarget: its own
    MeshTLSAuthentication; several: ``<policy>-clients`` listing all their identities
    (required authentications are ANDed, so one policy cannot list several).
    """
    giver = next((g for g in allowed if g.target.key in route.members), allowed[0])
    on = "" if giver.target.key in route.members else route.name
    target = ("HTTPRoute", route.name)
    if len(allowed) == 1:
        return [_policy(giver, role, target, namer, on)]
    tt = giver.target
    policy = f"{tt.metadata.name}-on-{on}" if on else f"{tt.metadata.name}-{role}"
    name = f"{policy}-clients"
    identities = [i for g in allowed for i in _identities(g.target, options)]
    role_of = f"on-{on}" if on else role
    logical = namer(tt.key, f"meshtlsauthentication-{role_of}-clients")
    clients = m.mesh_tls_authentication(
        logical, name, tt.metadata.namespace, list(dict.fromkeys(identities)), tt.metadata
    )
    return [clients, _policy(giver, role, target, namer, on, authentication=name)]


def _policy(
    grant: Grant,
    role: str,
    target: tuple[str, str],
    namer: Namer,
    on: str = "",
    authentication: str | None = None,
) -> Resource:
    """The TrafficTarget's AuthorizationPolicy on ``target`` (``on``: a route not its own).

    ``authentication``: the MeshTLSAuthentication required (default: the TrafficTarget's).
    """
    tt = grant.target
    name = f"{tt.metadata.name}-on-{on}" if on else f"{tt.metadata.name}-{role}"
    logical = namer(tt.key, f"authorizationpolicy-on-{on}" if on else f"authorizationpolicy-{role}")
    required = ("MeshTLSAuthentication", authentication or tt.metadata.name)
    return m.authorization_policy(
        logical, name, tt.metadata.namespace, target, required, tt.key, tt.metadata
    )


def _probe_resources(
    key: ServerKey, role: str, paths: Iterable[str], owner: ObjectKey, namer: Namer
) -> list[Resource]:
    name = f"{key.name}-probes"
    matches = [{"path": {"type": "Exact", "value": p}, "method": "GET"} for p in paths]
    route = m.http_route(
        namer(owner, f"httproute-{role}-probes"), name, key.namespace, key.name, matches, owner
    )
    policy = m.authorization_policy(
        namer(owner, f"authorizationpolicy-{role}-probes"),
        name,
        key.namespace,
        ("HTTPRoute", name),
        ("NetworkAuthentication", PROBE_NETWORKS),
        owner,
    )
    return [route, policy]


def _narrowing_warnings(
    key: ServerKey, routes: list[_Route], authorized: dict[str, set[ObjectKey]], owner: ObjectKey
) -> list[PlanWarning]:
    """TrafficTargets a better-matching route of another one can deny (Linkerd picks one)."""
    losers: set[ObjectKey] = set()
    for i, first in enumerate(routes):
        for second in routes[i + 1 :]:
            differ = authorized[first.name] ^ authorized[second.name]
            if not differ:
                continue
            if first.target is None:
                clash = any(may_tie_with_any(b) for b in second.matches)
            else:
                clash = any(overlap(a, b) for a in first.matches for b in second.matches)
            if clash:
                losers |= differ
    if not losers:
        return []
    names = ", ".join(f"{k.namespace}/{k.name}" for k in sorted(losers))
    return [
        PlanWarning(
            f"Server {key.namespace}/{key.name}: inbound routes of different TrafficTargets can "
            "match the same request, and Linkerd authorizes it only through the best-matching "
            "route (longest path match, then headers, then method; ties by route age and name): "
            f"{names} may be denied some requests SMI allows (never allowed more); give their "
            "HTTPRouteGroup matches disjoint paths or methods, or the same matches",
            owner,
        )
    ]


def _probe_warning(key: ServerKey, paths: tuple[str, ...], owner: ObjectKey) -> PlanWarning:
    known = f" ({', '.join(paths)} in the workload manifests)" if paths else ""
    return PlanWarning(
        f"Server {key.namespace}/{key.name} has inbound HTTPRoutes: Linkerd answers 404 to every "
        f"request matching none of them, kubelet HTTP probes on port {key.port} included{known} "
        "(the pods would never become ready); allow the probe paths with probe_routes "
        "(--set probe_routes=true; the paths come from the workloads' probes, or from "
        "probe_paths=/healthz,/ready; optionally probe_networks=<node CIDRs>)",
        owner,
    )


def _default_policy_warning(namespace: str) -> PlanWarning:
    return PlanWarning(
        f"namespace {namespace}: every port the manifests declare for the pods of a "
        "TrafficTarget destination has a Server, which denies what no TrafficTarget allows; "
        "a port they do not declare (a container port missing from the workload manifests) "
        "follows Linkerd's default inbound policy (all-unauthenticated unless configured), "
        "which SMI's default deny does not: declare every container port, or set the "
        "annotation config.linkerd.io/default-inbound-policy: deny on the namespace (or the "
        "cluster default) to close them",
        namespace_owner(namespace),
    )
