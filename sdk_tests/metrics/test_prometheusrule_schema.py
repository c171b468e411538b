"""Every PrometheusRule the metrics Plan emits is valid for the Prometheus Operator's CRD.

The schema is the CRD's ``openAPIV3Schema`` (``sdk_tests/schemas/monitoring.coreos.com``, see
its PROVENANCE.md), checked by :mod:`schema_check` like every other kind: closed objects (a
field the CRD does not declare would be pruned), the duration patterns of ``interval`` and
``for``, unique group names (``x-kubernetes-list-type: map``), ``expr`` required. There is no
core (ConfigMap) schema in ``sdk_tests/schemas``: the dashboard ConfigMap's fields are checked
here one by one, as the API server would (only ``data`` of string to string, keys valid), and
the tests planning one skip the teardown's check of every planned manifest
(``no_schema_check``), which would ask for a ConfigMap schema, having checked each here.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from schema_check import SchemaViolation, validate_manifest

from pulumi_smi import load_text
from pulumi_smi.meshes import MeshKind, parse_options
from pulumi_smi.metrics.plan import metrics_plan
from pulumi_smi.spec.specset import SpecSet

RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
PROMETHEUS_MESHES = {
    "istio": {},
    "linkerd": {},
    "consul": {},
    "appmesh": {"mesh_name": "shop"},
}
SERVICES = """
apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: bookinfo
  annotations: {ANNOTATIONS}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
