"""What the multi-language components register as outputs, read from the Python component.

Every SMI-object component registers its children per mesh (``resourceNames``, ``urns``),
the ARN of every AWS child (``arns``) and the DNS name of every VPC Lattice service
(``latticeDnsNames``): :func:`registered`. A TrafficSplit adds each backend's share of the
traffic (``shares``): :func:`split_shares`. The components declare these outputs in their
own class bodies, where the analyzer reads their descriptions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import pulumi

from .. import components as python
from ..meshes.vpc_lattice import SERVICE as LATTICE_SERVICE
from ..review import DEFAULT_RULE, traffic_shares


def registered(component: python.SmiComponent) -> dict[str, Any]:
    """The outputs every SMI-object component has: its children per mesh."""
    names = {mesh: [r.name for r in plan] for mesh, plan in component.plans.items()}
    urns = {
        mesh: [component.resources[name].urn for name in listed] for mesh, listed in names.items()
    }
    arns: dict[str, Any] = {}
    dns_names: dict[str, Any] = {}
    for plan in component.plans.values():
        for resource in plan:
            child = component.resources[resource.name]
            if resource.type.startswith("aws:") and hasattr(child, "arn"):
                arns[resource.name] = child.arn
            if resource.type == LATTICE_SERVICE:
                entries: pulumi.Output[Any] = child.dns_entries  # type: ignore[attr-defined]
                dns_names[str(resource.properties["name"])] = entries.apply(_domain_name)
    return {
        "resourceNames": names,
        "urns": pulumi.Output.from_input(urns),
        "arns": pulumi.Output.from_input(arns),
        "latticeDnsNames": pulumi.Output.from_input(dns_names),
    }


def _domain_name(entries: Any) -> str:
    """The first DNS name of a Lattice service's ``dnsEntries`` ("" before it has one)."""
    for entry in entries or ():
        name = getattr(entry, "domain_name", None)
        if name is None and isinstance(entry, Mapping):
            name = entry.get("domainName")
        if name:
            return str(name)
    return ""


def split_shares(
    split: python.TrafficSplit, meshes: Sequence[python.Mesh]
) -> dict[str, dict[str, float]]:
    """Per mesh, each backend's percentage of the split's traffic, read from the objects
    registered (as ``pulumi-smi render -o table`` reads them): the rule of the matches when
    the split has matches, else the apex's default rule."""
    found: dict[str, dict[str, float]] = {}
    narrowed = bool(split.spec.spec.matches)
    for mesh in meshes:
        plan = split.plans[mesh.mesh_resource_name]
        # The shared resources the split's objects refer to (Lattice target groups, App Mesh
        # virtual nodes), to name the backends by them.
        shared = mesh._shared_plans.values()
        listed = [r.to_dict() for r in (*plan, *shared)]
        own = {r.name for r in plan}
        shares = [
            s
            for s in traffic_shares(listed)
            if s.source in own and (s.rule != DEFAULT_RULE) == narrowed
        ]
        first = shares[0] if shares else None
        percentages: dict[str, Fraction] = {}
        for share in shares:
            if (share.apex, share.port, share.rule) != (first.apex, first.port, first.rule):  # type: ignore[union-attr]
                continue
            if share.fraction is not None:
                percentages[share.backend] = percentages.get(share.backend, Fraction(0)) + (
                    share.fraction * 100
                )
        found[mesh.mesh_resource_name] = {b: float(p) for b, p in percentages.items()}
    return found
