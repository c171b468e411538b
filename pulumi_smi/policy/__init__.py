"""Policy rules for pulumi-smi's policy pack, as pure functions (no pulumi, no pulumi_policy).

Four policies (:data:`~.rules.POLICIES`), each a check of one resource as the engine shows
it to a policy pack (a ``ResourceValidationArgs``-shaped object: ``resource_type``, ``props``,
``urn``, ``name``, ``get_config()``), returning :class:`~.subject.Findings`:

- ``smi-mtls-required`` (mandatory): :mod:`.mtls`;
- ``smi-no-wildcard-principals`` (mandatory): :mod:`.wildcards`;
- ``smi-max-canary-step`` (mandatory): :mod:`.canary`, against a configured baseline;
- ``smi-appmesh-deprecated`` (advisory): :mod:`.deprecation`.

:mod:`.pack` (needs ``pulumi-smi[policy]``) wraps them into ``pulumi_policy`` policies; the
pack itself is ``policy_pack/`` at the repository root.
"""

from .canary import Baseline, BaselineError, canary_findings, load_baseline, parse_baseline
from .deprecation import appmesh_findings
from .mtls import mtls_findings
from .rules import (
    POLICIES,
    PolicySpec,
    appmesh_deprecated,
    max_canary_step,
    mtls_required,
    no_wildcard_principals,
)
from .subject import Findings, Subject, ValidationArgs, Violation, plain
from .wildcards import wildcard_findings

__all__ = [
    "POLICIES",
    "Baseline",
    "BaselineError",
    "Findings",
    "PolicySpec",
    "Subject",
    "ValidationArgs",
    "Violation",
    "appmesh_deprecated",
    "appmesh_findings",
    "canary_findings",
    "load_baseline",
    "max_canary_step",
    "mtls_findings",
    "mtls_required",
    "no_wildcard_principals",
    "parse_baseline",
    "plain",
    "wildcard_findings",
]
