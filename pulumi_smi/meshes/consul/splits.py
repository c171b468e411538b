"""TrafficSplit -> Consul ServiceSplitter, ServiceRouter, ServiceResolver subsets.

Per apex: a ServiceSplitter named after it for the split without ``matches``; a
ServiceRouter named after it when splits have ``matches`` (first match wins, in split
name order), whose routes go to the one serving backend, or — when the matched traffic is
itself split — to ``<apex>-<split>``, a name holding its own ServiceSplitter. Requests no
route matches fall through to the apex's own chain: its splitter, or the apex itself.
Backends are separate Consul services, or subsets of the apex's service when the
``subsets`` option gives them a filter (the versions then share one Consul service).
The apex may be a backend of its own splits: in its own ServiceSplitter it is written as
itself (a split to the splitter's own service ends at its resolver: its instances); in a
route or another splitter, where the apex's ServiceSplitter would split it again, it is
the subset named after the apex with an empty filter (every healthy instance).
Every service of a chain needs an HTTP-family protocol (ServiceDefaults), collected in
``protocols`` for the caller to emit once per service. A remote backend (:mod:`.remote`) is
named by its Consul service: the one its ServiceResolver redirects, or the external one
behind the terminating gateway; the splitter or router is written after that entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...errors import TranslationError
from ...plan import PlanWarning
from ...spec.models import HTTPMatch, TrafficSplit
from ...spec.specset import SpecSet
from ..paths import escape, smi_header, smi_path
from ..plan_builder import PlanBuilder, both, each
from ..services import apex_ports, assumed_http, assumed_http_warning, is_grpc, is_http, is_http2
from ..splits import ApexRouting, by_apex, split_matches
from .entries import Entry
from .options import ConsulOptions
from .remote import RemoteBackends
from .weights import consul_weights


@dataclass
class SplitEntries:
    """What the splits need: config entries, warnings, and each service's protocol."""

    remotes: RemoteBackends
    entries: list[Entry] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)
    protocols: dict[tuple[str, str], str] = field(default_factory=dict)
    """(Kubernetes namespace, Consul service) -> the protocol its ServiceDefaults declare."""


def split_entries(b: PlanBuilder, options: ConsulOptions) -> SplitEntries:
    """The Consul entries of every TrafficSplit; problems go to ``b`` (each apex apart: the
    problems of one do not hide another's)."""
    result = SplitEntries(RemoteBackends(options))
    apexes = frozenset((s.metadata.namespace, s.spec.service) for s in b.specs.traffic_splits)
    for routing in by_apex(b.specs, b.problems):
        with b.collecting():
            _Apex(b.specs, options, routing, result, apexes).build()
    result.entries += result.remotes.entries()
    result.warnings += result.remotes.warnings
    return result


