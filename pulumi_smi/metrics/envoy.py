"""Envoy's upstream cluster stats, what Consul and App Mesh share.

Their sidecars are Envoy: a caller's proxy counts each request to an upstream cluster in
``envoy_cluster_upstream_rq_completed``, its responses by class in
``envoy_cluster_upstream_rq_xx`` (``envoy_response_code_class="5"`` for 5xx) and its latency
in ``envoy_cluster_upstream_rq_time_bucket`` (milliseconds). A mesh names the cluster (and
tags it) its own way: :class:`EnvoyUpstream` is given the matchers selecting the mesh's
clusters, the native labels to keep and the relabelling into the contract's labels.

Checked: Envoy's default histogram buckets are ``HistogramSettingsImpl::defaultBuckets``
(envoy ``source/common/stats/histogram_impl.cc``): 0.5 ms ... 3 600 000 ms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from .contract import EDGE_LABELS, SERVICE_LABELS
from .promql import Matcher, relabelled_sum

COMPLETED = "envoy_cluster_upstream_rq_completed"
BY_CLASS = "envoy_cluster_upstream_rq_xx"
TIME = "envoy_cluster_upstream_rq_time_bucket"
ENVOY_BUCKETS = tuple(
    Fraction(b)
    for b in (
        "0.5", 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
        300000, 600000, 1800000, 3600000,
    )
)  # fmt: skip
"""Envoy's default histogram bucket boundaries (milliseconds for timers)."""


class EnvoyUpstream:
    """Envoy upstream stats, normalised by the mesh's naming (subclasses say how)."""

    name = "Envoy"
    unit_seconds = Fraction(1, 1000)
    boundaries: tuple[Fraction, ...] = ENVOY_BUCKETS

    def matchers(self, only: tuple[str, str] | None) -> list[Matcher]:
        """Matchers selecting the mesh's upstream clusters (of Service ``only``)."""
        raise NotImplementedError

    def native(self, level: str) -> Sequence[str]:
        """The native labels the relabelling reads, for ``level``."""
        raise NotImplementedError

    def relabel(self, level: str) -> Callable[[str], str]:
        """Sets the contract labels of ``level`` from :meth:`native` ones."""
        raise NotImplementedError

    def requests(self, window: str, level: str, only: tuple[str, str] | None = None) -> str:
        """Requests/s per Service (``level="service"``) or per edge (``"edge"``)."""
        return self._series(COMPLETED, [], window, level, only)

    def failures(self, window: str, level: str, only: tuple[str, str] | None = None) -> str:
        """5xx responses/s."""
        return self._series(
            BY_CLASS, [("envoy_response_code_class", "=", "5")], window, level, only
        )

    def buckets(
        self,
        window: str,
        level: str,
        only: tuple[str, str] | None = None,
        le: str | None = None,
    ) -> str:
        """Bucket rates by ``le`` (milliseconds), or the one bucket matching regex ``le``."""
        extra: list[Matcher] = [] if le is None else [("le", "=~", le)]
        return self._series(TIME, extra, window, level, only, by_le=le is None)

    def _series(
        self,
        metric: str,
        extra: list[Matcher],
        window: str,
        level: str,
        only: tuple[str, str] | None,
        by_le: bool = False,
    ) -> str:
        le = ("le",) if by_le else ()
        labels = [*(EDGE_LABELS if level == "edge" else SERVICE_LABELS), *le]
        return relabelled_sum(
            metric,
            [*self.matchers(only), *extra],
            window,
            [*self.native(level), *le],
            self.relabel(level),
            labels,
        )
