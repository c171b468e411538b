"""Options of the ``linkerd`` target."""

from __future__ import annotations

from typing import Literal

from ..linkerd_policy.options import LinkerdPolicyOptions


class LinkerdOptions(LinkerdPolicyOptions):
    """Options of the ``linkerd`` target."""

    route_api: Literal["gateway", "policy"] = "gateway"
    """HTTPRoute flavour: ``gateway`` (gateway.networking.k8s.io/v1) or ``policy``
    (policy.linkerd.io/v1beta3, for clusters without the Gateway API CRDs)."""
    tcp_route_api: Literal["v1", "v1alpha2"] = "v1alpha2"
    """API version of TCPRoutes for TCP apex ports: ``v1alpha2`` (what Linkerd 2.16+ reads
    from the experimental channel) or ``v1`` (Gateway API 1.6+ standard channel)."""
