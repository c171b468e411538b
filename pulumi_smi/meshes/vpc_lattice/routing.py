"""One Lattice service's routing: target groups, listeners (one per apex port) and rules.

Apex port protocols: ``http`` -> HTTP listener, HTTP/HTTP1 target groups; ``http2``/``h2c``
-> HTTPS listener, HTTP/HTTP2; ``grpc`` -> HTTPS listener, HTTP/GRPC (Lattice carries HTTP/2
on HTTPS listeners only); ``https`` -> HTTPS listener, HTTPS target groups; ``tls`` ->
TLS_PASSTHROUGH listener, TCP target groups, which routes by SNI (no rules, the service needs
a custom domain). Plain TCP and UDP cannot be carried by a Lattice service: an error.

The listener's default action forwards to the split without ``matches`` (weighted), or to the
apex Service's own target group; each match x method of the splits with ``matches`` becomes a
rule, priorities 1.. in split-name then match order (lowest first), forwarding to its split.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ...errors import Problem
from ...plan import PlanWarning, Resource
from ...spec.catalogue import ServicePort
from ...spec.models import Backend, ObjectKey
from ...spec.specset import SpecSet
from ..access import Untranslatable
from ..aws.names import lattice_name_problem
from ..aws.references import ref
from ..base import Namer, service_owner
from ..services import backend_lacks_port
from ..splits import ApexRouting, split_group_matches
from ..weights import serving
from .match import header_matches, lattice_weights, path_match
from .options import LatticeOptions

MAX_TARGET_GROUPS = 10
TG = "aws:vpclattice/targetGroup:TargetGroup"
LISTENER = "aws:vpclattice/listener:Listener"
RULE = "aws:vpclattice/listenerRule:ListenerRule"
# application protocol -> (listener protocol, target group protocol, protocol version)
PROTOCOLS: dict[str, tuple[str, str, str | None]] = {
    "http": ("HTTP", "HTTP", "HTTP1"),
    "http2": ("HTTPS", "HTTP", "HTTP2"),
    "h2c": ("HTTPS", "HTTP", "HTTP2"),
    "kubernetes.io/h2c": ("HTTPS", "HTTP", "HTTP2"),
    "grpc": ("HTTPS", "HTTP", "GRPC"),
    "grpc-web": ("HTTPS", "HTTP", "GRPC"),
    "https": ("HTTPS", "HTTPS", "HTTP1"),
    "tls": ("TLS_PASSTHROUGH", "TCP", None),
}


@dataclass
class Builder:
    """Collects resources, warnings and problems of one translation."""

    specs: SpecSet
    options: LatticeOptions
    namer: Namer
    resources: list[Resource] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    target_groups: dict[str, str] = field(default_factory=dict)

    def add(self, type_: str, owner: ObjectKey, role: str, props: dict[str, Any]) -> str:
        """Plan a resource; returns its logical name."""
        name = self.namer(owner, role)
        self.resources.append(Resource(type_, name, props, (), owner))
        return name

    def name(self, kind: str, value: str, key: ObjectKey, path: str) -> str:
        """``value`` when it is a valid Lattice ``kind`` name; otherwise a problem is noted."""
        problem = lattice_name_problem(kind, value)
        if problem:
            self.problems.append(self.specs.problem(key, path, problem))
        return value


def port_protocol(port: ServicePort) -> tuple[str, str, str | None] | None:
    """(listener protocol, target group protocol, version) for an apex port, or None."""
    return PROTOCOLS.get(port.application_protocol) if port.protocol == "TCP" else None


def listener(
    b: Builder,
    service: str,
    owner: ObjectKey,
    namespace: str,
    apex: str,
    port: ServicePort,
    routing: ApexRouting | None,
    key: ObjectKey,
) -> None:
    """Plan the listener of ``port`` (and its rules) on the planned Lattice ``service``."""
    protocols = port_protocol(port)
    if protocols is None:
        b.problems.append(
            b.specs.problem(
                key,
                "spec.service",
                f"Service {namespace}/{apex} port {port.port} carries "
                f"{port.application_protocol} over {port.protocol}: a Lattice service carries "
                "HTTP, HTTPS, HTTP/2, gRPC or TLS only (name the port tls-* or set appProtocol: "
                "tls if it carries TLS)",
            )
        )
        return
    default = routing.default.spec.backends if routing and routing.default else None
    target = default or (Backend(service=apex, weight=1),)
    split = routing.default if routing and routing.default else None
    forward = _forward(b, namespace, port, protocols, target, split.key if split else key)
    protocol = protocols[0]
    listener_name = b.name(
        "listener", f"{protocol.lower().replace('_', '-')}-{port.port}", key, "spec.service"
    )
    name = b.add(
        LISTENER,
        owner,
        f"lattice-listener-{port.port}",
        {
            "name": listener_name,
            "serviceIdentifier": ref(service, "id"),
            "protocol": protocol,
            "port": port.port,
            "defaultAction": {"forwards": [{"targetGroups": forward}]},
        },
    )
    if routing and routing.matched:
        if protocol == "TLS_PASSTHROUGH":
            b.problems.append(
                b.specs.problem(
                    routing.matched[0].key,
                    "spec.matches",
                    f"Service {namespace}/{apex} port {port.port} is TLS passthrough: Lattice "
                    "cannot match HTTP requests inside it",
                )
            )
            return
        _rules(b, service, name, owner, namespace, port, protocols, routing)


def _rules(
    b: Builder,
    service: str,
    listener_name: str,
    owner: ObjectKey,
    namespace: str,
    port: ServicePort,
    protocols: tuple[str, str, str | None],
    routing: ApexRouting,
) -> None:
    priority = 0
    for split in routing.matched:
        forward = _forward(b, namespace, port, protocols, split.spec.backends, split.key)
        for _, group, index, match in split_group_matches(b.specs, split):
            where = f"spec.matches[{index}]"
            try:
                http: dict[str, Any] = {}
                path = path_match(match.path_regex, f"{where}.pathRegex")
                http["pathMatch"] = path or {"match": {"prefix": "/"}, "caseSensitive": True}
                if match.headers:
                    http["headerMatches"] = header_matches(match.headers, f"{where}.headers")
            except Untranslatable as exc:
                b.problems.append(b.specs.problem(group.key, exc.path, exc.message))
                continue
            methods = [None] if match.any_method else list(dict.fromkeys(match.methods))
            for method in methods:
                priority += 1
                if priority > b.options.rules_per_listener:
                    b.problems.append(
                        b.specs.problem(
                            split.key,
                            "spec.matches",
                            f"the matches of Service {namespace}/{routing.apex} port "
                            f"{port.port} need more than {b.options.rules_per_listener} rules "
                            "(one per match and method), the Lattice rules-per-listener quota "
                            "(option rules_per_listener, if your quota was raised)",
                        )
                    )
                    return
                rule_match = {**http, **({"method": method} if method else {})}
                b.add(
                    RULE,
                    owner,
                    f"lattice-rule-{port.port}-{priority}",
                    {
                        "name": f"priority-{priority}",
                        "serviceIdentifier": ref(service, "id"),
                        "listenerIdentifier": ref(listener_name, "listenerId"),
                        "priority": priority,
                        "match": {"httpMatch": rule_match},
                        "action": {"forward": {"targetGroups": forward}},
                    },
                )


def _forward(
    b: Builder,
    namespace: str,
    port: ServicePort,
    protocols: tuple[str, str, str | None],
    backends: Sequence[Backend],
    key: ObjectKey,
) -> list[dict[str, Any]]:
    live = [
        x
        for x in serving(backends)
        if not backend_lacks_port(b.specs, namespace, x.service, port.port)
    ]
    if not live:
        b.problems.append(
            b.specs.problem(key, "spec.backends", f"no backend serves port {port.port}")
        )
        return []
    weights, exact = lattice_weights([x.weight for x in live])
    forward = []
    for backend, weight in zip(live, weights, strict=True):
        if weight == 0:
            b.warnings.append(
                PlanWarning(
                    f"backend {backend.service!r} (weight {backend.weight}) rounds to 0 of 999 "
                    "on vpc-lattice and gets no traffic",
                    key,
                )
            )
            continue
        tg = _target_group(b, namespace, backend.service, port, protocols, key)
        forward.append({"targetGroupIdentifier": ref(tg, "id"), "weight": weight})
    if not exact:
        b.warnings.append(
            PlanWarning(f"weights of {key} scaled to 0-999 (Lattice's maximum 999)", key)
        )
    if len(forward) > MAX_TARGET_GROUPS:
        b.problems.append(
            b.specs.problem(
                key,
                "spec.backends",
                f"{len(forward)} backends with traffic; a Lattice forward action takes at "
                f"most {MAX_TARGET_GROUPS} target groups",
            )
        )
    return forward


def _target_group(
    b: Builder,
    namespace: str,
    backend: str,
    port: ServicePort,
    protocols: tuple[str, str, str | None],
    key: ObjectKey,
) -> str:
    tg_name = b.name("target group", f"{backend}-{namespace}-{port.port}", key, "spec.backends")
    if tg_name in b.target_groups:
        return b.target_groups[tg_name]
    config: dict[str, Any] = {
        "port": target_port(b.specs, namespace, backend, port.port),
        "protocol": protocols[1],
        "vpcIdentifier": b.options.vpc_id,
    }
    if protocols[2]:
        config["protocolVersion"] = protocols[2]
    name = b.add(
        TG,
        service_owner(namespace, backend),
        f"lattice-tg-{port.port}",
        {"name": tg_name, "type": b.options.target_type, "config": config},
    )
    b.target_groups[tg_name] = name
    return name


def target_port(specs: SpecSet, namespace: str, backend: str, number: int) -> int:
    """The port the backend's pods listen on: the Service port's numeric targetPort."""
    service = specs.catalogue.service(namespace, backend)
    found = service.port(number) if service else None
    target = found.target_port if found else None
    if isinstance(target, int):
        return target
    if isinstance(target, str) and service is not None:
        numbers = {
            w.container_ports[target]
            for w in specs.catalogue.workloads
            if w.namespace == namespace
            and service.selector
            and all(w.pod_labels.get(k) == v for k, v in service.selector.items())
            and target in w.container_ports
        }
        if len(numbers) == 1:
            return numbers.pop()
    return number
