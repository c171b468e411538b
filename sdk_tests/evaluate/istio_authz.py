"""A small evaluator of Istio AuthorizationPolicy and PeerAuthentication, for tests.

It decides whether one request to one workload is allowed, following
``security/v1beta1/authorization_policy.proto`` and pilot's authz builder:

1. PeerAuthentication STRICT (workload selector > namespace-wide > root namespace; port-level
   modes honoured) refuses a plaintext connection (``principal=None``) before any policy;
2. a DENY policy whose rules match denies (CUSTOM is not supported, AUDIT is ignored);
3. no ALLOW policy applies to the workload -> allow;
4. an ALLOW policy whose rules match -> allow;
5. otherwise deny (so an allow-nothing policy, ``spec: {}``, denies).

A policy applies to a workload when it lives in the workload's namespace (or the root
namespace) and its ``selector.matchLabels`` are a subset of the pod labels (no selector = every
workload). Rules are ORed; in a rule ``from``, ``to`` and ``when`` are ANDed, each list ORed, the
fields of a source or operation ANDed. Strings match as Istio does: ``*`` = present (non-empty),
``*x`` suffix, ``x*`` prefix, else exact; paths also as URI templates (``{*}`` = one segment of
pchar, ``{**}`` = zero or more segments, as Envoy compiles them) and without the query string.

On a TCP connection (``method=None``) HTTP attributes do not exist: an ALLOW rule using one
(methods, paths, hosts or a request header condition) never matches (pilot skips it on TCP filter
chains), while in a DENY rule those fields are dropped, i.e. treated as matching.

Not modelled (the evaluator raises NotImplementedError rather than guessing): IP blocks, request
principals (JWT), hosts on HTTP, CUSTOM policies, targetRef(s), and conditions other than request
headers, source.principal, source.namespace and destination.port. Path normalization is not
modelled either: give already-normalized paths. Independent of pulumi_smi's translator on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .decision import Decision

ROOT_NAMESPACE = "istio-system"
_PCHAR = re.escape("-._~%!$&'()+,;:@=")
_ONE_SEGMENT = f"[a-zA-Z0-9{_PCHAR}]+"
_ANY_SEGMENTS = f"[a-zA-Z0-9{_PCHAR}/]*"
_HTTP_OPERATION_FIELDS = ("methods", "notMethods", "paths", "notPaths", "hosts", "notHosts")
_SUPPORTED_SOURCE = {"principals", "notPrincipals", "namespaces", "notNamespaces"}
_NAMESPACE_OF_PRINCIPAL = re.compile(r"/ns/([^/]+)/sa/")


@dataclass(frozen=True)
class Workload:
    """The destination: a pod's namespace and labels."""

    namespace: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class Request:
    """One connection or HTTP request as the destination sidecar sees it.

    ``principal`` is the peer's mTLS identity (None = plaintext); ``method`` None means a plain
    TCP connection (no HTTP attributes); ``port`` is the port the sidecar receives on.
    """

    principal: str | None
    port: int
    method: str | None = None
    path: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_http(self) -> bool:
        """Whether HTTP attributes exist for this request."""
        return self.method is not None


def evaluate(
    objects: Iterable[Mapping[str, Any]],
    workload: Workload,
    request: Request,
    root_namespace: str = ROOT_NAMESPACE,
) -> Decision:
    """Whether Istio lets ``request`` reach ``workload`` under ``objects`` (manifests)."""
    manifests = list(objects)
    mode = _mtls_mode(manifests, workload, request.port, root_namespace)
    if mode == "STRICT" and request.principal is None:
        return Decision(False, "plaintext refused by a STRICT PeerAuthentication")
    policies = [
        m
        for m in manifests
        if m.get("kind") == "AuthorizationPolicy" and _applies(m, workload, root_namespace)
    ]
    for policy in policies:
        if _action(policy) == "CUSTOM":
            raise NotImplementedError("CUSTOM AuthorizationPolicies are not modelled")
    for policy in (p for p in policies if _action(p) == "DENY"):
        if _policy_matches(policy, request, deny=True):
            return Decision(False, f"denied by DENY policy {_name(policy)}")
    allows = [p for p in policies if _action(p) == "ALLOW"]
    if not allows:
        return Decision(True, "no ALLOW policy applies")
    for policy in allows:
        if _policy_matches(policy, request, deny=False):
            return Decision(True, f"allowed by {_name(policy)}")
    names = ", ".join(_name(p) for p in allows)
    return Decision(False, f"no ALLOW policy matches ({names})")


def _name(manifest: Mapping[str, Any]) -> str:
    metadata = manifest.get("metadata", {})
    return f"{metadata.get('namespace')}/{metadata.get('name')}"


def _action(policy: Mapping[str, Any]) -> str:
    return str((policy.get("spec") or {}).get("action", "ALLOW"))


def _applies(manifest: Mapping[str, Any], workload: Workload, root: str) -> bool:
    spec = manifest.get("spec") or {}
    if "targetRef" in spec or "targetRefs" in spec:
        raise NotImplementedError("targetRef(s) are not modelled")
    namespace = manifest.get("metadata", {}).get("namespace")
    if namespace not in (workload.namespace, root):
        return False
    labels = (spec.get("selector") or {}).get("matchLabels") or {}
    return all(workload.labels.get(k) == v for k, v in labels.items())


