"""The multi-language TrafficMetrics: golden signals and SLO alerts of one named mesh.

No ``from __future__ import annotations`` here: the analyzer reads these annotations at run
time.
"""

from collections.abc import Mapping
from functools import partial
from typing import Any, cast

import pulumi
import pulumi_aws
import pulumi_kubernetes

from .. import components as python
from . import common, registry
from .args import TrafficMetricsArgs, schema_docs
from .inputs import Inputs
from .surface import _Surface, implements

_PROVIDERS: tuple[tuple[str, str, type[pulumi.ProviderResource], str], ...] = (
    ("kubernetes_provider", "kubernetesProvider", pulumi_kubernetes.Provider, "kubernetes"),
    ("aws_provider", "awsProvider", pulumi_aws.Provider, "aws"),
)
"""Each provider input: its key, its schema name, its class and its package."""


@schema_docs
class TrafficMetrics(_Surface):
    """Golden signals for everything the mesh named in `mesh` serves, and SLO alerts from
    intent.

    The same series on every mesh (`smi:requests:rate5m`, `smi:failures:rate5m`,
    `smi:success:ratio5m`, `smi:latency_seconds:p50_5m` / `p90_5m` / `p99_5m` per Service
    labelled `namespace` and `service`; `smi_edge:*` per caller with `source_namespace` and
    `source_workload`), computed from the mesh's native metrics. Every objective of the
    mesh's catalogue, of `files` and of the `splits` becomes multi-window burn-rate alerts
    (TrafficTargets measured on vpc-lattice come in `files`).
    On istio, linkerd, consul and appmesh: a PrometheusRule and a Grafana dashboard ConfigMap
    in `namespace`; on vpc-lattice: a CloudWatch dashboard and alarms. The smi and
    gateway-api meshes have no metrics: the construction fails saying so.
    """

    resource_names: pulumi.Output[list[str]]
    """The logical names of the children."""
    urns: pulumi.Output[list[str]]
    """The URNs of the children."""
    rule_name: pulumi.Output[str] | None
    """The PrometheusRule's name (not on vpc-lattice)."""
    dashboard_name: pulumi.Output[str] | None
    """The dashboard's name: the Grafana ConfigMap's or the CloudWatch dashboard's."""
    alarm_names: pulumi.Output[list[str]]
    """The CloudWatch alarms' names (none on the Prometheus meshes, whose alerts are rules)."""

    def __init__(
        self, name: str, args: TrafficMetricsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        given = cast(Mapping[str, Any], args)
        read = Inputs("smi:index:TrafficMetrics", name)
        mesh = common.mesh(read, given.get("mesh"), "mesh", required=True)
        files = read.texts(given.get("files"), "files")
        splits = read.each(given.get("splits"), "splits", partial(_split, read))
        namespace = read.text(given.get("namespace"), "namespace") or "monitoring"
        object_name = read.text(given.get("object_name"), "objectName")
        dashboard = read.flag(given.get("dashboard"), "dashboard")
        actions = read.nested(given.get("alarm_actions"), "alarmActions", partial(_actions, read))
        provider = _provider(read, given)
        child_options = common.child_options(read, given.get("child_options"), "childOptions")
        read.done()
        assert mesh is not None
        metrics = self._construct(
            python.TrafficMetrics,
            name,
            mesh=mesh,
            files=files,
            components=splits,
            namespace=namespace,
            object_name=object_name,
            dashboard=True if dashboard is None else dashboard,
            alarm_actions=actions or None,
            provider=provider,
            child_options=child_options,
            opts=opts,
        )
        children = [metrics.resources[r.name] for r in metrics.plan]
        outputs: dict[str, Any] = {
            "resourceNames": [r.name for r in metrics.plan],
            "urns": pulumi.Output.all(*(c.urn for c in children)) if children else [],
            "alarmNames": metrics.alarm_names,
        }
        if metrics.rule_name is not None:
            outputs["ruleName"] = metrics.rule_name
        if metrics.dashboard_name is not None:
            outputs["dashboardName"] = metrics.dashboard_name
        self._publish(outputs)


@implements(TrafficMetrics)
class _TrafficMetrics(TrafficMetrics, python.TrafficMetrics):
    """A multi-language TrafficMetrics: the Python one, constructed from ``TrafficMetricsArgs``."""


def _split(read: Inputs, value: object, path: str) -> python.TrafficSplit | None:
    name = read.text(value, path, required=True)
    if name is None:
        return None
    found = registry.find_split(name)
    if found is None:
        read.fail(path, registry.unknown_split(name))
    return found


def _actions(read: Inputs, given: Mapping[str, Any], path: str) -> dict[str, list[Any]]:
    """Severity -> action ARNs, each a string or the output of another resource."""
    found: dict[str, list[Any]] = {}
    for severity, arns in given.items():
        at = f"{path}.{severity}"
        found[str(severity)] = [
            arn if isinstance(arn, pulumi.Output) else read.text(arn, f"{at}[{i}]", required=True)
            for i, arn in enumerate(read.items(arns, at))
        ]
    return found


def _provider(read: Inputs, args: Mapping[str, Any]) -> pulumi.ProviderResource | None:
    """The provider given for the monitoring resources (at most one)."""
    given = [
        (schema_name, provider)
        for key, schema_name, cls, package in _PROVIDERS
        if (provider := read.resource(args.get(key), schema_name, cls, f"a {package} provider"))
    ]
    if len(given) > 1:
        read.fail(given[1][0], f"give one provider, got {', '.join(n for n, _ in given)}")
    return given[0][1] if given else None
