"""The SMI reference decision: is one request to one pod allowed by the TrafficTargets?

Written from the SMI Traffic Access spec (``access.smi-spec.io/v1alpha3``) and the Traffic
Specs spec (``specs.smi-spec.io/v1alpha4``), with the semantics this project decided
(DESIGN.md, "Semantics — decided"), and independent of pulumi_smi's translators on purpose
(nothing from ``pulumi_smi.meshes`` is imported). The estate is described by the plain data
classes below (see ``estates.py`` for a generator):

* SMI is deny by default: a request to a pod is allowed iff some TrafficTarget in the pod's
  namespace has ``destination`` = the pod's ServiceAccount, lists the caller's ServiceAccount
  among its ``sources`` (a source without ``namespace`` is in the TrafficTarget's namespace),
  and its rules allow the request. A caller without an identity (unmeshed, plaintext) is
  always denied.
* The rules of one TrafficTarget:

  - TCPRoute rules allow every connection and every request on their ports (a TCPRoute
    without ports: on every port);
  - HTTPRouteGroup rules allow the HTTP requests matching one of the selected matches (a rule
    naming no match selects every match of the group); when the TrafficTarget also has
    TCPRoute rules, those only restrict the ports on which the HTTP matches apply (SMI ANDs
    them: the spec's L7 example) and give no blanket TCP access; a TCPRoute without ports
    then restricts nothing;
  - UDPRoute rules allow nothing over TCP or HTTP.

* An HTTP match: ``methods`` (absent or ``*``: any), ``pathRegex`` anchored at the start
  only (``re.match``: ``/api`` matches ``/api/x``) against the path without its query string,
  ``headers``: every named header present (names case-insensitive) and its value fully
  matching the regex (``pulumi_smi.meshes.paths`` documents the same decision). A match
  without any condition matches every HTTP request (not a raw TCP connection).
* Ports: a TCPRoute port that a Service selecting the destination ServiceAccount's pods
  exposes means that Service port, i.e. the container port behind it (``targetPort``: a
  number, a container port name resolved through the pods it selects, or none = the same
  number); a port no such Service exposes is taken as the container port itself. The
  resolution is per destination identity (the union over the Services in front of any of its
  pods), as SMI names identities, not pods.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .decision import Decision

ANY_METHOD = "*"


@dataclass(frozen=True)
class ContainerPort:
    """A container port: its number, name (None: unnamed) and what the application speaks."""

    number: int
    name: str | None
    http: bool
    """Whether the application speaks HTTP (HTTP/1, HTTP/2, gRPC) on it."""


@dataclass(frozen=True)
class Workload:
    """A Deployment: its pods' namespace, labels, ServiceAccount and container ports."""

    namespace: str
    name: str
    account: str
    labels: Mapping[str, str]
    ports: tuple[ContainerPort, ...]

    def port(self, number: int) -> ContainerPort | None:
        return next((p for p in self.ports if p.number == number), None)

    def named(self, name: str) -> ContainerPort | None:
        return next((p for p in self.ports if p.name == name), None)


@dataclass(frozen=True)
class ServicePort:
    """A Service port: ``target`` is a number, a container port name, or None (= ``port``)."""

    port: int
    name: str | None = None
    target: int | str | None = None
    app_protocol: str | None = None


@dataclass(frozen=True)
class Service:
    namespace: str
    name: str
    selector: Mapping[str, str]
    ports: tuple[ServicePort, ...]

    def selects(self, workload: Workload) -> bool:
        return (
            workload.namespace == self.namespace
            and bool(self.selector)
            and all(workload.labels.get(k) == v for k, v in self.selector.items())
        )

    def targets(self, port: ServicePort, workload: Workload) -> int | None:
        """The container port of ``workload`` behind ``port`` (None: none of that name)."""
        if port.target is None:
            return port.port
        if isinstance(port.target, int):
            return port.target
        found = workload.named(port.target)
        return found.number if found else None


@dataclass(frozen=True)
class HTTPMatch:
    name: str
    methods: tuple[str, ...] | None = None
    path_regex: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HTTPRouteGroup:
    namespace: str
    name: str
    matches: tuple[HTTPMatch, ...]


@dataclass(frozen=True)
class PortRoute:
    """A TCPRoute or UDPRoute (``kind``) and its ports (empty: every port)."""

    kind: str
    namespace: str
    name: str
    ports: tuple[int, ...]


@dataclass(frozen=True)
class Rule:
    """A TrafficTarget rule: ``kind`` HTTPRouteGroup / TCPRoute / UDPRoute, match names."""

    kind: str
    name: str
    matches: tuple[str, ...] = ()


@dataclass(frozen=True)
class Identity:
    namespace: str
    account: str


