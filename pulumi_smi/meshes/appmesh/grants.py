"""Which VirtualServices one grant may list as backends: exactly what SMI allows, or none.

A backend lets the caller send any request to any listener of the VirtualService, reaching
every pod behind it. So, for one grant of the access model (:mod:`..access_model`):

* HTTP: only a grant allowing every request (no HTTPRouteGroup rule, or a match without path,
  method and header conditions) has backends; App Mesh cannot limit an allow to paths,
  methods or headers;
* listeners: a VirtualService gets a backend when the grant allows everything on each of its
  listeners (its Service's TCP ports): the container ports behind it, and raw TCP where the
  listener carries TCP (an HTTP rule allows HTTP requests only); one the grant allows nothing
  on gets none; one in between cannot be expressed, and neither can a grant that reaches no
  listener at all;
* identities: a VirtualService whose pods (its Service's, and for a split apex its serving
  backends') also run as other ServiceAccounts cannot be expressed: the backend would allow
  those too.

What cannot be expressed follows the option ``inexpressible``: ``error`` (the default) raises a
located :class:`~pulumi_smi.errors.TranslationError`; ``narrow`` gives no backend for it, with
one warning per rule (:mod:`..narrowing`).
"""

from __future__ import annotations

from collections.abc import Iterable

from ...errors import TranslationError
from ...spec.catalogue import Service, ServicePort, Workload
from ...spec.models import HTTPMatch
from ...spec.specset import SpecSet
from ..access import Untranslatable, selects
from ..access_model import DestinationAccess, Grant, port_grants
from ..narrowing import narrowing, refusal
from ..splits import by_apex
from ..weights import serving
from .nodes import Builder, appmesh_protocol


def granted_services(b: Builder, destination: DestinationAccess, grant: Grant) -> list[Service]:
    """The Services whose VirtualServices ``grant`` gives its sources as backends."""
    identity = destination.identity
    if not destination.services:
        missing = (
            f"no known Service selects the pods of ServiceAccount {identity}"
            if destination.workloads
            else f"no known workload runs as ServiceAccount {identity}"
        )
        raise b.fail(
            grant.target.key,
            "spec.destination.name",
            f"{missing}: App Mesh allows calls per VirtualService, so pass the workload "
            f"(serviceAccountName: {identity.name}) and the Service selecting it",
        )
    if not grant.every_request:
        assert grant.http is not None  # an L4 grant allows every connection
        for match in grant.http:
            why = (
                f"{match.about} allows only {_limits(match.match)}: App Mesh cannot limit an "
                "allow to paths, methods or headers (a backend would allow every request)"
            )
            inexpressible(b, grant, match.where, why)
        return []
    allowed = _allowed_ports(b, destination, grant)
    chosen: list[Service] = []
    refused = False
    for service in destination.services:
        dns = b.dns(service.namespace, service.name)
        others = _other_accounts(b.specs, destination, service)
        if others:
            inexpressible(
                b,
                grant,
                "spec.destination.name",
                f"VirtualService {dns} also reaches pods of ServiceAccount "
                f"{', '.join(others)}: a backend for it would allow those too",
            )
            refused = True
            continue
        listeners = [p for p in service.ports if p.protocol == "TCP"]
        if not listeners:
            continue  # a VirtualService reaching nothing: no backend needed
        partly = {
            p.port: limit
            for p in listeners
            if (limit := _listener_limit(grant, p, allowed, service, destination.workloads))
        }
        if not partly:
            chosen.append(service)
        elif set(partly.values()) != {NOT_ALLOWED} or len(partly) < len(listeners):
            limits = "; ".join(f"{n}: {why}" for n, why in sorted(partly.items()))
            if grant.ports is not None:
                where, what = grant.ports_at, f"ports {', '.join(map(str, grant.ports))}"
            else:
                where, what = grant.http_at, "HTTP requests"
            inexpressible(
                b,
                grant,
                where,
                f"a backend for VirtualService {dns} would allow more than {what} (listener "
                f"{limits}): App Mesh cannot limit an allow to ports or to HTTP",
            )
            refused = True
    if not chosen and not refused:
        known = ", ".join(
            f"{b.dns(s.namespace, s.name)}: {', '.join(str(p.port) for p in s.ports)}"
            for s in destination.services
        )
        inexpressible(
            b,
            grant,
            grant.ports_at or "spec.rules",
            f"the rule allows no listener of the destination's VirtualServices ({known}): "
            "App Mesh reaches pods through VirtualServices only",
        )
    return chosen


NOT_ALLOWED = "not allowed"
"""A listener the grant allows nothing on (no backend needed for it)."""


def _listener_limit(
    grant: Grant,
    port: ServicePort,
    allowed: set[int] | None,
    service: Service,
    workloads: Iterable[Workload],
) -> str | None:
    """Why a backend would allow more on this listener than ``grant`` does (None: it would not).

    :data:`NOT_ALLOWED` when the grant allows nothing on it at all.
    """
    behind = _behind(service, port, workloads)
    if allowed is not None and not behind & allowed:
        return NOT_ALLOWED
    if allowed is not None and not behind <= allowed:
        return f"only container ports {', '.join(str(p) for p in sorted(behind & allowed))}"
    if grant.http is not None and appmesh_protocol(port) == "tcp":
        return "HTTP requests only, but the listener carries raw TCP"
    return None


def inexpressible(b: Builder, grant: Grant, where: str, why: str) -> None:
    """A rule App Mesh cannot express: a located error, or a warning under ``narrow``."""
    if b.options.inexpressible != "narrow":
        raise TranslationError([refusal(b.specs, grant.target, where, why)])
    b.warn_once(narrowing(grant.target, where, why, "App Mesh"))


def _limits(match: HTTPMatch) -> str:
    limits = []
    if match.path_regex is not None:
        limits.append(f"path {match.path_regex!r}")
    if not match.any_method:
        limits.append(f"methods {', '.join(match.methods)}")
    if match.headers:
        limits.append(f"headers {', '.join(sorted(match.headers))}")
    return "; ".join(limits)


def _allowed_ports(b: Builder, destination: DestinationAccess, grant: Grant) -> set[int] | None:
    """The container ports ``grant`` allows (None: every port)."""
    try:
        ports = port_grants(b.specs, destination, grant, destination.workloads)
    except Untranslatable as exc:
        raise b.fail(grant.target.key, exc.path, exc.message) from None
    return None if ports is None else set(ports)


def _behind(service: Service, port: ServicePort, workloads: Iterable[Workload]) -> set[int]:
    """The container ports of ``workloads`` (those ``service`` selects) behind ``port``."""
    target = port.target_port
    if target is None:
        return {port.port}
    if isinstance(target, int):
        return {target}
    return {
        w.container_ports[target]
        for w in workloads
        if selects(service.selector, w) and target in w.container_ports
    }


def _other_accounts(specs: SpecSet, destination: DestinationAccess, service: Service) -> list[str]:
    """ServiceAccounts other than the destination's whose pods the VirtualService reaches."""
    namespace = service.namespace
    names = {service.name}
    for routing in by_apex(specs):
        if (routing.namespace, routing.apex) == (namespace, service.name):
            names |= {x.service for split in routing.splits for x in serving(split.spec.backends)}
    catalogue = specs.catalogue
    selectors = [
        s.selector for n in sorted(names) if (s := catalogue.service(namespace, n)) and s.selector
    ]
    accounts = {
        w.service_account_name
        for selector in selectors
        for w in catalogue.selected_workloads(namespace, selector)
    }
    return sorted(accounts - {destination.identity.name})