def _mtls_mode(manifests: list[Mapping[str, Any]], workload: Workload, port: int, root: str) -> str:
    """The effective mTLS mode: the most specific PeerAuthentication wins."""
    candidates = [
        m
        for m in manifests
        if m.get("kind") == "PeerAuthentication"
        and _applies(m, workload, root)
        and not (_has_selector(m) and m["metadata"].get("namespace") != workload.namespace)
    ]

    def specificity(manifest: Mapping[str, Any]) -> int:
        in_namespace = manifest["metadata"].get("namespace") == workload.namespace
        return 2 if _has_selector(manifest) else 1 if in_namespace else 0

    mode = "PERMISSIVE"
    for manifest in sorted(candidates, key=specificity):
        spec = manifest.get("spec") or {}
        inherited = mode
        mode = (spec.get("mtls") or {}).get("mode", "UNSET")
        mode = inherited if mode == "UNSET" else mode
        port_mode = ((spec.get("portLevelMtls") or {}).get(str(port)) or {}).get("mode")
        if port_mode and port_mode != "UNSET":
            mode = port_mode
    return mode


def _has_selector(manifest: Mapping[str, Any]) -> bool:
    """A PeerAuthentication selector only ever selects pods of its own namespace."""
    return bool(((manifest.get("spec") or {}).get("selector") or {}).get("matchLabels"))


def _policy_matches(policy: Mapping[str, Any], request: Request, deny: bool) -> bool:
    rules = (policy.get("spec") or {}).get("rules") or []
    return any(_rule_matches(rule or {}, request, deny) for rule in rules)


def _rule_matches(rule: Mapping[str, Any], request: Request, deny: bool) -> bool:
    sources = rule.get("from") or []
    operations = rule.get("to") or []
    conditions = rule.get("when") or []
    if not request.is_http and not deny and _uses_http(operations, conditions):
        return False
    return (
        (not sources or any(_source_matches(s.get("source") or {}, request) for s in sources))
        and (
            not operations
            or any(_operation_matches(o.get("operation") or {}, request) for o in operations)
        )
        and all(_condition_matches(c, request) for c in conditions)
    )


def _uses_http(operations: list[Mapping[str, Any]], conditions: list[Mapping[str, Any]]) -> bool:
    http_operation = any(
        (o.get("operation") or {}).get(f) for o in operations for f in _HTTP_OPERATION_FIELDS
    )
    return http_operation or any(c["key"].startswith("request.headers[") for c in conditions)


def _source_matches(source: Mapping[str, Any], request: Request) -> bool:
    unknown = set(source) - _SUPPORTED_SOURCE
    if unknown:
        raise NotImplementedError(f"source fields {sorted(unknown)} are not modelled")
    namespace = _namespace(request.principal)
    return _field(source, "principals", request.principal) and _field(
        source, "namespaces", namespace
    )


def _namespace(principal: str | None) -> str | None:
    found = _NAMESPACE_OF_PRINCIPAL.search(principal or "")
    return found.group(1) if found else None


def _field(holder: Mapping[str, Any], name: str, value: str | None, matcher: Any = None) -> bool:
    """``name`` (any of its values) and ``not<Name>`` (none of its values) both hold."""
    match = matcher or string_matches
    positive = holder.get(name)
    negative = holder.get("not" + name[0].upper() + name[1:])
    if positive and (value is None or not any(match(p, value) for p in positive)):
        return False
    return not (negative and value is not None and any(match(n, value) for n in negative))


def _operation_matches(operation: Mapping[str, Any], request: Request) -> bool:
    if operation.get("hosts") or operation.get("notHosts"):
        raise NotImplementedError("hosts are not modelled")
    path = request.path.split("?", 1)[0] if request.path is not None else None
    return (
        _field(operation, "ports", str(request.port), _port_matches)
        and (not request.is_http or _field(operation, "methods", request.method))
        and (not request.is_http or _field(operation, "paths", path, path_matches))
    )


def _port_matches(pattern: str, value: str) -> bool:
    return pattern == value


def _condition_matches(condition: Mapping[str, Any], request: Request) -> bool:
    key = condition["key"]
    if key.startswith("request.headers[") and key.endswith("]"):
        if not request.is_http:
            return True  # only reached for DENY rules, where HTTP attributes are dropped
        value = request.headers.get(key[len("request.headers[") : -1].lower())
        if value is None and condition.get("notValues"):
            raise NotImplementedError("notValues on a missing header is not modelled")
    elif key == "source.principal":
        value = request.principal
    elif key == "source.namespace":
        value = _namespace(request.principal)
    elif key == "destination.port":
        value = str(request.port)
    else:
        raise NotImplementedError(f"condition {key!r} is not modelled")
    return _field(condition, "values", value)


def string_matches(pattern: str, value: str) -> bool:
    """Istio's string match: ``*`` presence, ``*x`` suffix, ``x*`` prefix, else exact."""
    if pattern == "*":
        return value != ""
    if pattern.startswith("*"):
        return value.endswith(pattern[1:])
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return value == pattern


def path_matches(pattern: str, path: str) -> bool:
    """A path pattern: a URI template when it holds ``{*}``/``{**}``, else a string match."""
    if "{*}" not in pattern and "{**}" not in pattern:
        return string_matches(pattern, path)
    regex = "".join(
        _ANY_SEGMENTS if part == "{**}" else _ONE_SEGMENT if part == "{*}" else re.escape(part)
        for part in re.split(r"(\{\*\*\}|\{\*\})", pattern)
    )
    return re.fullmatch(regex, path) is not None
