"""What every access-policy translator shares: the destination's pods and ports.

SMI names identities (ServiceAccounts); meshes that enforce access per pod (Istio's selector,
Linkerd's Server) need the pod labels and the ports the destination's proxy receives on. Both
come from the catalogue and are resolved here once: a selector never reaches the pods of
another identity (the allow would reach them), and a Service port becomes the container port
behind it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..spec.catalogue import Catalogue, Service, ServicePort, Workload
from ..spec.catalogue_index import selects as selects_labels
from ..spec.models import HTTPMatch, HTTPRouteGroup, TrafficTarget
from ..spec.specset import SpecSet
from .services import is_http


class Untranslatable(Exception):
    """An SMI value the mesh cannot express without widening an allow; ``path`` is the field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Selection:
    """The pods of a destination ServiceAccount one selector covers (``suffix``: per workload)."""

    labels: dict[str, str]
    workloads: tuple[Workload, ...]
    suffix: str = ""


def selections(specs: SpecSet, target: TrafficTarget, mesh: str) -> list[Selection]:
    """The pod selectors covering exactly the destination ServiceAccount's known workloads.

    One selector (the labels all its workloads share) when no workload of another
    ServiceAccount in the namespace carries them too; otherwise one per workload. A selector
    that would also select another identity's pods is an error: the allow would reach them.
    ``mesh`` names the target in messages.
    """
    namespace, account = target.metadata.namespace, target.spec.destination.name
    catalogue = specs.catalogue
    mine = sorted(catalogue.workloads_of(namespace, account), key=lambda w: (w.kind, w.name))
    where = "spec.destination.name"
    if not mine:
        raise Untranslatable(
            where,
            f"no known workload runs as ServiceAccount {namespace}/{account}: {mesh} selects "
            "the pods to protect by label, so pass the Deployment, StatefulSet, DaemonSet, "
            "ReplicaSet, Job, CronJob, Pod or Argo Rollout "
            f"manifest whose pod template uses serviceAccountName: {account} (pulumi-smi never "
            "falls back to a namespace-wide policy)",
        )

    def reaches_others(labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` select pods of another ServiceAccount of the namespace."""
        selected = catalogue.selected_workloads(namespace, labels)
        return any(w.service_account_name != account for w in selected)

    common = dict(set.intersection(*(set(w.pod_labels.items()) for w in mine)))
    if common and not reaches_others(common):
        return [Selection(dict(sorted(common.items())), tuple(mine))]
    names = Counter(w.name for w in mine)
    chosen = []
    for workload in mine:
        if not workload.pod_labels or reaches_others(workload.pod_labels):
            raise Untranslatable(
                where,
                f"the pods of {workload.kind} {namespace}/{workload.name} (ServiceAccount "
                f"{account}) have no labels that pods of other ServiceAccounts in the namespace "
                f"lack ({_labels(workload.pod_labels)}): a policy selecting them would also "
                "apply to those pods; give them a distinguishing label",
            )
        suffix = workload.name if names[workload.name] == 1 else f"{workload.kind}-{workload.name}"
        chosen.append(Selection(dict(sorted(workload.pod_labels.items())), (workload,), suffix))
    return chosen


def overlaps(labels: Mapping[str, str], workloads: Iterable[Workload]) -> bool:
    """Whether the selector ``labels`` selects the pods of any of ``workloads``."""
    return any(selects(labels, w) for w in workloads)


def selects(selector: Mapping[str, str], workload: Workload) -> bool:
    """Whether a label selector selects the pods of ``workload``."""
    return selects_labels(selector, workload.pod_labels)


def _labels(labels: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items())) or "no labels"


# --- ports -------------------------------------------------------------------------------


def selecting_services(
    catalogue: Catalogue, namespace: str, workloads: Iterable[Workload]
) -> list[Service]:
    """The Services of ``namespace`` whose selector selects any of ``workloads``."""
    return catalogue.services_selecting(namespace, workloads)


def resolve_ports(
    catalogue: Catalogue,
    namespace: str,
    workloads: Iterable[Workload],
    ports: Iterable[int],
    where: str,
) -> dict[int, list[ServicePort]]:
    """The container ports the destination's proxy sees for SMI ``ports``.

    Maps each container port to the Service ports in front of it (empty when none). A port
    that a Service selecting the workloads exposes becomes that Service port's targetPort (a
    named one resolved through each workload's container ports); any other port is taken as
    the container port itself. Raises :class:`Untranslatable` (about ``where``) for a named
    targetPort a workload lacks.
    """
    chosen = list(workloads)
    services = selecting_services(catalogue, namespace, chosen)
    resolved: dict[int, list[ServicePort]] = {}
    for port in ports:
        mapped: dict[int, list[ServicePort]] = {}
        for service in services:
            service_port = service.port(port)
            if service_port is not None:
                for number in _targets(service, service_port, chosen, namespace, where):
                    mapped.setdefault(number, []).append(service_port)
        for number, service_ports in (mapped or {port: []}).items():
            resolved.setdefault(number, []).extend(service_ports)
    return dict(sorted(resolved.items()))


def http_ports(
    catalogue: Catalogue, namespace: str, workloads: Iterable[Workload], where: str
) -> dict[int, list[ServicePort]]:
    """The container ports behind the HTTP ports of the Services selecting ``workloads``."""
    chosen = list(workloads)
    resolved: dict[int, list[ServicePort]] = {}
    for service in selecting_services(catalogue, namespace, chosen):
        for service_port in service.ports:
            if service_port.protocol == "TCP" and is_http(service_port):
                for number in _targets(service, service_port, chosen, namespace, where):
                    resolved.setdefault(number, []).append(service_port)
    return dict(sorted(resolved.items()))


def _targets(
    service: Service,
    service_port: ServicePort,
    workloads: list[Workload],
    namespace: str,
    where: str,
) -> set[int]:
    target = service_port.target_port
    if target is None or isinstance(target, int):
        return {service_port.port if target is None else target}
    numbers = set()
    for workload in (w for w in workloads if selects(service.selector, w)):
        if target not in workload.container_ports:
            raise Untranslatable(
                where,
                f"Service {namespace}/{service.name} port {service_port.port} has targetPort "
                f"{target!r}, but {workload.kind} {namespace}/{workload.name} has no "
                "container port of that name",
            )
        numbers.add(workload.container_ports[target])
    return numbers


def target_ports(
    catalogue: Catalogue,
    namespace: str,
    workloads: Iterable[Workload],
    ports: Iterable[int],
    where: str,
) -> list[str]:
    """The container ports for SMI ``ports`` (see :func:`resolve_ports`), as sorted strings."""
    return [str(p) for p in resolve_ports(catalogue, namespace, workloads, ports, where)]


def allowed_matches(
    group: HTTPRouteGroup, names: tuple[str, ...], where: str
) -> list[tuple[str, HTTPMatch]]:
    """The matches a TrafficTarget rule allows, each with the field path to blame.

    The rule's named matches in its order (path ``<where>.matches[i]``), or, when it names
    none, every match of the group (path ``<where>``).
    """
    if not names:
        return [(where, match) for match in group.spec.matches]
    selected = []
    for index, name in enumerate(names):
        match = group.match(name)
        assert match is not None  # SpecSet.build rejects unknown match names
        selected.append((f"{where}.matches[{index}]", match))
    return selected
