"""Access rules a target cannot express exactly: refused, or left out with a warning.

The option ``inexpressible`` (:class:`~pulumi_smi.meshes.base.AccessOptions`) chooses: ``error``
(the default) refuses the input with a problem located at the TrafficTarget rule; ``narrow``
leaves the rule out, so the mesh allows less than SMI (never more), with one warning naming the
TrafficTarget and the rule. Both texts are built here, so the targets using them (vpc-lattice,
appmesh) word them alike.
"""

from __future__ import annotations

from ..errors import Problem
from ..plan import PlanWarning
from ..spec.models import TrafficTarget
from ..spec.specset import SpecSet
from .access_model import Identity


def refusal(specs: SpecSet, target: TrafficTarget, where: str, why: str) -> Problem:
    """The located problem for a rule (field path ``where``) the mesh cannot express (``why``)."""
    return specs.problem(
        target.key,
        where,
        f"{why}; the option inexpressible=narrow leaves the rule out instead (allowing less "
        "than SMI)",
    )


def narrowing(target: TrafficTarget, where: str, why: str, mesh: str) -> PlanWarning:
    """The warning for a rule left out under ``inexpressible=narrow`` (``mesh``: the target)."""
    key = target.key
    return PlanWarning(
        f"TrafficTarget {key.namespace}/{key.name}: {where}: {why}; left out "
        f"(inexpressible=narrow): {mesh} allows less than SMI here",
        key,
    )


def source_path(target: TrafficTarget, source: Identity) -> str:
    """``spec.sources[i]``: the first source of ``target`` naming the ServiceAccount ``source``."""
    namespace = target.metadata.namespace
    for index, ref in enumerate(target.spec.sources):
        if (ref.namespace or namespace, ref.name) == (source.namespace, source.name):
            return f"spec.sources[{index}]"
    return "spec.sources"
