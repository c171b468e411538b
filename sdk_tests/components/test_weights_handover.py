"""``TrafficSplit(weights_handover=...)``: Pulumi leaves the weights to Flagger / Argo Rollouts.

The engine applies ``ignore_changes`` by resetting each path of the new inputs to the old
inputs' value (``PropertyPath.Reset`` in pulumi/pulumi ``sdk/go/common/resource``);
:func:`reset` below does the same to recorded inputs. A change of weights alone must then
leave every child exactly as it was registered before: Pulumi never writes weights back.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from mesh_estates import CATALOGUE, FLAVOURS, Flavour, _provider

import pulumi_smi as smi
from pulumi_smi.components.paths import PathPart, parse_path
from pulumi_smi.testing import RecordedResource, Recording, run_program

ANNOTATION = "pulumi.com/patchFieldManager"
AWS_OR_CONSUL = {"appmesh", "vpc-lattice", "consul-config-entry"}


def _reset(parts: list[PathPart], old: Any, new: Any) -> bool:
    """The engine's reset of one path in ``new`` from ``old``; False: a path error."""
    key, rest = parts[0], parts[1:]
    if isinstance(key, int):
        if not isinstance(old, list) or not isinstance(new, list):
            return not isinstance(old, list) and not isinstance(new, list)
        if key >= len(old) or key >= len(new):
            return key >= len(old) and key >= len(new)
        if not rest:
            new[key] = copy.deepcopy(old[key])
            return True
        return _reset(rest, old[key], new[key])
    if key == "*":
        if isinstance(old, list) and isinstance(new, list):
            if len(old) != len(new):
                return False
            pairs = list(zip(old, new, strict=True))
        elif isinstance(old, dict) and isinstance(new, dict):
            if set(old) - set(new):
                return False
            pairs = [(old[k], new[k]) for k in old]
        else:
            return False
        if not rest:
            if isinstance(new, list):
                new[:] = copy.deepcopy(old)
            else:
                new.clear()
                new.update(copy.deepcopy(old))
            return True
        return all(_reset(rest, o, n) for o, n in pairs)
    if not rest:
        if isinstance(old, dict) and key in old:
            if not isinstance(new, dict):
                return False
            new[key] = copy.deepcopy(old[key])
        elif isinstance(new, dict):
            new.pop(key, None)
        return True
    if not isinstance(old, dict) or not isinstance(new, dict):
        return not isinstance(old, dict) and not isinstance(new, dict)
    if key in old and key not in new:
        return False
    if key not in old and key not in new:
        return True
    return _reset(rest, old[key], new[key])


def reset(old: dict[str, Any], new: dict[str, Any], paths: tuple[str, ...]) -> dict[str, Any]:
    """``new`` with every ignored path reset from ``old``, as the engine does on an update."""
    result = copy.deepcopy(new)
    for path in paths:
        assert _reset(parse_path(path), old, result), f"the engine would refuse {path!r}"
    return result


def split_program(
    flavour: Flavour,
    weights: tuple[int, int] = (90, 10),
    header: str = "true",
    second: str = "web-v2",
    handover: smi.WeightHandover | None = smi.WeightHandover(),  # noqa: B008
    options: smi.ChildOptions | None = None,
) -> None:
    provider, _ = _provider(flavour)
    mesh = smi.Mesh(
        flavour.id,
        flavour.kind,
        provider=provider,
        options=flavour.options,
        catalogue=smi.load_text(CATALOGUE).catalogue,
    )
    beta = smi.HTTPRouteGroup(
        "beta",
        namespace="shop",
        meshes=mesh,
        matches=[smi.HTTPMatch("beta", headers={"x-beta": header})],
    )
    smi.TrafficSplit(
        "web",
        namespace="shop",
        service="web",
        meshes=mesh,
        matches=[beta],
        backends=[smi.Backend("web-v1", weights[0]), smi.Backend(second, weights[1])],
        weights_handover=handover,
        child_options=options,
    )


def children(recording: Recording) -> dict[str, RecordedResource]:
    return {r.name: r for r in recording.children_of("web")}


def both(flavour: Flavour, **change: Any) -> tuple[dict[str, RecordedResource], ...]:
    """The split's children before (90/10, header 'true', web-v2) and after ``change``."""
    before = children(run_program(lambda: split_program(flavour)))
    after = children(run_program(lambda: split_program(flavour, **change)))
    assert set(before) == set(after)
    return before, after


