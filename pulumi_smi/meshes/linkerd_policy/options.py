"""Options of Linkerd policy: the ``linkerd`` target and ``gateway-api`` with ``policy=linkerd``."""

from __future__ import annotations

import ipaddress

from pydantic import StrictStr, field_validator, model_validator

from ..base import AccessOptions


class LinkerdPolicyOptions(AccessOptions):
    """How TrafficTargets become Linkerd Servers and authorization policies."""

    trust_domain: StrictStr = "cluster.local"
    """Linkerd's identityTrustDomain, the last part of every mTLS identity."""
    control_plane_namespace: StrictStr = "linkerd"
    """Namespace of the Linkerd control plane, part of every mTLS identity."""
    probe_routes: bool = False
    """Add inbound routes and a network authorization for the destination pods' kubelet probe
    paths. Once an HTTPRoute is attached to a Server, requests matching no route get 404 —
    kubelet probes included — so without this, L7 TrafficTargets break HTTP probes."""
    probe_paths: tuple[StrictStr, ...] = ()
    """With ``probe_routes``: the kubelet probe paths (``/healthz``) allowed, for GET and exactly
    these paths, on every Server that has inbound routes. By default they are the HTTP GET
    probes (liveness, readiness, startup) of the Server's workloads on its port."""
    probe_networks: tuple[StrictStr, ...] = ("0.0.0.0/0", "::/0")
    """With ``probe_routes``: the CIDRs kubelet probes come from (the nodes' networks), for the
    NetworkAuthentication that authorizes the probe routes without mTLS."""

    @field_validator("probe_paths", "probe_networks", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        """Accept ``--set probe_paths=/healthz,/ready`` (a comma-separated string)."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("probe_paths")
    @classmethod
    def _paths(cls, paths: tuple[str, ...]) -> tuple[str, ...]:
        for path in paths:
            if not path.startswith("/") or any(c in path for c in "?# \t"):
                raise ValueError(f"{path!r} is not an absolute path without query or fragment")
        return tuple(dict.fromkeys(paths))

    @field_validator("probe_networks")
    @classmethod
    def _networks(cls, networks: tuple[str, ...]) -> tuple[str, ...]:
        for network in networks:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"{network!r} is not a CIDR") from None
        return tuple(dict.fromkeys(networks))

    @model_validator(mode="after")
    def _probes(self) -> LinkerdPolicyOptions:
        if self.probe_routes and not self.probe_networks:
            raise ValueError("probe_routes needs probe_networks (the CIDRs probes come from)")
        return self
