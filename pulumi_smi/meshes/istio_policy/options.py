"""Options of Istio policy: the ``istio`` target and ``gateway-api`` with ``policy=istio``."""

from __future__ import annotations

from typing import Literal

from pydantic import StrictStr

from ..base import AccessOptions


class IstioPolicyOptions(AccessOptions):
    """How TrafficTargets become Istio AuthorizationPolicies."""

    trust_domain: StrictStr = "cluster.local"
    """The mesh's trust domain (meshConfig.trustDomain), the first part of every principal."""
    default_deny: bool = True
    """Emit an allow-nothing AuthorizationPolicy in every namespace holding a TrafficTarget
    destination, so workloads there without a TrafficTarget are denied as in SMI. Set it to
    false to keep Istio's allow-by-default for them."""
    strict_mtls: bool = True
    """Emit a STRICT PeerAuthentication for every TrafficTarget destination: principals exist
    only on mTLS connections, so plaintext callers could never match an ALLOW rule."""
    istio_api: Literal["v1", "v1beta1"] = "v1"
    """API version of the emitted objects: ``v1`` (Istio 1.22+) or ``v1beta1`` (older)."""
