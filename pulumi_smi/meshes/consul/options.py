"""Options of the ``consul`` target."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictStr, field_validator

from ...spec.fields import ObjectName
from ..base import AccessOptions, json_from_command_line


class ConsulOptions(AccessOptions):
    """Options of the ``consul`` target."""

    mode: Literal["crd", "config-entry"] = "crd"
    """``crd``: consul.hashicorp.com/v1alpha1 objects written by Kubernetes (consul-k8s);
    ``config-entry``: the same config entries written straight to a Consul datacenter through
    pulumi-consul (for VMs, or where Kubernetes is not the writer). One writer per entry."""
    enterprise: bool = False
    """Consul Enterprise with namespace mirroring: Kubernetes namespaces become Consul
    namespaces (``namespace`` fields are set), so ``a/web`` and ``b/web`` are two identities.
    Open-source Consul has one namespace: entries of the same name in two Kubernetes namespaces
    collide and are refused, and so is a Consul name standing for identities of two namespaces
    wherever an intention allows something to or from it (see ``intentions_folding``)."""
    subsets: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    """Backends that are versions of the apex's own Consul service rather than services of
    their own: backend Service name -> Consul filter selecting its instances, e.g.
    ``{"reviews-v2": "Service.Meta.version == v2"}`` (pods annotated
    ``consul.hashicorp.com/service-meta-version: v2``). They become ServiceResolver subsets.
    On the command line: ``--set 'subsets={"reviews-v2": "Service.Meta.version == v2"}'``."""

    terminating_gateway: ObjectName = "terminating-gateway"
    """Name of the Consul terminating gateway (its Helm ``terminatingGateways.gateways[].name``)
    that reaches remote backends known only by a host (an ExternalName Service): its
    TerminatingGateway entry lists every such backend service, and is written in the
    Kubernetes (and, with Enterprise, Consul) namespace ``default``. The gateway itself, and
    each external service's catalog registration at its host, are not planned here: the plan
    warns what to do (see :mod:`.remote`)."""

    _json = field_validator("subsets", mode="before")(json_from_command_line)
