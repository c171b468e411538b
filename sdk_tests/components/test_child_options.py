"""``child_options`` on a Mesh and on the components: merged per child, recorded as sent.

Pulumi's mocks do not run ``transforms`` (checked below, in the installed SDK): where a test
shows a transform's effect it runs them itself with :func:`pulumi_smi.testing.apply_transforms`,
as the engine would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s
import pytest
from mesh_estates import CATALOGUE, FLAVOURS, LEGACY, build_estate

import pulumi_smi as smi
from pulumi_smi.testing import RecordedResource, Recording, apply_transforms, run_program

Timeouts = pulumi.CustomTimeouts


def label(key: str, value: str) -> pulumi.ResourceTransform:
    """A transform setting label ``key`` on a Kubernetes object (a pulumi-smi user's kind)."""

    def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
        props: dict[str, Any] = dict(cast(Mapping[str, Any], args.props))
        metadata = dict(props["metadata"])
        metadata["labels"] = {**(metadata.get("labels") or {}), key: value}
        props["metadata"] = metadata
        return pulumi.ResourceTransformResult(props, args.opts)

    return transform


def retain(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
    """A transform setting an option: retain_on_delete."""
    return pulumi.ResourceTransformResult(
        args.props,
        pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(retain_on_delete=True)),
    )


# --- the merge rule, on the plain class ---------------------------------------------------------


def test_component_options_win_and_lists_are_merged() -> None:
    first, second = label("a", "1"), label("b", "2")
    mesh = smi.ChildOptions(
        ignore_changes=["metadata.labels", "spec.http"],
        protect=True,
        retain_on_delete=True,
        custom_timeouts=Timeouts(create="2m", delete="1m"),
        transforms=[first],
    )
    component = smi.ChildOptions(
        ignore_changes=["spec.http", "spec.tcp"],
        protect=False,
        custom_timeouts=Timeouts(create="5m", update="3m"),
        transforms=[second],
    )
    merged = mesh.merged(component)
    assert merged.ignore_changes == ("metadata.labels", "spec.http", "spec.tcp")
    assert merged.protect is False  # the component's, although False
    assert merged.retain_on_delete is True  # the component leaves it None: the mesh's
    timeouts = merged.custom_timeouts
    assert timeouts is not None
    assert (timeouts.create, timeouts.update, timeouts.delete) == ("5m", "3m", "1m")
    assert list(merged.transforms) == [first, second]
    assert mesh.merged(None) is mesh
    assert smi.ChildOptions().merged(component) == smi.ChildOptions(
        ignore_changes=("spec.http", "spec.tcp"),
        protect=False,
        custom_timeouts=component.custom_timeouts,
        transforms=(second,),
    )


# --- under the harness ---------------------------------------------------------------------------

MESH_OPTIONS = smi.ChildOptions(
    ignore_changes=["metadata.labels"],
    retain_on_delete=True,
    custom_timeouts=Timeouts(create="2m", delete="1m"),
    transforms=[label("owner", "platform")],
)
SPLIT_OPTIONS = smi.ChildOptions(
    ignore_changes=["metadata.annotations"],
    protect=True,
    custom_timeouts=Timeouts(create="5m"),
    transforms=[label("owner", "payments")],
)


def istio_program(made: dict[str, Any]) -> None:
    mesh = smi.Mesh(
        "dc1",
        "istio",
        provider=k8s.Provider("dc1-k8s", kubeconfig="x"),
        catalogue=smi.load_text(CATALOGUE).catalogue,
        child_options=MESH_OPTIONS,
    )
    made["split"] = smi.TrafficSplit(
        "web",
        namespace="shop",
        service="web",
        meshes=mesh,
        backends=[smi.Backend("web-v1", 3), smi.Backend("web-v2", 1)],
        child_options=SPLIT_OPTIONS,
    )
    made["target"] = smi.TrafficTarget(
        "reads",
        namespace="shop",
        meshes=mesh,
        destination=smi.ServiceAccount("api"),
        sources=[smi.ServiceAccount("web")],
        rules=[smi.TCPRoute("all", namespace="shop", meshes=mesh).rule()],
    )


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_every_child_gets_the_merged_options(preview: bool) -> None:
    made: dict[str, Any] = {}
    recording = run_program(lambda: istio_program(made), preview=preview)
    (vs,) = recording.children_of("web")
    assert vs.ignore_changes == ("metadata.labels", "metadata.annotations")
    assert (vs.protect, vs.retain_on_delete) == (True, True)
    assert vs.custom_timeouts == {"create": "5m", "delete": "1m"}
    assert len(vs.transforms) == 2
    # A component without child_options: the mesh's alone; so for the mesh's shared children.
    mesh_only = recording.children_of("reads") + recording.children_of("dc1")
    assert {r.inputs["kind"] for r in mesh_only} == {"AuthorizationPolicy", "PeerAuthentication"}
    for child in mesh_only:
        assert child.ignore_changes == ("metadata.labels",), child.name
        assert (child.protect, child.retain_on_delete) == (None, True), child.name
        assert child.custom_timeouts == {"create": "2m", "delete": "1m"}, child.name
        assert len(child.transforms) == 1, child.name


def test_without_child_options_children_get_pulumi_defaults() -> None:
    recording = run_program(lambda: smi.TCPRoute("db", meshes=smi.Mesh("dc1", "smi"), ports=[1]))
    (child,) = recording.children_of("db")
    assert (child.ignore_changes, child.protect, child.retain_on_delete) == ((), None, None)
    assert (child.custom_timeouts, child.transforms) == ({}, ())


def test_the_mocks_do_not_run_transforms_so_the_harness_does() -> None:
    """Measured in the installed SDK: MockMonitor passes transforms to new_resource unrun."""
    calls: list[str] = []

    def spy(args: pulumi.ResourceTransformArgs) -> None:
        calls.append(args.name)

    def program() -> None:
        mesh = smi.Mesh("dc1", "smi", child_options=smi.ChildOptions(transforms=[spy]))
        smi.TCPRoute("db", meshes=mesh, ports=[5432])

    (child,) = run_program(program).children_of("db")
    assert calls == []  # the engine would have called it; the mocks did not
    assert child.transforms == (spy,)
    assert apply_transforms(child) == child  # a transform returning None changes nothing
    assert calls == ["db-dc1-tcproute"]


def test_transforms_run_mesh_first_then_component_applied_by_the_harness() -> None:
    # Labelled: the harness applies the transforms here; the engine does in a real run.
    made: dict[str, Any] = {}
    recording = run_program(lambda: istio_program(made))
    (vs,) = recording.children_of("web")
    assert "owner" not in vs.inputs["metadata"].get("labels", {})  # as registered: unrun
    transformed = apply_transforms(vs)
    assert transformed.inputs["metadata"]["labels"]["owner"] == "payments"  # component's last
    assert transformed.inputs["spec"] == vs.inputs["spec"]
    (policy,) = recording.children_of("reads")
    assert apply_transforms(policy).inputs["metadata"]["labels"]["owner"] == "platform"


def test_a_transform_can_set_options_applied_by_the_harness() -> None:
    def program() -> None:
        mesh = smi.Mesh("dc1", "smi")
        smi.TCPRoute(
            "db", meshes=mesh, ports=[1], child_options=smi.ChildOptions(transforms=[retain])
        )

    (child,) = run_program(program).children_of("db")
    assert child.retain_on_delete is None
    assert apply_transforms(child).retain_on_delete is True


async def _async_label(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
    return label("async", "yes")(args)  # type: ignore[return-value]


def test_async_transforms_are_awaited_by_the_harness() -> None:
    def program() -> None:
        options = smi.ChildOptions(transforms=[_async_label])
        smi.TCPRoute("db", meshes=smi.Mesh("dc1", "smi"), ports=[1], child_options=options)

    (child,) = run_program(program).children_of("db")
    assert apply_transforms(child).inputs["metadata"]["labels"]["async"] == "yes"


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    path = tmp_path / "legacy.yaml"
    path.write_text(LEGACY)
    return path


def custom_children(recording: Recording, names: set[str]) -> list[RecordedResource]:
    return [r for r in recording.custom_resources() if r.parent_name in names]


@pytest.mark.parametrize("flavour", FLAVOURS, ids=[f.id for f in FLAVOURS])
def test_options_reach_every_child_on_every_mesh(flavour: Any, legacy: Path) -> None:
    mesh_options = smi.ChildOptions(ignore_changes=["tags"], retain_on_delete=True)
    component_options = smi.ChildOptions(protect=True)
    made: list[Any] = []

    def program() -> None:
        made.append(
            build_estate(
                flavour, legacy, mesh_options=mesh_options, component_options=component_options
            )
        )

    recording = run_program(program)
    estate = made[0]
    names = {c.pulumi_resource_name for c in estate.components.values()}
    own = custom_children(recording, names)
    shared = custom_children(recording, {flavour.id})
    assert own
    for child in own:
        assert (child.ignore_changes, child.protect, child.retain_on_delete) == (
            ("tags",),
            True,
            True,
        ), child.name
    for child in shared:
        assert (child.ignore_changes, child.protect, child.retain_on_delete) == (
            ("tags",),
            None,
            True,
        ), child.name


# --- bad values: an SmiError naming the argument, before anything is registered ------------------

BAD_OPTIONS = [
    (
        smi.ChildOptions(ignore_changes="spec"),
        "child_options.ignore_changes: expected a list of str, got str 'spec'; put it in a "
        "list: ['spec']",
    ),
    (
        smi.ChildOptions(ignore_changes=["spec..http"]),
        "child_options.ignore_changes[0]: 'spec..http' is not a property path: it has an empty "
        "name at character 6",
    ),
    (
        smi.ChildOptions(ignore_changes=["spec.http[first]"]),
        "child_options.ignore_changes[0]: 'spec.http[first]' is not a property path: it has "
        "[first]: an index is a number, * or a quoted key",
    ),
    (
        smi.ChildOptions(ignore_changes=[""]),
        "child_options.ignore_changes[0]: '' is not a property path: it is empty",
    ),
    (
        smi.ChildOptions(protect="yes"),  # type: ignore[arg-type]
        "child_options.protect: expected bool or None, got str 'yes'",
    ),
    (
        smi.ChildOptions(retain_on_delete=1),  # type: ignore[arg-type]
        "child_options.retain_on_delete: expected bool or None, got int 1",
    ),
    (
        smi.ChildOptions(custom_timeouts={"create": "5m"}),  # type: ignore[arg-type]
        "child_options.custom_timeouts: expected pulumi.CustomTimeouts or None, got dict",
    ),
    (
        smi.ChildOptions(custom_timeouts=Timeouts(delete="5 minutes")),
        "child_options.custom_timeouts.delete: '5 minutes' is not a duration such as '30s', "
        "'5m' or '1h30m'",
    ),
    (
        smi.ChildOptions(custom_timeouts=Timeouts(create=300)),  # type: ignore[arg-type]
        "child_options.custom_timeouts.create: expected a duration str such as '5m', got 300",
    ),
    (
        smi.ChildOptions(transforms=retain),  # type: ignore[arg-type]
        "child_options.transforms: expected a list of pulumi.ResourceTransform (a callable), "
        "got function; put it in a list",
    ),
    (
        smi.ChildOptions(transforms=["retain"]),  # type: ignore[list-item]
        "child_options.transforms[0]: expected pulumi.ResourceTransform (a callable), got str",
    ),
]


@pytest.mark.parametrize("component", ["Mesh", "TrafficSplit", "TCPRoute", "Manifests"])
@pytest.mark.parametrize(("options", "message"), BAD_OPTIONS, ids=[m[:40] for _, m in BAD_OPTIONS])
def test_bad_child_options_are_refused_before_anything_is_registered(
    component: str, options: smi.ChildOptions, message: str, legacy: Path
) -> None:
    errors: list[smi.SmiError] = []

    def program() -> None:
        mesh = smi.Mesh("dc1", "smi")
        makers: dict[str, Callable[[], object]] = {
            "Mesh": lambda: smi.Mesh("bad", "smi", child_options=options),
            "TrafficSplit": lambda: smi.TrafficSplit(
                "bad",
                service="web",
                meshes=mesh,
                backends=[smi.Backend("web-v1", 1)],
                child_options=options,
            ),
            "TCPRoute": lambda: smi.TCPRoute("bad", meshes=mesh, child_options=options),
            "Manifests": lambda: smi.Manifests(
                "bad", files=[str(legacy)], meshes=mesh, child_options=options
            ),
        }
        try:
            makers[component]()
        except smi.SmiError as exc:
            errors.append(exc)

    recording = run_program(program)
    (error,) = errors
    assert str(error).startswith(f"smi:index:{component} bad: {message}"), str(error)
    assert isinstance(error, smi.SmiValidationError)
    assert error.problems[0].path.startswith("child_options")
    assert {r.name for r in recording.resources} == {"dc1"}


def test_every_child_options_field_has_a_bad_case() -> None:
    import dataclasses

    paths = {m.split(": ")[0].split("[")[0].split(".")[1] for _, m in BAD_OPTIONS}
    assert paths == {f.name for f in dataclasses.fields(smi.ChildOptions)}
