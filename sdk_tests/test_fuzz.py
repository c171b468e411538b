"""Fuzzing: thousands of seeded mutations of the bundled and wild inputs, through the Python
API on every target and through the CLI for a sample.

What must hold for every input, valid or not:

- the Python API raises nothing but :class:`~pulumi_smi.SmiError`; every problem is one
  printable line, located at its source, of bounded length;
- no Python warning is emitted;
- each input takes bounded time (an exponential blow-up shows as seconds), and the run
  bounded memory;
- ``pulumi-smi convert`` exits 0 (JSON on stdout, only ``warning:`` lines on stderr) or 2
  (nothing on stdout, one located line per problem);
- the output is byte-identical whatever ``PYTHONHASHSEED`` is.

``FUZZ_INPUTS`` and ``FUZZ_SEED`` scale or move the run (``FUZZ_INPUTS=50000`` for a long one);
a failure names the seed and index that reproduce it. Translator crashes found and not yet
fixed are listed in ``KNOWN_CRASHES``, each with its reproducer, and expected to fail (strict):
fixing one turns its test red until it leaves the list.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
import tracemalloc
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fuzzing import ROOT, Mutator, alias_bomb, estates, wild_files

from pulumi_smi import SmiError, SmiValidationError, load_text, translate
from pulumi_smi.cli import main
from pulumi_smi.meshes import MeshKind

INPUTS = int(os.environ.get("FUZZ_INPUTS", "3000"))
SEED = int(os.environ.get("FUZZ_SEED", "20240611"))
CLI_EVERY = 15
"""One input in this many also goes through ``pulumi-smi convert`` (on one target)."""
SLOWEST_INPUT_S = 3.0
"""Every target together, for one input: far above the usual few milliseconds."""
MOST_MEMORY_MB = 400
OPTIONS: dict[str, dict[str, Any]] = {"vpc-lattice": {"vpc_id": "vpc-0123456789abcdef0"}}
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("istio", {"inexpressible": "narrow", "default_deny": False}),
    ("gateway-api", {"policy": "istio"}),
    ("gateway-api", {"policy": "linkerd", "inexpressible": "narrow"}),
    ("linkerd", {"route_api": "policy", "probe_routes": True}),
    ("consul", {"mode": "config-entry", "enterprise": True}),
    ("consul", {"inexpressible": "narrow"}),
    ("appmesh", {"inexpressible": "narrow"}),
    ("vpc-lattice", {"vpc_id": "vpc-0123456789abcdef0", "eks_cluster_name": "prod"}),
]
"""Option sets tried beside each target's defaults, one per input in turn."""

KNOWN_CRASHES: list[tuple[str, str, dict[str, Any], str, str]] = []
"""(id, mesh, options, signature, YAML) of translator crashes the fuzzer found, not fixed yet:
the fuzz loop counts an exception of that mesh matching the signature (``Type: message``, a
regex) as that crash, and fails on any other."""


def known_crash(mesh: str, exc: Exception) -> str | None:
    """The id of the known crash ``exc`` is, or None."""
    text = f"{type(exc).__name__}: {exc}"
    for crash_id, crash_mesh, _, signature, _ in KNOWN_CRASHES:
        if crash_mesh == mesh and re.fullmatch(signature, text):
            return crash_id
    return None


def inputs(count: int, seed: int) -> Iterator[tuple[int, str, str]]:
    """(index, seed estate, mutated text) for ``count`` inputs from ``seed``."""
    seeds = estates()
    rng = random.Random(seed)
    mutator = Mutator(rng)
    for index in range(count):
        name, text = rng.choice(seeds)
        for _ in range(rng.choice([1, 1, 1, 2])):
            text = mutator.mutate(text)
        yield index, name, text


def check_problems(error: SmiValidationError, source: str) -> None:
    for problem in error.problems:
        line = str(problem)
        assert line.isprintable(), line
        assert len(line) < 5000, line[:200]
        assert line.startswith(f"{source}: ") or line.startswith("options"), line


