"""One Lattice service's routing: target groups, listeners (one per apex port) and rules.

Apex port protocols (:mod:`pulumi_smi.spec.protocols`): ``http`` and ``grpc-web`` -> HTTP
listener, HTTP/HTTP1 target groups, and so is a TCP port naming no protocol, with a warning;
``http2``/``h2c`` -> HTTPS listener, HTTP/HTTP2; ``grpc`` -> HTTPS listener, HTTP/GRPC
(Lattice carries HTTP/2 on HTTPS listeners only); ``https`` -> HTTPS listener, HTTPS target
groups; ``tls`` -> TLS_PASSTHROUGH listener, TCP target groups, which routes by SNI (no
rules, the service needs a custom domain). A port declared TCP (``tcp-*``, ``appProtocol:
tcp``) or another protocol, and UDP, cannot be carried by a Lattice service: an error.

Every backend serving the port gets a target group, a zero-weight one too (so targets can be
attached before traffic shifts to it); forward actions leave out the zero-weight ones.

The listener's default action forwards to the split without ``matches`` (weighted), or to the
apex Service's own target group (also on a port none of the split's backends has: SMI leaves
those out, so that port stays on the apex); each match x method of the splits with ``matches``
becomes a rule, priorities 1.. in split-name then match order (lowest first), forwarding to its
split (a split none of whose backends has the port gives no rule there).
A backend served outside the mesh gets a target group of its remote's type (:mod:`.remote`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ...plan import PlanWarning, Resource
from ...spec.catalogue import ServicePort
from ...spec.models import Backend, ObjectKey, TrafficSplit
from ..access import Untranslatable
from ..aws.names import lattice_name_problem
from ..aws.references import ref
from ..base import Namer
from ..plan_builder import PlanBuilder
from ..services import assumed_http, assumed_http_warning, backend_lacks_port, remote_of
from ..splits import ApexRouting, split_group_matches
from .match import header_matches, lattice_weights, path_match
from .options import LatticeOptions
from .remote import RemoteUse, note, refused
from .target_groups import target_group

MAX_TARGET_GROUPS = 10
LISTENER = "aws:vpclattice/listener:Listener"
RULE = "aws:vpclattice/listenerRule:ListenerRule"
# application protocol (pulumi_smi.spec.protocols) -> (listener protocol, target group
# protocol, protocol version)
PROTOCOLS: dict[str, tuple[str, str, str | None]] = {
    "http": ("HTTP", "HTTP", "HTTP1"),
    "http2": ("HTTPS", "HTTP", "HTTP2"),
    "grpc": ("HTTPS", "HTTP", "GRPC"),
    "grpc-web": ("HTTP", "HTTP", "HTTP1"),  # HTTP/1.1 (browsers), not gRPC
    "https": ("HTTPS", "HTTPS", "HTTP1"),
    "tls": ("TLS_PASSTHROUGH", "TCP", None),
}


@dataclass
class Builder(PlanBuilder):
    """The plan of one translation, and the Lattice names and target groups planned."""

    options: LatticeOptions = field(kw_only=True)
    namer: Namer = field(kw_only=True)
    target_groups: dict[str, str] = field(default_factory=dict)
    owners: dict[str, ObjectKey] = field(default_factory=dict)
    """Logical name -> the owner of the resource planned under it."""
    clashes: set[tuple[ObjectKey, ObjectKey]] = field(default_factory=set)
    remotes: dict[tuple[str, str, str], RemoteUse] = field(default_factory=dict)
    """(namespace, split, backend) -> the target groups of a remote backend of that split."""

    def add(self, type_: str, owner: ObjectKey, role: str, props: dict[str, Any]) -> str:
        """Plan a resource; returns its logical name (a problem if another one has it)."""
        name = self.namer(owner, role)
        if name in self.owners:
            self._clash(self.owners[name], owner, name)
        self.owners[name] = owner
        return self.add_resource(Resource(type_, name, props, (), owner))

    def _clash(self, first: ObjectKey, second: ObjectKey, name: str) -> None:
        """Note the problem of two owners whose resources get one logical name (once)."""
        if (first, second) in self.clashes:
            return
        self.clashes.add((first, second))
        split = next((o for o in (second, first) if o.kind == "TrafficSplit"), None)
        what = " and ".join(dict.fromkeys(_what(o) for o in (first, second)))
        self.problems.append(
            self.specs.problem(
                split or second,
                "metadata.name",
                f"{what} would both plan a Lattice resource named {name!r}: Pulumi logical "
                "names are unique; "
                + ("rename the TrafficSplit" if split else "rename one of them"),
            )
        )

    def name(self, kind: str, value: str, key: ObjectKey, path: str) -> str:
        """``value`` when it is a valid Lattice ``kind`` name; otherwise a problem is noted."""
        problem = lattice_name_problem(kind, value)
        if problem:
            self.problems.append(self.specs.problem(key, path, problem))
        return value


def _what(owner: ObjectKey) -> str:
    return f"{owner.kind} {owner.namespace}/{owner.name}"


def port_protocol(port: ServicePort) -> tuple[str, str, str | None] | None:
    """(listener protocol, target group protocol, version) for an apex port, or None.

    A TCP port naming no protocol is HTTP (:func:`listener` warns).
    """
    if port.protocol != "TCP":
        return None
    return PROTOCOLS["http"] if assumed_http(port) else PROTOCOLS.get(port.application_protocol)


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
    if assumed_http(port):
        b.warnings.append(PlanWarning(assumed_http_warning(namespace, apex, port), key))
    split = routing.default if routing and routing.default else None
    if split is not None and not _serves(b, namespace, port, split.spec.backends):
        b.warnings.append(_stays(split, namespace, apex, port, "the apex Service's pods"))
        split = None  # SMI: traffic to a port no backend has stays on the apex Service
    target = split.spec.backends if split else (Backend(service=apex, weight=1),)
    forward = _forward(b, namespace, port, protocols, target, split.key if split else key, split)
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
        if not _serves(b, namespace, port, split.spec.backends):
            b.warnings.append(_stays(split, namespace, routing.apex, port, "the default action"))
            continue
        forward = _forward(b, namespace, port, protocols, split.spec.backends, split.key, split)
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


def _serves(b: Builder, namespace: str, port: ServicePort, backends: Sequence[Backend]) -> bool:
    """Whether a backend with a weight has ``port`` (SMI leaves out those lacking it)."""
    return any(
        x.weight > 0 and not backend_lacks_port(b.specs, namespace, x.service, port.port)
        for x in backends
    )


def _stays(
    split: TrafficSplit, namespace: str, apex: str, port: ServicePort, where: str
) -> PlanWarning:
    return PlanWarning(
        f"TrafficSplit {split.metadata.namespace}/{split.metadata.name}: no backend with a "
        f"weight has port {port.port} of Service {namespace}/{apex}, so it does not apply "
        f"there (SMI leaves out backends lacking the port): that port goes to {where}",
        split.key,
    )


def _forward(
    b: Builder,
    namespace: str,
    port: ServicePort,
    protocols: tuple[str, str, str | None],
    backends: Sequence[Backend],
    key: ObjectKey,
    split: TrafficSplit | None = None,
) -> list[dict[str, Any]]:
    """The weighted target groups of ``backends`` (``split``'s, when they are) on ``port``."""
    present: list[tuple[Backend, str]] = []
    refusals = False
    for index, x in enumerate(backends):
        if backend_lacks_port(b.specs, namespace, x.service, port.port):
            continue
        remote = remote_of(b.specs, namespace, x.service) if split else None
        if split and remote and refused(b, split, index, remote, port.port, protocols):
            refusals = True
            continue
        # every backend gets its target group, a zero-weight one too (targets can be attached
        # before traffic shifts to it); only the forward action leaves it out
        tg = target_group(b, namespace, x.service, port, protocols, key, remote)
        if split and remote:
            note(
                b.remotes,
                split,
                x.service,
                remote,
                f"{x.service}-{namespace}-{port.port}",
                port.port,
            )
        present.append((x, tg))
    live = [(x, tg) for x, tg in present if x.weight > 0]
    if not live:
        if not refusals:  # a refused remote backend is the problem already
            b.problem(key, "spec.backends", f"no backend serves port {port.port}")
        return []
    weights, exact = lattice_weights([x.weight for x, _ in live])
    forward = []
    for (backend, tg), weight in zip(live, weights, strict=True):
        if weight == 0:
            b.warnings.append(
                PlanWarning(
                    f"backend {backend.service!r} (weight {backend.weight}) rounds to 0 of 999 "
                    "on vpc-lattice and gets no traffic",
                    key,
                )
            )
            continue
        forward.append({"targetGroupIdentifier": ref(tg, "id"), "weight": weight})
    if not exact:
        b.warnings.append(
            PlanWarning(f"weights of {key} scaled to 0-999 (Lattice's maximum 999)", key)
        )
    if len(forward) > MAX_TARGET_GROUPS:
        b.problem(
            key,
            "spec.backends",
            f"{len(forward)} backends with traffic; a Lattice forward action takes at "
            f"most {MAX_TARGET_GROUPS} target groups",
        )
    return forward
