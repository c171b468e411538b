"""vpc-lattice in CloudWatch: the dashboard and the SLO alarms, checked against botocore's
``cloudwatch`` model (strictly), replayed in moto where it implements the calls, and built as
typed pulumi-aws ``*Args`` (so every input name is one the SDK knows)."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from typing import Any

import boto3
import pulumi_aws.cloudwatch as cw
import pulumi_aws.cloudwatch._inputs as cw_inputs
import pytest
from botocore_check import violations
from moto import mock_aws

from pulumi_smi.components.typed_args import _typed
from pulumi_smi.errors import TranslationError
from pulumi_smi.meshes.vpc_lattice import LatticeOptions
from pulumi_smi.metrics.cloudwatch import SERVICE, TARGET_GROUP, cloudwatch_plan
from pulumi_smi.metrics.cloudwatch_alarms import percentile, window_seconds
from pulumi_smi.metrics.contract import BURN_WINDOWS
from pulumi_smi.plan import Plan, Resource, parse_reference
from pulumi_smi.spec import load_text
from pulumi_smi.spec.models import ObjectKey

OPTIONS = LatticeOptions(vpc_id="vpc-0123456789abcdef0")
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
METRIC_ID = re.compile(r"[a-z][A-Za-z0-9_]*")
STAT = re.compile(r"Sum|p(100|[0-9]{1,2}(\.[0-9]{1,2})?)")
FAKE = {
    "id": {"Service": "svc-0123456789abcdefg", "TargetGroup": "tg-0123456789abcdefg"},
    "region": "us-east-1",
}


def _svc(name: str, annotations: str = "", ports: str = "[{name: http, port: 80}]") -> str:
    meta = f", annotations: {{{annotations}}}" if annotations else ""
    return f"""
---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: shop{meta}}}
spec: {{selector: {{app: {name}}}, ports: {ports}}}
"""


def _split(annotations: str = "") -> str:
    meta = f", annotations: {{{annotations}}}" if annotations else ""
    return f"""
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {{name: web, namespace: shop{meta}}}
spec: {{service: web, backends: [{{service: web-v1, weight: 90}}, {{service: web-v2, weight: 10}}]}}
"""


SUCCESS = 'smi.pulumi.com/slo-success-rate: "99.5%"'
LATENCY = 'smi.pulumi.com/slo-latency: "99% < 250ms"'
APPS = _svc("web") + _svc("web-v1") + _svc("web-v2")
ESTATE = _svc("web", LATENCY) + _svc("web-v1") + _svc("web-v2") + _split(SUCCESS)


def plan(text: str, **kwargs: Any) -> Plan:
    result = cloudwatch_plan(load_text(text), OPTIONS, **kwargs)
    check(result)
    return result


def of(p: Plan, type_: str) -> list[Resource]:
    return [r for r in p if r.type == type_]


# --- engine inputs -> API input, faked references -----------------------------------------------


def _fake(value: Any, kinds: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _fake(v, kinds) for k, v in value.items()}
    if isinstance(value, list):
        return [_fake(v, kinds) for v in value]
    if isinstance(value, str) and "${" in value:

        def one(found: re.Match[str]) -> str:
            name, output = parse_reference(found.group(1))
            fake = FAKE[output]
            return str(fake[kinds[name]] if isinstance(fake, dict) else fake)

        return re.sub(r"\$\{([^}]+)\}", one, value)
    return value


def _kinds(p: Plan) -> dict[str, str]:
    """The external names' kinds: a Lattice service or a target group, by its role."""
    return {n: "TargetGroup" if "-lattice-tg-" in n else "Service" for n in p.external}


