"""ServiceAccount -> Consul service name, resolved through the catalogue (for intentions).

SMI names identities by ServiceAccount; Consul intentions name services. consul-k8s registers a
pod under the name of the one Kubernetes Service selecting it, and with ACLs (its auth method)
refuses to start a pod whose ServiceAccount name differs from that Service's name. So the Consul
name of a ServiceAccount is the Service selecting the pods that run as it:

* no known workload runs as the ServiceAccount, or no Service selects them: an error naming
  what to add (guessing the ServiceAccount name would be right with ACLs only, and pulumi-smi
  cannot see whether ACLs are on);
* one Service: its name; when it differs from the ServiceAccount's, a warning (consul-k8s with
  ACLs refuses those pods, without ACLs they are that service);
* several Services: the one named after the ServiceAccount (the only one consul-k8s with ACLs
  can register the pods as; the others need ``consul.hashicorp.com/service-ignore``), with a
  warning; none so named is an error;
* the chosen Service also selecting pods of another ServiceAccount is an error: Consul cannot
  tell those pods apart, so an intention for one identity would apply to the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...spec.catalogue import Catalogue, Service, Workload
from ..access import selecting_services, selects


class IdentityError(Exception):
    """A ServiceAccount with no unambiguous Consul service name."""


@dataclass(frozen=True)
class ConsulService:
    """The Consul service a ServiceAccount's pods register as."""

    namespace: str
    """The Kubernetes namespace (the Consul namespace with Enterprise namespace mirroring)."""
    name: str
    account: str
    service: Service
    workloads: tuple[Workload, ...]
    note: str = ""
    """A warning about the mapping (empty when it is the plain SA name == Service name case)."""


def consul_service(catalogue: Catalogue, namespace: str, account: str) -> ConsulService:
    """The Consul service of ServiceAccount ``namespace/account`` (:class:`IdentityError`)."""
    identity = f"ServiceAccount {namespace}/{account}"
    workloads = tuple(
        sorted(catalogue.workloads_of(namespace, account), key=lambda w: (w.kind, w.name))
    )
    if not workloads:
        raise IdentityError(
            f"no known workload runs as {identity}: Consul identifies a workload by the name of "
            "the Service selecting its pods, so pass the Deployment, StatefulSet or DaemonSet "
            f"whose pod template uses serviceAccountName: {account}, and that Service"
        )
    services = sorted(selecting_services(catalogue, namespace, workloads), key=lambda s: s.name)
    running = ", ".join(f"{w.kind} {w.name}" for w in workloads)
    if not services:
        raise IdentityError(
            f"no Service in namespace {namespace} selects the pods of {identity} ({running}): "
            "consul-k8s registers a pod in Consul under the name of the Service selecting it; "
            f"pass that Service (with ACLs it must be named {account})"
        )
    note = ""
    names = ", ".join(s.name for s in services)
    if len(services) == 1:
        chosen = services[0]
        if chosen.name != account:
            note = (
                f"the pods of {identity} register in Consul as service {chosen.name} (the Service "
                f"selecting them), so the intentions name {chosen.name}; consul-k8s with ACLs "
                f"refuses to start them unless the ServiceAccount is named {chosen.name}"
            )
    else:
        named = [s for s in services if s.name == account]
        if not named:
            raise IdentityError(
                f"Services {names} all select the pods of {identity} and none is named {account}: "
                "consul-k8s registers a pod under exactly one Service (with ACLs, the one named "
                "after its ServiceAccount), so its Consul name is ambiguous; label the others "
                "consul.hashicorp.com/service-ignore and rename, or narrow their selectors"
            )
        chosen = named[0]
        note = (
            f"Services {names} all select the pods of {identity}: the intentions use Consul "
            f"service {account}, the only one consul-k8s with ACLs registers them as; the other "
            'Services need the label consul.hashicorp.com/service-ignore: "true"'
        )
    others = [
        w
        for w in catalogue.workloads
        if w.namespace == namespace
        and w.service_account_name != account
        and selects(chosen.selector, w)
    ]
    if others:
        listed = ", ".join(
            f"{w.kind} {w.name} (ServiceAccount {w.service_account_name})" for w in others
        )
        raise IdentityError(
            f"Service {namespace}/{chosen.name} selects the pods of {identity} and also {listed}: "
            f"Consul knows them all as service {chosen.name}, so an intention for {identity} "
            "would apply to the others too; give each ServiceAccount its own Service"
        )
    return ConsulService(namespace, chosen.name, account, chosen, workloads, note)
