"""Prometheus recording rules producing the metrics contract from a mesh's native metrics.

:func:`recording_groups` writes, for one mesh, three kinds of group:

- ``smi-<mesh>-edges``: ``smi_edge:*`` per caller -> Service;
- ``smi-<mesh>-services``: ``smi:*`` per destination Service;
- ``smi-<mesh>-slo``: for the Services carrying an objective only, ``smi_slo:*`` over every
  window of :data:`~.contract.SLO_WINDOWS` (requests/s, failures/s, and ``slow``: requests/s
  slower than each latency threshold, labelled ``threshold_seconds``).

The mesh modules (:mod:`.istio`, :mod:`.linkerd`, :mod:`.consul`, :mod:`.appmesh`) give the
native rates in the contract's labels; everything derived is computed here, once:

- failures/s are 0, not absent, where a Service has requests but no 5xx series;
- the success ratio is ``(requests - failures) / requests`` only where requests > 0: with no
  requests there is no sample (neither 1, which would hide an outage of the callers, nor NaN,
  which breaks comparisons and dashboards);
- a latency percentile is ``histogram_quantile`` over the native buckets times the unit (ms
  -> s), and likewise no sample without requests (the NaN of an empty histogram is dropped);
- ``slow`` is the ``+Inf`` bucket minus the bucket at the threshold: it needs a bucket boundary
  at exactly the threshold, so a threshold the mesh's default histogram has none for is
  refused, located at its annotation, with the boundaries to choose from.

Output is deterministic: Services, thresholds and windows sorted, expressions built in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from fractions import Fraction
from typing import Any, Protocol

from ..errors import Problem, SmiError, raise_if_any
from ..meshes import MeshKind, parse_options
from ..meshes.appmesh.options import AppMeshOptions
from ..meshes.base import TargetOptions
from ..meshes.consul.options import ConsulOptions
from ..spec.objectives import LATENCY
from ..spec.specset import SpecSet
from . import contract
from .alerts import alert_groups
from .appmesh import AppMeshMetrics
from .consul import ConsulMetrics
from .istio import IstioMetrics
from .linkerd import LinkerdMetrics
from .objectives import Objective, objectives
from .promql import histogram_quantile, le_regex, number, union

PROMETHEUS_MESHES = (MeshKind.ISTIO, MeshKind.LINKERD, MeshKind.CONSUL, MeshKind.APPMESH)
"""The meshes whose metrics Prometheus scrapes (``vpc-lattice``'s are CloudWatch's)."""
INF = r"\+Inf"


class Native(Protocol):
    """A mesh's native metrics in the contract's labels (one module per mesh family)."""

    name: str
    unit_seconds: Fraction
    """Seconds per unit of the latency histogram's ``le``."""
    boundaries: tuple[Fraction, ...]
    """The default histogram's bucket boundaries, in its unit."""

    def requests(self, window: str, level: str, only: tuple[str, str] | None = None) -> str:
        """Requests/s; ``level`` ``service`` or ``edge``; ``only`` one (namespace, Service)."""

    def failures(self, window: str, level: str, only: tuple[str, str] | None = None) -> str:
        """Failed (5xx) requests/s."""

    def buckets(
        self, window: str, level: str, only: tuple[str, str] | None = None, le: str | None = None
    ) -> str:
        """Bucket rates by ``le``, or the one bucket whose ``le`` matches the regex ``le``."""


def native_metrics(
    specs: SpecSet, mesh: MeshKind | str, options: TargetOptions | Mapping[str, Any] | None
) -> Native:
    """The native metrics of ``mesh``; SmiError for a mesh without Prometheus metrics."""
    kind = MeshKind(mesh)
    if kind not in PROMETHEUS_MESHES:
        supported = ", ".join(m.value for m in PROMETHEUS_MESHES)
        if kind is MeshKind.VPC_LATTICE:
            why = "vpc-lattice publishes its metrics to CloudWatch (AWS/VpcLattice), not Prometheus"
        elif kind is MeshKind.GATEWAY_API:
            why = (
                "GAMMA routes do not say which mesh implementation serves them, and the metrics "
                "are that implementation's: convert with --mesh istio or --mesh linkerd"
            )
        else:
            why = (
                "SMI objects as they are do not say which SMI implementation serves them, and "
                "the metrics are that implementation's: convert with --mesh istio, linkerd, "
                "consul or appmesh"
            )
        raise SmiError(
            f"no Prometheus recording rules for --mesh {kind.value}: {why}; "
            f"supported: {supported} (and vpc-lattice through CloudWatch)"
        )
    parsed = parse_options(kind, options)
    if kind is MeshKind.ISTIO:
        return IstioMetrics()
    if kind is MeshKind.LINKERD:
        return LinkerdMetrics(specs)
    if kind is MeshKind.CONSUL:
        assert isinstance(parsed, ConsulOptions)
        return ConsulMetrics(specs, parsed)
    assert isinstance(parsed, AppMeshOptions)
    return AppMeshMetrics(specs, parsed)