@dataclass
class _Apex:
    specs: SpecSet
    options: ConsulOptions
    routing: ApexRouting
    out: SplitEntries
    apexes: frozenset[tuple[str, str]]

    @property
    def namespace(self) -> str:
        return self.routing.namespace

    def warn(self, split: TrafficSplit, text: str) -> None:
        where = f"TrafficSplit {split.metadata.namespace}/{split.metadata.name}"
        self.out.warnings.append(PlanWarning(f"{where}: {text}", split.key))

    def entry(
        self,
        kind: str,
        name: str,
        spec: dict[str, Any],
        split: TrafficSplit,
        backends: list[str] | None = None,
    ) -> None:
        """Plan an entry; ``backends``: the ones it sends traffic to (remote ones go first)."""
        role = f"{kind.lower()}-{name}" if name != self.routing.apex else kind.lower()
        after = self.out.remotes.after(self.namespace, backends or [])
        self.out.entries.append(
            Entry(kind, name, self.namespace, spec, split.key, role, split.metadata, after)
        )

    def build(self) -> None:
        def remotes() -> None:
            each(
                self.routing.splits,
                lambda split: self.out.remotes.add_split(self.specs, split, self.apexes),
            )

        protocol, _ = both(self.protocol, remotes)
        self.out.protocols[(self.namespace, self.routing.apex)] = protocol
        if self.routing.default is not None:
            self.splitter(self.routing.apex, self.routing.default, protocol)
        if self.routing.matched:
            per_split = each(self.routing.matched, lambda split: self.routes(split, protocol))
            routes = [route for split_routes in per_split for route in split_routes]
            targets = [b.service for s in self.routing.matched for b in s.spec.backends if b.weight]
            self.entry(
                "ServiceRouter",
                self.routing.apex,
                {"routes": routes},
                self.routing.owner_split,
                targets,
            )
        subsets = self.subsets()
        if subsets:
            spec = {"subsets": {name: {"filter": f} for name, f in sorted(subsets.items())}}
            self.entry("ServiceResolver", self.routing.apex, spec, self.routing.owner_split)

    def protocol(self) -> str:
        """The apex's protocol (http, http2 or grpc); Consul splits nothing else."""
        split = self.routing.owner_split
        ports = apex_ports(self.specs, split)
        if ports is None:
            self.warn(
                split,
                f"Service {self.namespace}/{self.routing.apex} is not in the "
                "input: assuming it speaks HTTP (ServiceDefaults protocol http)",
            )
            return "http"
        if any(is_grpc(p) for p in ports):
            return "grpc"
        if any(is_http(p) for p in ports):
            return "http2" if any(is_http2(p) for p in ports) else "http"
        unnamed = [p for p in ports if assumed_http(p)]
        if unnamed:  # Consul splits only L7: such a port is HTTP, as Istio would sniff it
            for port in unnamed:
                self.warn(split, assumed_http_warning(self.namespace, self.routing.apex, port))
            return "http"
        raise TranslationError(
            [
                self.specs.problem(
                    split.key,
                    "spec.service",
                    f"Service {self.namespace}/{self.routing.apex} has no HTTP port, and "
                    "Consul splits and routes only http, http2 and grpc services (set "
                    "appProtocol: http, or name the port http-<suffix>, if it is HTTP)",
                )
            ]
        )

    def subsets(self) -> dict[str, str]:
        """Backends that are subsets of the apex's service, with their filters."""
        names = {b.service for s in self.routing.splits for b in s.spec.backends}
        chosen = {name: f for name, f in self.options.subsets.items() if name in names}
        if self.apex_subset_needed():
            chosen.setdefault(self.routing.apex, "")
        return chosen

    def apex_subset_needed(self) -> bool:
        """Whether a matched split reaches the apex's own instances past its splitter."""
        apex = self.routing.apex
        return self.routing.default is not None and any(
            b.service == apex for split in self.routing.matched for b in split.spec.backends
        )

    def target(self, backend: str, own_splitter: bool = False) -> dict[str, str]:
        """A split or route destination: a subset of the apex, or a service of its own.

        The apex itself, outside its own splitter (``own_splitter``), is its subset of every
        instance when it has a splitter, which would split it again.
        """
        apex = self.routing.apex
        remote = self.out.remotes.names.get((self.namespace, backend))
        if remote is not None:
            return {"service": remote}
        if backend in self.options.subsets or (
            backend == apex and not own_splitter and self.routing.default is not None
        ):
            return {"service": apex, "serviceSubset": backend}
        return {"service": backend}

    def declare(self, backend: str, protocol: str) -> None:
        """The backend's Consul service speaks the apex's protocol (not a subset's)."""
        if backend not in self.options.subsets:
            service = self.out.remotes.names.get((self.namespace, backend), backend)
            self.out.protocols[(self.namespace, service)] = protocol

    def splitter(self, name: str, split: TrafficSplit, protocol: str) -> None:
        backends = list(split.spec.backends)
        splits = []
        for index, hundredths in consul_weights([b.weight for b in backends]):
            backend = backends[index].service
            self.declare(backend, protocol)
            weight: float | int = hundredths // 100 if hundredths % 100 == 0 else hundredths / 100
            own = name == self.routing.apex
            splits.append({"weight": weight, **self.target(backend, own_splitter=own)})
        names = [b.service for b in backends if b.weight > 0]
        self.entry("ServiceSplitter", name, {"splits": splits}, split, names)

    def routes(self, split: TrafficSplit, protocol: str) -> list[dict[str, Any]]:
        serving = [b for b in split.spec.backends if b.weight > 0]
        if len(serving) == 1:
            destination = self.target(serving[0].service)
            self.declare(serving[0].service, protocol)
        else:
            name = f"{self.routing.apex}-{split.metadata.name}"
            self.out.protocols[(self.namespace, name)] = protocol
            self.splitter(name, split, protocol)
            destination = {"service": name}
        return [
            {"match": {"http": http}, "destination": destination}
            for match in split_matches(self.specs, split)
            for http in [router_match(match)]
        ]


def router_match(match: HTTPMatch) -> dict[str, Any]:
    """A ServiceRouter ``match.http`` for one SMI match (SMI's start-anchored path kept)."""
    http: dict[str, Any] = {}
    path = smi_path(match.path_regex)
    if path.kind == "exact":
        http["pathExact"] = path.value
    elif path.kind == "prefix" and path.value.startswith("/"):
        http["pathPrefix"] = path.value  # Consul's pathPrefix is a string prefix, as in SMI
    elif path.kind == "prefix":  # Consul requires a prefix to start with '/'
        http["pathRegex"] = f"{escape(path.value)}.*"
    elif path.kind == "regex":
        http["pathRegex"] = path.value
    if match.headers:
        http["header"] = [_header(name, regex) for name, regex in match.headers.items()]
    if not match.any_method:
        http["methods"] = list(match.methods)
    return http


def _header(name: str, value_regex: str) -> dict[str, Any]:
    match = smi_header(value_regex)
    if match.kind == "present":
        return {"name": name, "present": True}
    if match.kind in ("exact", "prefix", "suffix", "regex"):
        return {"name": name, match.kind: match.value}
    raise AssertionError(match.kind)
