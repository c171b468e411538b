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


def test_reviewing_changes_shows_what_diff_prints(tmp_path: Path) -> None:
    import io

    from pulumi_smi.cli import main
    from pulumi_smi.project import render_project

    section = (ROOT / "README.md").read_text().split("## Reviewing changes", 1)[1]
    section = section.split("\n## ", 1)[0]
    text = re.search(r"```text\n(.*?)```", section, flags=re.DOTALL)
    markdown = re.search(r"```markdown\n(.*?)```", section, flags=re.DOTALL)
    assert text is not None and markdown is not None
    hybrid = ROOT / "examples" / "04-hybrid-onprem-aws"
    for name, share in (("old.json", 10), ("new.json", 50)):
        (tmp_path / name).write_text(render_project(hybrid, config=[f"awsShare={share}"]))
    printed = {}
    for output in ("text", "markdown"):
        out = io.StringIO()
        args = [str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--max-shift", "20"]
        assert main(["diff", *args, "-o", output], out) == 1
        printed[output] = out.getvalue().splitlines()
    for output, shown in (("text", text), ("markdown", markdown)):
        lines = [line for line in shown.group(1).splitlines() if line.strip() not in ("", "...")]
        assert len(lines) > 3
        missing = [line for line in lines if line not in printed[output]]
        assert not missing, missing


def test_reviewing_changes_shows_what_an_access_change_prints(tmp_path: Path) -> None:
    import io

    from pulumi_smi.cli import main
    from pulumi_smi.project import render_project

    section = (ROOT / "README.md").read_text().split("## Reviewing changes", 1)[1]
    block = section.split("```text\n# reviewsReaders=productpage,ratings\n", 1)[1]
    block = block.split("```", 1)[0]
    hybrid = ROOT / "examples" / "04-hybrid-onprem-aws"
    (tmp_path / "old.json").write_text(render_project(hybrid))
    readers = ["reviewsReaders=productpage,ratings"]
    (tmp_path / "new.json").write_text(render_project(hybrid, config=readers))
    out = io.StringIO()
    args = [str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--deny-access-widening"]
    assert main(["diff", *args], out) == 1
    lines = [line for line in block.splitlines() if line.strip()]
    assert len(lines) == 7
    missing = [line for line in lines if line not in out.getvalue().splitlines()]
    assert not missing, missing
