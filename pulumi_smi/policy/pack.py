"""The pack's policies as ``pulumi_policy`` objects: the only module importing pulumi_policy.

``pip install 'pulumi-smi[policy]'``; ``policy_pack/__main__.py`` serves
``PolicyPack("pulumi-smi", policies=policies())``. Each :class:`~.rules.PolicySpec` becomes a
``ResourceValidationPolicy`` whose validate runs the spec's check on the engine's
``ResourceValidationArgs`` and reports each violation, at the policy's enforcement level
(the spec's default, or the pack config's ``enforcementLevel``).

What a check could not judge (a value unknown in a preview, no baseline) is raised as
pulumi-policy's ``UnknownValueError``, the one channel it has for "this policy cannot
decide": the servicer turns it into an *advisory* diagnostic — ``can't run policy '<name>'
from policy pack 'pulumi-smi@v<version>' during preview: <our message>`` — whatever the
policy's own level, after the violations already reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationPolicy
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from .rules import POLICIES, PolicySpec

__all__ = ["policies"]


def _cannot_judge(messages: Sequence[str]) -> Exception:
    error = UnknownValueError(UNKNOWN_STRING_VALUE, [])
    error.message = "; ".join(messages)  # what the servicer prints (not str(error))
    raised: Exception = error
    return raised


def _validate(spec: PolicySpec) -> Callable[[Any, Callable[..., None]], None]:
    def validate(args: Any, report_violation: Callable[..., None]) -> None:
        findings = spec.check(args)
        for violation in findings.violations:
            report_violation(violation.message, violation.urn)
        if findings.unjudged:
            raise _cannot_judge(findings.unjudged)

    return validate


def policies(specs: Sequence[PolicySpec] = POLICIES) -> list[Any]:
    """``pulumi_policy.ResourceValidationPolicy`` objects for ``specs`` (all by default)."""
    return [
        ResourceValidationPolicy(
            name=spec.name,
            description=spec.description,
            validate=_validate(spec),
            enforcement_level=EnforcementLevel(spec.enforcement),
            config_schema=PolicyConfigSchema(
                properties={key: dict(schema) for key, schema in spec.config_schema.items()}
            ),
        )
        for spec in specs
    ]