def _tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _query(query: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Id": query["id"]}
    for key, api in (
        ("expression", "Expression"),
        ("label", "Label"),
        ("returnData", "ReturnData"),
    ):
        if key in query:
            out[api] = query[key]
    if "metric" in query:
        metric = query["metric"]
        out["MetricStat"] = {
            "Metric": {
                "Namespace": metric["namespace"],
                "MetricName": metric["metricName"],
                "Dimensions": [{"Name": k, "Value": v} for k, v in metric["dimensions"].items()],
            },
            "Period": metric["period"],
            "Stat": metric["stat"],
        }
    return out


def api_params(resource: Resource, kinds: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """(operation, its input) of the resource's create call."""
    props = _fake(dict(resource.properties), kinds)
    if resource.type == DASHBOARD:
        return "PutDashboard", {
            "DashboardName": props["dashboardName"],
            "DashboardBody": props["dashboardBody"],
        }
    if resource.type == COMPOSITE:
        params = {
            "AlarmName": props["alarmName"],
            "AlarmRule": props["alarmRule"],
            "AlarmDescription": props["alarmDescription"],
            "Tags": _tags(props["tags"]),
        }
        if "alarmActions" in props:
            params["AlarmActions"] = props["alarmActions"]
        return "PutCompositeAlarm", params
    assert resource.type == ALARM
    return "PutMetricAlarm", {
        "AlarmName": props["name"],
        "AlarmDescription": props["alarmDescription"],
        "ComparisonOperator": props["comparisonOperator"],
        "EvaluationPeriods": props["evaluationPeriods"],
        "DatapointsToAlarm": props["datapointsToAlarm"],
        "Threshold": props["threshold"],
        "TreatMissingData": props["treatMissingData"],
        "Metrics": [_query(q) for q in props["metricQueries"]],
        "Tags": _tags(props["tags"]),
    }


def check(p: Plan) -> None:
    """Every resource: botocore's model strictly, plus what it states only in prose."""
    kinds = _kinds(p)
    names = {r.properties.get("name") for r in of(p, ALARM)}
    for resource in p:
        operation, params = api_params(resource, kinds)
        found = violations("cloudwatch", operation, params)
        assert not found, f"{resource.name}: {found}"
        if operation == "PutMetricAlarm":
            _check_alarm(params)
        elif operation == "PutCompositeAlarm":
            assert params["AlarmRule"].count("ALARM(") == 2 and " AND " in params["AlarmRule"]
            for name in re.findall(r'ALARM\("([^"]+)"\)', params["AlarmRule"]):
                assert name in names
            assert set(resource.depends_on) <= {r.name for r in of(p, ALARM)}
        else:
            _check_dashboard(params)


def _check_alarm(params: dict[str, Any]) -> None:
    assert isinstance(params["Threshold"], float)
    assert params["TreatMissingData"] in ("breaching", "notBreaching", "ignore", "missing")
    returned = [q for q in params["Metrics"] if q.get("ReturnData")]
    assert len(returned) == 1 and "Expression" in returned[0]
    ids = {q["Id"] for q in params["Metrics"]}
    for query in params["Metrics"]:
        assert METRIC_ID.fullmatch(query["Id"]), query["Id"]
        assert ("Expression" in query) != ("MetricStat" in query)
        if "Expression" in query:
            used = set(re.findall(r"\b[a-z][A-Za-z0-9_]*\b", query["Expression"]))
            assert used - {"FILL", "MAX"} <= ids
        else:
            stat = query["MetricStat"]
            assert STAT.fullmatch(stat["Stat"]), stat["Stat"]
            period = stat["Period"]
            assert period % 60 == 0
            limit = 604800 if period >= 3600 else 86400
            assert period * params["EvaluationPeriods"] <= limit


def _check_dashboard(params: dict[str, Any]) -> None:
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,255}", params["DashboardName"])
    body = json.loads(params["DashboardBody"])
    assert json.dumps(body, sort_keys=True, separators=(",", ":")) == params["DashboardBody"]
    assert set(body) <= {"widgets", "start", "end", "periodOverride", "variables"}
    assert 1 <= len(body["widgets"]) <= 500
    for widget in body["widgets"]:
        assert widget["type"] == "metric"
        assert widget["x"] >= 0 and widget["x"] + widget["width"] <= 24
        props = widget["properties"]
        assert props["region"] == "us-east-1" and props["view"] == "timeSeries"
        ids: set[str] = set()
        for row in props["metrics"]:
            options = row[-1]
            assert METRIC_ID.fullmatch(options["id"])
            if "expression" in options:
                assert len(row) == 1
                used = set(re.findall(r"\b[a-z][A-Za-z0-9_]*\b", options["expression"]))
                assert used <= ids, options["expression"]
            else:
                namespace, _name, dimension, value, _ = row
                assert namespace == "AWS/VpcLattice" and STAT.fullmatch(options["stat"])
                assert dimension in ("Service", "TargetGroup") and value.startswith(("svc-", "tg-"))
            ids.add(options["id"])


# --- tests ------------------------------------------------------------------------------------


def test_the_dashboard_reads_the_contract_from_lattice_services_and_target_groups() -> None:
    p = plan(APPS + _split())
    assert p.external == {
        "shop-web-lattice-service",
        "shop-web-v1-lattice-tg-80",
        "shop-web-v2-lattice-tg-80",
    }
    (board,) = of(p, DASHBOARD)
    assert board.name == "smi-mesh-cloudwatch-dashboard"
    assert board.properties["dashboardName"] == "smi-mesh-golden-signals"
    assert board.references() == p.external
    widgets = json.loads(board.properties["dashboardBody"])["widgets"]
    titles = [w["properties"]["title"] for w in widgets]
    assert titles[:4] == [
        "shop/web: requests/s",
        "shop/web: 5xx responses/s",
        "shop/web: success ratio",
        "shop/web: latency (seconds)",
    ]
    assert len(widgets) == 12  # web (its Lattice service), web-v1 and web-v2 (target groups)
    requests, failures, success, latency = (w["properties"]["metrics"] for w in widgets[:4])
    assert requests[0][:4] == [
        "AWS/VpcLattice",
        "TotalRequestCount",
        "Service",
        "${shop-web-lattice-service.id}",
    ]
    assert requests[-1][0]["expression"] == "r0 / PERIOD(r0)"
    assert failures[0][1] == "HTTPCode_5XX_Count"
    assert success[-1][0]["expression"] == "1 - FILL(f0, 0) / r0"
    assert [row[-1]["stat"] for row in latency if len(row) > 1] == ["p50", "p90", "p99"]
    assert [row[0]["expression"] for row in latency if len(row) == 1] == [
        "l50_0 / 1000",
        "l90_0 / 1000",
        "l99_0 / 1000",
    ]  # RequestTime is in milliseconds; the contract's latency in seconds
    backend = widgets[4]["properties"]["metrics"][0]
    assert backend[1:4] == ["RequestCount", "TargetGroup", "${shop-web-v1-lattice-tg-80.id}"]
    assert widgets[4]["properties"]["region"] == "${shop-web-v1-lattice-tg-80.region}"


def test_a_backend_on_two_ports_sums_its_target_groups_and_takes_the_slowest() -> None:
    two = "[{name: http, port: 80}, {name: http-admin, port: 81}]"
    text = _svc("web", ports=two) + _svc("web-v1", ports=two) + _svc("web-v2", ports=two)
    p = plan(text + _split(SUCCESS))
    widgets = json.loads(of(p, DASHBOARD)[0].properties["dashboardBody"])["widgets"]
    success = widgets[6]["properties"]["metrics"][-1][0]["expression"]
    assert success == "1 - (FILL(f0, 0) + FILL(f1, 0)) / (r0 + r1)"
    latency = [r[0]["expression"] for r in widgets[7]["properties"]["metrics"] if len(r) == 1]
    assert latency[2] == "MAX([l99_0, l99_1]) / 1000"
    alarm = next(r for r in of(p, ALARM) if "web-v1" in r.name)
    assert (
        alarm.properties["metricQueries"][-1]["expression"]
        == "(FILL(f0, 0) + FILL(f1, 0)) / (r0 + r1)"
    )


def test_success_rate_burn_rate_thresholds_come_from_the_objective() -> None:
    p = plan(ESTATE)
    by_name = {r.properties["name"]: r.properties for r in of(p, ALARM)}
    expected = {"1h-5m": 0.072, "6h-30m": 0.03, "1d-2h": 0.015, "3d-6h": 0.005}
    for windows, threshold in expected.items():
        long, short = windows.split("-")
        for window in (long, short):
            alarm = by_name[f"smi-slo/shop/web-v1/TrafficSplit/web/success-rate/{windows}/{window}"]
            assert alarm["threshold"] == threshold
            assert alarm["comparisonOperator"] == "GreaterThanThreshold"
            assert alarm["evaluationPeriods"] == 1 and alarm["treatMissingData"] == "notBreaching"
            periods = {q["metric"]["period"] for q in alarm["metricQueries"] if "metric" in q}
            assert periods == {window_seconds(window)}
            assert alarm["metricQueries"][-1]["expression"] == "(FILL(f0, 0)) / (r0)"


def test_latency_becomes_the_percentile_the_budget_allows_above_the_threshold() -> None:
    p = plan(ESTATE)
    stats = {}
    for alarm in of(p, ALARM):
        props = alarm.properties
        if props["tags"]["smi:slo"] == "latency":
            assert props["threshold"] == 0.25  # seconds: RequestTime / 1000
            assert props["metricQueries"][0]["metric"]["metricName"] == "RequestTime"
            assert props["metricQueries"][0]["metric"]["dimensions"] == {
                "Service": "${shop-web-lattice-service.id}"
            }
            stats[props["tags"]["smi:long-window"]] = props["metricQueries"][0]["metric"]["stat"]
    assert stats == {"1h": "p85.6", "6h": "p94", "1d": "p97", "3d": "p99"}
    assert percentile(Fraction(99856, 100000)) == "p99.86"  # rounded up: never looser
    assert percentile(Fraction(99, 100)) == "p99"


def test_composites_and_the_properties_the_review_reads() -> None:
    p = plan(ESTATE, alarm_actions={"page": ["arn:aws:sns:us-east-1:123456789012:page"]})
    composites = {r.properties["alarmName"]: r for r in of(p, COMPOSITE)}
    name = "smi-slo/shop/web-v2/TrafficSplit/web/success-rate/1h-5m"
    composite = composites[name]
    assert composite.properties["alarmRule"] == f'ALARM("{name}/1h") AND ALARM("{name}/5m")'
    assert composite.properties["alarmActions"] == ["arn:aws:sns:us-east-1:123456789012:page"]
    assert composite.properties["alarmDescription"].startswith("success 99.5%: shop/web-v2")
    assert composite.properties["tags"] == {
        "smi:long-window": "1h",
        "smi:managed-by": "pulumi-smi",
        "smi:namespace": "shop",
        "smi:service": "web-v2",
        "smi:severity": "page",
        "smi:short-window": "5m",
        "smi:slo": "success-rate",
        "smi:slo-source": "TrafficSplit/shop/web",
        "smi:success-rate": "0.995",
        "smi:traffic-split": "web",
    }
    ticket = composites["smi-slo/shop/web-v2/TrafficSplit/web/success-rate/3d-6h"]
    assert "alarmActions" not in ticket.properties  # no ticket actions given
    latency = composites["smi-slo/shop/web/Service/web/latency/1h-5m"]
    assert latency.properties["tags"]["smi:latency-share"] == "0.99"
    assert latency.properties["tags"]["smi:latency-threshold-seconds"] == "0.25"
    assert latency.properties["alarmDescription"].startswith("latency 99% < 250ms: shop/web,")
    # per objective and SLO: one composite and two window alarms per burn window
    assert len(of(p, COMPOSITE)) == 3 * len(BURN_WINDOWS)
    assert len(of(p, ALARM)) == 2 * len(of(p, COMPOSITE))


def test_stable_names_and_determinism() -> None:
    first, second = plan(ESTATE), plan(ESTATE)
    assert first.to_json() == second.to_json()
    assert [r.name for r in of(first, COMPOSITE)][:4] == [
        "shop-web-cw-web-latency-1h-5m",
        "shop-web-cw-web-latency-6h-30m",
        "shop-web-cw-web-latency-1d-2h",
        "shop-web-cw-web-latency-3d-6h",
    ]
    owners = {r.owner for r in of(first, COMPOSITE)}
    assert owners == {ObjectKey("Service", "shop", "web"), ObjectKey("TrafficSplit", "shop", "web")}
    renamed = cloudwatch_plan(
        load_text(ESTATE), OPTIONS, namer=lambda o, role: f"c-{o.name}-{role}"
    )
    assert "c-web-cw-web-v1-success-rate-1h-5m" in {r.name for r in renamed}
    assert "c-web-lattice-service" in renamed.external


def test_no_alarm_without_an_objective_and_none_for_a_service_lattice_does_not_carry() -> None:
    p = plan(APPS + _split())
    assert of(p, ALARM) == [] and of(p, COMPOSITE) == [] and p.warnings == ()
    p = plan(APPS + _split() + _svc("elsewhere", SUCCESS))
    assert of(p, ALARM) == []
    (warning,) = p.warnings
    assert "shop/elsewhere" in warning and "no CloudWatch alarm" in warning
    assert not plan(APPS + _split(), dashboard=False).resources


def test_a_window_that_cannot_fire_gets_no_alarm_and_a_warning() -> None:
    loose = 'smi.pulumi.com/slo-success-rate: "90%"'
    p = plan(APPS + _split(loose))
    windows = {r.properties["tags"]["smi:long-window"] for r in of(p, COMPOSITE)}
    assert windows == {"6h", "1d", "3d"}  # 14.4 x 10% is more than every request
    assert len(p.warnings) == 2 and all("1h/5m" in w for w in p.warnings)


def test_too_long_an_alarm_name_is_a_located_error() -> None:
    text = APPS + _split(SUCCESS).replace("name: web, namespace", f"name: {'s' * 240}, namespace")
    with pytest.raises(TranslationError, match="longer than 255") as raised:
        cloudwatch_plan(load_text(text), OPTIONS)
    assert "TrafficSplit/" in str(raised.value)


def test_the_metric_tables() -> None:
    assert (SERVICE.dimension, SERVICE.requests) == ("Service", "TotalRequestCount")
    assert (TARGET_GROUP.dimension, TARGET_GROUP.requests) == ("TargetGroup", "RequestCount")
    assert SERVICE.failures == TARGET_GROUP.failures == "HTTPCode_5XX_Count"
    assert SERVICE.latency == TARGET_GROUP.latency == "RequestTime"


def test_every_input_is_one_pulumi_aws_knows() -> None:
    classes = {
        ALARM: cw.MetricAlarmArgs,
        COMPOSITE: cw.CompositeAlarmArgs,
        DASHBOARD: cw.DashboardArgs,
    }
    for resource in plan(ESTATE):
        args = _typed(
            classes[resource.type], resource.properties, cw_inputs, lambda s: s, resource.type
        )
        assert isinstance(args, classes[resource.type])


@mock_aws
def test_moto_creates_the_alarms_and_the_dashboard() -> None:
    """moto implements PutMetricAlarm and PutDashboard (not PutCompositeAlarm, which botocore's
    model checks above)."""
    p = plan(ESTATE)
    client = boto3.client("cloudwatch", region_name="us-east-1")
    kinds = _kinds(p)
    for resource in p:
        operation, params = api_params(resource, kinds)
        if operation == "PutMetricAlarm":
            client.put_metric_alarm(**params)
        elif operation == "PutDashboard":
            client.put_dashboard(**params)
    alarms = client.describe_alarms(AlarmNamePrefix="smi-slo/shop/web-v1/")["MetricAlarms"]
    assert len(alarms) == 2 * len(BURN_WINDOWS)
    fast = next(a for a in alarms if a["AlarmName"].endswith("/1h-5m/5m"))
    assert fast["Threshold"] == 0.072
    stat = next(m for m in fast["Metrics"] if m["Id"] == "r0")["MetricStat"]
    assert stat["Metric"]["Dimensions"] == [
        {"Name": "TargetGroup", "Value": "tg-0123456789abcdefg"}
    ]
    assert stat["Period"] == 300
    body = client.get_dashboard(DashboardName="smi-mesh-golden-signals")["DashboardBody"]
    assert len(json.loads(body)["widgets"]) == 12
