"""The same synthetic workload, written as each mesh's exporter writes it, gives the same
contract series on every mesh (``promtool test rules``).

One caller (Deployment ``productpage-web`` behind Service ``productpage``) calls the two
backends of TrafficSplit ``shop/reviews``: ``reviews-v1`` at 60 requests/s and ``reviews-v2``
at 30/s, each with 2% 5xx and 5% 4xx (a 4xx is not a failure), and latencies a quarter in
(5, 10] ms, half in (50, 100] ms, a quarter in (500, 1000] ms: boundaries every mesh's default
histogram has, so the percentiles are the same numbers everywhere. The expectations are one
table (:data:`EXPECTED`); only the exporters differ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from promtool import unit_test_rules

from pulumi_smi.metrics.contract import SLO_WINDOWS, slo_series
from pulumi_smi.metrics.envoy import ENVOY_BUCKETS
from pulumi_smi.metrics.linkerd import BUCKETS as LINKERD_BUCKETS
from pulumi_smi.metrics.rules import recording_groups
from pulumi_smi.spec.loader import load_files

ESTATE = Path(__file__).parent / "estate.yaml"
NS = "shop"
CALLER_SERVICE, CALLER = "productpage", "productpage-web"
SHORT = ("1m", 45, "45m")
"""(sample interval, samples, evaluation time) for the 5m and 30m windows."""
LONG = ("30m", 73 * 2, "73h")
"""... and for the longer SLO windows: the longest (3d) is full at the evaluation time. Each
is its own test file whose rules are evaluated only then (``evaluation_interval``): the
rules over days of samples cost ~50 ms an evaluation."""


@dataclass(frozen=True)
class Backend:
    service: str
    workload: str
    per_second: int


BACKENDS = (
    Backend("reviews-v1", "reviews-v1-app", 60),
    Backend("reviews-v2", "reviews-v2-app", 30),
)
CODES = {"200": Fraction(93, 100), "404": Fraction(5, 100), "503": Fraction(2, 100)}


def faster_than(boundary: Fraction) -> Fraction:
    """The share of requests answered within ``boundary`` milliseconds."""
    return (
        Fraction(0)
        if boundary < 10
        else Fraction(1, 4)
        if boundary < 100
        else (Fraction(3, 4) if boundary < 1000 else Fraction(1))
    )


# --- the expectations: one table for every mesh ---------------------------------------------


def _expected() -> dict[str, dict[tuple[str, ...], float]]:
    table: dict[str, dict[tuple[str, ...], float]] = {}
    for level, extra in (("smi", ()), ("smi_edge", (NS, CALLER))):
        for b in BACKENDS:
            key = (NS, b.service, *extra)
            rows = {
                "requests:rate5m": b.per_second,
                "failures:rate5m": b.per_second * 0.02,
                "success:ratio5m": 0.98,
                "latency_seconds:p50_5m": 0.075,
                "latency_seconds:p90_5m": 0.8,
                "latency_seconds:p99_5m": 0.98,
            }
            for name, value in rows.items():
                table.setdefault(f"{level}:{name}", {})[key] = value
    for window in SLO_WINDOWS:
        for b in BACKENDS:
            table.setdefault(slo_series("requests", window), {})[(NS, b.service)] = b.per_second
            table.setdefault(slo_series("failures", window), {})[(NS, b.service)] = (
                b.per_second * 0.02
            )
            table.setdefault(slo_series("slow", window), {})[(NS, b.service, "0.1")] = (
                b.per_second / 4
            )
    return table


EXPECTED = _expected()
LABELS = {
    "smi": ("namespace", "service"),
    "smi_edge": ("namespace", "service", "source_namespace", "source_workload"),
    "smi_slo": ("namespace", "service"),
}


# --- the exporters ----------------------------------------------------------------------------

Series = list[tuple[str, dict[str, str], Fraction]]
"""(metric, labels, increase per second)."""


def _envoy_le(boundary: Fraction) -> str:
    return f"{float(boundary):g}"  # Envoy prints 0.5, 250, 1.8e+06


def _histogram(
    metric: str,
    labels: dict[str, str],
    rate: int,
    buckets: tuple[Fraction, ...],
    le: Callable[[Fraction], str],
) -> Series:
    out: Series = [(metric, {**labels, "le": le(b)}, rate * faster_than(b)) for b in buckets]
    return [*out, (metric, {**labels, "le": "+Inf"}, Fraction(rate))]


def istio() -> Series:
    series: Series = []
    for reporter in ("destination", "source"):  # the source reporter's copy must be ignored
        for b in BACKENDS:
            labels = {
                "reporter": reporter,
                "source_workload": CALLER,
                "source_workload_namespace": NS,
                "source_app": CALLER_SERVICE,
                "destination_service": f"{b.service}.{NS}.svc.cluster.local",
                "destination_service_name": b.service,
                "destination_service_namespace": NS,
                "destination_workload": b.workload,
                "destination_workload_namespace": NS,
                "request_protocol": "http",
            }
            for code, share in CODES.items():
                series.append(
                    (
                        "istio_requests_total",
                        {**labels, "response_code": code},
                        b.per_second * share,
                    )
                )
            series += _histogram(
                "istio_request_duration_milliseconds_bucket",
                {**labels, "response_code": "200"},
                b.per_second,
                ENVOY_BUCKETS,
                _envoy_le,
            )
    return series


def linkerd() -> Series:
    series: Series = []
    for b in BACKENDS:
        inbound = {
            "direction": "inbound",
            "namespace": NS,
            "pod": f"{b.workload}-7c9d8-x2x4q",
            "deployment": b.workload,
            "pod_template_hash": "7c9d8",
            "authority": f"reviews.{NS}.svc.cluster.local:9080",
            "tls": "true",
            "client_id": f"productpage.{NS}.serviceaccount.identity.linkerd.cluster.local",
        }
        outbound = {
            "direction": "outbound",
            "namespace": NS,
            "pod": f"{CALLER}-5f6b7-q8r9s",
            "deployment": CALLER,
            "pod_template_hash": "5f6b7",
            "authority": f"reviews.{NS}.svc.cluster.local:9080",
            "tls": "true",
            "dst_namespace": NS,
            "dst_service": b.service,
            "dst_deployment": b.workload,
        }
        for labels in (inbound, outbound):
            for code, share in CODES.items():
                classification = "failure" if code.startswith("5") else "success"
                tags = {**labels, "classification": classification, "status_code": code}
                series.append(("response_total", tags, b.per_second * share))
            series += _histogram(
                "response_latency_ms_bucket",
                {**labels, "status_code": "200"},
                b.per_second,
                LINKERD_BUCKETS,
                lambda x: str(int(x)),
            )
    return series


def _envoy(clusters: dict[str, dict[str, str]], noise: dict[str, dict[str, str]]) -> Series:
    """Envoy upstream stats of ``clusters`` (backend -> labels), and ``noise`` clusters
    (backend -> labels) with the same counts that the rules must not read."""
    series: Series = []
    for b in BACKENDS:
        for labels in (clusters[b.service], noise[b.service]):
            series.append(("envoy_cluster_upstream_rq_completed", labels, Fraction(b.per_second)))
            for code, share in CODES.items():
                tags = {**labels, "envoy_response_code_class": code[0]}
                series.append(("envoy_cluster_upstream_rq_xx", tags, b.per_second * share))
            series += _histogram(
                "envoy_cluster_upstream_rq_time_bucket",
                labels,
                b.per_second,
                ENVOY_BUCKETS,
                _envoy_le,
            )
    return series


TRUST = "11111111-2222-3333-4444-555555555555"


def consul(enterprise: bool = False, subsets: frozenset[str] = frozenset()) -> Series:
    clusters, noise = {}, {}
    for b in BACKENDS:
        namespace = NS if enterprise else "default"
        service, subset = ("reviews", b.service) if b.service in subsets else (b.service, "")
        name = f"{subset + '.' if subset else ''}{service}.{namespace}.dc1.internal.{TRUST}.consul"
        clusters[b.service] = {
            "local_cluster": CALLER_SERVICE,
            "envoy_cluster_name": name,
            "consul_destination_service": service,
            "consul_destination_service_subset": subset,
            "consul_destination_namespace": namespace,
            "consul_destination_datacenter": "dc1",
            "consul_destination_routing_type": "internal",
            "consul_destination_trust_domain": TRUST,
            "consul_destination_target": f"{service}.{namespace}.dc1",
        }
        noise[b.service] = {"local_cluster": b.service, "envoy_cluster_name": "local_app"}
    return _envoy(clusters, noise)


def appmesh(mesh: str = "prod-mesh") -> Series:
    clusters, noise = {}, {}
    for b in BACKENDS:
        node = f"{b.service}_{NS}"
        clusters[b.service] = {
            "envoy_cluster_name": f"cds_egress_{mesh}_{node}_http_9080",
            "appmesh_mesh": mesh,
            "appmesh_virtual_node": f"{CALLER_SERVICE}_{NS}",
        }
        noise[b.service] = {  # the backend's own ingress cluster: the server side
            "envoy_cluster_name": f"cds_ingress_{mesh}_{node}_http_9080",
            "appmesh_mesh": mesh,
            "appmesh_virtual_node": node,
        }
    return _envoy(clusters, noise)


MESHES: dict[str, tuple[str, dict[str, Any], Callable[[], Series]]] = {
    "istio": ("istio", {}, istio),
    "linkerd": ("linkerd", {}, linkerd),
    "consul": ("consul", {}, consul),
    "consul-enterprise-subsets": (
        "consul",
        {"enterprise": True, "subsets": {"reviews-v2": "Service.Meta.version == v2"}},
        lambda: consul(enterprise=True, subsets=frozenset({"reviews-v2"})),
    ),
    "appmesh": ("appmesh", {"mesh_name": "prod-mesh"}, appmesh),
}


def _series_text(metric: str, labels: dict[str, str]) -> str:
    inner = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if v)
    return f"{metric}{{{inner}}}"


def _input(series: Series, minutes: int, samples: int) -> list[dict[str, str]]:
    out = []
    for metric, labels, per_second in series:
        step = per_second * 60 * minutes
        assert step.denominator == 1, (metric, labels, per_second)
        out.append({"series": _series_text(metric, labels), "values": f"0+{step}x{samples}"})
    return out


def _minutes(interval: str) -> int:
    return int(interval[:-1]) * (60 if interval.endswith("h") else 1)


def _short(name: str) -> bool:
    return name.endswith(("5m", "30m"))


def _expectations(eval_time: str, short: bool) -> list[dict[str, Any]]:
    """One check per series name: every sample, exact to 1e-6 (``round`` keeps float noise
    out of the comparison; the metric name is gone, the labels stay)."""
    tests = []
    for name, rows in sorted(EXPECTED.items()):
        if _short(name) != short:
            continue
        level = name.split(":")[0]
        samples = []
        for key, value in sorted(rows.items()):
            labels = dict(zip(LABELS[level], key, strict=False))
            if name.startswith("smi_slo:slow"):
                labels["threshold_seconds"] = key[-1]
            text = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
            samples.append({"labels": f"{{{text}}}", "value": round(value * 10**6)})
        tests.append(
            {"expr": f"round({name} * 1e6)", "eval_time": eval_time, "exp_samples": samples}
        )
    return tests


@pytest.mark.parametrize("case", sorted(MESHES))
def test_the_same_workload_gives_the_same_series_on_every_mesh(case: str, tmp_path: Path) -> None:
    mesh, options, exporter = MESHES[case]
    rules = {"groups": recording_groups(load_files([str(ESTATE)]), mesh, options)}
    series = exporter()
    tests = []
    for (interval, samples, eval_time), short in ((SHORT, True), (LONG, False)):
        group = {
            "interval": interval,
            "input_series": _input(series, _minutes(interval), samples),
            "promql_expr_test": _expectations(eval_time, short),
        }
        tests.append({"evaluation_interval": eval_time, "tests": [group]})
    unit_test_rules(tmp_path, rules, tests)


def test_the_table_covers_every_contract_series() -> None:
    from pulumi_smi.metrics.contract import SERIES, SLO_SIGNALS

    names = {f"{level}:{s}" for level in ("smi", "smi_edge") for s in SERIES}
    names |= {slo_series(signal, w) for signal in SLO_SIGNALS for w in SLO_WINDOWS}
    assert set(EXPECTED) == names
