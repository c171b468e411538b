"""A small evaluator of Linkerd inbound policy, for tests.

It decides what one connection or HTTP request to one pod port gets, following Linkerd's
policy controller (``policy-controller/k8s/index/src/inbound/index.rs``) and proxy
(``linkerd/proxy/server-policy``, ``linkerd/http/route``):

1. Traffic from localhost is always allowed.
2. The Server in the pod's namespace whose ``podSelector.matchLabels`` select the pod and whose
   ``port`` (number, or a name of the pod's ports) is the port. None -> the default policy
   (``all-unauthenticated`` unless told: allow; ``all-authenticated``: any mTLS identity;
   ``cluster-*``: from the cluster networks; ``deny``: refuse). Two Servers -> an error
   (admission rejects overlapping Servers; see :func:`admission_problems`).
3. Server authorizations: AuthorizationPolicies targeting the Server (or the Namespace), plus
   the Server's ``accessPolicy`` when it is not ``deny``. A policy applies to a client when all
   its required authentications hold (MeshTLSAuthentication identities: exact, ``*`` any, or
   ``*.suffix``; ``identityRefs`` of ServiceAccounts/Namespaces; NetworkAuthentication CIDRs
   minus ``except``); a policy with an illegal set of refs (two MeshTLSAuthentications, ...) or
   a missing authentication is ignored, as Linkerd does.
4. A non-HTTP connection (``method=None``): refused on an HTTP/1, HTTP/2 or gRPC Server (the
   proxy cannot parse it); otherwise allowed iff a Server authorization applies.
5. HTTP: the routes are the HTTPRoutes (``policy.linkerd.io`` or ``gateway.networking.k8s.io``)
   with a parentRef to the Server (a gRPC Server reads GRPCRoutes only, so it ignores them).
   No route -> the default route (every request) plus the probe routes (GET on the pod's probe
   paths, authorized from the probe networks). Otherwise the best match over all routes'
   matches (Linkerd's order: matched path length, then header count, then method) decides;
   none -> 404. A request is allowed iff an authorization on that route or on the Server
   applies, else 403. Several routes tied for the best match -> the verdict holds only when it
   is the same whichever of them wins (creation order is unknown offline), else "ambiguous".

Paths: Exact (equal), PathPrefix (whole segments, ``/`` matches all), RegularExpression (the
leftmost match must span the whole path); the query string is ignored. Headers: Exact or
RegularExpression (whole value). Not modelled (NotImplementedError): matchExpressions,
hostnames, query parameter matches, ServerAuthorizations, GRPCRoutes. Independent of the
translator on purpose.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Manifest = Mapping[str, Any]
Verdict = Literal["allowed", "forbidden", "not-found", "refused", "ambiguous"]
_HTTP_ROUTE_GROUPS = ("policy.linkerd.io", "gateway.networking.k8s.io")
_HTTP_PROTOCOLS = ("HTTP/1", "HTTP/2", "gRPC")
_OPEN: Manifest = {"metadata": {"namespace": "", "name": "accessPolicy"}}


@dataclass(frozen=True)
class Cluster:
    """Cluster settings: identity format, default policy, networks."""

    trust_domain: str = "cluster.local"
    control_plane_namespace: str = "linkerd"
    default_policy: str = "all-unauthenticated"
    cluster_networks: tuple[str, ...] = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
    probe_networks: tuple[str, ...] = ("0.0.0.0/0", "::/0")

    def identity(self, account: str, namespace: str) -> str:
        """The mTLS identity of a ServiceAccount."""
        return (
            f"{account}.{namespace}.serviceaccount.identity."
            f"{self.control_plane_namespace}.{self.trust_domain}"
        )


@dataclass(frozen=True)
class Pod:
    """The destination pod: namespace, labels, named ports and HTTP probe paths per port."""

    namespace: str
    labels: Mapping[str, str]
    named_ports: Mapping[str, int] = field(default_factory=dict)
    probes: Mapping[int, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """A connection (``method=None``) or an HTTP request as the pod's proxy sees it."""

    identity: str | None
    port: int
    method: str | None = None
    path: str = "/"
    headers: Mapping[str, str] = field(default_factory=dict)
    ip: str = "10.1.2.3"


