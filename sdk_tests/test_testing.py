"""Tests of the recording harness itself, with plain pulumi_kubernetes resources."""

from __future__ import annotations

import asyncio
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from pulumi_smi.testing import (
    RecordedResource,
    Recording,
    RecordingMocks,
    run_program,
    unwrap_secrets,
)

MODES = pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SPLIT_TYPE = "kubernetes:split.smi-spec.io/v1alpha4:TrafficSplit"


class BoomError(Exception):
    pass


def split(name: str, opts: pulumi.ResourceOptions | None = None, **spec: Any) -> Any:
    return k8s.apiextensions.CustomResource(
        name,
        api_version="split.smi-spec.io/v1alpha4",
        kind="TrafficSplit",
        metadata={"name": name, "namespace": "mesh"},
        spec=spec or {"service": "web", "backends": [{"service": "web-v1", "weight": 90}]},
        opts=opts,
    )


class Thing(pulumi.ComponentResource):
    """A component with two CustomResource children."""

    def __init__(
        self, name: str, opts: pulumi.ResourceOptions | None = None, fail: bool = False
    ) -> None:
        super().__init__("test:index:Thing", name, None, opts)
        self.a = split(f"{name}-a", pulumi.ResourceOptions(parent=self))
        if fail:
            raise BoomError("bad spec")
        self.b = split(f"{name}-b", pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


def east() -> k8s.Provider:
    return k8s.Provider("east", kubeconfig="x")


@MODES
@pytest.mark.parametrize("option", ["providers", "provider"])
def test_component_children_inherit_parent_and_provider(preview: bool, option: str) -> None:
    def program() -> None:
        prov = east()
        opts = (
            pulumi.ResourceOptions(providers=[prov])
            if option == "providers"
            else pulumi.ResourceOptions(provider=prov)
        )
        Thing("web", opts)
        Thing("plain")

    rec = run_program(program, preview=preview)

    thing = rec.by_name("web")
    assert (thing.type, thing.custom, thing.parent, thing.parent_name) == (
        "test:index:Thing",
        False,
        None,
        None,
    )
    children = rec.children_of("web")
    assert [c.name for c in children] == ["web-a", "web-b"]
    for child in children:
        assert child.parent == thing.urn
        assert child.provider_name == "east"
        expected_id = UNKNOWN if preview else "east-id"
        assert child.provider == f"{rec.by_name('east').urn}::{expected_id}"
    for child in rec.children_of("plain"):
        assert (child.provider, child.provider_name, child.parent_name) == (None, None, "plain")


@MODES
def test_provider_directly_on_child_and_default_provider(preview: bool) -> None:
    def program() -> None:
        split("explicit", pulumi.ResourceOptions(provider=east()))
        split("ambient")

    rec = run_program(program, preview=preview)
    provider = rec.by_name("east")
    assert provider.type == "pulumi:providers:kubernetes"
    assert provider.custom is True
    assert provider.inputs == {"kubeconfig": "x"}
    assert rec.by_name("explicit").provider_name == "east"
    ambient = rec.by_name("ambient")
    assert (ambient.provider, ambient.provider_name, ambient.parent) == (None, None, None)
    assert [r.name for r in rec.custom_resources()] == ["ambient", "explicit"]


@MODES
def test_custom_resource_type_and_exact_inputs(preview: bool) -> None:
    rec = run_program(lambda: split("ts"), preview=preview)

    (ts,) = rec.by_type(SPLIT_TYPE)
    assert ts.custom is True
    assert ts.inputs == {
        "apiVersion": "split.smi-spec.io/v1alpha4",
        "kind": "TrafficSplit",
        "metadata": {"name": "ts", "namespace": "mesh"},
        "spec": {"service": "web", "backends": [{"service": "web-v1", "weight": 90}]},
    }
    weight = ts.inputs["spec"]["backends"][0]["weight"]
    assert type(weight) is int


def test_non_integral_numbers_stay_float() -> None:
    rec = run_program(lambda: split("ts", ratio=0.5, count=3.0))
    assert rec.by_name("ts").inputs["spec"] == {"ratio": 0.5, "count": 3}


@MODES
def test_depends_on_delete_before_replace_recorded(preview: bool) -> None:
    def program() -> None:
        first = split("first")
        thing = Thing("thing")
        split(
            "second",
            pulumi.ResourceOptions(depends_on=[first, thing], delete_before_replace=True),
        )

    rec = run_program(program, preview=preview)
    second = rec.by_name("second")
    assert second.delete_before_replace is True
    assert rec.by_name("first").delete_before_replace is False
    # The SDK expands a component in depends_on into its children.
    assert set(second.dependencies) == {
        rec.by_name("first").urn,
        rec.by_name("thing-a").urn,
        rec.by_name("thing-b").urn,
    }


@MODES
def test_secret_inputs_are_unwrapped(preview: bool) -> None:
    rec = run_program(
        lambda: split("ts", token=pulumi.Output.secret("s3cr3t"), nested=[pulumi.Output.secret(1)]),
        preview=preview,
    )
    assert rec.by_name("ts").inputs["spec"] == {"token": "s3cr3t", "nested": [1]}


def test_unwrap_secrets() -> None:
    sig = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
    wrapped = {"a": [{**sig, "value": {"b": {**sig, "value": "x"}}}], "c": 1}
    assert unwrap_secrets(wrapped) == {"a": [{"b": "x"}], "c": 1}
    other = {"4dabf18193072939515e22adb298388d": "something-else", "value": 1}
    assert unwrap_secrets(other) == other


@MODES
def test_exception_in_component_init_propagates(preview: bool) -> None:
    with pytest.raises(BoomError, match="bad spec"):
        run_program(lambda: Thing("t", fail=True), preview=preview)
    # The next run starts clean: nothing from the failed run leaks in.
    rec = run_program(lambda: split("after"), preview=preview)
    assert [r.name for r in rec.resources] == ["after"]


@MODES
def test_exception_inside_apply_propagates(preview: bool) -> None:
    def explode(_: object) -> str:
        raise BoomError("in apply")

    def program() -> None:
        split("ts", service=pulumi.Output.from_input("web").apply(explode))

    with pytest.raises(BoomError, match="in apply"):
        run_program(program, preview=preview)


def test_consecutive_runs_do_not_leak() -> None:
    first = run_program(lambda: Thing("one"))
    second = run_program(lambda: split("two"), preview=True)
    third = run_program(lambda: split("three"))
    assert [r.name for r in first.resources] == ["one", "one-a", "one-b"]
    assert [r.name for r in second.resources] == ["two"]
    assert [r.name for r in third.resources] == ["three"]


def test_project_and_stack_go_into_urns() -> None:
    rec = run_program(lambda: split("ts"), project="proj", stack="dev")
    assert rec.by_name("ts").urn.startswith("urn:pulumi:dev::proj::")


@MODES
def test_ids_are_unknown_only_in_preview(preview: bool) -> None:
    seen: list[object] = []

    def program() -> None:
        first = split("first")
        first.id.apply(seen.append)
        split("second", ref=first.id)

    rec = run_program(program, preview=preview)
    assert seen == ([] if preview else ["first-id"])
    assert rec.by_name("second").inputs["spec"] == {"ref": None if preview else "first-id"}


@MODES
def test_aliases_resolve_to_the_old_urn(preview: bool) -> None:
    old = run_program(lambda: split("old-name"), preview=preview)
    old_root = run_program(lambda: split("moved"), preview=preview)

    class Holder(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("test:index:Holder", name)
            split(
                "moved",
                pulumi.ResourceOptions(
                    parent=self, aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)]
                ),
            )

    def program() -> None:
        split("new-name", pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old-name")]))
        Holder("holder")

    rec = run_program(program, preview=preview)
    assert rec.by_name("new-name").aliases == (old.by_name("old-name").urn,)
    assert rec.by_name("moved").aliases == (old_root.by_name("moved").urn,)
    assert rec.by_name("moved").parent_name == "holder"


def test_recording_lookups() -> None:
    def program() -> None:
        Thing("web", pulumi.ResourceOptions(providers=[east()]))
        k8s.core.v1.Namespace("web-a")  # same name as a TrafficSplit child, other type

    rec = run_program(program)
    assert isinstance(rec, Recording)
    assert [r.name for r in rec.by_type(SPLIT_TYPE)] == ["web-a", "web-b"]
    # Tree order: the root Namespace sorts before the Thing, whose children follow it.
    assert [(r.type, r.name) for r in rec.resources] == [
        ("kubernetes:core/v1:Namespace", "web-a"),
        ("pulumi:providers:kubernetes", "east"),
        ("test:index:Thing", "web"),
        (SPLIT_TYPE, "web-a"),
        (SPLIT_TYPE, "web-b"),
    ]
    assert [r.name for r in rec.custom_resources()] == ["web-a", "web-a", "web-b"]
    assert rec.children_of("nothing") == []
    assert rec.by_name("web-b").name == "web-b"
    with pytest.raises(KeyError, match=r"known names: \['east', 'web', 'web-a', 'web-b'\]"):
        rec.by_name("missing")
    with pytest.raises(ValueError, match="2 resources are named 'web-a'"):
        rec.by_name("web-a")


def test_recorded_resource_name_helpers() -> None:
    res = RecordedResource(
        urn="urn:pulumi:s::p::test:index:Thing$kubernetes:core/v1:Namespace::ns",
        type="kubernetes:core/v1:Namespace",
        name="ns",
        inputs={},
        custom=True,
        parent="urn:pulumi:s::p::pulumi:pulumi:Stack$test:index:Thing::web",
        provider=f"urn:pulumi:s::p::pulumi:pulumi:Stack$pulumi:providers:kubernetes::east::{UNKNOWN}",
        providers={},
        dependencies=(),
        delete_before_replace=False,
        aliases=(),
    )
    assert (res.parent_name, res.provider_name) == ("web", "east")


def test_mocks_echo_inputs_and_call_args() -> None:
    update, preview = RecordingMocks(), RecordingMocks(preview=True)
    args = pulumi.runtime.MockResourceArgs("t:i:T", "n", {"a": 1})
    assert update.new_resource(args) == ("n-id", {"a": 1})
    assert preview.new_resource(args) == (None, {"a": 1})
    call = pulumi.runtime.MockCallArgs("t:i:f", {"x": 1}, "")
    assert update.call(call) == ({"x": 1}, [])


@MODES
def test_invokes_echo_their_arguments(preview: bool) -> None:
    results: list[object] = []

    def program() -> None:
        results.append(pulumi.runtime.invoke("test:index:echo", {"x": 1}).value)

    run_program(program, preview=preview)
    assert results == [{"x": 1}]


def test_event_loop_is_restored_and_nested_use_is_refused() -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        run_program(lambda: split("ts"))
        assert asyncio.get_event_loop() is loop
        assert not loop.is_closed()

        async def nested() -> None:
            run_program(lambda: None)

        with pytest.raises(RuntimeError, match="running event loop"):
            loop.run_until_complete(nested())
    finally:
        asyncio.set_event_loop(None)
        loop.close()
