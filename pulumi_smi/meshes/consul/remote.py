"""Remote backends on Consul: ServiceResolver redirects and a terminating gateway.

A TrafficSplit backend whose Service stands for one outside the mesh
(:mod:`pulumi_smi.spec.remote`) gets its weight's share the way Consul reaches a service
elsewhere:

- a Consul datacenter, cluster peer or admin partition (``remote.consul_redirect``): a
  ServiceResolver named after the backend, ``redirect: {service: <its Consul name there>,
  datacenter | peer | partition: ...}``; the splits and routes name the backend, whose
  chain the resolver sends there;
- only a host (an ExternalName Service): a service of that name (``remote.service``, else
  the backend's) linked to the TerminatingGateway entry ``terminating_gateway``, which lists
  every such service of the translation once. Consul-k8s cannot register an external service
  from a CRD, so the user registers it in the catalog at host:port and deploys the gateway.

The same backend in several splits gets one entry; every remote backend of a split gives that
split one warning saying how it is reached and what to do outside pulumi-smi. Nothing here
allows traffic: intentions stay what the TrafficTargets say.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ...errors import TranslationError
from ...plan import PlanWarning
from ...spec.models import TrafficSplit
from ...spec.remote import Remote
from ...spec.specset import SpecSet
from ..base import service_owner
from ..plan_builder import each
from ..services import apex_ports, remote_of
from .entries import Entry
from .options import ConsulOptions

GATEWAY_NAMESPACE = "default"
"""Where the TerminatingGateway entry is written: the Kubernetes namespace, and with
Enterprise the Consul namespace, the Helm chart registers terminating gateways in."""
EntryKey = tuple[str, str, str]
"""(kind, namespace, name) of a config entry."""
_Fail = Callable[[str], TranslationError]
"""Makes the located error of one remote backend from the advice."""


@dataclass
class RemoteBackends:
    """The remote backends of a translation: the entries reaching them, their Consul names."""

    options: ConsulOptions
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    """(namespace, backend Service) -> the Consul service a split or route names for it."""
    entry_keys: dict[tuple[str, str], EntryKey] = field(default_factory=dict)
    """(namespace, backend Service) -> the entry its traffic goes through."""
    resolvers: dict[tuple[str, str], Entry] = field(default_factory=dict)
    linked: dict[tuple[str, str], str] = field(default_factory=dict)
    """(Consul namespace — "" in open-source Consul —, service) linked to the terminating
    gateway -> its host."""
    warnings: list[PlanWarning] = field(default_factory=list)

    def add_split(
        self, specs: SpecSet, split: TrafficSplit, apexes: frozenset[tuple[str, str]]
    ) -> None:
        """Plan how each remote backend of ``split`` is reached; every problem at once.

        ``apexes``: (namespace, apex) of every split of the translation.
        """
        each(
            split.spec.backends,
            lambda backend: self._backend(specs, split, backend.service, apexes),
        )

    def _backend(
        self,
        specs: SpecSet,
        split: TrafficSplit,
        backend: str,
        apexes: frozenset[tuple[str, str]],
    ) -> None:
        ns = split.metadata.namespace
        remote = remote_of(specs, ns, backend)
        if remote is None:
            return
        what = f"backend {backend!r} (Service {ns}/{backend}) is served {_place(remote)}"

        def fail(advice: str) -> TranslationError:
            path = split.spec.backend_path(backend)
            return TranslationError([specs.problem(split.key, path, f"{what}: {advice}")])

        if backend in self.options.subsets:
            raise fail(
                f"the subsets option makes it a subset of {split.spec.service}'s own Consul "
                "service, which cannot be elsewhere: remove it from subsets"
            )
        if backend == split.spec.service:
            raise fail("it is the split's own apex: give the remote backend a Service of its own")
        if (ns, backend) in apexes:
            raise fail(
                "it is also the apex of a TrafficSplit, which Consul would split here: give the "
                "remote backend a Service of its own"
            )
        if remote.consul_redirect:
            self._redirect(ns, backend, remote, fail)
            how = self._redirect_advice(backend, remote)
        else:
            self._link(ns, backend, remote, fail)
            how = self._gateway_advice(specs, split, backend, remote)
        where = f"TrafficSplit {ns}/{split.metadata.name}"
        self.warnings.append(PlanWarning(f"{where}: {what}: {how}", split.key))

    def _redirect(self, ns: str, backend: str, remote: Remote, fail: _Fail) -> None:
        redirect = remote.consul_redirect
        if "partition" in redirect and not self.options.enterprise:
            raise fail(
                "an admin partition is a Consul Enterprise feature (consul-k8s refuses "
                "redirect.partition without it): set enterprise=true, or name a datacenter "
                "or peer instead"
            )
        spec = {"redirect": {"service": remote.service or backend, **redirect}}
        self.names[(ns, backend)] = backend
        self.entry_keys[(ns, backend)] = ("ServiceResolver", ns, backend)
        self.resolvers.setdefault(
            (ns, backend),
            Entry(
                "ServiceResolver",
                backend,
                ns,
                spec,
                service_owner(ns, backend),
                "remote-serviceresolver",
            ),
        )

    def _link(self, ns: str, backend: str, remote: Remote, fail: _Fail) -> None:
        assert remote.host is not None  # a Remote without a Consul redirect has a host
        name = remote.service or backend
        # open-source Consul has one namespace: a name stands for one service in all of them
        known = self.linked.setdefault((ns if self.options.enterprise else "", name), remote.host)
        if known != remote.host:
            raise fail(
                f"Consul service {name!r} already stands for host {known}, and one Consul "
                "service has one catalog registration: give them different consul-service "
                "names"
            )
        self.names[(ns, backend)] = name
        self.entry_keys[(ns, backend)] = (
            "TerminatingGateway",
            GATEWAY_NAMESPACE,
            self.options.terminating_gateway,
        )

    def _redirect_advice(self, backend: str, remote: Remote) -> str:
        service = remote.service or backend
        redirect = f"ServiceResolver {backend!r} redirects it to Consul service {service!r}"
        if remote.datacenter:
            return (
                f"{redirect} in datacenter {remote.datacenter}. The datacenters must be WAN "
                f"federated with mesh gateways; in {remote.datacenter}, {service!r} must "
                "speak HTTP (ServiceDefaults protocol http) and its intentions must allow the "
                "callers (pulumi-smi writes nothing there)"
            )
        if remote.peer:
            return (
                f"{redirect} of cluster peer {remote.peer}. The peering must exist with mesh "
                f"gateways in peering mode; {remote.peer} must export {service!r} to this "
                "cluster (ExportedServices), declare it HTTP (ServiceDefaults protocol http) "
                "and allow the callers with intentions whose sources name this peer "
                "(pulumi-smi writes nothing there)"
            )
        return (
            f"{redirect} in admin partition {remote.partition}. That partition must export "
            f"{service!r} to this one (ExportedServices), declare it HTTP (ServiceDefaults "
            "protocol http) and allow the callers with intentions (pulumi-smi writes "
            "nothing there)"
        )

    def _gateway_advice(
        self, specs: SpecSet, split: TrafficSplit, backend: str, remote: Remote
    ) -> str:
        name = remote.service or backend
        ns = split.metadata.namespace
        ports = apex_ports(specs, split)
        port = "/".join(str(p.port) for p in ports) if ports else "<the apex's port>"
        where = f" in Consul namespace {ns}" if self.options.enterprise else ""
        gateway = self.options.terminating_gateway
        return (
            f"its share goes to Consul service {name!r} through terminating gateway "
            f"{gateway!r} (TerminatingGateway entry). Register {name!r}{where} in Consul's "
            f"catalog as an external service at {remote.host}:{port} (consul-k8s cannot "
            "register it from a CRD: use `consul services register`, or pulumi_consul's "
            "catalog resources, consul.Node with that address and consul.Service) and deploy "
            f"the terminating gateway {gateway!r} (Helm terminatingGateways); if intentions "
            f"deny by default, the callers need one allowing them to {name!r} (pulumi-smi "
            "writes none)"
        )

    def after(self, ns: str, backends: list[str]) -> tuple[EntryKey, ...]:
        """The entries the traffic to ``backends`` goes through, each once."""
        keys = (self.entry_keys.get((ns, b)) for b in backends)
        return tuple(dict.fromkeys(k for k in keys if k is not None))

    def entries(self) -> list[Entry]:
        """The redirect resolvers, then the terminating gateway when a service is linked."""
        found = [self.resolvers[key] for key in sorted(self.resolvers)]
        if self.linked:
            services = [
                {"name": name, **({"namespace": ns} if ns else {})}
                for ns, name in sorted(self.linked)
            ]
            gateway = self.options.terminating_gateway
            found.append(
                Entry(
                    "TerminatingGateway",
                    gateway,
                    GATEWAY_NAMESPACE,
                    {"services": services},
                    service_owner(GATEWAY_NAMESPACE, gateway),
                    "terminatinggateway",
                )
            )
        return found


def _place(remote: Remote) -> str:
    """Where the backend is, as Consul reaches it: ``in datacenter dc2``, ``at host h``."""
    redirect = remote.consul_redirect
    if redirect:
        place = "in " + " ".join(f"{k} {v}" for k, v in redirect.items())
    else:
        place = f"at host {remote.host}"
    return f"{place} (mesh {remote.served_by})" if remote.served_by else place
