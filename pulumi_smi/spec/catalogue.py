"""The workload catalogue: what translators need to know about the cluster.

SMI names Services and ServiceAccounts only. Meshes also need ports and their
protocols (from Services), pod labels (to select the pods behind a
ServiceAccount) and container ports. The catalogue is built from Kubernetes
Service, ServiceAccount and Deployment/StatefulSet/DaemonSet documents, or
declared in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, model_validator

from .fields import NamespaceName, ObjectName, ServiceName
from .shape import ShapeError, mapping, sequence


class CatalogueModel(BaseModel):
    """Base of the catalogue models: frozen, snake_case or camelCase input."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class ServicePort(CatalogueModel):
    """A port of a Kubernetes Service."""

    port: StrictInt = Field(ge=1, le=65535)
    name: StrictStr | None = None
    protocol: Literal["TCP", "UDP", "SCTP"] = "TCP"
    app_protocol: StrictStr | None = Field(default=None, alias="appProtocol")
    target_port: StrictInt | StrictStr | None = Field(default=None, alias="targetPort")

    @property
    def application_protocol(self) -> str:
        """``appProtocol``, else the Istio-style prefix of the port name, else ``tcp``/``udp``.

        Lower-case; for example ``http``, ``http2``, ``grpc``, ``tcp``.
        """
        if self.app_protocol:
            return self.app_protocol.lower().rpartition("/")[2]
        if self.name:
            prefix = self.name.split("-", 1)[0].lower()
            if prefix in ("http", "http2", "https", "grpc", "grpc-web", "tcp", "tls", "udp"):
                return prefix
        return self.protocol.lower()


class Service(CatalogueModel):
    """A Kubernetes Service: its ports and pod selector."""

    name: ServiceName
    namespace: NamespaceName = "default"
    ports: tuple[ServicePort, ...] = ()
    selector: dict[StrictStr, StrictStr] = Field(default_factory=dict)

    def port(self, number: int) -> ServicePort | None:
        """The port numbered ``number``, or None."""
        return next((p for p in self.ports if p.port == number), None)


class ServiceAccount(CatalogueModel):
    """A Kubernetes ServiceAccount (a workload identity)."""

    name: ObjectName
    namespace: NamespaceName = "default"


class Workload(CatalogueModel):
    """Pods of a Deployment, StatefulSet or DaemonSet: labels, identity, ports."""

    kind: Literal["Deployment", "StatefulSet", "DaemonSet"] = "Deployment"
    name: ObjectName
    namespace: NamespaceName = "default"
    pod_labels: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    service_account_name: StrictStr = "default"
    container_ports: dict[StrictStr, StrictInt] = Field(default_factory=dict)
    """Named container ports (name -> number), for resolving named targetPorts."""
    tcp_ports: tuple[StrictInt, ...] = ()
    """Every TCP container port of the pods (named or not, sorted), for deny-by-default on
    ports no rule names; the named ``container_ports`` are always among them."""
    probes: dict[StrictInt, tuple[StrictStr, ...]] = Field(default_factory=dict)
    """HTTP GET paths of the kubelet probes (liveness, readiness, startup), by container port."""

    @model_validator(mode="after")
    def _every_named_port_is_a_port(self) -> Workload:
        every = tuple(sorted(set(self.tcp_ports) | set(self.container_ports.values())))
        if every != self.tcp_ports:
            object.__setattr__(self, "tcp_ports", every)
        return self


class Catalogue(BaseModel):
    """Services, ServiceAccounts and workloads the translators may look up."""

    model_config = ConfigDict(frozen=True)

    services: tuple[Service, ...] = ()
    service_accounts: tuple[ServiceAccount, ...] = ()
    workloads: tuple[Workload, ...] = ()

    def service(self, namespace: str, name: str) -> Service | None:
        """The Service ``namespace/name``, or None when the catalogue lacks it."""
        return next((s for s in self.services if s.namespace == namespace and s.name == name), None)

    def workloads_of(self, namespace: str, service_account: str) -> list[Workload]:
        """Workloads in ``namespace`` whose pods run as ``service_account``."""
        return [
            w
            for w in self.workloads
            if w.namespace == namespace and w.service_account_name == service_account
        ]

    def has_service_account(self, namespace: str, name: str) -> bool:
        """Whether the ServiceAccount is declared, or used by a known workload."""
        return any(
            sa.namespace == namespace and sa.name == name for sa in self.service_accounts
        ) or bool(self.workloads_of(namespace, name))

    def merged(self, other: Catalogue) -> Catalogue:
        """This catalogue plus ``other``; entries of ``other`` win on the same key."""

        def merge(mine: Iterable[Any], theirs: Iterable[Any], key: Any) -> tuple[Any, ...]:
            entries = {key(e): e for e in mine}
            entries.update({key(e): e for e in theirs})
            return tuple(entries[k] for k in sorted(entries))

        return Catalogue(
            services=merge(self.services, other.services, lambda s: (s.namespace, s.name)),
            service_accounts=merge(
                self.service_accounts, other.service_accounts, lambda s: (s.namespace, s.name)
            ),
            workloads=merge(
                self.workloads, other.workloads, lambda w: (w.namespace, w.kind, w.name)
            ),
        )


