"""``pulumi-smi render``: a Pulumi program run offline, every resource with parent and provider."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from pulumi_smi.cli import main

QUICKSTART = Path(__file__).parents[1] / "examples" / "00-smi-quickstart"


def render(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["render", *args], stdout=out), out.getvalue()


def test_render_shows_components_children_parents_and_providers() -> None:
    code, out = render(str(QUICKSTART))
    assert code == 0
    document = json.loads(out)
    resources = {r["name"]: r for r in document["resources"]}
    assert all(
        set(r) == {"type", "name", "properties", "dependsOn", "parent", "provider"}
        for r in resources.values()
    )
    assert resources["ratings"]["type"] == "smi:index:TrafficSplit"
    assert resources["ratings"]["parent"] is None
    for mesh in ("dc1", "dc2"):
        child = resources[f"ratings-{mesh}-trafficsplit"]
        assert child["type"] == "kubernetes:split.smi-spec.io/v1alpha4:TrafficSplit"
        assert child["parent"] == "ratings"
        assert child["provider"] == mesh
        assert child["properties"]["spec"]["backends"][1] == {"service": "ratings-v2", "weight": 10}
    legacy = [r for r in resources.values() if r["parent"] == "legacy"]
    assert len(legacy) == 8
    assert {r["provider"] for r in legacy} == {"dc1"}
    assert any("ConfigMap/reviews-config" in w for w in document["warnings"])


def test_render_is_deterministic_in_both_modes() -> None:
    assert render(str(QUICKSTART))[1] == render(str(QUICKSTART))[1]
    code, preview = render(str(QUICKSTART), "--preview")
    assert code == 0
    assert {r["name"] for r in json.loads(preview)["resources"]} == {
        r["name"] for r in json.loads(render(str(QUICKSTART))[1])["resources"]
    }


def test_render_of_a_directory_without_a_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = render(str(tmp_path))
    assert (code, out) == (2, "")
    assert "not a Pulumi project (no Pulumi.yaml)" in capsys.readouterr().err


def test_render_of_a_program_with_invalid_intent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: bad\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi_smi as smi\n"
        "mesh = smi.Mesh('dc1', kind='smi')\n"
        "smi.TrafficSplit('web', service='Web', meshes=mesh, backends=[smi.Backend('a', 1)])\n"
    )
    code, out = render(str(tmp_path))
    assert (code, out) == (2, "")
    assert (
        "smi:index:TrafficSplit web: (TrafficSplit/web): spec.service:" in capsys.readouterr().err
    )


CANARY = Path(__file__).parents[1] / "examples" / "01-canary-istio"


def test_canary_istio_example_registers_routes_policies_and_shared_resources() -> None:
    code, out = render(str(CANARY))
    assert code == 0
    resources = {r["name"]: r for r in json.loads(out)["resources"]}
    (vs,) = [r for r in resources.values() if r["type"].endswith(":VirtualService")]
    assert vs["parent"] == "reviews-routing" and vs["provider"] == "onprem"
    http = vs["properties"]["spec"]["http"]
    assert [route["name"] for route in http] == ["reviews-beta", "reviews-canary"]
    assert [d["weight"] for d in http[1]["route"]] == [90, 10]
    policy = resources["productpage-reads-reviews-onprem-authorizationpolicy"]
    assert policy["parent"] == "productpage-reads-reviews"
    assert policy["properties"]["spec"]["selector"] == {"matchLabels": {"app": "reviews"}}
    shared = {
        r["properties"]["metadata"]["name"]: r
        for r in resources.values()
        if r["parent"] == "onprem" and r["type"].startswith("kubernetes:")
    }
    assert set(shared) == {"smi-default-deny", "reviews-strict-mtls"}
    assert all(r["provider"] == "onprem" for r in shared.values())


AB_LINKERD = Path(__file__).parents[1] / "examples" / "02-ab-linkerd"


def test_ab_linkerd_example_registers_the_route_servers_and_probe_access() -> None:
    code, out = render(str(AB_LINKERD))
    assert code == 0
    resources = [r for r in json.loads(out)["resources"] if r["type"].startswith("kubernetes:")]
    by_kind_name = {
        (r["properties"]["kind"], r["properties"]["metadata"]["name"]): r for r in resources
    }
    route = by_kind_name[("HTTPRoute", "checkout-80")]
    assert route["parent"] == "checkout-ab"
    assert route["properties"]["spec"]["parentRefs"][0]["name"] == "checkout"
    assert {(k, n) for (k, n), r in by_kind_name.items() if r["parent"] == "edge"} == {
        ("Server", "checkout-8080"),
        ("Server", "checkout-9102"),
        ("HTTPRoute", "checkout-8080-probes"),
        ("AuthorizationPolicy", "checkout-8080-probes"),
        ("NetworkAuthentication", "smi-probe-networks"),
    }
    probes = by_kind_name[("HTTPRoute", "checkout-8080-probes")]["properties"]["spec"]
    paths = {m["path"]["value"] for rule in probes["rules"] for m in rule["matches"]}
    assert paths == {"/healthz", "/ready"}  # read from the Deployments' probes


CONSUL = Path(__file__).parents[1] / "examples" / "03-consul-vm-and-k8s"


def test_consul_example_writes_crds_in_the_cluster_and_config_entries_on_the_vms() -> None:
    code, out = render(str(CONSUL))
    assert code == 0
    resources = json.loads(out)["resources"]
    crds = [r for r in resources if r["type"].startswith("kubernetes:consul.hashicorp.com/")]
    entries = [r for r in resources if r["type"] == "consul:index/configEntry:ConfigEntry"]
    assert {r["provider"] for r in crds} == {"onprem-k8s"}
    assert {r["provider"] for r in entries} == {"dc-vm"}
    # one writer per entry: no Consul name is written by both meshes
    crd_names = {(r["properties"]["kind"], r["properties"]["metadata"]["name"]) for r in crds}
    assert ("ServiceSplitter", "cart") in crd_names
    splitter = next(r for r in entries if r["properties"]["kind"] == "service-splitter")
    splits = json.loads(splitter["properties"]["configJson"])["Splits"]
    assert sorted(s["Weight"] for s in splits) == [6.74, 10.34, 82.92]


MIGRATION = Path(__file__).parents[1] / "examples" / "05-appmesh-to-lattice"


def test_migration_example_renders_typed_app_mesh_and_lattice_resources() -> None:
    code, out = render(str(MIGRATION))
    assert code == 0
    document = json.loads(out)
    aws = [r for r in document["resources"] if r["type"].startswith("aws:")]
    kinds = {r["type"] for r in aws}
    assert {
        "aws:appmesh/route:Route",
        "aws:appmesh/virtualRouter:VirtualRouter",
        "aws:vpclattice/listener:Listener",
        "aws:vpclattice/authPolicy:AuthPolicy",
    } <= kinds
    assert {r["provider"] for r in aws} == {"use1"}
    route = next(r for r in aws if r["type"] == "aws:appmesh/route:Route")
    targets = route["properties"]["spec"]["httpRoute"]["action"]["weightedTargets"]
    assert sorted(t["weight"] for t in targets) == [10, 90]
    listener = next(r for r in aws if r["type"] == "aws:vpclattice/listener:Listener")
    forwarded = listener["properties"]["defaultAction"]["forwards"][0]["targetGroups"]
    assert sorted(t["weight"] for t in forwarded) == [10, 90]
    assert any("2026-09-30" in w and "vpc-lattice" in w for w in document["warnings"])
