"""Run ``promtool check rules`` / ``promtool test rules`` on files written to a tmp dir.

promtool is the Debian package ``prometheus`` (.ci/run installs it). Without it a test is
skipped locally, and fails in CI (``CI`` set), where it must be installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml


def promtool() -> str:
    """The promtool executable: skip (locally) or fail (in CI) without it."""
    found = shutil.which("promtool")
    if found is None:
        message = "promtool is not installed (Debian package 'prometheus')"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, but CI must have it: .ci/run installs it")
        pytest.skip(message)
    return found


def _run(*args: str) -> str:
    done = subprocess.run([promtool(), *args], capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"promtool {' '.join(args)} failed:\n{output}"
    return output


def check_rules(tmp_path: Path, files: dict[str, dict[str, Any]]) -> str:
    """``promtool check rules`` on every rules file (name -> document) at once."""
    paths = []
    for name, document in sorted(files.items()):
        path = tmp_path / f"{name}.rules.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        paths.append(str(path))
    return _run("check", "rules", *paths)


def unit_test_rules(tmp_path: Path, rules: dict[str, Any], tests: list[dict[str, Any]]) -> str:
    """``promtool test rules`` on every unit-test file of ``tests`` in one run; their
    ``rule_files`` are set to the written ``rules``."""
    rules_path = tmp_path / "rules.yaml"
    rules_path.write_text(yaml.safe_dump(rules, sort_keys=False))
    paths = []
    for index, test in enumerate(tests):
        path = tmp_path / f"test-{index}.yaml"
        path.write_text(yaml.safe_dump({"rule_files": [rules_path.name], **test}, sort_keys=False))
        paths.append(str(path))
    return _run("test", "rules", *paths)
