"""Seeded random estates for the no-widening property test: YAML text plus its description.

An estate is what a platform team would feed pulumi-smi: 1-3 namespaces, in each 2-5
Deployments (each its own ServiceAccount, mostly named after it; sometimes a second
Deployment sharing one), a Service selecting every Deployment (mostly named after it,
sometimes not) with realistic port names (``http``, ``http-web``, ``grpc``, ``tcp-redis``,
``redis``, unnamed; sometimes ``appProtocol``; ``targetPort`` by number, by container port
name or omitted), HTTPRouteGroups with realistic matches, TCPRoutes with and without ports,
the occasional UDPRoute, and TrafficTargets (access v1alpha3) with 1-3 sources from the same
and other namespaces and rules mixing the three kinds.

``random.Random(seed)`` (not hypothesis): the same seed always gives the same estate, and a
failing estate is reproduced with ``estate(seed)``. :func:`requests` draws requests against
an estate so that a good share matches some rule: paths are built from the estate's regexes
(examples and near misses, sometimes perturbed), methods and headers from its matches.
:func:`render` writes the YAML from the description alone, so a shrunk description (fewer
TrafficTargets, ports, matches) is a valid input again.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

import yaml
from evaluate.smi_access import (
    ContainerPort,
    Estate,
    HTTPMatch,
    HTTPRouteGroup,
    Identity,
    PortRoute,
    Request,
    Rule,
    Service,
    ServicePort,
    TrafficTarget,
    Workload,
)

NAMESPACES = ("shop", "payments", "data", "batch", "web", "auth")
NAMES = (
    "api",
    "web",
    "frontend",
    "orders",
    "cart",
    "users",
    "db",
    "cache",
    "reporter",
    "search",
    "inventory",
    "auth",
)
OUTSIDERS = (Identity("monitoring", "prometheus"), Identity("ci", "deployer"))
"""ServiceAccounts no manifest of the estate runs (sources of other clusters or tools)."""

PATHS: dict[str | None, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # pathRegex -> (paths it matches, near misses)
    "/api/.*": (("/api/", "/api/orders", "/api/v1/users/7"), ("/api", "/apix", "/v1/api/x")),
    "/api/v1/users": (
        ("/api/v1/users", "/api/v1/users/42", "/api/v1/usersx"),
        ("/api/v1/user", "/api/v2/users"),
    ),
    "/healthz": (("/healthz", "/healthz/live"), ("/health", "/Healthz", "/readyz")),
    "/v[12]/.*": (("/v1/x", "/v2/orders/1", "/v1/"), ("/v3/x", "/v1", "/x/v1/")),
    "/files/.+": (("/files/a.txt", "/files/x/y"), ("/files/", "/files")),
    "/api/(v1|v2)/users": (
        ("/api/v1/users", "/api/v2/users/9"),
        ("/api/v3/users", "/api/v1/user", "/api/users"),
    ),
    "/healthz|/readyz": (("/healthz", "/readyz", "/readyz/x"), ("/livez", "/ready")),
    "/api/v1/items/?$": (
        ("/api/v1/items", "/api/v1/items/"),
        ("/api/v1/items/3", "/api/v1/itemsx", "/api/v1/item"),
    ),
    "/users/[^/]+": (("/users/42", "/users/42/orders", "/users/a/"), ("/users/", "/users")),
    "/users/[^/]+/orders$": (
        ("/users/42/orders",),
        ("/users/42/orders/1", "/users/42/ordersx", "/users/orders"),
    ),
    "/orders/[0-9]+$": (("/orders/12", "/orders/7"), ("/orders/x", "/orders/12/items")),
    "/metrics": (("/metrics", "/metricsfoo"), ("/metric", "/stats")),
    "/static/.*\\.css": (("/static/a.css", "/static/x/y.css"), ("/static/a.js", "/staticx.css")),
    "/grpc\\.health\\.v1\\.Health/.*": (
        ("/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"),
        ("/grpc.health.v1.Health", "/grpc.reflection.v1.ServerReflection/Info"),
    ),
    "^/admin/.*": (("/admin/users", "/admin/"), ("/admin", "/x/admin/")),
    "/": (("/", "/index.html", "/api/x"), ()),
    ".*": (("/", "/anything/at/all"), ()),
    None: (("/", "/api/v1/users", "/orders/1", "/metrics"), ()),
}
SIMPLE_PATHS = (
    "/api/.*",
    "/api/v1/users",
    "/healthz",
    "/metrics",
    "/users/[^/]+",
    "/users/[^/]+/orders$",
    "^/admin/.*",
    "/",
    ".*",
)
"""Path regexes every mesh can express exactly (literal prefixes, exact paths, segments)."""
GENERIC_PATHS = ("/", "/index.html", "/api", "/api/v1/users/1", "/admin", "/orders", "/x/y/z")
HEADERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # header -> (value regexes, values to send)
    "x-beta": (("true",), ("true", "false", "TRUE")),
    "user-agent": (
        ("Mozilla.*", ".*Firefox.*", ".*Firefox"),
        ("Mozilla/5.0 (X11) Firefox/125.0", "Mozilla/5.0 Chrome/124", "curl/8.5", "Firefox"),
    ),
    "x-tenant": (("acme", "(acme|globex)"), ("acme", "globex", "initech", "acme-corp")),
    "x-canary": (("1", ".*"), ("1", "0", "yes")),
    "x-env": (("prod.*",), ("prod", "prod-eu", "staging")),
}
METHOD_SETS: tuple[tuple[str, ...] | None, ...] = (
    None,
    None,
    ("*",),
    ("GET",),
    ("GET",),
    ("GET", "HEAD"),
    ("POST",),
    ("POST", "PUT"),
    ("DELETE",),
    ("GET", "POST"),
)
METHODS = ("GET", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")

# container ports by application: (number, name, speaks HTTP, kind)
_PORTS = {
    "http": (8080, "http", True),
    "admin": (8081, "admin", True),
    "metrics": (9102, "metrics", True),
    "grpc": (9090, "grpc", True),
    "redis": (6379, "redis", False),
    "postgres": (5432, "postgres", False),
}
_ARCHETYPES = (
    ("http",),
    ("http",),
    ("http", "metrics"),
    ("http", "admin"),
    ("http", "grpc"),
    ("grpc",),
    ("grpc", "metrics"),
    ("redis",),
    ("redis", "metrics"),
    ("postgres",),
    ("postgres", "metrics"),
    ("http", "grpc", "metrics"),
)
_SERVICE_PORT_NAMES: dict[str, tuple[tuple[str | None, str | None], ...]] = {
    # kind -> (port name, appProtocol) choices
    "http": (("http", None), ("http", None), ("http-web", None), ("web", "http"), (None, None)),
    "admin": (("http-admin", None), ("admin", "http"), ("admin", None)),
    "metrics": (("http-metrics", None), ("metrics", None), ("metrics", "http")),
    "grpc": (("grpc", None), ("grpc-api", None), ("api", "kubernetes.io/h2c"), (None, "grpc")),
    "redis": (("tcp-redis", None), ("redis", None), (None, None)),
    "postgres": (("tcp-postgres", None), ("postgres", None), (None, None), ("tcp", None)),
}
_FALLBACK_NAMES = {
    "http": "http",
    "admin": "http-admin",
    "metrics": "http-metrics",
    "grpc": "grpc",
    "redis": "tcp-redis",
    "postgres": "tcp-postgres",
}


@dataclass(frozen=True)
class Generated:
    """One estate: its seed, its description and its YAML text."""

    seed: int
    estate: Estate
    text: str


def estate(seed: int) -> Generated:
    """The estate of ``seed``."""
    return _Builder(random.Random(seed)).build(seed)


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.workloads: list[Workload] = []
        self.kinds: dict[tuple[str, str, int], str] = {}
        self.services: list[Service] = []
        self.groups: list[HTTPRouteGroup] = []
        self.routes: list[PortRoute] = []
        self.targets: list[TrafficTarget] = []

    def build(self, seed: int) -> Generated:
        rng = self.rng
        namespaces = rng.sample(NAMESPACES, rng.choice((1, 2, 2, 3)))
        for ns in namespaces:
            self._workloads(ns)
        for ns in namespaces:
            self._specs(ns)
        for ns in namespaces:
            self._targets(ns)
        built = Estate(
            tuple(self.workloads),
            tuple(self.services),
            tuple(self.groups),
            tuple(self.routes),
            tuple(self.targets),
        )
        return Generated(seed, built, render(built))

    # --- workloads, ServiceAccounts, Services ----------------------------------------------

    def _workloads(self, ns: str) -> None:
        rng = self.rng
        names = rng.sample(NAMES, rng.randint(2, 5))
        for name in names:
            self._deployment(ns, name, name)
            if rng.random() < 0.12:
                self._deployment(ns, f"{name}-v2", name)  # a second Deployment, same identity

    def _deployment(self, ns: str, name: str, account: str) -> None:
        rng = self.rng
        kinds = rng.choice(_ARCHETYPES)
        ports = []
        for kind in kinds:
            number, port_name, http = _PORTS[kind]
            named = rng.random() < 0.88
            ports.append(ContainerPort(number, port_name if named else None, http))
            self.kinds[(ns, name, number)] = kind
        labels = {"app": name}
        if rng.random() < 0.3:
            labels["version"] = rng.choice(("v1", "v2"))
        workload = Workload(ns, name, account, labels, tuple(ports))
        self.workloads.append(workload)
        self._service(workload)

    def _service(self, workload: Workload) -> None:
        rng = self.rng
        ns, name = workload.namespace, workload.name
        service_name = name if rng.random() < 0.85 else rng.choice((f"{name}-svc", f"{name}-api"))
        exposed = [p for i, p in enumerate(workload.ports) if i == 0 or rng.random() < 0.85]
        several = len(exposed) > 1
        ports: list[ServicePort] = []
        used_numbers: set[int] = set()
        used_names: set[str] = set()
        for port in exposed:
            kind = self.kinds[(ns, name, port.number)]
            number = port.number
            if kind == "http" and rng.random() < 0.45:
                number = 80
            elif kind == "grpc" and rng.random() < 0.2:
                number = 50051
            if number in used_numbers:
                number = port.number
            used_numbers.add(number)
            port_name, app_protocol = rng.choice(_SERVICE_PORT_NAMES[kind])
            if (several and port_name is None) or port_name in used_names:
                port_name = _FALLBACK_NAMES[kind]
                if port_name in used_names:
                    port_name = f"{port_name}-{port.number}"
            if port_name:
                used_names.add(port_name)
            choice = rng.random()
            target: int | str | None
            if port.name and choice < 0.35:
                target = port.name
            elif number == port.number and choice < 0.65:
                target = None
            else:
                target = port.number
            ports.append(ServicePort(number, port_name, target, app_protocol))
        service = Service(ns, service_name, {"app": name}, tuple(ports))
        self.services.append(service)

    # --- traffic specs ---------------------------------------------------------------------

    def _specs(self, ns: str) -> None:
        rng = self.rng
        for index in range(rng.choice((1, 1, 2, 2, 3))):
            self._group(ns, index)
        if rng.random() < 0.5:
            self._tcp_route(ns, ())
        if rng.random() < 0.12:
            self._route("UDPRoute", ns, "dns", (53,) if rng.random() < 0.6 else ())

    def _tcp_route(self, ns: str, ports: tuple[int, ...]) -> PortRoute:
        """The TCPRoute of ``ns`` with exactly ``ports`` (made when missing)."""
        for route in self.routes:
            if (route.kind, route.namespace, route.ports) == ("TCPRoute", ns, ports):
                return route
        name = ("tcp-" + "-".join(map(str, ports))) if ports else "all-ports"
        return self._route("TCPRoute", ns, name, ports)

    def _group(self, ns: str, index: int) -> None:
        rng = self.rng
        count = rng.choice((1, 2, 2, 3, 4))
        matches = []
        for i in range(count):
            roll = rng.random()
            path = (
                None
                if roll < 0.15
                else rng.choice(SIMPLE_PATHS)
                if roll < 0.85
                else rng.choice([p for p in PATHS if p is not None])
            )
            methods = rng.choice(METHOD_SETS)
            headers: dict[str, str] = {}
            roll = rng.random()
            for header in rng.sample(sorted(HEADERS), 2 if roll < 0.06 else 1 if roll < 0.3 else 0):
                regexes = HEADERS[header][0]
                headers[header] = regexes[0] if rng.random() < 0.7 else rng.choice(regexes)
            matches.append(HTTPMatch(f"m{i}", methods, path, headers))
        self.groups.append(HTTPRouteGroup(ns, f"routes-{index}", tuple(matches)))

    def _route(self, kind: str, ns: str, name: str, ports: tuple[int, ...]) -> PortRoute:
        route = PortRoute(kind, ns, name, ports)
        self.routes.append(route)
        return route

    # --- TrafficTargets --------------------------------------------------------------------

    def _targets(self, ns: str) -> None:
        rng = self.rng
        accounts = sorted({w.account for w in self.workloads if w.namespace == ns})
        everyone = sorted({Identity(w.namespace, w.account) for w in self.workloads}, key=str)
        for destination in rng.sample(accounts, min(len(accounts), rng.choice((1, 2, 2, 3)))):
            for index in range(rng.choice((1, 1, 2))):
                sources: list[Identity] = []
                for _ in range(rng.choice((1, 1, 2, 3))):
                    roll = rng.random()
                    if roll < 0.02:
                        source = rng.choice(OUTSIDERS)
                    elif roll < 0.6:
                        same = [i for i in everyone if i.namespace == ns]
                        source = rng.choice(same)
                    else:
                        source = rng.choice(everyone)
                    if source not in sources:
                        sources.append(source)
                rules = self._rules(ns, destination)
                name = f"{sources[0].account}-to-{destination}" + (f"-{index}" if index else "")
                if any(t.name == name and t.namespace == ns for t in self.targets):
                    continue
                target = TrafficTarget(ns, name, destination, tuple(sources), tuple(rules))
                self.targets.append(target)

    def _rules(self, ns: str, destination: str) -> list[Rule]:
        rng = self.rng
        pods = [w for w in self.workloads if (w.namespace, w.account) == (ns, destination)]
        speaks_http = any(p.http for w in pods for p in w.ports)
        groups = [g for g in self.groups if g.namespace == ns]
        udp = [r for r in self.routes if r.namespace == ns and r.kind == "UDPRoute"]
        rules: list[Rule] = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            roll = rng.random()
            if roll < 0.06 and udp:
                rule = Rule("UDPRoute", udp[0].name)
            elif roll < (0.4 if speaks_http else 0.9):
                rule = Rule("TCPRoute", self._ports_rule(ns, pods).name)
            else:
                group = rng.choice(groups)
                names: tuple[str, ...] = ()
                if rng.random() < 0.6:
                    picked = rng.sample(group.matches, rng.randint(1, len(group.matches)))
                    names = tuple(m.name for m in picked)
                rule = Rule("HTTPRouteGroup", group.name, names)
            if all((r.kind, r.name) != (rule.kind, rule.name) for r in rules):
                rules.append(rule)
        return rules

    def _ports_rule(self, ns: str, pods: list[Workload]) -> PortRoute:
        """A TCPRoute for a destination: its Service or container ports, some, or none."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.2:
            return self._tcp_route(ns, ())
        if roll < 0.3:
            existing = [r for r in self.routes if (r.kind, r.namespace) == ("TCPRoute", ns)]
            if existing:
                return rng.choice(existing)
        service_ports = [
            p.port for s in self.services for w in pods if s.selects(w) for p in s.ports
        ]
        container_ports = [p.number for w in pods for p in w.ports]
        pool = sorted(set(service_ports if rng.random() < 0.6 else container_ports))
        if rng.random() < 0.08:
            pool.append(7000)
        ports = tuple(sorted(rng.sample(pool, min(len(pool), rng.choice((1, 1, 2))))))
        return self._tcp_route(ns, ports)


