"""TrafficTarget -> Consul ServiceIntentions, one per destination service.

Decisions (the why of each is in the research notes, section 2.3):

* Access is read from the shared access model (:mod:`..access_model`): one grant per
  TrafficTarget, UDP rules, the destination's known ports. Nothing here walks TrafficTarget
  rules.
* Identity (:mod:`.intentions_identity`): a ServiceAccount's Consul service name is the
  ServiceAccount's name (consul-k8s with ACLs enforces service name = ServiceAccount name), so a
  source or destination needs no manifests. The catalogue overrides it where it shows more: the
  pods selected by one Service named differently are that service (with a warning); an
  ambiguous name, or a Service that also selects another ServiceAccount's pods, is a
  TranslationError at ``spec.destination.name`` / ``spec.sources[i].name``.
* Folding (:mod:`.intentions_folding`): in open-source Consul one name from two Kubernetes
  namespaces is one identity; where an intention allowing one would allow the other, that is a
  TranslationError pointing to ``enterprise=true``. With ``enterprise`` (namespace mirroring)
  the destination and every source carry ``namespace``; ``partition`` is never set.
* One entry per destination service (consul-k8s admits one ServiceIntentions per destination),
  merging every TrafficTarget naming it: ``metadata.name`` = ``spec.destination.name`` = the
  service, in the destination's namespace, owned by ``service_account_owner(ns, sa)`` so every
  component registers it once.
* Per source: L4 ``action: allow`` when its grants allow every request (a TCPRoute, or an HTTP
  match with no path, method or header condition), else L7 ``permissions``, one per SMI match,
  in input order, ending with a catch-all ``deny``. Never both: L4 and L7 for one source from
  *different* TrafficTargets is L4 (SMI's union); within one TrafficTarget a TCPRoute ANDs its
  ports with the HTTP rules, which leaves the HTTP rules (:mod:`.intentions_rules`; ports Consul
  cannot narrow are an error, or left out with ``inexpressible=narrow``). UDPRoute rules are
  warnings: nothing is allowed.
* Default deny: a ``*`` source with ``action: deny`` last (exact names take precedence; with
  Enterprise ``namespace: "*"`` too, else it would cover the destination's namespace only). It
  does not cover an L7 source's unmatched requests: Consul sends those to the ACL default
  policy, which is *allow* without ACLs (``removeSourcePrecedence`` in Consul's
  ``agent/xds/rbac.go``). Hence the trailing catch-all deny permission (``pathRegex: .*``).
* L7 permissions need the destination's protocol to be HTTP (Consul refuses the entry
  otherwise), and a source that HTTP rules alone allow every request (L4 ``allow``) must not
  get raw TCP through either: such destinations are returned in
  :attr:`IntentionEntries.http_services` for a ``ServiceDefaults protocol: http``. Destinations
  whose sources are all allowed connections (a TCPRoute) are not forced to http.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ...errors import Problem, TranslationError
from ...plan import PlanWarning
from ...spec.models import ObjectKey, TrafficTarget
from ...spec.specset import SpecSet
from ..access import Untranslatable
from ..access_model import DestinationAccess, Identity, access_model
from ..base import service_account_owner
from .entries import Entry
from .intentions_folding import Use, folding
from .intentions_identity import ConsulService, IdentityError, consul_service
from .intentions_rules import Access, Permission, grant_access, nothing_enforced
from .options import ConsulOptions

ROLE = "serviceintentions"
NO_UDP = "Consul's service mesh does not proxy UDP"
DENY_REST: Permission = {"action": "deny", "http": {"pathRegex": ".*"}}
"""Last permission of every L7 source: its unmatched requests are denied whatever the ACL
default policy is (Consul does not apply the ``*`` source to them)."""


class IntentionEntries(NamedTuple):
    """What :func:`intention_entries` returns (unpacks as a 3-tuple).

    ``http_services`` holds ``(kubernetes namespace, Consul service name)`` of every
    destination with a source allowed by HTTP rules only (L7 permissions, or an L4 ``allow``
    of every request): each needs ``ServiceDefaults`` with an HTTP protocol
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
    everything: bool = False
    permissions: list[Permission] = field(default_factory=list)
    raw_tcp: bool = False

    def add(self, access: Access) -> None:
        self.everything |= access.everything
        self.raw_tcp |= access.raw_tcp
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
    model = access_model(specs)
    names = _consul_names(specs, model, problems, warnings)
    if problems:
        raise TranslationError(problems)
    destinations: dict[tuple[str, str], _Destination] = {}
    namespaces: dict[str, set[str]] = {}  # Consul name -> namespaces of destinations so far
    uses: list[Use] = []
    for destination in model:
        identity = destination.identity
        service = names[identity]
        key = (identity.namespace, service.name)
        seen_in = namespaces.setdefault(service.name, set())
        if seen_in - {identity.namespace}:  # the name is a destination in another namespace
            uses.append(Use(service.name, destination.first.key, "spec.destination.name"))
        seen_in.add(identity.namespace)
        merged = destinations.setdefault(
            key, _Destination(service, service_account_owner(identity.namespace, identity.name))
        )
        warnings += [rule.warning(NO_UDP) for rule in destination.udp]
        warnings += [nothing_enforced(_name(t), t.key) for t in destination.unallowed_targets()]
        allowed = _allow(specs, destination, merged, names, options, problems, warnings)
        uses += allowed or [
            Use(service.name, destination.first.key, "spec.destination.name", allows=False)
        ]
    if not options.enterprise:
        folded, notes = folding(specs, {i: s.name for i, s in names.items()}, uses)
        problems += folded
        warnings += notes
    if problems:
        raise TranslationError(problems)
    entries = [_entry(d, options) for _, d in sorted(destinations.items())]
    http = {
        (ns, name)
        for (ns, name), d in destinations.items()
        if any(not s.raw_tcp for s in d.sources.values())
    }
    return IntentionEntries(entries, list(dict.fromkeys(warnings)), http)


