"""Service-level objectives as annotations: parsed exactly, refused with located errors."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pulumi_smi.errors import SmiValidationError
from pulumi_smi.metrics.objectives import objectives
from pulumi_smi.spec import load_text
from pulumi_smi.spec.models import ObjectKey
from pulumi_smi.spec.objectives import LATENCY, SUCCESS_RATE, LatencyObjective, ServiceLevel

SUCCESS_PATH = f"metadata.annotations.{SUCCESS_RATE}"
LATENCY_PATH = f"metadata.annotations.{LATENCY}"


def service(name: str, annotations: dict[str, str]) -> str:
    notes = ", ".join(f"{key}: {value!r}" for key, value in annotations.items())
    return (
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: shop, "
        f"annotations: {{{notes}}}}}\nspec: {{ports: [{{port: 80}}], selector: {{app: {name}}}}}\n"
    )


def split(annotations: dict[str, str]) -> str:
    notes = ", ".join(f"{key}: {value!r}" for key, value in annotations.items())
    return (
        "apiVersion: split.smi-spec.io/v1alpha2\nkind: TrafficSplit\n"
        f"metadata: {{name: cart, namespace: shop, annotations: {{{notes}}}}}\n"
        "spec: {service: cart, backends: [{service: cart-v1, weight: 9}, "
        "{service: cart-v2, weight: 1}]}\n"
    )


@pytest.mark.parametrize(
    ("rate", "latency", "level"),
    [
        (
            "99.5%",
            "99% < 250ms",
            ServiceLevel(
                success_rate=Fraction(995, 1000),
                latency=LatencyObjective(share=Fraction(99, 100), threshold_seconds=Fraction(1, 4)),
            ),
        ),
        (
            " 90 % ",
            "95%<1.5s",
            ServiceLevel(
                success_rate=Fraction(9, 10),
                latency=LatencyObjective(share=Fraction(95, 100), threshold_seconds=Fraction(3, 2)),
            ),
        ),
    ],
)
def test_annotations_give_exact_objectives(rate: str, latency: str, level: ServiceLevel) -> None:
    specs = load_text(service("cart", {SUCCESS_RATE: rate, LATENCY: latency}), "s.yaml")
    found = specs.catalogue.service("shop", "cart")
    assert found is not None and found.slo == level


def test_a_service_without_annotations_has_no_objective() -> None:
    specs = load_text(service("cart", {"team": "payments"}), "s.yaml")
    found = specs.catalogue.service("shop", "cart")
    assert found is not None and found.slo is None
    assert objectives(specs) == ()


def test_describe_writes_what_the_annotations_said() -> None:
    specs = load_text(service("cart", {SUCCESS_RATE: "99.95%", LATENCY: "99.9% < 80ms"}), "s")
    found = specs.catalogue.service("shop", "cart")
    assert found is not None and found.slo is not None
    assert found.slo.describe() == "success 99.95%, latency 99.9% < 80ms"


@pytest.mark.parametrize("document", ["service", "split"])
def test_every_bad_annotation_is_reported_at_once_and_located(document: str) -> None:
    bad = {SUCCESS_RATE: "99.5", LATENCY: "99% < 0ms"}
    text = service("cart", bad) if document == "service" else split(bad)
    with pytest.raises(SmiValidationError) as caught:
        load_text(text, "slo.yaml")
    problems = sorted(caught.value.problems, key=lambda p: p.path)
    assert [(p.source, p.path) for p in problems] == [
        ("slo.yaml", LATENCY_PATH),
        ("slo.yaml", SUCCESS_PATH),
    ]
    assert "more than 0" in problems[0].message
    assert "'99.5%'" in problems[1].message


@pytest.mark.parametrize(
    ("value", "words"),
    [("100%", "between 0% and 100%"), ("0%", "between 0% and 100%"), ("high", "percentage")],
)
def test_a_success_rate_must_be_a_percentage_strictly_inside(value: str, words: str) -> None:
    with pytest.raises(SmiValidationError) as caught:
        load_text(service("cart", {SUCCESS_RATE: value}), "s.yaml")
    (problem,) = caught.value.problems
    assert problem.path == SUCCESS_PATH and words in problem.message


def test_a_split_objective_is_every_backends_and_a_services_own_is_kept_beside_it() -> None:
    text = "---\n".join(
        [
            split({SUCCESS_RATE: "99%"}),
            service("cart-v2", {SUCCESS_RATE: "99.9%"}),
            service("cart-v1", {}),
        ]
    )
    found = objectives(load_text(text, "estate.yaml"))
    assert [(o.service, o.source, o.level.describe(), o.traffic_split) for o in found] == [
        ("cart-v1", ObjectKey("TrafficSplit", "shop", "cart"), "success 99%", "cart"),
        ("cart-v2", ObjectKey("Service", "shop", "cart-v2"), "success 99.9%", None),
        ("cart-v2", ObjectKey("TrafficSplit", "shop", "cart"), "success 99%", "cart"),
    ]


def test_objective_annotations_change_no_routing_or_access() -> None:
    from pulumi_smi.meshes import translate

    services = "".join(f"---\n{service(name, {})}" for name in ("cart", "cart-v1", "cart-v2"))
    plain = load_text(split({}) + services, "s.yaml")
    annotated = load_text(split({SUCCESS_RATE: "99%", LATENCY: "99% < 1s"}) + services, "s.yaml")
    for mesh in ("istio", "linkerd", "consul"):
        before, after = translate(plain, mesh).resources, translate(annotated, mesh).resources
        assert [(r.type, r.name) for r in before] == [(r.type, r.name) for r in after]
        assert [r.properties.get("spec") for r in before] == [
            r.properties.get("spec") for r in after
        ]
