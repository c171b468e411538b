"""Malformed input: exit 2, one located problem per defect, nothing on stdout, only SmiError.

Every case is a real file in ``data/bad/`` so the messages can name it. A problem line is
``FILE: document N (Kind/name): field.path: what is wrong``; each case states, per line, the
file, the document number, the object, the exact field path and a distinctive message fragment.
A case given ``bug=`` is an open library bug, marked ``xfail(strict=True)``.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import pulumi_smi
from pulumi_smi.cli import main
from pulumi_smi.errors import Problem, SmiError, SmiValidationError, object_name
from pulumi_smi.meshes import TARGETS, MeshKind, parse_options, translate
from pulumi_smi.spec import load_files, load_text

ROOT = Path(__file__).resolve().parents[1]
BAD = Path(__file__).resolve().parent / "data" / "bad"

GOOD_YAML = """\
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: reviews, namespace: shop}
spec:
  service: reviews
  backends:
  - {service: reviews-v1, weight: 90}
  - {service: reviews-v2, weight: 10}
"""


@dataclass(frozen=True)
class Line:
    """One expected problem line.

    ``obj`` is ``Kind/name`` as printed (None: the line names no object; a name that is not
    plain is quoted and escaped); ``path`` is the exact field path
    ("" : the line has none; None: not checked, for bugs whose fixed wording is open).
    """

    file: str
    document: int | None
    obj: str | None
    path: str | None
    fragments: tuple[str, ...]

    @property
    def source(self) -> str:
        return str(BAD / self.file)

    def prefix(self) -> str:
        text = f"{self.source}: "
        if self.document is not None:
            text += f"document {self.document}"
            text += f" ({self.obj}): " if self.obj else ": "
        if self.path:
            text += f"{self.path}: "
        return text

    def matches(self, line: str) -> bool:
        if not line.startswith(self.prefix()):
            return False
        rest = line[len(self.prefix()) :]
        return all(fragment in rest for fragment in self.fragments)

    def matches_problem(self, problem: Problem) -> bool:
        kind, _, name = (self.obj or "").partition("/")
        return (
            problem.source == self.source
            and problem.document == self.document
            and (
                self.obj is None
                or (object_name(problem.kind or "?"), object_name(problem.name or "?"))
                == (kind, name)
            )
            and (self.path is None or problem.path == self.path)
            and all(fragment in problem.message for fragment in self.fragments)
        )


def line(
    file: str, document: int | None, obj: str | None, path: str | None, *fragments: str
) -> Line:
    return Line(file, document, obj, path, fragments)


def case(case_id: str, *lines: Line, files: tuple[str, ...] = (), bug: str = "") -> Any:
    """A parametrized case: the files to convert (default: the first line's) and the lines."""
    chosen = files or (lines[0].file,)
    marks: list[pytest.MarkDecorator] = []
    if bug:
        marks += [pytest.mark.xfail(strict=True, reason=f"BUG: {bug}"), pytest.mark.no_schema_check]
    return pytest.param(chosen, lines, id=case_id, marks=marks)


TS = "TrafficSplit/reviews"
DNS1123 = "is not a valid DNS-1123"

CASES = [
    case(
        "negative-weight",
        line(
            "negative_weight.yaml",
            1,
            TS,
            "spec.backends[1].weight",
            "greater than or equal to 0",
            "-5",
        ),
    ),
    case(
        "fractional-weight-v1alpha2",
        line("fractional_weight.yaml", 1, TS, "spec.backends[0].weight", "whole number", "2.5"),
    ),
    case(
        "every-weight-zero",
        line("all_weights_zero.yaml", 1, TS, "spec.backends", "every backend has weight 0"),
    ),
    case(
        "backend-without-service",
        line("backend_without_service.yaml", 1, TS, "spec.backends[1].service", "required"),
    ),
    case(
        "duplicate-backend",
        line(
            "duplicate_backend.yaml",
            1,
            TS,
            "spec.backends[1].service",
            "'reviews-v1' is listed twice",
        ),
    ),
    case(
        "split-matches-unknown-route-group",
        line(
            "split_matches_unknown_group.yaml",
            2,
            TS,
            "spec.matches[1].name",
            "HTTPRouteGroup 'alpha-testers' not found in namespace 'shop'",
        ),
    ),
    case(
        "path-regex-unbalanced",
        line(
            "path_regex_unbalanced.yaml",
            1,
            "HTTPRouteGroup/reviews-api",
            "spec.matches[0].pathRegex",
            "invalid regular expression '/reviews/(v1|v2'",
            "missing )",
        ),
    ),
    case(
        "header-regex-look-ahead",
        line(
            "header_lookahead.yaml",
            1,
            "HTTPRouteGroup/beta-testers",
            "spec.matches[0].headers.user-agent",
            "look-ahead",
            "RE2",
        ),
    ),
    case(
        "name-upper-case",
        line("name_uppercase.yaml", 1, "TCPRoute/MySQL", "metadata.name", "'MySQL'", DNS1123),
    ),
    case(
        "service-starts-with-digit",
        line(
            "service_starts_with_digit.yaml",
            1,
            TS,
            "spec.service",
            "'9reviews' is not a valid Service name",
            "starting with a letter",
        ),
    ),
    case(
        "namespace-underscore",
        line(
            "namespace_underscore.yaml",
            1,
            "UDPRoute/dns",
            "metadata.namespace",
            "'kube_system'",
            DNS1123,
        ),
    ),
    case(
        "duplicate-object-in-one-file",
        line(
            "duplicate_object.yaml",
            2,
            "TCPRoute/mysql",
            "metadata.name",
            "duplicate TCPRoute",
            f"first defined in {BAD / 'duplicate_object.yaml'}",
            "document 1",
        ),
    ),
    case(
        "duplicate-object-in-two-files",
        line(
            "duplicate_across_files_b.yaml",
            2,
            TS,
            "metadata.name",
            "duplicate TrafficSplit",
            f"first defined in {BAD / 'duplicate_across_files_a.yaml'}",
            "document 1",
        ),
        files=("duplicate_across_files_a.yaml", "duplicate_across_files_b.yaml"),
    ),
    case(
        "yaml-syntax-error",
        line("yaml_syntax_error.yaml", 2, None, "", "YAML syntax error", "line 8, column 5"),
    ),
    case(
        "duplicate-yaml-key",
        line("duplicate_yaml_key.yaml", 1, None, "", "duplicate key 'service'", "line 7"),
    ),
    case(
        "unknown-api-version",
        line(
            "unknown_api_version.yaml",
            1,
            TS,
            "apiVersion",
            "unknown version of TrafficSplit",
            "split.smi-spec.io/v1alpha4",
        ),
    ),
    case(
        "unknown-kind-in-smi-group",
        line(
            "unknown_kind.yaml",
            1,
            "TrafficSplitter/reviews",
            "kind",
            "has no kind 'TrafficSplitter'",
            "known: TrafficSplit",
        ),
    ),
    case(
        "weight-is-a-word",
        line("weight_string.yaml", 1, TS, "spec.backends[0].weight", "valid integer", "'ten'"),
    ),
    case(
        "header-value-yaml-boolean",
        line(
            "header_bool.yaml",
            1,
            "HTTPRouteGroup/beta-testers",
            "spec.matches[0].headers.x-beta",
            "valid string",
            "True",
            "quote it",
        ),
    ),
    case(
        "method-not-in-enum",
        line(
            "method_not_in_enum.yaml",
            1,
            "HTTPRouteGroup/reviews-api",
            "spec.matches[0].methods[1]",
            "'GET'",
            "'FETCH'",
        ),
    ),
    case(
        "misspelt-field",
        line("unknown_field.yaml", 1, TS, "spec.backends[1].weight", "required field is missing"),
        line("unknown_field.yaml", 1, TS, "spec.backends[1].weigth", "unknown field"),
    ),
    case(
        "v1alpha1-weight-not-a-quantity",
        line("quantity_not_quantity.yaml", 1, TS, "spec.backends[1].weight", "'12xyz'", "suffix"),
    ),
    case(
        "matches-in-split-v1alpha2",
        line(
            "matches_in_split_v1alpha2.yaml",
            2,
            TS,
            "spec.matches",
            "not available in split.smi-spec.io/v1alpha2",
            "v1alpha3",
        ),
    ),
    case(
        "traffic-target-destination-namespace-differs",
        line(
            "target_namespace_differs.yaml",
            2,
            "TrafficTarget/db-clients",
            "spec.destination.namespace",
            "'data' differs",
            "'shop'",
        ),
    ),
    case(
        "traffic-target-dangling-rules",
        line(
            "target_dangling_rules.yaml",
            2,
            "TrafficTarget/reviews-clients",
            "spec.rules[0].name",
            "TCPRoute 'mysql' not found",
        ),
        line(
            "target_dangling_rules.yaml",
            2,
            "TrafficTarget/reviews-clients",
            "spec.rules[1].matches[1]",
            "no match named 'delete'",
            "read, write",
        ),
    ),
    case(
        "document-is-a-list",
        line("document_is_list.yaml", 2, None, "", "must be a mapping, got list"),
    ),
    case(
        "missing-api-version",
        line("missing_api_version.yaml", 1, TS, "apiVersion", "required"),
    ),
    case(
        "missing-kind",
        line("missing_kind.yaml", 1, "?/reviews", "kind", "required"),
    ),
    case(
        "several-problems-in-one-file",
        line(
            "multiple_problems.yaml", 1, TS, "spec.backends[0].weight", "greater than or equal to 0"
        ),
        line("multiple_problems.yaml", 1, TS, "spec.backends[1].service", "'Reviews-v2'"),
        line(
            "multiple_problems.yaml",
            3,
            "HTTPRouteGroup/reviews-api",
            "spec.matches[0].pathRegex",
            "'[a-'",
        ),
        line(
            "multiple_problems.yaml",
            4,
            "UDPRoute/dns",
            "spec.matches.ports",
            "70000 is outside 1-65535",
        ),
    ),
    case(
        "v1alpha1-weight-null",
        line(
            "quantity_weight_null.yaml",
            1,
            TS,
            "spec.backends[1].weight",
            "None is not a Kubernetes quantity",
        ),
    ),
    case(
        "v1alpha1-weight-out-of-range",
        line(
            "quantity_weight_out_of_range.yaml",
            1,
            TS,
            "spec.backends[1].weight",
            "'1e-5000' is out of range",
        ),
    ),
    case(
        "integer-literal-5001-digits",
        line("integer_too_long.yaml", 1, None, "", "invalid YAML at line 8", "5001 digits"),
    ),
    case(
        "service-spec-is-a-list",
        line("service_spec_list.yaml", 1, "Service/reviews", "spec", "must be a mapping, got list"),
    ),
    case(
        "deployment-spec-is-a-string",
        line(
            "deployment_spec_string.yaml",
            1,
            "Deployment/reviews",
            "spec",
            "must be a mapping, got str",
        ),
    ),
    case(
        "label-key-invalid",
        line(
            "label_key_invalid.yaml",
            1,
            "TCPRoute/mysql",
            "metadata.labels",
            "key 'tier db!'",
            "1-63 letters",
        ),
    ),
    case(
        "regex-conditional-group",
        line(
            "regex_conditional.yaml",
            1,
            "HTTPRouteGroup/reviews-api",
            "spec.matches[0].pathRegex",
            "conditional group",
            "RE2",
        ),
    ),
    case(
        "container-port-wrong-type",
        line(
            "container_port_wrong_type.yaml",
            1,
            "Deployment/reviews",
            "spec.template.spec.containers[0].ports[0].containerPort",
            "must be an integer",
            "'9080'",
        ),
    ),
    case(
        "yaml-boolean-key",
        line(
            "bool_key.yaml",
            1,
            "TCPRoute/mysql",
            "metadata.labels",
            "key 'yes' at line 7, column 5",
            "boolean",
            "quote it",
        ),
    ),
    case(
        "yaml-list-key",
        line("list_key.yaml", 1, None, "", "line 7, column 5", "a mapping key cannot be a list"),
    ),
    case(
        "regex-repetition-overflows",
        line(
            "regex_repeat_overflow.yaml",
            1,
            "HTTPRouteGroup/reviews-api",
            "spec.matches[0].pathRegex",
            "'/reviews/a{4294967296}' repeats more than 1000 times",
        ),
    ),
    case(
        "regex-500-nested-groups",
        line(
            "regex_nested_groups.yaml",
            1,
            "HTTPRouteGroup/beta-testers",
            "spec.matches[0].headers.x-beta",
            "nests groups more than 100 deep",
            "... (1001 characters)",  # the value is not printed in full
        ),
    ),
    case(
        "service-lists-a-port-twice",
        line(
            "service_port_twice.yaml",
            1,
            "Service/reviews",
            "spec.ports[1].port",
            "TCP port 9080 is listed twice",
        ),
    ),
    case(
        "duplicate-kubernetes-document",
        line(
            "duplicate_service.yaml",
            2,
            "Service/reviews",
            "metadata.name",
            "duplicate Service",
            f"first defined in {BAD / 'duplicate_service.yaml'}: document 1",
        ),
    ),
    case(
        "name-cannot-forge-a-line",
        line(
            "name_forges_a_line.yaml",
            1,
            "TCPRoute/'mysql\\nother.yaml: document 9 (TCPRoute/x): spec: forged \\x1b[2K'",
            "metadata.name",
            "'mysql\\nother.yaml",
            DNS1123,
        ),
    ),
    case(
        "v1alpha1-field-paths-are-top-level",
        line(
            "v1alpha1_field_paths.yaml",
            1,
            "HTTPRouteGroup/broken",
            "matches[0].pathRegex",
            "invalid regular expression '/api/(v1'",
        ),
        line(
            "v1alpha1_field_paths.yaml",
            2,
            "TrafficTarget/bad-destination",
            "destination.name",
            "'API'",
            DNS1123,
        ),
    ),
    case(
        "v1alpha1-dangling-rules-at-specs",
        line(
            "v1alpha1_dangling_rules.yaml",
            2,
            "TrafficTarget/api-clients",
            "specs[0].matches[0]",
            "no match named 'write'",
        ),
        line(
            "v1alpha1_dangling_rules.yaml",
            2,
            "TrafficTarget/api-clients",
            "specs[1].name",
            "TCPRoute 'missing' not found",
        ),
    ),
    case(
        "target-port-is-a-fraction",
        line(
            "target_port_float.yaml",
            1,
            "Service/reviews",
            "spec.ports[0].targetPort",  # never targetPort.int / targetPort.str
            "must be a port number (1-65535) or a port name, got 90.5",
        ),
    ),
    case(
        "not-utf8",
        line("not_utf8.yaml", None, None, "", "not UTF-8 text at line 4"),
    ),
    case(
        "alias-bomb",
        line(
            "alias_bomb.yaml",
            1,
            None,
            "",
            "YAML aliases expand this document by more than 10000 nodes",
            "line 14, column 7",
        ),
    ),
    case(
        "container-port-name-is-a-list",
        line(
            "container_port_name_list.yaml",
            1,
            "Deployment/reviews",
            "spec.template.spec.containers[0].ports[0].name",
            "must be a string",
        ),
    ),
]


def run_cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), stdout=out)
    return code, out.getvalue()


