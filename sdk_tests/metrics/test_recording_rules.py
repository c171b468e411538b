"""The recording rules: valid for promtool on every mesh, the contract's names and labels, the
objectives a mesh can measure (and the located refusal of one it cannot), Linkerd's workload
attribution, Consul's and App Mesh's naming, and the PromQL builders."""

from __future__ import annotations

import os
import re
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from promtool import check_rules

from pulumi_smi.errors import SmiError, SmiValidationError
from pulumi_smi.metrics import contract
from pulumi_smi.metrics.linkerd import attribution
from pulumi_smi.metrics.promql import le_regex, number, selector, string
from pulumi_smi.metrics.rules import recording_groups, rules_file
from pulumi_smi.spec.loader import load_files
from pulumi_smi.spec.specset import SpecSet

ESTATE = Path(__file__).parent / "estate.yaml"
PROMETHEUS = ("istio", "linkerd", "consul", "appmesh")


def _specs(tmp_path: Path, text: str | None = None) -> SpecSet:
    if text is None:
        return load_files([str(ESTATE)])
    path = tmp_path / "estate.yaml"
    path.write_text(text)
    return load_files([str(path)])


def test_promtool_is_there_in_ci() -> None:
    if os.environ.get("CI"):
        assert shutil.which("promtool"), "CI must install promtool (.ci/run: package prometheus)"


def test_promtool_accepts_every_meshs_rules_file(tmp_path: Path) -> None:
    specs = _specs(tmp_path)
    files = {mesh: rules_file(specs, mesh) for mesh in PROMETHEUS}
    files["consul-enterprise"] = rules_file(specs, "consul", {"enterprise": True})
    output = check_rules(tmp_path, files)
    assert output.count("SUCCESS") == len(files)


@pytest.mark.parametrize("mesh", PROMETHEUS)
def test_the_contract_series_and_nothing_else(mesh: str) -> None:
    groups = recording_groups(load_files([str(ESTATE)]), mesh)
    assert [g["name"] for g in groups] == [f"smi-{mesh}-{k}" for k in ("edges", "services", "slo")]
    edges, services, slo = ([r["record"] for r in g["rules"]] for g in groups)
    assert edges == [contract.series("smi_edge", s) for s in contract.SERIES]
    assert services == [contract.series("smi", s) for s in contract.SERIES]
    expected = []
    for window in contract.SLO_WINDOWS:
        expected += [contract.slo_series(s, window) for s in contract.SLO_SIGNALS]
    assert slo == expected
    for group, labels in ((groups[0], contract.EDGE_LABELS), (groups[1], contract.SERVICE_LABELS)):
        requests = group["rules"][0]["expr"]
        assert requests.startswith(f"sum by ({', '.join(labels)}) (")
    slow = [r for r in groups[2]["rules"] if ":slow:" in r["record"]]
    assert {r["labels"]["threshold_seconds"] for r in slow} == {"0.1"}


def test_only_services_with_an_objective_get_slo_series() -> None:
    groups = recording_groups(load_files([str(ESTATE)]), "istio")
    slo = {r["record"]: r["expr"] for r in groups[2]["rules"] if r["record"].endswith("rate1h")}
    requests = slo[contract.slo_series("requests", "1h")]
    assert {"reviews-v1", "reviews-v2", "productpage"} == set(
        re.findall(r'destination_service_name="([^"]+)"', requests)
    )
    # productpage has a success objective only: no slow series for it
    assert "productpage" not in slo[contract.slo_series("slow", "1h")]


def test_the_rules_are_byte_identical_on_a_rerun() -> None:
    first = yaml.safe_dump(rules_file(load_files([str(ESTATE)]), "linkerd"), sort_keys=False)
    again = yaml.safe_dump(rules_file(load_files([str(ESTATE)]), "linkerd"), sort_keys=False)
    assert first == again


def test_istio_reads_the_destination_reporter_only() -> None:
    for group in recording_groups(load_files([str(ESTATE)]), "istio"):
        for rule in group["rules"]:
            if "istio_" in rule["expr"]:
                assert 'reporter="source"' not in rule["expr"]
                assert rule["expr"].count("istio_") == rule["expr"].count('reporter="destination"')


def _with_latency(text: str, latency: str) -> str:
    return text.replace('"99% < 100ms"', f'"{latency}"')


@pytest.mark.parametrize(
    ("mesh", "latency", "boundaries"),
    [
        ("linkerd", "99% < 250ms", "1, 2, 3, 4, 5, 10, 20"),
        ("istio", "99% < 200ms", "0.5, 1, 5, 10, 25, 50, 100, 250"),
        ("appmesh", "99.9% < 0.3s", "0.5, 1, 5, 10, 25"),
    ],
)
def test_a_threshold_without_a_bucket_is_refused_where_it_is_written(
    tmp_path: Path, mesh: str, latency: str, boundaries: str
) -> None:
    text = _with_latency(ESTATE.read_text(), latency)
    text = text.replace(  # a second object with the same problem: both are reported
        'annotations: {smi.pulumi.com/slo-success-rate: "99.5%"}',
        f'annotations: {{smi.pulumi.com/slo-latency: "{latency}"}}',
    )
    with pytest.raises(SmiValidationError) as caught:
        recording_groups(_specs(tmp_path, text), mesh)
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 2
    for problem in problems:
        assert problem.startswith(f"{tmp_path / 'estate.yaml'}: document ")
        assert "metadata.annotations.smi.pulumi.com/slo-latency" in problem
        assert "no bucket at" in problem and boundaries in problem
    assert "(TrafficSplit/reviews)" in problems[1] or "(TrafficSplit/reviews)" in problems[0]
    assert any("(Service/productpage)" in p for p in problems)


