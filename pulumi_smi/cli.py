"""``pulumi-smi``: translate SMI YAML offline, or render a Pulumi program under mocks.

The command line is a contract (see the README): ``convert`` prints exactly the
Plan the components would register; invalid input exits 2 with one
``FILE: document N (Kind/name): field.path: what is wrong`` line per problem on
stderr and nothing on stdout.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import TextIO

from .errors import SmiError, SmiValidationError, printable, shown
from .meshes import MeshKind, parse_options, translate
from .plan import Plan
from .spec.loader import load_files

EXIT_INVALID = 2
EXIT_PROGRAM = 1
"""``render``: the program raised (its traceback is on stderr)."""


def _version() -> str:
    """The installed package's version (from its metadata: one source of truth, pyproject)."""
    try:
        return metadata.version("pulumi-smi")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pulumi-smi",
        description="Translate Service Mesh Interface intent into native mesh resources.",
    )
    parser.add_argument("--version", action="version", version=f"pulumi-smi {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    convert = commands.add_parser(
        "convert",
        help="translate SMI YAML files for one mesh",
        description="Translate SMI objects (any apiVersion) plus Kubernetes Services, "
        "ServiceAccounts and workloads into the resources of one mesh.",
    )
    convert.add_argument(
        "--mesh", required=True, choices=[k.value for k in MeshKind], help="target mesh"
    )
    convert.add_argument("--mesh-name", help="name of the mesh instance (targets that name one)")
    convert.add_argument(
        "--set",
        dest="options",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a target option by its Python name (repeatable)",
    )
    convert.add_argument("-o", "--output", choices=["yaml", "json"], default="yaml")
    convert.add_argument(
        "--metrics", action="store_true", help="print the Prometheus recording rules instead"
    )
    convert.add_argument("files", nargs="+", metavar="FILE", help="YAML files ('-' for stdin)")

    render = commands.add_parser(
        "render",
        help="run a Pulumi program offline under mocks and print what it registers",
        description="Run a Pulumi program offline under the SDK's mocks, with its stack's "
        "configuration, and print every resource it registers.",
    )
    render.add_argument("project", metavar="PROJECT_DIR")
    render.add_argument(
        "--stack",
        help="read Pulumi.<STACK>.yaml (default: the only Pulumi.*.yaml, if there is one)",
    )
    render.add_argument(
        "-c",
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a config value over the stack's (repeatable; a bare KEY is the project's)",
    )
    render.add_argument("-o", "--output", choices=["yaml", "json", "table"], default="json")
    render.add_argument(
        "--preview", action="store_true", help="run as a preview (unknown outputs stay unknown)"
    )
    return parser


def _parse_options(pairs: Sequence[str], mesh_name: str | None) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SmiValidationError.from_message(f"expected KEY=VALUE, got {shown(pair)}", "--set")
        options[key.strip()] = value
    if mesh_name is not None:
        options["mesh_name"] = mesh_name
    return options


def _convert(args: argparse.Namespace) -> str:
    if args.metrics:
        raise SmiError("--metrics is not supported yet")
    options = parse_options(args.mesh, _parse_options(args.options, args.mesh_name), "--set")
    plan: Plan = translate(load_files(args.files), args.mesh, options)
    for warning in plan.warnings:
        print(f"warning: {printable(warning)}", file=sys.stderr)
    return plan.to_json() if args.output == "json" else plan.to_yaml()


def _render(args: argparse.Namespace) -> str | int:
    """The rendering, or :data:`EXIT_PROGRAM` when the program failed (traceback printed)."""
    from .project import ProgramFailed, format_rendering, load_project, run_project  # pulumi

    project = load_project(args.project, args.stack, args.config)
    try:
        rendering = run_project(project, preview=args.preview)
    except ProgramFailed as failed:
        sys.stderr.write(failed.report)
        return EXIT_PROGRAM
    if args.output == "yaml":  # JSON and the table carry the warnings themselves
        for warning in rendering.warnings:
            print(f"warning: {printable(warning)}", file=sys.stderr)
    return format_rendering(rendering, args.output)


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # usage errors (exit 2) and --help (exit 0), already printed
        return exit_.code if isinstance(exit_.code, int) else EXIT_INVALID
    try:
        text = _convert(args) if args.command == "convert" else _render(args)
    except SmiValidationError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_INVALID
    except SmiError as exc:
        print(f"pulumi-smi: error: {printable(exc)}", file=sys.stderr)
        return EXIT_INVALID
    if isinstance(text, int):
        return text
    (stdout or sys.stdout).write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
