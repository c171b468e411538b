"""TrafficMetrics registers exactly its metrics Plan, as children with the right provider.

Prometheus meshes (istio, linkerd, consul, appmesh): a PrometheusRule and the dashboard
ConfigMap (a typed ``kubernetes:core/v1:ConfigMap``, as the Plan says) on the cluster's
Kubernetes provider; vpc-lattice: CloudWatch dashboard and alarms on the mesh's AWS provider,
their dimensions the ids of the Lattice resources the mesh's other components registered.
The ConfigMap has no CRD schema (``no_schema_check``): each PrometheusRule is validated here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_consul as consul
import pulumi_kubernetes as k8s
import pytest
from mesh_estates import VPC
from schema_check import validate_manifest

import pulumi_smi as smi
from pulumi_smi.testing import Recording, run_program

pytestmark = pytest.mark.no_schema_check

RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
SLO = {"smi.pulumi.com/slo-success-rate": "99.5%", "smi.pulumi.com/slo-latency": "99% < 500ms"}
CATALOGUE = """
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations: {"smi.pulumi.com/slo-success-rate": "99.9%"}
spec: {selector: {app: web}, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-v1, namespace: shop}
spec: {selector: {app: web, version: v1}, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-v2, namespace: shop}
spec: {selector: {app: web, version: v2}, ports: [{name: http, port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-v1, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web, version: v1}}
    spec: {serviceAccountName: web, containers: [{name: web, image: web:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-v2, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web, version: v2}}
    spec: {serviceAccountName: web, containers: [{name: web, image: web:2}]}
"""
PROMETHEUS = {
    "istio": ("istio", {}),
    "linkerd": ("linkerd", {}),
    "consul": ("consul", {}),
    "appmesh": ("appmesh", {"mesh_name": "shop"}),
}
LATTICE = {"vpc_id": VPC, "mesh_name": "shop", "eks_cluster_name": "prod-eks"}


@pytest.fixture(params=[False, True], ids=["update", "preview"])
def preview(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def _split(mesh: smi.Mesh, annotations: dict[str, str] = SLO) -> smi.TrafficSplit:
    return smi.TrafficSplit(
        "web",
        namespace="shop",
        service="web",
        meshes=mesh,
        backends=[smi.Backend("web-v1", 90), smi.Backend("web-v2", 10)],
        annotations=annotations,
    )


def prometheus_program(kind: str, made: dict[str, Any], **kwargs: Any) -> Any:
    """A mesh of ``kind`` (appmesh on an AWS provider, its metrics on a cluster), a split
    with objectives, and its TrafficMetrics."""
    target, options = PROMETHEUS[kind]

    def program() -> None:
        cluster = k8s.Provider("cluster", kubeconfig="x")
        crds = k8s.apiextensions.v1.CustomResourceDefinition(
            "prometheus-crds",
            metadata={"name": "prometheusrules.monitoring.coreos.com"},
            spec={
                "group": "monitoring.coreos.com",
                "names": {"kind": "PrometheusRule", "plural": "prometheusrules"},
                "scope": "Namespaced",
                "versions": [],
            },
            opts=pulumi.ResourceOptions(provider=cluster),
        )
        extra: dict[str, Any] = {}
        if kind == "appmesh":
            provider: pulumi.ProviderResource = aws.Provider("cloud", region="us-east-1")
            extra["provider"] = cluster
        else:
            provider = cluster
        mesh = smi.Mesh(
            "dc1",
            target,
            provider=provider,
            options=options,
            catalogue=smi.load_text(CATALOGUE).catalogue,
            depends_on=[crds],
            child_options=smi.ChildOptions(ignore_changes=["metadata.annotations"]),
        )
        split = _split(mesh)
        made["metrics"] = smi.TrafficMetrics(
            "golden", mesh=mesh, components=[split], **{**extra, **kwargs}
        )
        made["crds"] = crds

    return program


def assert_registers_its_plan(
    recording: Recording, metrics: smi.TrafficMetrics, provider: str
) -> None:
    children = [r for r in recording.children_of("golden") if r.custom]
    assert sorted(c.name for c in children) == sorted(r.name for r in metrics.plan)
    for resource in metrics.plan:
        child = recording.by_name(resource.name)
        assert child.type == resource.type
        assert child.inputs == resource.properties or resource.type.startswith("aws:")
        assert child.parent_name == "golden"
        assert child.provider_name == provider


@pytest.mark.parametrize("kind", sorted(PROMETHEUS))
def test_prometheus_meshes_get_a_rule_and_a_dashboard_on_the_cluster(
    kind: str, preview: bool
) -> None:
    made: dict[str, Any] = {}
    recording = run_program(prometheus_program(kind, made), preview=preview)
    metrics: smi.TrafficMetrics = made["metrics"]
    assert sorted(r.type for r in metrics.plan) == [CONFIG_MAP, RULE]
    assert_registers_its_plan(recording, metrics, "cluster")
    rule = recording.by_type(RULE)[0]
    validate_manifest(rule.inputs)
    assert rule.inputs["metadata"] == {
        "name": "golden",
        "namespace": "monitoring",
        "labels": rule.inputs["metadata"]["labels"],
    }
    alerts = [r for g in rule.inputs["spec"]["groups"] for r in g["rules"] if "alert" in r]
    assert {a["labels"]["service"] for a in alerts} == {"web", "web-v1", "web-v2"}
    board = recording.by_type(CONFIG_MAP)[0]
    assert board.inputs["metadata"]["labels"]["grafana_dashboard"] == "1"
    crds = recording.by_name("prometheus-crds").urn
    for child in (rule, board):
        assert crds in child.dependencies  # the mesh's depends_on
        assert child.ignore_changes == ("metadata.annotations",)  # the mesh's child options


def test_outputs_name_the_rule_and_the_dashboard() -> None:
    made: dict[str, Any] = {}
    seen: dict[str, Any] = {}

    def program() -> None:
        prometheus_program("istio", made, namespace="observability", object_name="shop-slos")()
        metrics = made["metrics"]
        pulumi.Output.all(metrics.rule_name, metrics.dashboard_name, metrics.alarm_names).apply(
            lambda values: seen.update(names=values)
        )

    recording = run_program(program)
    assert seen["names"] == ["shop-slos", "shop-slos", []]
    rule = recording.by_type(RULE)[0]
    assert (rule.name, rule.inputs["metadata"]["namespace"]) == (
        "golden-observability-shop-slos",
        "observability",
    )
    assert recording.by_type(CONFIG_MAP)[0].name == "golden-observability-shop-slos-dashboard"
    metrics: smi.TrafficMetrics = made["metrics"]
    assert (metrics.rule_name, metrics.dashboard_name) != (None, None)


def test_without_the_dashboard_only_the_rule() -> None:
    made: dict[str, Any] = {}
    recording = run_program(prometheus_program("linkerd", made, dashboard=False))
    assert [r.type for r in recording.children_of("golden")] == [RULE]
    assert made["metrics"].dashboard_name is None


def lattice_program(made: dict[str, Any], *, register_split: bool = True, **kwargs: Any) -> Any:
    def program() -> None:
        cloud = aws.Provider("cloud", region="us-east-1")
        mesh = smi.Mesh(
            "use1",
            "vpc-lattice",
            provider=cloud,
            options=LATTICE,
            catalogue=smi.load_text(CATALOGUE).catalogue,
        )
        # One objective (a few dozen alarms): the alarms' shape is the Plan's tests' business.
        split = (
            _split(mesh, {"smi.pulumi.com/slo-success-rate": "99.5%"}) if register_split else None
        )
        files = kwargs.pop("files", ())
        made["metrics"] = smi.TrafficMetrics(
            "golden", mesh=mesh, components=[split] if split else [], files=files, **kwargs
        )
        made["mesh"] = mesh

    return program


def test_vpc_lattice_gets_cloudwatch_resources_on_the_mesh_provider(preview: bool) -> None:
    made: dict[str, Any] = {}
    recording = run_program(lattice_program(made), preview=preview)
    metrics: smi.TrafficMetrics = made["metrics"]
    types = {r.type for r in metrics.plan}
    assert types == {DASHBOARD, ALARM, COMPOSITE}
    assert_registers_its_plan(recording, metrics, "cloud")
    assert not [r for r in recording.children_of("golden") if r.type.startswith("kubernetes:")]
    # The dimensions are the ids of the split's Lattice service and the Mesh's target groups.
    mesh_groups = {r.urn for r in recording.children_of("use1") if "targetGroup" in r.type}
    service = recording.by_name("web-use1-lattice-service").urn
    alarm = next(r for r in recording.by_type(ALARM) if "/shop/web/" in r.inputs["name"])
    assert service in alarm.dependencies
    backend = next(r for r in recording.by_type(ALARM) if "/shop/web-v2/" in r.inputs["name"])
    assert set(backend.dependencies) & mesh_groups
    composite = recording.by_type(COMPOSITE)[0]
    assert set(composite.dependencies) <= {r.urn for r in recording.by_type(ALARM)}


def test_vpc_lattice_outputs_and_alarm_actions() -> None:
    made: dict[str, Any] = {}
    seen: dict[str, Any] = {}
    arn = "arn:aws:sns:us-east-1:123456789012:pager"

    def program() -> None:
        lattice_program(made, alarm_actions={"page": [arn]})()
        metrics = made["metrics"]
        pulumi.Output.all(metrics.dashboard_name, metrics.alarm_names).apply(
            lambda values: seen.update(names=values)
        )

    recording = run_program(program)
    board, alarms = seen["names"]
    assert board == "shop-golden-signals"
    expected = sorted(
        r.inputs.get("name") or r.inputs["alarmName"]
        for r in recording.resources
        if r.type in (ALARM, COMPOSITE)
    )
    assert sorted(alarms) == expected
    pages = [r for r in recording.by_type(COMPOSITE) if "alarmActions" in r.inputs]
    assert pages and all(r.inputs["alarmActions"] == [arn] for r in pages)


def test_vpc_lattice_refuses_objects_no_component_registered(tmp_path: Path) -> None:
    """Alarms on a Lattice service nobody created would never see a datapoint."""
    split = tmp_path / "split.yaml"
    split.write_text(
        "apiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\n"
        "metadata: {name: web, namespace: shop, annotations: {smi.pulumi.com/slo-success-rate: "
        '"99%"}}\nspec: {service: web, backends: [{service: web-v1, weight: 1}]}\n'
    )
    with pytest.raises(smi.SmiValidationError, match="create the components of these SMI"):
        run_program(lattice_program({}, register_split=False, files=[str(split)]))


def _urns(kind: str) -> list[str]:
    return sorted(r.urn for r in run_program(prometheus_program(kind, {})).resources)


def test_urns_are_stable_across_runs() -> None:
    first = _urns("istio")
    assert first == _urns("istio")
    lattice = sorted(r.urn for r in run_program(lattice_program({})).resources)
    assert lattice == sorted(r.urn for r in run_program(lattice_program({})).resources)
    pinned = sorted(u.rsplit("::", 1)[1] for u in first if "TrafficMetrics$" in u)
    assert pinned == ["golden-monitoring-golden", "golden-monitoring-golden-dashboard"]


@pytest.mark.parametrize("kind", ["gateway-api", "smi"])
def test_a_mesh_without_metrics_is_refused_before_anything_is_registered(kind: str) -> None:
    registered: list[str] = []

    def program() -> None:
        mesh = smi.Mesh("gw", kind, options={"policy": "istio"} if kind == "gateway-api" else None)
        try:
            smi.TrafficMetrics("golden", mesh=mesh)
        finally:
            registered.append("attempted")

    with pytest.raises(smi.SmiError) as failed:
        run_program(program)
    message = str(failed.value)
    assert message.startswith("smi:index:TrafficMetrics golden: mesh gw: ")
    assert kind in message and "metrics" in message


def test_a_provider_of_another_package_is_refused() -> None:
    def appmesh_without_cluster() -> None:
        mesh = smi.Mesh(
            "dc1", "appmesh", provider=aws.Provider("cloud"), options={"mesh_name": "shop"}
        )
        smi.TrafficMetrics("golden", mesh=mesh)

    with pytest.raises(smi.SmiValidationError, match=r"provider: .*give provider= the kubernetes"):
        run_program(appmesh_without_cluster)

    def consul_config_entries() -> None:
        consul_provider = consul.Provider("consul", address="consul:8500")
        mesh = smi.Mesh("dc1", "consul", provider=consul_provider, options={"mode": "config-entry"})
        smi.TrafficMetrics("golden", mesh=mesh, provider=aws.Provider("cloud"))

    with pytest.raises(smi.SmiValidationError, match="expected a kubernetes provider"):
        run_program(consul_config_entries)


def test_wrong_arguments_are_located() -> None:
    def program() -> None:
        mesh = smi.Mesh("dc1", "istio")
        smi.TrafficMetrics("golden", mesh=mesh, files="rules.yaml", dashboard="yes")  # type: ignore[arg-type]

    with pytest.raises(smi.SmiValidationError) as failed:
        run_program(program)
    text = str(failed.value)
    assert "smi:index:TrafficMetrics golden: files: expected" in text
    assert "smi:index:TrafficMetrics golden: dashboard: expected bool" in text

    def actions_on_istio() -> None:
        mesh = smi.Mesh("dc1", "istio")
        smi.TrafficMetrics("golden", mesh=mesh, alarm_actions={"page": ["arn:aws:sns:x"]})

    with pytest.raises(smi.SmiValidationError, match="alarm_actions: alarm_actions are CloudWatch"):
        run_program(actions_on_istio)


def test_bad_kubernetes_names_are_located_at_their_arguments() -> None:
    def program() -> None:
        smi.TrafficMetrics("Golden Signals", mesh=smi.Mesh("dc1", "istio"), namespace="Mon")

    with pytest.raises(smi.SmiValidationError) as failed:
        run_program(program)
    problems = failed.value.problems
    assert [(p.source, p.path) for p in problems] == [
        ("smi:index:TrafficMetrics Golden Signals", "object_name"),
        ("smi:index:TrafficMetrics Golden Signals", "namespace"),
    ]