def _allow(
    specs: SpecSet,
    destination: DestinationAccess,
    merged: _Destination,
    names: dict[Identity, ConsulService],
    options: ConsulOptions,
    problems: list[Problem],
    warnings: list[PlanWarning],
) -> list[Use]:
    """Merge the grants of ``destination`` into ``merged``; the Consul names they allow.

    Empty when nothing is allowed; else the destination's use first, then its sources'.
    """
    uses: list[Use] = []
    service = merged.service.name
    for grant in destination.grants:
        try:
            access = grant_access(specs, destination, grant, service, options)
        except Untranslatable as exc:
            problems.append(specs.problem(grant.target.key, exc.path, exc.message))
            continue
        warnings += access.warnings
        if not access.everything and not access.permissions:
            continue  # nothing allowed: the '*' deny covers these sources
        target = grant.target.key
        if not uses:
            uses.append(Use(service, target, "spec.destination.name"))
        sources = _references(grant.target)[1:]
        paths = {identity: path for path, identity in reversed(sources)}  # the first one's
        for identity in grant.sources:
            consul = names[identity]
            uses.append(Use(consul.name, target, paths[identity]))
            key = (identity.namespace if options.enterprise else "", consul.name)
            merged.sources.setdefault(key, _Source(*key)).add(access)
    return uses


def _consul_names(
    specs: SpecSet,
    model: tuple[DestinationAccess, ...],
    problems: list[Problem],
    warnings: list[PlanWarning],
) -> dict[Identity, ConsulService]:
    """The Consul service of every identity a TrafficTarget names (a problem per bad field)."""
    found: dict[Identity, ConsulService | IdentityError] = {}
    for destination in model:
        for target in destination.targets:
            for path, identity in _references(target):
                if identity not in found:
                    found[identity] = _resolve(specs, identity, warnings)
                resolved = found[identity]
                if isinstance(resolved, IdentityError):
                    problems.append(specs.problem(target.key, path, str(resolved)))
    return {i: s for i, s in found.items() if isinstance(s, ConsulService)}


def _resolve(
    specs: SpecSet, identity: Identity, warnings: list[PlanWarning]
) -> ConsulService | IdentityError:
    try:
        service = consul_service(specs.catalogue, identity.namespace, identity.name)
    except IdentityError as exc:
        return exc
    if service.note:
        owner = service_account_owner(identity.namespace, identity.name)
        warnings.append(PlanWarning(service.note, owner))
    return service


def _references(target: TrafficTarget) -> list[tuple[str, Identity]]:
    """The identities ``target`` names, each with its field path (destination first)."""
    namespace = target.metadata.namespace
    return [("spec.destination.name", Identity(namespace, target.spec.destination.name))] + [
        (f"spec.sources[{i}].name", Identity(s.namespace or namespace, s.name))
        for i, s in enumerate(target.spec.sources)
    ]


def _name(target: TrafficTarget) -> str:
    return f"{target.metadata.namespace}/{target.metadata.name}"


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
