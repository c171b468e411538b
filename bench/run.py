"""``make bench``: pulumi-smi's own cost beside the floors measured in the same run.

Every measurement runs in a fresh process (:mod:`bench.measure`); a cell is the median of
``--runs`` of them (one at 3,000 and 10,000 services, and for the components by default:
the SDK's own time dominates them), taken in rounds (every target, then the floor) so that a
change of the machine's load hits ours and the floor alike. Seconds are the measured
process's CPU time by default (``--clock wall`` for wall time): on a shared machine another
job's load changes it least. Sizes and targets are flags, or the ``BENCH_SIZES``
(``1000,3000,10000``; the components use the ones up to ``3000``), ``BENCH_TARGETS``,
``BENCH_RUNS``, ``BENCH_COMPONENT_RUNS``, ``BENCH_MAX_RESOURCES`` (a component case
registering more resources is left out, to stay within ten minutes: 23,000 resources take the
SDK itself a minute under mocks) and ``BENCH_CLOCK`` environment variables. Progress goes
to stderr.

Two tables:

* **convert**: ``pulumi-smi convert --mesh T -o json`` (imports included) beside its floor,
  parsing the same YAML with PyYAML's C loader and writing as many objects as JSON;
* **components under mocks**: ``smi.Manifests`` and the per-object components beside a
  hand-written program registering the identical resources (checked) with the SDKs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ALL_TARGETS = ("smi", "istio", "linkerd", "consul", "gateway-api", "appmesh", "vpc-lattice")
COMPONENT_TARGETS = ("istio", "vpc-lattice")
COMPONENT_MAX = 3000
"""The largest estate the components are measured on."""
TARGETS = {"convert_ratio": 1.5, "convert_growth": 1.25, "time": 1.25, "memory": 1.10}
COMPONENT_GROWTH = 3.3
CLOCKS = ("cpu", "wall")
_clock = ["cpu"]
"""The time a cell shows: the measured process's CPU time (what another job on a shared
machine changes least), or wall time."""


def _measure(*args: str) -> dict[str, Any]:
    """One measurement in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.measure", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench.measure {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = result["seconds"]
    if _clock[0] == "cpu":
        result["seconds"] = result["cpu_seconds"]
    return result


_jobs = [1]
"""How many measurements run at a time (``--jobs``): one per core by default. Each cell is
its process's own CPU time, which a neighbour on another core barely changes, and ours and
the floor run side by side alike."""


def _measure_all(cases: list[tuple[str, ...]]) -> list[dict[str, Any]]:
    """:func:`_measure` of every case, :data:`_jobs` at a time, in the order given."""
    if _jobs[0] <= 1 or len(cases) <= 1:
        return [_measure(*case) for case in cases]
    with ThreadPoolExecutor(max_workers=_jobs[0]) as pool:
        return list(pool.map(lambda case: _measure(*case), cases))


