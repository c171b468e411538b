"""Look-up tables over a catalogue, built once: what translators ask for, in constant time.

Translators ask the catalogue per SMI object for a Service by name, the workloads running as a
ServiceAccount, the workloads a selector selects and the Services selecting some workloads.
Scanning every entry for each question made a translation quadratic in the estate's size;
:class:`CatalogueIndex` answers each from dictionaries built in one pass. Every answer is
exactly what the linear scan gives, in the catalogue's order (``sdk_tests`` checks this on
random catalogues).

Selectors: a Service selects a workload when its selector is a subset of the pod labels. Each
Service is filed under one *anchor* pair of its selector (the pair fewest workloads of the
namespace carry); a Service selecting a workload has its anchor among that workload's labels,
so the candidates for a workload are the Services filed under its labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .catalogue import Service, ServiceAccount, Workload

Pair = tuple[str, str, str]
"""(namespace, label key, label value)."""


def selects(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """Whether the label ``selector`` selects pods labelled ``labels`` (every pair matches)."""
    return all(labels.get(k) == v for k, v in selector.items())


class CatalogueIndex:
    """Dictionaries over one catalogue's entries (see the module docs)."""

    def __init__(
        self,
        services: tuple[Service, ...],
        accounts: tuple[ServiceAccount, ...],
        workloads: tuple[Workload, ...],
    ) -> None:
        self.service: dict[tuple[str, str], Service] = {}
        """The first Service of each ``(namespace, name)``."""
        self.services_in: dict[str, list[Service]] = defaultdict(list)
        self.services_named: dict[str, list[Service]] = defaultdict(list)
        self.workloads_in: dict[str, list[Workload]] = defaultdict(list)
        self.workloads_of: dict[tuple[str, str], list[Workload]] = defaultdict(list)
        self.accounts = {(a.namespace, a.name) for a in accounts}
        self._labelled: dict[Pair, list[tuple[int, Workload]]] = defaultdict(list)
        self._anchored: dict[Pair, list[tuple[int, Service]]] = defaultdict(list)
        for position, workload in enumerate(workloads):
            self.workloads_in[workload.namespace].append(workload)
            self.workloads_of[(workload.namespace, workload.service_account_name)].append(workload)
            for key, value in workload.pod_labels.items():
                self._labelled[(workload.namespace, key, value)].append((position, workload))
        for position, service in enumerate(services):
            self.service.setdefault((service.namespace, service.name), service)
            self.services_in[service.namespace].append(service)
            self.services_named[service.name].append(service)
            if service.selector:
                self._anchored[self._anchor(service.namespace, service.selector)].append(
                    (position, service)
                )

    def _anchor(self, namespace: str, selector: Mapping[str, str]) -> Pair:
        """The pair of ``selector`` fewest workloads of ``namespace`` carry (first on ties)."""
        pairs = [(namespace, k, v) for k, v in selector.items()]
        return min(pairs, key=lambda pair: len(self._labelled.get(pair, ())))

    def selected(self, namespace: str, selector: Mapping[str, str]) -> list[Workload]:
        """The workloads of ``namespace`` that ``selector`` selects, in catalogue order."""
        if not selector:
            return list(self.workloads_in.get(namespace, ()))
        rarest = self._labelled.get(self._anchor(namespace, selector), [])
        return [w for _, w in rarest if selects(selector, w.pod_labels)]

    def selecting(self, namespace: str, workloads: Iterable[Workload]) -> list[Service]:
        """The Services of ``namespace`` with a selector selecting any of ``workloads``, in
        catalogue order."""
        found: dict[int, Service] = {}
        for workload in workloads:
            for key, value in workload.pod_labels.items():
                for position, service in self._anchored.get((namespace, key, value), ()):
                    if position not in found and selects(service.selector, workload.pod_labels):
                        found[position] = service
        return [found[position] for position in sorted(found)]
