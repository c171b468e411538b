"""The Plan: unique names, resolvable references, the serialised contract."""

from __future__ import annotations

import json

import pytest
import yaml

from pulumi_smi.plan import Plan, PlanWarning, Resource, reference, references_in, whole_reference
from pulumi_smi.spec.models import ObjectKey

A = ObjectKey("TrafficSplit", "ns", "a")
B = ObjectKey("TrafficSplit", "ns", "b")


def aws(
    name: str, props: dict[str, object], owner: ObjectKey, deps: tuple[str, ...] = ()
) -> Resource:
    return Resource("aws:vpclattice/service:Service", name, props, deps, owner)


def test_duplicate_names_are_rejected() -> None:
    with pytest.raises(ValueError, match="two resources named 'x'"):
        Plan((aws("x", {}, A), aws("x", {}, B)))


def test_references_must_resolve() -> None:
    with pytest.raises(ValueError, match="unknown"):
        Plan((aws("x", {"arn": "${missing.arn}"}, A),))
    with pytest.raises(ValueError, match="unknown"):
        Plan((aws("x", {}, A, ("missing",)),))


def test_owned_by_keeps_dependencies_and_own_warnings() -> None:
    plan = Plan(
        (
            aws("net", {}, B),
            aws("svc", {"network": "${net.id}"}, A),
            aws("other", {}, B),
        ),
        (PlanWarning("about a", A), PlanWarning("about b", B), "loader"),
    )
    owned = plan.owned_by([A])
    assert [r.name for r in owned] == ["net", "svc"]
    assert owned.warnings == ("about a", "loader")


def test_json_contract() -> None:
    plan = Plan((aws("svc", {"name": "x"}, A),), ("careful",))
    assert json.loads(plan.to_json()) == {
        "resources": [
            {
                "type": "aws:vpclattice/service:Service",
                "name": "svc",
                "properties": {"name": "x"},
                "dependsOn": [],
            }
        ],
        "warnings": ["careful"],
    }


@pytest.mark.no_schema_check
def test_yaml_stream_writes_manifests_bare_and_others_wrapped() -> None:
    manifest = {"apiVersion": "v1", "kind": "X", "metadata": {"name": "m"}, "spec": {}}
    plan = Plan(
        (
            Resource("kubernetes:v1:X", "m", manifest, (), A),
            aws("svc", {"name": "x"}, A),
        )
    )
    documents = list(yaml.safe_load_all(plan.to_yaml()))
    assert documents == [
        manifest,
        {"type": "aws:vpclattice/service:Service", "name": "svc", "properties": {"name": "x"}},
    ]


def test_owned_by_leaves_shared_dependencies_outside_and_names_them() -> None:
    shared = ObjectKey("Namespace", "ns", "ns")
    plan = Plan((aws("defaults", {}, shared), aws("split", {}, A, ("defaults",))))
    owned = plan.owned_by([A])
    assert [r.name for r in owned] == ["split"]
    assert owned.external == frozenset({"defaults"})
    assert [r.name for r in plan.shared()] == ["defaults"]


def test_a_reference_names_its_output_after_the_last_dot() -> None:
    assert reference("shop-web.v2-service", "arn") == "${shop-web.v2-service.arn}"
    text = "${shop-web.v2-service.arn}/* and ${net.id}; ${aws:username} is IAM's"
    assert references_in(text) == [("shop-web.v2-service", "arn"), ("net", "id")]
    assert whole_reference("${shop-web.v2-service.arn}") == ("shop-web.v2-service", "arn")
    assert whole_reference(text) is None
    with pytest.raises(ValueError, match="output"):
        reference("svc", "a.b")
    plan = Plan((aws("net.v2", {}, B), aws("svc", {"network": "${net.v2.id}"}, A)))
    assert plan.resources[1].references() == {"net.v2"}
    assert [r.name for r in plan.owned_by([A])] == ["net.v2", "svc"]