# --- YAML ----------------------------------------------------------------------------------


def render(estate: Estate, pretty: bool = False) -> str:
    """The estate as a multi-document YAML stream (a pure function of the description).

    Documents in flow style (JSON, which is YAML) unless ``pretty``: block style is readable
    but PyYAML's emitter is slow.

    Variants of the same meaning alternate deterministically: a same-namespace source has its
    ``namespace`` written in every other TrafficTarget; a TCPRoute without ports is written
    ``matches: {ports: []}`` or with no ``spec`` at all.
    """
    docs: list[dict[str, Any]] = []
    namespaces = list(dict.fromkeys(w.namespace for w in estate.workloads))
    for ns in namespaces:
        for workload in (w for w in estate.workloads if w.namespace == ns):
            docs.append(_deployment_doc(workload))
            docs += [_service_doc(s) for s in estate.services_of(workload)]
        for account in sorted({w.account for w in estate.workloads if w.namespace == ns}):
            metadata = {"name": account, "namespace": ns}
            docs.append({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata})
    for ns in namespaces:
        docs += [_group_doc(g) for g in estate.groups if g.namespace == ns]
        docs += [_route_doc(r, i) for i, r in enumerate(estate.routes) if r.namespace == ns]
    docs += [_target_doc(t, i) for i, t in enumerate(estate.targets)]
    if pretty:
        return yaml.safe_dump_all(docs, sort_keys=False, width=1000)
    return "".join(f"---\n{json.dumps(doc)}\n" for doc in docs)