@pytest.mark.parametrize("scope", ["weights", "lists"])
@pytest.mark.parametrize("flavour", FLAVOURS, ids=[f.id for f in FLAVOURS])
def test_a_change_of_weights_alone_is_ignored_on_every_child(flavour: Flavour, scope: str) -> None:
    handover = smi.WeightHandover(scope=scope)  # type: ignore[arg-type]
    before = children(run_program(lambda: split_program(flavour, handover=handover)))
    after = children(
        run_program(lambda: split_program(flavour, weights=(60, 40), handover=handover))
    )
    changed = [name for name in after if after[name].inputs != before[name].inputs]
    assert changed, "the weights did not change anything: the test would prove nothing"
    for name, child in after.items():
        assert reset(before[name].inputs, child.inputs, child.ignore_changes) == (
            before[name].inputs
        ), f"{name}: a weight change would be written"


@pytest.mark.parametrize("flavour", FLAVOURS, ids=[f.id for f in FLAVOURS])
def test_without_a_handover_the_weights_are_written(flavour: Flavour) -> None:
    before = children(run_program(lambda: split_program(flavour, handover=None)))
    after = children(run_program(lambda: split_program(flavour, (60, 40), handover=None)))
    assert all(child.ignore_changes == () for child in after.values())
    assert any(after[n].inputs != before[n].inputs for n in after)


FIELDWISE = [f for f in FLAVOURS if f.id != "consul-config-entry"]
"""Targets whose weights are properties of their own (not inside one JSON string)."""


@pytest.mark.parametrize("flavour", FIELDWISE, ids=[f.id for f in FIELDWISE])
def test_the_weights_scope_still_applies_other_changes(flavour: Flavour) -> None:
    before, after = both(flavour, second="web-v3")
    changed = {
        name
        for name, child in after.items()
        if reset(before[name].inputs, child.inputs, child.ignore_changes) != before[name].inputs
    }
    assert changed, "a new backend Service must still reach the cluster"


def test_a_consul_config_entry_splitter_is_handed_over_whole() -> None:
    """Its splits are inside ``configJson``, one string: the engine can only ignore all of it."""
    consul = next(f for f in FLAVOURS if f.id == "consul-config-entry")
    before, after = both(consul, second="web-v3")
    splitter = after["web-consul-config-entry-servicesplitter-web-web"]
    assert splitter.ignore_changes == ("configJson",)
    assert splitter.inputs != before[splitter.name].inputs
    assert reset(before[splitter.name].inputs, splitter.inputs, ("configJson",)) == (
        before[splitter.name].inputs
    )


def test_the_lists_scope_hands_over_the_whole_route_list_on_kubernetes() -> None:
    istio = next(f for f in FLAVOURS if f.id == "istio")
    lists = smi.WeightHandover(scope="lists")
    before = children(run_program(lambda: split_program(istio, handover=lists)))
    after = children(run_program(lambda: split_program(istio, header="yes", handover=lists)))
    (vs,) = after.values()
    assert vs.ignore_changes == ("spec.http",)
    assert vs.inputs["spec"]["http"] != before[vs.name].inputs["spec"]["http"]
    assert reset(before[vs.name].inputs, vs.inputs, vs.ignore_changes) == before[vs.name].inputs


EXPECTED = {
    "smi": {"web-smi-trafficsplit": ["spec.backends[0].weight", "spec.backends[1].weight"]},
    "istio": {
        "web-istio-virtualservice": [
            "spec.http[0].route[0].weight",
            "spec.http[0].route[1].weight",
            "spec.http[1].route[0].weight",  # the other requests' route, to the apex
        ]
    },
    "linkerd": {
        "web-linkerd-httproute-80": [
            "spec.rules[0].backendRefs[0].weight",
            "spec.rules[0].backendRefs[1].weight",
            "spec.rules[1].backendRefs[0].weight",
        ]
    },
    "consul-crd": {
        "web-consul-crd-servicerouter": [],
        "web-consul-crd-servicesplitter-web-web": [
            "spec.splits[0].weight",
            "spec.splits[1].weight",
        ],
    },
    "consul-config-entry": {
        "web-consul-config-entry-servicerouter": [],
        "web-consul-config-entry-servicesplitter-web-web": ["configJson"],  # a JSON string
    },
    "gateway-api": {
        "web-gateway-api-httproute-80": [
            "spec.rules[0].backendRefs[0].weight",
            "spec.rules[0].backendRefs[1].weight",
            "spec.rules[1].backendRefs[0].weight",
        ]
    },
    "appmesh": {
        "web-appmesh-route-web-1": [
            "spec.httpRoute.action.weightedTargets[0].weight",
            "spec.httpRoute.action.weightedTargets[1].weight",
        ],
        "web-appmesh-route-web-apex": ["spec.httpRoute.action.weightedTargets[0].weight"],
        "web-appmesh-virtualrouter": [],
    },
    "vpc-lattice": {
        "web-vpc-lattice-lattice-listener-80": ["defaultAction.forwards[0].targetGroups[0].weight"],
        "web-vpc-lattice-lattice-rule-80-1": [
            "action.forward.targetGroups[0].weight",
            "action.forward.targetGroups[1].weight",
        ],
        "web-vpc-lattice-lattice-service": [],
        "web-vpc-lattice-lattice-association": [],
    },
}


