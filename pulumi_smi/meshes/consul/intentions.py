"""TrafficTarget -> Consul ServiceIntentions, one per destination service.

Decisions (the why of each is in the research notes, section 2.3):

* Identity: SMI's ServiceAccounts become Consul service names through the catalogue
  (:mod:`.intentions_identity`): the Service selecting the pods that run as the ServiceAccount.
  A ServiceAccount with no such Service, or an ambiguous one, is a TranslationError at
  ``spec.destination.name`` / ``spec.sources[i].name``; a Service named differently from the
  ServiceAccount is used with a warning (consul-k8s with ACLs requires them equal).
* One entry per destination service (consul-k8s admits one ServiceIntentions per destination),
  merging every TrafficTarget naming it: ``metadata.name`` = ``spec.destination.name`` = the
  service, in the destination's namespace, owned by ``service_account_owner(ns, sa)`` so every
  component registers it once. In open-source Consul names are datacenter-wide: the same
  destination from two Kubernetes namespaces is an error; a source name that Services in
  several namespaces share (or that merges sources from several namespaces) is a warning, since
  Consul cannot tell them apart. With ``enterprise`` (namespace mirroring) the destination and
  every source carry ``namespace``; ``partition`` is never set.
* Per source: L4 ``action: allow`` when its rules allow every request (a TCPRoute, or an HTTP
  match with no path, method or header condition), else L7 ``permissions``, one per SMI match,
  in input order, ending with a catch-all ``deny``. Never both: L4 and L7 for one source from
  *different* TrafficTargets is L4 (SMI's union); within one TrafficTarget a TCPRoute ANDs its
  ports with the HTTP rules, which leaves the HTTP rules (:mod:`.intentions_rules`; ports Consul
  cannot narrow are an error). UDPRoute rules are warnings: nothing is allowed.
* Default deny: a ``*`` source with ``action: deny`` last (exact names take precedence; with
  Enterprise ``namespace: "*"`` too, else it would cover the destination's namespace only). It
  does not cover an L7 source's unmatched requests: Consul sends those to the ACL default
  policy, which is *allow* without ACLs (``removeSourcePrecedence`` in Consul's
  ``agent/xds/rbac.go``). Hence the trailing catch-all deny permission (``pathRegex: .*``).
* L7 permissions need the destination's protocol to be HTTP (Consul refuses the entry
  otherwise): such services are returned in :attr:`IntentionEntries.http_services` for a
  ``ServiceDefaults protocol: http``; destinations with L4 sources only are not forced to http.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ...errors import Problem, TranslationError
from ...plan import PlanWarning
from ...spec.models import ObjectKey, TrafficTarget
from ...spec.specset import SpecSet
from ..access import Untranslatable
from ..base import service_account_owner
from .entries import Entry
from .intentions_identity import ConsulService, IdentityError, consul_service
from .intentions_rules import Access, Permission, target_access
from .options import ConsulOptions

ROLE = "serviceintentions"
DENY_REST: Permission = {"action": "deny", "http": {"pathRegex": ".*"}}
"""Last permission of every L7 source: its unmatched requests are denied whatever the ACL
default policy is (Consul does not apply the ``*`` source to them)."""


class IntentionEntries(NamedTuple):
    """What :func:`intention_entries` returns (unpacks as a 3-tuple).

    ``http_services`` holds ``(kubernetes namespace, Consul service name)`` of every
    destination with L7 permissions: each needs ``ServiceDefaults`` with an HTTP protocol
    (``http``, or ``http2``/``grpc`` when that is what it speaks). The ServiceIntentions of
    that destination is the entry with the same namespace and name (its ``owner`` is the
    destination ServiceAccount's shared owner).
    """

    entries: list[Entry]
    warnings: list[PlanWarning]
    http_services: set[tuple[str, str]]


@dataclass
class _Source:
    namespace: str
    name: str
    identities: set[tuple[str, str]] = field(default_factory=set)
    everything: bool = False
    permissions: list[Permission] = field(default_factory=list)

    def add(self, access: Access) -> None:
        self.everything |= access.everything
        self.permissions += [p for p in access.permissions if p not in self.permissions]


@dataclass
class _Destination:
    service: ConsulService
    owner: ObjectKey
    sources: dict[tuple[str, str], _Source] = field(default_factory=dict)


def intention_entries(specs: SpecSet, options: ConsulOptions) -> IntentionEntries:
    """The ServiceIntentions entries for every TrafficTarget in ``specs`` (see the module doc).

    Raises :class:`~pulumi_smi.errors.TranslationError` with one problem per field that cannot
    be translated without widening access (no partial result).
    """
    problems: list[Problem] = []
    warnings: list[PlanWarning] = []
    destinations: dict[tuple[str, str], _Destination] = {}
    first_namespace: dict[str, str] = {}
    for target in specs.traffic_targets:
        resolved = _identities(specs, target, problems, warnings)
        if resolved is None:
            continue
        destination, sources = resolved
        namespace = target.metadata.namespace
        first = first_namespace.setdefault(destination.name, namespace)
        if first != namespace and not options.enterprise:
            problems.append(_clash(specs, target, destination, first))
            continue
        try:
            access = target_access(specs, target, destination)
        except Untranslatable as exc:
            problems.append(specs.problem(target.key, exc.path, exc.message))
            continue
        warnings += access.warnings
        owner = service_account_owner(namespace, destination.account)
        merged = destinations.setdefault(
            (namespace, destination.name), _Destination(destination, owner)
        )
        if not access.everything and not access.permissions:
            continue  # nothing allowed: the '*' deny covers these sources
        for (source_namespace, account), service in sources:
            key = (source_namespace if options.enterprise else "", service.name)
            source = merged.sources.setdefault(key, _Source(*key))
            source.identities.add((source_namespace, account))
            source.add(access)
    if problems:
        raise TranslationError(problems)
    entries = [_entry(d, options) for _, d in sorted(destinations.items())]
    if not options.enterprise:
        warnings += _shared_names(specs, [d for _, d in sorted(destinations.items())])
    http = {
        (ns, name)
        for (ns, name), d in destinations.items()
        if any(s.permissions and not s.everything for s in d.sources.values())
    }
    return IntentionEntries(entries, list(dict.fromkeys(warnings)), http)


def _identities(
    specs: SpecSet, target: TrafficTarget, problems: list[Problem], warnings: list[PlanWarning]
) -> tuple[ConsulService, list[tuple[tuple[str, str], ConsulService]]] | None:
    """The Consul services of the destination and of each source (None after a problem)."""
    refs = [("spec.destination.name", target.spec.destination)] + [
        (f"spec.sources[{i}].name", s) for i, s in enumerate(target.spec.sources)
    ]
    found: list[tuple[tuple[str, str], ConsulService]] = []
    failed = False
    for path, ref in refs:
        namespace = ref.namespace or target.metadata.namespace
        try:
            service = consul_service(specs.catalogue, namespace, ref.name)
        except IdentityError as exc:
            problems.append(specs.problem(target.key, path, str(exc)))
            failed = True
            continue
        if service.note:
            warnings.append(PlanWarning(service.note, service_account_owner(namespace, ref.name)))
        found.append(((namespace, ref.name), service))
    if failed:
        return None
    return found[0][1], found[1:]


def _clash(
    specs: SpecSet, target: TrafficTarget, destination: ConsulService, other: str
) -> Problem:
    return specs.problem(
        target.key,
        "spec.destination.name",
        f"Consul service {destination.name} is also a TrafficTarget destination in namespace "
        f"{other}: open-source Consul has one namespace, so both would need the one "
        f"ServiceIntentions named {destination.name} and each would open the other's service; "
        "rename one Service, or set enterprise=true (namespace mirroring)",
    )


def _entry(destination: _Destination, options: ConsulOptions) -> Entry:
    service = destination.service
    enterprise = options.enterprise
    sources: list[dict[str, Any]] = []
    for _, source in sorted(destination.sources.items()):
        item: dict[str, Any] = {"name": source.name}
        if enterprise:
            item["namespace"] = source.namespace
        if source.everything:
            item["action"] = "allow"
        else:
            item["permissions"] = [*source.permissions, DENY_REST]
        sources.append(item)
    deny_all: dict[str, Any] = {"name": "*", "action": "deny"}
    if enterprise:
        deny_all = {"name": "*", "namespace": "*", "action": "deny"}
    target: dict[str, Any] = {"name": service.name}
    if enterprise:
        target["namespace"] = service.namespace
    spec = {"destination": target, "sources": [*sources, deny_all]}
    return Entry(
        "ServiceIntentions", service.name, service.namespace, spec, destination.owner, ROLE
    )


def _shared_names(specs: SpecSet, destinations: list[_Destination]) -> list[PlanWarning]:
    """Open-source Consul: names that stand for workloads of several Kubernetes namespaces."""
    warnings = []
    seen: set[str] = set()
    for destination in destinations:
        owner = destination.owner
        for source in destination.sources.values():
            namespaces = sorted({ns for ns, _ in source.identities})
            if len(namespaces) > 1:
                who = ", ".join(f"{ns}/{sa}" for ns, sa in sorted(source.identities))
                warnings.append(
                    PlanWarning(
                        f"ServiceIntentions {destination.service.name}: the sources {who} are all "
                        f"Consul service {source.name} in open-source Consul, which has one "
                        "namespace; their access is merged (set enterprise=true with namespace "
                        "mirroring to keep them apart)",
                        owner,
                    )
                )
        names = [destination.service.name, *(s.name for s in destination.sources.values())]
        for name in names:
            if name in seen:
                continue
            seen.add(name)
            namespaces = sorted({s.namespace for s in specs.catalogue.services if s.name == name})
            if len(namespaces) > 1:
                text = (
                    f"ServiceIntentions {destination.service.name}: Services named {name} exist "
                    f"in namespaces {', '.join(namespaces)}; open-source Consul registers them "
                    f"all as service {name}, so these intentions apply to all of them (set "
                    "enterprise=true with namespace mirroring to tell them apart)"
                )
                warnings.append(PlanWarning(text, owner))
    return warnings