def recording_groups(
    specs: SpecSet,
    mesh: MeshKind | str,
    options: TargetOptions | Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The recording rule groups producing the metrics contract on ``mesh`` (see module).

    SmiValidationError listing every objective the mesh cannot measure (and every naming
    ambiguity); SmiError for a mesh without Prometheus metrics.
    """
    native = native_metrics(specs, mesh, options)
    found = objectives(specs)
    problems: list[Problem] = list(getattr(native, "problems", []))
    thresholds = _thresholds(specs, native, found, problems)
    raise_if_any(problems)
    prefix = f"smi-{MeshKind(mesh).value}"
    groups = [
        {"name": f"{prefix}-edges", "rules": _level(native, "edge")},
        {"name": f"{prefix}-services", "rules": _level(native, "service")},
    ]
    slo = _slo(native, thresholds)
    if slo:
        groups.append({"name": f"{prefix}-slo", "rules": slo})
    return [g for g in groups if g["rules"]]


def rules_file(
    specs: SpecSet,
    mesh: MeshKind | str,
    options: TargetOptions | Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The whole Prometheus rules file: recording groups, then the SLO alert groups."""
    return {"groups": recording_groups(specs, mesh, options) + alert_groups(objectives(specs))}


def _rule(record: str, expr: str, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    rule: dict[str, Any] = {"record": record, "expr": expr}
    if labels:
        rule["labels"] = dict(labels)
    return rule


def _level(native: Native, level: str) -> list[dict[str, Any]]:
    name = contract.EDGE_LEVEL if level == "edge" else contract.SERVICE_LEVEL
    labels = contract.EDGE_LABELS if level == "edge" else contract.SERVICE_LABELS
    on = f"on ({', '.join(labels)})"
    requests = native.requests(contract.WINDOW, level)
    if not requests:
        return []
    recorded = {n: f"{name}:{n}" for n in contract.SERIES}
    req, fail = recorded[contract.REQUESTS], recorded[contract.FAILURES]
    rules = [
        _rule(req, requests),
        _rule(fail, f"({native.failures(contract.WINDOW, level)}) or {on} ({req} * 0)"),
        _rule(recorded[contract.SUCCESS], f"({req} - {on} {fail}) / {on} ({req} > 0)"),
    ]
    buckets = native.buckets(contract.WINDOW, level)
    for percentile, quantile in contract.QUANTILES.items():
        seconds = f"{histogram_quantile(quantile, buckets)} * {number(native.unit_seconds)}"
        rules.append(_rule(recorded[contract.LATENCY[percentile]], f"({seconds}) >= 0"))
    return rules


def _thresholds(
    specs: SpecSet, native: Native, found: tuple[Objective, ...], problems: list[Problem]
) -> dict[tuple[str, str], set[Fraction]]:
    """(namespace, Service) -> its latency thresholds (seconds); every objective appears."""
    chosen: dict[tuple[str, str], set[Fraction]] = defaultdict(set)
    shown = ", ".join(number(b) for b in native.boundaries)
    refused = set()
    for objective in found:
        key = (objective.namespace, objective.service)
        chosen.setdefault(key, set())
        latency = objective.level.latency
        if latency is None:
            continue
        boundary = latency.threshold_seconds / native.unit_seconds
        if boundary not in native.boundaries:
            if objective.source in refused:  # a TrafficSplit's: one problem, every backend
                continue
            refused.add(objective.source)
            problems.append(
                specs.problem(
                    objective.source,
                    f"metadata.annotations.{LATENCY}",
                    f"{native.name}'s default latency histogram has no bucket at "
                    f"{contract.threshold_label(latency.threshold_seconds)}s, so the requests "
                    f"slower than it cannot be counted; its bucket "
                    f"boundaries are (ms): {shown}",
                )
            )
            continue
        chosen[key].add(latency.threshold_seconds)
    return chosen


def _slo(
    native: Native, thresholds: Mapping[tuple[str, str], set[Fraction]]
) -> list[dict[str, Any]]:
    """One rule per series and window (and threshold): each the union of its Services'."""
    rules: list[dict[str, Any]] = []
    for window in contract.SLO_WINDOWS:
        requests, failures = [], []
        slow: dict[Fraction, list[str]] = defaultdict(list)
        for (ns, service), chosen in sorted(thresholds.items()):
            only = (ns, service)
            total = native.requests(window, "service", only)
            if not total:
                continue
            requests.append(total)
            failures.append(native.failures(window, "service", only))
            for threshold in sorted(chosen):
                faster = le_regex(threshold / native.unit_seconds)
                inf = native.buckets(window, "service", only, INF)
                under = native.buckets(window, "service", only, faster)
                slow[threshold].append(f"clamp_min(({inf}) - ({under}), 0)")
        if not requests:
            continue
        recorded = contract.slo_series("requests", window)
        rules.append(_rule(recorded, union(requests)))
        rules.append(
            _rule(contract.slo_series("failures", window), union([*failures, f"{recorded} * 0"]))
        )
        for threshold, parts in sorted(slow.items()):
            rules.append(
                _rule(
                    contract.slo_series("slow", window),
                    union(parts),
                    {"threshold_seconds": contract.threshold_label(threshold)},
                )
            )
    return rules