def run_api(
    text: str, source: str, variant: tuple[str, dict[str, Any]], known: Counter[str]
) -> None:
    """Load and translate ``text`` on every target; only SmiError may escape (and the
    :data:`KNOWN_CRASHES`, counted in ``known``)."""
    try:
        specs = load_text(text, source)
    except SmiValidationError as exc:
        check_problems(exc, source)
        return
    for mesh, options in [*((m.value, OPTIONS.get(m.value, {})) for m in MeshKind), variant]:
        try:
            plan = translate(specs, mesh, options)
        except SmiValidationError as exc:
            check_problems(exc, source)
            continue
        except Exception as exc:
            crash = known_crash(mesh, exc)
            if crash is None:
                raise
            known[crash] += 1
            continue
        json.loads(plan.to_json())
        plan.to_yaml()


def run_cli(path: Path, mesh: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    extra = ["--set", "vpc_id=vpc-0123456789abcdef0"] if mesh == "vpc-lattice" else []
    with contextlib.redirect_stderr(err):
        code = main(["convert", "--mesh", mesh, *extra, "-o", "json", str(path)], stdout=out)
    return code, out.getvalue(), err.getvalue()


def check_cli(path: Path, mesh: str) -> None:
    code, out, err = run_cli(path, mesh)
    lines = err.splitlines()
    assert all(line.isprintable() for line in lines), err
    if code == 0:
        assert isinstance(json.loads(out)["resources"], list)
        assert all(line.startswith("warning: ") for line in lines), err
    else:
        assert code == 2, err
        assert out == ""
        assert lines, "exit 2 without a message"
        assert all(line.startswith((f"{path}: ", "options: ")) for line in lines), err


@pytest.mark.no_schema_check  # thousands of plans: test_properties checks schemas of mutations
def test_mutations_give_a_plan_or_a_located_smi_error(tmp_path: Path) -> None:
    start, rss = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    path = tmp_path / "input.yaml"
    meshes = [m.value for m in MeshKind]
    slowest = (0.0, -1)
    known: Counter[str] = Counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for index, name, text in inputs(INPUTS, SEED):
            began = time.monotonic()
            where = f"FUZZ_SEED={SEED} input {index} (from {name})"
            try:
                run_api(text, "fuzz.yaml", VARIANTS[index % len(VARIANTS)], known)
                if index % CLI_EVERY == 0:
                    path.write_text(text, encoding="utf-8")
                    check_cli(path, meshes[(index // CLI_EVERY) % len(meshes)])
            except SmiError:
                raise
            except Exception as exc:
                raise AssertionError(f"{where}: {type(exc).__name__}: {exc}\n{text}") from exc
            took = time.monotonic() - began
            assert took < SLOWEST_INPUT_S, f"{where} took {took:.1f} s:\n{text[:2000]}"
            slowest = max(slowest, (took, index))
            assert not caught, f"{where}: Python warning {caught[0].message!r}\n{text}"
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
    assert grown_mb < MOST_MEMORY_MB
    print(
        f"fuzz: {INPUTS} inputs in {time.monotonic() - start:.1f} s, slowest {slowest[0]:.2f} s "
        f"(input {slowest[1]}), peak memory grew {grown_mb:.0f} MB, known crashes {dict(known)}"
    )


_DRIVER = """
import contextlib, hashlib, io, json, sys
from pulumi_smi.cli import main
digest = hashlib.sha256()
for path in sys.argv[1:]:
    for mesh in ("smi", "istio", "linkerd", "consul", "gateway-api", "appmesh", "vpc-lattice"):
        extra = ["--set", "vpc_id=vpc-0123456789abcdef0"] if mesh == "vpc-lattice" else []
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(["convert", "--mesh", mesh, *extra, "-o", "json", path], stdout=out)
        digest.update(json.dumps([path, mesh, code, out.getvalue(), err.getvalue()]).encode())
print(digest.hexdigest())
"""


def test_output_is_byte_identical_whatever_the_hash_seed(tmp_path: Path) -> None:
    files = []
    for index, _, text in inputs(60, SEED + 1):
        path = tmp_path / f"input-{index}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    files += [str(p) for p in wild_files()]
    digests = set()
    for hash_seed in ("0", "1", "4242"):
        done = subprocess.run(
            [sys.executable, "-c", _DRIVER, *files],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            timeout=300,
        )
        assert done.stderr == ""
        digests.add(done.stdout)
    assert len(digests) == 1


def test_an_alias_bomb_is_refused_fast_and_small(tmp_path: Path) -> None:
    bomb = alias_bomb(9)
    assert len(bomb) < 1100  # 10**9 strings when expanded
    tracemalloc.start()
    began = time.monotonic()
    with pytest.raises(SmiValidationError) as raised:
        load_text(bomb, "bomb.yaml")
    took = time.monotonic() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert took < 0.5
    assert peak < 20 * 2**20
    (problem,) = raised.value.problems
    assert str(problem).startswith("bomb.yaml: document 1: YAML aliases expand this document")
    assert "line 14, column 7 is used by 10 aliases" in problem.message  # where YAML has it
    assert "lol" not in str(problem)  # no value printed
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb, encoding="utf-8")
    code, out, err = run_cli(path, "smi")
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1


def test_a_few_aliases_and_merge_keys_are_fine() -> None:
    text = (
        "apiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\n"
        "metadata: &meta {name: reviews, namespace: shop}\n"
        "spec:\n  service: reviews\n  backends:\n"
        "  - &v1 {service: reviews-v1, weight: 1}\n"
        "  - {<<: *v1, service: reviews-v2}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata: &meta {name: reviews, namespace: shop}\n"
        "spec: {ports: [&port {port: 80, name: http}], selector: {app: x}}\n"
    )
    specs = load_text(text)
    assert specs.catalogue.service("shop", "reviews") is not None
    (split,) = specs.traffic_splits
    assert [b.weight for b in split.spec.backends] == [1, 1]


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    text = "apiVersion: v1\nkind: Service\nmetadata: &m {name: s, labels: *m}\n"
    with pytest.raises(SmiValidationError) as raised:
        load_text(text, "loop.yaml")
    (problem,) = raised.value.problems
    assert "refers to its own anchor" in problem.message


@pytest.mark.parametrize(
    ("mesh", "options", "text"),
    [pytest.param(m, o, t, id=i) for i, m, o, _, t in KNOWN_CRASHES]
    or [pytest.param("smi", {}, "", id="none", marks=pytest.mark.skip(reason="no known crash"))],
)
@pytest.mark.xfail(strict=True, reason="BUG: a translator crash the fuzzer found")
@pytest.mark.no_schema_check
def test_known_translator_crashes(mesh: str, options: dict[str, Any], text: str) -> None:
    specs = load_text(text, "crash.yaml")
    with contextlib.suppress(SmiError):
        translate(specs, mesh, options)


@pytest.mark.no_schema_check
def test_known_crash_signatures_match_their_reproducers() -> None:
    for crash_id, mesh, options, _, text in KNOWN_CRASHES:
        with pytest.raises(Exception) as raised:
            translate(load_text(text, "crash.yaml"), mesh, options)
        if isinstance(raised.value, SmiError):
            continue  # fixed: test_known_translator_crashes says so
        assert known_crash(mesh, raised.value) == crash_id, raised.value


def test_the_fuzz_inputs_are_reproducible() -> None:
    first = [hashlib.sha256(t.encode()).hexdigest() for _, _, t in inputs(30, 7)]
    again = [hashlib.sha256(t.encode()).hexdigest() for _, _, t in inputs(30, 7)]
    assert first == again
    assert len(set(first)) > 25  # and they differ from one another
