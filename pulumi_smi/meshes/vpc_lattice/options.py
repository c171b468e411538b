"""Options of the ``vpc-lattice`` target."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictStr, field_validator

from ..base import AccessOptions, json_from_command_line


class LatticeOptions(AccessOptions):
    """Options of the ``vpc-lattice`` target.

    ``vpc_id`` and ``service_network`` are passed into the resources' properties untouched,
    so from Python they may be Pulumi Outputs (``vpc.id``); on the command line they are
    plain strings (``--set vpc_id=vpc-0123456789abcdef0``).
    """

    vpc_id: Any = None
    """The VPC of the target groups (``config.vpcIdentifier``), also associated with a created
    service network. Required: every target group needs one."""
    service_network: Any = None
    """An existing service network (id ``sn-...`` or ARN) to associate the services with.
    When unset, one is created, named ``mesh_name`` (default ``smi-mesh``), and ``vpc_id`` is
    associated with it."""
    eks_cluster_name: StrictStr | None = None
    """EKS cluster whose Pod Identity session tags identify callers: a source ServiceAccount
    is allowed by ``aws:PrincipalTag/eks-cluster-name``, ``kubernetes-namespace`` and
    ``kubernetes-service-account``."""
    source_roles: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    """``namespace/serviceaccount`` -> IAM role ARN (IRSA or any other IAM role): such a source
    is allowed as that principal instead of by session tags. On the command line:
    ``--set 'source_roles={"shop/web": "arn:aws:iam::123456789012:role/web"}'``."""
    target_type: Literal["IP", "INSTANCE", "ALB"] = "IP"
    """Type of the target groups. pulumi-smi registers no targets (see the module docs)."""
    domain_suffix: StrictStr | None = None
    """Custom domain of services with a TLS port: ``<service>.<namespace>.<domain_suffix>``
    (a TLS_PASSTHROUGH listener routes by SNI, so its service needs a custom domain)."""
    custom_domains: Literal["tls", "every"] = "tls"
    """Which Lattice services get the custom domain ``<service>.<namespace>.<domain_suffix>``:
    those with a TLS port (which need one), or every one — for callers of another mesh that
    keep the apex's Host header (``domain_suffix=svc.cluster.local`` gives
    ``reviews.bookinfo.svc.cluster.local``)."""
    rules_per_listener: int = Field(default=10, ge=1, le=2000)
    """The account's "rules per listener" quota (10 by default, adjustable)."""

    _json = field_validator("source_roles", mode="before")(json_from_command_line)

    @property
    def network_name(self) -> str:
        """Name of the service network to create."""
        return self.mesh_name or "smi-mesh"
