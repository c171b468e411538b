"""Target ``vpc-lattice``: SMI as Amazon VPC Lattice resources through pulumi-aws.

- Every apex Service of a TrafficSplit (and every Service in front of a TrafficTarget's
  destination pods that is not an apex or a backend) becomes a Lattice ``Service`` named
  ``<service>-<namespace>`` (3-40 characters, checked, never truncated), associated with the
  service network: ``service_network`` (an existing id/ARN) or a created one named
  ``mesh_name`` (default ``smi-mesh``) plus its association with ``vpc_id``.
- Each apex port becomes a ``Listener``, each backend x port a ``TargetGroup``
  ``<backend>-<namespace>-<port>`` of ``target_type`` in ``vpc_id`` (see
  :mod:`.routing` for protocols, rules and priorities, :mod:`.match` for weights and
  regexes). pulumi-smi registers no targets: register them with
  ``aws.vpclattice.TargetGroupAttachment`` (pod IPs, instances, an ALB). The AWS Gateway API
  controller fills only target groups it creates itself (ServiceExport), not these; for pods
  managed by that controller use the ``gateway-api`` target instead.
- TrafficTargets, read through the access model (:mod:`..access_model`; which services in
  :mod:`.protected`, policies in :mod:`.auth`): in a namespace with any
  TrafficTarget, every Lattice service gets
  ``authType: AWS_IAM`` (default deny), and one reaching a destination's pods an
  ``AuthPolicy`` allowing what its grants allow (a ``Deny`` of everything when they allow
  nothing Lattice enforces); callers must SigV4-sign (service ``vpc-lattice-svcs``). A
  TrafficTarget is never dropped: a destination without a known workload, or whose pods no
  Service with ports selects, is an error naming what to pass; a plain TCP port of a Service
  in front of its pods gets no listener (a warning: Lattice allows nothing on it).
- A backend served outside the mesh (an ExternalName Service, :mod:`.remote`) gets target
  groups of its remote's type (``IP`` or ``ALB``) on the apex's port, and a warning saying
  what to attach; one known only as a Consul datacenter, peer or partition is an error.
- Lattice names are unique per account and region: two clusters translating the same
  namespace/Service into one account collide; use different accounts or regions.
"""

from __future__ import annotations

from ...errors import Problem
from ...plan import Plan, PlanWarning
from ...spec.specset import SpecSet
from ..access_model import Identity, access_model
from ..aws.references import ref
from ..base import Namer, namespace_owner
from .auth import Protected, policy_document
from .options import LatticeOptions
from .protected import destinations_of, lattice_services, listener_ports, unprotected
from .remote import remote_warnings
from .routing import Builder, listener, port_protocol

NETWORK = "aws:vpclattice/serviceNetwork:ServiceNetwork"
VPC_ASSOCIATION = "aws:vpclattice/serviceNetworkVpcAssociation:ServiceNetworkVpcAssociation"
SERVICE = "aws:vpclattice/service:Service"
ASSOCIATION = "aws:vpclattice/serviceNetworkServiceAssociation:ServiceNetworkServiceAssociation"
AUTH_POLICY = "aws:vpclattice/authPolicy:AuthPolicy"
TLS = ("TLS_PASSTHROUGH", "TCP", None)
"""The protocols of a TLS passthrough listener (see :data:`.routing.PROTOCOLS`)."""


def translate(specs: SpecSet, options: LatticeOptions, namer: Namer) -> Plan:
    """Translate every TrafficSplit and TrafficTarget in ``specs`` for VPC Lattice."""
    b = Builder(specs, options=options, namer=namer)
    model = access_model(specs)
    covered: set[Identity] = set()
    services = lattice_services(specs, model, b, covered)
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
    for lattice in services:
        destinations = destinations_of(specs, model, lattice, b)
        covered |= {d.identity for d in destinations}
        secured = lattice.namespace in protected
        props = {
            "name": b.name(
                "service", f"{lattice.service}-{lattice.namespace}", lattice.key, "spec.service"
            ),
            "authType": "AWS_IAM" if secured else "NONE",
        }
        tls = any(port_protocol(p) == TLS for p in lattice.ports)
        if tls or options.custom_domains == "every":
            if options.domain_suffix is None:
                why = (
                    f"Service {lattice.namespace}/{lattice.service} has a TLS port: a TLS "
                    "passthrough listener needs a custom domain"
                    if tls
                    else "custom_domains=every names every service under domain_suffix"
                )
                b.problems.append(
                    Problem(f"{why}; set the option domain_suffix", "options", path="domain_suffix")
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
        if secured and destinations:
            protected_service = Protected(
                f"Lattice service of {lattice.namespace}/{lattice.service}",
                listener_ports(specs, lattice, destinations),
                frozenset(p.port for p in lattice.ports if port_protocol(p) == TLS),
            )
            policy = policy_document(
                specs, options, protected_service, destinations, b.problems, b.warnings
            )
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
    for destination in model:
        b.warnings += [rule.warning("a Lattice service carries no UDP") for rule in destination.udp]
        if destination.identity not in covered:
            b.problems += unprotected(specs, destination)
    b.warnings += remote_warnings(b.remotes)
    return b.plan()


__all__ = ["LatticeOptions", "translate"]
