"""The Grafana dashboard over the metrics contract: the same JSON model for every mesh.

It reads only the normalised series (:mod:`.contract`), so one dashboard serves Istio,
Linkerd, Consul and App Mesh alike. :func:`dashboard_manifest` wraps it in a ConfigMap that
the Grafana Helm chart's dashboard sidecar picks up by its default label.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import Problem, SmiValidationError
from ..spec.names import dns1123_label_problem, dns1123_subdomain_problem
from .contract import FAILURES, LATENCY, REQUESTS, SUCCESS, series

UID = "pulumi-smi-golden-signals"
TITLE = "SMI golden signals"
SCHEMA_VERSION = 39
SIDECAR_LABEL = {"grafana_dashboard": "1"}
"""The label the Grafana Helm chart's sidecar looks for (``sidecar.dashboards.label``)."""
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
_SELECTOR = '{namespace=~"$namespace",service=~"$service"}'
_WIDTH = 24


def dashboard() -> dict[str, Any]:
    """The dashboard's JSON model: variables ``datasource``, ``namespace`` and ``service``;
    per Service request rate, success ratio, failure rate and latency p50/p90/p99; per caller
    -> Service edge the same signals."""
    panels: list[dict[str, Any]] = []
    layout = [
        _row("Services"),
        _timeseries("Request rate", "reqps", [_target(False, REQUESTS)]),
        _timeseries("Success ratio", "percentunit", [_target(False, SUCCESS)], 0, 1),
        _timeseries("Failure rate (5xx)", "reqps", [_target(False, FAILURES)]),
        _timeseries(
            "Latency p50 / p90 / p99",
            "s",
            [_target(False, name, q) for q, name in LATENCY.items()],
        ),
        _row("Edges (caller -> Service)"),
        _edge_table(),
        _timeseries("Edge request rate", "reqps", [_target(True, REQUESTS)]),
        _timeseries("Edge success ratio", "percentunit", [_target(True, SUCCESS)], 0, 1),
    ]
    x = y = 0
    for number, panel in enumerate(layout, 1):
        width, height = (_WIDTH, 1) if panel["type"] == "row" else (panel.pop("_width"), 8)
        if x + width > _WIDTH:
            x, y = 0, y + 8
        panel["id"] = number
        panel["gridPos"] = {"h": height, "w": width, "x": x, "y": y}
        panels.append(panel)
        x += width
        if x >= _WIDTH:
            x, y = 0, y + height
    return {
        "uid": UID,
        "title": TITLE,
        "description": (
            "Request rate, success ratio, failure rate and latency percentiles per Service "
            "and per caller -> Service edge, from the pulumi-smi metrics contract "
            "(the same series on every mesh)."
        ),
        "tags": ["pulumi-smi", "smi", "golden-signals"],
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "editable": True,
        "graphTooltip": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "timezone": "browser",
        "annotations": {"list": []},
        "links": [],
        "templating": {"list": _variables()},
        "panels": panels,
    }


def dashboard_manifest(name: str, namespace: str) -> dict[str, Any]:
    """A ConfigMap ``namespace/name`` holding the dashboard as ``<name>.json`` (keys sorted,
    so the same text every time), labelled for the Grafana sidecar."""
    problems = [
        Problem(f"{what}: {problem}")
        for what, problem in (
            ("name", dns1123_subdomain_problem(name)),
            ("namespace", dns1123_label_problem(namespace)),
        )
        if problem
    ]
    if problems:
        raise SmiValidationError(problems)
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(SIDECAR_LABEL)},
        "data": {f"{name}.json": json.dumps(dashboard(), sort_keys=True, indent=2) + "\n"},
    }


def _variables() -> list[dict[str, Any]]:
    requests = series("smi", REQUESTS)
    return [
        {
            "name": "datasource",
            "label": "Prometheus",
            "type": "datasource",
            "query": "prometheus",
            "current": {},
            "hide": 0,
            "refresh": 1,
            "regex": "",
        },
        _query_variable("namespace", f"label_values({requests}, namespace)"),
        _query_variable("service", f'label_values({requests}{{namespace=~"$namespace"}}, service)'),
    ]


def _query_variable(name: str, query: str) -> dict[str, Any]:
    return {
        "name": name,
        "label": name,
        "type": "query",
        "datasource": DATASOURCE,
        "definition": query,
        "query": {"query": query, "refId": f"{name}-values"},
        "refresh": 2,
        "includeAll": True,
        "multi": True,
        "allValue": ".*",
        "current": {},
        "hide": 0,
        "sort": 1,
        "regex": "",
    }


def _row(title: str) -> dict[str, Any]:
    return {"type": "row", "title": title, "collapsed": False, "panels": []}


def _target(edge: bool, name: str, legend: str = "") -> dict[str, Any]:
    caller = "{{source_namespace}}/{{source_workload}} -> " if edge else ""
    suffix = f" {legend}" if legend else ""
    return {
        "datasource": DATASOURCE,
        "expr": f"{series('smi_edge' if edge else 'smi', name)}{_SELECTOR}",
        "legendFormat": f"{caller}{{{{namespace}}}}/{{{{service}}}}{suffix}",
        "refId": legend or name.split(":")[0],
    }


def _timeseries(
    title: str,
    unit: str,
    targets: list[dict[str, Any]],
    low: int | None = None,
    high: int | None = None,
) -> dict[str, Any]:
    defaults: dict[str, Any] = {"unit": unit}
    if low is not None:
        defaults["min"] = low
    if high is not None:
        defaults["max"] = high
    return {
        "type": "timeseries",
        "title": title,
        "datasource": DATASOURCE,
        "targets": targets,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {
            "legend": {"displayMode": "table", "placement": "bottom", "calcs": ["mean", "max"]},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
        "_width": 12,
    }


def _edge_table() -> dict[str, Any]:
    """Every edge's current signals in one row: instant queries merged on the edge labels."""
    columns = {
        "requests/s": REQUESTS,
        "success": SUCCESS,
        "failures/s": FAILURES,
        **{f"latency {q}": name for q, name in LATENCY.items()},
    }
    targets = [
        {
            "datasource": DATASOURCE,
            "expr": f"{series('smi_edge', name)}{_SELECTOR}",
            "format": "table",
            "instant": True,
            "refId": column,
        }
        for column, name in columns.items()
    ]
    overrides = [
        {
            "matcher": {"id": "byName", "options": f"Value #{column}"},
            "properties": [
                {"id": "displayName", "value": column},
                {"id": "unit", "value": _unit(name)},
            ],
        }
        for column, name in columns.items()
    ]
    return {
        "type": "table",
        "title": "Edges: caller -> Service (now)",
        "datasource": DATASOURCE,
        "targets": targets,
        "transformations": [
            {"id": "merge", "options": {}},
            {"id": "organize", "options": {"excludeByName": {"Time": True}}},
        ],
        "fieldConfig": {"defaults": {}, "overrides": overrides},
        "options": {"showHeader": True},
        "_width": _WIDTH,
    }


def _unit(name: str) -> str:
    if name == SUCCESS:
        return "percentunit"
    return "reqps" if name in (REQUESTS, FAILURES) else "s"
