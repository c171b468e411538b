"""The access model -> an IAM auth policy per Lattice service (``authType: AWS_IAM``).

One ``Allow`` statement per (source, allowed HTTP match) of each grant of the destinations the
service reaches; everything else is denied, as Lattice denies what no statement allows once
``authType`` is ``AWS_IAM``. A service whose grants allow nothing Lattice enforces gets one
explicit ``Deny`` of everything (never ``authType: NONE``). A source ServiceAccount is the EKS
Pod Identity session tags ``aws:PrincipalTag/eks-cluster-name``, ``kubernetes-namespace`` and
``kubernetes-service-account`` (``eks_cluster_name``), or an IAM role ARN from
``source_roles``. Methods become ``vpc-lattice-svcs:RequestMethod``, paths the request
resource ``<service-arn>/<path>`` (the policy is attached to the service, so the ARN is
written with wildcards: ``svc-`` plus 17 ``?`` matches exactly one service id), headers
``vpc-lattice-svcs:RequestHeader/<name>``.

What Lattice cannot enforce exactly never widens an allow:

* TCPRoute-only grants (L4) and UDPRoute rules allow nothing, with a warning: Lattice IAM auth
  applies to HTTP requests only;
* a grant allowing only part of what the service's listeners carry (TCPRoute ports naming
  only some of them; HTTP requests, on a TLS passthrough listener), or a regex an IAM
  condition cannot match exactly, follows the option ``inexpressible``: a located error, or
  the rule left out with a warning (:mod:`..narrowing`); ports naming no listener allow
  nothing on the service, with a warning.

Callers must sign their requests with SigV4 (service ``vpc-lattice-svcs``): an unsigned
request is anonymous and denied. Use the AWS SDK's signer or a signing sidecar.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...errors import Problem
from ...plan import PlanWarning
from ...spec.models import HTTPMatch
from ...spec.specset import SpecSet
from ..access import Untranslatable
from ..access_model import DestinationAccess, Grant, Identity, port_grants
from ..narrowing import narrowing, refusal, source_path
from ..paths import literal, smi_header, smi_path
from .options import LatticeOptions

MAX_POLICY_BYTES = 10 * 1024
SERVICE_ARN = "arn:*:vpc-lattice:*:*:service/svc-" + "?" * 17
DENY_EVERYTHING: dict[str, Any] = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "vpc-lattice-svcs:Invoke",
    "Resource": "*",
}
_WILDCARDS = set("*?$")
_NOT_ALLOWED = "not allowed"
_Conditions = tuple[str, dict[str, Any], dict[str, Any]]


@dataclass(frozen=True)
class Protected:
    """A Lattice service to protect, as its auth policy sees it."""

    about: str
    """``Lattice service of <namespace>/<service>``, for messages."""
    listeners: Mapping[int, frozenset[int]]
    """Listener port -> the container ports of the destinations' pods it forwards to."""
    tls: frozenset[int] = frozenset()
    """The listener ports that pass TLS through (no HTTP request is seen there)."""


@dataclass
class _Policy:
    """One auth policy under construction."""

    specs: SpecSet
    options: LatticeOptions
    service: Protected
    problems: list[Problem]
    warnings: list[PlanWarning]

    def inexpressible(self, grant: Grant, where: str, why: str) -> None:
        """A rule Lattice cannot express exactly: refused, or left out (``inexpressible``)."""
        if self.options.inexpressible == "narrow":
            self.warnings.append(narrowing(grant.target, where, why, "vpc-lattice"))
        else:
            self.problems.append(refusal(self.specs, grant.target, where, why))

    def statements(self, destination: DestinationAccess, grant: Grant) -> list[dict[str, Any]]:
        """The Allow statements of one grant (none when it allows nothing Lattice enforces)."""
        if grant.http is None:
            self.warnings.append(
                PlanWarning(
                    f"TrafficTarget {grant.name}: its TCPRoute rules allow TCP connections, "
                    "which vpc-lattice does not enforce (Lattice IAM auth applies to SigV4-signed "
                    "HTTP requests only); nothing is allowed for them",
                    grant.target.key,
                )
            )
            return []
        if not self._on_every_listener(destination, grant):
            return []
        allowed: list[_Conditions] = []
        for match in grant.http:
            try:
                allowed.append(_conditions(match.match))
            except Untranslatable as exc:
                self.inexpressible(grant, match.where, f"{match.about}: {exc.message}")
        principals = [p for p in (self._principal(grant, s) for s in grant.sources) if p]
        return [_statement(who, tags, *c) for c in allowed for who, tags in principals]

    def _on_every_listener(self, destination: DestinationAccess, grant: Grant) -> bool:
        """Whether ``grant`` allows everything on every listener; a partial allow is
        inexpressible, an allow on no listener a warning."""
        allowed = None
        if grant.ports is not None:
            try:
                ports = port_grants(self.specs, destination, grant, destination.workloads)
            except Untranslatable as exc:
                self.problems.append(self.specs.problem(grant.target.key, exc.path, exc.message))
                return False
            allowed = set(ports or ())
        listeners = self.service.listeners
        limits = {
            port: limit
            for port, behind in listeners.items()
            if (limit := self._listener_limit(port, behind, allowed))
        }
        if not limits:
            return True
        where, what = grant.http_at, "HTTP requests"
        if grant.ports is not None:
            where, what = grant.ports_at, f"ports {', '.join(str(p) for p in grant.ports)}"
        if set(limits.values()) == {_NOT_ALLOWED} and len(limits) == len(listeners):
            self.warnings.append(
                PlanWarning(
                    f"TrafficTarget {grant.name}: {where}: {what} are none of the listener "
                    f"ports of the {self.service.about} "
                    f"({', '.join(str(p) for p in sorted(listeners))}): nothing is allowed on it",
                    grant.target.key,
                )
            )
            return False
        text = "; ".join(f"{port}: {limit}" for port, limit in sorted(limits.items()))
        self.inexpressible(
            grant,
            where,
            f"the {self.service.about} would allow more than {what} (listener {text}): a "
            "Lattice auth policy cannot limit an allow to listener ports",
        )
        return False

    def _listener_limit(self, port: int, behind: frozenset[int], allowed: set[int] | None) -> str:
        """Why allowing this listener would allow more than the grant ('': it would not)."""
        if allowed is not None and not behind & allowed:
            return _NOT_ALLOWED
        if allowed is not None and not behind <= allowed:
            return f"only container ports {', '.join(str(p) for p in sorted(behind & allowed))}"
        if port in self.service.tls:
            return "HTTP requests only, but the listener passes TLS through unseen"
        return ""

    def _principal(self, grant: Grant, source: Identity) -> tuple[Any, dict[str, str]] | None:
        key = str(source)
        if key in self.options.source_roles:
            return {"AWS": self.options.source_roles[key]}, {}
        if self.options.eks_cluster_name:
            return "*", {
                "aws:PrincipalTag/eks-cluster-name": self.options.eks_cluster_name,
                "aws:PrincipalTag/kubernetes-namespace": source.namespace,
                "aws:PrincipalTag/kubernetes-service-account": source.name,
            }
        self.problems.append(
            self.specs.problem(
                grant.target.key,
                source_path(grant.target, source),
                f"no IAM identity for ServiceAccount {key}: set the option eks_cluster_name (EKS "
                "Pod Identity session tags) or map it in the option source_roles",
            )
        )
        return None


