"""Traffic shares: where each rule of each apex sends its requests, read from emitted objects.

:func:`traffic_shares` reads what the targets emit (never the SMI input), so it reviews a
convert Plan, a render and, later, a preview alike: Istio VirtualService ``http``/``tcp``/
``tls`` routes, GAMMA HTTPRoute/GRPCRoute/TCPRoute ``backendRefs``, Consul ServiceSplitters
and ServiceRouters (consul-k8s CRDs and pulumi-consul config entries), VPC Lattice Listener
and ListenerRule forwards, App Mesh Route ``weightedTargets`` and SMI TrafficSplits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .aws import appmesh_shares, lattice_shares
from .consul import consul_shares
from .kube import kubernetes_shares
from .model import Share, format_percent, shares_of_rule
from .values import Index

__all__ = ["Share", "format_percent", "shares_of_rule", "traffic_shares"]


def traffic_shares(resources: Iterable[Mapping[str, Any]]) -> list[Share]:
    """Every backend's share of every rule of every apex the ``resources`` route.

    ``resources`` are ``{type, name, properties[, dependsOn]}`` mappings (a convert Plan's
    JSON, a render's). The result is sorted by apex and port; the rules of an apex keep the
    order in which the target evaluates them, the backends of a rule their emitted order.
    """
    listed = list(resources)
    found: list[Share] = []
    for resource in listed:
        found += kubernetes_shares(resource)
    index = Index(listed)
    found += consul_shares(index) + lattice_shares(index) + appmesh_shares(index)
    return sorted(found, key=lambda s: (s.apex, -1 if s.port is None else s.port))