def _deployment_doc(workload: Workload) -> dict[str, Any]:
    container: dict[str, Any] = {"name": workload.name, "image": f"example/{workload.name}:1"}
    if workload.ports:
        container["ports"] = [
            {**({"name": p.name} if p.name else {}), "containerPort": p.number}
            for p in workload.ports
        ]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": workload.name, "namespace": workload.namespace},
        "spec": {
            "selector": {"matchLabels": {"app": workload.labels["app"]}},
            "template": {
                "metadata": {"labels": dict(workload.labels)},
                "spec": {"serviceAccountName": workload.account, "containers": [container]},
            },
        },
    }


def _service_doc(service: Service) -> dict[str, Any]:
    ports = []
    for port in service.ports:
        doc: dict[str, Any] = {}
        if port.name:
            doc["name"] = port.name
        doc["port"] = port.port
        if port.target is not None:
            doc["targetPort"] = port.target
        if port.app_protocol:
            doc["appProtocol"] = port.app_protocol
        ports.append(doc)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": service.name, "namespace": service.namespace},
        "spec": {"selector": dict(service.selector), "ports": ports},
    }


def _group_doc(group: HTTPRouteGroup) -> dict[str, Any]:
    matches = []
    for match in group.matches:
        doc: dict[str, Any] = {"name": match.name}
        if match.methods is not None:
            doc["methods"] = list(match.methods)
        if match.path_regex is not None:
            doc["pathRegex"] = match.path_regex
        if match.headers:
            doc["headers"] = dict(match.headers)
        matches.append(doc)
    return {
        "apiVersion": "specs.smi-spec.io/v1alpha4",
        "kind": "HTTPRouteGroup",
        "metadata": {"name": group.name, "namespace": group.namespace},
        "spec": {"matches": matches},
    }


