"""A small evaluator of Consul service intentions, for tests.

It decides whether one connection or HTTP request from a source service to a destination
service is allowed, following Consul's ``agent/xds/rbac.go`` and ``agent/structs/
config_entry_intentions.go``:

1. Of the ServiceIntentions entries for the destination (exact name, else the ``*``
   destination), the sources matching the caller are ranked by precedence
   (``computeIntentionPrecedence``: exact destination/source namespace and name beat ``*``);
   only the highest one decides (Consul NOTs it out of every lower one).
2. An L4 source (``action``) decides by its action.
3. An L7 source (``permissions``) on a TCP destination is a deny (Consul treats L7 intentions
   that reach a non-HTTP listener as deny). On HTTP its permissions are tried in order, the
   first match decides; **no match falls to the ACL default policy** — not to the ``*``
   source, which Consul never applies to a caller that has its own intention.
4. No matching source: the ACL default policy (``default_allow``; consul-k8s without ACLs
   allows, with ACLs usually denies).

Permission matching: ``pathExact``/``pathPrefix`` on the path without its query string,
``pathRegex`` as an RE2 full match, ``methods`` (any when absent), every ``header`` condition
(``exact``, ``prefix``, ``suffix``, ``contains``, ``regex`` full match, ``present``; a missing
header fails all but nothing). ``invert`` and JWT conditions raise NotImplementedError. An
entry is given in CRD form (a manifest) or as pulumi-consul ``ConfigEntry`` properties
(``kind``, ``name``, ``namespace``, PascalCase ``configJson``), see :func:`from_config_entry`.
Independent of pulumi_smi's translator on purpose.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .decision import Decision

DEFAULT_NAMESPACE = "default"


@dataclass(frozen=True)
class Request:
    """A connection (``protocol="tcp"``: the destination's protocol is not HTTP) or request."""

    source: str
    source_namespace: str = DEFAULT_NAMESPACE
    protocol: Literal["http", "tcp"] = "http"
    method: str = "GET"
    path: str = "/"
    headers: Mapping[str, str] = field(default_factory=dict)


def evaluate(
    entries: Iterable[Mapping[str, Any]],
    destination: str,
    request: Request,
    destination_namespace: str = DEFAULT_NAMESPACE,
    default_allow: bool = False,
) -> Decision:
    """Whether ``request`` to ``destination`` is allowed by the ServiceIntentions ``entries``."""
    default = Decision(
        default_allow, f"ACL default policy ({'allow' if default_allow else 'deny'})"
    )
    ranked: list[tuple[int, int, Mapping[str, Any]]] = []
    for order, entry in enumerate(entries):
        if entry.get("kind") != "ServiceIntentions":
            continue
        spec = entry["spec"]
        target = spec.get("destination", {})
        target_ns = target.get("namespace", DEFAULT_NAMESPACE)
        if not _matches(target.get("name", ""), destination) or not _matches(
            target_ns, destination_namespace
        ):
            continue
        exact_destination = _exact(target.get("name", ""), target_ns)
        for source in spec.get("sources", []):
            source_ns = source.get(
                "namespace", target_ns if target_ns != "*" else DEFAULT_NAMESPACE
            )
            if _matches(source["name"], request.source) and _matches(
                source_ns, request.source_namespace
            ):
                precedence = 3 * exact_destination + 3 - (2 - _exact(source["name"], source_ns))
                ranked.append((precedence, -order, source))
    if not ranked:
        return default
    _, _, source = max(ranked, key=lambda r: (r[0], r[1]))
    label = f"source {source.get('namespace', '')}/{source['name']}".replace(" /", " ")
    if "jwt" in source:
        raise NotImplementedError("JWT conditions")
    if "permissions" not in source:
        return Decision(source.get("action") == "allow", f"{label}: action {source.get('action')}")
    if request.protocol != "http":
        return Decision(False, f"{label}: L7 permissions on a TCP destination deny")
    for index, permission in enumerate(source["permissions"]):
        if _permission_matches(permission, request):
            action = permission["action"]
            return Decision(action == "allow", f"{label}: permissions[{index}] {action}")
    return Decision(default.allowed, f"{label}: no permission matched, {default.reason}")


def from_config_entry(properties: Mapping[str, Any]) -> dict[str, Any]:
    """A pulumi-consul ``ConfigEntry``'s properties as the equivalent CRD manifest."""
    if properties["kind"] != "service-intentions":
        return {"kind": properties["kind"]}
    spec = _camel(json.loads(properties["configJson"]))
    destination = {"name": properties["name"]}
    if "namespace" in properties:
        destination["namespace"] = properties["namespace"]
    return {"kind": "ServiceIntentions", "spec": {**spec, "destination": destination}}


def _camel(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            ("http" if k == "HTTP" else k[:1].lower() + k[1:]): _camel(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _matches(pattern: str, value: str) -> bool:
    return pattern in ("*", value)


def _exact(name: str, namespace: str) -> int:
    """Consul's ``intentionCountExact``: 0 for ``*/*``, 1 for ``ns/*``, 2 for ``ns/name``."""
    if namespace == "*":
        return 0
    return 1 if name == "*" else 2


def _permission_matches(permission: Mapping[str, Any], request: Request) -> bool:
    if "jwt" in permission:
        raise NotImplementedError("JWT conditions")
    http = permission["http"]
    path = request.path.split("?", 1)[0]
    if "pathExact" in http and path != http["pathExact"]:
        return False
    if "pathPrefix" in http and not path.startswith(http["pathPrefix"]):
        return False
    if "pathRegex" in http and not re.fullmatch(http["pathRegex"], path):
        return False
    if "methods" in http and request.method not in http["methods"]:
        return False
    headers = {k.lower(): v for k, v in request.headers.items()}
    return all(_header_matches(h, headers) for h in http.get("header", []))


def _header_matches(condition: Mapping[str, Any], headers: Mapping[str, str]) -> bool:
    if condition.get("invert"):
        raise NotImplementedError("inverted header conditions")
    value = headers.get(condition["name"].lower())
    if value is None:
        return False
    if condition.get("present"):
        return True
    checks: dict[str, Callable[[str], bool]] = {
        "exact": lambda v: value == v,
        "prefix": lambda v: value.startswith(v),
        "suffix": lambda v: value.endswith(v),
        "contains": lambda v: v in value,
        "regex": lambda v: re.fullmatch(v, value) is not None,
    }
    kinds = [k for k in checks if k in condition]
    if len(kinds) != 1:
        raise ValueError(f"header condition {condition} must have exactly one match kind")
    return checks[kinds[0]](condition[kinds[0]])
