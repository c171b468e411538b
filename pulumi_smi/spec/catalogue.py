"""The workload catalogue: what translators need to know about the cluster.

SMI names Services and ServiceAccounts only. Meshes also need ports and their
protocols (from Services), pod labels (to select the pods behind a
ServiceAccount) and container ports. The catalogue is built from Kubernetes
Service and ServiceAccount documents and the manifests of every kind of workload
(:data:`WorkloadKind`: the pod template of a Deployment, StatefulSet, DaemonSet,
ReplicaSet, Job, CronJob or Argo Rollout, or a bare Pod), or declared in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from itertools import pairwise
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from ..errors import shown
from . import protocols
from .catalogue_index import CatalogueIndex
from .fields import NamespaceName, ObjectName, ServiceName
from .models import FieldError
from .names import port_name_problem
from .objectives import ServiceLevel, service_level_fields
from .remote import Remote, remote_from_manifest
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

    @field_validator("target_port", mode="before")
    @classmethod
    def _target_port(cls, value: Any) -> Any:
        """A container port number (1-65535) or name (IANA service name), as Kubernetes says."""
        if value is None or _is_port(value):
            return value
        if isinstance(value, str) and port_name_problem(value) is None:
            return value
        raise ValueError(f"must be a port number (1-65535) or a port name, got {shown(value)}")

    @property
    def application_protocol(self) -> str:
        """``appProtocol``, else the port name's ``<protocol>[-<suffix>]``, else ``tcp``/``udp``.

        Lower-case; for example ``http``, ``http2``, ``grpc``, ``grpc-web``, ``tcp``
        (:mod:`pulumi_smi.spec.protocols` has the rules).
        """
        return protocols.application_protocol(self.name, self.protocol, self.app_protocol)

    @property
    def protocol_hinted(self) -> bool:
        """Whether the port says its protocol (``appProtocol`` or a protocol port name)."""
        return protocols.hinted(self.name, self.protocol, self.app_protocol)


class Service(CatalogueModel):
    """A Kubernetes Service: its ports and pod selector."""

    name: ServiceName
    namespace: NamespaceName = "default"
    ports: tuple[ServicePort, ...] = ()
    selector: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    remote: Remote | None = None
    """Where it is served when it stands for a backend outside the mesh (:mod:`.remote`)."""
    slo: ServiceLevel | None = None
    """Its service-level objectives, from its annotations (:mod:`.objectives`)."""

    @field_validator("ports")
    @classmethod
    def _unique_ports(cls, ports: tuple[ServicePort, ...]) -> tuple[ServicePort, ...]:
        """Kubernetes refuses a Service listing a port (number and protocol) or a name twice."""
        numbers: set[tuple[int, str]] = set()
        names: set[str] = set()
        for index, port in enumerate(ports):
            if (port.port, port.protocol) in numbers:
                raise FieldError(
                    f"[{index}].port", f"{port.protocol} port {port.port} is listed twice"
                )
            if port.name is not None and port.name in names:
                raise FieldError(f"[{index}].name", f"port name {shown(port.name)} is used twice")
            numbers.add((port.port, port.protocol))
            if port.name is not None:
                names.add(port.name)
        return ports

    def port(self, number: int) -> ServicePort | None:
        """The port numbered ``number``, or None."""
        return next((p for p in self.ports if p.port == number), None)


class ServiceAccount(CatalogueModel):
    """A Kubernetes ServiceAccount (a workload identity)."""

    name: ObjectName
    namespace: NamespaceName = "default"


WorkloadKind = Literal[
    "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod", "Rollout"
]
"""The kinds of workload whose pods the catalogue knows (``Rollout``: Argo Rollouts)."""


class Workload(CatalogueModel):
    """Pods of one workload (:data:`WorkloadKind`): labels, identity, ports."""

    kind: WorkloadKind = "Deployment"
    name: ObjectName
    namespace: NamespaceName = "default"
    pod_labels: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    service_account_name: StrictStr = "default"
    container_ports: dict[StrictStr, StrictInt] = Field(default_factory=dict)
    """Named container ports (name -> number), for resolving named targetPorts."""
    tcp_ports: tuple[StrictInt, ...] = ()
    """Every TCP container port of the pods (named or not, sorted), for deny-by-default on
    ports no rule names. Not given (a Workload declared in Python), it is the named
    ``container_ports``; from a manifest it is exact: a named UDP or SCTP port is among
    ``container_ports`` (a Service may target it by name) but not here."""
    probes: dict[StrictInt, tuple[StrictStr, ...]] = Field(default_factory=dict)
    """HTTP GET paths of the kubelet probes (liveness, readiness, startup), by container port."""

    @model_validator(mode="after")
    def _every_named_port_is_a_port(self) -> Workload:
        given = "tcp_ports" in self.model_fields_set
        every = tuple(sorted(set(self.tcp_ports if given else self.container_ports.values())))
        if every != self.tcp_ports:
            object.__setattr__(self, "tcp_ports", every)
        return self


class Catalogue(BaseModel):
    """Services, ServiceAccounts and workloads the translators may look up."""

    model_config = ConfigDict(frozen=True)

    services: tuple[Service, ...] = ()
    service_accounts: tuple[ServiceAccount, ...] = ()
    workloads: tuple[Workload, ...] = ()

    @cached_property
    def _index(self) -> CatalogueIndex:
        """The look-up tables, built on first use (the model is frozen, so they stay valid;
        :meth:`model_copy` drops them)."""
        return CatalogueIndex(self.services, self.service_accounts, self.workloads)

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Catalogue:
        """A copy (see :meth:`pydantic.BaseModel.model_copy`), without the look-up tables of
        this one: ``update`` may change the entries they were built from."""
        copied = super().model_copy(update=update, deep=deep)
        for cached in ("_index", "_is_normal"):
            copied.__dict__.pop(cached, None)
        return copied

    def service(self, namespace: str, name: str) -> Service | None:
        """The Service ``namespace/name``, or None when the catalogue lacks it."""
        return self._index.service.get((namespace, name))

    def services_in(self, namespace: str) -> list[Service]:
        """The Services of ``namespace``, in catalogue order."""
        return list(self._index.services_in.get(namespace, ()))

    def services_named(self, name: str) -> list[Service]:
        """The Services called ``name`` in any namespace, in catalogue order."""
        return list(self._index.services_named.get(name, ()))

    def services_selecting(self, namespace: str, workloads: Iterable[Workload]) -> list[Service]:
        """The Services of ``namespace`` whose (non-empty) selector selects any of
        ``workloads``, in catalogue order."""
        return self._index.selecting(namespace, workloads)

    def workloads_in(self, namespace: str) -> list[Workload]:
        """The workloads of ``namespace``, in catalogue order."""
        return list(self._index.workloads_in.get(namespace, ()))

    def workloads_of(self, namespace: str, service_account: str) -> list[Workload]:
        """Workloads in ``namespace`` whose pods run as ``service_account``."""
        return list(self._index.workloads_of.get((namespace, service_account), ()))

    def selected_workloads(self, namespace: str, selector: Mapping[str, str]) -> list[Workload]:
        """The workloads of ``namespace`` whose pods ``selector`` selects (an empty selector
        selects every one), in catalogue order."""
        return self._index.selected(namespace, selector)

    def has_service_account(self, namespace: str, name: str) -> bool:
        """Whether the ServiceAccount is declared, or used by a known workload."""
        index = self._index
        return (namespace, name) in index.accounts or (namespace, name) in index.workloads_of

    def merged(self, other: Catalogue) -> Catalogue:
        """This catalogue plus ``other``; entries of ``other`` win on the same key.

        The entries of the result are unique and sorted by key. Merging an empty catalogue
        into one whose entries are so already gives that one back, look-up tables and all:
        every component merges its mesh's catalogue with its own (mostly empty) one.
        """
        if other.is_empty and self._is_normal:
            return self
        if self.is_empty and other._is_normal:
            return other

        def merge(mine: Iterable[Any], theirs: Iterable[Any], key: Any) -> tuple[Any, ...]:
            entries = {key(e): e for e in mine}
            entries.update({key(e): e for e in theirs})
            return tuple(entries[k] for k in sorted(entries))

        return Catalogue(
            services=merge(self.services, other.services, _named),
            service_accounts=merge(self.service_accounts, other.service_accounts, _named),
            workloads=merge(self.workloads, other.workloads, _workload_key),
        )

    @property
    def is_empty(self) -> bool:
        """Whether the catalogue has no entry at all."""
        return not (self.services or self.service_accounts or self.workloads)

    @cached_property
    def _is_normal(self) -> bool:
        """Whether the entries are unique and sorted by key, as :meth:`merged` leaves them."""
        return (
            _increasing([_named(s) for s in self.services])
            and _increasing([_named(a) for a in self.service_accounts])
            and _increasing([_workload_key(w) for w in self.workloads])
        )


def _named(entry: Service | ServiceAccount) -> tuple[str, str]:
    return (entry.namespace, entry.name)


def _workload_key(workload: Workload) -> tuple[str, str, str]:
    return (workload.namespace, workload.kind, workload.name)


def _increasing(keys: list[Any]) -> bool:
    return all(a < b for a, b in pairwise(keys))


# Where each kind keeps its pod template ("": the manifest is the pod itself).
_POD_TEMPLATES: dict[str, str] = {"CronJob": "spec.jobTemplate.spec.template", "Pod": ""}


def pod_paths(kind: str) -> tuple[str, str]:
    """The paths of the pod metadata and pod spec in a manifest of workload ``kind``."""
    template = _POD_TEMPLATES.get(kind, "spec.template")
    if not template:
        return "metadata", "spec"
    return f"{template}.metadata", f"{template}.spec"


def workload_from_manifest(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The :class:`Workload` fields of a workload manifest (any :data:`WorkloadKind`).

    The pods are those of the pod template (a CronJob's at ``spec.jobTemplate.spec.template``;
    a Pod is its own template). A Rollout with ``spec.workloadRef`` has the pods of another
    workload: see :func:`rollout_workload_ref`. Raises
    :class:`~pulumi_smi.spec.shape.ShapeError` when the manifest's shape is wrong.
    """
    kind = manifest.get("kind")
    metadata = mapping(manifest.get("metadata"), "metadata")
    pod_metadata, pod_spec = _pod_template(manifest, str(kind))
    spec_at = pod_paths(str(kind))[1]
    ports: dict[Any, Any] = {}
    tcp: set[int] = set()
    probes: dict[int, list[str]] = {}
    for where, container in _serving_containers(pod_spec, spec_at):
        for port_index, raw in enumerate(sequence(container.get("ports"), f"{where}.ports")):
            at = f"{where}.ports[{port_index}]"
            port = mapping(raw, at)
            name, number = port.get("name"), port.get("containerPort")
            if isinstance(number, bool) or not isinstance(number, int):
                raise ShapeError(f"{at}.containerPort", f"must be an integer, got {shown(number)}")
            if not _is_port(number):
                raise ShapeError(f"{at}.containerPort", f"must be 1-65535, got {number}")
            protocol = port.get("protocol")
            if protocol is not None and protocol not in ("TCP", "UDP", "SCTP"):
                raise ShapeError(
                    f"{at}.protocol", f"must be TCP, UDP or SCTP, got {shown(protocol)}"
                )
            if protocol in (None, "TCP"):
                tcp.add(number)
            if name is None:
                continue
            if not isinstance(name, str):
                raise ShapeError(f"{at}.name", f"must be a string, got {type(name).__name__}")
            problem = port_name_problem(name)
            if problem:
                raise ShapeError(f"{at}.name", problem)
            if name in ports:
                raise ShapeError(f"{at}.name", f"port name {shown(name)} is used twice in the pod")
            ports[name] = number
        for probe_port, path in _http_probes(container, where):  # after its ports' checks
            paths = probes.setdefault(probe_port, [])
            if path not in paths:
                paths.append(path)
    return {
        "kind": kind,
        "name": metadata.get("name"),
        "namespace": metadata.get("namespace", "default"),
        "pod_labels": pod_metadata.get("labels") or {},
        "service_account_name": _service_account(pod_spec, spec_at),
        "container_ports": ports,
        "tcp_ports": tuple(sorted(tcp)),
        "probes": {port: tuple(paths) for port, paths in probes.items()},
    }


