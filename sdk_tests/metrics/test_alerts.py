"""SLO burn-rate alerts: their shape, ``promtool check rules``, and ``promtool test rules``
over synthetic normalised ``smi_slo:*`` series (the alerts read nothing else, so one set of
unit tests holds for every mesh)."""

from __future__ import annotations

import shutil
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_smi.metrics.alerts import LATENCY_ALERT, SUCCESS_ALERT, alert_groups, group_name
from pulumi_smi.metrics.contract import BURN_WINDOWS, SLO_WINDOWS, slo_series, threshold_label
from pulumi_smi.metrics.objectives import Objective
from pulumi_smi.spec.models import ObjectKey
from pulumi_smi.spec.objectives import ServiceLevel

PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
NS = "bookinfo"
SPLIT = ObjectKey("TrafficSplit", NS, "reviews")
CANARY = Objective(NS, "reviews-v2", SPLIT, ServiceLevel(success_rate="99.5%"))
FAST = Objective(
    NS,
    "ratings",
    ObjectKey("Service", NS, "ratings"),
    ServiceLevel(success_rate="99.9%", latency="99% < 250ms"),
)
needs_promtool = pytest.mark.skipif(not Path(PROMTOOL).exists(), reason="promtool not installed")


def _promtool(tmp_path: Path, *args: str) -> None:
    done = subprocess.run(
        [PROMTOOL, *args], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"promtool {' '.join(args)}:\n{done.stdout}\n{done.stderr}"


def _write_rules(tmp_path: Path, objectives: list[Objective]) -> list[dict[str, Any]]:
    groups = alert_groups(objectives)
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    return groups


def _labels(objective: Objective, signal: str = "") -> str:
    extra = ""
    if signal == "slow":
        assert objective.level.latency is not None
        extra = f',threshold_seconds="{threshold_label(objective.level.latency.threshold_seconds)}"'
    return f'{{namespace="{objective.namespace}",service="{objective.service}"{extra}}}'


def _series(objective: Objective, rates: dict[str, tuple[float, float]], bad: str) -> list[Any]:
    """Constant input series: per window (requests/s, bad requests/s)."""
    found = []
    for window, (requests, failing) in rates.items():
        found.append(
            {
                "series": slo_series("requests", window) + _labels(objective),
                "values": f"{requests}x30",
            }
        )
        found.append(
            {"series": slo_series(bad, window) + _labels(objective, bad), "values": f"{failing}x30"}
        )
    return found


def _expected(
    groups: list[dict[str, Any]], alert: str, long: str, value: str
) -> list[dict[str, Any]]:
    rules = [
        r
        for g in groups
        for r in g["rules"]
        if r["alert"] == alert and r["labels"]["long_window"] == long
    ]
    assert len(rules) == 1
    rule = rules[0]
    annotations = {
        k: v.replace("{{ $value | humanizePercentage }}", value)
        for k, v in rule["annotations"].items()
    }
    return [{"exp_labels": rule["labels"], "exp_annotations": annotations}]


def _unit_test(
    tmp_path: Path,
    series: list[Any],
    alert: str,
    expected: list[dict[str, Any]],
) -> None:
    tests = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": [
                    {"eval_time": "10m", "alertname": alert, "exp_alerts": expected}
                ],
            }
        ],
    }
    (tmp_path / "tests.yaml").write_text(yaml.safe_dump(tests, sort_keys=False))
    _promtool(tmp_path, "test", "rules", "tests.yaml")


def test_every_objective_gets_one_alert_per_burn_window_and_kind() -> None:
    groups = alert_groups([FAST, CANARY])
    assert [g["name"] for g in groups] == [group_name(FAST), group_name(CANARY)]
    assert group_name(CANARY) == "smi-slo/bookinfo/reviews-v2/TrafficSplit/bookinfo/reviews"
    fast = groups[0]["rules"]
    assert [r["alert"] for r in fast] == [SUCCESS_ALERT] * 4 + [LATENCY_ALERT] * 4
    assert [(r["labels"]["long_window"], r["labels"]["short_window"]) for r in fast[:4]] == [
        (w.long, w.short) for w in BURN_WINDOWS
    ]
    assert [r["labels"]["severity"] for r in fast[:4]] == ["page", "page", "ticket", "ticket"]
    assert {r["labels"]["objective"] for r in fast} == {"success 99.9%", "latency 99% < 250ms"}
    assert all("traffic_split" not in r["labels"] for r in fast)
    canary = groups[1]["rules"][0]
    assert canary["labels"] == {
        "severity": "page",
        "namespace": NS,
        "service": "reviews-v2",
        "slo_source": "TrafficSplit/bookinfo/reviews",
        "traffic_split": "reviews",
        "slo": "success-rate",
        "objective": "success 99.5%",
        "long_window": "1h",
        "short_window": "5m",
    }
    assert "success 99.5%" in canary["annotations"]["summary"]
    assert "TrafficSplit/bookinfo/reviews" in canary["annotations"]["description"]
    assert "for" not in canary  # the short window resets it; a `for` would only delay the page
    # 14.4 x the 0.5% budget, on both windows
    assert canary["expr"].count("> 0.072") == 2


