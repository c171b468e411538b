"""The GitHub Actions workflow of ``examples/ci/`` (issue #12, item 2).

It parses, runs on pull requests with the permissions it needs and no third-party action;
every ``pulumi-smi`` command line of its ``run:`` steps, with its variables substituted, is
accepted by the real argument parser; and its render-mode steps, run by bash as the runner
would (``git worktree add`` stood in for by a copy), review example 04 end to end: a small
weight move passes, a large one trips ``--max-shift`` and fails the job after the review
is written. The sticky-comment script runs under node against a fake GitHub API.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_smi.cli import _parser

ROOT = Path(__file__).parents[1]
WORKFLOW_FILE = ROOT / "examples" / "ci" / "mesh-review.yml"
WORKFLOW: dict[Any, Any] = yaml.safe_load(WORKFLOW_FILE.read_text())
JOB: dict[str, Any] = WORKFLOW["jobs"]["review"]
STEPS: dict[str, dict[str, Any]] = {s.get("name", s.get("uses", "")): s for s in JOB["steps"]}
BASH = shutil.which("bash")
NODE = shutil.which("node")

EXPRESSIONS = {
    "vars.PULUMI_STACK": "acme/hybrid-onprem-aws/dev",
    "secrets.PULUMI_ACCESS_TOKEN": "pul-0123456789abcdef",
    "github.event.pull_request.base.sha": "0123456789abcdef0123456789abcdef01234567",
    "steps.mode.outputs.mode": "render",
    "steps.preview.outputs.code || steps.render.outputs.code": "0",
    "steps.review.outputs.code": "0",
}
"""Plausible values of the ``${{ ... }}`` expressions the workflow's env uses."""
SHELL = {"code": "0", "GITHUB_OUTPUT": "/tmp/out", "GITHUB_PATH": "/tmp/path", "HOME": "/root"}
"""Plausible values of the shell's own variables."""