def convert(*files: str | Path, mesh: str = "smi", extra: tuple[str, ...] = ()) -> tuple[int, str]:
    return run_cli("convert", "--mesh", mesh, *extra, "-o", "json", *(str(f) for f in files))


def assert_lines(stderr: str, expected: tuple[Line, ...]) -> None:
    got = [text for text in stderr.splitlines() if text.strip()]
    assert len(got) == len(expected), f"expected {len(expected)} problem lines, got:\n{stderr}"
    for want, text in zip(expected, got, strict=True):
        assert want.matches(text), f"expected {want.prefix()!r} + {want.fragments}, got {text!r}"


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD_YAML, encoding="utf-8")
    return path


def test_every_fixture_is_used() -> None:
    used = {ln.file for param in CASES for ln in param.values[1]}
    used |= {f for param in CASES for f in param.values[0]}
    assert {p.name for p in BAD.glob("*.yaml")} == used
    assert len(CASES) >= 20


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_cli_reports_every_problem_and_prints_nothing(
    files: tuple[str, ...], expected: tuple[Line, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = convert(*(BAD / f for f in files))
    stderr = capsys.readouterr().err
    assert code == 2, stderr
    assert out == ""
    assert_lines(stderr, expected)


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_python_api_raises_smi_validation_error(
    files: tuple[str, ...], expected: tuple[Line, ...]
) -> None:
    with pytest.raises(SmiError) as raised:
        specs = load_files([BAD / f for f in files])
        translate(specs, "smi").to_json()
    assert isinstance(raised.value, SmiValidationError)
    problems = raised.value.problems
    assert len(problems) == len(expected), problems
    for want, problem in zip(expected, problems, strict=True):
        assert want.matches_problem(problem), (want, problem)
        assert str(problem).startswith(want.prefix())


def test_load_text_names_its_source_too() -> None:
    text = (BAD / "negative_weight.yaml").read_text(encoding="utf-8")
    with pytest.raises(SmiValidationError) as raised:
        load_text(text, "inline.yaml")
    (problem,) = raised.value.problems
    assert str(problem).startswith(
        "inline.yaml: document 1 (TrafficSplit/reviews): spec.backends[1].weight: "
    )


def test_valid_files_in_the_same_command_produce_no_output(
    good_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert convert(good_file) == (0, convert(good_file)[1])
    capsys.readouterr()
    bad = BAD / "negative_weight.yaml"
    for files in ((good_file, bad), (bad, good_file)):
        code, out = convert(*files)
        stderr = capsys.readouterr().err
        assert (code, out) == (2, "")
        (only,) = stderr.splitlines()
        assert only.startswith(f"{bad}: document 1 (TrafficSplit/reviews): spec.backends[1].weight")
        assert str(good_file) not in stderr


def test_problems_of_several_bad_files_are_all_reported(
    good_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = [BAD / "negative_weight.yaml", BAD / "unknown_kind.yaml", BAD / "document_is_list.yaml"]
    code, out = convert(bad[0], good_file, bad[1], bad[2])
    assert (code, out) == (2, "")
    lines = capsys.readouterr().err.splitlines()
    assert [text.split(": ", 1)[0] for text in lines] == [str(p) for p in bad]


def test_a_syntax_error_does_not_hide_problems_of_other_files(
    good_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = [BAD / "negative_weight.yaml", BAD / "yaml_syntax_error.yaml", BAD / "unknown_kind.yaml"]
    code, out = convert(bad[0], good_file, bad[1], bad[2])
    assert (code, out) == (2, "")
    lines = capsys.readouterr().err.splitlines()
    assert [text.split(": ", 1)[0] for text in lines] == [str(p) for p in bad]


def test_duplicate_across_files_names_the_first_file(capsys: pytest.CaptureFixture[str]) -> None:
    first, second = BAD / "duplicate_across_files_a.yaml", BAD / "duplicate_across_files_b.yaml"
    for files in ((first, second), (second, first)):
        code, out = convert(*files)
        (only,) = capsys.readouterr().err.splitlines()
        assert (code, out) == (2, "")
        assert "metadata.name: duplicate TrafficSplit" in only
        assert f"first defined in {files[0]}" in only


def test_missing_file(tmp_path: Path, good_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.yaml"
    code, out = convert(good_file, missing)
    assert (code, out) == (2, "")
    (only,) = capsys.readouterr().err.splitlines()
    assert only.startswith(f"{missing}: cannot read file: ")
    assert "No such file" in only
    with pytest.raises(SmiValidationError) as raised:
        load_files([missing])
    assert raised.value.problems[0].source == str(missing)


def test_set_without_equals(good_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = convert(good_file, extra=("--set", "trust_domain"))
    assert (code, out) == (2, "")
    (only,) = capsys.readouterr().err.splitlines()
    assert only == "--set: expected KEY=VALUE, got 'trust_domain'"


def test_unknown_set_option(good_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = convert(good_file, extra=("--set", "vpc_id=vpc-0123456789abcdef0"))
    assert (code, out) == (2, "")
    (only,) = capsys.readouterr().err.splitlines()
    assert only.startswith("--set: vpc_id: unknown option")
    assert "mesh_name" in only  # the known options are listed
    with pytest.raises(SmiValidationError) as raised:
        parse_options("smi", {"vpc_id": "vpc-0123456789abcdef0"})
    assert raised.value.problems[0].path == "vpc_id"


def test_unsupported_mesh_is_an_error_not_a_crash(
    good_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(TARGETS, MeshKind.APPMESH)  # a target not implemented yet
    mesh = MeshKind.APPMESH.value
    code, out = convert(good_file, mesh=mesh)
    assert (code, out) == (2, "")
    stderr = capsys.readouterr().err
    assert "not supported yet" in stderr
    assert repr(mesh) in stderr
    with pytest.raises(pulumi_smi.UnsupportedTargetError):
        translate(load_files([good_file]), mesh)


def test_console_entry_point_exit_codes(good_file: Path) -> None:
    def run(*files: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pulumi_smi", "convert", "--mesh", "smi", "-o", "json"]
            + [str(f) for f in files],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            timeout=120,
        )

    bad = BAD / "target_dangling_rules.yaml"
    failed = run(good_file, bad)
    assert failed.returncode == 2, failed.stderr
    assert failed.stdout == ""
    lines = failed.stderr.splitlines()
    assert len(lines) == 2
    assert all(
        text.startswith(f"{bad}: document 2 (TrafficTarget/reviews-clients): ") for text in lines
    )

    done = run(good_file)
    assert done.returncode == 0, done.stderr
    (resource,) = json.loads(done.stdout)["resources"]
    assert resource["properties"]["spec"]["backends"][1] == {"service": "reviews-v2", "weight": 10}


def test_escaped_brace_repeated_is_a_valid_re2_regex() -> None:
    text = (
        "apiVersion: specs.smi-spec.io/v1alpha4\nkind: HTTPRouteGroup\n"
        "metadata: {name: tpl, namespace: shop}\n"
        "spec: {matches: [{name: m, pathRegex: '/t/\\}+'}]}\n"
    )
    translate(load_text(text), "smi")


def test_yaml_merge_keys_are_accepted() -> None:
    text = (
        "apiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\n"
        "metadata: {name: reviews, namespace: shop}\n"
        "spec:\n  service: reviews\n  backends:\n"
        "  - &v1 {service: reviews-v1, weight: 1}\n"
        "  - {<<: *v1, service: reviews-v2}\n"
    )
    (split,) = load_text(text).traffic_splits
    assert [b.weight for b in split.spec.backends] == [1, 1]


def test_deeply_nested_json_in_set_is_a_located_error(
    good_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = '{"a": ' * 100_000 + "1" + "}" * 100_000
    code, out = convert(good_file, mesh="consul", extra=("--set", f"subsets={deep}"))
    assert (code, out) == (2, "")
    (only,) = capsys.readouterr().err.splitlines()
    assert only == "--set: subsets: not a JSON object: nested more than 20 levels deep"
    with pytest.raises(SmiValidationError):
        parse_options("consul", {"subsets": deep})


CONSUL_TWO_NAMESPACES = """\
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: s1, namespace: a}
spec:
  service: web
  backends: [{service: web-v1, weight: 1}, {service: web-v2, weight: 1}]
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: s2, namespace: b}
spec:
  service: web
  backends: [{service: web-v1, weight: 1}, {service: web-v2, weight: 1}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: a}
spec: {ports: [{port: 80, name: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: b}
spec: {ports: [{port: 80, name: http}]}
"""


def test_consul_errors_name_the_file_and_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A problem about a Service is located at its manifest, or at the SMI object naming it."""
    path = tmp_path / "consul.yaml"
    path.write_text(CONSUL_TWO_NAMESPACES, encoding="utf-8")
    code, out = convert(path, mesh="consul")
    assert (code, out) == (2, "")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 4
    assert all(text.startswith(f"{path}: document ") for text in lines), lines
    assert lines[0].startswith(f"{path}: document 3 (Service/web): metadata.namespace: ")
    assert lines[1].startswith(f"{path}: document 1 (TrafficSplit/s1): spec.backends[0].service: ")
    assert "Consul ServiceDefaults 'web-v1' is needed in namespaces 'a' and 'b'" in lines[1]


def test_no_python_warning_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], recwarn: pytest.WarningsRecorder
) -> None:
    """Regexes Python warns about ('[[', '--': possible future set syntax) are RE2's today."""
    path = tmp_path / "sets.yaml"
    path.write_text(
        "apiVersion: specs.smi-spec.io/v1alpha4\nkind: HTTPRouteGroup\n"
        "metadata: {name: sets, namespace: shop}\n"
        "spec: {matches: [{name: m, pathRegex: '/[[a]/[a--b]/[[:alpha:]]', "
        "headers: {x-set: '[&&~~||]'}}]}\n",
        encoding="utf-8",
    )
    for mesh in MeshKind:
        extra = ("--set", "vpc_id=vpc-0123456789abcdef0") if mesh == MeshKind.VPC_LATTICE else ()
        code, _ = convert(path, mesh=mesh.value, extra=extra)
        assert code in (0, 2)
    assert not recwarn.list, [str(w.message) for w in recwarn.list]
    assert "Warning" not in capsys.readouterr().err


def test_warnings_cannot_forge_lines_either(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "skipped.yaml"
    path.write_text(
        'apiVersion: example.com/v1\nkind: "Thing\\nforged: line \\e[31m"\nmetadata: {name: x}\n'
        "---\n" + GOOD_YAML,
        encoding="utf-8",
    )
    code, out = convert(path)
    assert code == 0 and out
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("warning: ")
    assert "Thing\\nforged: line \\x1b[31m" in lines[0]


def test_a_huge_value_is_never_printed_in_full(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(GOOD_YAML.replace("reviews-v2", "Reviews-" + "x" * 100_000), encoding="utf-8")
    code, out = convert(path)
    assert (code, out) == (2, "")
    (only,) = capsys.readouterr().err.splitlines()
    assert len(only) < 1000
    assert "(100008 characters)" in only


def test_a_document_that_is_not_a_mapping_says_its_line(tmp_path: Path) -> None:
    with pytest.raises(SmiValidationError) as raised:
        load_text(GOOD_YAML + "---\n# a comment\n- just\n- a list\n", "list.yaml")
    (problem,) = raised.value.problems
    assert str(problem) == (
        "list.yaml: document 2: a document must be a mapping, got list (the document at line 11)"
    )


def test_render_reports_an_exception_of_the_program_with_its_own_frames_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\n", encoding="utf-8")
    (tmp_path / "__main__.py").write_text("x = 1\nraise ValueError('boom')\n", encoding="utf-8")
    code, out = run_cli("render", str(tmp_path))
    assert (code, out) == (1, "")  # a failing program, not invalid input
    assert capsys.readouterr().err.splitlines() == [
        "Traceback (most recent call last; the program's frames):",
        f'  File "{tmp_path}/__main__.py", line 2, in <module>',
        "    raise ValueError('boom')",
        "ValueError: boom",
    ]
    (tmp_path / "Pulumi.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    code, out = run_cli("render", str(tmp_path))
    assert (code, out) == (2, "")
    assert "Pulumi.yaml: not valid YAML" in capsys.readouterr().err


def test_a_route_group_in_another_file_says_to_pass_that_file_too(tmp_path: Path) -> None:
    split = tmp_path / "split.yaml"
    split.write_text(
        "apiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\n"
        "metadata: {name: web, namespace: shop}\n"
        "spec: {service: web, backends: [{service: web-v1, weight: 1}], "
        "matches: [{kind: HTTPRouteGroup, name: api}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(SmiValidationError) as err:
        load_files([split])
    (problem,) = err.value.problems
    assert problem.message.startswith("HTTPRouteGroup 'api' not found in namespace 'shop'")
    assert "same `convert` invocation" in problem.message
    assert "pass that file too" in problem.message
