"""``metrics_plan``: the one entry of the CLI and the component, on every kind of mesh."""

from __future__ import annotations

from pathlib import Path

import pytest
from schema_check import validate_manifest

from pulumi_smi.errors import SmiError, SmiValidationError
from pulumi_smi.meshes.vpc_lattice import LatticeOptions
from pulumi_smi.metrics.cloudwatch import cloudwatch_plan
from pulumi_smi.metrics.dashboard import dashboard_manifest
from pulumi_smi.metrics.plan import CONFIG_MAP, metrics_plan
from pulumi_smi.metrics.rules import rules_file
from pulumi_smi.spec import load_text
from pulumi_smi.spec.models import ObjectKey
from pulumi_smi.spec.specset import SpecSet

ESTATE = (Path(__file__).parent / "estate.yaml").read_text()
RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"


def specs() -> SpecSet:
    return load_text(ESTATE)


@pytest.mark.no_schema_check  # the ConfigMap is a core kind: sdk_tests/schemas holds CRDs only
def test_a_prometheus_mesh_gets_a_prometheus_rule_and_the_dashboard_config_map() -> None:
    p = metrics_plan(specs(), "istio")
    rule, board = p.resources
    assert (rule.type, rule.name, board.type, board.name) == (
        RULE,
        "monitoring-smi-golden-signals",
        CONFIG_MAP,
        "monitoring-smi-golden-signals-dashboard",
    )
    assert rule.properties["apiVersion"] == "monitoring.coreos.com/v1"
    assert rule.properties["kind"] == "PrometheusRule"
    assert rule.properties["metadata"]["name"] == "smi-golden-signals"
    assert rule.properties["metadata"]["namespace"] == "monitoring"
    assert rule.properties["spec"] == {"groups": rules_file(specs(), "istio")["groups"]}
    assert board.properties == dashboard_manifest("smi-golden-signals", "monitoring")
    assert rule.owner == board.owner == ObjectKey("Namespace", "monitoring", "monitoring")
    validate_manifest(rule.properties)
    assert p.to_json() == metrics_plan(specs(), "istio").to_json()


@pytest.mark.parametrize("mesh", ["istio", "linkerd", "consul", "appmesh"])
def test_every_prometheus_mesh_and_where_the_rule_goes(mesh: str) -> None:
    p = metrics_plan(specs(), mesh, namespace="observability", name="golden", dashboard=False)
    (rule,) = p.resources  # without the dashboard: the rule only (schema-checked at teardown)
    assert rule.type == RULE and rule.name == "observability-golden"
    assert rule.properties["metadata"]["namespace"] == "observability"
    assert rule.properties["spec"]["groups"] == rules_file(specs(), mesh)["groups"]


def test_vpc_lattice_gets_the_cloudwatch_plan() -> None:
    options = {"vpc_id": "vpc-0123456789abcdef0"}
    p = metrics_plan(specs(), "vpc-lattice", options)
    assert p == cloudwatch_plan(specs(), LatticeOptions(**options))
    types = {r.type for r in p}
    assert types == {
        "aws:cloudwatch/dashboard:Dashboard",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:cloudwatch/compositeAlarm:CompositeAlarm",
    }
    quiet = metrics_plan(specs(), "vpc-lattice", options, dashboard=False)
    assert "aws:cloudwatch/dashboard:Dashboard" not in {r.type for r in quiet}


def test_meshes_without_metrics_and_bad_options() -> None:
    with pytest.raises(SmiError, match="no Prometheus recording rules"):
        metrics_plan(specs(), "smi")
    with pytest.raises(SmiValidationError, match="unknown option"):
        metrics_plan(specs(), "istio", {"no_such_option": 1})
