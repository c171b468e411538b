"""``pulumi-smi render``: run a Pulumi program offline under mocks and print what it registers.

No Pulumi CLI, engine, credentials or cluster: the program runs against
:mod:`pulumi_smi.testing`'s recording mocks, with its stack's configuration, so reviewers
see every resource, its parent and its explicit provider, components included.

Configuration is what ``pulumi.Config()`` reads: the ``config:`` defaults of ``Pulumi.yaml``,
then the stack's ``Pulumi.<stack>.yaml``, then ``-c key=value`` overrides. A bare key is
in the project's namespace. A ``secure:`` value cannot be decrypted offline: the program
may run without it, but reading it is an error naming the key and asking for ``-c``.
"""

from __future__ import annotations

import json
import logging
import os
import runpy
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi.runtime import config as runtime_config

from .errors import SmiError, SmiValidationError, printable, shown
from .plan import dump_yaml, pretty_json
from .review.table import render_table
from .testing import RecordedResource, run_program

OUTPUTS = ("json", "yaml", "table")
_PACKAGE = Path(__file__).resolve().parent


class ProgramFailed(Exception):
    """The user's program raised: ``report`` is its traceback, the program's frames only."""

    def __init__(self, report: str) -> None:
        """Keep ``report`` (printed on stderr by the CLI, which exits 1)."""
        super().__init__(report)
        self.report = report


@dataclass(frozen=True)
class Project:
    """A Pulumi project directory: its name, program and chosen stack's configuration."""

    directory: Path
    name: str
    entry: Path
    stack: str | None
    config: dict[str, str] = field(default_factory=dict)
    """Full keys (``namespace:key``) to the string the engine would pass."""
    secret_keys: frozenset[str] = frozenset()
    sealed: dict[str, str] = field(default_factory=dict)
    """Keys whose value is a ``secure:`` ciphertext, to the file that holds it."""
    warnings: tuple[str, ...] = ()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SmiError(f"{path}: not valid YAML: {printable(exc)}") from None
    if not isinstance(document, dict):
        raise SmiError(f"{path}: must be a mapping, got {type(document).__name__}")
    return document


def _engine_string(value: object) -> str:
    """The string the engine hands the program: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def _is_sealed(value: object) -> bool:
    if isinstance(value, Mapping):
        return set(value) == {"secure"} or any(_is_sealed(v) for v in value.values())
    if isinstance(value, list):
        return any(_is_sealed(v) for v in value)
    return False


def _stack_name(path: Path) -> str:
    """``dev`` of ``Pulumi.dev.yaml``."""
    return path.name.split(".", 1)[1].rsplit(".", 1)[0]


def _stack_file(directory: Path, stack: str | None) -> Path | None:
    files = sorted(directory.glob("Pulumi.*.yaml")) + sorted(directory.glob("Pulumi.*.yml"))
    if stack is None:
        return files[0] if len(files) == 1 else None
    short = stack.rsplit("/", 1)[-1]  # org/project/stack
    for path in files:
        if _stack_name(path) == short:
            return path
    known = ", ".join(_stack_name(p) for p in files) or "none"
    raise SmiError(
        f"{directory}: no Pulumi.{short}.yaml for stack {shown(stack)} (stacks: {known})"
    )


def _config_section(document: Mapping[str, Any], path: Path) -> Mapping[str, Any]:
    values = document.get("config") or {}
    if not isinstance(values, Mapping):
        raise SmiError(f"{path}: config: must be a mapping, got {type(values).__name__}")
    return values


class _Settings:
    """The configuration as it is assembled: project defaults, stack values, overrides."""

    def __init__(self, project: str) -> None:
        self.project = project
        self.config: dict[str, str] = {}
        self.secret: set[str] = set()
        self.sealed: dict[str, str] = {}

    def key(self, key: object) -> str:
        text = str(key).strip()
        return text if ":" in text else f"{self.project}:{text}"

    def declared(self, values: Mapping[str, Any]) -> None:
        """``Pulumi.yaml``'s ``config:``: a value, or a declaration with ``default``/``value``."""
        for key, item in values.items():
            spec = item if isinstance(item, Mapping) else {"default": item}
            value = spec.get("value", spec.get("default"))
            if value is not None:
                self.config[self.key(key)] = _engine_string(value)
            if spec.get("secret") is True:
                self.secret.add(self.key(key))

    def stack(self, values: Mapping[str, Any], file: str) -> None:
        """A stack file's ``config:``; a ``secure:`` value (anywhere in it) is sealed."""
        for key, value in values.items():
            full = self.key(key)
            if _is_sealed(value):
                self.sealed[full] = file
                self.secret.add(full)
                self.config.pop(full, None)
            else:
                self.config[full] = _engine_string(value)

    def overrides(self, pairs: Sequence[str]) -> None:
        """``-c key=value`` strings (a sealed key given so is no longer sealed)."""
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep or not key.strip():
                message = f"expected KEY=VALUE, got {shown(pair)}"
                raise SmiValidationError.from_message(message, "-c")
            self.config[self.key(key)] = value
            self.sealed.pop(self.key(key), None)