---
apiVersion: v1
kind: Service
metadata: {name: reviews-v1, namespace: bookinfo}
spec: {selector: {app: reviews, version: v1}, ports: [{name: http, port: 9080}]}
---
apiVersion: v1
kind: Service
metadata: {name: reviews-v2, namespace: bookinfo}
spec: {selector: {app: reviews, version: v2}, ports: [{name: http, port: 9080}]}
---
apiVersion: v1
kind: Service
metadata: {name: ratings, namespace: bookinfo}
spec: {selector: {app: ratings}, ports: [{name: grpc, port: 9090}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1, namespace: bookinfo}
spec:
  template:
    metadata: {labels: {app: reviews, version: v1}}
    spec: {serviceAccountName: reviews, containers: [{name: reviews, image: reviews:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v2, namespace: bookinfo}
spec:
  template:
    metadata: {labels: {app: reviews, version: v2}}
    spec: {serviceAccountName: reviews, containers: [{name: reviews, image: reviews:2}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ratings, namespace: bookinfo}
spec:
  template:
    metadata: {labels: {app: ratings}}
    spec: {serviceAccountName: ratings, containers: [{name: ratings, image: ratings:1}]}
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata:
  name: reviews
  namespace: bookinfo
  annotations: {SPLIT_ANNOTATIONS}
spec:
  service: reviews
  backends: [{service: reviews-v1, weight: 90}, {service: reviews-v2, weight: 10}]
"""
SERVICE_SLO = (
    '{"smi.pulumi.com/slo-success-rate": "99.9%", "smi.pulumi.com/slo-latency": "99% < 500ms"}'
)
SPLIT_SLO = '{"smi.pulumi.com/slo-success-rate": "99.5%", "smi.pulumi.com/slo-latency": "95% < 1s"}'
ESTATES = {
    "no-objectives": ("{}", "{}"),
    "service-objectives": (SERVICE_SLO, "{}"),
    "split-objectives": ("{}", SPLIT_SLO),
    "both": (SERVICE_SLO, SPLIT_SLO),
}
_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_DURATION = re.compile(
    r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?)$"
)


def estate(name: str) -> SpecSet:
    service, split = ESTATES[name]
    return load_text(
        SERVICES.replace("{ANNOTATIONS}", service).replace("{SPLIT_ANNOTATIONS}", split)
    )


def plan_for(mesh: str, specs: SpecSet, **kwargs: Any) -> list[dict[str, Any]]:
    kind = MeshKind(mesh)
    options = parse_options(kind, PROMETHEUS_MESHES[mesh])
    plan = metrics_plan(specs, kind, options, **kwargs)
    return [r.to_dict() for r in plan]


def _of(resources: list[dict[str, Any]], type_: str) -> list[dict[str, Any]]:
    return [r["properties"] for r in resources if r["type"] == type_]


@pytest.mark.no_schema_check
@pytest.mark.parametrize("name", sorted(ESTATES))
@pytest.mark.parametrize("mesh", sorted(PROMETHEUS_MESHES))
def test_every_prometheus_rule_is_valid_for_the_crd(mesh: str, name: str) -> None:
    resources = plan_for(mesh, estate(name))
    rules = _of(resources, RULE)
    assert len(rules) == 1
    validate_manifest(rules[0])
    groups = rules[0]["spec"]["groups"]
    records = [r["record"] for g in groups for r in g["rules"] if "record" in r]
    alerts = [r for g in groups for r in g["rules"] if "alert" in r]
    assert "smi:requests:rate5m" in records and "smi_edge:latency_seconds:p99_5m" in records
    assert bool(alerts) == (name != "no-objectives")
    for rule in (r for g in groups for r in g["rules"]):
        assert ("record" in rule) != ("alert" in rule)  # the CRD: exactly one of them
        assert isinstance(rule["expr"], str) and rule["expr"].strip()
        if "for" in rule:
            assert _DURATION.match(rule["for"])


@pytest.mark.no_schema_check
@pytest.mark.parametrize("mesh", sorted(PROMETHEUS_MESHES))
def test_the_rule_honours_name_and_namespace(mesh: str) -> None:
    resources = plan_for(mesh, estate("both"), namespace="observability", name="golden")
    rule = _of(resources, RULE)[0]
    validate_manifest(rule)
    assert rule["metadata"]["namespace"] == "observability"
    for config_map in _of(resources, CONFIG_MAP):
        assert config_map["metadata"]["namespace"] == "observability"


@pytest.mark.no_schema_check
@pytest.mark.parametrize("mesh", sorted(PROMETHEUS_MESHES))
def test_the_dashboard_config_map_has_only_valid_fields(mesh: str) -> None:
    (config_map,) = _of(plan_for(mesh, estate("both")), CONFIG_MAP)
    assert_valid_config_map(config_map)
    assert _of(plan_for(mesh, estate("both"), dashboard=False), CONFIG_MAP) == []


def assert_valid_config_map(manifest: dict[str, Any]) -> None:
    """What the API server checks of a ConfigMap we write (core/v1 has no CRD schema here)."""
    assert manifest["apiVersion"] == "v1" and manifest["kind"] == "ConfigMap"
    assert set(manifest) <= {"apiVersion", "kind", "metadata", "data"}
    metadata = manifest["metadata"]
    assert set(metadata) <= {"name", "namespace", "labels", "annotations"}
    assert re.fullmatch(
        r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", metadata["name"]
    )
    assert len(metadata["name"]) <= 253
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", metadata["namespace"])
    labels = metadata.get("labels", {})
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items())
    data = manifest["data"]
    assert data and all(isinstance(k, str) and isinstance(v, str) for k, v in data.items())
    for key, text in data.items():
        assert _KEY.fullmatch(key) and len(key) <= 253  # IsConfigMapKey
        if key.endswith(".json"):
            assert isinstance(json.loads(text), dict)
    # A ConfigMap holds at most 1 MiB (the API server's limit on the object).
    assert len(json.dumps(manifest).encode()) < 1024 * 1024


@pytest.mark.no_schema_check
def test_the_checker_rejects_what_the_crd_rejects() -> None:
    """The checks above would pass vacuously if the schema did not apply."""
    rule = _of(plan_for("istio", estate("both")), RULE)[0]
    broken = json.loads(json.dumps(rule))
    broken["spec"]["groups"][0]["rules"][0]["exprs"] = "up"
    with pytest.raises(SchemaViolation, match="unknown field"):
        validate_manifest(broken)
    twice = json.loads(json.dumps(rule))
    twice["spec"]["groups"].append(dict(twice["spec"]["groups"][0]))
    with pytest.raises(SchemaViolation, match="duplicate entry"):
        validate_manifest(twice)
    late = json.loads(json.dumps(rule))
    late["spec"]["groups"][0]["interval"] = "5 minutes"
    with pytest.raises(SchemaViolation, match="interval"):
        validate_manifest(late)
    no_expr = json.loads(json.dumps(rule))
    del no_expr["spec"]["groups"][0]["rules"][0]["expr"]
    with pytest.raises(SchemaViolation, match="expr"):
        validate_manifest(no_expr)


SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas" / "monitoring.coreos.com"
GO_PATTERN, PYTHON_PATTERN = '"^(?i)(abort|warn)?$"', '"^(?i:(abort|warn)?)$"'


def test_the_stored_schema_is_the_extraction_its_provenance_names() -> None:
    """The one Go-only pattern rewritten (PROVENANCE.md), nothing else changed."""
    stored = (SCHEMA_DIR / "v1" / "PrometheusRule.json").read_text(encoding="utf-8")
    provenance = (SCHEMA_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    assert f"`{hashlib.sha256(stored.encode()).hexdigest()}`" in provenance
    assert stored.count(PYTHON_PATTERN) == 1 and GO_PATTERN not in stored
    extracted = stored.replace(PYTHON_PATTERN, GO_PATTERN)
    assert f"`{hashlib.sha256(extracted.encode()).hexdigest()}`" in provenance
    index = json.loads((SCHEMA_DIR.parent / "INDEX.json").read_text(encoding="utf-8"))
    entry = index["schemas"]["monitoring.coreos.com/v1/PrometheusRule.json"]
    assert (entry["apiVersion"], entry["kind"], entry["root"]) == (
        "monitoring.coreos.com/v1",
        "PrometheusRule",
        None,
    )
    assert (
        entry["sha256"] in provenance and "2de7fa35f1dae33ca3dfc392b27dbf06a93d5c4d" in provenance
    )
