"""The GAMMA routes of one apex Service: one HTTPRoute, GRPCRoute or TCPRoute per port.

Every route attaches to the apex Service port (``parentRefs``) and holds, in order, one
rule per TrafficSplit with ``matches`` (name order) and the catch-all rule: the split
without ``matches``, or the apex Service itself. A backendRef to the apex Service (a split
listing the apex among its backends, or the catch-all) means its own endpoints (GAMMA's
"backend facet"), never a loop. Backends lacking the port are left out (SMI's port rule);
a split left without a backend on a port does not apply there. A backend served outside the
mesh (an ExternalName Service) stays a backendRef to its Service, with a warning, or is a
located error where the mesh cannot route to it (:mod:`.remote`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ...errors import Problem, TranslationError
from ...plan import PlanWarning, Resource
from ...spec.catalogue import ServicePort
from ...spec.models import HTTPMatch, TrafficSplit
from ...spec.specset import SpecSet
from ..base import Namer
from ..kube import manifest_resource, object_metadata
from ..plan_builder import PlanBuilder, both, each
from ..services import (
    assumed_http,
    assumed_http_warning,
    backend_lacks_port,
    is_grpc,
    is_http,
    require_apex_ports,
)
from ..splits import ApexRouting, by_apex, split_group_matches
from ..weights import exactly_within, serving
from .matches import (
    Inexpressible,
    Match,
    grpc_matches,
    http_matches,
    may_outrank,
    uses_regex_paths,
    with_regex_any_path,
)
from .remote import remote_warnings

GROUP = "gateway.networking.k8s.io"
MAX_WEIGHT = 1_000_000
MAX_REFS = 16
MAX_RULES = 16
MAX_MATCHES = 64
MAX_ROUTE_MATCHES = 127
Rule = dict[str, Any]


@dataclass
class _Port:
    """What one apex port's route is built from, and the warnings it collects."""

    specs: SpecSet
    routing: ApexRouting
    port: int
    warnings: list[PlanWarning] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.routing.namespace}/{self.routing.apex} port {self.port}"

    def warn(self, split: TrafficSplit, text: str) -> None:
        self.warnings.append(PlanWarning(f"TrafficSplit {_name(split)}: {text}", split.key))

    def fail(self, split: TrafficSplit, path: str, text: str) -> TranslationError:
        return TranslationError([self.specs.problem(split.key, path, text)])


@dataclass(frozen=True)
class RouteApis:
    """The apiVersion of each route kind a mesh reads, and the target's name for messages."""

    target: str
    http: str = f"{GROUP}/v1"
    grpc: str = f"{GROUP}/v1"
    tcp: str = f"{GROUP}/v1"
    mesh: str | None = None
    """The mesh that reads the routes, when known (``linkerd`` cannot route to an
    ExternalName backend)."""

    def of(self, kind: str) -> str:
        return {"HTTPRoute": self.http, "GRPCRoute": self.grpc, "TCPRoute": self.tcp}[kind]


def split_routes(b: PlanBuilder, apis: RouteApis, namer: Namer) -> None:
    """Plan the routes of every apex split (each apex apart: the problems of one do not
    hide another's)."""
    for routing in by_apex(b.specs, b.problems):
        with b.collecting():
            b.include(*_apex(b.specs, routing, apis, namer))


def _apex(
    specs: SpecSet, routing: ApexRouting, apis: RouteApis, namer: Namer
) -> tuple[list[Resource], list[PlanWarning]]:
    """:func:`apex_routes` and the warnings of its remote backends, the problems of both."""
    remote, (resources, warnings) = both(
        lambda: remote_warnings(specs, routing, apis.target, apis.mesh == "linkerd"),
        lambda: apex_routes(specs, routing, apis, namer),
    )
    return resources, [*warnings, *remote]


def apex_routes(
    specs: SpecSet, routing: ApexRouting, apis: RouteApis, namer: Namer
) -> tuple[list[Resource], list[PlanWarning]]:
    """The routes of every port of the apex Service, and their warnings.

    Every port is tried; a problem that another port already showed about the same field
    of the same object is not repeated.
    """
    owner = routing.owner_split
    resources: list[Resource] = []
    warnings: list[PlanWarning] = []
    problems: list[Problem] = []
    for service_port in require_apex_ports(specs, owner, apis.target):
        port = _Port(specs, routing, service_port.port)
        kind = _route_kind(service_port)
        if kind == "TCPRoute" and routing.matched and assumed_http(service_port):
            kind = "HTTPRoute"  # SMI HTTP matches apply to it: HTTP, as the other targets agree
            port.warn(
                routing.matched[0],
                assumed_http_warning(routing.namespace, routing.apex, service_port),
            )
        if kind is None:
            port.warn(
                owner,
                f"{service_port.protocol} {port.where}: Gateway API has no mesh "
                "route for it; the split does not apply there",
            )
        else:
            try:
                rules = _RULES[kind](port)
            except TranslationError as exc:
                shown = {_field(p) for p in problems}
                problems.extend(p for p in exc.problems if _field(p) not in shown)
                continue
            if rules:
                resources.append(_route(kind, apis.of(kind), port, rules, namer))
        warnings.extend(port.warnings)
    if problems:
        raise TranslationError(problems)
    return resources, warnings


