"""The distributions as published: `python -m build` of a copy of the repository, once per session.

The editable install of the dev venv reads the source tree, so it hides package data missing
from the wheel (pulumi-plugin.json above all: without it the Python language host looks for a
provider plugin named after the package). These tests read the built sdist and wheel themselves.
`make package-check` (run by .ci/run) installs the wheel into a fresh venv.
"""

from __future__ import annotations

import configparser
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from email.message import Message
from email.parser import Parser
from importlib import metadata
from pathlib import Path

import pytest

import pulumi_smi
from pulumi_smi.cli import main

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pulumi_smi"
# Not copied: what a clean checkout does not have (caches, venvs, build output).
_NOT_SOURCE = {".git", ".venv", "venv", "__pycache__", ".mypy_cache", ".pytest_cache"}
_NOT_SOURCE |= {".ruff_cache", ".hypothesis"}
_NOT_SOURCE_AT_ROOT = {"build", "dist", "out"}


@dataclass(frozen=True)
class Built:
    wheel: Path
    sdist: Path
    log: str

    def wheel_names(self) -> set[str]:
        with zipfile.ZipFile(self.wheel) as archive:
            return set(archive.namelist())

    def wheel_text(self, name: str) -> str:
        with zipfile.ZipFile(self.wheel) as archive:
            return archive.read(name).decode("utf-8")

    def dist_info(self) -> str:
        version = self.wheel.name.split("-")[1]
        return f"pulumi_smi-{version}.dist-info"

    def wheel_metadata(self) -> Message:
        return Parser().parsestr(self.wheel_text(f"{self.dist_info()}/METADATA"))

    def sdist_names(self) -> set[str]:
        with tarfile.open(self.sdist) as archive:
            return set(archive.getnames())

    def sdist_text(self, name: str) -> str:
        with tarfile.open(self.sdist) as archive:
            member = archive.extractfile(name)
            assert member is not None, name
            return io.TextIOWrapper(member, encoding="utf-8").read()


def _ignore(directory: str, names: list[str]) -> set[str]:
    ignored = {n for n in names if n in _NOT_SOURCE or n.endswith((".egg-info", ".pyc"))}
    if Path(directory).resolve() == ROOT:
        ignored |= _NOT_SOURCE_AT_ROOT & set(names)
    return ignored


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """sdist, then the wheel built from that sdist (as `make dist` does), in an isolated env."""
    source = tmp_path_factory.mktemp("source") / "pulumi-smi"
    shutil.copytree(ROOT, source, ignore=_ignore)
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in out.iterdir())
    return Built(wheel=wheels[0], sdist=sdists[0], log=log)


