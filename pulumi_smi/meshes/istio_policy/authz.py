"""TrafficTarget -> Istio AuthorizationPolicy + PeerAuthentication.

Per TrafficTarget one ALLOW AuthorizationPolicy in the destination namespace, selecting the pods
that run as the destination ServiceAccount (Istio cannot select by identity, so the pod labels
come from the catalogue), allowing the sources' principals on the rules' operations. Shared per
destination ServiceAccount: a STRICT PeerAuthentication (principals exist only on mTLS). Shared
per namespace: an allow-nothing AuthorizationPolicy, which gives SMI's default deny to every
workload no TrafficTarget names. Anything Istio cannot enforce is a warning; anything it can
only express more widely is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...errors import Problem, TranslationError
from ...plan import PlanWarning, Resource
from ...spec.models import HTTPRouteGroup, ObjectKey, TrafficTarget
from ...spec.names import dns1123_subdomain_problem
from ...spec.specset import SpecSet
from ..access import Selection
from ..access import selections as pod_selections
from ..access_model import AllowedMatch, Grant, UdpRule, access_model
from ..base import Namer, namespace_owner, service_account_owner
from ..identity import spiffe_principal
from ..kube import manifest_name_problems, manifest_resource, object_metadata
from .match import HTTPOperation, InexpressibleMatch, Untranslatable, http_operation, target_ports
from .options import IstioPolicyOptions

DEFAULT_DENY_NAME = "smi-default-deny"
_KINDS = ("AuthorizationPolicy", "PeerAuthentication")


@dataclass
class _Access:
    """What a TrafficTarget allows, before ports are resolved per selection."""

    grant: Grant | None = None
    http: list[HTTPOperation] = field(default_factory=list)
    left_out: bool = False  # HTTP matches left out (inexpressible=narrow)
    warnings: list[PlanWarning] = field(default_factory=list)


def authorization_resources(
    specs: SpecSet, options: IstioPolicyOptions, namer: Namer
) -> tuple[list[Resource], list[PlanWarning]]:
    """The Istio policy resources and warnings for every TrafficTarget in ``specs``.

    Raises :class:`~pulumi_smi.errors.TranslationError` with one problem per TrafficTarget
    that cannot be translated without widening access (no partial result).
    """
    api = f"security.istio.io/{options.istio_api}"
    policies: list[Resource] = []
    warnings: list[PlanWarning] = []
    problems: list[Problem] = []
    selections: dict[ObjectKey, tuple[ObjectKey, list[Selection]]] = {}
    grants: dict[ObjectKey, Grant] = {}
    udp: dict[ObjectKey, list[UdpRule]] = {}
    for access_of in access_model(specs):
        grants.update((g.target.key, g) for g in access_of.grants)
        for rule in access_of.udp:
            udp.setdefault(rule.target.key, []).append(rule)
    for target in specs.traffic_targets:
        try:
            chosen = pod_selections(specs, target, "Istio")
            access = _access(grants.get(target.key), udp.get(target.key, []), options)
            resources = _target_policies(specs, target, access, chosen, options, namer, api)
        except Untranslatable as exc:
            problems.append(specs.problem(target.key, exc.path, exc.message))
            continue
        policies += resources
        warnings += access.warnings
        destination = target.spec.destination
        owner = service_account_owner(target.metadata.namespace, destination.name)
        selections.setdefault(owner, (target.key, chosen))
    shared: list[Resource] = []
    if options.strict_mtls:
        shared += _peer_authentications(selections, namer, api, specs, problems)
    if options.default_deny:
        namespaces = sorted({t.metadata.namespace for t in specs.traffic_targets})
        shared += [_default_deny(ns, namer, api) for ns in namespaces]
        warnings += [_default_deny_warning(ns) for ns in namespaces]
    resources = sorted(policies + shared, key=_order)
    problems += manifest_name_problems(resources, specs)
    if problems:
        raise TranslationError(problems)
    return resources, warnings


def _order(resource: Resource) -> tuple[int, str, str]:
    metadata = resource.properties["metadata"]
    return (_KINDS.index(resource.properties["kind"]), metadata["namespace"], metadata["name"])


# --- one TrafficTarget -----------------------------------------------------------------


def _target_policies(
    specs: SpecSet,
    target: TrafficTarget,
    access: _Access,
    chosen: list[Selection],
    options: IstioPolicyOptions,
    namer: Namer,
    api: str,
) -> list[Resource]:
    sources = access.grant.sources if access.grant else ()
    principals = [spiffe_principal(options.trust_domain, s.namespace, s.name) for s in sources]
    namespace, name = target.metadata.namespace, target.metadata.name
    resources = []
    for selection in chosen:
        ports = _resolved_ports(specs, access, selection)
        spec: dict[str, Any] = {"selector": {"matchLabels": selection.labels}, "action": "ALLOW"}
        rules = _rules(access, principals, ports)
        if rules:
            spec["rules"] = rules
        role = "authorizationpolicy" + (f"-{selection.suffix}" if selection.suffix else "")
        policy_name = f"{name}-{selection.suffix}" if selection.suffix else name
        resources.append(
            manifest_resource(
                namer(target.key, role),
                api,
                "AuthorizationPolicy",
                object_metadata(policy_name, namespace, target.metadata),
                spec,
                target.key,
            )
        )
    return resources


def _access(grant: Grant | None, udp: list[UdpRule], options: IstioPolicyOptions) -> _Access:
    """What a TrafficTarget allows as Istio operations, and its warnings in rule order."""
    access = _Access(grant)
    notes: list[tuple[int, PlanWarning]] = [
        (_rule_index(r.where), r.warning(_UDP_REASON)) for r in udp
    ]
    rules: dict[str, list[AllowedMatch]] = {}
    for allowed in grant.http or () if grant else ():
        rules.setdefault(allowed.rule_at, []).append(allowed)
    for where, matches in rules.items():
        operations, left_out = _http_operations(matches, options.inexpressible == "narrow")
        access.http += operations
        target = matches[0].target
        notes += [
            (_rule_index(where), PlanWarning(o.note, target.key)) for o in operations if o.note
        ]
        if left_out:
            access.left_out = True
            warning = _left_out_warning(target, matches[0].group, where, left_out, operations)
            notes.append((_rule_index(where), warning))
    access.warnings = [warning for _, warning in sorted(notes, key=lambda n: n[0])]
    if grant is None and udp:
        key = udp[0].target.key
        access.warnings.append(
            PlanWarning(
                f"TrafficTarget {key.namespace}/{key.name} has only UDPRoute rules: its "
                "AuthorizationPolicy has no rules, so it allows nothing (SMI's default deny for "
                "TCP and HTTP) unless another TrafficTarget allows it",
                key,
            )
        )
    return access


_UDP_REASON = "Istio does not proxy UDP, so no AuthorizationPolicy can allow or deny it"


def _rule_index(where: str) -> int:
    """``i`` of ``spec.rules[i]``: warnings follow the order of the rules."""
    return int(where.removeprefix("spec.rules[").split("]", 1)[0])


def _http_operations(
    matches: list[AllowedMatch], narrow: bool
) -> tuple[list[HTTPOperation], list[str]]:
    """One rule's operations, and (``narrow``) what each match left out was refused for."""
    operations = []
    left_out = []
    for allowed in matches:
        match = allowed.match
        try:
            operation = http_operation(match, allowed.where)
        except Untranslatable as exc:
            if not (narrow and isinstance(exc, InexpressibleMatch)):
                raise Untranslatable(exc.path, f"{allowed.about}: {exc.message}") from None
            left_out.append(f"match {match.name!r} ({exc.subject} {exc.regex!r}: {exc.reason})")
            continue
        if operation.note:
            key = allowed.target.key
            text = f"TrafficTarget {key.namespace}/{key.name}: {allowed.about}: {operation.note}"
            operation = HTTPOperation(operation.operation, operation.when, text)
        operations.append(operation)
    return operations, left_out