def _field(problem: Problem) -> tuple[str | None, str | None, str]:
    """The object and field a problem is about."""
    return problem.kind, problem.name, problem.path


def _route_kind(port: ServicePort) -> str | None:
    if port.protocol != "TCP":
        return None  # UDP, SCTP: no GAMMA route kind
    if is_grpc(port):
        return "GRPCRoute"
    return "HTTPRoute" if is_http(port) else "TCPRoute"


def _route(kind: str, api_version: str, port: _Port, rules: list[Rule], namer: Namer) -> Resource:
    routing = port.routing
    source = routing.owner_split.metadata
    spec = {
        "parentRefs": [_service_ref(routing.apex, port.port)],
        "rules": rules,
    }
    return manifest_resource(
        namer(routing.owner, f"{kind.lower()}-{port.port}"),
        api_version,
        kind,
        object_metadata(f"{routing.apex}-{port.port}", routing.namespace, source),
        spec,
        routing.owner,
    )


def _service_ref(name: str, port: int, weight: int | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"group": "", "kind": "Service", "name": name, "port": port}
    if weight is not None:
        ref["weight"] = weight
    return ref


# --- backends --------------------------------------------------------------------------


def _backend_refs(port: _Port, split: TrafficSplit) -> list[dict[str, Any]]:
    """The split's serving backends that have the port, weighted; [] when none has it."""
    namespace = split.metadata.namespace
    kept = []
    for backend in serving(split.spec.backends):
        if backend_lacks_port(port.specs, namespace, backend.service, port.port):
            port.warn(
                split,
                f"backend Service {backend.service!r} has no port {port.port} of apex "
                f"{port.where}; SMI leaves it out of the split on that port",
            )
        else:
            kept.append(backend)
    if len(kept) > MAX_REFS:
        raise port.fail(
            split, "spec.backends", f"{len(kept)} backends; a Gateway API rule takes {MAX_REFS}"
        )
    weights = _scaled(port, split, [b.weight for b in kept])
    return [_service_ref(b.service, port.port, w) for b, w in zip(kept, weights, strict=True)]


def _scaled(port: _Port, split: TrafficSplit, weights: list[int]) -> list[int]:
    """The weights, divided by their common divisor when one exceeds Gateway API's maximum."""
    exact = exactly_within(weights, largest=MAX_WEIGHT)
    if exact is None:
        raise port.fail(
            split,
            "spec.backends",
            f"weights {weights} exceed Gateway API's maximum {MAX_WEIGHT} and cannot be "
            "scaled down exactly; give the same ratio in smaller numbers",
        )
    return exact


def _catch_all_refs(port: _Port) -> list[dict[str, Any]] | None:
    """The default split's backends (the apex Service among them, when it is one: a
    backendRef to the parent Service means its own endpoints); None when requests stay on
    the apex Service unchanged (no default split, or none of its backends has the port)."""
    default = port.routing.default
    if default is None:
        return None
    refs = _backend_refs(port, default)
    if not refs:
        port.warn(default, f"no backend serves {port.where}; it stays on the apex Service there")
    return refs or None


def _catch_all(port: _Port, refs: list[dict[str, Any]] | None) -> Rule:
    """The last rule: to ``refs`` (the default split's), or else to the apex Service itself."""
    return {"backendRefs": refs or [_service_ref(port.routing.apex, port.port, 1)]}


def _matched(port: _Port, translate: Any) -> list[tuple[TrafficSplit, list[Match], list[Any]]]:
    """(split, matches, backendRefs) of every matched split that applies on the port; the
    problems of every split at once."""

    def applied(split: TrafficSplit) -> tuple[TrafficSplit, list[Match], list[Any]] | None:
        refs = _backend_refs(port, split)
        if not refs:
            port.warn(split, f"no backend serves {port.where}; its matches do not apply there")
            return None
        matches = _split_matches(port, split, translate)
        if not matches:
            port.warn(split, f"none of its matches can match a gRPC call (POST) on {port.where}")
            return None
        return split, matches, refs

    return [found for found in each(port.routing.matched, applied) if found is not None]


def _matched_and_default(
    port: _Port, translate: Any
) -> tuple[list[tuple[TrafficSplit, list[Match], list[Any]]], list[dict[str, Any]] | None]:
    """:func:`_matched` and :func:`_catch_all_refs`, the problems of both at once."""
    return both(lambda: _matched(port, translate), lambda: _catch_all_refs(port))


