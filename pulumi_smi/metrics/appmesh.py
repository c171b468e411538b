"""App Mesh's Envoy stats in the contract's labels (client side: the caller's egress clusters).

App Mesh names the Envoy cluster of every virtual node a caller reaches
``cds_egress_<mesh>_<virtual node>_<protocol>_<port>`` (label ``envoy_cluster_name``), and our
appmesh translator names a Service's virtual node ``<service>_<namespace>`` (as the App Mesh
controller does; neither part can hold ``_``), in the mesh ``mesh_name`` (default ``smi``). A
TrafficSplit's weighted targets are the backends' virtual nodes, so each backend is measured.

The caller is the ``appmesh_virtual_node`` label: the tag App Mesh's Envoy adds with
``ENABLE_ENVOY_STATS_TAGS=1`` (without it, edge series have no caller). A caller's virtual
node is its workload's (``<workload>_<namespace>``) or, for a workload behind a Service, the
Service's: that one maps to the one workload the Service selects, when there is one.

Checked: AWS App Mesh user guide (troubleshooting: ``cluster.cds_egress_prod_virtual-node-a_
http_3000.*``), aws-app-mesh-examples walkthroughs (``cds_egress_<mesh>_<name>_<namespace>_
http_8080`` for controller-named nodes), the Envoy image's ``ENABLE_ENVOY_STATS_TAGS``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ..meshes.appmesh.options import AppMeshOptions
from ..spec.specset import SpecSet
from .envoy import EnvoyUpstream
from .promql import Matcher, label_replace

_CLUSTER = "envoy_cluster_name"
_CALLER = "appmesh_virtual_node"
_PROTOCOLS = "(?:http|http2|grpc|tcp)"
_PART = "([^_]+)"


class AppMeshMetrics(EnvoyUpstream):
    """App Mesh's Envoy egress stats, normalised (see the module)."""

    name = "App Mesh"

    def __init__(self, specs: SpecSet, options: AppMeshOptions) -> None:
        self.mesh = options.mesh
        self.callers: dict[str, str] = {}
        """Virtual node of a Service -> the one workload behind it."""
        for service in specs.catalogue.services:
            if not service.selector:
                continue
            selected = specs.catalogue.selected_workloads(service.namespace, service.selector)
            if len(selected) == 1:
                self.callers[f"{service.name}_{service.namespace}"] = selected[0].name

    def _cluster(self, node: str) -> str:
        return f"cds_egress_{re.escape(self.mesh)}_{node}_{_PROTOCOLS}_[0-9]+"

    def matchers(self, only: tuple[str, str] | None) -> list[Matcher]:
        """The egress clusters of the mesh's virtual nodes (of the Service ``only``)."""
        node = f"{_PART}_{_PART}" if only is None else re.escape(f"{only[1]}_{only[0]}")
        return [(_CLUSTER, "=~", self._cluster(node))]

    def native(self, level: str) -> Sequence[str]:
        """The cluster name (and the caller's virtual node for edges)."""
        return [_CLUSTER, *([_CALLER] if level == "edge" else [])]

    def relabel(self, level: str) -> Callable[[str], str]:
        """Virtual node names -> Kubernetes namespace and Service (and the caller)."""
        cluster = self._cluster(f"{_PART}_{_PART}")

        def relabel(expr: str) -> str:
            expr = label_replace(expr, "service", "$1", _CLUSTER, cluster)
            expr = label_replace(expr, "namespace", "$2", _CLUSTER, cluster)
            if level != "edge":
                return expr
            node = f"{_PART}_{_PART}"
            expr = label_replace(expr, "source_workload", "$1", _CALLER, node)
            expr = label_replace(expr, "source_namespace", "$2", _CALLER, node)
            for name, workload in sorted(self.callers.items()):
                expr = label_replace(expr, "source_workload", workload, _CALLER, re.escape(name))
            return expr

        return relabel
