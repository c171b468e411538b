"""The catalogue's look-up tables answer exactly what a scan of its entries answers.

Random catalogues (few namespaces, labels and names, so that selectors overlap, collide and
miss), each look-up compared with the linear scan it replaced, order included.
"""

from __future__ import annotations

import random

import pytest

from pulumi_smi.spec.catalogue import Catalogue, Service, ServiceAccount, Workload

NAMESPACES = ("a", "b", "c")
NAMES = ("api", "web", "db", "cache", "x")
LABELS = (("app", "api"), ("app", "web"), ("tier", "back"), ("tier", "front"), ("v", "1"))


def _labels(rng: random.Random) -> dict[str, str]:
    return dict(rng.sample(LABELS, rng.randint(0, 3)))


def _catalogue(seed: int) -> Catalogue:
    rng = random.Random(seed)
    services = tuple(
        Service(name=rng.choice(NAMES), namespace=rng.choice(NAMESPACES), selector=_labels(rng))
        for _ in range(rng.randint(0, 12))
    )
    accounts = tuple(
        ServiceAccount(name=rng.choice(NAMES), namespace=rng.choice(NAMESPACES))
        for _ in range(rng.randint(0, 4))
    )
    workloads = tuple(
        Workload(
            kind=rng.choice(("Deployment", "StatefulSet")),
            name=rng.choice(NAMES),
            namespace=rng.choice(NAMESPACES),
            pod_labels=_labels(rng),
            service_account_name=rng.choice(NAMES),
        )
        for _ in range(rng.randint(0, 12))
    )
    return Catalogue(services=services, service_accounts=accounts, workloads=workloads)


def _selects(selector: dict[str, str], workload: Workload) -> bool:
    return all(workload.pod_labels.get(k) == v for k, v in selector.items())


@pytest.mark.parametrize("seed", range(200))
def test_look_ups_agree_with_scans(seed: int) -> None:
    catalogue = _catalogue(seed)
    rng = random.Random(-seed)
    for namespace in (*NAMESPACES, "none"):
        assert catalogue.services_in(namespace) == [
            s for s in catalogue.services if s.namespace == namespace
        ]
        assert catalogue.workloads_in(namespace) == [
            w for w in catalogue.workloads if w.namespace == namespace
        ]
        for name in NAMES:
            assert catalogue.service(namespace, name) == next(
                (s for s in catalogue.services if (s.namespace, s.name) == (namespace, name)),
                None,
            )
            mine = [
                w
                for w in catalogue.workloads
                if w.namespace == namespace and w.service_account_name == name
            ]
            assert catalogue.workloads_of(namespace, name) == mine
            assert catalogue.has_service_account(namespace, name) == (
                any((a.namespace, a.name) == (namespace, name) for a in catalogue.service_accounts)
                or bool(mine)
            )
        for _ in range(5):
            selector = _labels(rng)
            assert catalogue.selected_workloads(namespace, selector) == [
                w for w in catalogue.workloads if w.namespace == namespace and _selects(selector, w)
            ]
            chosen = rng.sample(catalogue.workloads, min(len(catalogue.workloads), 3))
            assert catalogue.services_selecting(namespace, chosen) == [
                s
                for s in catalogue.services
                if s.namespace == namespace
                and s.selector
                and any(_selects(s.selector, w) for w in chosen)
            ]
    for name in NAMES:
        assert catalogue.services_named(name) == [s for s in catalogue.services if s.name == name]


@pytest.mark.parametrize("seed", range(50))
def test_merged_is_unchanged_by_the_shortcut(seed: int) -> None:
    """Merging an empty catalogue gives what the full merge gives (sorted, unique)."""
    catalogue = _catalogue(seed)
    full = catalogue.merged(Catalogue(services=(Service(name="zz", namespace="zz"),)))
    expected = Catalogue(
        services=tuple(s for s in full.services if s.name != "zz"),
        service_accounts=full.service_accounts,
        workloads=full.workloads,
    )
    assert catalogue.merged(Catalogue()) == expected
    assert Catalogue().merged(catalogue) == expected
    assert expected.merged(Catalogue()) is expected


def test_look_ups_survive_model_copy() -> None:
    """A copy with other entries does not answer from the tables of the original."""
    catalogue = _catalogue(3)
    assert catalogue.service("q", "web") is None
    copied = catalogue.model_copy(update={"services": (Service(name="web", namespace="q"),)})
    assert copied.service("q", "web") == Service(name="web", namespace="q")
    assert catalogue == _catalogue(3)
