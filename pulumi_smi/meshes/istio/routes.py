"""TrafficSplit -> Istio VirtualService: one per apex Service, host-level splitting.

Backends are separate Services (as in SMI and Flagger), so each destination is a
backend host; no DestinationRule subsets are needed — the apex itself may be a backend:
a destination with the VirtualService's own host goes to that Service's endpoints.
Weights are relative since Istio 1.15 (istio/istio#39544), so they are SMI's exact
ratios: as given, divided by their common divisor only when their sum exceeds int32
(scaled, with a warning, only when even that does not fit). Zero-weight backends are
left out: a lone destination gets all traffic in Istio, whatever its weight. A
VirtualService without routes is refused by istiod, so an apex none of whose ports
Istio routes gets none (a warning names each of its splits).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ...errors import Problem, TranslationError
from ...plan import PlanWarning
from ...spec.catalogue import ServicePort
from ...spec.models import HTTPMatch, ObjectKey, TrafficSplit
from ...spec.remote import Remote
from ...spec.specset import SpecSet
from ..base import Namer
from ..kube import manifest_resource, object_metadata
from ..paths import Match, escape, smi_header, smi_path
from ..plan_builder import PlanBuilder
from ..services import (
    apex_ports,
    assumed_http,
    assumed_http_warning,
    backend_lacks_port,
    is_http,
    remote_of,
)
from ..splits import ApexRouting, by_apex, split_matches
from ..weights import ratios
from .options import IstioOptions
from .remote import no_host_message, plan_remote_backends

MAX_TOTAL_WEIGHT = 2**31 - 1
"""The largest sum of weights of one route: weights are int32 in Istio's API, its validation
adds them up in an int32, and Envoy's weighted clusters must sum within 32 bits."""
GATEWAYS_ANNOTATION = "VirtualService.v1alpha3.networking.istio.io/spec.gateways"
"""smi-adapter-istio's annotation on a TrafficSplit: ingress gateways to bind the split to."""


class _Builder:
    """Builds the VirtualService of one apex; collects warnings."""

    def __init__(self, specs: SpecSet, options: IstioOptions, routing: ApexRouting) -> None:
        self.specs, self.options, self.routing = specs, options, routing
        self.warnings: list[PlanWarning] = []
        self.problems: list[Problem] = []
        self.remotes: dict[str, tuple[Remote, ObjectKey]] = {}
        """Remote backends routed to: Service name -> where it is, the first split naming it."""

    def host(self, service: str) -> str:
        return f"{service}.{self.routing.namespace}.svc.{self.options.domain_suffix}"

    def backend_host(self, split: TrafficSplit, service: str) -> str:
        """The destination host of a backend: its FQDN, or a remote backend's own host."""
        remote = remote_of(self.specs, self.routing.namespace, service)
        if remote is None:
            return self.host(service)
        if remote.host is None:
            self.problems.append(
                self.specs.problem(
                    split.key, split.spec.backend_path(service), no_host_message(service, remote)
                )
            )
            return self.host(service)
        self.remotes.setdefault(service, (remote, split.key))
        return remote.host

    def warn(self, split: TrafficSplit, message: str) -> None:
        where = f"TrafficSplit {split.metadata.namespace}/{split.metadata.name}"
        self.warnings.append(PlanWarning(f"{where}: {message}", split.key))

    def destinations(self, split: TrafficSplit, port: int | None) -> list[dict[str, Any]]:
        """Weighted destinations for ``port`` (None: every port), SMI's port rule applied."""
        backends = [
            b
            for b in split.spec.backends
            if port is None
            or not backend_lacks_port(self.specs, self.routing.namespace, b.service, port)
        ]
        if not any(b.weight for b in backends):
            self.warn(split, f"no backend with a weight has port {port}; it stays on the apex")
            return self.apex_destination()
        shares, notes = ratios(backends, MAX_TOTAL_WEIGHT)
        for note in notes:
            self.warn(split, note)
        return [
            {"destination": {"host": self.backend_host(split, s)}, "weight": w} for s, w in shares
        ]

    def apex_destination(self) -> list[dict[str, Any]]:
        return [{"destination": {"host": self.host(self.routing.apex)}, "weight": 100}]

    def default_destinations(self, port: int | None) -> list[dict[str, Any]]:
        default = self.routing.default
        return self.destinations(default, port) if default else self.apex_destination()

    def http_routes(self, port: int | None) -> list[dict[str, Any]]:
        routes = []
        for split in self.routing.matched:
            matches = [
                m
                for match in split_matches(self.specs, split)
                for m in http_match_requests(match, port)
            ]
            routes.append(
                {
                    "name": split.metadata.name,
                    "match": matches,
                    "route": self.destinations(split, port),
                }
            )
        default = self.routing.default
        routes.append(
            {
                "name": default.metadata.name if default else "apex",
                **({"match": [{"port": port}]} if port is not None else {}),
                "route": self.default_destinations(port),
            }
        )
        return routes

    def tcp_routes(self, ports: Sequence[ServicePort]) -> list[dict[str, Any]]:
        if self.routing.default is None:
            return []  # only matched splits: TCP traffic keeps going to the apex unchanged
        return [
            {"match": [{"port": p.port}], "route": self.default_destinations(p.port)} for p in ports
        ]

    def spec(self) -> dict[str, Any]:
        ports = apex_ports(self.specs, self.routing.owner_split)
        spec: dict[str, Any] = {"hosts": [self.host(self.routing.apex)]}
        gateways = self.gateways()
        if gateways:
            spec["gateways"] = gateways
        if ports is None:
            self.warn(
                self.routing.owner_split,
                f"Service {self.routing.namespace}/{self.routing.apex} is not in the input: "
                "assuming every port is HTTP (add the Service manifest to split TCP ports)",
            )
            spec["http"] = self.http_routes(None)
            return spec
        http_ports = [p for p in ports if self.carries_http(p)]
        tcp_ports = [p for p in ports if not self.carries_http(p) and p.protocol == "TCP"]
        for port in http_ports:
            if not is_http(port):
                self.warn(
                    self.routing.matched[0],
                    assumed_http_warning(self.routing.namespace, self.routing.apex, port),
                )
        for port in ports:
            if port.protocol != "TCP":
                self.warn(
                    self.routing.owner_split,
                    f"port {port.port} is {port.protocol}: Istio does not route it",
                )
        if tcp_ports and self.routing.matched:
            names = ", ".join(s.metadata.name for s in self.routing.matched)
            self.warn(
                self.routing.matched[0],
                f"matches of {names} cannot apply to TCP port(s) "
                f"{', '.join(str(p.port) for p in tcp_ports)}",
            )
        if http_ports:
            spec["http"] = self.http_for(http_ports)
        tcp = self.tcp_routes(tcp_ports)
        if tcp:
            spec["tcp"] = tcp
        return spec

    def carries_http(self, port: ServicePort) -> bool:
        """Whether ``port`` gets HTTP routes: it says HTTP, or it names no protocol and a split
        has HTTP ``matches`` (then it is assumed HTTP, as the other targets do)."""
        return is_http(port) or bool(self.routing.matched and assumed_http(port))

    def http_for(self, ports: Sequence[ServicePort]) -> list[dict[str, Any]]:
        """HTTP routes for all ports at once, or per port where backends lack some of them."""
        if not any(
            backend_lacks_port(self.specs, self.routing.namespace, b.service, p.port)
            for split in self.routing.splits
            for b in split.spec.backends
            for p in ports
        ):
            return self.http_routes(None)
        return [route for p in ports for route in self.http_routes(p.port)]

    def gateways(self) -> list[str]:
        """Gateways named by the splits' annotation, plus ``mesh`` (or sidecars lose the split)."""
        named: list[str] = []
        problems = []
        for split in self.routing.splits:
            raw = split.metadata.annotations.get(GATEWAYS_ANNOTATION)
            if raw is None:
                continue
            try:
                value = json.loads(raw)
            except json.JSONDecodeError:
                value = None
            if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
                problems.append(
                    self.specs.problem(
                        split.key,
                        f"metadata.annotations.{GATEWAYS_ANNOTATION}",
                        'must be a JSON list of gateway names, e.g. ["istio-system/public"]',
                    )
                )
                continue
            named.extend(g for g in value if g not in named)
        if problems:
            raise TranslationError(problems)
        return [*named, "mesh"] if named and "mesh" not in named else named


