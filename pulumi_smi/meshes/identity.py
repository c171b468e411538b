"""Workload identities of the meshes, derived from Kubernetes ServiceAccounts."""

from __future__ import annotations


def spiffe_principal(trust_domain: str, namespace: str, service_account: str) -> str:
    """Istio's principal for a ServiceAccount: ``<trust-domain>/ns/<ns>/sa/<sa>``."""
    return f"{trust_domain}/ns/{namespace}/sa/{service_account}"


def linkerd_identity(
    service_account: str, namespace: str, control_plane_namespace: str, trust_domain: str
) -> str:
    """Linkerd's mTLS identity: ``<sa>.<ns>.serviceaccount.identity.<cp-ns>.<trust-domain>``."""
    return (
        f"{service_account}.{namespace}.serviceaccount.identity."
        f"{control_plane_namespace}.{trust_domain}"
    )
