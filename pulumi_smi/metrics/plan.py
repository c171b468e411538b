"""The metrics of one mesh as a Plan: the one entry of the CLI and ``TrafficMetrics``.

- vpc-lattice: the CloudWatch dashboard and SLO alarms (:mod:`.cloudwatch`);
- the Prometheus meshes (istio, linkerd, consul, appmesh): one
  ``monitoring.coreos.com/v1`` PrometheusRule ``<namespace>/<name>`` whose ``spec.groups``
  are the rules file's (:func:`.rules.rules_file`: the contract's recording rules, then the
  SLO alerts), and, with ``dashboard``, the Grafana dashboard ConfigMap
  (:func:`.dashboard.dashboard_manifest`) beside it, typed ``kubernetes:core/v1:ConfigMap``
  (a core kind, registered as the typed pulumi_kubernetes resource). Both are owned by the
  namespace ``namespace`` (shared resources), logical names ``<namespace>-<name>`` and
  ``<namespace>-<name>-dashboard`` under the default namer;
- smi and gateway-api: the error of :func:`.rules.rules_file` (no metrics of their own).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..meshes import MeshKind, parse_options
from ..meshes.base import Namer, TargetOptions, default_namer, namespace_owner
from ..meshes.kube import manifest_resource, object_metadata
from ..plan import KUBERNETES_PREFIX, Plan, Resource
from ..spec.specset import SpecSet

RULE_API = "monitoring.coreos.com/v1"
RULE_KIND = "PrometheusRule"
CONFIG_MAP = f"{KUBERNETES_PREFIX}core/v1:ConfigMap"


def metrics_plan(
    specs: SpecSet,
    mesh: MeshKind | str,
    options: TargetOptions | Mapping[str, Any] | None = None,
    *,
    namespace: str = "monitoring",
    name: str = "smi-golden-signals",
    dashboard: bool = True,
    namer: Namer = default_namer,
    alarm_actions: Mapping[str, Sequence[Any]] | None = None,
) -> Plan:
    """The metrics of ``specs`` on ``mesh`` (see module).

    ``options`` are the target's (a model or a mapping, validated as the translation's);
    ``namespace``/``name`` place the PrometheusRule and the dashboard ConfigMap (Prometheus
    meshes only); ``dashboard`` adds the Grafana ConfigMap or the CloudWatch dashboard;
    ``namer`` names the resources (on vpc-lattice it must be the translation's: the alarms
    refer to its Lattice services and target groups); ``alarm_actions`` (vpc-lattice) maps a
    severity to the action ARNs of its burn-rate composite alarms.
    """
    kind = MeshKind(mesh)
    parsed = parse_options(kind, options)
    if kind is MeshKind.VPC_LATTICE:
        from .cloudwatch import cloudwatch_plan

        return cloudwatch_plan(
            specs, parsed, namer=namer, dashboard=dashboard, alarm_actions=alarm_actions
        )
    from .rules import rules_file  # written beside this module; imported when used

    groups = rules_file(specs, kind, parsed)["groups"]
    owner = namespace_owner(namespace)
    rule = manifest_resource(
        namer(owner, name),
        RULE_API,
        RULE_KIND,
        object_metadata(name, namespace),
        {"groups": groups},
        owner,
    )
    resources = [rule]
    if dashboard:
        from .dashboard import dashboard_manifest

        manifest = dashboard_manifest(name, namespace)
        resources.append(
            Resource(CONFIG_MAP, namer(owner, f"{name}-dashboard"), manifest, (), owner)
        )
    return Plan(tuple(resources))
