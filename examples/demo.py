"""`make demo`: the bundled examples, converted for every target that exists so far.

1. `pulumi-smi convert` on examples/manifests/bookinfo (SMI of mixed versions plus
   Kubernetes Services, ServiceAccounts and workloads), once per target.
2. `pulumi-smi render` on the example Pulumi projects: each program run offline under
   mocks, shown as the tree `pulumi preview` would show.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from pulumi_smi import SmiError
from pulumi_smi.meshes import TARGETS, MeshKind, translate
from pulumi_smi.project import render_project
from pulumi_smi.spec import load_files

EXAMPLES = Path(__file__).parent
DEMO_OPTIONS = {
    MeshKind.VPC_LATTICE: {"vpc_id": "vpc-0123456789abcdef0", "eks_cluster_name": "prod-eks"}
}
BOOKINFO = sorted((EXAMPLES / "manifests" / "bookinfo").glob("*.yaml"))


def rule(title: str) -> None:
    print(f"\n{'=' * 100}\n{title}\n{'=' * 100}")


def convert_everywhere() -> None:
    specs = load_files(BOOKINFO)
    for kind in MeshKind:
        if kind not in TARGETS:
            print(f"\n# --mesh {kind.value}: not supported yet")
            continue
        try:
            plan = translate(specs, kind, DEMO_OPTIONS.get(kind))
        except SmiError as exc:  # valid SMI this mesh cannot express: say why, go on
            print(f"\n# --mesh {kind.value}: {exc}")
            continue
        files = " ".join(str(p.relative_to(EXAMPLES.parent)) for p in BOOKINFO)
        rule(f"pulumi-smi convert --mesh {kind.value} {files}   ({len(plan)} resources)")
        sys.stdout.write(plan.to_yaml())
        for warning in plan.warnings:
            print(f"# warning: {warning}")


PROJECTS = (
    "00-smi-quickstart",
    "01-canary-istio",
    "02-ab-linkerd",
    "03-consul-vm-and-k8s",
    "05-appmesh-to-lattice",
)


def render(name: str) -> None:
    project = EXAMPLES / name
    rule(f"pulumi-smi render {project.relative_to(EXAMPLES.parent)}   (offline, under mocks)")
    document = json.loads(render_project(project))
    children: dict[str | None, list[dict[str, str]]] = defaultdict(list)
    for resource in document["resources"]:
        children[resource["parent"]].append(resource)

    def show(parent: str | None, depth: int) -> None:
        for resource in children[parent]:
            provider = f"  [provider: {resource['provider']}]" if resource["provider"] else ""
            print(f"{'  ' * depth}{resource['type']}  {resource['name']}{provider}")
            if resource["type"].startswith("smi:index:"):
                show(resource["name"], depth + 1)

    show(None, 0)
    for warning in document["warnings"]:
        print(f"# warning: {warning}")


if __name__ == "__main__":
    convert_everywhere()
    for name in PROJECTS:
        render(name)