def _median(runs: int, *args: str, extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The median seconds and peak RSS of ``runs`` measurements and ``extra`` ones made
    before (their other keys: the last one's)."""
    results = [*(extra or []), *_measure_all([args] * runs)]
    return _summary(results)


def _summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The median seconds and peak RSS of ``results`` (their other keys: the last one's)."""
    last = dict(results[-1])
    last["seconds"] = statistics.median(r["seconds"] for r in results)
    last["peak_rss_mib"] = statistics.median(r["peak_rss_mib"] for r in results)
    return last


def _runs_for(size: int, runs: int) -> int:
    """Fewer repetitions for the larger estates (one at 10,000 services)."""
    return runs if size < 3000 else 1


def _write_estates(folder: Path, sizes: list[int]) -> None:
    """Generate the estates in a child process: this one stays small, and a measurement's
    peak RSS (``ru_maxrss`` survives ``exec``) starts from this one's."""
    subprocess.run(
        [sys.executable, "-m", "bench.estate", str(folder), *map(str, sizes)], cwd=ROOT, check=True
    )


def _progress(text: str) -> None:
    """What is being measured (stderr: the tables on stdout stay Markdown)."""
    print(f"  measuring {text}", file=sys.stderr, flush=True)


def bench_convert(
    folder: Path,
    sizes: list[int],
    targets: list[str],
    runs: int,
    counts: dict[tuple[str, int], int] | None = None,
) -> list[str]:
    """The convert table, as Markdown lines (the floor's RSS: its largest write); the
    resources each (target, size) plans go to ``counts``."""
    lines = [
        "| target | services | convert s | floor s | ratio | convert MiB | floor MiB | "
        "growth (floor) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(lines), flush=True)
    rows: dict[tuple[str, int], tuple[dict[str, Any], float, float]] = {}
    for size in sizes:
        path = str(folder / f"estate-{size}.yaml")
        n = _runs_for(size, runs)
        measured: dict[str, list[dict[str, Any]]] = {target: [] for target in targets}
        floors = []
        written: list[str] = []
        for run in range(n):  # rounds of every target and the floor: the load drifts
            _progress(f"convert at {size:,} services, round {run + 1} of {n}")
            cases = [("convert", target, path) for target in targets]
            if written:  # the objects each target writes are known after the first round
                cases.append(("floor", path, ",".join(written)))
            results = _measure_all(cases)
            for target, result in zip(targets, results, strict=False):
                measured[target].append(result)
            if not written:
                written = sorted({str(r[0]["objects"]) for r in measured.values()})
                results.append(_measure("floor", path, ",".join(written)))
            floors.append(results[-1])
        ours = {target: _median(0, extra=results) for target, results in measured.items()}
        if counts is not None:
            counts.update({(target, size): int(r["objects"]) for target, r in ours.items()})
        rss = statistics.median(f["peak_rss_mib"] for f in floors)
        for target in targets:
            count = str(ours[target]["objects"])
            seconds = statistics.median(f["seconds"][count] for f in floors)
            rows[(target, size)] = (ours[target], seconds, rss)
    for target in targets:
        first: tuple[float, float] | None = None
        for size in sizes:
            result, floor, rss = rows[(target, size)]
            growth = _growth(result["seconds"], floor, first)
            first = first or (result["seconds"], floor)
            lines.append(
                f"| {target} | {size:,} | {result['seconds']:.2f} | {floor:.2f} | "
                f"{result['seconds'] / floor:.2f} | {result['peak_rss_mib']:.0f} | {rss:.0f} | "
                f"{growth} |"
            )
            print(lines[-1], flush=True)
    return lines


def _growth(value: float, floor: float, first: tuple[float, float] | None) -> str:
    if first is None:
        return ""
    return f"{value / first[0]:.1f}x ({floor / first[1]:.1f}x)"


_PROBED: dict[tuple[str, str], int] = {}


MANIFESTS_COMPONENTS = 2
"""What ``smi.Manifests`` registers beside the plan's resources: the Mesh and itself."""
SMI_OBJECTS_PER_SERVICE = 3
"""The SMI objects of one service of :mod:`bench.estate` (not imported: this process stays
small, see :func:`_write_estates`)."""


def _estimate(
    folder: Path, kind: str, target: str, size: int, counts: dict[tuple[str, int], int]
) -> tuple[int, str]:
    """The resources a program registers at ``size``, and how that is known (``~``: about,
    ``≥``: at least).

    From the plan convert printed (``counts``) when it ran: ``smi.Manifests`` registers it
    and two components; the per-object components at least the Mesh, one component per SMI
    object and the plan's resources (each object's share of them, some once per object).
    Otherwise from a 100-service run of the program.
    """
    if (target, size) in counts:
        if kind == "manifests":
            return counts[(target, size)] + MANIFESTS_COMPONENTS, "~"
        return counts[(target, size)] + SMI_OBJECTS_PER_SERVICE * size + 1, "≥"
    small = 100
    if (kind, target) not in _PROBED:
        if not (folder / f"estate-{small}.yaml").exists():
            _write_estates(folder, [small])
        probe = _measure("script", kind, target, str(small), str(folder))
        _PROBED[(kind, target)] = int(probe["resources"])
    return _PROBED[(kind, target)] * size // small, "~"


def bench_components(
    folder: Path,
    sizes: list[int],
    targets: list[str],
    runs: int,
    budget: int,
    counts: dict[tuple[str, int], int] | None = None,
) -> list[str]:
    """The components table, as Markdown lines; a case registering more than ``budget``
    resources (estimated; ``counts``: the plans' sizes convert measured) is left out, and
    says so."""
    lines = [
        "| target | program | services | resources | ours s | hand-written s | time ratio | "
        "ours MiB | hand-written MiB | RSS ratio | growth (hand-written) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(lines), flush=True)
    chosen: list[tuple[str, str, int]] = []
    skipped: dict[tuple[str, str, int], str] = {}
    for target in targets:
        for kind in ("manifests", "objects"):
            for size in sizes:
                estimate, about = _estimate(folder, kind, target, size, counts or {})
                if estimate > budget:
                    skipped[(target, kind, size)] = (
                        f"| {target} | {kind} | {size:,} | {about}{estimate:,} | skipped: more "
                        f"than BENCH_MAX_RESOURCES={budget:,} | | | | | | |"
                    )
                else:
                    chosen.append((target, kind, size))
    # Our program's first run writes the script the hand-written program replays: every first
    # run goes before the rest (each phase :data:`_jobs` at a time).
    _progress(f"{len(chosen)} component cases: our programs")
    firsts = _measure_all([("script", k, t, str(n), str(folder)) for t, k, n in chosen])
    _progress(f"{len(chosen)} component cases: the rest and the hand-written programs")
    later: list[tuple[str, ...]] = []
    for target, kind, size in chosen:
        args = (target, str(size), str(folder))
        later += [("program", kind, *args)] * (runs - 1)
        later += [("program", f"handwritten-{kind}", *args)] * runs
    rest = iter(_measure_all(later))
    measured = {}
    for case, first_run in zip(chosen, firsts, strict=True):
        ours = _summary([first_run, *(next(rest) for _ in range(runs - 1))])
        floor = _summary([next(rest) for _ in range(runs)])
        if not ours["fingerprint"] == floor["fingerprint"] == first_run["fingerprint"]:
            raise SystemExit(
                f"{case}: the hand-written program registered other resources than ours"
            )
        measured[case] = (ours, floor)
    for target in targets:
        for kind in ("manifests", "objects"):
            first: tuple[float, float] | None = None
            for size in sizes:
                if (target, kind, size) in skipped:
                    lines.append(skipped[(target, kind, size)])
                    print(lines[-1], flush=True)
                    continue
                ours, floor = measured[(target, kind, size)]
                growth = _growth(ours["seconds"], floor["seconds"], first)
                first = first or (ours["seconds"], floor["seconds"])
                lines.append(
                    f"| {target} | {kind} | {size:,} | {ours['resources']:,} | "
                    f"{ours['seconds']:.2f} | {floor['seconds']:.2f} | "
                    f"{ours['seconds'] / floor['seconds']:.2f} | {ours['peak_rss_mib']:.0f} | "
                    f"{floor['peak_rss_mib']:.0f} | "
                    f"{ours['peak_rss_mib'] / floor['peak_rss_mib']:.2f} | {growth} |"
                )
                print(lines[-1], flush=True)
    return lines


def _machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    return (
        f"{platform.machine()}, {cpus} cores{memory}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, {date.today().isoformat()}"
    )


def _sizes(text: str) -> list[int]:
    return [int(s.replace("_", "")) for s in text.split(",") if s.strip()]


def main(argv: list[str] | None = None) -> None:
    """Run the bench and print the tables (Markdown)."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1000,3000,10000"))
    parser.add_argument("--targets", default=os.environ.get("BENCH_TARGETS", ",".join(ALL_TARGETS)))
    parser.add_argument(
        "--component-targets",
        default=os.environ.get("BENCH_COMPONENT_TARGETS", ",".join(COMPONENT_TARGETS)),
    )
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    parser.add_argument(
        "--component-runs", type=int, default=int(os.environ.get("BENCH_COMPONENT_RUNS", "1"))
    )
    parser.add_argument(
        "--max-resources",
        type=int,
        default=int(os.environ.get("BENCH_MAX_RESOURCES", "10000")),
        help="leave out component cases registering more resources (the SDK's own time)",
    )
    parser.add_argument("--skip", choices=("convert", "components"), action="append", default=[])
    parser.add_argument("--clock", choices=CLOCKS, default=os.environ.get("BENCH_CLOCK", "cpu"))
    parser.add_argument(
        "--jobs",
        type=int,
        default=int(os.environ.get("BENCH_JOBS", str(min(2, os.cpu_count() or 1)))),
        help="measurements at a time (default: one per core, at most two)",
    )
    args = parser.parse_args(argv)
    _clock[0] = args.clock
    _jobs[0] = max(1, args.jobs)
    if args.clock == "wall":
        _jobs[0] = 1  # wall time of side-by-side processes would count each other's waits
    sizes = _sizes(args.sizes)
    started = time.perf_counter()
    print(f"Machine: {_machine()}", flush=True)
    what = "CPU time of the measuring process" if args.clock == "cpu" else "wall time"
    print(f"Seconds: {what} (BENCH_CLOCK=cpu|wall), {_jobs[0]} at a time\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="pulumi-smi-bench-") as tmp:
        folder = Path(tmp)
        _write_estates(folder, sizes)
        counts: dict[tuple[str, int], int] = {}
        if "convert" not in args.skip:
            print("### convert\n", flush=True)
            bench_convert(folder, sizes, args.targets.split(","), args.runs, counts)
        if "components" not in args.skip:
            small = [s for s in sizes if s <= COMPONENT_MAX]
            print("\n### components under mocks\n", flush=True)
            chosen = args.component_targets.split(",")
            bench_components(folder, small, chosen, args.component_runs, args.max_resources, counts)
    print(f"\n(bench took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
