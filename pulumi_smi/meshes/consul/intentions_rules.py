"""What one grant allows, as Consul intention terms: L4 ``allow`` or L7 permissions.

A grant (one TrafficTarget, from the access model) allows every connection when it has no HTTP
rules (a TCPRoute), and every request when one of its HTTP matches has any path, any method and
no header: both are L4 ``allow``, the second on an HTTP destination only, since SMI allows HTTP
requests there, not any connection (:attr:`Access.raw_tcp` tells them apart). Otherwise one L7
permission per match. In one TrafficTarget SMI ANDs a TCPRoute's ports with the HTTP rules;
Consul intentions have no port dimension, so ports limit nothing only when they are every known
port of the destination (:mod:`.intentions_ports`), and a grant limited to fewer ports is
inexpressible: an error, or with ``inexpressible=narrow`` left out (it allows nothing) with a
warning. Every HTTP match is expressible exactly: SMI's regexes are RE2 (checked on load), as
Consul's ``pathRegex`` and header ``regex`` are (full match), and SMI's start anchoring is kept
(:func:`http_permission`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...plan import PlanWarning
from ...spec.models import HTTPMatch, ObjectKey
from ...spec.specset import SpecSet
from ..access import Untranslatable
from ..access_model import DestinationAccess, Grant
from ..paths import escape, smi_header, smi_path
from .intentions_ports import inexpressible_ports
from .options import ConsulOptions

Permission = dict[str, Any]


@dataclass
class Access:
    """What a grant lets its sources do: everything (L4), or HTTP permissions (L7)."""

    everything: bool = False
    permissions: list[Permission] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)
    raw_tcp: bool = False
    """Whether it allows connections, not only HTTP requests (a grant with no HTTP rules)."""


def grant_access(
    specs: SpecSet,
    destination: DestinationAccess,
    grant: Grant,
    service: str,
    options: ConsulOptions,
) -> Access:
    """The access ``grant`` gives (``service``: the destination's Consul name).

    Raises :class:`Untranslatable` when Consul could only widen it (``inexpressible=error``).
    """
    key = grant.target.key
    why = inexpressible_ports(specs, destination, grant, service)
    if why is not None:
        if options.inexpressible == "error":
            raise Untranslatable(
                grant.ports_at,
                f"the TCPRoute rules allow {why}; or set inexpressible=narrow to leave the "
                "TrafficTarget's allow out",
            )
        warning = (
            f"TrafficTarget {grant.name}: {grant.ports_at} (TCPRoute) is left out "
            f"(inexpressible=narrow), so this TrafficTarget allows nothing: it allows {why}"
        )
        return Access(warnings=[PlanWarning(warning, key)])
    access = Access()
    if grant.http is None:
        access.everything = access.raw_tcp = True
        return access
    for allowed in grant.http:
        http = http_permission(allowed.match)
        if http is None:
            access.everything = True
        elif not http:
            access.warnings.append(
                PlanWarning(
                    f"TrafficTarget {grant.name}: {allowed.about} (pathRegex "
                    f"{allowed.match.path_regex!r}) matches only the empty path, which no HTTP "
                    "request has: nothing is allowed for it",
                    key,
                )
            )
        elif http not in access.permissions:
            access.permissions.append(http)
    if access.everything:
        access.permissions = []
    elif not access.permissions:
        access.warnings.append(nothing_enforced(grant.name, key))
    return access


def nothing_enforced(name: str, key: ObjectKey) -> PlanWarning:
    """The warning that TrafficTarget ``name`` (``<namespace>/<name>``) allows nothing."""
    return PlanWarning(
        f"TrafficTarget {name} allows nothing Consul enforces (UDP or empty-path rules only): its "
        "sources stay denied unless another TrafficTarget allows them",
        key,
    )


def http_permission(match: HTTPMatch) -> Permission | None:
    """The L7 permission allowing exactly what ``match`` allows.

    None when the match allows every request; ``{}`` when it allows none (an exact empty path).
    """
    http: dict[str, Any] = {}
    path = smi_path(match.path_regex)
    if path.kind == "exact":
        if not path.value:
            return {}
        key, value = (
            ("pathExact", path.value)
            if path.value.startswith("/")
            else ("pathRegex", escape(path.value))
        )
        http[key] = value
    elif path.kind == "prefix":
        # Consul's pathPrefix is a plain string prefix, as SMI's start anchoring is.
        key, value = (
            ("pathPrefix", path.value)
            if path.value.startswith("/")
            else ("pathRegex", f"{escape(path.value)}.*")
        )
        http[key] = value
    elif path.kind == "regex":
        http["pathRegex"] = path.value
    if not match.any_method:
        http["methods"] = list(dict.fromkeys(match.methods))
    if match.headers:
        http["header"] = [_header(name, regex) for name, regex in sorted(match.headers.items())]
    return {"action": "allow", "http": http} if http else None


def _header(name: str, regex: str) -> dict[str, Any]:
    match = smi_header(regex)
    if match.kind == "present":
        return {"name": name, "present": True}
    if match.kind == "exact" and not match.value:
        return {"name": name, "regex": "^$"}  # Consul drops an empty ``exact``
    if match.kind in ("exact", "prefix", "suffix"):
        return {"name": name, match.kind: match.value}
    return {"name": name, "regex": regex}
