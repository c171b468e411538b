"""The App Mesh plan under construction: Mesh, VirtualNodes and VirtualServices.

One VirtualNode per Kubernetes Service, named ``<service>_<namespace>`` as the App Mesh
controller names them, owned by the Service (shared by every SMI object naming it). Its
listeners are the Service's TCP ports (protocol from ``appProtocol`` or the port name:
``http`` and ``grpc-web``, ``http2``/``h2c``, ``grpc``, anything else ``tcp``); its DNS
service discovery resolves ``<service>.<namespace>.svc.<cluster_domain>``, the ClusterIP,
which kube-proxy balances over the Service's pods. The listener port is the Service port:
clients reach the node at hostname:port, and the pods' Envoy receives on it, so a different
targetPort is warned about. A client workload no Service selects gets a listener-less
VirtualNode named ``<workload>_<namespace>``: it only calls out.

A split backend served outside the mesh (:mod:`pulumi_smi.spec.remote`) gets its VirtualNode
from :mod:`.remote` instead: same name, DNS service discovery of the remote host, recorded in
:attr:`Builder.remote_nodes` so that the access side never takes it for pods of this mesh.

One VirtualService per Service clients are routed to, named with the DNS name they call
and owned by the Service: provided by the apex's VirtualRouter for a split apex, else by
the Service's own VirtualNode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...plan import PlanWarning, Resource
from ...spec.catalogue import Service, ServicePort, Workload
from ...spec.models import ObjectKey
from ..aws.references import ref
from ..base import Namer, namespace_owner, service_account_owner, service_owner
from ..plan_builder import PlanBuilder
from ..services import is_grpc, is_http, is_http2, missing_service_hint
from .options import AppMeshOptions, name_problem

MESH = "aws:appmesh/mesh:Mesh"
VIRTUAL_NODE = "aws:appmesh/virtualNode:VirtualNode"
VIRTUAL_ROUTER = "aws:appmesh/virtualRouter:VirtualRouter"
ROUTE = "aws:appmesh/route:Route"
VIRTUAL_SERVICE = "aws:appmesh/virtualService:VirtualService"


def appmesh_protocol(port: ServicePort) -> str | None:
    """The App Mesh listener protocol of a Service port; None for UDP/SCTP."""
    if port.protocol != "TCP":
        return None
    if is_grpc(port):
        return "grpc"
    if is_http2(port):
        return "http2"
    return "http" if is_http(port) else "tcp"  # grpc-web is HTTP


@dataclass(frozen=True)
class RemoteNode:
    """A VirtualNode standing for a split backend served outside the mesh (no pods here)."""

    key: ObjectKey
    """The TrafficSplit that first named the backend."""
    path: str
    """Its field there (``spec.backends[i].service``)."""
    namespace: str
    service: str
    where: str
    """Where it is served, for messages (:attr:`pulumi_smi.spec.remote.Remote.where`)."""


@dataclass
class Builder(PlanBuilder):
    """The plan of one translation, and the lookups every part needs."""

    options: AppMeshOptions = field(kw_only=True)
    namer: Namer = field(kw_only=True)
    mesh_resource: str | None = None
    remote_nodes: dict[str, RemoteNode] = field(default_factory=dict)
    """VirtualNodes (logical name) of backends served outside the mesh (:mod:`.remote`)."""
    _warned: set[str] = field(default_factory=set, init=False, repr=False, compare=False)
    _warned_upto: int = field(default=0, init=False, repr=False, compare=False)

    def warn(self, owner: ObjectKey | None, message: str) -> None:
        """Record a warning about ``owner`` (once)."""
        where = f"{owner.kind} {owner.namespace}/{owner.name}: " if owner else ""
        self.warn_once(PlanWarning(f"{where}{message}", owner))

    def warn_once(self, warning: PlanWarning) -> None:
        """Append ``warning`` unless a warning of the same text is there already.

        A set of the texts, not a scan of the list; it takes in whatever was appended to
        :attr:`warnings` since it last looked (parts of the translation append directly).
        """
        fresh = self.warnings[self._warned_upto :]
        self._warned.update(fresh)
        self._warned_upto += len(fresh)
        if warning not in self._warned:
            self.warnings.append(warning)

    def replace_spec(self, name: str, spec: dict[str, Any]) -> None:
        """Give the planned resource ``name`` a new ``spec`` (all else unchanged)."""
        resource = self.resources[name]
        properties = {**resource.properties, "spec": spec}
        self.resources[name] = Resource(
            resource.type, name, properties, resource.depends_on, resource.owner
        )

    def dns(self, namespace: str, service: str) -> str:
        """The DNS name clients call: ``<service>.<namespace>.svc.<cluster_domain>``."""
        return f"{service}.{namespace}.svc.{self.options.cluster_domain}"

    def add(self, resource: Resource, key: ObjectKey, path: str) -> str:
        """Add ``resource`` unless present (same name, same properties); return its name."""
        name = resource.properties["name"]
        problem = name_problem(name)
        if problem:
            raise self.fail(key, path, problem)
        known = self.resources.get(resource.name)
        if known is not None and known.properties != resource.properties:
            raise self.fail(key, path, f"two different {resource.type} named {resource.name!r}")
        self.resources.setdefault(resource.name, resource)
        return resource.name

    def mesh_properties(self) -> dict[str, Any]:
        """``meshName`` (a reference when the mesh is created here) and ``meshOwner``."""
        if self.mesh_resource is None and self.options.creates_mesh:
            owner = namespace_owner(self.options.mesh)  # stand-in: no mesh-wide owner kind
            self.mesh_resource = self.namer(owner, "appmesh-mesh")
            filter_ = {"type": self.options.egress_filter}
            self.resources[self.mesh_resource] = Resource(
                MESH,
                self.mesh_resource,
                {"name": self.options.mesh, "spec": {"egressFilter": filter_}},
                owner=owner,
            )
        props: dict[str, Any] = {
            "meshName": ref(self.mesh_resource, "name") if self.mesh_resource else self.options.mesh
        }
        if self.options.mesh_owner:
            props["meshOwner"] = self.options.mesh_owner
        return props

    def service(self, namespace: str, name: str, key: ObjectKey, path: str) -> Service:
        """The catalogue's Service; an error naming ``path`` when unknown or portless."""
        service = self.specs.catalogue.service(namespace, name)
        if service is None:
            raise self.fail(
                key,
                path,
                f"the appmesh target needs the ports of Service {namespace}/{name} (a "
                "VirtualNode listener needs one): " + missing_service_hint(namespace, name),
            )
        if not service.ports:
            raise self.fail(key, path, f"Service {namespace}/{name} has no ports")
        return service

    def node(self, service: Service, key: ObjectKey, path: str) -> str:
        """The VirtualNode of ``service``; its logical name."""
        listeners = []
        for port in service.ports:
            protocol = appmesh_protocol(port)
            if protocol is None:
                self.warn(
                    key,
                    f"port {port.port} of Service {service.namespace}/{service.name} is "
                    f"{port.protocol}: App Mesh only carries TCP, so it is left out",
                )
                continue
            if isinstance(port.target_port, int) and port.target_port != port.port:
                self.warn(
                    key,
                    f"Service {service.namespace}/{service.name} maps port {port.port} to "
                    f"targetPort {port.target_port}: App Mesh's listener port is both the port "
                    "clients call and the one the pods' Envoy receives on; make them equal",
                )
            listeners.append({"portMapping": {"port": port.port, "protocol": protocol}})
        owner = service_owner(service.namespace, service.name)
        name = self.namer(owner, "virtualnode")
        spec: dict[str, Any] = {
            "listeners": listeners,
            "serviceDiscovery": {"dns": {"hostname": self.dns(service.namespace, service.name)}},
        }
        props = {"name": f"{service.name}_{service.namespace}", **self.mesh_properties()}
        return self.add(
            Resource(VIRTUAL_NODE, name, {**props, "spec": spec}, owner=owner), key, path
        )

    def client_node(self, workload: Workload, key: ObjectKey, path: str) -> str:
        """A listener-less VirtualNode for a client workload no Service selects."""
        owner = service_account_owner(workload.namespace, workload.service_account_name)
        name = self.namer(owner, f"virtualnode-{workload.name}")
        props = {"name": f"{workload.name}_{workload.namespace}", **self.mesh_properties()}
        return self.add(Resource(VIRTUAL_NODE, name, {**props, "spec": {}}, owner=owner), key, path)

    def virtual_service(
        self,
        namespace: str,
        service: str,
        provider: dict[str, Any],
        key: ObjectKey,
        depends_on: tuple[str, ...] = (),
    ) -> str:
        """The VirtualService named with the Service's DNS name; its logical name."""
        owner = service_owner(namespace, service)
        name = self.virtual_service_name(namespace, service)
        props = {"name": self.dns(namespace, service), **self.mesh_properties()}
        resource = Resource(
            VIRTUAL_SERVICE,
            name,
            {**props, "spec": {"provider": provider}},
            depends_on=depends_on,
            owner=owner,
        )
        return self.add(resource, key, "spec.service")

    def virtual_service_name(self, namespace: str, service: str) -> str:
        """The logical name of the Service's VirtualService."""
        return self.namer(service_owner(namespace, service), "virtualservice")

    def services_of(self, namespace: str, workload: Workload) -> list[Service]:
        """The Services whose selector selects the workload's pods."""
        return self.specs.catalogue.services_selecting(namespace, [workload])
