"""Where does a call go? An evaluator of AWS App Mesh resources (pulumi engine inputs), for tests.

Independent of the translator; it follows the App Mesh user guide: a client's Envoy resolves
the called host to the VirtualService of that name; with the mesh's egress filter
``DROP_ALL`` only VirtualServices in the client VirtualNode's ``backends`` are reachable.
A VirtualService provided by a VirtualNode sends everything there; one provided by a
VirtualRouter takes the router's routes by ``priority`` (lower first; unset = after every
set one; ties by route name), the first whose match holds: ``prefix`` (string prefix),
``path.exact``/``path.regex`` (full match), ``method``, every header (exact/prefix/suffix/
regex full match; absent header = no match), gRPC ``serviceName``/``methodName``/metadata.
The winner's weighted targets give VirtualNodes by weight; the result maps each node's DNS
hostname to its probability. Pulumi ``${res.name}`` references resolve to that resource's
``name`` input.

TLS (:meth:`Mesh.refusal`, App Mesh user guide "Transport Layer Security" and "Mutual TLS
authentication"): a client whose backend (else ``backendDefaults``) has a ``clientPolicy.tls``
enforced on the port originates TLS, presents its ``certificate`` if it has one, and accepts
the listener's certificate only if the ``validation`` trust holds and, with SANs listed, its
name is one of them; a listener with ``tls.mode: STRICT`` takes TLS only, and with a
``validation`` context only a client certificate the trust holds whose name is listed (no
SANs: any). A caller outside the mesh speaks plaintext with no certificate. Certificates and
trust are SDS secrets named as SPIRE names them: an SVID ``spiffe://TD/...`` is trusted by
the bundle ``spiffe://TD``; a file or ACM certificate is not modelled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

DENIED = "denied (not a backend of the caller)"
NO_ROUTE = "404 (no route)"
UNKNOWN = "no such VirtualService (passthrough or DNS only)"
_REF = re.compile(r"^\$\{([^}]+)\.name\}$")  # the output follows the last dot


@dataclass(frozen=True)
class Call:
    """A request from the VirtualNode named ``client`` (None: from outside the mesh)."""

    host: str
    client: str | None = None
    method: str = "GET"
    path: str = "/"
    headers: Mapping[str, str] = field(default_factory=dict)


class Mesh:
    """App Mesh resources by kind, references resolved."""

    def __init__(self, resources: Iterable[Mapping[str, Any]]) -> None:
        items = list(resources)
        names = {r["name"]: r["properties"]["name"] for r in items}
        self.by_kind: dict[str, list[dict[str, Any]]] = {}
        for r in items:
            kind = r["type"].rsplit(":", 1)[1]
            self.by_kind.setdefault(kind, []).append(_resolve(r["properties"], names))

    def one(self, kind: str, name: str) -> dict[str, Any] | None:
        return next((r for r in self.by_kind.get(kind, []) if r["name"] == name), None)

    def drop_all(self) -> bool:
        meshes = self.by_kind.get("Mesh", [])
        filters = [
            m.get("spec", {}).get("egressFilter", {}).get("type", "DROP_ALL") for m in meshes
        ]
        return not meshes or filters == ["DROP_ALL"]

    def call(self, call: Call) -> dict[str, Fraction]:
        """Destination hostname -> probability, or one of the sentinel outcomes."""
        if call.client is not None and self.drop_all():
            node = self.one("VirtualNode", call.client) or {"spec": {}}  # elsewhere: no backends
            backends = [
                b["virtualService"]["virtualServiceName"] for b in node["spec"].get("backends", [])
            ]
            if call.host not in backends:
                return {DENIED: Fraction(1)}
        service = self.one("VirtualService", call.host)
        if service is None:
            return {UNKNOWN: Fraction(1)}
        provider = service["spec"]["provider"]
        if "virtualNode" in provider:
            return {self.hostname(provider["virtualNode"]["virtualNodeName"]): Fraction(1)}
        router = provider["virtualRouter"]["virtualRouterName"]
        routes = [r for r in self.by_kind.get("Route", []) if r["virtualRouterName"] == router]
        routes.sort(key=lambda r: (r["spec"].get("priority", 10**6), r["name"]))
        for route in routes:
            (kind,) = [k for k in route["spec"] if k.endswith("Route")]
            body = route["spec"][kind]
            if _matches(kind, body.get("match", {}), call):
                return self.weighted(body["action"]["weightedTargets"])
        return {NO_ROUTE: Fraction(1)}

    def refusal(self, client: str | None, service: str, node: str, port: int) -> str | None:
        """Why listener ``port`` of VirtualNode ``node`` refuses a connection sent to the
        VirtualService ``service`` by VirtualNode ``client`` (None: a caller outside the mesh,
        plaintext); None when it takes it."""
        target = self.one("VirtualNode", node)
        assert target is not None, node
        listener = next(
            (
                item
                for item in target["spec"].get("listeners", [])
                if item["portMapping"]["port"] == port
            ),
            None,
        )
        if listener is None:
            return f"{node} has no listener on {port}"
        tls = listener.get("tls") or {"mode": "DISABLED"}
        policy = self._client_tls(client, service, port)
        if policy is None:
            return "the listener takes TLS only" if tls["mode"] == "STRICT" else None
        if tls["mode"] == "DISABLED":
            return "the client enforces TLS, the listener speaks plaintext"
        served = _secret(tls["certificate"])
        checked = policy["validation"]
        if "subjectAlternativeNames" not in checked:  # then the name must be the DNS hostname
            hostname = target["spec"].get("serviceDiscovery", {}).get("dns", {}).get("hostname")
            checked = {**checked, "subjectAlternativeNames": {"match": {"exacts": [hostname]}}}
        if served is None or not _trusted(served, checked):
            return f"the client does not accept the listener's certificate {served}"
        validation = tls.get("validation")
        if validation is None:
            return None
        presented = _secret(policy.get("certificate") or {})
        if presented is None:
            return "the listener demands a client certificate (mTLS); the client has none"
        if not _trusted(presented, validation):
            return f"the listener does not accept the client certificate {presented}"
        return None

    def _client_tls(self, client: str | None, service: str, port: int) -> dict[str, Any] | None:
        if client is None:
            return None
        spec = (self.one("VirtualNode", client) or {"spec": {}})["spec"]
        policies = [
            b["virtualService"].get("clientPolicy")
            for b in spec.get("backends", [])
            if b["virtualService"]["virtualServiceName"] == service
        ]
        policy = next((p for p in policies if p), None) or (
            spec.get("backendDefaults", {}).get("clientPolicy")
        )
        tls = (policy or {}).get("tls")
        if tls is None or not tls.get("enforce", True):
            return None
        if tls.get("ports") and port not in tls["ports"]:
            return None
        return dict(tls)

    def hostname(self, node_name: str) -> str:
        node = self.one("VirtualNode", node_name)
        assert node is not None, f"route target {node_name} is not a VirtualNode"
        return str(node["spec"]["serviceDiscovery"]["dns"]["hostname"])

    def weighted(self, targets: list[dict[str, Any]]) -> dict[str, Fraction]:
        assert 1 <= len(targets) <= 10
        total = sum(t["weight"] for t in targets)
        assert 0 < total <= 100, total
        shares: dict[str, Fraction] = {}
        for target in targets:
            if target["weight"]:
                host = self.hostname(target["virtualNode"])
                shares[host] = shares.get(host, Fraction(0)) + Fraction(target["weight"], total)
        return shares


def _secret(certificate: Mapping[str, Any]) -> str | None:
    """The SDS secret name of a certificate (None: none, or not from SDS)."""
    sds = certificate.get("sds")
    return None if sds is None else str(sds["secretName"])


def _trusted(name: str, validation: Mapping[str, Any]) -> bool:
    """Whether a validation context accepts the SVID ``name``: trust bundle, then SANs."""
    bundle = validation["trust"].get("sds", {}).get("secretName")
    if bundle is None or not name.startswith(f"{bundle}/"):
        return False
    sans = validation.get("subjectAlternativeNames", {}).get("match", {}).get("exacts")
    return sans is None or name in sans


def _resolve(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, Mapping):
        return {k: _resolve(v, names) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_resolve(v, names) for v in value]
    if isinstance(value, str):
        found = _REF.match(value)
        return names[found.group(1)] if found else value
    return value


def _value_matches(spec: Mapping[str, str], value: str | None) -> bool:
    if value is None:
        return False
    if "exact" in spec:
        return value == spec["exact"]
    if "prefix" in spec:
        return value.startswith(spec["prefix"])
    if "suffix" in spec:
        return value.endswith(spec["suffix"])
    if "regex" in spec:
        return re.fullmatch(spec["regex"], value) is not None
    return True


def _headers_match(items: list[dict[str, Any]], headers: Mapping[str, str]) -> bool:
    lowered = {k.lower(): v for k, v in headers.items()}
    return all(_value_matches(h.get("match", {}), lowered.get(h["name"])) for h in items)


def _matches(kind: str, match: Mapping[str, Any], call: Call) -> bool:
    if kind == "tcpRoute":
        return True
    if kind == "grpcRoute":
        service, _, method = call.path.lstrip("/").partition("/")
        if "serviceName" in match and match["serviceName"] != service:
            return False
        if "methodName" in match and match["methodName"] != method:
            return False
        return _headers_match(match.get("metadatas", []), call.headers)
    if "prefix" in match and not call.path.startswith(match["prefix"]):
        return False
    path = match.get("path", {})
    if "exact" in path and call.path != path["exact"]:
        return False
    if "regex" in path and re.fullmatch(path["regex"], call.path) is None:
        return False
    if "method" in match and match["method"] != call.method:
        return False
    return _headers_match(match.get("headers", []), call.headers)
