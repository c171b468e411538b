"""Target ``smi``: the SMI objects themselves, in their newest versions.

For SMI implementations (Open Service Mesh and the like), and to upgrade old
SMI YAML: every version goes in, the newest comes out.
"""

from __future__ import annotations

from typing import Any

from ..plan import Plan, PlanWarning, Resource
from ..spec.models import HTTPRouteGroup, SmiObject, TCPRoute, TrafficSplit, TrafficTarget, UDPRoute
from ..spec.specset import SpecSet
from .base import Namer, TargetOptions
from .kube import manifest_resource, object_metadata


class SmiOptions(TargetOptions):
    """Options of the ``smi`` target (none beyond the common ones)."""


def translate(specs: SpecSet, options: SmiOptions, namer: Namer) -> Plan:
    """One SMI object of the newest version for every input object."""
    resources: list[Resource] = []
    warnings: list[PlanWarning] = []
    for obj in specs.objects():
        spec = _spec(obj)
        if isinstance(obj, HTTPRouteGroup) and any(m.headers for m in obj.spec.matches):
            warnings.append(
                PlanWarning(
                    f"HTTPRouteGroup {obj.metadata.namespace}/{obj.metadata.name}: headers are "
                    "written in the CRD's list-of-maps form; controllers built on smi-sdk-go "
                    "decode only the map form (smi-spec#233)",
                    obj.key,
                )
            )
        resources.append(
            manifest_resource(
                namer(obj.key, obj.KIND.lower()),
                obj.API_VERSION,
                obj.KIND,
                object_metadata(obj.metadata.name, obj.metadata.namespace, obj.metadata),
                spec,
                obj.key,
            )
        )
    return Plan(tuple(resources), tuple(warnings))


def _spec(obj: SmiObject) -> dict[str, Any]:
    if isinstance(obj, TrafficSplit):
        spec: dict[str, Any] = {
            "service": obj.spec.service,
            "backends": [{"service": b.service, "weight": b.weight} for b in obj.spec.backends],
        }
        if obj.spec.matches:
            spec["matches"] = [{"kind": m.kind, "name": m.name} for m in obj.spec.matches]
        return spec
    if isinstance(obj, HTTPRouteGroup):
        matches = []
        for match in obj.spec.matches:
            item: dict[str, Any] = {"name": match.name}
            if match.methods:
                item["methods"] = list(match.methods)
            if match.path_regex is not None:
                item["pathRegex"] = match.path_regex
            if match.headers:
                item["headers"] = [{name: regex} for name, regex in match.headers.items()]
            matches.append(item)
        return {"matches": matches}
    if isinstance(obj, (TCPRoute, UDPRoute)):
        return {"matches": {"ports": list(obj.spec.matches.ports)}}
    assert isinstance(obj, TrafficTarget)
    return {
        "destination": obj.spec.destination.model_dump(exclude_none=True),
        "sources": [s.model_dump(exclude_none=True) for s in obj.spec.sources],
        "rules": [
            {
                "kind": r.kind,
                "name": r.name,
                **(
                    {"matches": list(r.matches)} if r.matches and r.kind == "HTTPRouteGroup" else {}
                ),
            }
            for r in obj.spec.rules
        ],
    }
