"""Remote backends on VPC Lattice: target groups of the remote's type, on the apex's port.

A TrafficSplit backend whose Service stands for one outside the mesh
(:mod:`pulumi_smi.spec.remote`) with a host gets, per apex port, the target group
``<backend>-<namespace>-<port>`` as any backend does, but of type
``remote.lattice_target_type`` (``IP``: on-premises addresses routed into the VPC over
Direct Connect or VPN; ``ALB``: an internal Application Load Balancer in the target groups'
VPC) instead of the option ``target_type``, and on the apex's port number (the remote is
reached on it; it has no pods whose targetPort to use). Its protocol is the apex port's, as
for every backend; an ALB target group carries HTTP or HTTPS only, so a TLS passthrough port
cannot forward to one. pulumi-smi registers no targets: each split with a remote backend gets
one warning saying what to attach. A remote known only as a Consul datacenter, peer or
partition cannot be reached by Lattice: a located error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...plan import PlanWarning
from ...spec.models import TrafficSplit
from ...spec.remote import Remote
from ..plan_builder import PlanBuilder


@dataclass
class RemoteUse:
    """A remote backend of one split, and the target groups planned for it."""

    split: TrafficSplit
    backend: str
    remote: Remote
    groups: dict[str, int] = field(default_factory=dict)
    """Target group name -> its port."""


def refused(
    b: PlanBuilder,
    split: TrafficSplit,
    index: int,
    remote: Remote,
    port: int,
    protocols: tuple[str, str, str | None],
) -> bool:
    """Whether Lattice cannot reach the remote backend ``index`` of ``split`` on ``port``
    (the problem is recorded in ``b``)."""
    backend = split.spec.backends[index].service
    ns = split.metadata.namespace
    what = f"backend {backend!r} (Service {ns}/{backend}) is served {_place(remote)}"
    path = split.spec.backend_path(backend)
    if remote.host is None:
        b.problem(
            split.key,
            path,
            f"{what}: a Lattice target group cannot reach a Consul datacenter, peer or "
            "partition by name; give the Service an ExternalName host (spec.type: "
            "ExternalName, spec.externalName: the host Lattice should reach, such as that "
            "datacenter's ingress or mesh gateway)",
        )
        return True
    if remote.lattice_target_type == "ALB" and protocols[1] == "TCP":
        b.problem(
            split.key,
            path,
            f"{what}: apex port {port} is TLS passthrough, whose target groups are TCP, and "
            "an ALB target group carries HTTP or HTTPS only; set the annotation "
            "smi.pulumi.com/lattice-target-type: IP (register the ALB's addresses) or use "
            "an HTTPS port",
        )
        return True
    return False


def note(
    uses: dict[tuple[str, str, str], RemoteUse],
    split: TrafficSplit,
    backend: str,
    remote: Remote,
    group: str,
    port: int,
) -> None:
    """Remember that ``split`` reaches the remote ``backend`` through target group ``group``."""
    key = (split.metadata.namespace, split.metadata.name, backend)
    uses.setdefault(key, RemoteUse(split, backend, remote)).groups[group] = port


def remote_warnings(uses: dict[tuple[str, str, str], RemoteUse]) -> list[PlanWarning]:
    """One warning per remote backend of a split: what to attach to its target groups."""
    warnings = []
    for use in uses.values():
        ns, split = use.split.metadata.namespace, use.split.metadata.name
        remote = use.remote
        groups = ", ".join(use.groups)
        ports = "/".join(str(p) for p in dict.fromkeys(use.groups.values()))
        head = (
            f"TrafficSplit {ns}/{split}: backend {use.backend!r} (Service {ns}/{use.backend}) "
            f"is served {_place(remote)}: its share goes to target group"
            f"{'s' if len(use.groups) > 1 else ''} {groups} of type "
            f"{remote.lattice_target_type} on port {ports}. pulumi-smi registers no targets: "
        )
        if remote.lattice_target_type == "ALB":
            tail = (
                "attach the ARN of the internal Application Load Balancer serving "
                f"{remote.host} (same account, and the target groups' VPC, option vpc_id) "
                "with aws.vpclattice.TargetGroupAttachment (target id: the ALB's ARN, port "
                f"{ports}); its listener takes over routing from there"
            )
        else:
            tail = (
                f"register the IP addresses {remote.host} resolves to with "
                "aws.vpclattice.TargetGroupAttachment (target id: each address, port "
                f"{ports}), again when they change; Lattice reaches them only where they are "
                "routed into the target groups' VPC (option vpc_id), over Direct Connect or a "
                "VPN"
            )
        warnings.append(PlanWarning(head + tail, use.split.key))
    return warnings


def _place(remote: Remote) -> str:
    """Where the backend is: ``at host h`` or ``in datacenter dc2``, with its mesh."""
    if remote.host:
        place = f"at host {remote.host}"
    else:
        place = "in Consul " + " ".join(f"{k} {v}" for k, v in remote.consul_redirect.items())
    return f"{place} (mesh {remote.served_by})" if remote.served_by else place