def load_project(
    project: str | Path, stack: str | None = None, overrides: Sequence[str] = ()
) -> Project:
    """The project in ``project`` with the configuration of ``stack`` (see the module doc).

    ``stack`` None: the only ``Pulumi.<stack>.yaml`` when there is exactly one, else no
    stack file. ``overrides`` are ``key=value`` strings applied last.
    """
    directory = Path(project).resolve()
    settings_file = directory / "Pulumi.yaml"
    if not settings_file.is_file():
        raise SmiError(f"{directory}: not a Pulumi project (no Pulumi.yaml)")
    declared = _read_yaml(settings_file)
    name = declared.get("name")
    name = name if isinstance(name, str) and name else "project"
    main = directory / str(declared.get("main") or ".")
    entry = main / "__main__.py" if main.is_dir() else main
    if not entry.is_file():
        raise SmiError(f"{directory}: no program at {entry}")
    settings = _Settings(name)
    settings.declared(_config_section(declared, settings_file))
    # Pulumi reads stack files beside Pulumi.yaml, or in its stackConfigDir.
    config_dir = directory / str(declared.get("stackConfigDir") or ".")
    path = _stack_file(config_dir, stack)
    warnings: list[str] = []
    if path is not None:
        document = _read_yaml(path)
        if document.get("environment"):
            warnings.append(f"{path.name}: ESC environments are not read offline (environment:)")
        settings.stack(_config_section(document, path), path.name)
    settings.overrides(overrides)
    return Project(
        directory=directory,
        name=name,
        entry=entry,
        stack=stack or (_stack_name(path) if path else None),
        config=settings.config,
        secret_keys=frozenset(settings.secret),
        sealed=settings.sealed,
        warnings=tuple(warnings),
    )


class _Config(dict[str, str]):
    """The SDK's config map, where reading a sealed (``secure:``) key is an error."""

    def __init__(self, project: Project) -> None:
        super().__init__(project.config)
        self.project = project

    def __contains__(self, key: object) -> bool:
        return key in self.project.sealed or super().__contains__(key)

    def __getitem__(self, key: str) -> str:
        sealed = self.project.sealed.get(key)
        if sealed is not None:
            frames = _user_frames(traceback.extract_stack(), self.project.directory)
            where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
            raise SmiError(
                f"{where}config {shown(key)} is encrypted in {sealed} (secure:), which render "
                f"cannot decrypt: pass its value with -c {key}=VALUE"
            )
        return super().__getitem__(key)


def _user_frames(
    frames: traceback.StackSummary | list[traceback.FrameSummary], directory: Path
) -> list[traceback.FrameSummary]:
    """The frames of files in the project directory (the program and its own modules)."""
    return [
        f
        for f in frames
        if os.path.isabs(f.filename) and Path(f.filename).resolve().is_relative_to(directory)
    ]


@contextmanager
def _inside(project: Project) -> Iterator[_Collect]:
    """Run with the project as working directory, import root and configuration (none of
    the caller's ``PULUMI_CONFIG*`` variables), the program's prints on stderr (stdout is
    the rendering's); collect warnings. Everything is restored afterwards."""
    cwd, path = os.getcwd(), list(sys.path)
    hidden = {k: v for k, v in os.environ.items() if k.startswith("PULUMI_CONFIG")}
    collect = _Collect()
    root = logging.getLogger()
    root.addHandler(collect)
    os.chdir(project.directory)
    sys.path.insert(0, str(project.directory))
    for key in hidden:
        del os.environ[key]
    config = runtime_config.CONFIG.set(_Config(project))
    secrets = runtime_config._SECRET_KEYS.set(set(project.secret_keys))
    try:
        with redirect_stdout(sys.stderr):
            yield collect
    finally:
        runtime_config._SECRET_KEYS.reset(secrets)
        runtime_config.CONFIG.reset(config)
        os.environ.update(hidden)
        os.chdir(cwd)
        sys.path[:] = path
        root.removeHandler(collect)


