"""`make demo`: the hybrid estate rendered offline, and every bundled example checked.

1. `pulumi-smi render examples/04-hybrid-onprem-aws -o table`: the program run under the SDK's
   mocks with its `dev` stack config, printed per mesh (resources and the traffic share of every
   backend), then again with `awsShare=50` to show a weight move between on-prem and AWS; the
   resources of each mesh are written under `out/04-hybrid-onprem-aws/<mesh>.yaml`.
2. `pulumi-smi convert` of examples/manifests/bookinfo for every target, into
   `out/convert/<target>.yaml` (or the located error a target gives, which is the behaviour).
3. `pulumi-smi render` of the other example programs: one line each.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from pulumi_smi import SmiError
from pulumi_smi.meshes import TARGETS, MeshKind, translate
from pulumi_smi.plan import dump_yaml
from pulumi_smi.project import format_rendering, load_project, run_project
from pulumi_smi.review.table import mesh_of
from pulumi_smi.spec import load_files

EXAMPLES = Path(__file__).parent
ROOT = EXAMPLES.parent
OUT = ROOT / "out"
HYBRID = EXAMPLES / "04-hybrid-onprem-aws"
DEMO_OPTIONS = {
    MeshKind.VPC_LATTICE: {"vpc_id": "vpc-0123456789abcdef0", "eks_cluster_name": "prod-eks"}
}
BOOKINFO = sorted((EXAMPLES / "manifests" / "bookinfo").glob("*.yaml"))


def heading(title: str) -> None:
    print(f"\n{'=' * 100}\n{title}\n{'=' * 100}")


def hybrid() -> None:
    for overrides in ((), ("awsShare=50",)):
        flags = "".join(f" -c {o}" for o in overrides)
        heading(f"pulumi-smi render examples/04-hybrid-onprem-aws{flags} -o table")
        rendering = run_project(load_project(HYBRID, None, overrides))
        sys.stdout.write(format_rendering(rendering, "table"))
    write_meshes(rendering.resources)


def write_meshes(resources: list[dict[str, Any]]) -> None:
    """Each mesh's resources as a YAML stream (Kubernetes objects as manifests)."""
    meshes = [r["name"] for r in resources if r["type"] == "smi:index:Mesh"]
    components = {r["name"] for r in resources if r["type"].startswith("smi:index:")}
    by_mesh: dict[str, list[Any]] = defaultdict(list)
    for resource in resources:
        if resource["type"].startswith(("smi:", "pulumi:")):
            continue
        mesh = mesh_of(resource, meshes, components) or "other"
        is_manifest = resource["type"].startswith("kubernetes:")
        by_mesh[mesh].append(
            resource["properties"]
            if is_manifest
            else {k: resource[k] for k in ("type", "name", "properties")}
        )
    directory = OUT / HYBRID.name
    directory.mkdir(parents=True, exist_ok=True)
    for mesh, documents in sorted(by_mesh.items()):
        path = directory / f"{mesh}.yaml"
        path.write_text(dump_yaml(documents), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({len(documents)} resources)")


def convert_everywhere() -> None:
    heading("pulumi-smi convert --mesh TARGET examples/manifests/bookinfo/*.yaml")
    specs = load_files([os.path.relpath(p) for p in BOOKINFO])
    directory = OUT / "convert"
    directory.mkdir(parents=True, exist_ok=True)
    for kind in MeshKind:
        if kind not in TARGETS:
            print(f"{kind.value:12} not supported yet")
            continue
        try:
            plan = translate(specs, kind, DEMO_OPTIONS.get(kind))
        except SmiError as exc:  # valid SMI this mesh cannot express: say why, go on
            first, *rest = str(exc).splitlines()
            more = f" (+{len(rest)} more)" if rest else ""
            print(f"{kind.value:12} refused: {first}{more}")
            continue
        path = directory / f"{kind.value}.yaml"
        path.write_text(plan.to_yaml(), encoding="utf-8")
        print(
            f"{kind.value:12} {len(plan):3} resources, {len(plan.warnings)} warnings -> "
            f"{path.relative_to(ROOT)}"
        )


def render_examples() -> None:
    heading("pulumi-smi render examples/<each> (offline, under mocks)")
    for project in sorted(p.parent for p in EXAMPLES.glob("*/Pulumi.yaml")):
        runtime = yaml.safe_load((project / "Pulumi.yaml").read_text())["runtime"]
        runtime = runtime["name"] if isinstance(runtime, dict) else runtime
        if runtime != "python":  # the other languages need the Pulumi CLI: not rendered here
            print(f"{project.name:24} runtime {runtime}: needs the Pulumi CLI (not rendered)")
            continue
        rendering = run_project(load_project(project, None, ()))
        custom = [r for r in rendering.resources if not r["type"].startswith(("smi:", "pulumi:"))]
        meshes = sum(r["type"] == "smi:index:Mesh" for r in rendering.resources)
        print(
            f"{project.name:24} {meshes} meshes, {len(custom):3} resources, "
            f"{len(rendering.warnings)} warnings"
        )


if __name__ == "__main__":
    hybrid()
    convert_everywhere()
    render_examples()
