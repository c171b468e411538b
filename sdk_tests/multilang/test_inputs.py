"""``pulumi_smi.multilang.inputs.Inputs``: the readers every component's args go through."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from pulumi_smi.multilang import MeshKind
from pulumi_smi.multilang.inputs import Inputs


def _read() -> Inputs:
    return Inputs("smi:index:TrafficSplit", "web")


def _problems(read: Inputs) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in read.problems]


def _name(given: Mapping[str, Any], path: str) -> str | None:
    name = given.get("name")
    return None if name is None else f"{path}={name}"


def test_each_reads_every_item_at_its_path_and_leaves_out_what_it_cannot_read() -> None:
    read = _read()
    assert read.each(["a", None, "b"], "ports", lambda item, path: item and f"{path}:{item}") == [
        "ports[0]:a",
        "ports[2]:b",
    ]
    assert read.problems == []


@pytest.mark.parametrize("required", [True, False])
def test_each_of_an_absent_list_is_empty_and_a_problem_when_required(required: bool) -> None:
    read = _read()
    assert read.each(None, "backends", lambda item, path: item, required=required) == []
    assert _problems(read) == ([("backends", "required")] if required else [])


def test_nested_reads_an_object_with_its_path() -> None:
    read = _read()
    assert read.nested({"name": "web"}, "destination", _name) == "destination=web"
    assert read.nested(None, "destination", _name) is None
    assert read.problems == []
    assert read.nested(None, "destination", _name, required=True) is None
    assert read.nested("web", "handover", _name) is None
    assert _problems(read) == [
        ("destination", "required"),
        ("handover", "expected an object, got 'web' (str)"),
    ]


def test_each_nested_needs_every_item() -> None:
    read = _read()
    found = read.each_nested([{"name": "a"}, None, 3], "rules", _name, required=True)
    assert found == ["rules[0]=a"]
    assert _problems(read) == [
        ("rules[1]", "required"),
        ("rules[2]", "expected an object, got 3 (int)"),
    ]


def test_a_choice_may_be_required() -> None:
    read = _read()
    assert read.choice("istio", "kind", MeshKind, required=True) is MeshKind.ISTIO
    assert read.choice(MeshKind.SMI, "kind", MeshKind) is MeshKind.SMI
    assert read.choice(None, "kind", MeshKind) is None
    assert read.problems == []
    assert read.choice(None, "kind", MeshKind, required=True) is None
    assert read.choice("kuma", "mesh", MeshKind, required=True) is None
    assert [path for path, _ in _problems(read)] == ["kind", "mesh"]
    assert _problems(read)[0] == ("kind", "required")
    assert _problems(read)[1][1].startswith("expected one of 'smi', 'istio'")


def test_texts_and_wholes_are_lists_read_item_by_item() -> None:
    read = _read()
    assert read.texts(["a", 1, "b"], "methods") == ["a", "b"]
    assert read.wholes([80, 443.0, 1.5], "ports") == [80, 443]
    assert [path for path, _ in _problems(read)] == ["methods[1]", "ports[2]"]
