"""The import rules of DESIGN.md, enforced: pure layers never import Pulumi, and no target
imports another target (what two targets share lives in shared modules under ``meshes/``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pulumi_smi"
TARGETS = {"smi", "istio", "linkerd", "consul", "gateway_api", "appmesh", "vpc_lattice"}
"""The target modules/packages under ``meshes/`` (one per ``--mesh`` value)."""
PURE = ("spec", "meshes", "review", "plan.py", "errors.py")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(), str(path))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _files(*roots: str) -> list[Path]:
    files: list[Path] = []
    for root in roots:
        path = PACKAGE / root
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def _target_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 3 and parts[:2] == ["pulumi_smi", "meshes"] and parts[2] in TARGETS:
        return parts[2]
    return None


@pytest.mark.parametrize("path", _files(*PURE), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pure_layers_never_import_pulumi(path: Path) -> None:
    pulumi = sorted(m for m in _imports(path) if m.split(".")[0] in _PULUMI_PACKAGES)
    assert not pulumi, f"{path.relative_to(PACKAGE)} imports {pulumi}"


_PULUMI_PACKAGES = {"pulumi", "pulumi_kubernetes", "pulumi_aws", "pulumi_consul"}


@pytest.mark.parametrize("path", _files("meshes"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_target_imports_another_and_shared_code_imports_no_target(path: Path) -> None:
    module = _module_name(path)
    if module == "pulumi_smi.meshes":
        return  # the registry of targets
    mine = _target_of(module)
    imported = {_target_of(m) for m in _imports(path)} - {None, mine}
    what = f"target {mine}" if mine else "shared module"
    assert not imported, f"{what} {module} imports target(s) {sorted(map(str, imported))}"


def test_the_rules_see_real_imports() -> None:
    """The checks above would pass vacuously if import resolution were wrong."""
    assert "pulumi_smi.meshes.gamma" in _imports(PACKAGE / "meshes/linkerd/__init__.py")
    assert "pulumi_smi.meshes.istio_policy" in _imports(PACKAGE / "meshes/istio/__init__.py")
    assert _target_of("pulumi_smi.meshes.istio.routes") == "istio"
    assert "pulumi" in _imports(PACKAGE / "components/base.py")
    assert {p.name for p in (PACKAGE / "meshes").iterdir() if p.is_dir()} - {"__pycache__"} >= {
        t for t in TARGETS if t != "smi"
    }


RULE_READERS = {"pulumi_smi.meshes.access_model", "pulumi_smi.meshes.smi"}
"""The access model reads TrafficTarget rules for every target; ``smi`` re-emits them as is."""


def _reads_rules(path: Path) -> bool:
    tree = ast.parse(path.read_text(), str(path))
    return any(
        isinstance(node, ast.Attribute)
        and node.attr == "rules"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "spec"
        for node in ast.walk(tree)
    )


@pytest.mark.parametrize("path", _files("meshes"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_target_walks_traffic_target_rules_itself(path: Path) -> None:
    if _module_name(path) not in RULE_READERS:
        assert not _reads_rules(path), f"{path.relative_to(PACKAGE)} reads target.spec.rules"


def test_the_rule_check_sees_rule_reads() -> None:
    assert _reads_rules(PACKAGE / "meshes/access_model.py")
