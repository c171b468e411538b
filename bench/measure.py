"""One measurement, in this (fresh) process; prints one JSON object on stdout.

``python -m bench.measure convert TARGET FILE``
    ``pulumi-smi convert --mesh TARGET -o json FILE`` (imports included), output discarded.
``python -m bench.measure floor FILE N,N...``
    The floor of convert: parse FILE with PyYAML's C loader, write N objects as JSON (for
    each N: the targets' resource counts; the parse is measured once for them all).
``python -m bench.measure program KIND TARGET SERVICES DIR``
    Run a components program under mocks (:mod:`bench.programs`; KIND ``manifests``,
    ``objects`` or ``handwritten``, the latter from ``DIR/<program>-<target>.script.json``).
``python -m bench.measure script PROGRAM TARGET SERVICES DIR``
    Run ours once (a measurement too: the spy costs one append per child) and write the
    hand-written floor's script for it.

Every result has ``seconds`` (wall time of the measured part), ``cpu_seconds`` (the CPU
time this process spent on it, every thread's: what a shared machine's load changes least)
and ``peak_rss_mib``
(``resource.getrusage``: the process's peak resident set).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _peak_rss_mib() -> float:
    """The peak resident set of this process, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def convert(target: str, path: str) -> dict[str, Any]:
    """Time ``convert`` as a user runs it, output and warnings discarded."""
    start, cpu = time.perf_counter(), time.process_time()
    from pulumi_smi.cli import main

    from .programs import OPTIONS

    argv = ["convert", "--mesh", target, "-o", "json", path]
    for key, value in OPTIONS.get(target, {}).items():
        argv[3:3] = ["--set", f"{key}={value}"]
    out = io.StringIO()
    with contextlib.redirect_stderr(io.StringIO()):
        code = main(argv, stdout=out)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert code == 0, f"convert exited {code}"
    text = out.getvalue()
    objects = text.count('\n    {\n      "type"')
    return {"seconds": seconds, "cpu_seconds": cpu, "objects": objects, "bytes": len(text)}


def floor(path: str, counts: list[int]) -> dict[str, Any]:
    """Parse ``path`` with the C loader, then write ``n`` of its documents as JSON, for each
    ``n`` of ``counts`` (the targets' resource counts): ``seconds`` per count, parse included."""
    start, cpu = time.perf_counter(), time.process_time()
    import yaml

    with open(path, encoding="utf-8") as handle:
        documents = list(yaml.load_all(handle.read(), Loader=yaml.CSafeLoader))
    parsed, parsed_cpu = time.perf_counter() - start, time.process_time() - cpu
    seconds, cpu_seconds = {}, {}
    for count in counts:
        begin, begin_cpu = time.perf_counter(), time.process_time()
        written = [documents[i % len(documents)] for i in range(count)]
        json.dumps({"resources": written, "warnings": []}, indent=2, ensure_ascii=False)
        seconds[str(count)] = parsed + time.perf_counter() - begin
        cpu_seconds[str(count)] = parsed_cpu + time.process_time() - begin_cpu
    return {"seconds": seconds, "cpu_seconds": cpu_seconds}


def _preload(target: str) -> None:
    """Import what both programs of a target need from the SDKs, before timing."""
    import pulumi  # noqa: F401
    import pulumi_kubernetes  # noqa: F401

    import pulumi_smi.testing  # noqa: F401  (the harness, not the program)

    if target in ("vpc-lattice", "appmesh"):
        import pulumi_aws.appmesh
        import pulumi_aws.vpclattice  # noqa: F401


def _run(program: Callable[[], Any]) -> tuple[tuple[float, float], Any, Any]:
    """Run ``program`` under mocks: (wall, CPU) seconds, the recording, what it made."""
    from pulumi_smi.testing import run_program

    made: list[Any] = []

    def body() -> None:
        made.append(program())

    with contextlib.redirect_stderr(io.StringIO()):  # the programs' warnings
        start, cpu = time.perf_counter(), time.process_time()
        recording = run_program(body)
        seconds = (time.perf_counter() - start, time.process_time() - cpu)
    return seconds, recording, made[0]


def fingerprint(recording: Any) -> str:
    """A digest of what was registered: type, name, parent, provider, inputs, dependencies."""
    urns = {r.urn: r.name for r in recording.resources}
    rows = sorted(
        json.dumps(
            [
                r.type,
                r.name,
                r.parent_name,
                r.provider_name,
                r.inputs,
                sorted(urns.get(d, d) for d in r.dependencies),
                sorted(r.aliases),
            ],
            sort_keys=True,
            default=str,
        )
        for r in recording.resources
    )
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]


def _program(kind: str, target: str, services: int, folder: Path) -> Callable[[], Any]:
    from . import programs

    if kind == "manifests":
        return programs.manifests(target, folder / f"estate-{services}.yaml")
    if kind == "objects":
        return programs.objects(target, services, folder / f"catalogue-{services}.yaml")
    script = json.loads((folder / f"{kind}-{target}-{services}.script.json").read_text())
    return programs.handwritten(script)


def program(kind: str, target: str, services: int, folder: str) -> dict[str, Any]:
    """Time one components program (``handwritten-<program>`` reads its script)."""
    _preload(target)
    chosen = _program(kind, target, services, Path(folder))
    (seconds, cpu), recording, _ = _run(chosen)
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "resources": len(recording.resources),
        "fingerprint": fingerprint(recording),
    }


def script(kind: str, target: str, services: int, folder: str) -> dict[str, Any]:
    """Run ours once, recording the order it creates children in; write the floor's script."""
    _preload(target)
    from pulumi_smi.components import register

    from . import programs

    created: list[tuple[str, str]] = []
    original = register._create

    def spy(res: Any, opts: Any, known: Any) -> Any:
        created.append((res.name, opts.parent._name))
        return original(res, opts, known)

    register._create = spy  # type: ignore[assignment]
    try:
        (seconds, cpu), recording, made = _run(_program(kind, target, services, Path(folder)))
    finally:
        register._create = original  # type: ignore[assignment]
    plan = programs.script(made, created, recording)
    out = Path(folder) / f"handwritten-{kind}-{target}-{services}.script.json"
    out.write_text(json.dumps(plan))
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "resources": len(recording.resources),
        "fingerprint": fingerprint(recording),
    }


def main(argv: list[str]) -> None:
    """Run the measurement ``argv`` names and print its result with the peak RSS."""
    sys.setrecursionlimit(10_000)
    command, *args = argv
    if command == "convert":
        result = convert(args[0], args[1])
    elif command == "floor":
        result = floor(args[0], [int(n) for n in args[1].split(",")])
    elif command == "program":
        result = program(args[0], args[1], int(args[2]), args[3])
    elif command == "script":
        result = script(args[0], args[1], int(args[2]), args[3])
    else:
        raise SystemExit(f"unknown measurement {command!r}")
    result["peak_rss_mib"] = _peak_rss_mib()
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)  # skip the interpreter's teardown: not part of any measurement


if __name__ == "__main__":
    main(sys.argv[1:])
