"""``smi:index:TrafficMetrics``: the golden signals of one mesh, and SLO alerts from intent.

The component registers the Plan of :func:`pulumi_smi.metrics.plan.metrics_plan`: on the
Prometheus meshes (istio, linkerd, consul, appmesh) a PrometheusRule (the recording rules of
the metrics contract, then the burn-rate alerts of every objective) and a Grafana dashboard
ConfigMap; on vpc-lattice a CloudWatch dashboard and alarms over the Lattice services and
target groups the mesh's other components registered. No metric logic lives here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import pulumi

from ..errors import Problem, SmiError, SmiValidationError
from ..meshes import MeshKind
from ..metrics.plan import metrics_plan
from ..plan import Plan, Resource
from ..spec.specset import SpecSet
from .base import SmiComponent
from .child_options import ChildOptions
from .mesh import Mesh
from .metrics_estate import estate, external_resources, paths
from .metrics_register import children_for, prefixed, register
from .validate import check_arguments

TYPE = "smi:index:TrafficMetrics"
RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
DASHBOARDS = ("kubernetes:core/v1:ConfigMap", "aws:cloudwatch/dashboard:Dashboard")
ALARMS = ("aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/compositeAlarm:CompositeAlarm")
AlarmActions = Mapping[str, Sequence[str | pulumi.Output[str]]]
"""Severity (``page``, ``ticket``) -> the action ARNs (SNS topics, ...) of its alarms."""


class TrafficMetrics(pulumi.ComponentResource):
    """Golden signals for everything one mesh serves, and SLO alerts from intent.

    The same series on every mesh (DESIGN.md, "Metrics contract": ``smi:requests:rate5m``,
    ``smi:failures:rate5m``, ``smi:success:ratio5m``, ``smi:latency_seconds:p50_5m`` /
    ``p90_5m`` / ``p99_5m`` per Service, ``smi_edge:*`` per caller -> Service). On the
    Prometheus meshes the recording rules aggregate the mesh's native metrics over every
    Service that has traffic, so nothing has to be listed for the signals themselves. What is
    read from the estate:

    - its *objectives* (annotations ``smi.pulumi.com/slo-success-rate`` and
      ``smi.pulumi.com/slo-latency``), each one multi-window burn-rate alerts: on the
      Services of ``mesh``'s catalogue and of ``files``, and on the TrafficSplits of
      ``files`` and of ``components`` (a split's objective is one every backend must meet,
      so a canary failing it pages before the next weight change);
    - the Services and workloads of the catalogue (Consul and App Mesh name their Envoy
      clusters after them);
    - on vpc-lattice, which Lattice services and target groups there are: the SMI objects of
      ``files`` and ``components``, which must be registered on ``mesh`` before this
      component (their CloudWatch dimensions are those resources' ids).

    Prometheus meshes (istio, linkerd, consul, appmesh) get a ``monitoring.coreos.com/v1``
    PrometheusRule ``namespace/object_name`` and, with ``dashboard``, the Grafana dashboard
    ConfigMap beside it (label ``grafana_dashboard``); vpc-lattice gets a CloudWatch dashboard
    and alarms. smi and gateway-api have no metrics of their own: that is an error.

    Children are named ``<resource_name>-<name in the Plan>``, get the provider of their
    package (the mesh's; give ``provider`` where the mesh's is of another package: an appmesh
    mesh on AWS whose PrometheusRule goes to a cluster, consul with config entries), wait for
    the mesh's ``depends_on`` and carry the mesh's and this component's child options.

    Args:
        resource_name: the Pulumi logical name; also the prefix of every child's name.
        mesh: the mesh whose traffic is measured.
        files: SMI and Kubernetes YAML (paths or glob patterns, each must match a file).
        components: TrafficSplit, TrafficTarget and route-group components on ``mesh`` whose
            SMI objects are measured (an smi.Manifests: give its files in ``files``).
        namespace: the namespace of the PrometheusRule and the dashboard ConfigMap (where
            the Prometheus Operator and Grafana's sidecar look).
        object_name: their Kubernetes name (default: ``resource_name``).
        dashboard: also emit the dashboard (ConfigMap or CloudWatch).
        alarm_actions: vpc-lattice only: the actions of the burn-rate alarms by severity.
        provider: the provider of the monitoring resources, when the mesh's is not of
            their package.
        child_options: resource options for every child (merged with the mesh's).
        opts: Pulumi resource options of the component itself.
    """

    plan: Plan
    """Exactly what was registered."""
    resources: dict[str, pulumi.CustomResource]
    """Every child resource, by logical name."""
    rule_name: pulumi.Output[str] | None
    """The PrometheusRule's ``metadata.name`` (None on vpc-lattice)."""
    dashboard_name: pulumi.Output[str] | None
    """The dashboard ConfigMap's or the (first) CloudWatch dashboard's name; None without."""
    alarm_names: pulumi.Output[list[str]]
    """The CloudWatch alarms' names (none on the Prometheus meshes: their alerts are rules)."""

    def __init__(
        self,
        resource_name: str,
        *,
        mesh: Mesh,
        files: Sequence[str | os.PathLike[str]] = (),
        components: Sequence[SmiComponent] = (),
        namespace: str = "monitoring",
        object_name: str | None = None,
        dashboard: bool = True,
        alarm_actions: AlarmActions | None = None,
        provider: pulumi.ProviderResource | None = None,
        child_options: ChildOptions | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        source = check_arguments(TYPE, TrafficMetrics.__init__, locals())
        if alarm_actions and mesh.kind is not MeshKind.VPC_LATTICE:
            message = (
                f"alarm_actions are CloudWatch's (vpc-lattice); mesh {mesh.mesh_resource_name} "
                f"is {mesh.kind.value!r}, whose alerts Alertmanager routes by their labels"
            )
            raise SmiValidationError([Problem(message, source, path="alarm_actions")])
        specs = estate(source, mesh, paths(source, files), components)
        plan = prefixed(
            _plan(
                source,
                mesh,
                specs,
                namespace,
                object_name or resource_name,
                dashboard,
                alarm_actions,
            ),
            resource_name,
        )
        known = external_resources(source, mesh, specs, plan)
        children = children_for(source, mesh, plan, provider, child_options)
        mesh.check_claims(plan, source)
        super().__init__(TYPE, resource_name, {}, opts)
        self.plan = plan
        for warning in plan.warnings:
            pulumi.log.warn(f"mesh {mesh.mesh_resource_name}: {warning}", resource=self)
        mesh.claim(plan, source)
        self.resources = register(plan, self, children, known)
        self.register_outputs(self._outputs())

    def _outputs(self) -> dict[str, pulumi.Output[object]]:
        """The names, each an Output of its resource (known in preview: the Plan sets them)."""
        rule = _first(self.plan, (RULE,))
        board = _first(self.plan, DASHBOARDS)
        self.rule_name = None if rule is None else self._name_of(rule)
        self.dashboard_name = None if board is None else self._name_of(board)
        alarms = [self._name_of(r) for r in self.plan if r.type in ALARMS]
        self.alarm_names = pulumi.Output.all(*alarms) if alarms else pulumi.Output.from_input([])
        found: dict[str, pulumi.Output[object]] = {"alarmNames": self.alarm_names}
        if self.rule_name is not None:
            found["ruleName"] = self.rule_name
        if self.dashboard_name is not None:
            found["dashboardName"] = self.dashboard_name
        return found

    def _name_of(self, resource: Resource) -> pulumi.Output[str]:
        name = planned_name(resource)
        return self.resources[resource.name].urn.apply(lambda _: name)


def _plan(
    source: str,
    mesh: Mesh,
    specs: SpecSet,
    namespace: str,
    name: str,
    dashboard: bool,
    alarm_actions: AlarmActions | None,
) -> Plan:
    """The metrics Plan, its errors located at this component and its mesh."""
    try:
        return metrics_plan(
            specs,
            mesh.kind,
            mesh.options,
            namespace=namespace,
            name=name,
            dashboard=dashboard,
            alarm_actions=alarm_actions,
        )
    except SmiValidationError as exc:
        located = [_located(p, source) if p.source == "<input>" else p for p in exc.problems]
        raise type(exc)(located) from None
    except SmiError as exc:
        raise type(exc)(f"{source}: mesh {mesh.mesh_resource_name}: {exc}") from None


_ARGUMENTS = {"name": "object_name", "namespace": "namespace"}
"""The metrics Plan's words for this component's arguments (``name: 'X' is not ...``)."""


def _located(problem: Problem, source: str) -> Problem:
    """A problem of the Plan's arguments, at this component and the argument it comes from."""
    word, colon, rest = problem.message.partition(": ")
    if colon and not problem.path and word in _ARGUMENTS:
        return Problem(rest, source, path=_ARGUMENTS[word])
    return Problem(problem.message, source, path=problem.path)


def planned_name(resource: Resource) -> str:
    """Where a planned resource lives, by its name there: ``metadata.name`` of a Kubernetes
    object, ``dashboardName`` of a CloudWatch dashboard, ``name`` or ``alarmName`` of an
    alarm."""
    properties = resource.properties
    if resource.is_kubernetes:
        return str(properties["metadata"]["name"])
    for key in ("dashboardName", "alarmName", "name"):
        if isinstance(properties.get(key), str):
            return str(properties[key])
    return resource.name


def _first(plan: Plan, types: Sequence[str]) -> Resource | None:
    return next((r for r in plan if r.type in types), None)