def _expression(text: str) -> str:
    def value(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        if expression not in EXPRESSIONS:
            raise KeyError(f"no plausible value for ${{{{ {expression} }}}}")
        return EXPRESSIONS[expression]

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def environment(step: Mapping[str, Any]) -> dict[str, str]:
    """The variables a step's script sees: the workflow's, the job's, the step's env."""
    found: dict[str, str] = {}
    for level in (WORKFLOW, JOB, step):
        for key, value in (level.get("env") or {}).items():
            found[key] = _expression(str(value))
    return found


def substituted(line: str, variables: Mapping[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in variables:
            raise KeyError(f"no plausible value for ${name} in {line!r}")
        return variables[name]

    return re.sub(r"\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)", value, line)


@dataclass(frozen=True)
class Command:
    """A ``pulumi-smi`` command line of a step, as the shell would split it."""

    step: str
    line: str
    argv: tuple[str, ...]


def commands() -> Iterator[Command]:
    """Every ``pulumi-smi`` command of every ``run:``: its words up to a redirection or
    operator, after substituting the step's variables."""
    for name, step in STEPS.items():
        variables = {**SHELL, **environment(step)}
        for line in str(step.get("run", "")).splitlines():
            if not line.strip().startswith("pulumi-smi "):
                continue
            lexer = shlex.shlex(substituted(line, variables), posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            words: list[str] = []
            for word in lexer:
                if word in {">", ">>", "<", "|", "||", "&&", ";", "&"}:
                    break
                words.append(word)
            yield Command(name, line.strip(), tuple(words))


COMMANDS = list(commands())


# --- the workflow itself ----------------------------------------------------------------


def test_runs_on_pull_requests_with_only_the_permissions_it_needs() -> None:
    triggers = WORKFLOW.get("on", WORKFLOW.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers
    assert WORKFLOW["permissions"] == {"contents": "read", "pull-requests": "write"}


def test_checks_out_the_whole_history_and_uses_no_third_party_action() -> None:
    uses = [s["uses"] for s in JOB["steps"] if "uses" in s]
    assert all(u.split("/")[0] == "actions" for u in uses), uses
    checkout = next(s for s in JOB["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    assert any(u.startswith("actions/setup-python") for u in uses)
    assert any(u.startswith("actions/github-script") for u in uses)


def test_every_expression_and_variable_has_a_plausible_value() -> None:
    for step in STEPS.values():
        environment(step)  # raises on an unknown ${{ ... }}
    assert len(COMMANDS) == 4, [c.line for c in COMMANDS]


@pytest.mark.parametrize(
    ("token", "stack", "mode"),
    [("pul-x", "acme/p/dev", "preview"), ("", "acme/p/dev", "render"), ("pul-x", "", "render")],
)
def test_the_preview_mode_needs_the_token_and_the_stack(
    tmp_path: Path, token: str, stack: str, mode: str
) -> None:
    if BASH is None:
        pytest.skip("no bash")
    out = tmp_path / "output"
    env = {"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(out)}
    env |= {"PULUMI_ACCESS_TOKEN": token, "PULUMI_STACK": stack}
    subprocess.run([BASH, "-e", "-c", STEPS["Choose the mode"]["run"]], env=env, check=True)
    assert _outputs(out) == {"mode": mode}


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


# --- every pulumi-smi command line is one the CLI accepts -------------------------------


@pytest.mark.parametrize("command", COMMANDS, ids=[f"{c.step}: {c.argv[1]}" for c in COMMANDS])
def test_the_cli_accepts_the_command_line(command: Command) -> None:
    assert command.argv[0] == "pulumi-smi"
    try:
        args = _parser().parse_args(command.argv[1:])
    except SystemExit as exit_:  # argparse has printed why
        pytest.fail(f"pulumi-smi rejects {command.line!r} (exit {exit_.code})")
    if args.command == "diff":
        assert args.output == "markdown"
        assert args.max_shift == Fraction(25)
        assert args.deny_access_widening
        assert (args.preview is not None) == (command.step == "Review the preview")
    else:
        assert args.command == "render"
        assert (args.output, args.stack) == ("json", "dev")


def test_both_modes_apply_the_same_gates() -> None:
    diffs = {c.step: c.argv for c in COMMANDS if c.argv[1] == "diff"}
    gates = {
        step: [w for w in argv if w.startswith("--") and w != "--preview"]
        for step, argv in diffs.items()
    }
    assert gates["Review the preview"] == gates["Review the renderings"]


# --- the render mode, end to end on example 04 ------------------------------------------

EXAMPLE = ROOT / "examples" / "04-hybrid-onprem-aws"
PROJECT = environment(STEPS["Render the base and the head commits"])["PROJECT"]


def _copy_example(where: Path, aws_share: int) -> None:
    target = where / PROJECT
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    config = target / "Pulumi.dev.yaml"
    text, count = re.subn(r'awsShare: "\d+"', f'awsShare: "{aws_share}"', config.read_text())
    assert count == 1
    config.write_text(text)


@dataclass
class Runner:
    """The runner's side: a workspace (the head checkout), the step files and a fake git."""

    workspace: Path
    base: Path
    files: Path

    def run(self, step: str, **extra: str) -> subprocess.CompletedProcess[str]:
        """Run ``step``'s script as the runner would (``bash -e``), with its env."""
        assert BASH is not None
        env = {
            "PATH": os.pathsep.join([str(self.files / "bin"), str(Path(sys.executable).parent)])
            + os.pathsep
            + os.environ["PATH"],
            "HOME": str(self.files),
            "GITHUB_OUTPUT": str(self.files / f"{step}.output"),
            "GITHUB_STEP_SUMMARY": str(self.files / "summary.md"),
            "FAKE_BASE": str(self.base),
            **environment(STEPS[step]),
            **extra,
        }
        script = STEPS[step]["run"]
        return subprocess.run(
            [BASH, "-e", "-c", script],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    def outputs(self, step: str) -> dict[str, str]:
        return _outputs(self.files / f"{step}.output")


FAKE_GIT = """#!/bin/sh
# stands in for `git worktree add DIR COMMIT`: the base checkout is a prepared copy
[ "$1 $2" = "worktree add" ] && [ -n "$4" ] || { echo "unexpected: git $*" >&2; exit 97; }
cp -R "$FAKE_BASE" "$3"
"""


def runner(tmp_path: Path, base_share: int | None, head_share: int) -> Runner:
    if BASH is None:
        pytest.skip("no bash")
    files = tmp_path / "runner"
    (files / "bin").mkdir(parents=True)
    git = files / "bin" / "git"
    git.write_text(FAKE_GIT)
    git.chmod(0o755)
    base = tmp_path / "base-commit"
    base.mkdir()
    if base_share is not None:
        _copy_example(base, base_share)
    workspace = tmp_path / "workspace"
    _copy_example(workspace, head_share)
    return Runner(workspace, base, files)


def review(tmp_path: Path, base_share: int | None, head_share: int) -> tuple[Runner, int, str]:
    """The render-mode steps in order; returns the runner, the gate's exit code, the review."""
    ran = runner(tmp_path, base_share, head_share)
    rendered = ran.run("Render the base and the head commits")
    assert rendered.returncode == 0, rendered.stderr
    diffed = ran.run("Review the renderings")
    assert diffed.returncode == 0, diffed.stderr  # the diff's exit code is kept, not raised
    code = ran.outputs("Review the renderings")["code"]
    completed = ran.run("Complete the review", CODE=code, MODE="render")
    assert completed.returncode == 0, completed.stderr
    assert ran.outputs("Complete the review")["code"] == code
    gate = ran.run("Gate", CODE=code)
    text = (ran.workspace / "review.md").read_text()
    assert (ran.files / "summary.md").read_text() == text
    return ran, gate.returncode, text


def test_a_small_weight_move_passes_the_gates(tmp_path: Path) -> None:
    _, code, text = review(tmp_path, base_share=10, head_share=20)
    assert code == 0
    assert "| bookinfo/reviews | default | bookinfo/reviews-v1 | 90.00% | 80.00% |" in text
    assert text.rstrip().endswith("gates passed.")


def test_a_large_weight_move_trips_the_gate_after_the_review(tmp_path: Path) -> None:
    ran, code, text = review(tmp_path, base_share=10, head_share=50)
    assert code == 1  # the job fails, with the review written and posted first
    assert "**gate --max-shift 25 --deny-access-widening: tripped**" in text
    assert "90.00% | 50.00% | **-40.00 pp**" in text
    assert "a gate tripped" in text.splitlines()[-1]
    gate = ran.run("Gate", CODE="1")
    assert "::error::pulumi-smi diff exited 1" in gate.stdout


def test_a_pull_request_adding_the_project_reviews_everything_as_new(tmp_path: Path) -> None:
    ran, code, text = review(tmp_path, base_share=None, head_share=10)
    assert json.loads((ran.workspace / "old.json").read_text()) == {"resources": [], "warnings": []}
    assert "mesh onprem (istio) new" in text
    assert code == 1  # every grant is new: --deny-access-widening trips


def test_unreadable_input_is_said_in_the_review(tmp_path: Path) -> None:
    ran = runner(tmp_path, base_share=10, head_share=10)
    (ran.workspace / "old.json").write_text("not json")
    (ran.workspace / "new.json").write_text("{}")
    assert ran.run("Review the renderings").returncode == 0
    code = ran.outputs("Review the renderings")["code"]
    assert code == "2"
    assert ran.run("Complete the review", CODE=code, MODE="render").returncode == 0
    assert "could not read its input** (exit 2)" in (ran.workspace / "review.md").read_text()
    assert ran.run("Gate", CODE=code).returncode == 2


# --- the sticky comment -----------------------------------------------------------------

HARNESS = """
const script = require("fs").readFileSync(process.argv[2], "utf8");
const calls = [];
const existing = JSON.parse(process.argv[3]);
const github = {
  paginate: async (method, params) => { calls.push(["list", params]); return existing; },
  rest: { issues: {
    listComments: "listComments",
    createComment: async (params) => calls.push(["create", params]),
    updateComment: async (params) => calls.push(["update", params]),
  } },
};
const context = { repo: { owner: "acme", repo: "estate" }, issue: { number: 12 } };
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
new AsyncFunction("require", "github", "context", script)(require, github, context)
  .then(() => console.log(JSON.stringify(calls)));
"""


def comment_calls(tmp_path: Path, existing: list[dict[str, Any]], review: str) -> list[Any]:
    if NODE is None:
        pytest.skip("no node")
    step = STEPS["Post or update the PR comment"]
    (tmp_path / "script.js").write_text(step["with"]["script"])
    (tmp_path / "harness.js").write_text(HARNESS)
    (tmp_path / "review.md").write_text(review)
    done = subprocess.run(
        [NODE, "harness.js", "script.js", json.dumps(existing)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    calls: list[Any] = json.loads(done.stdout)
    return calls


def test_the_comment_is_created_once_then_updated(tmp_path: Path) -> None:
    calls = comment_calls(tmp_path, [], "### pulumi-smi diff\n")
    assert [c[0] for c in calls] == ["list", "create"]
    body = calls[1][1]["body"]
    assert calls[1][1]["issue_number"] == 12
    marker = body.splitlines()[0]
    assert marker.startswith("<!--") and body.endswith("### pulumi-smi diff\n")
    ours = {"id": 7, "user": {"type": "Bot"}, "body": body}
    someone = {"id": 8, "user": {"type": "User"}, "body": f"{marker} quoted by a person"}
    calls = comment_calls(tmp_path, [someone, ours], "### changed\n")
    assert [c[0] for c in calls] == ["list", "update"]
    assert calls[1][1]["comment_id"] == 7
    assert calls[1][1]["body"] == f"{marker}\n### changed\n"


def test_a_review_too_long_for_a_comment_is_cut(tmp_path: Path) -> None:
    calls = comment_calls(tmp_path, [], "x" * 70000)
    body = calls[1][1]["body"]
    assert len(body) < 65536 and "cut here" in body