@dataclass(frozen=True)
class Decision:
    """The verdict and why."""

    verdict: Verdict
    reason: str

    def __bool__(self) -> bool:
        return self.verdict == "allowed"


def evaluate(
    objects: Iterable[Manifest], pod: Pod, request: Request, cluster: Cluster = Cluster()
) -> Decision:
    """What Linkerd does with ``request`` to ``pod`` under ``objects`` (manifests)."""
    manifests = list(objects)
    if ipaddress.ip_address(request.ip).is_loopback:
        return Decision("allowed", "localhost")
    servers = [s for s in _of(manifests, "Server", pod.namespace) if _serves(s, pod, request.port)]
    if len(servers) > 1:
        raise ValueError(f"overlapping Servers {[_name(s) for s in servers]}")
    if not servers:
        return _default(cluster.default_policy, request, cluster)
    server = servers[0]
    spec = server.get("spec") or {}
    ns, name = pod.namespace, server["metadata"]["name"]
    server_authz = [
        p
        for p in _of(manifests, "AuthorizationPolicy", ns)
        if _targets(p, "Server", name) or _targets(p, "Namespace", ns)
    ]
    access = spec.get("accessPolicy", "deny")
    if access != "deny" and _default(access, request, cluster):
        server_authz = [_OPEN, *server_authz]  # the accessPolicy's authorization
    protocol = spec.get("proxyProtocol", "unknown")
    if request.method is None:
        if protocol in _HTTP_PROTOCOLS:
            return Decision("refused", f"not {protocol} on Server {name}")
        return _authorize(server_authz, manifests, request, cluster, f"Server {name}")
    routes = [] if protocol == "gRPC" else _routes(manifests, ns, name)
    if not routes:
        probe = pod.probes.get(request.port, ())
        probe_net = _in_networks(request.ip, [{"cidr": c} for c in cluster.probe_networks])
        if request.method == "GET" and request.path.split("?")[0] in probe and probe_net:
            return Decision("allowed", "default probe route")
        return _authorize(server_authz, manifests, request, cluster, f"Server {name}")
    best, tied = _best(routes, request)
    if best is None:
        return Decision("not-found", f"no route of Server {name} matches")
    verdicts = set()
    for route in tied:
        route_authz = [
            p
            for p in _of(manifests, "AuthorizationPolicy", ns)
            if _targets(p, "HTTPRoute", route["metadata"]["name"])
        ]
        where = f"route {route['metadata']['name']}"
        verdicts.add(_authorize(route_authz + server_authz, manifests, request, cluster, where))
    if len({d.verdict for d in verdicts}) > 1:
        return Decision("ambiguous", f"tied routes decide differently: {sorted(verdicts, key=str)}")
    return verdicts.pop()


def _of(manifests: list[Manifest], kind: str, namespace: str) -> list[Manifest]:
    return [
        m
        for m in manifests
        if m.get("kind") == kind and m.get("metadata", {}).get("namespace") == namespace
    ]


def _name(manifest: Manifest) -> str:
    return f"{manifest['metadata'].get('namespace')}/{manifest['metadata']['name']}"


def _serves(server: Manifest, pod: Pod, port: int) -> bool:
    spec = server.get("spec") or {}
    selector = spec.get("podSelector")
    if selector is None:
        return False
    if selector.get("matchExpressions"):
        raise NotImplementedError("matchExpressions are not modelled")
    labels = selector.get("matchLabels") or {}
    if not all(pod.labels.get(k) == v for k, v in labels.items()):
        return False
    wanted = spec["port"]
    return bool(wanted == port or pod.named_ports.get(str(wanted)) == port)


def _targets(policy: Manifest, kind: str, name: str) -> bool:
    ref = (policy.get("spec") or {}).get("targetRef") or {}
    return bool(ref.get("kind") == kind and ref.get("name") == name)


