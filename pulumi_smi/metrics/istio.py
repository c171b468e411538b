"""Istio's standard metrics in the contract's labels.

``istio_requests_total`` and ``istio_request_duration_milliseconds_bucket`` (milliseconds;
Envoy's default buckets, :data:`~.envoy.ENVOY_BUCKETS`, which Istio's stats keep), read with
``reporter="destination"`` only: every request through two sidecars is reported by both, so
reading both reporters would count it twice. ``destination_service_namespace`` /
``destination_service_name`` become ``namespace`` / ``service``;
``source_workload_namespace`` / ``source_workload`` the caller. A failure is a 5xx
``response_code`` (Istio's ``0``, no response at all, is not one: the contract counts 5xx).

Checked: research istio_smi.md §8 (labels, reporters, units); the bucket boundaries are
Envoy's ``HistogramSettingsImpl::defaultBuckets`` (envoy ``source/common/stats/histogram_impl.cc``).
"""

from __future__ import annotations

from fractions import Fraction

from .contract import EDGE_LABELS, SERVICE_LABELS
from .envoy import ENVOY_BUCKETS
from .promql import Matcher, copy_label, relabelled_sum

REQUESTS = "istio_requests_total"
DURATION = "istio_request_duration_milliseconds_bucket"
_DESTINATION = ("destination_service_namespace", "destination_service_name")
_SOURCE = ("source_workload_namespace", "source_workload")


class IstioMetrics:
    """Istio's native series, normalised (see the module)."""

    name = "Istio"
    unit_seconds = Fraction(1, 1000)
    boundaries: tuple[Fraction, ...] = ENVOY_BUCKETS

    def requests(self, window: str, level: str, only: tuple[str, str] | None = None) -> str:
        """Requests/s per Service (``level="service"``) or per edge (``"edge"``)."""
        return self._series(REQUESTS, [], window, level, only, by_le=False)

    def failures(self, window: str, level: str, only: tuple[str, str] | None = None) -> str:
        """5xx responses/s."""
        return self._series(REQUESTS, [("response_code", "=~", "5..")], window, level, only)

    def buckets(
        self,
        window: str,
        level: str,
        only: tuple[str, str] | None = None,
        le: str | None = None,
    ) -> str:
        """Bucket rates by ``le`` (milliseconds), or the one bucket matching regex ``le``."""
        extra: list[Matcher] = [] if le is None else [("le", "=~", le)]
        return self._series(DURATION, extra, window, level, only, by_le=le is None)

    def _series(
        self,
        metric: str,
        extra: list[Matcher],
        window: str,
        level: str,
        only: tuple[str, str] | None,
        by_le: bool = False,
    ) -> str:
        matchers: list[Matcher] = [("reporter", "=", "destination")]
        if only is not None:
            matchers += [(_DESTINATION[0], "=", only[0]), (_DESTINATION[1], "=", only[1])]
        else:
            matchers.append((_DESTINATION[1], "!~", "|unknown"))
        edge = level == "edge"
        native = [*_DESTINATION, *(_SOURCE if edge else ()), *(("le",) if by_le else ())]
        labels = [*(EDGE_LABELS if edge else SERVICE_LABELS), *(("le",) if by_le else ())]

        def relabel(expr: str) -> str:
            expr = copy_label(expr, "namespace", _DESTINATION[0])
            expr = copy_label(expr, "service", _DESTINATION[1])
            return copy_label(expr, "source_namespace", _SOURCE[0]) if edge else expr

        return relabelled_sum(metric, [*matchers, *extra], window, native, relabel, labels)
