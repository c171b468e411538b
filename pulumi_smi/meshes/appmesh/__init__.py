"""Target ``appmesh``: SMI -> AWS App Mesh through pulumi-aws (deprecated: end of support
2026-09-30; prefer ``vpc-lattice``).

Resources (pulumi-aws tokens, engine camelCase inputs, ``${name.output}`` references):
``Mesh`` (created unless an existing one is named), a ``VirtualNode`` per Service involved
(:mod:`.nodes`), a ``VirtualRouter`` + ``Route``\\ s + ``VirtualService`` per split apex
(:mod:`.routes`), and TrafficTargets, read through the access model, as egress allow-lists
on the callers' VirtualNodes (:mod:`.access`; every known workload of a namespace they name
gets a VirtualNode), given only where a backend allows exactly what SMI allows
(:mod:`.grants`; otherwise the option ``inexpressible`` decides), and with the option
``mtls_trust_domain`` STRICT listener mTLS naming the allowed sources (:mod:`.mtls`). Every
plan carries the deprecation warning once (owner None, so every component shows it).
A split backend served outside the mesh (an ExternalName Service) is a weighted target whose
VirtualNode ``<backend>_<namespace>`` resolves the remote host by DNS (:mod:`.remote`).
"""

from __future__ import annotations

from ...plan import Plan, PlanWarning
from ...spec.specset import SpecSet
from ..base import Namer
from .access import translate_targets
from .nodes import Builder
from .options import DEPRECATION, END_OF_SUPPORT, AppMeshOptions
from .routes import translate_splits


def translate(specs: SpecSet, options: AppMeshOptions, namer: Namer) -> Plan:
    """Translate every TrafficSplit and TrafficTarget in ``specs`` for AWS App Mesh."""
    options.check()
    builder = Builder(specs, options=options, namer=namer)
    builder.warnings.append(PlanWarning(DEPRECATION))
    if specs.traffic_splits or specs.traffic_targets:
        builder.mesh_properties()
    translate_splits(builder)
    with builder.collecting():
        translate_targets(builder)
    return builder.plan()


__all__ = ["END_OF_SUPPORT", "AppMeshOptions", "translate"]