def _left_out_warning(
    target: TrafficTarget,
    group: HTTPRouteGroup,
    where: str,
    left_out: list[str],
    kept: list[HTTPOperation],
) -> PlanWarning:
    key = target.key
    consequence = (
        "the rule still allows its other matches"
        if kept
        else "the rule allows nothing (its AuthorizationPolicy gets no operation for it)"
    )
    return PlanWarning(
        f"TrafficTarget {key.namespace}/{key.name}: {where} (HTTPRouteGroup "
        f"{group.metadata.name}): left out {', '.join(left_out)}, which Istio cannot express "
        f"exactly (inexpressible=narrow): requests only those matches allow are denied; "
        f"{consequence}",
        key,
    )


def _resolved_ports(specs: SpecSet, access: _Access, selection: Selection) -> list[str]:
    grant = access.grant
    if grant is None or grant.ports is None:
        return []
    namespace = grant.target.metadata.namespace
    return target_ports(
        specs.catalogue, namespace, selection.workloads, grant.ports, grant.ports_at
    )


def _rules(access: _Access, principals: list[str], ports: list[str]) -> list[dict[str, Any]]:
    """Istio rules: HTTP operations (restricted to the TCPRoute ports), else ports only."""
    source = [{"source": {"principals": principals}}]
    port_field = {"ports": ports} if ports else {}
    if not access.http:
        if access.grant is None or access.grant.http is not None:
            return []  # left-out HTTP matches were to restrict the TCP ports: nothing remains
        return [{"from": source, **({"to": [{"operation": port_field}]} if ports else {})}]
    plain: list[dict[str, Any]] = []
    conditional: list[dict[str, Any]] = []
    for op in access.http:
        operation = {"operation": {**op.operation, **port_field}}
        if op.when:
            rule = {"from": source, "to": [operation], "when": list(op.when)}
            if rule not in conditional:
                conditional.append(rule)
        elif operation not in plain:
            plain.append(operation)
    return ([{"from": source, "to": plain}] if plain else []) + conditional