def workload_from_manifest(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The :class:`Workload` fields of a Deployment/StatefulSet/DaemonSet manifest.

    Raises :class:`~pulumi_smi.spec.shape.ShapeError` when the manifest's shape is wrong.
    """
    metadata = mapping(manifest.get("metadata"), "metadata")
    template = mapping(mapping(manifest.get("spec"), "spec").get("template"), "spec.template")
    pod_spec = mapping(template.get("spec"), "spec.template.spec")
    ports: dict[Any, Any] = {}
    tcp: set[int] = set()
    probes: dict[int, list[str]] = {}
    containers = sequence(pod_spec.get("containers"), "spec.template.spec.containers")
    for index, container in enumerate(containers):
        where = f"spec.template.spec.containers[{index}]"
        for probe_port, path in _http_probes(mapping(container, where), where):
            paths = probes.setdefault(probe_port, [])
            if path not in paths:
                paths.append(path)
        for port_index, raw in enumerate(
            sequence(mapping(container, where).get("ports"), f"{where}.ports")
        ):
            at = f"{where}.ports[{port_index}]"
            port = mapping(raw, at)
            name, number = port.get("name"), port.get("containerPort")
            if isinstance(number, bool) or not isinstance(number, int):
                raise ShapeError(f"{at}.containerPort", f"must be an integer, got {number!r}")
            if port.get("protocol", "TCP") == "TCP":
                tcp.add(number)
            if name is None:
                continue
            if not isinstance(name, str):
                raise ShapeError(f"{at}.name", f"must be a string, got {type(name).__name__}")
            ports[name] = number
    return {
        "kind": manifest.get("kind"),
        "name": metadata.get("name"),
        "namespace": metadata.get("namespace", "default"),
        "pod_labels": mapping(template.get("metadata"), "spec.template.metadata").get("labels")
        or {},
        "service_account_name": pod_spec.get("serviceAccountName")
        or pod_spec.get("serviceAccount")
        or "default",
        "container_ports": ports,
        "tcp_ports": tuple(sorted(tcp)),
        "probes": {port: tuple(paths) for port, paths in probes.items()},
    }


_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def _http_probes(container: Mapping[str, Any], where: str) -> list[tuple[int, str]]:
    """(container port, path) of the container's HTTP GET probes; named ports resolved."""
    named = {
        p["name"]: p.get("containerPort")
        for p in sequence(container.get("ports"), f"{where}.ports")
        if isinstance(p, dict) and isinstance(p.get("name"), str)
    }
    found = []
    for probe in _PROBES:
        get = mapping(
            mapping(container.get(probe), f"{where}.{probe}").get("httpGet"),
            f"{where}.{probe}.httpGet",
        )
        if not get:
            continue
        at = f"{where}.{probe}.httpGet"
        port = get.get("port")
        number = named.get(port) if isinstance(port, str) else port
        if isinstance(number, bool) or not isinstance(number, int):
            raise ShapeError(f"{at}.port", f"{port!r} is not a container port of this container")
        path = get.get("path", "/")
        if not isinstance(path, str):
            raise ShapeError(f"{at}.path", f"must be a string, got {type(path).__name__}")
        found.append((number, path))
    return found


def service_from_manifest(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The :class:`Service` fields of a Service manifest (:class:`ShapeError` on a bad shape)."""
    metadata = mapping(manifest.get("metadata"), "metadata")
    spec = mapping(manifest.get("spec"), "spec")
    return {
        "name": metadata.get("name"),
        "namespace": metadata.get("namespace", "default"),
        "ports": spec.get("ports") or [],
        "selector": spec.get("selector") or {},
    }
