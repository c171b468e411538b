"""``pulumi-smi``: translate SMI YAML offline, or render a Pulumi program under mocks.

The command line is a contract (see the README): ``convert`` prints exactly the
Plan the components would register; ``diff`` reviews two such outputs (exit 1 when a gate
trips); invalid input exits 2 with one
``FILE: document N (Kind/name): field.path: what is wrong`` line per problem on
stderr and nothing on stdout.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, TextIO

from . import __version__
from .errors import SmiError, SmiValidationError, printable, shown
from .meshes import MeshKind, TargetOptions, parse_options, translate
from .plan import Plan, dump_yaml, pretty_json
from .spec.loader import load_files, no_cycle_collection

EXIT_INVALID = 2
EXIT_PROGRAM = 1
"""``render``: the program raised (its traceback is on stderr)."""
EXIT_GATE = 1
"""``diff``: a gate tripped (each violation is on stderr, and in the review)."""
DIFF_OUTPUTS = ("text", "markdown", "json")


def _version() -> str:
    """``pulumi_smi.__version__``, which the built metadata reads too (one place)."""
    return __version__


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
    _diff_parser(commands)
    commands.add_parser(
        "schema",
        help="print the Pulumi package schema of the multi-language components",
        description="Print the package schema (JSON) that the Pulumi SDK's analyzer derives "
        "from the multi-language components: the schema.json other languages' SDKs are "
        "generated from.",
    )
    return parser


def _percentage(text: str) -> Fraction:
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"not a number of percentage points: {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100, got {text!r}")
    return value


def _diff_parser(commands: Any) -> None:
    diff = commands.add_parser(
        "diff",
        help="review two convert/render JSON outputs: resources, traffic and access per mesh",
        description="Compare two outputs of `convert -o json` or `render -o json` (OLD, NEW): "
        "resources added, removed, changed and replaced, and per mesh every backend's "
        "traffic share before and after and the access grants added and removed (judged "
        "from the emitted objects). Exit 1 when a gate trips, 2 for unreadable input.",
    )
    diff.add_argument("old", nargs="?", metavar="OLD", help="the output before ('-': stdin)")
    diff.add_argument("new", nargs="?", metavar="NEW", help="the output after")
    diff.add_argument(
        "--preview", metavar="PREVIEW.json", help="review `pulumi preview --json` instead"
    )
    diff.add_argument("-o", "--output", choices=list(DIFF_OUTPUTS), default="text")
    diff.add_argument(
        "--max-shift",
        type=_percentage,
        metavar="PCT",
        help="exit 1 when a backend's share moves more than PCT percentage points",
    )
    diff.add_argument(
        "--deny-access-widening",
        action="store_true",
        help="exit 1 when a mesh may allow more requests: a new source, port, method or path, "
        "or a default deny gone (conservative: a rule rewritten to allow the same or less may "
        "be flagged)",
    )


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
    options = parse_options(args.mesh, _parse_options(args.options, args.mesh_name), "--set")
    if args.metrics:
        return _metrics(args, options)
    with no_cycle_collection():  # nothing to collect: the estate and the plan are kept
        plan: Plan = translate(load_files(args.files), args.mesh, options)
        for warning in plan.warnings:
            print(f"warning: {printable(warning)}", file=sys.stderr)
        return plan.to_json() if args.output == "json" else plan.to_yaml()


def _metrics(args: argparse.Namespace, options: TargetOptions) -> str:
    """``convert --metrics``: the Prometheus rules file (one document with ``groups:``), or
    for vpc-lattice the CloudWatch Plan."""
    from .metrics.rules import rules_file

    if args.mesh == MeshKind.VPC_LATTICE.value:
        from .metrics.plan import metrics_plan

        with no_cycle_collection():
            plan = metrics_plan(load_files(args.files), MeshKind.VPC_LATTICE, options)
            for warning in plan.warnings:
                print(f"warning: {printable(warning)}", file=sys.stderr)
            return plan.to_json() if args.output == "json" else plan.to_yaml()
    with no_cycle_collection():
        document = rules_file(load_files(args.files), args.mesh, options)
    return pretty_json(document) + "\n" if args.output == "json" else dump_yaml([document])


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


def _diff(args: argparse.Namespace) -> tuple[str, int]:
    """The review and the exit code: :data:`EXIT_GATE` when a gate trips (said on stderr)."""
    from .review.diff import compare
    from .review.document import read_document
    from .review.report import format_review
    from .review.sections import Gates

    gates = Gates(max_shift=args.max_shift, deny_access_widening=args.deny_access_widening)
    if args.preview:
        from .review.preview import preview_notes, read_preview

        if args.old is not None:
            raise SmiError("diff --preview PREVIEW.json takes no OLD or NEW")
        preview = read_preview(args.preview)
        review = compare(preview.old, preview.new, gates, notes=preview_notes(preview))
    elif args.old is None or args.new is None:
        raise SmiError(
            "diff needs OLD and NEW (two outputs of convert/render -o json), "
            "or --preview PREVIEW.json"
        )
    else:
        review = compare(read_document(args.old), read_document(args.new), gates)
    for violation in review.violations:
        print(f"pulumi-smi: gate tripped: {printable(violation)}", file=sys.stderr)
    return format_review(review, args.output), EXIT_GATE if review.tripped else 0


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # usage errors (exit 2) and --help (exit 0), already printed
        return exit_.code if isinstance(exit_.code, int) else EXIT_INVALID
    code = 0
    try:
        if args.command == "convert":
            text: str | int = _convert(args)
        elif args.command == "render":
            text = _render(args)
        elif args.command == "schema":
            from .multilang.schema import schema_json  # pulumi

            text = schema_json()
        else:
            text, code = _diff(args)
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
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