# --- shared per ServiceAccount and per namespace ----------------------------------------


def _peer_authentications(
    selections: dict[ObjectKey, tuple[ObjectKey, list[Selection]]],
    namer: Namer,
    api: str,
    specs: SpecSet,
    problems: list[Problem],
) -> list[Resource]:
    resources = []
    for owner, (target, chosen) in sorted(selections.items()):
        for selection in chosen:
            suffix = f"-{selection.suffix}" if selection.suffix else ""
            name = f"{owner.name}{suffix}-strict-mtls"
            problem = dns1123_subdomain_problem(name)
            if problem:
                message = f"PeerAuthentication name for ServiceAccount {owner.name}: {problem}"
                problems.append(specs.problem(target, "spec.destination.name", message))
                continue
            spec = {"selector": {"matchLabels": selection.labels}, "mtls": {"mode": "STRICT"}}
            resources.append(
                manifest_resource(
                    namer(owner, f"peerauthentication{suffix}"),
                    api,
                    "PeerAuthentication",
                    object_metadata(name, owner.namespace),
                    spec,
                    owner,
                )
            )
    return resources


def _default_deny(namespace: str, namer: Namer, api: str) -> Resource:
    owner = namespace_owner(namespace)
    metadata = object_metadata(DEFAULT_DENY_NAME, namespace)
    return manifest_resource(
        namer(owner, "default-deny"), api, "AuthorizationPolicy", metadata, {}, owner
    )


def _default_deny_warning(namespace: str) -> PlanWarning:
    return PlanWarning(
        f"namespace {namespace}: the allow-nothing AuthorizationPolicy {DEFAULT_DENY_NAME} "
        f"denies all traffic to every workload in {namespace} that no TrafficTarget allows "
        "(Prometheus scraping through the sidecar and ingress gateways included), as SMI's "
        "default deny does; to keep Istio's allow-by-default for them, set default_deny to "
        "false (--set default_deny=false, or options={'default_deny': False})",
        namespace_owner(namespace),
    )