def _route_doc(route: PortRoute, index: int) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "apiVersion": "specs.smi-spec.io/v1alpha4",
        "kind": route.kind,
        "metadata": {"name": route.name, "namespace": route.namespace},
    }
    if route.ports or index % 2 == 0:
        doc["spec"] = {"matches": {"ports": list(route.ports)}}
    return doc


def _target_doc(target: TrafficTarget, index: int) -> dict[str, Any]:
    sources = []
    for source in target.sources:
        doc: dict[str, Any] = {"kind": "ServiceAccount", "name": source.account}
        if source.namespace != target.namespace or index % 2 == 1:
            doc["namespace"] = source.namespace
        sources.append(doc)
    rules = []
    for rule in target.rules:
        written: dict[str, Any] = {"kind": rule.kind, "name": rule.name}
        if rule.matches:
            written["matches"] = list(rule.matches)
        rules.append(written)
    return {
        "apiVersion": "access.smi-spec.io/v1alpha3",
        "kind": "TrafficTarget",
        "metadata": {"name": target.name, "namespace": target.namespace},
        "spec": {
            "destination": {
                "kind": "ServiceAccount",
                "name": target.destination,
                "namespace": target.namespace,
            },
            "sources": sources,
            "rules": rules,
        },
    }


# --- requests --------------------------------------------------------------------------------