def _routes(manifests: list[Manifest], namespace: str, server: str) -> list[Manifest]:
    found = []
    for route in _of(manifests, "HTTPRoute", namespace):
        group = route["apiVersion"].split("/")[0]
        refs = (route.get("spec") or {}).get("parentRefs") or []
        if group in _HTTP_ROUTE_GROUPS and any(
            r.get("kind") == "Server" and r.get("name") == server for r in refs
        ):
            if (route.get("spec") or {}).get("hostnames"):
                raise NotImplementedError("hostnames are not modelled")
            found.append(route)
    return found


def _default(policy: str, request: Request, cluster: Cluster) -> Decision:
    if policy == "deny":
        return Decision("refused", "default policy deny")
    if policy.startswith("cluster-") and not _in_networks(
        request.ip, [{"cidr": c} for c in cluster.cluster_networks]
    ):
        return Decision("refused", f"default policy {policy}: not from the cluster")
    if policy.endswith("-authenticated") and request.identity is None:
        return Decision("refused", f"default policy {policy}: no identity")
    return Decision("allowed", f"default policy {policy}")


def _authorize(
    policies: list[Manifest],
    manifests: list[Manifest],
    request: Request,
    cluster: Cluster,
    where: str,
) -> Decision:
    for policy in policies:
        if _applies(policy, manifests, request, cluster):
            return Decision("allowed", f"{where}: {_name(policy)}")
    status: Verdict = "forbidden" if request.method else "refused"
    return Decision(status, f"{where}: no authorization applies")


def _applies(policy: Manifest, manifests: list[Manifest], request: Request, c: Cluster) -> bool:
    """Whether every required authentication holds (an illegal policy never applies)."""
    if policy is _OPEN:
        return True
    refs = (policy.get("spec") or {}).get("requiredAuthenticationRefs") or []
    kinds = [r.get("kind") for r in refs]
    if kinds.count("MeshTLSAuthentication") + kinds.count("ServiceAccount") > 1:
        return False
    if kinds.count("NetworkAuthentication") > 1:
        return False
    namespace = policy["metadata"]["namespace"]
    for ref in refs:
        ns = ref.get("namespace") or namespace
        if ref["kind"] == "ServiceAccount":
            if request.identity != c.identity(ref["name"], ns):
                return False
            continue
        found = [m for m in _of(manifests, ref["kind"], ns) if m["metadata"]["name"] == ref["name"]]
        if not found:
            return False
        spec = found[0].get("spec") or {}
        if ref["kind"] == "MeshTLSAuthentication":
            if not _identity_matches(spec, request.identity, c):
                return False
        elif ref["kind"] == "NetworkAuthentication":
            if not _in_networks(request.ip, spec.get("networks") or []):
                return False
        else:
            raise NotImplementedError(f"authentication kind {ref['kind']!r}")
    return True


def _identity_matches(spec: Mapping[str, Any], identity: str | None, c: Cluster) -> bool:
    if identity is None:
        return False
    patterns = list(spec.get("identities") or [])
    for ref in spec.get("identityRefs") or []:
        if ref.get("kind") == "ServiceAccount":
            patterns.append(c.identity(ref["name"], ref["namespace"]))
        elif ref.get("kind") == "Namespace":
            patterns.append("*." + c.identity("x", ref["name"]).split(".", 1)[1])
        else:
            raise NotImplementedError(f"identityRef kind {ref.get('kind')!r}")
    return any(identity_matches(p, identity) for p in patterns)


def identity_matches(pattern: str, identity: str) -> bool:
    """A MeshTLSAuthentication identity: exact, ``*`` (any) or ``*.suffix``."""
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        return identity.endswith(pattern[1:])
    return pattern == identity


def _in_networks(ip: str, networks: Iterable[Mapping[str, Any]]) -> bool:
    address = ipaddress.ip_address(ip)
    for network in networks:
        net = ipaddress.ip_network(network["cidr"], strict=False)
        if address.version == net.version and address in net:
            excluded = [ipaddress.ip_network(e, strict=False) for e in network.get("except", [])]
            if not any(address.version == e.version and address in e for e in excluded):
                return True
    return False


# --- route matching ------------------------------------------------------------------------