def _package_files(suffix: str | None) -> list[str]:
    """Source files of the package, relative to the repository (``.py`` or every other kind)."""
    files = []
    for path in sorted(PACKAGE.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        if (path.suffix == ".py") == (suffix == ".py"):
            files.append(path.relative_to(ROOT).as_posix())
    return files


def test_the_version_is_written_once_and_everything_agrees(
    built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    version = pulumi_smi.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.dev\d+)?", version), version
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"pulumi-smi {version}\n"
    assert built.wheel.name == f"pulumi_smi-{version}-py3-none-any.whl"
    assert built.sdist.name == f"pulumi_smi-{version}.tar.gz"
    assert built.wheel_metadata()["Version"] == version
    sdist_info = Parser().parsestr(built.sdist_text(f"pulumi_smi-{version}/PKG-INFO"))
    assert sdist_info["Version"] == version
    # the dev venv's editable install: stale when the version moved without a reinstall
    assert metadata.version("pulumi-smi") == version, "reinstall: .venv/bin/pip install -e .[dev]"
    tomllib = pytest.importorskip("tomllib")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"]
    assert pyproject["project"]["dynamic"] == ["version"]
    read_from = pyproject["tool"]["setuptools"]["dynamic"]["version"]
    assert read_from == {"attr": "pulumi_smi.__version__"}


def test_the_wheel_tells_the_language_host_there_is_no_provider_plugin(built: Built) -> None:
    assert json.loads(built.wheel_text("pulumi_smi/pulumi-plugin.json")) == {"resource": False}
    assert built.wheel_text("pulumi_smi/py.typed") == ""


def test_the_wheel_holds_every_module_and_data_file_and_nothing_else(built: Built) -> None:
    names = built.wheel_names()
    modules = _package_files(".py")
    data = _package_files(None)
    assert "pulumi_smi/__init__.py" in modules and "pulumi_smi/cli.py" in modules
    assert {"pulumi_smi/pulumi-plugin.json", "pulumi_smi/py.typed"} <= set(data)
    assert sorted(set(modules) - names) == []
    assert sorted(set(data) - names) == []
    dist_info = built.dist_info()
    outside = sorted(n for n in names if not n.startswith(("pulumi_smi/", f"{dist_info}/")))
    assert outside == []
    assert sorted(n for n in names if n.startswith("pulumi_smi/")) == sorted(modules + data)


def test_the_wheel_installs_the_pulumi_smi_command(built: Built) -> None:
    entry_points = configparser.ConfigParser()
    entry_points.read_string(built.wheel_text(f"{built.dist_info()}/entry_points.txt"))
    assert dict(entry_points["console_scripts"]) == {"pulumi-smi": "pulumi_smi.cli:main"}
    wheel = Parser().parsestr(built.wheel_text(f"{built.dist_info()}/WHEEL"))
    assert wheel["Root-Is-Purelib"] == "true"
    assert wheel.get_all("Tag") == ["py3-none-any"]


def test_the_license_is_an_spdx_expression_with_its_file(built: Built) -> None:
    info = built.wheel_metadata()
    assert tuple(map(int, info["Metadata-Version"].split("."))) >= (2, 4)  # License-Expression
    assert info["License-Expression"] == "Apache-2.0"
    assert info.get_all("License-File") == ["LICENSE"]
    assert info["License"] is None
    assert [c for c in info.get_all("Classifier") or [] if c.startswith("License ::")] == []
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    assert built.wheel_text(f"{built.dist_info()}/licenses/LICENSE") == license_text


def test_the_metadata_describes_the_project(built: Built) -> None:
    info = built.wheel_metadata()
    assert info["Name"] == "pulumi-smi"
    assert info["Requires-Python"] == ">=3.10"
    assert info["Description-Content-Type"] == "text/markdown"
    assert info.get_payload() == (ROOT / "README.md").read_text(encoding="utf-8")
    requires = info.get_all("Requires-Dist") or []
    for dependency in ("pulumi", "pulumi-kubernetes", "pulumi-aws", "pydantic", "PyYAML"):
        assert any(re.match(rf"{dependency}[<>]", r) for r in requires), dependency
    assert {"consul", "policy", "dev"} <= set(info.get_all("Provides-Extra") or [])
    assert not info.get_all("Project-URL")  # no address is known yet: none is invented
    assert "Topic :: System :: Systems Administration" in (info.get_all("Classifier") or [])
    assert "pulumi" in (info["Keywords"] or "").split(",")


def test_the_sdist_holds_what_a_build_needs(built: Built) -> None:
    top = f"pulumi_smi-{pulumi_smi.__version__}"
    names = built.sdist_names()
    for needed in ("pyproject.toml", "README.md", "LICENSE", "PKG-INFO"):
        assert f"{top}/{needed}" in names
    sources = {f"{top}/{f}" for f in _package_files(".py") + _package_files(None)}
    assert sorted(sources - names) == []
    assert [n for n in names if "__pycache__" in n or n.endswith(".pyc") or "/.venv" in n] == []
    pkg_info = Parser().parsestr(built.sdist_text(f"{top}/PKG-INFO"))
    assert pkg_info["License-Expression"] == "Apache-2.0"


def test_the_build_gives_no_deprecation_warning(built: Built) -> None:
    """setuptools >= 77 warns about a license table, license classifiers, and the like."""
    warned = [
        line
        for line in built.log.splitlines()
        if re.search(r"deprecated|DeprecationWarning|will be removed", line, re.IGNORECASE)
    ]
    assert warned == []
    assert "Successfully built" in built.log