def _failure(exc: Exception, project: Project) -> ProgramFailed:
    """The report of an exception the program raised: its frames, then the exception."""
    frames = traceback.extract_tb(exc.__traceback__)
    inside_us = bool(frames) and Path(frames[-1].filename).resolve().is_relative_to(_PACKAGE)
    user = _user_frames(frames, project.directory)
    if inside_us or not user:  # a bug of pulumi-smi (or nothing to narrow to): every frame
        lines = traceback.format_exception(exc)
        if inside_us:
            lines.append("pulumi-smi: internal error (please report it)\n")
    else:
        lines = [
            "Traceback (most recent call last; the program's frames):\n",
            *traceback.format_list(user),
            *traceback.format_exception_only(exc),
        ]
    hint = getattr(exc, "key", None)
    if type(exc).__name__ == "ConfigMissingError" and isinstance(hint, str):
        lines.append(f"pulumi-smi: give it in Pulumi.<stack>.yaml or with -c {hint}=VALUE\n")
    return ProgramFailed("".join(lines))


def _run_user_program(project: Project) -> None:
    """Run the program. An :class:`SmiError` (invalid intent) stays as it is; any other
    exception becomes :class:`ProgramFailed` with the program's traceback."""
    try:
        runpy.run_path(str(project.entry), run_name="__main__")
    except SmiError:
        raise
    except Exception as exc:
        raise _failure(exc, project) from None


def _describe(resource: RecordedResource, names: dict[str, str]) -> dict[str, Any]:
    return {
        "type": resource.type,
        "name": resource.name,
        "properties": resource.inputs,
        "dependsOn": [names.get(urn, urn) for urn in resource.dependencies],
        "parent": resource.parent_name,
        "provider": resource.provider_name,
    }


@dataclass(frozen=True)
class Rendering:
    """What a program registered (in the render JSON form) and the warnings it logged."""

    resources: list[dict[str, Any]]
    warnings: list[str]


def run_project(project: Project, *, preview: bool = False) -> Rendering:
    """Run ``project``'s program under the recording mocks with its configuration.

    Raises :class:`ProgramFailed` when the program raises (not with an :class:`SmiError`,
    which propagates: invalid intent).
    """
    with _inside(project) as warnings:
        try:
            recording = run_program(
                lambda: _run_user_program(project),
                preview=preview,
                project=project.name,
                stack=project.stack or "stack",
            )
        except (SmiError, ProgramFailed):
            raise
        except Exception as exc:  # raised inside an apply, after the program's body returned
            raise _failure(exc, project) from None
    names = {r.urn: r.name for r in recording.resources}
    # Log messages arrive in asyncio scheduling order; sorted, the output is deterministic.
    logged = sorted(warnings.messages)
    return Rendering(
        [_describe(r, names) for r in recording.resources], [*project.warnings, *logged]
    )


def render_project(
    project: str | Path,
    *,
    output: str = "json",
    preview: bool = False,
    stack: str | None = None,
    config: Sequence[str] = (),
) -> str:
    """Every resource the program in ``project`` registers: JSON, a YAML stream or a table.

    ``stack`` and ``config`` (``key=value`` overrides) choose the configuration
    (:func:`load_project`). In preview (``preview=True``) unknown outputs stay unknown:
    null in JSON and YAML, ``(unknown)`` in the table.
    """
    if output not in OUTPUTS:
        raise SmiError(f"unknown output {shown(output)}: one of {', '.join(OUTPUTS)}")
    return format_rendering(
        run_project(load_project(project, stack, config), preview=preview), output
    )


def format_rendering(rendering: Rendering, output: str) -> str:
    """``rendering`` as ``json`` (resources, warnings), ``yaml`` (resources) or ``table``."""
    if output == "yaml":
        return dump_yaml(rendering.resources)
    if output == "table":
        return render_table(rendering.resources, rendering.warnings)
    document = {"resources": rendering.resources, "warnings": rendering.warnings}
    return pretty_json(document) + "\n"
