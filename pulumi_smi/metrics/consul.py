"""Consul's Envoy stats in the contract's labels (client side: the caller's upstream clusters).

Consul tags every upstream cluster's stats with the destination it names:
``consul_destination_service``, ``consul_destination_service_subset``,
``consul_destination_namespace`` (…``_datacenter``, ``_target``), and every stat with
``local_cluster``, the local (calling) service. Our consul translator names Consul services
after the Kubernetes Services (``{"service": backend}``), and a backend that is a version of
the apex's service (option ``subsets``) the apex's subset named after the backend
(``{"service": apex, "serviceSubset": backend}``): so the Service is the subset when there is
one, else the service.

The Kubernetes namespace: with ``enterprise`` (namespace mirroring) it is
``consul_destination_namespace``; open-source Consul has one namespace, so a service name maps
back to the one namespace of the catalogue (and TrafficSplits) having a Service of that name;
a name in two namespaces cannot be told apart and is refused (every one at once). Names the
files do not know get no series there. The caller: ``local_cluster``'s namespace the same way
(left out where unknown or ambiguous), and its workload the one workload the catalogue's
Service of that name selects, else the name itself.

Checked: consul ``command/connect/envoy/bootstrap_config.go`` (the ``consul.destination.*``
tag regexes; ``local_cluster`` is a fixed stats tag of the bootstrap) and research
linkerd_consul.md §2.4.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence

from ..errors import Problem
from ..meshes.consul.options import ConsulOptions
from ..spec.models import ObjectKey
from ..spec.specset import SpecSet
from .envoy import EnvoyUpstream
from .promql import Matcher, copy_label, label_replace, one_of

_SERVICE = "consul_destination_service"
_SUBSET = "consul_destination_service_subset"
_NAMESPACE = "consul_destination_namespace"
_CALLER = "local_cluster"


class ConsulMetrics(EnvoyUpstream):
    """Consul's Envoy upstream stats, normalised (see the module)."""

    name = "Consul"

    def __init__(self, specs: SpecSet, options: ConsulOptions) -> None:
        self.enterprise = options.enterprise
        self.problems: list[Problem] = []
        where: dict[str, set[str]] = defaultdict(set)
        for service in specs.catalogue.services:
            where[service.name].add(service.namespace)
        self.apex_of: dict[tuple[str, str], str] = {}
        for split in specs.traffic_splits:
            ns = split.metadata.namespace
            where[split.spec.service].add(ns)
            for backend in split.spec.backends:
                where[backend.service].add(ns)
                if backend.service in options.subsets:
                    self.apex_of[(ns, backend.service)] = split.spec.service
        self.namespaces: dict[str, list[str]] = defaultdict(list)
        """Kubernetes namespace -> the Consul names only it has."""
        for name, spaces in sorted(where.items()):
            if len(spaces) == 1:
                self.namespaces[next(iter(spaces))].append(name)
            elif not self.enterprise:
                others = sorted(spaces)[1:]
                self.problems.append(
                    specs.problem(
                        ObjectKey("Service", others[0], name),
                        "metadata.name",
                        f"open-source Consul knows one service {name!r} for namespaces "
                        f"{', '.join(sorted(spaces))}: its metrics cannot say which Service "
                        "they are of; rename one, or set enterprise=true (namespace mirroring)",
                    )
                )
        self.known = sorted(n for names in self.namespaces.values() for n in names)
        self.callers: dict[str, str] = {}
        """Consul service -> the one workload behind it, where the name differs."""
        for service in specs.catalogue.services:
            if len(where[service.name]) != 1 or not service.selector:
                continue
            selected = specs.catalogue.selected_workloads(service.namespace, service.selector)
            if len(selected) == 1 and selected[0].name != service.name:
                self.callers[service.name] = selected[0].name

    def matchers(self, only: tuple[str, str] | None) -> list[Matcher]:
        """The upstream clusters of Consul services (of the Service ``only``)."""
        if only is None:
            if self.enterprise:
                return [(_SERVICE, "!=", "")]
            return [(_SERVICE, "=~", one_of(self.known) or "^$")]
        ns, name = only
        apex = self.apex_of.get(only)
        chosen: list[Matcher] = (
            [(_SERVICE, "=", apex), (_SUBSET, "=", name)]
            if apex is not None
            else [(_SERVICE, "=", name), (_SUBSET, "=~", f"|{re.escape(name)}")]
        )
        return [*chosen, *([(_NAMESPACE, "=", ns)] if self.enterprise else [])]

    def native(self, level: str) -> Sequence[str]:
        """Destination tags (and ``local_cluster`` for edges)."""
        labels = [_SERVICE, _SUBSET, *([_NAMESPACE] if self.enterprise else [])]
        return [*labels, *([_CALLER] if level == "edge" else [])]

    def relabel(self, level: str) -> Callable[[str], str]:
        """Consul names -> Kubernetes namespace and Service (and the caller)."""

        def relabel(expr: str) -> str:
            expr = copy_label(copy_label(expr, "service", _SERVICE), "service", _SUBSET)
            if self.enterprise:
                expr = copy_label(expr, "namespace", _NAMESPACE)
            else:
                for ns, names in sorted(self.namespaces.items()):
                    expr = label_replace(expr, "namespace", ns, "service", one_of(names))
            if level != "edge":
                return expr
            expr = copy_label(expr, "source_workload", _CALLER)
            for name, workload in sorted(self.callers.items()):
                expr = label_replace(expr, "source_workload", workload, _CALLER, re.escape(name))
            for ns, names in sorted(self.namespaces.items()):
                expr = label_replace(expr, "source_namespace", ns, _CALLER, one_of(names))
            return expr

        return relabel
