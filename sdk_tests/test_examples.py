"""Every example program (and the repository root's Pulumi.yaml) renders under the harness.

In preview and update mode: every Kubernetes object it registers validates against its CRD
schema, and every resource of a mesh is created with an explicit provider of its package —
never the ambient default cluster, Consul agent or AWS account.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from schema_check import validate_manifests

from pulumi_smi.project import render_project

ROOT = Path(__file__).parents[1]


def _python(project: Path) -> bool:
    runtime = yaml.safe_load((project / "Pulumi.yaml").read_text())["runtime"]
    return (runtime["name"] if isinstance(runtime, dict) else runtime) == "python"


PROJECTS = sorted(
    [p.parent for p in (ROOT / "examples").glob("*/Pulumi.yaml") if _python(p.parent)] + [ROOT],
    key=lambda p: str(p),
)
"""The Python programs (the TypeScript and YAML ones: sdk_tests/test_language_examples.py)."""
HYBRID = ROOT / "examples" / "04-hybrid-onprem-aws"


def render(project: Path, preview: bool) -> list[dict[str, Any]]:
    document = json.loads(render_project(project, preview=preview))
    resources: list[dict[str, Any]] = document["resources"]
    return resources


def test_every_example_has_a_readme() -> None:
    for project in PROJECTS:
        if project != ROOT:
            assert (project / "README.md").is_file(), project


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name or "root")
def test_example_renders_valid_objects_each_on_its_mesh_provider(
    project: Path, preview: bool
) -> None:
    resources = render(project, preview)
    assert resources
    providers = {
        r["name"]: r["type"] for r in resources if r["type"].startswith("pulumi:providers:")
    }
    kubernetes = []
    for resource in resources:
        package = resource["type"].split(":")[0]
        if package in ("smi", "pulumi"):
            continue
        assert resource["provider"] in providers, (resource["name"], resource["provider"])
        assert providers[resource["provider"]] == f"pulumi:providers:{package}", resource["name"]
        if package == "kubernetes":
            kubernetes.append(_known(resource["properties"]) if preview else resource["properties"])
    validate_manifests(kubernetes)


def _known(value: Any) -> Any:
    """``value`` with the unknowns of a preview (rendered as null) as a string: they are
    strings in these programs (hosts, ids, ARNs), checked for real in update mode."""
    if value is None:
        return "unknown-in-preview"
    if isinstance(value, dict):
        return {k: _known(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_known(v) for v in value]
    return value


def test_the_root_project_reads_the_stack_config_of_the_example() -> None:
    """Pulumi.yaml's stackConfigDir: the root reads examples/04's Pulumi.dev.yaml (awsShare 10;
    without it the program sends nothing to AWS)."""
    (service,) = [r for r in render(ROOT, False) if r["properties"].get("kind") == "VirtualService"]
    weights = [d["weight"] for d in service["properties"]["spec"]["http"][0]["route"]]
    assert weights == [10, 90]  # reviews-aws (the AWS stand-in), reviews-v1: sorted
