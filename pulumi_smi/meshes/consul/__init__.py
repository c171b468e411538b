"""Target ``consul``: config entries for splits and intentions, as CRDs or via pulumi-consul.

``mode=crd`` (default) writes consul.hashicorp.com/v1alpha1 objects that consul-k8s turns
into config entries; ``mode=config-entry`` writes the same entries straight to a Consul
datacenter with pulumi-consul (``pip install 'pulumi-smi[consul]'``) — for VMs, or where
Kubernetes is not the writer. One writer per entry: consul-k8s refuses to manage an entry
another tool wrote, and the other way round.

Remote backends (:mod:`.remote`): one served by another Consul datacenter, peer or partition
is a ServiceResolver ``redirect`` named after it; one known only by a host is a service linked
to the TerminatingGateway ``terminating_gateway``, which the user registers in the catalog.
"""

from __future__ import annotations

from ...errors import TranslationError
from ...plan import Plan, Resource
from ...spec.specset import SpecSet
from ..base import Namer, service_owner
from ..plan_builder import PlanBuilder
from .entries import Entry, emit
from .intentions import intention_entries
from .options import ConsulOptions
from .splits import split_entries


def provider_package(options: ConsulOptions) -> str:
    """``kubernetes`` for CRDs, ``consul`` for config entries written to the datacenter."""
    return "kubernetes" if options.mode == "crd" else "consul"


def translate(specs: SpecSet, options: ConsulOptions, namer: Namer) -> Plan:
    """Translate every TrafficSplit and TrafficTarget in ``specs`` for Consul."""
    b = PlanBuilder(specs)
    splits = split_entries(b, options)
    with b.collecting():
        intentions, intention_warnings, http_services = intention_entries(specs, options)
    if b.problems:
        return b.plan()  # raises them all
    protocols = dict(splits.protocols)
    for key in sorted(http_services):
        protocols.setdefault(key, "http")
    defaults = [
        Entry(
            "ServiceDefaults",
            name,
            ns,
            {"protocol": protocol},
            service_owner(ns, name),
            "servicedefaults",
        )
        for (ns, name), protocol in sorted(protocols.items())
    ]
    with b.collecting():
        _check_global_names(specs, [*defaults, *splits.entries, *intentions], options)
    resources: list[Resource] = [emit(e, options, namer) for e in defaults]
    by_service = {(e.namespace, e.name): r.name for e, r in zip(defaults, resources, strict=True)}
    emitted = [(entry, emit(entry, options, namer)) for entry in [*splits.entries, *intentions]]
    by_entry = {(e.kind, e.namespace, e.name): r.name for e, r in emitted}
    for entry, resource in emitted:
        # Consul refuses routing entries and L7 intentions for a service that is not HTTP yet.
        if entry.kind == "ServiceIntentions":
            own = by_service.get((entry.namespace, entry.name))
            needs: tuple[str, ...] = (
                (own,) if own and (entry.namespace, entry.name) in http_services else ()
            )
        elif entry.kind == "TerminatingGateway":  # no routing: it needs no protocol
            needs = ()
        else:  # and traffic goes through a redirect or the gateway only once it is written
            chain = sorted({(entry.namespace, s) for s in _chain(entry)} & by_service.keys())
            needs = (*(by_service[k] for k in chain), *(by_entry[k] for k in entry.after))
        resources.append(
            Resource(resource.type, resource.name, resource.properties, needs, resource.owner)
        )
    b.include(resources, splits.warnings + intention_warnings)
    return b.plan()


def _chain(entry: Entry) -> list[str]:
    """The services (of ``entry``'s namespace) whose ServiceDefaults must exist before it:
    its own and the ones its splits or routes send traffic to.

    Writing an entry, Consul compiles the discovery chains it is part of and refuses it when
    their services' protocols differ, a service without ServiceDefaults being tcp ("discovery
    chain ... uses inconsistent protocols"; Consul's "cannot split to a service using tcp",
    "cannot route to a service using tcp"). Services further down a chain (the backends of a
    route's own splitter) are the dependencies of the entry sending traffic to them, so every
    order the dependencies allow compiles; other services of the namespace are not needed.
    """
    services = [entry.name]
    if entry.kind == "ServiceSplitter":
        services += [split["service"] for split in entry.spec["splits"]]
    elif entry.kind == "ServiceRouter":
        services += [route["destination"]["service"] for route in entry.spec["routes"]]
    return services


def _check_global_names(specs: SpecSet, entries: list[Entry], options: ConsulOptions) -> None:
    """Open-source Consul has one namespace: an entry name used from two namespaces clashes."""
    if options.enterprise:
        return
    seen: dict[tuple[str, str], Entry] = {}
    problems = []
    for entry in entries:
        first = seen.setdefault((entry.kind, entry.name), entry)
        if first.namespace != entry.namespace:
            problems.append(
                specs.problem(
                    entry.owner
                    if entry.owner.kind not in ("Service", "Namespace")
                    else first.owner,
                    "metadata.namespace",
                    f"Consul {entry.kind} {entry.name!r} is needed in namespaces "
                    f"{first.namespace!r} and {entry.namespace!r}, but open-source Consul has one "
                    "namespace: rename one, or set enterprise=true (namespace mirroring)",
                )
            )
    if problems:
        raise TranslationError(problems)


__all__ = ["ConsulOptions", "provider_package", "translate"]