def _best(routes: list[Manifest], request: Request) -> tuple[Manifest | None, list[Manifest]]:
    """The best-matching route and every route tied with it."""
    scored = []
    for route in routes:
        rules = (route.get("spec") or {}).get("rules") or [{}]
        scores = [
            s
            for rule in rules
            for match in (rule.get("matches") or [{}])
            if (s := match_score(match, request)) is not None
        ]
        if scores:
            scored.append((max(scores), route))
    if not scored:
        return None, []
    top = max(score for score, _ in scored)
    tied = [route for score, route in scored if score == top]
    return tied[0], tied


def match_score(match: Mapping[str, Any], request: Request) -> tuple[int, bool, int] | None:
    """Linkerd's rank of an HTTPRouteMatch for ``request`` (None: no match)."""
    if match.get("queryParams"):
        raise NotImplementedError("query parameter matches are not modelled")
    method = match.get("method")
    if method is not None and method != request.method:
        return None
    path = request.path.split("?", 1)[0]
    rule = match.get("path") or {"type": "PathPrefix", "value": "/"}
    length = path_match_length(rule, path)
    if length is None:
        return None
    headers = match.get("headers") or []
    for header in headers:
        value = request.headers.get(header["name"].lower())
        if value is None or not _value_matches(header, value):
            return None
    return length, len(headers), method is not None


def path_match_length(rule: Mapping[str, str], path: str) -> int | None:
    """Characters of ``path`` the rule matches (Linkerd's ``PathMatch``), None if none."""
    kind, value = rule.get("type", "PathPrefix"), rule["value"]
    if kind == "Exact":
        return len(value) if path == value else None
    if kind == "RegularExpression":
        return len(path) if _whole(value, path) else None
    if value == "/":
        return 1
    prefix = value.rstrip("/")
    rest = path.rstrip("/")
    if not rest.startswith(prefix):
        return None
    suffix = rest[len(prefix) :]
    return len(prefix) if suffix == "" or suffix.startswith("/") else None


def _value_matches(header: Mapping[str, str], value: str) -> bool:
    if header.get("type", "Exact") == "Exact":
        return value == header["value"]
    return _whole(header["value"], value)


def _whole(regex: str, text: str) -> bool:
    """Linkerd's check: the leftmost match starts at 0 and ends at the end of ``text``."""
    found = re.search(regex, text)
    return found is not None and found.start() == 0 and found.end() == len(text)


# --- admission -----------------------------------------------------------------------------


def admission_problems(objects: Iterable[Manifest], pods: Iterable[Pod]) -> list[str]:
    """What Linkerd's admission webhook (or its overlap check) would reject."""
    manifests = list(objects)
    problems = []
    for policy in (m for m in manifests if m.get("kind") == "AuthorizationPolicy"):
        spec = policy.get("spec") or {}
        kinds = [r.get("kind") for r in spec.get("requiredAuthenticationRefs") or []]
        if kinds.count("MeshTLSAuthentication") + kinds.count("ServiceAccount") > 1:
            problems.append(f"{_name(policy)}: more than one MeshTLSAuthentication/ServiceAccount")
        if kinds.count("NetworkAuthentication") > 1:
            problems.append(f"{_name(policy)}: more than one NetworkAuthentication")
        if not kinds:
            problems.append(f"{_name(policy)}: no requiredAuthenticationRefs")
        ref = spec.get("targetRef") or {}
        if ref.get("kind") == "Namespace" and ref.get("name") != policy["metadata"]["namespace"]:
            problems.append(f"{_name(policy)}: targets another namespace")
    for pod in pods:
        ports = {p for s in _of(manifests, "Server", pod.namespace) for p in _ports(s, pod)}
        for port in sorted(ports):
            servers = [s for s in _of(manifests, "Server", pod.namespace) if _serves(s, pod, port)]
            if len(servers) > 1:
                problems.append(f"Servers {[_name(s) for s in servers]} overlap on port {port}")
    return problems


def _ports(server: Manifest, pod: Pod) -> list[int]:
    wanted = (server.get("spec") or {}).get("port")
    if isinstance(wanted, int):
        return [wanted]
    return (
        [pod.named_ports[wanted]] if isinstance(wanted, str) and wanted in pod.named_ports else []
    )
