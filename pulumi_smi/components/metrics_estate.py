"""What a TrafficMetrics measures: the SMI objects and catalogue it is given, and the resources
of the mesh's other components that its CloudWatch metrics name (vpc-lattice)."""

from __future__ import annotations

import dataclasses
import glob
import os
from collections.abc import Sequence
from typing import Any

import pulumi

from ..errors import Problem, raise_if_any
from ..meshes import translate
from ..meshes.vpc_lattice import SERVICE as LATTICE_SERVICE
from ..plan import Plan
from ..spec.loader import load_files
from ..spec.models import ObjectKey, SmiObject
from ..spec.specset import SpecSet
from .base import SmiComponent
from .mesh import Mesh


def paths(source: str, files: Sequence[str | os.PathLike[str]]) -> list[str]:
    """The files ``files`` names (paths or glob patterns; each pattern must match a file)."""
    found: list[str] = []
    missing: list[Problem] = []
    for index, given in enumerate(files):
        pattern = os.fspath(given)
        matched = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not matched:
            missing.append(Problem(f"no file matches {pattern!r}", source, path=f"files[{index}]"))
        found.extend(matched)
    raise_if_any(missing)
    return found


def estate(
    source: str, mesh: Mesh, files: Sequence[str], components: Sequence[SmiComponent]
) -> SpecSet:
    """The files' SMI objects and the components', with the mesh's catalogue (the files'
    Services and workloads winning, as a component's own catalogue does).

    References between the objects are not checked here (a split's route groups need not be
    given to alert on its objective); the vpc-lattice translation checks what it reads.
    """
    loaded = load_files(files) if files else SpecSet()
    objects: dict[ObjectKey, SmiObject] = {o.key: o for o in loaded.objects()}
    problems: list[Problem] = []
    for index, component in enumerate(components):
        spec: SmiObject | None = getattr(component, "spec", None)
        name = component.pulumi_resource_name
        if spec is None:
            message = (
                f"{type(component).__name__} {name} keeps no SMI object of its own: give its "
                "files in files="
            )
            problems.append(Problem(message, source, path=f"components[{index}]"))
        elif spec.key in objects and objects[spec.key] != spec:
            message = (
                f"{spec.KIND} {spec.key.namespace}/{spec.key.name} is also in files, differently"
            )
            problems.append(Problem(message, source, path=f"components[{index}]"))
        elif mesh.mesh_resource_name not in getattr(component, "plans", {}):
            message = f"{type(component).__name__} {name} is not on mesh {mesh.mesh_resource_name}"
            problems.append(Problem(message, source, path=f"components[{index}]"))
        else:
            objects[spec.key] = spec
    raise_if_any(problems)
    ordered = [objects[k] for k in sorted(objects, key=lambda k: (k.namespace, k.name))]

    def of(kind: str) -> tuple[Any, ...]:
        return tuple(o for o in ordered if o.key.kind == kind)

    return dataclasses.replace(
        loaded,
        traffic_splits=of("TrafficSplit"),
        traffic_targets=of("TrafficTarget"),
        http_route_groups=of("HTTPRouteGroup"),
        tcp_routes=of("TCPRoute"),
        udp_routes=of("UDPRoute"),
        catalogue=mesh.catalogue.merged(loaded.catalogue),
    )


def external_resources(
    source: str, mesh: Mesh, specs: SpecSet, plan: Plan
) -> dict[str, pulumi.Resource]:
    """The registered resources ``plan`` refers to but does not hold (vpc-lattice: the
    Lattice services and target groups of the translation, under the default namer).

    A shared one (a target group, the Lattice service of a Service) is the Mesh's
    ``<mesh>-<name>``; the Lattice service of a TrafficSplit is found by its Lattice name,
    whichever component registered it. One not registered (yet) is an error: the alarms
    would measure nothing.
    """
    if not plan.external:
        return {}
    translation = {r.name: r for r in translate(specs, mesh.kind, mesh.options)}
    found: dict[str, pulumi.Resource] = {}
    missing: list[str] = []
    for name in sorted(plan.external):
        shared = mesh.shared_resources.get(f"{mesh.mesh_resource_name}-{name}")
        planned = translation.get(name)
        own = None
        if planned is not None and planned.type == LATTICE_SERVICE:
            own = mesh.lattice_services.get(str(planned.properties["name"]))
        resource = shared or own
        if resource is None:
            missing.append(planned.type.rsplit(":", 1)[-1] + f" {name}" if planned else name)
        else:
            found[name] = resource
    if missing:
        message = (
            f"mesh {mesh.mesh_resource_name} has no {', '.join(missing)} registered: create "
            "the components of these SMI objects on it before this TrafficMetrics"
        )
        raise_if_any([Problem(message, source, path="components")])
    return found