def _pod_template(manifest: Mapping[str, Any], kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The pod metadata and pod spec of a workload manifest (:class:`ShapeError`)."""
    meta_at, spec_at = pod_paths(kind)
    if meta_at == "metadata":
        return mapping(manifest.get("metadata"), "metadata"), mapping(manifest.get("spec"), "spec")
    node: dict[str, Any] = dict(manifest)
    path = ""
    for part in meta_at.removesuffix(".metadata").split("."):
        path = f"{path}.{part}" if path else part
        node = mapping(node.get(part), path)
    return mapping(node.get("metadata"), meta_at), mapping(node.get("spec"), spec_at)


def _serving_containers(
    pod_spec: Mapping[str, Any], spec_at: str
) -> list[tuple[str, dict[str, Any]]]:
    """(path, container) of the containers serving for the pod's lifetime.

    The app containers, and the sidecar init containers (``restartPolicy: Always``); the
    ports of the other init containers are not serving ports: they exit before the pod runs.
    """
    found = [
        (f"{spec_at}.containers[{index}]", mapping(c, f"{spec_at}.containers[{index}]"))
        for index, c in enumerate(sequence(pod_spec.get("containers"), f"{spec_at}.containers"))
    ]
    init = sequence(pod_spec.get("initContainers"), f"{spec_at}.initContainers")
    for index, raw in enumerate(init):
        where = f"{spec_at}.initContainers[{index}]"
        container = mapping(raw, where)
        if container.get("restartPolicy") == "Always":
            found.append((where, container))
    return found


def _service_account(pod_spec: Mapping[str, Any], spec_at: str) -> str:
    """The pod's ServiceAccount as Kubernetes defaults it.

    ``serviceAccountName``, else the deprecated ``serviceAccount`` (its alias), else
    ``default`` (the ServiceAccount admission controller's default).
    """
    names = []
    for field in ("serviceAccountName", "serviceAccount"):
        value = pod_spec.get(field)
        if value is not None and not isinstance(value, str):
            raise ShapeError(f"{spec_at}.{field}", f"must be a string, got {type(value).__name__}")
        names.append(value)
    return next((name for name in names if name), "default")


ROLLOUT_REF_KINDS = ("Deployment", "ReplicaSet")
"""The workloads (``apps/v1``) a Rollout's ``spec.workloadRef`` may name here."""


def rollout_workload_ref(manifest: Mapping[str, Any]) -> tuple[str, str] | None:
    """(kind, name) of the workload an Argo Rollout's ``spec.workloadRef`` names, or None.

    None for every other manifest and for a Rollout with its own ``spec.template``. The named
    workload is in the Rollout's namespace; Argo Rollouts refuses a Rollout with both a
    workloadRef and a template (labels or annotations), and so does this
    (:class:`~pulumi_smi.spec.shape.ShapeError`).
    """
    if manifest.get("kind") != "Rollout":
        return None
    spec = mapping(manifest.get("spec"), "spec")
    if spec.get("workloadRef") is None:
        return None
    ref = mapping(spec.get("workloadRef"), "spec.workloadRef")
    template = mapping(spec.get("template"), "spec.template")
    template_metadata = mapping(template.get("metadata"), "spec.template.metadata")
    if template_metadata.get("labels") or template_metadata.get("annotations"):
        raise ShapeError(
            "spec.template",
            "must be empty when spec.workloadRef is set (Argo Rollouts refuses the Rollout: "
            "template must be empty for workload reference rollout)",
        )
    kind, api_version, name = ref.get("kind"), ref.get("apiVersion"), ref.get("name")
    if kind not in ROLLOUT_REF_KINDS:
        raise ShapeError(
            "spec.workloadRef.kind",
            f"must be Deployment or ReplicaSet (the workloads pulumi-smi resolves a "
            f"workloadRef to), got {shown(kind)}",
        )
    if api_version != "apps/v1":
        raise ShapeError(
            "spec.workloadRef.apiVersion", f"must be apps/v1, got {shown(api_version)}"
        )
    if not isinstance(name, str) or not name:
        raise ShapeError("spec.workloadRef.name", f"must be a workload name, got {shown(name)}")
    return str(kind), name


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
        if not isinstance(number, int) or not _is_port(number):
            raise ShapeError(
                f"{at}.port", f"{shown(port)} is not a container port of this container"
            )
        path = get.get("path", "/")
        if not isinstance(path, str):
            raise ShapeError(f"{at}.path", f"must be a string, got {type(path).__name__}")
        found.append((number, path))
    return found


def _is_port(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535


def service_from_manifest(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The :class:`Service` fields of a Service manifest (:class:`ShapeError` on a bad shape)."""
    metadata = mapping(manifest.get("metadata"), "metadata")
    spec = mapping(manifest.get("spec"), "spec")
    annotations = mapping(metadata.get("annotations"), "metadata.annotations")
    return {
        "name": metadata.get("name"),
        "namespace": metadata.get("namespace", "default"),
        "ports": spec.get("ports") or [],
        "selector": spec.get("selector") or {},
        "remote": remote_from_manifest(spec, annotations),
        "slo": service_level_fields(annotations),
    }
