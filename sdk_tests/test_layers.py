"""The import rules of DESIGN.md, enforced: pure layers never import Pulumi, and no target
imports another target (what two targets share lives in shared modules under ``meshes/``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pulumi_smi"
TARGETS = {"smi", "istio", "linkerd", "consul", "gateway_api", "appmesh", "vpc_lattice"}
"""The target modules/packages under ``meshes/`` (one per ``--mesh`` value)."""
PURE = ("spec", "meshes", "metrics", "review", "plan.py", "errors.py")


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


SHELL = ("pulumi_smi.components", "pulumi_smi.multilang", "pulumi_smi.testing")
"""The Pulumi shell: the components, their multi-language surface, the mocks harness."""


@pytest.mark.parametrize("path", _files(*PURE), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pure_layers_never_import_the_pulumi_shell(path: Path) -> None:
    shell = sorted(m for m in _imports(path) if m.startswith(SHELL))
    assert not shell, f"{path.relative_to(PACKAGE)} imports {shell}"


@pytest.mark.parametrize("path", _files("components"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_python_components_never_import_the_multilanguage_surface(path: Path) -> None:
    """``pulumi_smi.multilang`` builds on the Python components, never the reverse: the
    Python API does not change for the other languages."""
    found = sorted(m for m in _imports(path) if m.startswith("pulumi_smi.multilang"))
    assert not found, f"{path.relative_to(PACKAGE)} imports {found}"


def test_the_command_line_loads_pulumi_only_for_the_commands_that_need_it() -> None:
    """``convert`` and ``diff`` start without Pulumi: ``cli.py`` imports the shell (``render``,
    ``schema``) inside the functions that need it, never at the top of the module."""
    tree = ast.parse((PACKAGE / "cli.py").read_text())
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = {a.name for n in top for a in n.names} | {
        n.module or "" for n in top if isinstance(n, ast.ImportFrom)
    }
    assert not {n for n in names if n.split(".")[0] in _PULUMI_PACKAGES}
    assert not {n for n in names if n.lstrip(".").startswith(("project", "multilang"))}
    assert "pulumi_smi.multilang.schema" in _imports(PACKAGE / "cli.py")


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