def _split_matches(port: _Port, split: TrafficSplit, translate: Any) -> list[Match]:
    """Every match of every HTTPRouteGroup the split names, translated, duplicates dropped."""
    found: dict[str, Match] = {}
    translated = each(
        split_group_matches(port.specs, split),
        lambda located: _translated(port, split, located.ref, located.match, translate),
    )
    for matches in translated:
        for match in matches:
            found.setdefault(json.dumps(match, sort_keys=True), match)
    if len(found) > MAX_MATCHES:
        raise port.fail(
            split,
            "spec.matches",
            f"{len(found)} Gateway API matches (methods x matches) on {port.where}; "
            f"a rule takes {MAX_MATCHES}",
        )
    return list(found.values())


def _translated(
    port: _Port, split: TrafficSplit, index: int, match: HTTPMatch, translate: Any
) -> list[Match]:
    try:
        result: list[Match] = translate(match)
    except Inexpressible as exc:
        raise port.fail(
            split,
            f"spec.matches[{index}]",
            f"HTTPRouteGroup {split.spec.matches[index].name!r} match {match.name!r} on "
            f"{port.where}: {exc}",
        ) from None
    return result


# --- rules per route kind --------------------------------------------------------------


def _http_rules(port: _Port) -> list[Rule]:
    matched, default = _matched_and_default(port, http_matches)
    if not matched and default is None:
        return []  # everything stays on the apex: no route needed
    catch_all = _catch_all(port, default)
    if uses_regex_paths([m for _, matches, _ in matched for m in matches]):
        matched = [(s, [with_regex_any_path(m) for m in ms], r) for s, ms, r in matched]
        catch_all = {"matches": [with_regex_any_path({})], **catch_all}
    return _ordered_rules(port, matched, catch_all, grpc=False)


def _grpc_rules(port: _Port) -> list[Rule]:
    matched, default = _matched_and_default(port, grpc_matches)
    if not matched and default is None:
        return []
    return _ordered_rules(port, matched, _catch_all(port, default), grpc=True)


def _tcp_rules(port: _Port) -> list[Rule]:
    default = port.routing.default
    for split in port.routing.matched:
        port.warn(
            split,
            f"TCP {port.where} carries no HTTP requests, so its matches cannot apply: it is "
            "not applied there and "
            + (
                f"{_name(default)} splits every connection"
                if default
                else "connections stay on the apex Service"
            ),
        )
    if default is None:
        return []
    refs = _backend_refs(port, default)
    if not refs:
        port.warn(default, f"no backend serves {port.where}; it stays on the apex Service there")
        return []
    return [{"backendRefs": refs}]


_RULES = {"HTTPRoute": _http_rules, "GRPCRoute": _grpc_rules, "TCPRoute": _tcp_rules}


def _ordered_rules(
    port: _Port,
    matched: list[tuple[TrafficSplit, list[Match], list[Any]]],
    catch_all: Rule,
    grpc: bool,
) -> list[Rule]:
    rules = [{"matches": matches, "backendRefs": refs} for _, matches, refs in matched]
    rules.append(catch_all)
    total = sum(len(rule.get("matches", [{}])) for rule in rules)
    if len(rules) > MAX_RULES or total > MAX_ROUTE_MATCHES:
        names = ", ".join(_name(s) for s, _, _ in matched)
        raise port.fail(
            matched[0][0],
            "spec.matches",
            f"the splits of {port.where} ({names}) need {len(rules)} rules and {total} "
            f"matches; one Gateway API route takes {MAX_RULES} rules and "
            f"{MAX_ROUTE_MATCHES} matches",
        )
    _warn_reordered(port, matched, grpc)
    return rules


def _warn_reordered(
    port: _Port, matched: list[tuple[TrafficSplit, list[Match], list[Any]]], grpc: bool
) -> None:
    """Warn where Gateway API precedence could hand a request to a later split."""
    for i, (first, first_matches, first_refs) in enumerate(matched):
        for later, later_matches, later_refs in matched[i + 1 :]:
            if later_refs == first_refs:
                continue  # same destinations: the order does not matter
            if any(may_outrank(b, a, grpc) for a in first_matches for b in later_matches):
                port.warnings.append(
                    PlanWarning(
                        f"TrafficSplits {_name(first)} and {_name(later)} on {port.where}: "
                        f"a request matching both goes to {first.metadata.name} in SMI (name "
                        f"order), but Gateway API ranks matches by path, method and headers, "
                        f"so Istio or Linkerd may send it to {later.metadata.name}; make "
                        "their matches disjoint",
                        port.routing.owner,
                    )
                )


def _name(split: TrafficSplit) -> str:
    return f"{split.metadata.namespace}/{split.metadata.name}"
