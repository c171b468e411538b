"""Identity folding in open-source Consul: one service name for two Kubernetes namespaces.

Open-source Consul has one namespace: consul-k8s registers the pods of Service ``a/web`` and
of Service ``b/web`` both as service ``web``, and an intention naming ``web`` covers both. So a
Consul name stands for every identity it is the name of, in any namespace:

* each SMI identity (a destination, or a source of any TrafficTarget) whose Consul name it is
  (:mod:`.intentions_identity`);
* the pods of each catalogue Service of that name (with a selector) in a namespace where no SMI
  identity has the name: consul-k8s registers them as that service too, though no TrafficTarget
  allows anything for them.

A name standing for two or more of those is *folded*. A folded name is an error (with
``enterprise=false``) when it could widen access: when an intention allows something from it
(it is a source that a TrafficTarget allows) or to it (it is a destination with an allowed
source) — allowing one of its identities would allow the others — or when two destinations of
different namespaces need its one ServiceIntentions. There is one error per folded name,
located at its first such use (destinations in order, each before the sources of its
TrafficTargets), naming every identity it stands for and pointing to ``enterprise=true``
(Consul Enterprise with namespace mirroring, where each Kubernetes namespace is a Consul
namespace and nothing folds). A folded name no intention allows anything for widens nothing: it
is no error, and only a warning when it is the destination of an entry that denies every caller
(the deny also reaches the other identities, to which SMI allows nothing either).
Two ServiceAccounts of one namespace with one Consul name are refused earlier, by the identity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ...errors import Problem
from ...plan import PlanWarning
from ...spec.catalogue import Catalogue
from ...spec.models import ObjectKey
from ...spec.specset import SpecSet
from ..access_model import Identity


@dataclass(frozen=True)
class Use:
    """A Consul service name an intention allows something from or to, and the field to blame."""

    name: str
    key: ObjectKey
    """The TrafficTarget."""
    path: str
    """``spec.destination.name`` or ``spec.sources[i].name``."""
    allows: bool = True
    """False for the destination of an entry that allows no source (it denies every caller)."""


def folding(
    specs: SpecSet, names: Mapping[Identity, str], uses: Sequence[Use]
) -> tuple[list[Problem], list[PlanWarning]]:
    """One problem (or warning) per folded Consul name that ``uses`` use (see the module doc).

    ``names`` maps every SMI identity of the input to its Consul service name.
    """
    holders = _holders(specs.catalogue, names)
    problems: dict[str, Problem] = {}
    warnings: dict[str, PlanWarning] = {}
    for use in (u for u in uses if u.allows):
        who = holders.get(use.name, [])
        if len(who) > 1 and use.name not in problems:
            problems[use.name] = specs.problem(
                use.key,
                use.path,
                f"open-source Consul has one namespace, so {_listed(who)} are all Consul service "
                f"{use.name}: Consul cannot tell them apart, and an intention allowing one of "
                "them would allow the others too; set enterprise=true (Consul Enterprise with "
                "namespace mirroring keeps each Kubernetes namespace apart), or give them "
                "distinct names",
            )
    for use in (u for u in uses if not u.allows):
        who = holders.get(use.name, [])
        if len(who) > 1 and use.name not in problems and use.name not in warnings:
            warnings[use.name] = PlanWarning(
                f"ServiceIntentions {use.name} denies every caller, and in open-source Consul, "
                f"which has one namespace, {_listed(who)} are all Consul service {use.name}: "
                "the deny applies to all of them (set enterprise=true with namespace mirroring "
                "to keep them apart)",
                use.key,
            )
    return list(problems.values()), list(warnings.values())


def _holders(catalogue: Catalogue, names: Mapping[Identity, str]) -> dict[str, list[str]]:
    """Every identity each Consul name stands for, described for messages."""
    by_name: dict[str, list[Identity]] = defaultdict(list)
    for identity, name in sorted(names.items()):
        by_name[name].append(identity)
    holders: dict[str, list[str]] = {}
    for name, identities in by_name.items():
        namespaces = {i.namespace for i in identities}
        services = sorted(
            s.namespace
            for s in catalogue.services_named(name)
            if s.selector and s.namespace not in namespaces
        )
        holders[name] = [f"ServiceAccount {i}" for i in identities] + [
            f"the pods of Service {ns}/{name}" for ns in services
        ]
    return holders


def _listed(who: list[str]) -> str:
    return ", ".join(who[:-1]) + f" and {who[-1]}"