def requests(estate: Estate, seed: int, count: int = 40) -> list[Request]:
    """``count`` requests to pods of ServiceAccounts some TrafficTarget names."""
    rng = random.Random(seed * 7919 + 1)
    named = {(t.namespace, t.destination) for t in estate.targets}
    pods = [w for w in estate.workloads if (w.namespace, w.account) in named]
    return [_request(estate, rng, rng.choice(pods)) for _ in range(count)] if pods else []


def _request(estate: Estate, rng: random.Random, pod: Workload) -> Request:
    targets = estate.targets_to(pod.namespace, pod.account)
    caller: Identity | None
    workload: str | None = None
    roll = rng.random()
    if roll < 0.55:
        caller = rng.choice(rng.choice(targets).sources)
        running = estate.workloads_of(caller.namespace, caller.account)
        workload = rng.choice(running).name if running else None
    elif roll < 0.82:
        chosen = rng.choice(estate.workloads)
        caller, workload = Identity(chosen.namespace, chosen.account), chosen.name
    elif roll < 0.9:
        caller = rng.choice(OUTSIDERS)
    else:
        caller = None
    port = rng.choice(pod.ports)
    if not port.http:
        return Request(caller, pod, port.number, workload=workload)
    method, path, headers = _http(estate, rng, pod, targets)
    return Request(caller, pod, port.number, method, path, headers, workload)


