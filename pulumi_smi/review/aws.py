"""Shares read from AWS resources (pulumi-aws engine inputs): VPC Lattice and App Mesh.

Lattice: a Listener's ``defaultAction.forwards[].targetGroups`` is the rest of its service's
port, each ListenerRule's ``action.forward.targetGroups`` a rule (lowest priority first);
the apex is the Lattice service's name, a backend the TargetGroup's. App Mesh: the Routes of
a VirtualRouter (lowest priority first), ``weightedTargets`` naming VirtualNodes; the apex is
the VirtualService the router provides (its DNS name, shown ``<ns>/<svc>``). References are
resolved as :meth:`~.values.Index.find` says; one that cannot be (unknown in a preview) is
shown ``(unknown)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from . import matches
from .model import Share, shares_of_rule
from .values import Index, items, mapping, service_host, weight_in

SERVICE = "aws:vpclattice/service:Service"
LISTENER = "aws:vpclattice/listener:Listener"
RULE = "aws:vpclattice/listenerRule:ListenerRule"
TARGET_GROUP = "aws:vpclattice/targetGroup:TargetGroup"
ROUTER = "aws:appmesh/virtualRouter:VirtualRouter"
ROUTE = "aws:appmesh/route:Route"
NODE = "aws:appmesh/virtualNode:VirtualNode"
VIRTUAL_SERVICE = "aws:appmesh/virtualService:VirtualService"
_ROUTE_KINDS = ("httpRoute", "http2Route", "grpcRoute", "tcpRoute")
_LAST = 1 << 31
Weighted = list[tuple[str, Fraction | None]]


def _properties(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping(resource.get("properties"))


def _priority(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else _LAST


def _forward(index: Index, owner: Mapping[str, Any], groups: object) -> Weighted:
    return [
        (
            index.display(g.get("targetGroupIdentifier"), (TARGET_GROUP,), owner),
            weight_in(g, "weight", 100),  # Lattice's default weight
        )
        for g in items(groups)
    ]


def lattice_shares(index: Index) -> list[Share]:
    """The shares of every Lattice service port among ``index``'s resources."""
    found: list[Share] = []
    rules = index.of_type(RULE)
    for listener in index.of_type(LISTENER):
        properties = _properties(listener)
        apex = index.display(properties.get("serviceIdentifier"), (SERVICE,), listener)
        port = properties.get("port")
        port = port if isinstance(port, int) else None
        mine = [
            r
            for r in rules
            if index.find(_properties(r).get("listenerIdentifier"), (LISTENER,), r) is listener
        ]
        for rule in sorted(
            mine, key=lambda r: (_priority(_properties(r).get("priority")), str(r["name"]))
        ):
            rule_properties = _properties(rule)
            described = matches.describe([matches.lattice(mapping(rule_properties.get("match")))])
            forward = mapping(mapping(rule_properties.get("action")).get("forward"))
            weighted = _forward(index, rule, forward.get("targetGroups"))
            found += shares_of_rule(apex, port, described, str(rule["name"]), weighted)
        action = mapping(properties.get("defaultAction"))
        for forward in items(action.get("forwards")):
            weighted = _forward(index, listener, forward.get("targetGroups"))
            found += shares_of_rule(
                apex, port, matches.DEFAULT_RULE, str(listener["name"]), weighted
            )
    return found


def _apexes(index: Index, router: Mapping[str, Any]) -> list[str]:
    provided = []
    for service in index.of_type(VIRTUAL_SERVICE):
        provider = mapping(mapping(_properties(service).get("spec")).get("provider"))
        name = mapping(provider.get("virtualRouter")).get("virtualRouterName")
        if "virtualRouter" in provider and index.find(name, (ROUTER,), service) is router:
            provided.append(service_host(_properties(service).get("name"), "default"))
    name = _properties(router).get("name")
    return provided or [name if isinstance(name, str) else str(router["name"])]


def _spec_priority(route: Mapping[str, Any]) -> int:
    return _priority(mapping(_properties(route).get("spec")).get("priority"))


def appmesh_shares(index: Index) -> list[Share]:
    """The shares of every App Mesh virtual router among ``index``'s resources."""
    found: list[Share] = []
    routes = index.of_type(ROUTE)
    for router in index.of_type(ROUTER):
        mine = [
            r
            for r in routes
            if index.find(_properties(r).get("virtualRouterName"), (ROUTER,), r) is router
        ]
        ordered = sorted(mine, key=lambda r: (_spec_priority(r), str(r["name"])))
        for apex in _apexes(index, router):
            for route in ordered:
                spec = mapping(_properties(route).get("spec"))
                for kind in _ROUTE_KINDS:
                    body = mapping(spec.get(kind))
                    if not body:
                        continue
                    rule = matches.describe([matches.appmesh(mapping(body.get("match")))])
                    weighted = [
                        (
                            index.display(t.get("virtualNode"), (NODE,), route),
                            weight_in(t, "weight", 0),
                        )
                        for t in items(mapping(body.get("action")).get("weightedTargets"))
                    ]
                    found += shares_of_rule(apex, None, rule, str(route["name"]), weighted)
    return found
