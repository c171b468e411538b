"""``pulumi-smi render``: a Pulumi program run offline, every resource with parent and provider."""

from __future__ import annotations

import io
import json
import os
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


# --- the review table -------------------------------------------------------------------------


def test_table_shows_the_canary_shares_per_mesh_from_the_virtualservice() -> None:
    code, out = render(str(CANARY), "-o", "table")
    assert code == 0
    section = out.split("\n\n")[0].splitlines()
    assert section[0] == "mesh onprem: istio, provider onprem (kubernetes)"
    assert "    VirtualService networking.istio.io/v1     reviews-routing-onprem-" in "\n".join(
        section
    )
    traffic = section[section.index("  traffic") + 1 :]
    assert [line.split() for line in traffic] == [
        ["bookinfo/reviews"],
        ["x-beta=true", "bookinfo/reviews-v3", "100.00%"],
        ["default", "bookinfo/reviews-v1", "90.00%"],
        ["bookinfo/reviews-v2", "10.00%"],
    ]
    assert render(str(CANARY), "-o", "table")[1] == out


def test_table_of_a_preview_keeps_unknown_target_groups_unknown() -> None:
    code, out = render(str(MIGRATION), "-o", "table", "--preview")
    assert code == 0
    lattice = next(s for s in out.split("\n\n") if s.startswith("mesh lattice:"))
    assert [line.split() for line in lattice.splitlines()[-3:]] == [
        ["reviews-bookinfo", "port", "9080"],
        ["default", "(unknown", "#1)", "90.00%"],
        ["(unknown", "#2)", "10.00%"],
    ]
    rendered = render(str(MIGRATION), "-o", "table")[1]
    assert "reviews-v1-bookinfo-9080    90.00%" in rendered  # the mock ids resolve
    listener = next(
        r
        for r in json.loads(render(str(MIGRATION), "--preview")[1])["resources"]
        if r["type"] == "aws:vpclattice/listener:Listener"
    )
    groups = listener["properties"]["defaultAction"]["forwards"][0]["targetGroups"]
    assert [g["targetGroupIdentifier"] for g in groups] == [None, None]  # not invented


