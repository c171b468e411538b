"""TrafficSplit -> App Mesh VirtualRouter + Routes + VirtualService, one set per apex Service.

The router has ONE listener, the apex Service's only TCP port: with several listeners every
Route and target must carry ports (terraform-provider-aws#35294), so an apex with several
ports is an error. The route kind follows the port's protocol (``httpRoute``,
``http2Route``, ``grpcRoute``, ``tcpRoute``). Routes, lowest priority first: one per
(matched split, HTTP match, method) — App Mesh matches one method per route — in split
name order from priority 0, then the catch-all at priority 1000: the split without
``matches``, or else 100 % to the apex Service's own VirtualNode (its DNS name resolves to
the apex ClusterIP, which reaches the apex's pods unchanged). Weights are integers summing
to 100 (largest remainder); zero-weight backends are left out of ``weightedTargets`` (App
Mesh accepts 0, but a target that gets nothing need not be listed) yet keep their
VirtualNode, so shifting weight later only updates the Route. More than 10 serving
backends is an error (the limit is not adjustable). A backend served outside the mesh is a
target like any other, its VirtualNode resolving the remote host (:mod:`.remote`).
"""

from __future__ import annotations

from typing import Any

from ...plan import Resource
from ...spec.catalogue import Service, ServicePort
from ...spec.models import Backend, HTTPMatch, TrafficSplit
from ..aws.references import ref
from ..plan_builder import both, each
from ..services import remote_of
from ..splits import ApexRouting, by_apex, split_matches
from ..weights import percentages
from .match import Unmatchable, grpc_match, http_match
from .nodes import ROUTE, VIRTUAL_ROUTER, Builder, appmesh_protocol
from .options import MAX_PRIORITY, MAX_TARGETS, ROUTES_PER_ROUTER
from .remote import remote_node

ROUTE_KIND = {"http": "httpRoute", "http2": "http2Route", "grpc": "grpcRoute", "tcp": "tcpRoute"}


