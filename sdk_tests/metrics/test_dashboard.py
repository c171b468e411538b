"""The Grafana dashboard: a valid JSON model over the contract series only, and its ConfigMap."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_smi.errors import SmiValidationError
from pulumi_smi.metrics.contract import SERIES, series
from pulumi_smi.metrics.dashboard import SIDECAR_LABEL, UID, dashboard, dashboard_manifest
from pulumi_smi.spec.names import (
    dns1123_label_problem,
    dns1123_subdomain_problem,
    label_key_problem,
    label_value_problem,
)

CONTRACT = {series(level, name) for level in ("smi", "smi_edge") for name in SERIES}
# a metric name right before a selector or a label_values( argument
_METRIC = re.compile(r"([A-Za-z_:][A-Za-z0-9_:]*)\s*\{|label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)")


def _queries(model: Any) -> Iterator[str]:
    """Every PromQL text in the model: panel targets and variable queries."""
    if isinstance(model, dict):
        for key, value in model.items():
            if key in ("expr", "definition") and isinstance(value, str):
                yield value
            elif key == "query" and isinstance(value, dict) and isinstance(value.get("query"), str):
                yield value["query"]
            else:
                yield from _queries(value)
    elif isinstance(model, list):
        for item in model:
            yield from _queries(item)


def test_the_dashboard_reads_only_contract_series_and_all_of_them() -> None:
    queries = list(_queries(dashboard()))
    used = {a or b for q in queries for a, b in _METRIC.findall(q)}
    assert used <= CONTRACT, used - CONTRACT
    assert used == CONTRACT  # every signal, per Service and per edge
    assert all(not re.search(r"\b(istio|envoy|response_|request_)", q) for q in queries)


def test_the_dashboard_is_a_grafana_model_with_stable_identity() -> None:
    model = dashboard()
    assert model == dashboard()
    assert model["uid"] == UID == "pulumi-smi-golden-signals" and len(UID) <= 40
    assert model["schemaVersion"] >= 36
    variables = {v["name"]: v for v in model["templating"]["list"]}
    assert list(variables) == ["datasource", "namespace", "service"]
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert variables["namespace"]["definition"] == "label_values(smi:requests:rate5m, namespace)"
    assert variables["service"]["definition"] == (
        'label_values(smi:requests:rate5m{namespace=~"$namespace"}, service)'
    )
    panels = model["panels"]
    assert [p["id"] for p in panels] == list(range(1, len(panels) + 1))
    titles = {p["title"] for p in panels}
    assert {"Request rate", "Success ratio", "Failure rate (5xx)", "Latency p50 / p90 / p99"} <= (
        titles
    )
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24 and grid["h"] > 0
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            for target in panel["targets"]:
                assert target["datasource"] == panel["datasource"]
                assert '{namespace=~"$namespace",service=~"$service"}' in target["expr"]
            ref_ids = [t["refId"] for t in panel["targets"]]
            assert len(set(ref_ids)) == len(ref_ids)
    latency = next(p for p in panels if p["title"].startswith("Latency"))
    assert [t["expr"].split("{")[0] for t in latency["targets"]] == [
        "smi:latency_seconds:p50_5m",
        "smi:latency_seconds:p90_5m",
        "smi:latency_seconds:p99_5m",
    ]
    assert latency["fieldConfig"]["defaults"]["unit"] == "s"
    edges = next(p for p in panels if p["type"] == "table")
    assert all(t["expr"].startswith("smi_edge:") and t["instant"] for t in edges["targets"])


def test_the_configmap_holds_the_dashboard_for_the_grafana_sidecar() -> None:
    manifest = dashboard_manifest("smi-golden-signals", "monitoring")
    assert set(manifest) == {"apiVersion", "kind", "metadata", "data"}
    assert (manifest["apiVersion"], manifest["kind"]) == ("v1", "ConfigMap")
    metadata = manifest["metadata"]
    assert metadata == {
        "name": "smi-golden-signals",
        "namespace": "monitoring",
        "labels": {"grafana_dashboard": "1"},
    }
    assert SIDECAR_LABEL == {"grafana_dashboard": "1"}
    assert dns1123_subdomain_problem(metadata["name"]) is None
    assert dns1123_label_problem(metadata["namespace"]) is None
    for key, value in metadata["labels"].items():
        assert label_key_problem(key) is None and label_value_problem(key, value) is None
    assert list(manifest["data"]) == ["smi-golden-signals.json"]
    text = manifest["data"]["smi-golden-signals.json"]
    assert all(re.fullmatch(r"[-._a-zA-Z0-9]+", k) for k in manifest["data"])
    assert isinstance(text, str) and json.loads(text) == dashboard()
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2) + "\n"
    assert dashboard_manifest("smi-golden-signals", "monitoring") == manifest


@pytest.mark.parametrize(("name", "namespace"), [("Bad_Name", "monitoring"), ("ok", "a.b")])
def test_a_bad_configmap_name_is_a_validation_error(name: str, namespace: str) -> None:
    with pytest.raises(SmiValidationError, match="name"):
        dashboard_manifest(name, namespace)