@pytest.mark.parametrize(("mesh", "latency"), [("istio", "99% < 250ms"), ("linkerd", "99% < 0.2s")])
def test_a_threshold_at_a_bucket_is_measured(tmp_path: Path, mesh: str, latency: str) -> None:
    groups = recording_groups(_specs(tmp_path, _with_latency(ESTATE.read_text(), latency)), mesh)
    slow = [r for r in groups[-1]["rules"] if ":slow:" in r["record"]]
    threshold = latency.split("< ")[1]
    expected = "0.25" if threshold == "250ms" else "0.2"
    assert {r["labels"]["threshold_seconds"] for r in slow} == {expected}


@pytest.mark.parametrize("mesh", ["gateway-api", "smi", "vpc-lattice"])
def test_meshes_without_prometheus_metrics_are_refused(mesh: str) -> None:
    with pytest.raises(SmiError, match=r"supported: istio, linkerd, consul, appmesh") as caught:
        recording_groups(load_files([str(ESTATE)]), mesh)
    assert "--mesh istio" in str(caught.value) or "CloudWatch" in str(caught.value)


LINKERD_ESTATE = """
apiVersion: v1
kind: Service
metadata: {name: ratings, namespace: shop}
spec: {selector: {app: ratings}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: ratings-legacy, namespace: shop}
spec: {selector: {app: ratings}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ratings-db, namespace: shop}
spec:
  selector: {matchLabels: {app: ratings}}
  template: {metadata: {labels: {app: ratings}}, spec: {containers: [{name: c, image: x}]}}
"""


def test_linkerd_counts_a_workload_for_every_service_but_a_split_apex(tmp_path: Path) -> None:
    text = ESTATE.read_text() + "---" + LINKERD_ESTATE
    found = {k: [w.name for w in v] for k, v in attribution(_specs(tmp_path, text)).items()}
    assert found == {
        ("shop", "productpage"): ["productpage-web"],
        ("shop", "ratings"): ["ratings-db"],  # behind two Services: counts for both
        ("shop", "ratings-legacy"): ["ratings-db"],
        ("shop", "reviews-v1"): ["reviews-v1-app"],  # the apex reviews selects it too, but
        ("shop", "reviews-v2"): ["reviews-v2-app"],  # the split sent it to the backend
    }
    services = recording_groups(_specs(tmp_path, text), "linkerd")[1]["rules"][0]["expr"]
    assert 'statefulset=~"ratings\\\\-db"' in services
    assert services.count('"service", "ratings-legacy"') == 1


def test_linkerd_an_apex_alone_counts_its_workloads(tmp_path: Path) -> None:
    text = ESTATE.read_text().replace(
        "backends: [{service: reviews-v1, weight: 90}, ", "backends: ["
    )
    text = text.replace("{service: reviews-v2, weight: 10}", "{service: reviews, weight: 10}")
    found = attribution(_specs(tmp_path, text))
    assert [w.name for w in found[("shop", "reviews")]] == ["reviews-v1-app", "reviews-v2-app"]


def test_open_source_consul_refuses_a_name_in_two_namespaces(tmp_path: Path) -> None:
    text = ESTATE.read_text() + (
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: reviews-v1, namespace: other}\n"
        "spec: {selector: {app: x}, ports: [{port: 80}]}\n"
    )
    with pytest.raises(SmiValidationError, match="enterprise=true") as caught:
        recording_groups(_specs(tmp_path, text), "consul")
    assert "(Service/reviews-v1)" in str(caught.value)
    recording_groups(_specs(tmp_path, text), "consul", {"enterprise": True})  # namespaces: fine


def test_appmesh_names_its_clusters_after_the_mesh_and_virtual_nodes() -> None:
    groups = recording_groups(load_files([str(ESTATE)]), "appmesh", {"mesh_name": "prod.mesh"})
    expr = groups[1]["rules"][0]["expr"]
    assert 'envoy_cluster_name=~"cds_egress_prod\\\\.mesh_([^_]+)_([^_]+)_' in expr
    slo = groups[2]["rules"][0]["expr"]
    assert "cds_egress_prod\\\\.mesh_reviews\\\\-v1_shop_" in slo


def test_promql_strings_are_escaped() -> None:
    assert string('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    assert selector("m", [("service", "=", 'x"} or vector(1) #')]) == (
        'm{service="x\\"} or vector(1) #"}'
    )
    with pytest.raises(ValueError, match="label name"):
        selector("m", [("bad-label", "=", "x")])


def test_bucket_boundaries_match_every_spelling() -> None:
    pattern = re.compile(f"^(?:{le_regex(Fraction(1800000))})$")
    assert all(pattern.match(s) for s in ("1800000", "1800000.0", "1.8e+06"))
    assert not pattern.match("180000")
    half = re.compile(f"^(?:{le_regex(Fraction(1, 2))})$")
    assert half.match("0.5") and not half.match("0.50x")
    assert number(Fraction(1, 1000)) == "0.001" and number(Fraction(99, 100)) == "0.99"
