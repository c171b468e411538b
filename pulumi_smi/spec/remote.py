"""Backends served outside the mesh: a Service that stands for a remote host or datacenter.

Plain Kubernetes and plain SMI say it: a TrafficSplit backend whose Service is
``type: ExternalName`` is served elsewhere — by another mesh of the estate (the DNS name of a
VPC Lattice service, an east-west gateway of another cluster) or by any external host — at
``spec.externalName``. Annotations on that Service (never on the SMI objects, which stay
valid SMI) say more where a target needs it:

- ``smi.pulumi.com/consul-datacenter``, ``smi.pulumi.com/consul-peer``,
  ``smi.pulumi.com/consul-partition``: the backend is a Consul service of another datacenter,
  cluster peer or admin partition (a ServiceResolver ``redirect``); such a Service needs no
  ``externalName``. ``smi.pulumi.com/consul-service`` names it there (default: the Service's
  own name).
- ``smi.pulumi.com/lattice-target-type``: ``IP`` (default: on-premises addresses reached over
  Direct Connect or VPN) or ``ALB`` (an Application Load Balancer in the target group's VPC).
- ``smi.pulumi.com/served-by``: the name of the mesh that serves it, shown in messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictStr, model_validator

from .fields import ObjectName
from .shape import ShapeError

PREFIX = "smi.pulumi.com/"
CONSUL_KEYS = ("datacenter", "peer", "partition")
ANNOTATIONS = {
    **{f"{PREFIX}consul-{key}": key for key in (*CONSUL_KEYS, "service")},
    f"{PREFIX}lattice-target-type": "lattice_target_type",
    f"{PREFIX}served-by": "served_by",
}
"""Annotation key -> :class:`Remote` field."""


class Remote(BaseModel):
    """Where a backend Service outside the mesh is served."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: ObjectName | None = None
    """The DNS name it is reached at (an ExternalName Service's ``spec.externalName``)."""
    datacenter: ObjectName | None = None
    peer: ObjectName | None = None
    partition: ObjectName | None = None
    service: ObjectName | None = None
    """Its Consul service name in the datacenter, peer or partition (default: its own)."""
    lattice_target_type: Literal["IP", "ALB"] = "IP"
    served_by: StrictStr | None = None

    @model_validator(mode="after")
    def _somewhere(self) -> Remote:
        consul = [k for k in CONSUL_KEYS if getattr(self, k)]
        if len(consul) > 1:
            raise ValueError(f"give one of consul-{', consul-'.join(consul)}, not several")
        if self.host is None and not consul:
            raise ValueError(
                "a remote backend needs spec.type: ExternalName with spec.externalName (its "
                "host), or a consul-datacenter, consul-peer or consul-partition annotation"
            )
        return self

    @property
    def consul_redirect(self) -> dict[str, str]:
        """``redirect`` of a Consul ServiceResolver: the datacenter, peer or partition."""
        return {k: v for k in CONSUL_KEYS if (v := getattr(self, k))}

    @property
    def where(self) -> str:
        """Where it is served, for messages: ``host reviews.example.com`` or ``datacenter dc2``."""
        place = (
            f"host {self.host}"
            if self.host
            else " ".join(f"{k} {v}" for k, v in self.consul_redirect.items())
        )
        return f"{place} (mesh {self.served_by})" if self.served_by else place


def remote_from_manifest(
    spec: Mapping[str, Any], annotations: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The :class:`Remote` fields of a Service manifest; None when it is an ordinary Service."""
    fields = {field: annotations[key] for key, field in ANNOTATIONS.items() if key in annotations}
    consul = [f"{PREFIX}consul-{k}" for k in CONSUL_KEYS if k in fields]
    if len(consul) > 1:
        raise ShapeError("metadata.annotations", f"give one of {', '.join(consul)}, not several")
    if spec.get("type") == "ExternalName":
        if spec.get("externalName") is None:
            raise ShapeError("spec.externalName", "an ExternalName Service needs its host here")
        fields["host"] = spec.get("externalName")
    elif not consul:
        return None
    return fields
