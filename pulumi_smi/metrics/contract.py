"""The metrics contract (DESIGN.md, "Metrics contract"): the same series on every mesh.

Recording rules produce, per destination Service (labels :data:`SERVICE_LABELS`), the
series of :data:`SERIES` at level :data:`SERVICE_LEVEL`, and per caller -> Service edge
(labels :data:`EDGE_LABELS`) the same names at level :data:`EDGE_LEVEL`. Every duration is
in seconds, every rate per second, every ratio in 0..1.

The SLO alerts need the same signals over longer windows, for the Services that carry an
objective only: :func:`slo_series` names them (level :data:`SLO_LEVEL`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

SERVICE_LEVEL = "smi"
EDGE_LEVEL = "smi_edge"
SLO_LEVEL = "smi_slo"
WINDOW = "5m"
"""The window of every contract series."""

SERVICE_LABELS = ("namespace", "service")
"""The destination Service: its Kubernetes namespace and name."""
EDGE_LABELS = (*SERVICE_LABELS, "source_namespace", "source_workload")
"""The destination Service plus the caller: its namespace and workload (Deployment name)."""

REQUESTS = "requests:rate5m"
"""Requests per second."""
FAILURES = "failures:rate5m"
"""Failed requests (5xx responses) per second."""
SUCCESS = "success:ratio5m"
"""The share of requests that did not fail, 0..1."""
QUANTILES: dict[str, Fraction] = {
    "p50": Fraction(1, 2),
    "p90": Fraction(9, 10),
    "p99": Fraction(99, 100),
}
LATENCY = {name: f"latency_seconds:{name}_5m" for name in QUANTILES}
"""Latency percentiles in seconds, by percentile name."""
SERIES = (REQUESTS, FAILURES, SUCCESS, *LATENCY.values())
"""Every contract series name (after the level), in the order the rules are written."""


def series(level: Literal["smi", "smi_edge"], name: str) -> str:
    """The full series name: ``smi:requests:rate5m``, ``smi_edge:latency_seconds:p99_5m``."""
    if name not in SERIES:
        raise ValueError(f"{name!r} is not a series of the metrics contract")
    return f"{level}:{name}"


@dataclass(frozen=True)
class BurnWindow:
    """One multi-window burn-rate alert: both windows burn faster than ``factor`` times the
    error budget's even rate (the SRE workbook's choice for a 30-day objective)."""

    long: str
    short: str
    factor: Fraction
    severity: Literal["page", "ticket"]


SLO_PERIOD = "30d"
BURN_WINDOWS = (
    BurnWindow("1h", "5m", Fraction(144, 10), "page"),
    BurnWindow("6h", "30m", Fraction(6), "page"),
    BurnWindow("1d", "2h", Fraction(3), "ticket"),
    BurnWindow("3d", "6h", Fraction(1), "ticket"),
)
SLO_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
"""Every window a burn-rate alert reads, shortest first."""
SLO_SIGNALS = ("requests", "failures", "slow")
"""Per window: requests/s, failed requests/s, and requests/s slower than the Service's latency
threshold (label ``threshold_seconds``)."""


def slo_series(signal: str, window: str) -> str:
    """``smi_slo:<signal>:rate<window>``, labelled :data:`SERVICE_LABELS` (``slow`` adds
    ``threshold_seconds``)."""
    if signal not in SLO_SIGNALS or window not in SLO_WINDOWS:
        raise ValueError(f"no SLO series {signal!r} over {window!r}")
    return f"{SLO_LEVEL}:{signal}:rate{window}"


def threshold_label(seconds: Fraction) -> str:
    """The ``threshold_seconds`` label value of a ``slow`` series: the shortest exact decimal
    of the threshold in seconds (``0.25``, ``1``). Rules and alerts both write it this way."""
    text = f"{Decimal(seconds.numerator) / Decimal(seconds.denominator):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