def test_the_alerts_read_only_slo_series_and_the_latency_threshold_label() -> None:
    rules = alert_groups([FAST])[0]["rules"]
    latency = next(r for r in rules if r["alert"] == LATENCY_ALERT)
    assert (
        'smi_slo:slow:rate1h{namespace="bookinfo",service="ratings",threshold_seconds="0.25"}'
        in latency["expr"]
    )
    assert 'threshold_seconds="0.25"' in latency["expr"]
    assert "> 0.144" in latency["expr"]  # 14.4 x (1 - 0.99)
    names = {slo_series(s, w) for s in ("requests", "failures", "slow") for w in SLO_WINDOWS}
    for rule in rules:
        used = {word.split("{")[0] for word in rule["expr"].split("(") if "{" in word}
        assert used <= names


def test_output_is_deterministic_sorted_and_deduplicated() -> None:
    assert alert_groups([CANARY, FAST, CANARY]) == alert_groups([FAST, CANARY])
    assert yaml.safe_dump(alert_groups([FAST])) == yaml.safe_dump(alert_groups([FAST]))
    assert alert_groups([]) == []


def test_an_objective_without_a_finite_decimal_budget_still_gives_a_number() -> None:
    odd = Objective(
        NS, "odd", ObjectKey("Service", NS, "odd"), ServiceLevel(success_rate=Fraction(998, 999))
    )
    expr = alert_groups([odd])[0]["rules"][0]["expr"]
    assert f"> {float(Fraction(144, 10) / 999)!r}" in expr


def test_a_window_that_could_never_fire_is_left_out() -> None:
    loose = Objective(
        NS, "loose", ObjectKey("Service", NS, "loose"), ServiceLevel(latency="90% < 1s")
    )
    rules = alert_groups([loose])[0]["rules"]
    # x14.4 of a 10% budget is a ratio of 1.44: never; x6 is 0.6
    assert [r["labels"]["long_window"] for r in rules] == ["6h", "1d", "3d"]


@needs_promtool
def test_promtool_checks_the_rules(tmp_path: Path) -> None:
    _write_rules(tmp_path, [FAST, CANARY])
    _promtool(tmp_path, "check", "rules", "rules.yaml")


@needs_promtool
def test_a_20x_burn_on_both_windows_pages(tmp_path: Path) -> None:
    groups = _write_rules(tmp_path, [CANARY])
    # 10% of requests fail: 20 x the 0.5% budget over 1h and 5m, nothing over the others
    series = _series(CANARY, {"1h": (100, 10), "5m": (100, 10)}, "failures")
    _unit_test(tmp_path, series, SUCCESS_ALERT, _expected(groups, SUCCESS_ALERT, "1h", "10%"))


@needs_promtool
def test_a_burn_on_the_short_window_only_does_not_page(tmp_path: Path) -> None:
    _write_rules(tmp_path, [CANARY])
    series = _series(CANARY, {"1h": (100, 0.1), "5m": (100, 10)}, "failures")
    _unit_test(tmp_path, series, SUCCESS_ALERT, [])


@needs_promtool
def test_a_burn_on_every_window_fires_every_alert(tmp_path: Path) -> None:
    groups = _write_rules(tmp_path, [CANARY])
    series = _series(CANARY, {w: (100, 10) for w in SLO_WINDOWS}, "failures")
    expected = [e for w in BURN_WINDOWS for e in _expected(groups, SUCCESS_ALERT, w.long, "10%")]
    _unit_test(tmp_path, series, SUCCESS_ALERT, expected)


@needs_promtool
def test_slow_requests_fire_the_latency_alert(tmp_path: Path) -> None:
    groups = _write_rules(tmp_path, [FAST])
    # 20% slower than 250ms: 20 x the 1% budget; failures none
    series = _series(FAST, {"1h": (50, 10), "5m": (50, 10)}, "slow")
    series += _series(FAST, {"1h": (50, 0), "5m": (50, 0)}, "failures")[1::2]
    # another threshold's series (another objective's) is not read
    other = _labels(FAST).replace("}", ',threshold_seconds="0.1"}')
    series += [{"series": slo_series("slow", "1h") + other, "values": "1000x30"}]
    _unit_test(tmp_path, series, LATENCY_ALERT, _expected(groups, LATENCY_ALERT, "1h", "20%"))
    _unit_test(tmp_path, series, SUCCESS_ALERT, [])


@needs_promtool
def test_no_requests_no_alert(tmp_path: Path) -> None:
    _write_rules(tmp_path, [FAST])
    idle = {w: (0.0, 0.0) for w in SLO_WINDOWS}
    series = _series(FAST, idle, "failures") + _series(FAST, idle, "slow")[1::2]
    _unit_test(tmp_path, series, SUCCESS_ALERT, [])
    _unit_test(tmp_path, series, LATENCY_ALERT, [])
    _unit_test(tmp_path, [], SUCCESS_ALERT, [])  # no series at all