def http_match_requests(match: HTTPMatch, port: int | None) -> list[dict[str, Any]]:
    """Istio HTTPMatchRequests for one SMI match: one per method (Istio matches one)."""
    request: dict[str, Any] = {}
    uri = _string_match(smi_path(match.path_regex))
    if uri:
        request["uri"] = uri
    if match.headers:
        request["headers"] = {
            name: _string_match(smi_header(value)) for name, value in match.headers.items()
        }
    if port is not None:
        request["port"] = port
    if match.any_method:
        return [request]
    return [{**request, "method": {"exact": method}} for method in match.methods]


def _string_match(match: Match) -> dict[str, str]:
    """An Istio StringMatch; suffix and presence have no field of their own, so are regexes."""
    if match.kind == "any":
        return {}
    if match.kind in ("exact", "prefix", "regex"):
        return {match.kind: match.value}
    if match.kind == "present":
        return {"regex": ".*"}
    return {"regex": f".*{escape(match.value)}"}


def virtual_services(b: PlanBuilder, options: IstioOptions, namer: Namer) -> None:
    """Plan one VirtualService per apex Service split by TrafficSplits (each apex apart:
    the problems of one do not hide another's)."""
    for routing in by_apex(b.specs, b.problems):
        with b.collecting():
            _virtual_service(b, options, namer, routing)


def _virtual_service(
    b: PlanBuilder, options: IstioOptions, namer: Namer, routing: ApexRouting
) -> None:
    builder = _Builder(b.specs, options, routing)
    spec = builder.spec()
    if builder.problems:
        raise TranslationError(list(dict.fromkeys(builder.problems)))
    b.warnings.extend(builder.warnings)
    if not spec.get("http") and not spec.get("tcp"):
        b.warnings.extend(_unrouted(routing))
        return
    api_version = f"networking.istio.io/{options.istio_api}"
    plan_remote_backends(b, namer, api_version, routing, builder.remotes)
    owner = routing.owner_split
    b.add_resource(
        manifest_resource(
            namer(owner.key, "virtualservice"),
            f"networking.istio.io/{options.istio_api}",
            "VirtualService",
            object_metadata(
                routing.apex,
                routing.namespace,
                owner.metadata,
                frozenset({GATEWAYS_ANNOTATION}),
            ),
            spec,
            owner.key,
        )
    )


def _unrouted(routing: ApexRouting) -> list[PlanWarning]:
    """One warning per split of an apex that gets no VirtualService (istiod refuses one
    without routes)."""
    return [
        PlanWarning(
            f"TrafficSplit {split.metadata.namespace}/{split.metadata.name}: no VirtualService "
            f"for Service {routing.namespace}/{routing.apex}: Istio routes none of its ports "
            "for this split, so its traffic stays on the apex unchanged",
            split.key,
        )
        for split in routing.splits
    ]