@dataclass(frozen=True)
class TrafficTarget:
    namespace: str
    name: str
    destination: str
    sources: tuple[Identity, ...]
    """Sources with their namespace resolved (defaulted to the TrafficTarget's)."""
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Estate:
    """Every object of one input: the workload catalogue and the SMI objects."""

    workloads: tuple[Workload, ...]
    services: tuple[Service, ...]
    groups: tuple[HTTPRouteGroup, ...]
    routes: tuple[PortRoute, ...]
    targets: tuple[TrafficTarget, ...]

    def group(self, namespace: str, name: str) -> HTTPRouteGroup:
        return next(g for g in self.groups if (g.namespace, g.name) == (namespace, name))

    def route(self, kind: str, namespace: str, name: str) -> PortRoute:
        return next(
            r for r in self.routes if (r.kind, r.namespace, r.name) == (kind, namespace, name)
        )

    def workloads_of(self, namespace: str, account: str) -> list[Workload]:
        return [w for w in self.workloads if (w.namespace, w.account) == (namespace, account)]

    def services_of(self, workload: Workload) -> list[Service]:
        """The Services selecting ``workload``'s pods."""
        return [s for s in self.services if s.selects(workload)]

    def targets_to(self, namespace: str, account: str) -> list[TrafficTarget]:
        return [t for t in self.targets if (t.namespace, t.destination) == (namespace, account)]


@dataclass(frozen=True)
class Request:
    """A connection (``method`` None) or an HTTP request from ``caller`` to a pod's port.

    ``caller`` None: no identity (unmeshed or plaintext); ``workload`` names the caller's
    Deployment when it is one of the estate's (meshes naming callers by service need it).
    """

    caller: Identity | None
    destination: Workload
    port: int
    method: str | None = None
    path: str = "/"
    headers: Mapping[str, str] = field(default_factory=dict)
    workload: str | None = None

    @property
    def is_http(self) -> bool:
        return self.method is not None


def decide(estate: Estate, request: Request) -> Decision:
    """Whether SMI allows ``request``, and which TrafficTarget (or why not)."""
    if request.caller is None:
        return Decision(False, "no identity: SMI allows ServiceAccounts only")
    pod = request.destination
    targets = estate.targets_to(pod.namespace, pod.account)
    if not targets:
        return Decision(False, f"no TrafficTarget names {pod.namespace}/{pod.account}")
    listed = [t for t in targets if request.caller in t.sources]
    if not listed:
        return Decision(False, "the caller is no source of a TrafficTarget to the pod")
    for target in listed:
        if allows(estate, target, request):
            return Decision(True, f"allowed by TrafficTarget {target.namespace}/{target.name}")
    names = ", ".join(t.name for t in listed)
    return Decision(False, f"no rule of {names} allows it")


def allows(estate: Estate, target: TrafficTarget, request: Request) -> bool:
    """Whether the rules of ``target`` allow ``request`` (its source already checked)."""
    ns = target.namespace
    tcp = [estate.route("TCPRoute", ns, r.name) for r in target.rules if r.kind == "TCPRoute"]
    http = [r for r in target.rules if r.kind == "HTTPRouteGroup"]
    every_port = any(not route.ports for route in tcp)
    ports = container_ports(estate, target, [p for route in tcp for p in route.ports])
    on_port = every_port or request.port in ports
    if not http:
        return bool(tcp) and on_port
    if tcp and not on_port:
        return False
    if not request.is_http:
        return False
    for rule in http:
        group = estate.group(ns, rule.name)
        for match in group.matches:
            if (not rule.matches or match.name in rule.matches) and matches(match, request):
                return True
    return False


def container_ports(estate: Estate, target: TrafficTarget, ports: list[int]) -> set[int]:
    """The container ports of the destination identity that the SMI ``ports`` mean."""
    pods = estate.workloads_of(target.namespace, target.destination)
    services = [s for s in estate.services if any(s.selects(w) for w in pods)]
    found: set[int] = set()
    for port in ports:
        mapped: set[int] = set()
        exposed = False
        for service in services:
            for service_port in service.ports:
                if service_port.port != port:
                    continue
                exposed = True
                for pod in pods:
                    if service.selects(pod):
                        number = service.targets(service_port, pod)
                        if number is not None:
                            mapped.add(number)
        found |= mapped if exposed else {port}
    return found


def matches(match: HTTPMatch, request: Request) -> bool:
    """Whether an SMI HTTP match holds for the HTTP ``request``."""
    methods = match.methods
    if methods and ANY_METHOD not in methods and request.method not in methods:
        return False
    path = request.path.split("?", 1)[0]
    if match.path_regex is not None and re.match(match.path_regex, path) is None:
        return False
    headers = {k.lower(): v for k, v in request.headers.items()}
    for name, regex in match.headers.items():
        value = headers.get(name.lower())
        if value is None or re.fullmatch(regex, value) is None:
            return False
    return True