def policy_document(
    specs: SpecSet,
    options: LatticeOptions,
    service: Protected,
    destinations: Sequence[DestinationAccess],
    problems: list[Problem],
    warnings: list[PlanWarning],
) -> str:
    """The auth policy (compact JSON, no newlines) allowing what ``destinations`` allow."""
    policy = _Policy(specs, options, service, problems, warnings)
    statements: list[dict[str, Any]] = []
    for destination in destinations:
        for grant in destination.grants:
            statements += policy.statements(destination, grant)
    unique = list({json.dumps(s, sort_keys=True): s for s in statements}.values())
    first = destinations[0].first
    if not unique:
        unique = [DENY_EVERYTHING]
        warnings.append(
            PlanWarning(
                f"the TrafficTargets of the {service.about} allow nothing vpc-lattice enforces: "
                "it keeps authType AWS_IAM with a policy denying every request",
                first.key,
            )
        )
    text = json.dumps({"Version": "2012-10-17", "Statement": unique}, separators=(",", ":"))
    if len(text.encode()) > MAX_POLICY_BYTES:
        problems.append(
            specs.problem(
                first.key,
                "spec.sources",
                f"the auth policy would be {len(text.encode())} bytes; Lattice allows 10 KB "
                "per policy: allow fewer sources or matches per destination",
            )
        )
    return text


def _statement(
    who: Any, tags: dict[str, str], resource: str, equals: dict[str, Any], like: dict[str, Any]
) -> dict[str, Any]:
    condition: dict[str, Any] = {}
    if tags or equals:
        condition["StringEquals"] = {**tags, **equals}
    if like:
        condition["StringLike"] = like
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": who,
        "Action": "vpc-lattice-svcs:Invoke",
        "Resource": resource,
    }
    if condition:
        statement["Condition"] = condition
    return statement


def _conditions(match: HTTPMatch) -> _Conditions:
    """(resource, StringEquals, StringLike) allowing exactly ``match``; else Untranslatable."""
    equals: dict[str, Any] = {}
    like: dict[str, Any] = {}
    if not match.any_method:
        methods = sorted(set(match.methods))
        equals["vpc-lattice-svcs:RequestMethod"] = methods[0] if len(methods) == 1 else methods
    path = smi_path(match.path_regex)
    if path.kind == "any":
        resource = "*"
    elif path.kind in ("exact", "prefix") and not _WILDCARDS & set(path.value):
        resource = SERVICE_ARN + path.value + ("*" if path.kind == "prefix" else "")
    else:
        raise Untranslatable(
            "pathRegex",
            f"pathRegex {match.path_regex!r} is not an exact path or a literal prefix without "
            "'*', '?' or '$': a Lattice auth policy cannot allow exactly these paths",
        )
    for name, regex in sorted(match.headers.items()):
        key = f"vpc-lattice-svcs:RequestHeader/{name}"
        header = smi_header(regex)
        inner = literal(regex[2:-2]) if regex.startswith(".*") and regex.endswith(".*") else None
        if header.kind == "exact":
            equals[key] = header.value
        elif _WILDCARDS & set(header.value) or (header.kind == "regex" and not inner):
            raise Untranslatable(
                f"headers.{name}",
                f"header {name} {regex!r} cannot be matched exactly by an IAM condition (exact, "
                "prefix, suffix, infix or any value only, without '*', '?' or '$')",
            )
        else:
            like[key] = {"prefix": f"{header.value}*", "suffix": f"*{header.value}"}.get(
                header.kind, "*" if header.kind == "present" else f"*{inner}*"
            )
    return resource, equals, like
