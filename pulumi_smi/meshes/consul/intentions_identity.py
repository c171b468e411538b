"""ServiceAccount -> Consul service name (for intentions): the ServiceAccount's name.

SMI names identities by ServiceAccount; Consul intentions name services. consul-k8s registers a
pod under the name of the one Kubernetes Service selecting it, and with ACLs (its auth method)
refuses to start a pod whose ServiceAccount name differs from that Service's name. So the
Consul name of a ServiceAccount is its own name, and the catalogue, where it shows more, is an
override:

* no workload running as the ServiceAccount is known, or no Service selects its pods: the
  ServiceAccount's name (a source or destination needs no manifests);
* one Service selects them: its name; when it differs from the ServiceAccount's, a warning
  (consul-k8s with ACLs refuses those pods, without ACLs they are that service);
* several Services: the one named after the ServiceAccount (the only one consul-k8s with ACLs
  can register the pods as; the others need ``consul.hashicorp.com/service-ignore``), with a
  warning; none so named, or a workload of the ServiceAccount that only the others select
  (without ACLs its pods would be a service no intention covers), is an error (the name is
  ambiguous);
* the Service of the chosen name in the namespace selecting pods of another ServiceAccount is an
  error: Consul knows those pods by the same name, so an intention for one identity would apply
  to the other. (Folding across namespaces, in open-source Consul, is
  :mod:`.intentions_folding`'s.)
"""

from __future__ import annotations

from dataclasses import dataclass

from ...spec.catalogue import Catalogue, Workload
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
    note: str = ""
    """A warning about the mapping (empty when the name is the ServiceAccount's)."""


def consul_service(catalogue: Catalogue, namespace: str, account: str) -> ConsulService:
    """The Consul service of ServiceAccount ``namespace/account`` (:class:`IdentityError`)."""
    identity = f"ServiceAccount {namespace}/{account}"
    workloads = sorted(catalogue.workloads_of(namespace, account), key=lambda w: (w.kind, w.name))
    services = sorted(selecting_services(catalogue, namespace, workloads), key=lambda s: s.name)
    name, note = account, ""
    names = ", ".join(s.name for s in services)
    if len(services) == 1 and services[0].name != account:
        name = services[0].name
        note = (
            f"the pods of {identity} register in Consul as service {name} (the Service "
            f"selecting them), so the intentions name {name}; consul-k8s with ACLs "
            f"refuses to start them unless the ServiceAccount is named {name}"
        )
    elif len(services) > 1:
        if all(s.name != account for s in services):
            raise IdentityError(
                f"Services {names} all select the pods of {identity} and none is named {account}: "
                "consul-k8s registers a pod under exactly one Service (with ACLs, the one named "
                "after its ServiceAccount), so its Consul name is ambiguous; label the others "
                "consul.hashicorp.com/service-ignore and rename, or narrow their selectors"
            )
        _check_every_workload_selected(catalogue, account, workloads, names)
        note = (
            f"Services {names} all select the pods of {identity}: the intentions use Consul "
            f"service {account}, the only one consul-k8s with ACLs registers them as; the other "
            'Services need the label consul.hashicorp.com/service-ignore: "true"'
        )
    _check_not_shared(catalogue, namespace, account, name, workloads)
    return ConsulService(namespace, name, account, note)


def _check_every_workload_selected(
    catalogue: Catalogue, account: str, workloads: list[Workload], names: str
) -> None:
    """:class:`IdentityError` when a Service other than ``account`` alone selects a workload.

    Without ACLs consul-k8s registers such pods under that other Service's name, which the
    intentions for ``account`` do not cover (nothing would protect them as a destination).
    """
    for workload in workloads:
        mine = selecting_services(catalogue, workload.namespace, [workload])
        if mine and all(s.name != account for s in mine):
            listed = ", ".join(sorted(s.name for s in mine))
            raise IdentityError(
                f"Services {names} all select the pods of ServiceAccount "
                f"{workload.namespace}/{account}, but {workload.kind} {workload.name} only by "
                f"{listed}, not by {account}: without ACLs consul-k8s registers those pods as "
                f"{listed}, which intentions for {account} do not cover, so the Consul name of "
                f"the ServiceAccount is ambiguous; select them with Service {account} too (and "
                "label the others consul.hashicorp.com/service-ignore), or give them their own "
                "ServiceAccount"
            )


def _check_not_shared(
    catalogue: Catalogue, namespace: str, account: str, name: str, mine: list[Workload]
) -> None:
    """:class:`IdentityError` when the Service ``namespace/name`` selects another SA's pods."""
    service = catalogue.service(namespace, name)
    if service is None or not service.selector:
        return
    others = [
        w
        for w in catalogue.selected_workloads(namespace, service.selector)
        if w.service_account_name != account
    ]
    if not others:
        return
    identity = f"ServiceAccount {namespace}/{account}"
    listed = ", ".join(
        f"{w.kind} {w.name} (ServiceAccount {w.service_account_name})" for w in others
    )
    if any(selects(service.selector, w) for w in mine):
        listed = f"the pods of {identity} and also {listed}"
    raise IdentityError(
        f"Service {namespace}/{name} selects {listed}: Consul knows them all as service {name}, "
        f"the Consul name of {identity}, so an intention for {identity} would apply to the "
        "others too; give each ServiceAccount its own Service"
    )