def _http(
    estate: Estate, rng: random.Random, pod: Workload, targets: list[TrafficTarget]
) -> tuple[str, str, dict[str, str]]:
    allowed = [
        match
        for target in targets
        for rule in target.rules
        if rule.kind == "HTTPRouteGroup"
        for match in estate.group(target.namespace, rule.name).matches
        if not rule.matches or match.name in rule.matches
    ]
    anywhere = [m for g in estate.groups if g.namespace == pod.namespace for m in g.matches]
    roll = rng.random()
    match = (
        rng.choice(allowed)
        if allowed and roll < 0.7
        else rng.choice(anywhere)
        if anywhere and roll < 0.85
        else None
    )
    if match is None:
        return rng.choice(METHODS), _perturb(rng, rng.choice(GENERIC_PATHS)), _extra(rng, {})
    methods = [m for m in match.methods or () if m != "*"]
    method = rng.choice(methods) if methods and rng.random() < 0.85 else rng.choice(METHODS)
    matching, near = PATHS[match.path_regex]
    roll = rng.random()
    if roll < 0.7 or not near:
        path = rng.choice(matching)
    elif roll < 0.9:
        path = rng.choice(near)
    else:
        path = rng.choice(GENERIC_PATHS)
    if rng.random() < 0.15:
        path = _perturb(rng, path)
    headers: dict[str, str] = {}
    for name in match.headers:
        if rng.random() < 0.85:
            headers[name] = rng.choice(HEADERS[name][1])
    return method, path, _extra(rng, headers)


def _perturb(rng: random.Random, path: str) -> str:
    roll = rng.random()
    if roll < 0.25:
        return path.rstrip("/") + "/x"
    if roll < 0.45:
        return path + "x"
    if roll < 0.6 and len(path) > 1:
        return path[:-1]
    if roll < 0.8:
        return path + "?q=1"
    return path.upper()


def _extra(rng: random.Random, headers: dict[str, str]) -> dict[str, str]:
    if rng.random() < 0.2:
        name = rng.choice(sorted(HEADERS))
        headers.setdefault(name, rng.choice(HEADERS[name][1]))
    return headers
