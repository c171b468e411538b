"""``pulumi-smi convert --metrics``: the rules file on stdout, the CLI's exit codes and its
located problems."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from pulumi_smi.cli import main

ESTATE = Path(__file__).parent / "estate.yaml"


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["convert", "--metrics", *argv], stdout=out)
    return code, out.getvalue()


@pytest.mark.parametrize("mesh", ["istio", "linkerd", "consul", "appmesh"])
def test_one_rules_document_with_groups(mesh: str) -> None:
    code, text = _run("--mesh", mesh, str(ESTATE))
    assert code == 0
    documents = list(yaml.safe_load_all(text))
    assert len(documents) == 1 and list(documents[0]) == ["groups"]
    names = [g["name"] for g in documents[0]["groups"]]
    assert names[:3] == [f"smi-{mesh}-edges", f"smi-{mesh}-services", f"smi-{mesh}-slo"]
    assert len(names) > 3  # and the SLO alerts


def test_json_is_the_same_document() -> None:
    code, text = _run("--mesh", "consul", "-o", "json", "--set", "enterprise=true", str(ESTATE))
    assert code == 0
    _, as_yaml = _run("--mesh", "consul", "--set", "enterprise=true", str(ESTATE))
    assert json.loads(text) == yaml.safe_load(as_yaml)


def test_two_runs_are_byte_identical() -> None:
    assert _run("--mesh", "linkerd", str(ESTATE)) == _run("--mesh", "linkerd", str(ESTATE))


def test_mesh_name_names_the_app_mesh_clusters() -> None:
    code, text = _run("--mesh", "appmesh", "--mesh-name", "prod", str(ESTATE))
    assert code == 0 and "cds_egress_prod_" in text


@pytest.mark.parametrize("mesh", ["gateway-api", "smi"])
def test_meshes_without_prometheus_metrics_exit_2(
    mesh: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("--mesh", mesh, str(ESTATE)) == (2, "")
    err = capsys.readouterr().err
    assert err.startswith("pulumi-smi: error: no Prometheus recording rules for --mesh")
    assert "--mesh istio" in err


def test_a_bad_objective_gives_located_problems_and_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        ESTATE.read_text().replace('"99% < 100ms"', '"99% < 250ms"').replace('"99.5%"', '"150%"')
    )
    assert _run("--mesh", "linkerd", str(bad)) == (2, "")
    lines = capsys.readouterr().err.splitlines()
    assert lines and all(line.startswith(f"{bad}: document ") for line in lines)
    assert any(
        "(Service/productpage): metadata.annotations.smi.pulumi.com/slo-success-rate" in line
        for line in lines
    )


def test_a_threshold_the_mesh_cannot_measure_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(ESTATE.read_text().replace('"99% < 100ms"', '"99% < 250ms"'))
    assert _run("--mesh", "linkerd", str(bad)) == (2, "")
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"{bad}: document 8 (TrafficSplit/reviews): ")
    assert "metadata.annotations.smi.pulumi.com/slo-latency: Linkerd's default latency" in line
    assert _run("--mesh", "istio", str(bad))[0] == 0  # Envoy has a 250 ms bucket


def test_bad_options_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("--mesh", "consul", "--set", "nonsense=1", str(ESTATE)) == (2, "")
    assert "nonsense" in capsys.readouterr().err


def test_vpc_lattice_prints_the_cloudwatch_plan() -> None:
    code, text = _run("--mesh", "vpc-lattice", "--set", "vpc_id=vpc-0123456789abcdef0", str(ESTATE))
    assert code == 0
    types = {d["type"] for d in yaml.safe_load_all(text)}
    assert "aws:cloudwatch/dashboard:Dashboard" in types
    code, text = _run(
        "--mesh", "vpc-lattice", "-o", "json", "--set", "vpc_id=vpc-0123456789abcdef0", str(ESTATE)
    )
    assert code == 0 and set(json.loads(text)) == {"resources", "warnings"}
