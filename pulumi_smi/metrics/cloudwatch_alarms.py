"""SLO alarms from intent in CloudWatch: the multi-window burn-rate alerts of :mod:`.alerts`.

A CloudWatch alarm has one period, so each :data:`~.contract.BURN_WINDOWS` entry of an
objective becomes three alarms: one ``MetricAlarm`` per window (period = the window, one
evaluation period, so it reads the whole window) and an ``AND`` ``CompositeAlarm`` of the two,
which is the one to page on (its severity's ``alarmActions``):

- success rate: metric math ``failures / requests`` over the window (5xx none reported = 0)
  ``> factor x (1 - objective)``: 99.5% with x14.4 alarms above an error ratio of 0.072;
- latency ``share < threshold``: CloudWatch has no "share slower than the threshold", only
  percentiles, so the CloudWatch form of "more than ``factor x (1 - share)`` of requests are
  slower than the threshold" is "the percentile ``1 - factor x (1 - share)`` of RequestTime is
  above the threshold" (99% < 250ms with x1 alarms when p99 > 0.25 s; with x14.4 when
  p85.6 > 0.25 s). CloudWatch percentiles have two decimals: rounded up (more sensitive,
  never looser). A window whose ``factor x (1 - share)`` is 100% or more (a 90% objective
  with x14.4) could never fire on either side: it gets no alarms, and a warning.

No requests give no datapoint and ``treatMissingData: notBreaching``: a Service without
traffic never alarms (as the Prometheus alerts never fire).

What the review reads back (every alarm; the composite ones are the alerts):

- ``name`` (MetricAlarm) / ``alarmName`` (CompositeAlarm):
  ``smi-slo/<namespace>/<service>/<Kind>/<name of the source>/<slo>/<long>-<short>``, a window
  alarm adding ``/<window>``;
- ``tags``: ``smi:namespace``, ``smi:service``, ``smi:slo-source`` (``TrafficSplit/ns/name``
  or ``Service/ns/name``), ``smi:traffic-split`` (only for a split's objective), ``smi:slo``
  (``success-rate``/``latency``), ``smi:success-rate`` (the objective as a decimal fraction,
  ``0.995``) or ``smi:latency-share`` and ``smi:latency-threshold-seconds`` (``0.99``,
  ``0.25``), ``smi:severity``, ``smi:long-window``, ``smi:short-window`` (and ``smi:window``
  on a window alarm), ``smi:managed-by: pulumi-smi`` (tag values stay within AWS's tag
  characters, so the objective's own text, with ``%`` and ``<``, is not one);
- ``alarmDescription``: starts with ``ServiceLevel.describe()`` of the objective
  (``success 99.5%``, ``latency 99% < 250ms``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from ..errors import Problem, TranslationError
from ..meshes.base import Namer
from ..plan import PlanWarning, Resource
from ..spec.objectives import ServiceLevel
from ..spec.specset import SpecSet
from .contract import BURN_WINDOWS, SLO_PERIOD, BurnWindow, threshold_label
from .objectives import Objective, objectives

if TYPE_CHECKING:
    from .cloudwatch import Subject

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE_ALARM = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
NAME_PREFIX = "smi-slo/"
MAX_NAME = 255
_UNITS = {"m": 60, "h": 3600, "d": 86400}
Slo = Literal["success-rate", "latency"]


def window_seconds(window: str) -> int:
    """``5m`` -> 300, ``3d`` -> 259200."""
    return int(window[:-1]) * _UNITS[window[-1]]


def alarm_resources(
    specs: SpecSet,
    subjects: Mapping[tuple[str, str], Subject],
    namer: Namer,
    actions: Mapping[str, Sequence[Any]],
) -> tuple[list[Resource], list[PlanWarning]]:
    """Every objective's alarms (sorted by objective), and a warning per objective (or
    window) that gets none; TranslationError when an alarm name would be too long."""
    resources: list[Resource] = []
    warnings: list[PlanWarning] = []
    problems: list[Problem] = []
    unique = sorted(set(objectives(specs)), key=lambda o: (o.namespace, o.service, o.source))
    for objective in unique:
        subject = subjects.get((objective.namespace, objective.service))
        if subject is None:
            warnings.append(
                PlanWarning(
                    f"Service {objective.namespace}/{objective.service} has the objective "
                    f"{objective.level.describe()} ({objective.source}) but no Lattice service "
                    "or target group of this estate carries it: no CloudWatch alarm",
                    objective.source,
                )
            )
            continue
        level = objective.level
        if level.success_rate is not None:
            budget = 1 - level.success_rate
            kind = ServiceLevel(success_rate=level.success_rate)
            _objective(
                specs,
                objective,
                subject,
                "success-rate",
                kind,
                budget,
                namer,
                actions,
                resources,
                warnings,
                problems,
            )
        if level.latency is not None:
            budget = 1 - level.latency.share
            kind = ServiceLevel(latency=level.latency)
            _objective(
                specs,
                objective,
                subject,
                "latency",
                kind,
                budget,
                namer,
                actions,
                resources,
                warnings,
                problems,
            )
    if problems:
        raise TranslationError(problems)
    return resources, warnings


def _objective(
    specs: SpecSet,
    objective: Objective,
    subject: Subject,
    slo: Slo,
    level: ServiceLevel,
    budget: Fraction,
    namer: Namer,
    actions: Mapping[str, Sequence[Any]],
    resources: list[Resource],
    warnings: list[PlanWarning],
    problems: list[Problem],
) -> None:
    described = level.describe()
    for burn in BURN_WINDOWS:
        if burn.factor * budget >= 1:
            warnings.append(
                PlanWarning(
                    f"{objective.namespace}/{objective.service} {described} "
                    f"({objective.source}): burning {_number(burn.factor)}x its budget over "
                    f"{burn.long}/{burn.short} means more than every request: no such alarm",
                    objective.source,
                )
            )
            continue
        base = _name(objective, slo, burn)
        if len(base) + 4 > MAX_NAME:
            problems.append(
                specs.problem(
                    objective.source,
                    "metadata.name",
                    f"the CloudWatch alarm name {base!r} would be longer than {MAX_NAME} "
                    "characters; shorten the Service, namespace or TrafficSplit name",
                )
            )
            return
        role = f"cw-{objective.service}-{slo}-{burn.long}-{burn.short}"
        pair = []
        for which, window in (("long", burn.long), ("short", burn.short)):
            logical = namer(objective.source, f"{role}-{which}")
            props = _window_alarm(objective, subject, slo, level, budget, burn, window)
            resources.append(Resource(METRIC_ALARM, logical, props, (), objective.source))
            pair.append(logical)
        rule = " AND ".join(f'ALARM("{base}/{w}")' for w in (burn.long, burn.short))
        composite: dict[str, Any] = {
            "alarmName": base,
            "alarmRule": rule,
            "alarmDescription": _description(objective, described, burn, None),
            "tags": _tags(objective, slo, level, burn, None),
        }
        if actions.get(burn.severity):
            composite["alarmActions"] = list(actions[burn.severity])
        resources.append(
            Resource(
                COMPOSITE_ALARM,
                namer(objective.source, role),
                composite,
                tuple(pair),
                objective.source,
            )
        )


def _name(objective: Objective, slo: Slo, burn: BurnWindow) -> str:
    source = objective.source
    return (
        f"{NAME_PREFIX}{objective.namespace}/{objective.service}/{source.kind}/{source.name}"
        f"/{slo}/{burn.long}-{burn.short}"
    )


def _window_alarm(
    objective: Objective,
    subject: Subject,
    slo: Slo,
    level: ServiceLevel,
    budget: Fraction,
    burn: BurnWindow,
    window: str,
) -> dict[str, Any]:
    period = window_seconds(window)
    if slo == "success-rate":
        queries, threshold = _success_queries(subject, period), burn.factor * budget
    else:
        assert level.latency is not None
        stat = percentile(1 - burn.factor * budget)
        queries, threshold = (
            _latency_queries(subject, period, stat),
            level.latency.threshold_seconds,
        )
    return {
        "name": f"{_name(objective, slo, burn)}/{window}",
        "alarmDescription": _description(objective, level.describe(), burn, window),
        "comparisonOperator": "GreaterThanThreshold",
        "evaluationPeriods": 1,
        "datapointsToAlarm": 1,
        "threshold": float(threshold),
        "treatMissingData": "notBreaching",
        "metricQueries": queries,
        "tags": _tags(objective, slo, level, burn, window),
    }


def percentile(quantile: Fraction) -> str:
    """The CloudWatch percentile statistic of ``quantile`` (0..1), two decimals, rounded up:
    ``p99``, ``p85.6``."""
    hundredths = math.ceil(quantile * 10000)
    return f"p{threshold_label(Fraction(hundredths, 100))}"


def _metric(subject: Subject, name: str, value: str, period: int, stat: str) -> dict[str, Any]:
    return {
        "metricName": name,
        "namespace": "AWS/VpcLattice",
        "period": period,
        "stat": stat,
        "dimensions": {subject.metrics.dimension: value},
    }


def _success_queries(subject: Subject, period: int) -> list[dict[str, Any]]:
    values = [d[subject.metrics.dimension] for d in subject.dimensions()]
    queries: list[dict[str, Any]] = []
    for i, value in enumerate(values):
        queries.append(
            {
                "id": f"f{i}",
                "returnData": False,
                "metric": _metric(subject, subject.metrics.failures, value, period, "Sum"),
            }
        )
        queries.append(
            {
                "id": f"r{i}",
                "returnData": False,
                "metric": _metric(subject, subject.metrics.requests, value, period, "Sum"),
            }
        )
    failures = " + ".join(f"FILL(f{i}, 0)" for i in range(len(values)))
    requests = " + ".join(f"r{i}" for i in range(len(values)))
    queries.append(
        {
            "id": "ratio",
            "expression": f"({failures}) / ({requests})",
            "label": "failed (5xx) share of requests",
            "returnData": True,
        }
    )
    return queries


def _latency_queries(subject: Subject, period: int, stat: str) -> list[dict[str, Any]]:
    values = [d[subject.metrics.dimension] for d in subject.dimensions()]
    queries: list[dict[str, Any]] = [
        {
            "id": f"l{i}",
            "returnData": False,
            "metric": _metric(subject, subject.metrics.latency, value, period, stat),
        }
        for i, value in enumerate(values)
    ]
    ids = [q["id"] for q in queries]
    slowest = ids[0] if len(ids) == 1 else f"MAX([{', '.join(ids)}])"
    queries.append(
        {
            "id": "seconds",
            "expression": f"{slowest} / 1000",
            "label": f"RequestTime {stat} (seconds)",
            "returnData": True,
        }
    )
    return queries


def _description(objective: Objective, described: str, burn: BurnWindow, window: str | None) -> str:
    scope = (
        f"over {window} (the {'long' if window == burn.long else 'short'} window of "
        f"{burn.long}/{burn.short})"
        if window
        else f"over both {burn.long} and {burn.short}"
    )
    return (
        f"{described}: {objective.namespace}/{objective.service}, set by {objective.source}, "
        f"burns its error budget faster than {_number(burn.factor)}x the even rate {scope}; "
        f"at that rate the budget lasts less than 1/{_number(burn.factor)} of {SLO_PERIOD} "
        f"({burn.severity}). pulumi-smi"
    )


def _tags(
    objective: Objective, slo: Slo, level: ServiceLevel, burn: BurnWindow, window: str | None
) -> dict[str, str]:
    tags = {
        "smi:managed-by": "pulumi-smi",
        "smi:namespace": objective.namespace,
        "smi:service": objective.service,
        "smi:slo-source": str(objective.source),
        "smi:slo": slo,
        "smi:severity": burn.severity,
        "smi:long-window": burn.long,
        "smi:short-window": burn.short,
    }
    if objective.traffic_split:
        tags["smi:traffic-split"] = objective.traffic_split
    if level.success_rate is not None:
        tags["smi:success-rate"] = threshold_label(level.success_rate)
    if level.latency is not None:
        tags["smi:latency-share"] = threshold_label(level.latency.share)
        tags["smi:latency-threshold-seconds"] = threshold_label(level.latency.threshold_seconds)
    if window:
        tags["smi:window"] = window
    return dict(sorted(tags.items()))


def _number(value: Fraction) -> str:
    return threshold_label(value)