def test_table_is_for_render_only(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    code = main(["convert", "--mesh", "smi", "-o", "table", "x.yaml"], stdout=out)
    assert (code, out.getvalue()) == (2, "")
    assert "invalid choice: 'table'" in capsys.readouterr().err


# --- stack configuration ----------------------------------------------------------------------

PROGRAM = """\
import pulumi
import pulumi_smi as smi

config = pulumi.Config()
mesh = smi.Mesh("dc1", kind="smi")
smi.TrafficSplit(
    "web",
    namespace=config.get("namespace") or "default",
    service="web",
    meshes=mesh,
    backends=[smi.Backend("web-v1", config.get_int("v1") or 1), smi.Backend("web-v2", 1)],
)
if config.get("readSecret"):
    config.require_secret("token")
print("the program printed this")
"""


def project(tmp_path: Path, *stacks: str, program: str = PROGRAM) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(
        "name: shop\nruntime: python\nconfig:\n  namespace: {type: string, default: base}\n"
    )
    (tmp_path / "__main__.py").write_text(program)
    for stack in stacks:
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(
            f"config:\n  shop:v1: {len(stack)}\n  namespace: {stack}\n"
            "  token:\n    secure: AAABAHx3ciphertext\n"
        )
    return tmp_path


def split_of(out: str) -> tuple[str, list[int]]:
    (child,) = [r for r in json.loads(out)["resources"] if r["name"] == "web-dc1-trafficsplit"]
    spec = child["properties"]
    return spec["metadata"]["namespace"], [b["weight"] for b in spec["spec"]["backends"]]


def test_the_only_stack_file_configures_the_program(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = render(str(project(tmp_path, "staging")))
    assert code == 0
    assert split_of(out) == ("staging", [7, 1])  # namespaced and bare keys alike
    assert "the program printed this" in capsys.readouterr().err  # stdout is the rendering's


def test_overrides_come_last_and_a_bare_key_is_the_projects(tmp_path: Path) -> None:
    code, out = render(str(project(tmp_path, "dev")), "-c", "v1=5", "-c", "shop:namespace=x")
    assert code == 0
    assert split_of(out) == ("x", [5, 1])


def test_with_several_stack_files_stack_chooses_and_none_means_no_stack_config(
    tmp_path: Path,
) -> None:
    directory = str(project(tmp_path, "dev", "production"))
    assert split_of(render(directory)[1]) == ("base", [1, 1])  # Pulumi.yaml's default only
    assert split_of(render(directory, "--stack", "production")[1]) == ("production", [10, 1])
    assert split_of(render(directory, "--stack", "acme/shop/dev")[1]) == ("dev", [3, 1])


def test_an_unknown_stack_is_an_error_listing_the_stacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = render(str(project(tmp_path, "dev")), "--stack", "prod")
    assert (code, out) == (2, "")
    assert "no Pulumi.prod.yaml for stack 'prod' (stacks: dev)" in capsys.readouterr().err


def test_reading_an_encrypted_value_is_an_error_naming_the_key_and_the_way_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = str(project(tmp_path, "dev"))
    code, out = render(directory, "-c", "readSecret=yes")
    assert (code, out) == (2, "")
    err = capsys.readouterr().err
    assert "__main__.py:14: config 'shop:token' is encrypted in Pulumi.dev.yaml (secure:)" in err
    assert "pass its value with -c shop:token=VALUE" in err
    assert render(directory, "-c", "readSecret=yes", "-c", "token=t0k3n")[0] == 0


def test_the_configuration_is_set_for_the_run_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pulumi.runtime import config as runtime_config

    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"shop:v1": "42"}))
    before = runtime_config.CONFIG.get()
    code, out = render(str(project(tmp_path)))
    assert code == 0
    assert split_of(out) == ("base", [1, 1])  # the caller's PULUMI_CONFIG does not leak in
    assert runtime_config.CONFIG.get() is before
    assert json.loads(os.environ["PULUMI_CONFIG"]) == {"shop:v1": "42"}


# --- a failing program ------------------------------------------------------------------------


def test_a_failing_program_shows_its_own_frames_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "helpers.py").write_text("def weight():\n    return int('ninety')\n")
    program = "import helpers\n\nweights = [helpers.weight()]\n"
    code, out = render(str(project(tmp_path, program=program)))
    assert (code, out) == (1, "")
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0] == "Traceback (most recent call last; the program's frames):"
    assert f'  File "{tmp_path / "__main__.py"}", line 3, in <module>' in lines
    assert f'  File "{tmp_path / "helpers.py"}", line 2, in weight' in lines
    assert lines[-1] == "ValueError: invalid literal for int() with base 10: 'ninety'"
    assert "runpy" not in err and "pulumi_smi" not in err


def test_a_missing_required_config_value_says_how_to_give_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = "import pulumi\n\npulumi.Config().require('vpcId')\n"
    code, _ = render(str(project(tmp_path, program=program)))
    assert code == 1
    err = capsys.readouterr().err
    assert "Missing required configuration variable 'shop:vpcId'" in err
    assert err.endswith("give it in Pulumi.<stack>.yaml or with -c shop:vpcId=VALUE\n")


def test_a_program_failing_inside_an_apply_exits_1_with_its_frame(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = (
        "import pulumi_kubernetes as k8s\n\n"
        "def check(urn):\n    raise RuntimeError('no cluster ' + urn.rsplit('::', 1)[1])\n\n"
        "k8s.Provider('east', context='east').urn.apply(check)\n"
    )
    code, out = render(str(project(tmp_path, program=program)))
    assert (code, out) == (1, "")
    lines = capsys.readouterr().err.splitlines()
    assert f'  File "{tmp_path / "__main__.py"}", line 4, in check' in lines
    assert lines[-1] == "RuntimeError: no cluster east"
