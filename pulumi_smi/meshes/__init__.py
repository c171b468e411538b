"""Pure translators, one module per target: ``(SpecSet, options) -> Plan``. No Pulumi import."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ..errors import Problem, SmiValidationError, UnsupportedTargetError, shown
from ..plan import Plan
from ..spec.specset import SpecSet
from .base import MeshKind, Namer, TargetOptions, default_namer
from .coverage import silence_warnings


@dataclass(frozen=True)
class Target:
    """A supported mesh: its options model, its translator and its Pulumi provider package.

    The target's module (``pulumi_smi.meshes.<module>``) is imported on first use, so that a
    translation imports only the target it translates for.
    """

    kind: MeshKind
    module: str
    """The target's module under :mod:`pulumi_smi.meshes` (``istio``, ``vpc_lattice``)."""
    options_class: str
    """The name of its options model in that module."""
    package: str | None
    """The Pulumi provider package the resources need (``kubernetes``, ``aws``), or None when
    the module's ``provider_package`` function gives it from the options."""

    def _module(self) -> Any:
        return importlib.import_module(f"{__name__}.{self.module}")

    @property
    def options(self) -> type[TargetOptions]:
        """The target's options model."""
        model: type[TargetOptions] = getattr(self._module(), self.options_class)
        return model

    @property
    def translate(self) -> Callable[[SpecSet, Any, Namer], Plan]:
        """The translator: ``(specs, options, namer) -> Plan``."""
        translator: Callable[[SpecSet, Any, Namer], Plan] = self._module().translate
        return translator

    @property
    def provider_package(self) -> str | Callable[[Any], str]:
        """The Pulumi provider package the resources need (``kubernetes``, ``aws``, ``consul``),
        or a function of the target's options giving it."""
        if self.package is not None:
            return self.package
        function: Callable[[Any], str] = self._module().provider_package
        return function

    def package_for(self, options: TargetOptions) -> str:
        """The provider package for ``options``."""
        if callable(self.provider_package):
            return self.provider_package(options)
        return self.provider_package


TARGETS: dict[MeshKind, Target] = {
    MeshKind.SMI: Target(MeshKind.SMI, "smi", "SmiOptions", "kubernetes"),
    MeshKind.ISTIO: Target(MeshKind.ISTIO, "istio", "IstioOptions", "kubernetes"),
    MeshKind.LINKERD: Target(MeshKind.LINKERD, "linkerd", "LinkerdOptions", "kubernetes"),
    MeshKind.CONSUL: Target(MeshKind.CONSUL, "consul", "ConsulOptions", None),
    MeshKind.APPMESH: Target(MeshKind.APPMESH, "appmesh", "AppMeshOptions", "aws"),
    MeshKind.VPC_LATTICE: Target(MeshKind.VPC_LATTICE, "vpc_lattice", "LatticeOptions", "aws"),
    MeshKind.GATEWAY_API: Target(
        MeshKind.GATEWAY_API, "gateway_api", "GatewayApiOptions", "kubernetes"
    ),
}
"""The targets implemented so far."""


def target(kind: str | MeshKind) -> Target:
    """The :class:`Target` for ``kind``; :class:`UnsupportedTargetError` when there is none."""
    try:
        mesh = MeshKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in MeshKind)
        raise UnsupportedTargetError(f"unknown mesh {kind!r} (one of: {known})") from None
    if mesh not in TARGETS:
        ready = ", ".join(k.value for k in TARGETS)
        raise UnsupportedTargetError(
            f"mesh {mesh.value!r} is not supported yet (supported: {ready})"
        )
    return TARGETS[mesh]


def parse_options(
    kind: str | MeshKind, options: TargetOptions | Mapping[str, Any] | None, source: str = "options"
) -> TargetOptions:
    """Validate target options given as a model or a mapping of Python names to values."""
    model = target(kind).options
    if isinstance(options, model):
        return options
    if isinstance(options, TargetOptions):
        raise SmiValidationError(
            [Problem(f"{type(options).__name__} are not options of mesh {kind!s}", source)]
        )
    try:
        return model.model_validate(dict(options or {}))
    except ValidationError as exc:
        known = ", ".join(model.option_names())
        problems = [
            Problem(
                f"unknown option (known: {known})"
                if e["type"] == "extra_forbidden"
                else _option_message(e),
                source,
                path=_option_path(e["loc"]),
            )
            for e in exc.errors()
        ]
        raise SmiValidationError(problems) from None


def _option_path(loc: tuple[int | str, ...]) -> str:
    """An option's field path: ``subsets.reviews-v2``, ``probe_paths[1]`` (no pydantic steps
    such as ``[key]`` or union tags)."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "[key]" and not part.endswith("]"):
            path += f".{part}" if path else part
    return path


def _option_message(error: Mapping[str, Any]) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    if error["type"] != "value_error" and isinstance(value, (str, int, float, bool)):
        return f"{message}, got {shown(value)}"
    return message


def translate(
    specs: SpecSet,
    mesh: str | MeshKind,
    options: TargetOptions | Mapping[str, Any] | None = None,
    namer: Namer = default_namer,
) -> Plan:
    """Translate ``specs`` for ``mesh``; the loader's warnings come first in the Plan.

    No SMI object is silent: a TrafficSplit or TrafficTarget the translation accounts for
    with neither a resource nor a warning gets a warning naming it (:mod:`.coverage`).
    """
    chosen = target(mesh)
    plan = chosen.translate(specs, parse_options(mesh, options), namer)
    silence = silence_warnings(specs, plan, chosen.kind.value)
    return Plan(plan.resources, specs.warnings + plan.warnings + tuple(silence))


__all__ = [
    "TARGETS",
    "MeshKind",
    "Namer",
    "Target",
    "TargetOptions",
    "default_namer",
    "parse_options",
    "target",
    "translate",
]