@pytest.mark.parametrize("flavour", FLAVOURS, ids=[f.id for f in FLAVOURS])
def test_the_paths_are_those_the_plan_puts_weights_in(flavour: Flavour) -> None:
    found = children(run_program(lambda: split_program(flavour), preview=True))
    assert {name: list(c.ignore_changes) for name, c in found.items()} == EXPECTED[flavour.id]


@pytest.mark.parametrize("flavour", FLAVOURS, ids=[f.id for f in FLAVOURS])
def test_kubernetes_children_with_weights_name_pulumis_field_manager(flavour: Flavour) -> None:
    recording = run_program(lambda: split_program(flavour))
    for child in children(recording).values():
        annotations = (child.inputs.get("metadata") or {}).get("annotations") or {}
        wanted = flavour.id not in AWS_OR_CONSUL and bool(child.ignore_changes)
        assert (annotations.get(ANNOTATION) == "pulumi-smi") is wanted, child.name
        assert (ANNOTATION in annotations) is wanted, child.name


def test_the_registered_plan_carries_the_annotation_and_none_is_possible() -> None:
    istio = next(f for f in FLAVOURS if f.id == "istio")

    def annotations(handover: smi.WeightHandover) -> dict[str, str]:
        (vs,) = children(run_program(lambda: split_program(istio, handover=handover))).values()
        return dict(vs.inputs["metadata"].get("annotations") or {})

    assert annotations(smi.WeightHandover(field_manager="argo-handover")) == {
        ANNOTATION: "argo-handover"
    }
    assert ANNOTATION not in annotations(smi.WeightHandover(field_manager=None))


def test_component_plans_are_what_was_registered_with_a_handover() -> None:
    made: list[smi.TrafficSplit] = []

    def program() -> None:
        mesh = smi.Mesh("dc1", "smi")
        made.append(
            smi.TrafficSplit(
                "web",
                service="web",
                meshes=mesh,
                backends=[smi.Backend("web-v1", 1)],
                weights_handover=smi.WeightHandover(),
            )
        )

    recording = run_program(program)
    (resource,) = made[0].plans["dc1"]
    assert recording.by_name(resource.name).inputs == resource.properties
    assert resource.properties["metadata"]["annotations"] == {ANNOTATION: "pulumi-smi"}


def test_handover_paths_merge_with_the_users_ignore_changes() -> None:
    istio = next(f for f in FLAVOURS if f.id == "istio")
    options = smi.ChildOptions(ignore_changes=["metadata.labels", "spec.http[0].route[0].weight"])
    (vs,) = children(run_program(lambda: split_program(istio, options=options))).values()
    assert vs.ignore_changes == (
        "metadata.labels",
        "spec.http[0].route[0].weight",
        "spec.http[0].route[1].weight",
        "spec.http[1].route[0].weight",
    )


@pytest.mark.parametrize(
    ("handover", "message"),
    [
        (
            smi.WeightHandover(scope="all"),  # type: ignore[arg-type]
            "weights_handover.scope: expected one of 'weights', 'lists', got str 'all'",
        ),
        (
            smi.WeightHandover(field_manager="pulumi smi"),
            "weights_handover.field_manager: 'pulumi smi' is not a field manager name",
        ),
        (
            smi.WeightHandover(field_manager=5),  # type: ignore[arg-type]
            "weights_handover.field_manager: expected str or None, got int 5",
        ),
        (
            smi.WeightHandover(field_manager="x" * 129),
            "weights_handover.field_manager: 'xxxxxxxx",
        ),
    ],
)
def test_a_bad_handover_is_refused_before_anything_is_registered(
    handover: smi.WeightHandover, message: str
) -> None:
    errors: list[smi.SmiError] = []

    def program() -> None:
        mesh = smi.Mesh("dc1", "smi")
        try:
            smi.TrafficSplit(
                "bad",
                service="web",
                meshes=mesh,
                backends=[smi.Backend("web-v1", 1)],
                weights_handover=handover,
            )
        except smi.SmiError as exc:
            errors.append(exc)

    recording = run_program(program)
    (error,) = errors
    assert str(error).startswith(f"smi:index:TrafficSplit bad: {message}"), str(error)
    assert {r.name for r in recording.resources} == {"dc1"}
