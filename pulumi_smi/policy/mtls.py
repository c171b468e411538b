"""mTLS required, on every mesh that has it: the objects that let plaintext (or unauthenticated)
traffic in.

- Istio: a PeerAuthentication whose ``spec.mtls.mode`` or a ``spec.portLevelMtls`` mode is
  ``PERMISSIVE`` or ``DISABLE`` (``UNSET`` inherits and is not flagged); a DestinationRule whose
  ``trafficPolicy.tls.mode`` (its own, per port, or of a subset) is ``DISABLE``.
- Linkerd (mTLS between meshed pods is always on): what admits callers without an mTLS identity —
  every NetworkAuthentication, a Server whose ``accessPolicy`` is ``all-unauthenticated``,
  ``cluster-unauthenticated`` or ``audit``, a (deprecated) ServerAuthorization with
  ``client.unauthenticated`` or ``client.meshTLS.unauthenticatedTLS``.
- Consul: ProxyDefaults / ServiceDefaults ``mutualTLSMode: permissive`` and a Mesh with
  ``allowEnablingPermissiveMutualTLS: true``, as consul-k8s CRDs or as pulumi-consul config
  entries (``proxy-defaults``, ``service-defaults``, ``mesh``: ``MutualTLSMode``,
  ``AllowEnablingPermissiveMutualTLS`` in ``configJson``).
- AWS App Mesh (pulumi-aws ``aws:appmesh/virtualNode:VirtualNode`` and the ``appmesh.k8s.aws``
  VirtualNode CRD): a listener without ``tls`` or whose ``tls.mode`` is not ``STRICT``, and a
  backend with no client TLS policy (its own ``clientPolicy.tls`` or ``backendDefaults``'), or
  one with ``enforce: false``.
- VPC Lattice has no mTLS between clients and services (callers are authenticated by IAM
  SigV4, ``authType: AWS_IAM``): nothing to check. Gateway API and SMI objects carry no mTLS
  setting: the mesh implementing them decides.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..review.values import items, mapping
from .subject import NOTHING, Findings, Subject

APPMESH_NODE = "aws:appmesh/virtualNode:VirtualNode"
CONSUL_CONFIG_ENTRY = "consul:index/configEntry:ConfigEntry"
_ISTIO_SECURITY = "security.istio.io"
_ISTIO_NETWORKING = "networking.istio.io"
_LINKERD = "policy.linkerd.io"
_CONSUL = "consul.hashicorp.com"
_APPMESH_K8S = "appmesh.k8s.aws"
_NOT_STRICT = ("PERMISSIVE", "DISABLE")
_UNAUTHENTICATED = ("all-unauthenticated", "cluster-unauthenticated", "audit")


def _unknown(subject: Subject, path: str) -> str:
    return f"{subject.describe()}: {path} is not known yet (preview): mTLS cannot be judged"


def _istio_peer(subject: Subject) -> Findings:
    spec = subject.spec
    found: list[str] = []
    unjudged: list[str] = []
    mtls = mapping(spec.get("mtls"))
    if "mode" in mtls and mtls["mode"] is None:
        unjudged.append(_unknown(subject, "spec.mtls.mode"))
    elif str(mtls.get("mode", "")).upper() in _NOT_STRICT:
        found.append(
            f"{subject.describe()}: spec.mtls.mode is {mtls['mode']}: the selected workloads "
            "accept plaintext traffic; mTLS must be STRICT"
        )
    for port, setting in sorted(mapping(spec.get("portLevelMtls")).items()):
        mode = mapping(setting).get("mode")
        if str(mode or "").upper() in _NOT_STRICT:
            found.append(
                f"{subject.describe()}: spec.portLevelMtls[{port}].mode is {mode}: port {port} "
                "accepts plaintext traffic; mTLS must be STRICT"
            )
    return Findings.of(found, unjudged)


def _tls_disabled(policy: Mapping[str, Any], where: str) -> list[str]:
    found = []
    if str(mapping(policy.get("tls")).get("mode", "")).upper() == "DISABLE":
        found.append(f"{where}.tls.mode")
    for position, port in enumerate(items(policy.get("portLevelSettings"))):
        if str(mapping(port.get("tls")).get("mode", "")).upper() == "DISABLE":
            found.append(f"{where}.portLevelSettings[{position}].tls.mode")
    return found


def _istio_destination_rule(subject: Subject) -> Findings:
    spec = subject.spec
    paths = _tls_disabled(mapping(spec.get("trafficPolicy")), "spec.trafficPolicy")
    for position, subset in enumerate(items(spec.get("subsets"))):
        paths += _tls_disabled(
            mapping(subset.get("trafficPolicy")), f"spec.subsets[{position}].trafficPolicy"
        )
    return Findings.of(
        f"{subject.describe()}: {path} is DISABLE: clients of host {spec.get('host')!s} send "
        "plaintext instead of Istio mTLS"
        for path in paths
    )


def _linkerd(subject: Subject) -> Findings:
    spec = subject.spec
    if subject.is_kind(_LINKERD, "NetworkAuthentication"):
        networks = [str(n.get("cidr")) for n in items(spec.get("networks"))]
        return Findings.of(
            [
                f"{subject.describe()}: authorizes clients by network ({', '.join(networks)}), "
                "without an mTLS identity: every authorization referring to it admits "
                "plaintext callers"
            ]
        )
    if subject.is_kind(_LINKERD, "Server"):
        policy = spec.get("accessPolicy")
        if policy in _UNAUTHENTICATED:
            return Findings.of(
                [
                    f"{subject.describe()}: spec.accessPolicy is {policy}: callers without an "
                    "mTLS identity are let in; use deny (with authorizations) or "
                    "all-authenticated / cluster-authenticated"
                ]
            )
        return NOTHING
    if subject.is_kind(_LINKERD, "ServerAuthorization"):
        client = mapping(spec.get("client"))
        found = []
        if client.get("unauthenticated") is True:
            found.append(f"{subject.describe()}: spec.client.unauthenticated admits plaintext")
        if mapping(client.get("meshTLS")).get("unauthenticatedTLS") is True:
            found.append(
                f"{subject.describe()}: spec.client.meshTLS.unauthenticatedTLS admits TLS "
                "clients without an mTLS identity"
            )
        return Findings.of(found)
    return NOTHING


def _permissive(subject: Subject, kind: str, config: Mapping[str, Any], camel: bool) -> list[str]:
    mode_key = "mutualTLSMode" if camel else "MutualTLSMode"
    allow_key = "allowEnablingPermissiveMutualTLS" if camel else "AllowEnablingPermissiveMutualTLS"
    where = "spec" if camel else "configJson"
    if kind in ("ServiceDefaults", "ProxyDefaults"):
        mode = config.get(mode_key)
        if isinstance(mode, str) and mode.lower() == "permissive":
            return [
                f"{subject.describe()}: {where}.{mode_key} is {mode}: the sidecar accepts "
                "connections without mTLS; remove it (strict is Consul's default)"
            ]
    elif kind == "Mesh" and config.get(allow_key) is True:
        return [
            f"{subject.describe()}: {where}.{allow_key} is true: services may switch to "
            "permissive mTLS (plaintext accepted); leave it false"
        ]
    return []


_CONSUL_ENTRY_KINDS = {
    "service-defaults": "ServiceDefaults",
    "proxy-defaults": "ProxyDefaults",
    "mesh": "Mesh",
}


def _consul(subject: Subject) -> Findings:
    kube = subject.kubernetes
    if kube is not None:
        return Findings.of(_permissive(subject, kube[1], subject.spec, camel=True))
    kind = _CONSUL_ENTRY_KINDS.get(str(subject.props.get("kind")))
    if kind is None:
        return NOTHING
    text = subject.props.get("configJson")
    if text is None:
        return Findings.of(unjudged=[_unknown(subject, "configJson")])
    try:
        config = json.loads(str(text))
    except ValueError:
        return Findings.of([f"{subject.describe()}: configJson is not JSON: cannot be judged"])
    return Findings.of(_permissive(subject, kind, mapping(config), camel=False))


def _appmesh_node(subject: Subject, spec: Mapping[str, Any]) -> Findings:
    found: list[str] = []
    for position, listener in enumerate(items(spec.get("listeners"))):
        port = mapping(listener.get("portMapping")).get("port")
        where = f"spec.listeners[{position}] (port {port})"
        tls = listener.get("tls")
        if tls is None:
            found.append(
                f"{subject.describe()}: {where} has no tls: it accepts plaintext; give it "
                "tls mode STRICT (pulumi-smi: the appmesh option mtls_trust_domain)"
            )
        elif str(mapping(tls).get("mode", "")).upper() != "STRICT":
            found.append(
                f"{subject.describe()}: {where} tls.mode is {mapping(tls).get('mode')}: "
                "plaintext is accepted; mTLS must be STRICT"
            )
    default = mapping(mapping(spec.get("backendDefaults")).get("clientPolicy")).get("tls")
    for position, backend in enumerate(items(spec.get("backends"))):
        service = mapping(backend.get("virtualService"))
        name = (
            service.get("virtualServiceName")  # pulumi-aws
            or mapping(service.get("virtualServiceRef")).get("name")  # the controller's CRD
            or service.get("virtualServiceARN")
        )
        tls = mapping(service.get("clientPolicy")).get("tls", default)
        where = f"spec.backends[{position}] ({name})"
        if tls is None:
            found.append(
                f"{subject.describe()}: {where} has no client TLS policy (nor backendDefaults): "
                "calls to it are not mTLS"
            )
        elif mapping(tls).get("enforce") is False:
            found.append(f"{subject.describe()}: {where} clientPolicy.tls.enforce is false")
    return Findings.of(found)


def mtls_findings(subject: Subject) -> Findings:
    """What in ``subject`` lets traffic in without mTLS (the module docstring says what)."""
    if subject.is_kind(_ISTIO_SECURITY, "PeerAuthentication"):
        return _istio_peer(subject)
    if subject.is_kind(_ISTIO_NETWORKING, "DestinationRule"):
        return _istio_destination_rule(subject)
    kube = subject.kubernetes
    if kube is not None and kube[0] == _LINKERD:
        return _linkerd(subject)
    if subject.is_kind(_CONSUL, "ServiceDefaults", "ProxyDefaults", "Mesh") or (
        subject.type == CONSUL_CONFIG_ENTRY
    ):
        return _consul(subject)
    if subject.type == APPMESH_NODE:
        return _appmesh_node(subject, mapping(subject.props.get("spec")))
    if subject.is_kind(_APPMESH_K8S, "VirtualNode"):
        return _appmesh_node(subject, subject.spec)
    return NOTHING
