"""``pulumi-smi render``: run a Pulumi program offline under mocks and print what it registers.

No Pulumi CLI, engine, credentials or cluster: the program runs against
:mod:`pulumi_smi.testing`'s recording mocks, so reviewers see every resource,
its parent and its explicit provider, components included.
"""

from __future__ import annotations

import json
import logging
import os
import runpy
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from .errors import SmiError, printable
from .plan import dump_yaml
from .testing import RecordedResource, run_program


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _inside(project: Path) -> Iterator[_Collect]:
    """Run with the project as working directory and import root; collect warnings."""
    cwd, path = os.getcwd(), list(sys.path)
    collect = _Collect()
    root = logging.getLogger()
    root.addHandler(collect)
    os.chdir(project)
    sys.path.insert(0, str(project))
    try:
        yield collect
    finally:
        os.chdir(cwd)
        sys.path[:] = path
        root.removeHandler(collect)


def _entry_point(project: Path) -> Path:
    settings = project / "Pulumi.yaml"
    if not settings.is_file():
        raise SmiError(f"{project}: not a Pulumi project (no Pulumi.yaml)")
    try:
        config = yaml.safe_load(settings.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SmiError(f"{settings}: not valid YAML: {printable(exc)}") from None
    if not isinstance(config, dict):
        raise SmiError(f"{settings}: must be a mapping, got {type(config).__name__}")
    main = project / str(config.get("main") or ".")
    entry = main / "__main__.py" if main.is_dir() else main
    if not entry.is_file():
        raise SmiError(f"{project}: no program at {entry}")
    return entry


def _run_user_program(entry: Path) -> None:
    """Run the program; an exception it raises (not pulumi-smi's) is an :class:`SmiError`
    naming the program's file and line. One raised inside pulumi-smi is a bug: it stays."""
    try:
        runpy.run_path(str(entry), run_name="__main__")
    except SmiError:
        raise
    except Exception as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        if frames and Path(frames[-1].filename).resolve().is_relative_to(_PACKAGE):
            raise
        user = [f for f in frames if Path(f.filename).resolve().is_relative_to(entry.parent)]
        where = f"{user[-1].filename}:{user[-1].lineno}" if user else str(entry)
        raise SmiError(
            f"{where}: the program raised {type(exc).__name__}: {printable(exc)}"
        ) from None


_PACKAGE = Path(__file__).resolve().parent


def _describe(resource: RecordedResource, names: dict[str, str]) -> dict[str, Any]:
    return {
        "type": resource.type,
        "name": resource.name,
        "properties": resource.inputs,
        "dependsOn": [names.get(urn, urn) for urn in resource.dependencies],
        "parent": resource.parent_name,
        "provider": resource.provider_name,
    }


def render_project(project: str | Path, *, output: str = "json", preview: bool = False) -> str:
    """Every resource the program in ``project`` registers, as JSON or a YAML stream."""
    directory = Path(project).resolve()
    entry = _entry_point(directory)
    with _inside(directory) as warnings:
        recording = run_program(lambda: _run_user_program(entry), preview=preview)
    names = {r.urn: r.name for r in recording.resources}
    resources = [_describe(r, names) for r in recording.resources]
    if output == "yaml":
        return dump_yaml(resources)
    # Log messages arrive in asyncio scheduling order; sorted, the output is deterministic.
    document = {"resources": resources, "warnings": sorted(warnings.messages)}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
