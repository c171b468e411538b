"""Linkerd's proxy metrics in the contract's labels.

Per Service, the server's view: ``response_total`` (``classification="failure"`` is a
failure: Linkerd's classifier, a 5xx or a gRPC error status; a 4xx is a success) and
``response_latency_ms_bucket`` (milliseconds) with ``direction="inbound"``. Inbound series
carry the pod's workload (``namespace`` plus ``deployment``/``statefulset``/... from the
injector's ``linkerd.io/proxy-<kind>`` labels, which linkerd-viz's scrape config maps to
labels; ``proxy-job`` becomes ``k8s_job``), not a Service: each Service of the catalogue counts
the inbound traffic of the workloads it selects (:func:`attribution`).

A workload behind two Services counts for both (each Service's pods served it), except that a
TrafficSplit's apex does not count a workload that one of the split's own backends selects:
the split sent that traffic to the backend, and on every other mesh the request is reported
for the backend. So a canary's pods count for the canary backend, not for the apex too.

Per edge, the caller's view: outbound ``response_total``/``response_latency_ms_bucket`` carry
the caller's ``namespace`` and workload label and ``dst_namespace``/``dst_service``, the
Service called (no catalogue needed).

Checked: linkerd2-proxy ``linkerd/metrics/src/latency.rs`` (bucket bounds 1 ms ... 50 000 ms),
linkerd2 ``pkg/k8s/labels.go`` (``proxy-deployment``, ``-replicaset``, ``-statefulset``,
``-daemonset``, ``-job``, ``-cronjob``), linkerd-viz's Prometheus ``labelmap`` of them; the
inbound/outbound labels from research linkerd_consul.md §1.4 and Flagger's Linkerd observer.
An Argo Rollout's pods belong to ReplicaSets named ``<rollout>-<hash>`` (label ``replicaset``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from fractions import Fraction

from ..spec.catalogue import Workload
from ..spec.specset import SpecSet
from .contract import EDGE_LABELS
from .promql import Matcher, copy_label, relabelled_sum, selector, set_label, sum_by, union
from .promql import rate as rate_of

RESPONSES = "response_total"
LATENCY = "response_latency_ms_bucket"
BUCKETS = tuple(
    Fraction(b)
    for b in (1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000,
              4000, 5000, 10000, 20000, 30000, 40000, 50000)
)  # fmt: skip
"""linkerd2-proxy's latency bucket bounds, milliseconds (then +Inf)."""
WORKLOAD_LABELS = {
    "Deployment": "deployment",
    "StatefulSet": "statefulset",
    "DaemonSet": "daemonset",
    "ReplicaSet": "replicaset",
    "Rollout": "replicaset",
    "Job": "k8s_job",
    "CronJob": "cronjob",
    "Pod": "pod",
}
"""Workload kind -> the label naming it on the proxy's series."""
_CALLER = ("pod", "cronjob", "k8s_job", "replicaset", "daemonset", "statefulset", "deployment")
"""Caller workload labels, weakest first: the last one present names the caller."""


def attribution(specs: SpecSet) -> dict[tuple[str, str], tuple[Workload, ...]]:
    """(namespace, Service) -> the workloads whose inbound traffic it counts (see module)."""
    catalogue = specs.catalogue
    backends: dict[tuple[str, str], set[str]] = defaultdict(set)
    for split in specs.traffic_splits:
        key = (split.metadata.namespace, split.spec.service)
        backends[key] |= {b.service for b in split.spec.backends if b.service != key[1]}
    found: dict[tuple[str, str], list[Workload]] = defaultdict(list)
    for workload in catalogue.workloads:
        ns = workload.namespace
        names = {s.name for s in catalogue.services_selecting(ns, [workload])}
        for name in sorted(names):
            if not backends.get((ns, name), set()) & names:
                found[(ns, name)].append(workload)
    return {k: tuple(sorted(v, key=lambda w: (w.kind, w.name))) for k, v in sorted(found.items())}


def _workload_regexes(workloads: tuple[Workload, ...]) -> dict[str, str]:
    """Label -> regex of the workloads' values for it."""
    values: dict[str, set[str]] = defaultdict(set)
    for workload in workloads:
        name = re.escape(workload.name)
        values[WORKLOAD_LABELS[workload.kind]].add(
            f"{name}-[a-z0-9]+" if workload.kind == "Rollout" else name
        )
    return {label: "|".join(sorted(v)) for label, v in sorted(values.items())}


class LinkerdMetrics:
    """Linkerd's native series, normalised (see the module)."""

    name = "Linkerd"
    unit_seconds = Fraction(1, 1000)
    boundaries: tuple[Fraction, ...] = BUCKETS

    def __init__(self, specs: SpecSet) -> None:
        self.services = attribution(specs)

    def requests(self, window: str, level: str, only: tuple[str, str] | None = None) -> str:
        """Requests/s per Service (inbound) or per edge (outbound)."""
        return self._series(RESPONSES, [], window, level, only, None, by_le=False)

    def failures(self, window: str, level: str, only: tuple[str, str] | None = None) -> str:
        """Responses/s Linkerd classifies as failures."""
        extra: list[Matcher] = [("classification", "=", "failure")]
        return self._series(RESPONSES, extra, window, level, only, None, by_le=False)

    def buckets(
        self, window: str, level: str, only: tuple[str, str] | None = None, le: str | None = None
    ) -> str:
        """Bucket rates by ``le`` (milliseconds), or the one bucket matching regex ``le``."""
        return self._series(LATENCY, [], window, level, only, le, by_le=le is None)

    def _series(
        self,
        metric: str,
        extra: list[Matcher],
        window: str,
        level: str,
        only: tuple[str, str] | None,
        le: str | None,
        *,
        by_le: bool,
    ) -> str:
        grouped = ("le",) if by_le else ()
        matchers = [*extra, *([] if le is None else [("le", "=~", le)])]
        if level == "edge":
            outbound: list[Matcher] = [("direction", "=", "outbound"), ("dst_service", "!=", "")]

            def relabel(expr: str) -> str:
                expr = copy_label(expr, "source_namespace", "namespace")
                for label in _CALLER:
                    expr = copy_label(expr, "source_workload", label)
                expr = copy_label(expr, "namespace", "dst_namespace")
                return copy_label(expr, "service", "dst_service")

            native = ["namespace", *_CALLER, "dst_namespace", "dst_service", *grouped]
            return relabelled_sum(
                metric, [*outbound, *matchers], window, native, relabel, [*EDGE_LABELS, *grouped]
            )
        parts = []
        for (ns, service), workloads in self.services.items():
            if only is not None and only != (ns, service):
                continue
            for label, regex in _workload_regexes(workloads).items():
                chosen: list[Matcher] = [
                    ("direction", "=", "inbound"),
                    ("namespace", "=", ns),
                    (label, "=~", regex),
                    *matchers,
                ]
                total = sum_by(["namespace", *grouped], rate_of(selector(metric, chosen), window))
                parts.append(set_label(total, "service", service))
        if not parts:
            return ""
        return sum_by(["namespace", "service", *grouped], union(parts))