class _Apex:
    """Translates the splits of one apex."""

    def __init__(self, builder: Builder, routing: ApexRouting) -> None:
        self.b, self.routing = builder, routing
        self.key = routing.owner
        self.ns = routing.namespace
        apex = builder.service(self.ns, routing.apex, self.key, "spec.service")
        self.apex = apex
        self.port = self._single_port(apex)
        protocol = appmesh_protocol(self.port)
        assert protocol is not None  # _single_port keeps TCP ports only
        self.protocol = protocol

    def _single_port(self, apex: Service) -> ServicePort:
        tcp = [p for p in apex.ports if p.protocol == "TCP"]
        if len(tcp) != 1:
            ports = ", ".join(f"{p.port}/{p.protocol}" for p in apex.ports)
            raise self.b.fail(
                self.key,
                "spec.service",
                f"apex Service {self.ns}/{self.routing.apex} has ports {ports}: an App Mesh "
                "VirtualRouter routes one TCP port (one listener), so the apex needs exactly one",
            )
        return tcp[0]

    def targets(self, split: TrafficSplit) -> list[dict[str, Any]]:
        """``weightedTargets`` of a split; every backend's VirtualNode is planned."""
        nodes = dict(each(split.spec.backends, lambda backend: self.node(split, backend)))
        shares, notes = percentages(split.spec.backends)
        for note in notes:
            self.b.warn(split.key, note)
        if len(shares) > MAX_TARGETS:
            raise self.b.fail(
                split.key,
                "spec.backends",
                f"{len(shares)} backends get traffic; an App Mesh route takes at most "
                f"{MAX_TARGETS} weighted targets (not adjustable)",
            )
        return [{"virtualNode": ref(nodes[s], "name"), "weight": w} for s, w in shares]

    def node(self, split: TrafficSplit, backend: Backend) -> tuple[str, str]:
        """(backend Service, its VirtualNode's logical name); the node is planned."""
        path = split.spec.backend_path(backend.service)
        remote = remote_of(self.b.specs, self.ns, backend.service)
        if remote is not None:
            apex_host = self.b.dns(self.ns, self.routing.apex)
            node = remote_node(
                self.b, split.key, path, self.ns, backend.service, remote, self.port, apex_host
            )
            return backend.service, node
        service = self.b.service(self.ns, backend.service, split.key, path)
        port = service.port(self.port.port)
        if port is None and len(service.ports) == 1:
            port = service.ports[0]
        if port is None or appmesh_protocol(port) != self.protocol:
            raise self.b.fail(
                split.key,
                path,
                f"backend Service {self.ns}/{backend.service} needs a port {self.port.port} "
                f"(or a single port) with the apex's protocol {self.protocol}",
            )
        return backend.service, self.b.node(service, split.key, path)

    def apex_targets(self) -> list[dict[str, Any]]:
        node = self.b.node(self.apex, self.key, "spec.service")
        return [{"virtualNode": ref(node, "name"), "weight": 100}]

    def match(self, match: HTTPMatch, method: str | None) -> dict[str, Any]:
        if self.protocol == "grpc":
            return grpc_match(match)
        return http_match(match, method)

    def routes(self) -> list[tuple[str, TrafficSplit | None, dict[str, Any]]]:
        """(route name, split, spec) in priority order."""
        routes: list[tuple[str, TrafficSplit | None, dict[str, Any]]] = []
        if self.protocol == "tcp" and self.routing.matched:
            names = ", ".join(s.metadata.name for s in self.routing.matched)
            self.b.warn(
                self.routing.matched[0].key,
                f"apex port {self.port.port} is TCP: the HTTP matches of {names} cannot apply "
                "to it, so those splits are not translated (their traffic takes the catch-all)",
            )
        matched = self.routing.matched if self.protocol != "tcp" else ()
        default = self.routing.default
        per_split, catch_all = both(
            lambda: each(matched, self.split_routes),
            lambda: self.targets(default) if default else self.apex_targets(),
        )
        routes.extend(route for split_routes in per_split for route in split_routes)
        spec: dict[str, Any] = {"action": {"weightedTargets": catch_all}}
        if self.protocol in ("http", "http2"):
            spec["match"] = {"prefix": "/"}
        elif self.protocol == "grpc":
            spec["match"] = {}
        name = f"{default.metadata.name}-default" if default else f"{self.routing.apex}-apex"
        routes.append((name, default, spec))
        return routes

    def split_routes(self, split: TrafficSplit) -> list[tuple[str, TrafficSplit | None, Any]]:
        """(route name, split, spec) of each match x method of a matched split."""
        targets = self.targets(split)
        routes: list[tuple[str, TrafficSplit | None, dict[str, Any]]] = []
        for match in split_matches(self.b.specs, split):
            methods: tuple[str | None, ...] = (None,) if match.any_method else match.methods
            if self.protocol == "grpc":
                methods = (None,)
            for method in methods:
                try:
                    request = self.match(match, method)
                except Unmatchable as exc:
                    self.b.warn(split.key, f"match {match.name!r}: {exc}")
                    break
                spec = {"match": request, "action": {"weightedTargets": targets}}
                routes.append((f"{split.metadata.name}-{len(routes) + 1}", split, spec))
        return routes

    def translate(self) -> None:
        mesh = self.b.mesh_properties()
        listener = {"portMapping": {"port": self.port.port, "protocol": self.protocol}}
        router_name = self.b.namer(self.key, "virtualrouter")
        router = self.b.add(
            Resource(
                VIRTUAL_ROUTER,
                router_name,
                {
                    "name": f"{self.routing.apex}_{self.ns}",
                    **mesh,
                    "spec": {"listeners": [listener]},
                },
                owner=self.key,
            ),
            self.key,
            "spec.service",
        )
        routes = self.routes()
        if len(routes) > MAX_PRIORITY:
            raise self.b.fail(
                self.key, "spec.matches", f"{len(routes)} routes exceed App Mesh's priorities"
            )
        if len(routes) > ROUTES_PER_ROUTER:
            self.b.warn(
                self.key,
                f"{len(routes)} routes on one VirtualRouter exceed App Mesh's default quota of "
                f"{ROUTES_PER_ROUTER} (L-BB90B7FF): request an increase first",
            )
        names: list[str] = []
        for priority, (route, split, spec) in enumerate(routes):
            owner = split.key if split else self.key
            logical = self.b.namer(owner, f"route-{route}")
            if logical in self.b.resources:
                raise self.b.fail(owner, "metadata.name", f"two routes named {route!r}")
            props = {
                "name": route,
                **mesh,
                "virtualRouterName": ref(router, "name"),
                "spec": {
                    "priority": MAX_PRIORITY if priority == len(routes) - 1 else priority,
                    ROUTE_KIND[self.protocol]: spec,
                },
            }
            names.append(
                self.b.add(Resource(ROUTE, logical, props, owner=owner), owner, "metadata.name")
            )
        provider = {"virtualRouter": {"virtualRouterName": ref(router, "name")}}
        self.b.virtual_service(self.ns, self.routing.apex, provider, self.key, tuple(names))


def translate_splits(builder: Builder) -> None:
    """Routers, routes, VirtualServices and backend VirtualNodes for every apex (each apex
    apart: the problems of one do not hide another's)."""
    for routing in by_apex(builder.specs, builder.problems):
        with builder.collecting():
            _Apex(builder, routing).translate()
