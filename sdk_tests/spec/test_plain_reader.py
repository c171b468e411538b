"""The YAML reader's plain path builds exactly what the guarded path builds.

A stream without anchors has its documents built straight from their nodes (the plain
path); every other stream, and every document with a problem, takes the guarded path. Both
must give the same documents, and the same problems, for every input: the repository's YAML,
generated estates and hostile snippets.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from pulumi_smi.errors import SmiValidationError
from pulumi_smi.spec.yaml_reader import _read_documents, read_documents

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    p
    for folder in ("sdk_tests/data", "examples")
    for p in (ROOT / folder).rglob("*")
    if p.suffix in (".yaml", ".yml")
)
SNIPPETS = [
    "a: 1\na: 2\n",
    "a:\n  b: 1\n  b: {c: 1, c: 2}\n",
    "80: http\nyes: 1\n? [a]\n: 2\n",
    "x: !foo 1\n",
    "x: !!binary aGVsbG8=\nt: 2001-12-14\nf: 1.5\nn: ~\nb: true\ni: 0x1f\n",
    "i: 99999999999999999999999999999\nd: 2001-13-40\n",
    "a: 1\nb: 2001-13-40\na: 2\n",
    "- [1, 2, {a: b}]\n- {}\n- []\n- ''\n",
    "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
    "a: &x [1, 2]\nb: *x\n",
    "--- \n...\n---\nkind: Service\n",
    "!!map {a: 1}\n",
    "!!omap [a: 1]\n",
    "a: " + "[" * 3000 + "]" * 3000 + "\n",
    "a: b: c\n",
    "\t- x\n",
]


def _outcome(text: str, plain: bool) -> Any:
    """What reading gives: the documents, or the problems (``plain``: as
    :func:`read_documents` chooses; else the guarded path only)."""
    try:
        if plain:
            return read_documents(text, "<test>")
        return _read_documents(text, "<test>", False)
    except SmiValidationError as exc:
        return [str(p) for p in exc.problems]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_repository_yaml(path: Path) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        pytest.skip("not UTF-8: the loader refuses it before reading YAML")
    assert _outcome(text, True) == _outcome(text, False)


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippets(text: str) -> None:
    assert _outcome(text, True) == _outcome(text, False)


def test_generated_estate() -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from bench.estate import text
    finally:
        sys.path.remove(str(ROOT))
    stream = text(40)
    assert "&" not in stream
    assert _outcome(stream, True) == _outcome(stream, False)
