"""Target ``vpc-lattice``: SMI as Amazon VPC Lattice resources through pulumi-aws.

- Every apex Service of a TrafficSplit (and every Service in front of a TrafficTarget's
  destination pods that is not an apex or a backend) becomes a Lattice ``Service`` named
  ``<service>-<namespace>`` (3-40 characters, checked, never truncated), associated with the
  service network: ``service_network`` (an existing id/ARN) or a created one named
  ``mesh_name`` (default ``smi-mesh``) plus its association with ``vpc_id``.
- Each apex port becomes a ``Listener``, each backend x port a ``TargetGroup``
  ``<backend>-<namespace>-<port>`` of ``target_type`` in ``vpc_id`` (see
  :mod:`.lattice_routing` for protocols, rules and priorities, :mod:`.lattice_match` for
  weights and regexes). pulumi-smi registers no targets: register them with
  ``aws.vpclattice.TargetGroupAttachment`` (pod IPs, instances, an ALB). The AWS Gateway API
  controller fills only target groups it creates itself (ServiceExport), not these; for pods
  managed by that controller use the ``gateway-api`` target instead.
- TrafficTargets (:mod:`.lattice_auth`): in a namespace with any TrafficTarget, every Lattice
  service gets ``authType: AWS_IAM`` (default deny) and an ``AuthPolicy`` allowing its
  TrafficTargets' sources; callers must SigV4-sign (service ``vpc-lattice-svcs``).
- Lattice names are unique per account and region: two clusters translating the same
  namespace/Service into one account collide; use different accounts or regions.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import Problem, TranslationError
from ...plan import Plan, PlanWarning
from ...spec.catalogue import ServicePort
from ...spec.models import ObjectKey, TrafficTarget
from ...spec.specset import SpecSet
from ..access import selecting_services
from ..aws.references import ref
from ..base import Namer, namespace_owner, service_owner
from ..services import require_apex_ports
from ..splits import ApexRouting, by_apex
from .auth import policy_document
from .options import LatticeOptions
from .routing import Builder, listener, port_protocol

NETWORK = "aws:vpclattice/serviceNetwork:ServiceNetwork"
VPC_ASSOCIATION = "aws:vpclattice/serviceNetworkVpcAssociation:ServiceNetworkVpcAssociation"
SERVICE = "aws:vpclattice/service:Service"
ASSOCIATION = "aws:vpclattice/serviceNetworkServiceAssociation:ServiceNetworkServiceAssociation"
AUTH_POLICY = "aws:vpclattice/authPolicy:AuthPolicy"


@dataclass(frozen=True)
class _Lattice:
    """A Lattice service to plan: the Kubernetes Service it stands for and its routing."""

    namespace: str
    service: str
    ports: tuple[ServicePort, ...]
    routing: ApexRouting | None
    key: ObjectKey
    """The SMI object errors about it name."""

    @property
    def owner(self) -> ObjectKey:
        return self.routing.owner if self.routing else service_owner(self.namespace, self.service)

    @property
    def backends(self) -> set[str]:
        names = {self.service}
        for split in self.routing.splits if self.routing else ():
            names |= {b.service for b in split.spec.backends}
        return names


def translate(specs: SpecSet, options: LatticeOptions, namer: Namer) -> Plan:
    """Translate every TrafficSplit and TrafficTarget in ``specs`` for VPC Lattice."""
    b = Builder(specs, options, namer)
    services = _services(specs, b)
    if services and options.vpc_id is None:
        b.problems.append(
            Problem(
                "the vpc-lattice target needs the option vpc_id (the target groups' VPC)",
                "options",
                path="vpc_id",
            )
        )
    network = options.service_network
    if services and network is None:
        owner = namespace_owner(options.network_name)
        name = b.namer(owner, "lattice-service-network")
        b.name("service network", options.network_name, services[0].key, "mesh_name")
        b.add(
            NETWORK,
            owner,
            "lattice-service-network",
            {"name": options.network_name, "authType": "NONE"},
        )
        b.add(
            VPC_ASSOCIATION,
            owner,
            "lattice-vpc-association",
            {"serviceNetworkIdentifier": ref(name, "id"), "vpcIdentifier": options.vpc_id},
        )
        network = ref(name, "id")
    protected = {t.metadata.namespace for t in specs.traffic_targets}
    covered: set[ObjectKey] = set()
    for lattice in services:
        targets = _targets(specs, lattice, b)
        covered |= {t.key for t in targets}
        secured = lattice.namespace in protected
        props = {
            "name": b.name(
                "service", f"{lattice.service}-{lattice.namespace}", lattice.key, "spec.service"
            ),
            "authType": "AWS_IAM" if secured else "NONE",
        }
        if any(port_protocol(p) == ("TLS_PASSTHROUGH", "TCP", None) for p in lattice.ports):
            if options.domain_suffix is None:
                b.problems.append(
                    Problem(
                        f"Service {lattice.namespace}/{lattice.service} has a TLS port: a TLS "
                        "passthrough listener needs a custom domain; set the option domain_suffix",
                        "options",
                        path="domain_suffix",
                    )
                )
            props["customDomainName"] = (
                f"{lattice.service}.{lattice.namespace}.{options.domain_suffix}"
            )
        service = b.add(SERVICE, lattice.owner, "lattice-service", props)
        b.add(
            ASSOCIATION,
            lattice.owner,
            "lattice-association",
            {"serviceIdentifier": ref(service, "id"), "serviceNetworkIdentifier": network},
        )
        for port in lattice.ports:
            listener(
                b,
                service,
                lattice.owner,
                lattice.namespace,
                lattice.service,
                port,
                lattice.routing,
                lattice.key,
            )
        if secured and targets:
            policy = policy_document(specs, options, targets, b.problems, b.warnings)
            b.add(
                AUTH_POLICY,
                lattice.owner,
                "lattice-auth-policy",
                {"resourceIdentifier": ref(service, "arn"), "policy": policy},
            )
        elif secured:
            b.warnings.append(
                PlanWarning(
                    f"Lattice service of {lattice.namespace}/{lattice.service} has authType "
                    "AWS_IAM and no TrafficTarget allows anything: every request is denied",
                    lattice.owner,
                )
            )
    for target in specs.traffic_targets:
        if target.key not in covered:
            b.warnings.append(
                PlanWarning(
                    f"TrafficTarget {target.metadata.namespace}/{target.metadata.name}: no "
                    "Service in the input routes to pods of ServiceAccount "
                    f"{target.spec.destination.name}, "
                    "so there is no Lattice service to protect",
                    target.key,
                )
            )
    if b.problems:
        raise TranslationError(b.problems)
    return Plan(tuple(b.resources), tuple(b.warnings))


def _services(specs: SpecSet, b: Builder) -> list[_Lattice]:
    found: list[_Lattice] = []
    taken: set[tuple[str, str]] = set()
    for routing in by_apex(specs):
        split = routing.owner_split
        ports = require_apex_ports(specs, split, "vpc-lattice")
        found.append(_Lattice(routing.namespace, routing.apex, ports, routing, split.key))
        taken |= {(routing.namespace, s) for s in found[-1].backends}
    for target in specs.traffic_targets:
        ns = target.metadata.namespace
        workloads = specs.catalogue.workloads_of(ns, target.spec.destination.name)
        for service in selecting_services(specs.catalogue, ns, workloads):
            if (ns, service.name) not in taken and service.ports:
                taken.add((ns, service.name))
                found.append(_Lattice(ns, service.name, service.ports, None, target.key))
    return sorted(found, key=lambda s: (s.namespace, s.service))


def _targets(specs: SpecSet, lattice: _Lattice, b: Builder) -> list[TrafficTarget]:
    """The TrafficTargets whose destination pods this Lattice service reaches."""
    catalogue = specs.catalogue
    accounts: set[str] = set()
    for name in lattice.backends:
        service = catalogue.service(lattice.namespace, name)
        if service and service.selector:
            accounts |= {
                w.service_account_name
                for w in catalogue.workloads
                if w.namespace == lattice.namespace
                and all(w.pod_labels.get(k) == v for k, v in service.selector.items())
            }
    targets = [
        t
        for t in specs.traffic_targets
        if t.metadata.namespace == lattice.namespace and t.spec.destination.name in accounts
    ]
    if targets and len(accounts) > 1:
        b.problems.append(
            specs.problem(
                targets[0].key,
                "spec.destination.name",
                f"Service {lattice.namespace}/{lattice.service} routes to pods of several "
                f"ServiceAccounts ({', '.join(sorted(accounts))}): Lattice authorises per "
                "service, so an allow for one would reach the others; run its backends as one "
                "ServiceAccount",
            )
        )
    return targets


__all__ = ["LatticeOptions", "translate"]
