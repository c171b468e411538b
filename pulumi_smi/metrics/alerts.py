"""SLO alerts from intent: multi-window, multi-burn-rate alerting rules over the contract.

Each objective becomes, per :data:`~.contract.BURN_WINDOWS` entry (those that can fire),
one alert that fires while both its long and its short window spend the error budget faster
than the entry's factor times the even rate (the Google SRE workbook, "Alerting on SLOs",
method 6). The alerts read only the ``smi_slo:*`` series (:func:`~.contract.slo_series`), so
they are the same on every mesh.

The contract of an alert (what the review and Alertmanager routes read back):

- names :data:`SUCCESS_ALERT` and :data:`LATENCY_ALERT`;
- labels ``severity`` (``page``/``ticket``), ``namespace``, ``service``, ``slo_source``
  (``TrafficSplit/bookinfo/reviews``, ``Service/bookinfo/reviews``), ``traffic_split``
  (only for an objective of a TrafficSplit), ``slo`` (``success-rate``/``latency``),
  ``objective`` (``success 99.5%``, ``latency 99% < 250ms``), ``long_window`` and
  ``short_window``;
- annotations ``summary`` and ``description``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from ..spec.objectives import ServiceLevel
from .contract import BURN_WINDOWS, SLO_PERIOD, BurnWindow, slo_series, threshold_label
from .objectives import Objective

SUCCESS_ALERT = "SmiSuccessRateBudgetBurn"
LATENCY_ALERT = "SmiLatencyBudgetBurn"
ALERTS = (SUCCESS_ALERT, LATENCY_ALERT)
GROUP_PREFIX = "smi-slo/"
"""Every alert group's name starts so: ``smi-slo/<namespace>/<service>/<slo_source>``."""
SLO_KINDS: dict[str, Literal["success-rate", "latency"]] = {
    SUCCESS_ALERT: "success-rate",
    LATENCY_ALERT: "latency",
}
"""Alert name -> the value of its ``slo`` label."""

_GROUPING = "sum by (namespace, service)"


def alert_groups(objectives: Sequence[Objective]) -> list[dict[str, Any]]:
    """One Prometheus rule group per objective (sorted; duplicates once), each holding a
    burn-rate alert per burn window and per objective it sets (success rate, latency)."""
    unique = sorted(set(objectives), key=lambda o: (o.namespace, o.service, o.source))
    return [{"name": group_name(objective), "rules": _rules(objective)} for objective in unique]


def group_name(objective: Objective) -> str:
    """``smi-slo/bookinfo/reviews-v2/TrafficSplit/bookinfo/reviews``."""
    return f"{GROUP_PREFIX}{objective.namespace}/{objective.service}/{objective.source}"


def _rules(objective: Objective) -> list[dict[str, Any]]:
    level = objective.level
    rules: list[dict[str, Any]] = []
    if level.success_rate is not None:
        described = ServiceLevel(success_rate=level.success_rate).describe()
        for window in _windows(1 - level.success_rate):
            expr = _burn_expr(objective, "failures", {}, 1 - level.success_rate, window)
            rules.append(_alert(SUCCESS_ALERT, objective, described, window, expr))
    if level.latency is not None:
        described = ServiceLevel(latency=level.latency).describe()
        slow = {"threshold_seconds": threshold_label(level.latency.threshold_seconds)}
        for window in _windows(1 - level.latency.share):
            expr = _burn_expr(objective, "slow", slow, 1 - level.latency.share, window)
            rules.append(_alert(LATENCY_ALERT, objective, described, window, expr))
    return rules


def _windows(budget: Fraction) -> list[BurnWindow]:
    """The burn windows that can fire: a ratio of requests never exceeds 1, so a window whose
    ``factor * budget`` is 1 or more (x14.4 of a 90% objective) is left out, as the CloudWatch
    alarms leave it out. The x1 window always stays (every budget is below 1)."""
    return [w for w in BURN_WINDOWS if w.factor * budget < 1]


def _burn_expr(
    objective: Objective,
    bad: str,
    extra: dict[str, str],
    budget: Fraction,
    window: BurnWindow,
) -> str:
    """Both windows' bad/requests ratio above ``factor * budget``. No requests gives no
    ratio (or NaN), so a Service without traffic never alerts."""
    limit = _number(window.factor * budget)
    parts = [f"({_ratio(objective, bad, extra, w)}) > {limit}" for w in (window.long, window.short)]
    return " and ".join(parts)


def _ratio(objective: Objective, bad: str, extra: dict[str, str], window: str) -> str:
    where = _selector(objective, {})
    bad_where = _selector(objective, extra)
    return (
        f"{_GROUPING} ({slo_series(bad, window)}{bad_where})"
        f" / {_GROUPING} ({slo_series('requests', window)}{where})"
    )


def _selector(objective: Objective, extra: dict[str, str]) -> str:
    labels = {"namespace": objective.namespace, "service": objective.service, **extra}
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _alert(
    name: str, objective: Objective, described: str, window: BurnWindow, expr: str
) -> dict[str, Any]:
    labels = {
        "severity": window.severity,
        "namespace": objective.namespace,
        "service": objective.service,
        "slo_source": str(objective.source),
        **({"traffic_split": objective.traffic_split} if objective.traffic_split else {}),
        "slo": SLO_KINDS[name],
        "objective": described,
        "long_window": window.long,
        "short_window": window.short,
    }
    what = "failing" if name == SUCCESS_ALERT else "answering too slowly"
    factor = _number(window.factor)
    return {
        "alert": name,
        "expr": expr,
        "labels": labels,
        "annotations": {
            "summary": (
                f"{objective.namespace}/{objective.service} burns the error budget of "
                f"{described} ({objective.source}) over {factor}x its even rate"
            ),
            "description": (
                f"{objective.service} in {objective.namespace} is {what} "
                "{{ $value | humanizePercentage }} of requests over the last "
                f"{window.long} (and over {window.short}): at that rate the error budget "
                f"of {described}, set by {objective.source}, lasts less than "
                f"1/{factor} of its {SLO_PERIOD} period."
            ),
        },
    }


def _number(value: Fraction) -> str:
    """The exact decimal of ``value`` when it has one (every annotation's does), else the
    float's shortest repr: PromQL number literals, stable across runs."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return repr(float(value))
    text = f"{Decimal(value.numerator) / Decimal(value.denominator):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
