"""The safety net: an SMI object that produces no resource is never silent.

After a translation, every TrafficSplit and TrafficTarget of the input must be accounted
for by the Plan: it owns a resource, or a warning names it (``PlanWarning.owner``). Some
resources stand for several objects, and count for each of them:

* the splits of one apex Service are merged into one routing object per mesh, attributed
  to one of them (:attr:`..splits.ApexRouting.owner`): a resource owned by any split of the
  apex counts for all of them;
* what a mesh enforces per destination identity (Consul ServiceIntentions merging every
  TrafficTarget of it, Linkerd Servers) is owned by the destination ServiceAccount; what it
  enforces per Service (App Mesh VirtualServices, Lattice auth policies) by a Service
  selecting the destination's pods, or by a split whose apex or backend is one: those count
  for every TrafficTarget of that destination.

Any other object gets a warning saying that it produced nothing — a translator bug to
report, but never a silent exit 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from ..plan import Plan, PlanWarning
from ..spec.models import ObjectKey, SmiObject, TrafficSplit, TrafficTarget
from ..spec.specset import SpecSet
from .access import selecting_services
from .base import service_account_owner, service_owner


def silent_objects(specs: SpecSet, plan: Plan) -> list[SmiObject]:
    """The TrafficSplits and TrafficTargets of ``specs`` that ``plan`` does not account for."""
    owners = {r.owner for r in plan.resources if r.owner is not None}
    named = {w.owner for w in plan.warnings if isinstance(w, PlanWarning) and w.owner}
    accounted = owners | named
    apexes = {_apex(s) for s in specs.traffic_splits if s.key in owners}
    silent: list[SmiObject] = []
    for split in specs.traffic_splits:
        if split.key not in accounted and _apex(split) not in apexes:
            silent.append(split)
    splits = _splits_by_service(specs)
    for target in specs.traffic_targets:
        if target.key in accounted:
            continue
        if not _shared_owners(specs, target, splits) & owners:
            silent.append(target)
    return silent


def silence_warnings(specs: SpecSet, plan: Plan, target: str) -> list[PlanWarning]:
    """A warning naming each object ``plan`` does not account for (see the module)."""
    return [
        PlanWarning(
            f"{obj.KIND} {obj.metadata.namespace}/{obj.metadata.name} produced no resource on "
            f"{target}: nothing in the plan translates it and no warning says why (a "
            "pulumi-smi bug: please report it with the input)",
            obj.key,
        )
        for obj in silent_objects(specs, plan)
    ]


def _apex(split: TrafficSplit) -> tuple[str, str]:
    return (split.metadata.namespace, split.spec.service)


def _splits_by_service(specs: SpecSet) -> dict[tuple[str, str], set[ObjectKey]]:
    """The TrafficSplits naming each (namespace, Service), as apex or backend: indexed once,
    so that each TrafficTarget looks up its destination's Services instead of scanning every
    split of the namespace."""
    found: dict[tuple[str, str], set[ObjectKey]] = defaultdict(set)
    for split in specs.traffic_splits:
        namespace = split.metadata.namespace
        for service in (split.spec.service, *(b.service for b in split.spec.backends)):
            found[(namespace, service)].add(split.key)
    return found


def _shared_owners(
    specs: SpecSet, target: TrafficTarget, splits: Mapping[tuple[str, str], set[ObjectKey]]
) -> set[ObjectKey]:
    """The owners of resources shared by every TrafficTarget of this destination
    (``splits``: :func:`_splits_by_service`)."""
    destination = target.spec.destination
    namespace = destination.namespace or target.metadata.namespace
    services = _services(specs, namespace, destination.name)
    found = {service_account_owner(namespace, destination.name)}
    found |= {service_owner(namespace, name) for name in services}
    for name in services:
        found |= splits.get((namespace, name), set())
    return found


def _services(specs: SpecSet, namespace: str, service_account: str) -> set[str]:
    """The names of the Services selecting the pods that run as the ServiceAccount."""
    workloads = specs.catalogue.workloads_of(namespace, service_account)
    return {s.name for s in selecting_services(specs.catalogue, namespace, workloads)}
