"""TrafficMetrics constructed as another language constructs it registers what Python does.

The engine's ConstructRequest is replayed as in :mod:`test_construct` (camelCase inputs,
providers as resource references); the mesh and the TrafficSplits whose objectives are alerted
on are named by resource name. The ConfigMap has no CRD schema (``no_schema_check``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest
from pulumi.provider.server import ComponentInitError
from pulumi.runtime.sync_await import _sync_await
from test_construct import OtherLanguage

import pulumi_smi as smi
from pulumi_smi.testing import RecordedResource, run_program

pytestmark = pytest.mark.no_schema_check

CATALOGUE = """
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-v1, namespace: shop}
spec: {selector: {app: web, version: v1}, ports: [{name: http, port: 80}]}
"""
SLO = {"smi.pulumi.com/slo-success-rate": "99.5%"}


@pytest.fixture
def catalogue(tmp_path: Path) -> str:
    path = tmp_path / "catalogue.yaml"
    path.write_text(CATALOGUE)
    return str(path)


def python_program(kind: str, catalogue: str) -> Any:
    def program() -> None:
        cluster = k8s.Provider("cluster", kubeconfig="x")
        extra: dict[str, Any] = {}
        provider: Any = cluster
        options = None
        if kind == "appmesh":
            provider, options, extra = (
                aws.Provider("cloud"),
                {"mesh_name": "shop"},
                {"provider": cluster},
            )
        mesh = smi.Mesh(
            "dc1",
            kind,
            provider=provider,
            options=options,
            catalogue=smi.load_files([catalogue]).catalogue,
        )
        split = smi.TrafficSplit(
            "web",
            namespace="shop",
            service="web",
            meshes=mesh,
            backends=[smi.Backend("web-v1", 1)],
            annotations=SLO,
        )
        smi.TrafficMetrics("golden", mesh=mesh, components=[split], namespace="obs", **extra)

    return program


def multilang_program(kind: str, catalogue: str, other: OtherLanguage) -> Any:
    def program() -> None:
        cluster = k8s.Provider("cluster", kubeconfig="x")
        cluster_urn = _sync_await(cluster.urn.future())
        mesh_inputs: dict[str, Any] = {"kind": kind, "catalogueFiles": [catalogue]}
        metrics_inputs: dict[str, Any] = {"mesh": "dc1", "splits": ["web"], "namespace": "obs"}
        dependencies: dict[str, list[str]] = {}
        if kind == "appmesh":
            cloud = aws.Provider("cloud")
            mesh_inputs.update(awsProvider=other.reference(cloud), meshName="shop")
            metrics_inputs["kubernetesProvider"] = other.reference(cluster)
            dependencies = {"kubernetesProvider": [cluster_urn]}
        else:
            mesh_inputs["kubernetesProvider"] = other.reference(cluster)
        mesh = other.construct("dc1", "Mesh", mesh_inputs)
        split = other.construct(
            "web",
            "TrafficSplit",
            {
                "namespace": "shop",
                "service": "web",
                "meshes": ["dc1"],
                "backends": [{"service": "web-v1", "weight": 1.0}],
                "annotations": SLO,
            },
            depends_on=[mesh],
        )
        other.construct(
            "golden",
            "TrafficMetrics",
            metrics_inputs,
            property_dependencies=dependencies,
            depends_on=[mesh, split],
        )
        other.results["outputs"] = other.state("golden")

    return program


def _registered(resource: RecordedResource) -> tuple[Any, ...]:
    return (
        resource.type,
        resource.name,
        json.dumps(resource.inputs, sort_keys=True),
        resource.parent,
        resource.provider,
    )


@pytest.mark.parametrize("kind", ["istio", "appmesh"])
def test_construct_registers_what_the_python_api_registers(kind: str, catalogue: str) -> None:
    python = run_program(python_program(kind, catalogue))
    other = OtherLanguage()
    multilang = run_program(multilang_program(kind, catalogue, other))
    assert sorted(map(_registered, multilang.resources)) == sorted(
        map(_registered, python.resources)
    )
    children = multilang.children_of("golden")
    assert sorted(r.type for r in children) == [
        "kubernetes:core/v1:ConfigMap",
        "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
    ]
    assert {r.provider_name for r in children} == {"cluster"}
    rule = next(r for r in children if r.type.endswith("PrometheusRule"))
    alerts = [a for g in rule.inputs["spec"]["groups"] for a in g["rules"] if "alert" in a]
    assert {a["labels"]["traffic_split"] for a in alerts} == {"web"}
    outputs = other.results["outputs"]
    assert outputs["ruleName"] == outputs["dashboardName"] == "golden"
    assert outputs["alarmNames"] == []
    assert sorted(outputs["resourceNames"]) == sorted(r.name for r in children)
    assert sorted(outputs["urns"]) == sorted(r.urn for r in children)


def _fails(build: Any) -> BaseException:
    other = OtherLanguage()
    with pytest.raises(ComponentInitError) as failed:
        run_program(lambda: build(other))
    return failed.value.inner


def test_an_unknown_mesh_or_split_is_refused_saying_what_to_do(catalogue: str) -> None:
    def build(other: OtherLanguage) -> None:
        other.construct("dc1", "Mesh", {"kind": "istio", "catalogueFiles": [catalogue]})
        other.construct("golden", "TrafficMetrics", {"mesh": "dc2", "splits": ["web"]})

    text = str(_fails(build))
    assert "smi:index:TrafficMetrics golden: mesh: mesh 'dc2' is not known" in text
    assert "splits[0]: TrafficSplit 'web' is not known" in text


def test_a_mesh_without_metrics_is_refused() -> None:
    def build(other: OtherLanguage) -> None:
        other.construct("gw", "Mesh", {"kind": "gateway-api", "options": {"policy": "istio"}})
        other.construct("golden", "TrafficMetrics", {"mesh": "gw"})

    assert "smi:index:TrafficMetrics golden: mesh gw: " in str(_fails(build))
