"""Where does a request go, and is it allowed? An evaluator of VPC Lattice, for tests.

Independent of the translator; follows the Lattice docs (listener-rules.html, auth-policies):
rules in ascending priority, the first whose match holds wins, else the listener's default
action. Path exact/prefix and header exact/prefix/contains honour ``caseSensitive`` (default
false); header names are case-insensitive; a rule has at most one method. Forward actions
give target groups as probabilities by weight. The auth policy is IAM-style: default deny,
a statement applies when Principal, Action, Resource (``*``/``?`` wildcards) and every
Condition (StringEquals / StringLike, values ORed, keys ANDed, missing key = no match) hold;
a request is allowed when an Allow statement applies and no Deny statement does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class Request:
    """A request (headers lower-case names) from a caller with IAM ``tags``/``role``."""

    method: str = "GET"
    path: str = "/"
    headers: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    role: str | None = None
    signed: bool = True


def _text(spec: Mapping[str, Any], value: str | None, sensitive: bool) -> bool:
    if value is None:
        return False
    ((kind, want),) = spec.items()
    if not sensitive:
        value, want = value.lower(), want.lower()
    return {"exact": value == want, "prefix": value.startswith(want), "contains": want in value}[
        kind
    ]


def rule_matches(match: Mapping[str, Any], request: Request) -> bool:
    """Whether a rule's ``match`` (``{httpMatch: ...}``) holds for ``request``."""
    http = match["httpMatch"]
    if "method" in http and http["method"] != request.method:
        return False
    path = http.get("pathMatch")
    if path and not _text(path["match"], request.path, path.get("caseSensitive", False)):
        return False
    headers = {k.lower(): v for k, v in request.headers.items()}
    return all(
        _text(h["match"], headers.get(h["name"].lower()), h.get("caseSensitive", False))
        for h in http.get("headerMatches", [])
    )


def _weights(targets: list[Mapping[str, Any]]) -> dict[str, Fraction]:
    total = sum(t.get("weight", 100) for t in targets)
    return {t["targetGroupIdentifier"]: Fraction(t.get("weight", 100), total) for t in targets}


def route(
    listener: Mapping[str, Any], rules: list[Mapping[str, Any]], request: Request
) -> dict[str, Fraction]:
    """Target group identifier -> probability for ``request`` on ``listener`` (engine props)."""
    for rule in sorted(rules, key=lambda r: r["priority"]):
        if rule_matches(rule["match"], request):
            return _weights(rule["action"]["forward"]["targetGroups"])
    return _weights(listener["defaultAction"]["forwards"][0]["targetGroups"])


def _like(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.S) is not None


def _context(request: Request) -> dict[str, str]:
    context = {f"aws:PrincipalTag/{k}": v for k, v in request.tags.items()}
    context["vpc-lattice-svcs:RequestMethod"] = request.method
    for name, value in request.headers.items():
        context[f"vpc-lattice-svcs:RequestHeader/{name.lower()}"] = value
    return context


def _condition(condition: Mapping[str, Mapping[str, Any]], context: Mapping[str, str]) -> bool:
    for operator, keys in condition.items():
        test = {"StringEquals": str.__eq__, "StringLike": lambda p, v: _like(p, v)}[operator]
        for key, wanted in keys.items():
            values = wanted if isinstance(wanted, list) else [wanted]
            if key not in context or not any(test(w, context[key]) for w in values):
                return False
    return True


def allowed(policy: str, service_arn: str, request: Request) -> bool:
    """Whether the auth policy (JSON) allows ``request`` to the service ``service_arn``."""
    if not request.signed:
        return False
    document = json.loads(policy)
    resource = f"{service_arn}{request.path}"
    context = _context(request)
    effects: set[str] = set()
    for statement in document["Statement"]:
        principal = statement["Principal"]
        if principal != "*" and principal.get("AWS") != request.role:
            continue
        actions = statement["Action"]
        if "vpc-lattice-svcs:Invoke" not in (actions if isinstance(actions, list) else [actions]):
            continue
        resources = statement["Resource"]
        if not any(
            _like(r, resource) for r in (resources if isinstance(resources, list) else [resources])
        ):
            continue
        if _condition(statement.get("Condition", {}), context):
            effects.add(statement["Effect"])
    return effects == {"Allow"}
