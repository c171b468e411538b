"""Every child of every component, on every mesh kind, uses the mesh's provider and waits for
the mesh's ``depends_on``: walked over every resource the program registers under the mocks."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s
import pytest
from mesh_estates import (
    CATALOGUE,
    COMPONENTS,
    FLAVOURS,
    LEGACY,
    Estate,
    Flavour,
    build_estate,
    crd,
)

import pulumi_smi as smi
from pulumi_smi.testing import RecordedResource, Recording, run_program

PROVIDER_PREFIX = "pulumi:providers:"


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    path = tmp_path / "legacy.yaml"
    path.write_text(LEGACY)
    return path


def record(flavour: Flavour, legacy: Path, preview: bool) -> tuple[Recording, Estate]:
    made: list[Estate] = []
    recording = run_program(lambda: made.append(build_estate(flavour, legacy)), preview=preview)
    return recording, made[0]


def component_of(recording: Recording, resource: RecordedResource) -> RecordedResource | None:
    """The nearest ``smi:index:*`` ancestor of ``resource``, if it has one."""
    by_urn = {r.urn: r for r in recording.resources}
    parent = by_urn.get(resource.parent or "")
    while parent is not None and not parent.type.startswith("smi:index:"):
        parent = by_urn.get(parent.parent or "")
    return parent


def children(recording: Recording) -> list[RecordedResource]:
    """Every custom resource below an SMI component (the Mesh included)."""
    return [r for r in recording.custom_resources() if component_of(recording, r) is not None]


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
@pytest.mark.parametrize("flavour", FLAVOURS, ids=[f.id for f in FLAVOURS])
def test_no_child_falls_to_the_default_provider(
    flavour: Flavour, legacy: Path, preview: bool
) -> None:
    recording, estate = record(flavour, legacy, preview)
    found = children(recording)
    # Every custom resource of the program but the provider and the prerequisite is a child.
    others = {r.name for r in recording.custom_resources()} - {r.name for r in found}
    assert others == {estate.prerequisite.pulumi_resource_name}
    for child in found:
        assert child.provider is not None, f"{child.name} ({child.type}) uses the default provider"
        assert child.provider_name == flavour.provider_name, child.name
        assert child.type.split(":")[0] == flavour.package, child.type
    # The walk covers every component: each one that has children has them all checked.
    owners = {component_of(recording, c).type for c in found}  # type: ignore[union-attr]
    registered = {r.type for r in recording.resources if r.type.startswith("smi:index:")}
    assert registered == {f"smi:index:{c}" for c in COMPONENTS}
    assert {"smi:index:TrafficSplit", "smi:index:Manifests"} <= owners
    assert ("smi:index:Mesh" in owners) == bool(estate.mesh.shared_resources)
    planned = {r.name for c in estate.components.values() for p in c.plans.values() for r in p}
    assert planned | set(estate.mesh.shared_resources) == {c.name for c in found}


@pytest.mark.parametrize("flavour", FLAVOURS, ids=[f.id for f in FLAVOURS])
def test_every_child_waits_for_the_mesh_depends_on(flavour: Flavour, legacy: Path) -> None:
    recording, estate = record(flavour, legacy, preview=True)
    prerequisite = recording.by_name(estate.prerequisite.pulumi_resource_name)
    found = children(recording)
    assert found
    for child in found:
        assert prerequisite.urn in child.dependencies, f"{child.name} does not wait for it"
    mesh = recording.by_name(flavour.id)
    assert mesh.type == "smi:index:Mesh" and prerequisite.urn in mesh.dependencies


def test_depends_on_takes_several_resources_and_keeps_the_plan_dependencies() -> None:
    def program() -> None:
        provider = k8s.Provider("dc1-k8s", kubeconfig="x")
        opts = pulumi.ResourceOptions(provider=provider)
        crds = crd("consul-crds", "consul.hashicorp.com", "ServiceSplitter", opts)
        release = k8s.helm.v3.Release("consul", chart="consul", opts=opts)
        mesh = smi.Mesh(
            "dc1",
            "consul",
            provider=provider,
            catalogue=smi.load_text(CATALOGUE).catalogue,
            depends_on=[crds, release],
            opts=pulumi.ResourceOptions(protect=False),
        )
        smi.TrafficSplit(
            "web",
            namespace="shop",
            service="web",
            meshes=mesh,
            backends=[smi.Backend("web-v1", 1), smi.Backend("web-v2", 1)],
        )

    recording = run_program(program)
    wanted = {recording.by_name("consul-crds").urn, recording.by_name("consul").urn}
    (splitter,) = recording.by_type("kubernetes:consul.hashicorp.com/v1alpha1:ServiceSplitter")
    defaults = recording.by_type("kubernetes:consul.hashicorp.com/v1alpha1:ServiceDefaults")
    assert len(defaults) == 3 and all(d.parent_name == "dc1" for d in defaults)
    # The plan's own dependency (protocol http before the splitter) stays, beside depends_on.
    assert set(splitter.dependencies) == wanted | {d.urn for d in defaults}
    for child in defaults:
        assert set(child.dependencies) == wanted, child.name
    assert wanted <= set(recording.by_name("dc1").dependencies)


def test_a_child_without_a_mesh_provider_is_the_only_default_provider_case() -> None:
    """The control case: the walk above would see a default provider if there were one."""

    def program() -> None:
        mesh = smi.Mesh("ambient", "smi")
        smi.TCPRoute("db", meshes=mesh, ports=[5432])

    (child,) = children(run_program(program))
    assert child.provider is None and child.provider_name is None
