"""The pack's policies as plain data: name, description, default enforcement level, config
schema and check — each check a function of a ``ResourceValidationArgs``-shaped object.

:mod:`pulumi_smi.policy.pack` wraps :data:`POLICIES` into ``pulumi_policy`` objects; tests call
the checks directly. Every policy takes ``exclude`` (glob patterns of logical names,
``<namespace>/<name>`` of Kubernetes objects or ``name`` inputs): matching resources are not
judged. The enforcement level of each is the pack config's ``enforcementLevel`` (``advisory``,
``mandatory``, ``disabled``), else the default here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .canary import (
    DEFAULT_MAX_STEP,
    BaselineError,
    canary_findings,
    carries_weights,
    load_baseline,
    max_step_of,
)
from .deprecation import END_OF_SUPPORT, appmesh_findings
from .mtls import mtls_findings
from .subject import NOTHING, Findings, Subject, ValidationArgs, excluded
from .wildcards import wildcard_findings

MANDATORY, ADVISORY = "mandatory", "advisory"
EXCLUDE_SCHEMA: Mapping[str, Any] = {
    "type": "array",
    "items": {"type": "string"},
    "description": "Glob patterns of resources not to judge: logical names, "
    "<namespace>/<name> of Kubernetes objects, or name inputs (AWS, Consul).",
}


@dataclass(frozen=True)
class PolicySpec:
    """One policy of the pack, independent of pulumi_policy."""

    name: str
    description: str
    enforcement: str
    """``mandatory`` or ``advisory``: the default, which the pack config may override."""
    config_schema: Mapping[str, Mapping[str, Any]]
    """JSON schema of each config property (``enforcementLevel`` is implicit)."""
    check: Callable[[ValidationArgs], Findings]


def _judged(args: ValidationArgs, rule: Callable[[Subject], Findings]) -> Findings:
    subject = Subject.of(args)
    if excluded(subject, args.get_config().get("exclude")):
        return NOTHING
    return rule(subject)


def mtls_required(args: ValidationArgs) -> Findings:
    """Policy ``smi-mtls-required`` on one resource."""
    return _judged(args, mtls_findings)


def no_wildcard_principals(args: ValidationArgs) -> Findings:
    """Policy ``smi-no-wildcard-principals`` on one resource."""
    return _judged(args, wildcard_findings)


def appmesh_deprecated(args: ValidationArgs) -> Findings:
    """Policy ``smi-appmesh-deprecated`` on one resource."""
    return _judged(args, appmesh_findings)


def max_canary_step(args: ValidationArgs) -> Findings:
    """Policy ``smi-max-canary-step`` on one resource (config ``maxStep``, ``baseline``)."""
    config = args.get_config()

    def rule(subject: Subject) -> Findings:
        if not carries_weights(subject):
            return NOTHING
        try:
            step = max_step_of(config.get("maxStep", DEFAULT_MAX_STEP))
        except ValueError as exc:
            return Findings.of([f"{subject.describe()}: config of smi-max-canary-step: {exc}"])
        path = config.get("baseline")
        if not path:
            return canary_findings(subject, None, step)
        try:
            baseline = load_baseline(str(path))
        except BaselineError as exc:
            return Findings.of([f"{subject.describe()}: {exc}"])
        return canary_findings(subject, baseline, step)

    return _judged(args, rule)


POLICIES: tuple[PolicySpec, ...] = (
    PolicySpec(
        "smi-mtls-required",
        "Mesh traffic must be mutual TLS wherever the mesh supports it (VPC Lattice has none).",
        MANDATORY,
        {"exclude": EXCLUDE_SCHEMA},
        mtls_required,
    ),
    PolicySpec(
        "smi-no-wildcard-principals",
        "Access must be granted to named identities, never to '*' (any caller).",
        MANDATORY,
        {"exclude": EXCLUDE_SCHEMA},
        no_wildcard_principals,
    ),
    PolicySpec(
        "smi-max-canary-step",
        "No backend's share of a route may move more than maxStep percentage points in one "
        "update (compared with the configured baseline, the last deployment).",
        MANDATORY,
        {
            "maxStep": {
                "type": "number",
                "minimum": 0,
                "maximum": 100,
                "default": DEFAULT_MAX_STEP,
                "description": "The most percentage points a backend's share may move.",
            },
            "baseline": {
                "type": "string",
                "description": "Path of a `pulumi stack export` of the last deployment (or a "
                "`pulumi-smi render -o json` output); absolute, or relative to the working "
                "directory of the pack's process.",
            },
            "exclude": EXCLUDE_SCHEMA,
        },
        max_canary_step,
    ),
    PolicySpec(
        "smi-appmesh-deprecated",
        f"AWS App Mesh reaches end of support on {END_OF_SUPPORT}: migrate to VPC Lattice.",
        ADVISORY,
        {"exclude": EXCLUDE_SCHEMA},
        appmesh_deprecated,
    ),
)
"""Every policy of the pack, in the order the pack lists them."""
