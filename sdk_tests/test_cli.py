"""The command line contract of ``pulumi-smi convert`` (see ../shared/DESIGN.md)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from pulumi_smi.cli import main

ROOT = Path(__file__).parents[1]
BOOKINFO = sorted(str(p) for p in (ROOT / "examples" / "manifests" / "bookinfo").glob("*.yaml"))


def convert(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["convert", *args], stdout=out)
    return code, out.getvalue()


def test_json_output_is_one_object_with_resources_and_warnings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = convert("--mesh", "smi", "-o", "json", *BOOKINFO)
    assert code == 0
    document = json.loads(out)
    assert set(document) == {"resources", "warnings"}
    for resource in document["resources"]:
        assert set(resource) == {"type", "name", "properties", "dependsOn"}
        assert resource["type"].startswith("kubernetes:")
    assert len(document["resources"]) == 8
    stderr = capsys.readouterr().err
    assert all(f"warning: {w}" in stderr for w in document["warnings"])


def test_yaml_output_is_an_applyable_stream() -> None:
    code, out = convert("--mesh", "smi", *BOOKINFO)
    assert code == 0
    manifests = list(yaml.safe_load_all(out))
    assert {m["kind"] for m in manifests} == {
        "TrafficSplit",
        "HTTPRouteGroup",
        "TCPRoute",
        "TrafficTarget",
    }
    assert all(set(m) == {"apiVersion", "kind", "metadata", "spec"} for m in manifests)


def test_output_is_byte_identical_across_runs_and_file_orders() -> None:
    runs = {
        convert("--mesh", "smi", "-o", "json", *files)[1] for files in (BOOKINFO, BOOKINFO[::-1])
    }
    assert len(runs) == 1


def test_mesh_name_and_set_reach_the_target_options() -> None:
    code, _ = convert("--mesh", "smi", "--mesh-name", "prod", *BOOKINFO)
    assert code == 0
    code, _ = convert("--mesh", "smi", "--set", "mesh_name=prod", *BOOKINFO)
    assert code == 0


def test_stdin_is_read_for_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(Path(BOOKINFO[0]).read_text()))
    code, out = convert("--mesh", "smi", "-o", "json", "-")
    assert code == 0
    assert json.loads(out)["resources"]


def test_console_script_and_module_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pulumi_smi", "convert", "--mesh", "smi", "-o", "json", *BOOKINFO],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["resources"]) == 8


def test_usage_errors_return_2_without_raising(capsys: pytest.CaptureFixture[str]) -> None:
    assert convert("--mesh", "nginx", BOOKINFO[0]) == (2, "")
    assert "invalid choice: 'nginx'" in capsys.readouterr().err
    assert main(["convert", "--mesh", "smi"]) == 2


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"pulumi-smi {metadata.version('pulumi-smi')}"
