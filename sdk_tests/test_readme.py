"""The README's Python examples run as written (components under the mocks harness)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from pulumi_smi.testing import run_program

ROOT = Path(__file__).parents[1]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.DOTALL)


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block-{i}" for i in range(len(BLOCKS))])
def test_readme_block_runs(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {}
    if "smi.Mesh(" in block and "def test_" not in block:
        run_program(lambda: exec(block, namespace))
    else:
        exec(block, namespace)
    for name, value in namespace.items():
        if name.startswith("test_") and callable(value):
            value()
    assert os.getcwd() == str(ROOT)


def test_the_quick_start_shows_what_the_hybrid_render_prints() -> None:
    from pulumi_smi.project import render_project

    quick_start = (ROOT / "README.md").read_text().split("## Quick start", 1)[1]
    shown = re.search(r"```text\n(.*?)```", quick_start, flags=re.DOTALL)
    assert shown is not None
    table = render_project(ROOT / "examples" / "04-hybrid-onprem-aws", output="table")
    lines = [line for line in shown.group(1).splitlines() if line.strip() not in ("", "...")]
    assert len(lines) > 10
    missing = [line for line in lines if line not in table.splitlines()]
    assert not missing, missing
