"""No wildcard principals: the access objects that allow any caller (``*``) instead of identities.

- Istio AuthorizationPolicy (``action`` ALLOW, the default): a ``principals``,
  ``requestPrincipals`` or ``namespaces`` entry containing ``*`` (``*``,
  ``cluster.local/ns/shop/sa/*``), and a rule whose ``from`` is absent or names no source at
  all (only ``not*`` fields): it allows every caller. DENY, CUSTOM and AUDIT policies only
  take away, so they are not judged; a policy without rules allows nothing.
- Linkerd MeshTLSAuthentication: an ``identities`` entry containing ``*``, an ``identityRefs``
  entry without ``name`` (every object of that kind); ServerAuthorization
  ``client.meshTLS.identities`` likewise.
- Consul ServiceIntentions (CRD ``spec.sources`` or config entry ``Sources``): a source whose
  ``name`` (or ``namespace``, ``partition``) is ``*`` and that allows something — ``action:
  allow``, or an ``allow`` permission. A ``*`` deny (SMI's default deny) is what it should be.
- VPC Lattice AuthPolicy (pulumi-aws ``policy``, or the ``IAMAuthPolicy`` CRD's
  ``spec.policy``): an ``Allow`` statement whose ``Principal`` is ``*`` (or ``{"AWS": "*"}``)
  with no ``Condition``: any IAM principal — any AWS account — may call. pulumi-smi's own
  statements name the caller in their conditions (session tags or ``aws:PrincipalArn``).
- App Mesh has no principals (TrafficTargets become backends); SMI objects name
  ServiceAccounts only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..review.values import items, mapping
from .mtls import CONSUL_CONFIG_ENTRY
from .subject import NOTHING, Findings, Subject

LATTICE_AUTH_POLICY = "aws:vpclattice/authPolicy:AuthPolicy"
_ISTIO_SECURITY = "security.istio.io"
_LINKERD = "policy.linkerd.io"
_CONSUL = "consul.hashicorp.com"
_LATTICE_K8S = "application-networking.k8s.aws"
_ISTIO_SOURCES = ("principals", "requestPrincipals", "namespaces")
_ISTIO_POSITIVE = (*_ISTIO_SOURCES, "ipBlocks", "remoteIpBlocks")


def _starred(values: object) -> list[str]:
    return [
        v for v in (values if isinstance(values, list) else []) if isinstance(v, str) and "*" in v
    ]


def _istio(subject: Subject) -> Findings:
    spec = subject.spec
    action = str(spec.get("action") or "ALLOW").upper()
    if action != "ALLOW":
        return NOTHING
    found: list[str] = []
    for position, rule in enumerate(items(spec.get("rules"))):
        where = f"{subject.describe()}: spec.rules[{position}]"
        sources = items(rule.get("from"))
        if not sources:
            found.append(f"{where} has no from: it allows every caller (a * source)")
            continue
        for index, entry in enumerate(sources):
            source = mapping(entry.get("source"))
            if not any(source.get(k) for k in _ISTIO_POSITIVE):
                found.append(
                    f"{where}.from[{index}] names no principal, namespace or address: "
                    "it allows every caller (a * source)"
                )
            for key in _ISTIO_SOURCES:
                for value in _starred(source.get(key)):
                    found.append(
                        f"{where}.from[{index}].source.{key} has {value!r}: a wildcard "
                        "principal; name the ServiceAccounts"
                    )
    return Findings.of(found)


def _linkerd(subject: Subject) -> Findings:
    spec = subject.spec
    found: list[str] = []
    if subject.is_kind(_LINKERD, "MeshTLSAuthentication"):
        for value in _starred(spec.get("identities")):
            found.append(
                f"{subject.describe()}: spec.identities has {value!r}: a wildcard identity"
            )
        for position, ref in enumerate(items(spec.get("identityRefs"))):
            if not ref.get("name"):
                found.append(
                    f"{subject.describe()}: spec.identityRefs[{position}] (kind "
                    f"{ref.get('kind')}) has no name: it stands for every {ref.get('kind')}"
                )
    elif subject.is_kind(_LINKERD, "ServerAuthorization"):
        identities = mapping(mapping(spec.get("client")).get("meshTLS")).get("identities")
        for value in _starred(identities):
            found.append(
                f"{subject.describe()}: spec.client.meshTLS.identities has {value!r}: a "
                "wildcard identity"
            )
    return Findings.of(found)


def _allows(source: Mapping[str, Any], action_key: str, permissions_key: str) -> bool:
    if str(source.get(action_key) or "").lower() == "allow":
        return True
    return any(
        str(p.get(action_key) or "").lower() == "allow" for p in items(source.get(permissions_key))
    )


def _intentions(subject: Subject, sources: object, camel: bool) -> list[str]:
    keys = ("name", "namespace", "partition") if camel else ("Name", "Namespace", "Partition")
    action, permissions = ("action", "permissions") if camel else ("Action", "Permissions")
    field = "spec.sources" if camel else "configJson Sources"
    found = []
    for position, source in enumerate(items(sources)):
        starred = [k for k in keys if source.get(k) == "*"]
        if starred and _allows(source, action, permissions):
            found.append(
                f"{subject.describe()}: {field}[{position}] allows {starred[0]} '*': every "
                "service may call; name the sources (a '*' source may only deny)"
            )
    return found


def _consul(subject: Subject) -> Findings:
    if subject.kubernetes is not None:
        return Findings.of(_intentions(subject, subject.spec.get("sources"), camel=True))
    if subject.props.get("kind") != "service-intentions":
        return NOTHING
    text = subject.props.get("configJson")
    if text is None:
        return Findings.of(
            unjudged=[f"{subject.describe()}: configJson is not known yet (preview)"]
        )
    try:
        config = mapping(json.loads(str(text)))
    except ValueError:
        return Findings.of([f"{subject.describe()}: configJson is not JSON: cannot be judged"])
    return Findings.of(_intentions(subject, config.get("Sources"), camel=False))


def _any_principal(principal: object) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        values = principal.get("AWS")
        return values == "*" or (isinstance(values, list) and "*" in values)
    return False


def _lattice(subject: Subject, text: object, field: str) -> Findings:
    if text is None:
        return Findings.of(
            unjudged=[
                f"{subject.describe()}: {field} is not known yet (preview): its principals "
                "cannot be judged"
            ]
        )
    try:
        document = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return Findings.of([f"{subject.describe()}: {field} is not JSON: cannot be judged"])
    statements = mapping(document).get("Statement")
    listed = [statements] if isinstance(statements, Mapping) else items(statements)
    found = []
    for position, statement in enumerate(listed):
        if (
            statement.get("Effect") == "Allow"
            and _any_principal(statement.get("Principal"))
            and not statement.get("Condition")
        ):
            found.append(
                f"{subject.describe()}: {field} Statement[{position}] allows Principal '*' "
                "without a Condition: any IAM principal may call; name the callers "
                "(conditions on aws:PrincipalTag/... or aws:PrincipalArn)"
            )
    return Findings.of(found)


def wildcard_findings(subject: Subject) -> Findings:
    """The wildcard principals of ``subject`` (the module docstring says where)."""
    if subject.is_kind(_ISTIO_SECURITY, "AuthorizationPolicy"):
        return _istio(subject)
    if subject.is_kind(_LINKERD, "MeshTLSAuthentication", "ServerAuthorization"):
        return _linkerd(subject)
    if subject.is_kind(_CONSUL, "ServiceIntentions") or subject.type == CONSUL_CONFIG_ENTRY:
        return _consul(subject)
    if subject.type == LATTICE_AUTH_POLICY:
        return _lattice(subject, subject.props.get("policy"), "policy")
    if subject.is_kind(_LATTICE_K8S, "IAMAuthPolicy"):
        return _lattice(subject, subject.spec.get("policy"), "spec.policy")
    return NOTHING
