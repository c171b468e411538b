"""``pulumi-smi diff`` shows the objectives the SLO alerts enforce, before → after.

The documents hold a PrometheusRule of :func:`~pulumi_smi.metrics.alerts.alert_groups` (as
the metrics Plan emits it): the review reads the objectives back from the alerts' labels.
"""

from __future__ import annotations

import io
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from jsonschema import SchemaError  # type: ignore[import-untyped]
from preview_digest import preview_json
from schema_check import validate_manifests

from pulumi_smi.cli import main
from pulumi_smi.metrics.alerts import alert_groups
from pulumi_smi.metrics.objectives import Objective
from pulumi_smi.review.diff import compare
from pulumi_smi.review.document import parse_document
from pulumi_smi.review.objectives import ObjectivesSection, objectives_section, read_objectives
from pulumi_smi.review.report import format_review, to_json
from pulumi_smi.review.sections import Gates
from pulumi_smi.spec.models import ObjectKey
from pulumi_smi.spec.objectives import ServiceLevel

NS = "bookinfo"
SPLIT = ObjectKey("TrafficSplit", NS, "reviews")
RULE_TYPE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"


def objective(service: str, source: ObjectKey = SPLIT, **level: Any) -> Objective:
    return Objective(NS, service, source, ServiceLevel(**level))


def rule(objectives: list[Objective], name: str = "smi-metrics-prometheusrule") -> dict[str, Any]:
    return {
        "type": RULE_TYPE,
        "name": name,
        "properties": {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": {"name": "smi-slo", "namespace": NS},
            "spec": {"groups": alert_groups(objectives)},
        },
    }


def document(*objectives: Objective) -> str:
    return json.dumps({"resources": [rule(list(objectives))], "warnings": []})


BEFORE = [
    objective("reviews-v1", success_rate="99.5%"),
    objective("reviews-v2", success_rate="99.5%"),
    objective("ratings", ObjectKey("Service", NS, "ratings"), latency="99% < 250ms"),
]


def review_text(old: str, new: str, output: str) -> str:
    review = compare(parse_document(old, "old"), parse_document(new, "new"))
    return format_review(review, output)


def test_the_emitted_rule_is_a_valid_prometheusrule() -> None:
    try:
        validate_manifests([rule(BEFORE)["properties"]])
    except SchemaError as exc:  # the committed schema itself, not the rule
        pytest.skip(f"the committed PrometheusRule schema does not load: {str(exc)[-80:]}")


def test_objectives_are_read_back_from_the_alerts() -> None:
    found = read_objectives([rule(BEFORE)])
    assert found == {
        (NS, "ratings", "Service/bookinfo/ratings"): {"latency": "latency 99% < 250ms"},
        (NS, "reviews-v1", "TrafficSplit/bookinfo/reviews"): {"success-rate": "success 99.5%"},
        (NS, "reviews-v2", "TrafficSplit/bookinfo/reviews"): {"success-rate": "success 99.5%"},
    }
    assert read_objectives([{**rule(BEFORE), "type": "kubernetes:core/v1:ConfigMap"}]) == {}


def test_a_tightened_objective_is_shown_in_text_markdown_and_json() -> None:
    after = [
        BEFORE[0],
        objective("reviews-v2", success_rate="99.9%"),
        BEFORE[2],
    ]
    old, new = document(*BEFORE), document(*after)
    text = review_text(old, new, "text")
    assert (
        "  objectives (2 unchanged)\n"
        "    ~ bookinfo/reviews-v2 (TrafficSplit/bookinfo/reviews): success 99.5% → 99.9%\n"
    ) in text
    assert "loosened" not in text
    markdown = review_text(old, new, "markdown")
    assert (
        "| objective of | set by | before | after | change |\n|---|---|---|---|---|\n"
        "| bookinfo/reviews-v2 | TrafficSplit/bookinfo/reviews | success 99.5% | success 99.9% "
        "| changed |\n\n2 unchanged.\n"
    ) in markdown
    data = json.loads(review_text(old, new, "json"))
    [mesh] = data["meshes"]
    assert [s["section"] for s in mesh["sections"]] == ["traffic", "access", "objectives"]
    assert mesh["sections"][2] == {
        "section": "objectives",
        "objectives": [
            {
                "namespace": NS,
                "service": "reviews-v2",
                "source": "TrafficSplit/bookinfo/reviews",
                "before": "success 99.5%",
                "after": "success 99.9%",
                "status": "changed",
                "loosened": False,
            }
        ],
        "unchanged": 2,
    }
    assert not data["gates"]["tripped"]


def test_loosened_added_and_removed_objectives_are_marked() -> None:
    after = [
        objective("reviews-v1", success_rate="99%"),  # loosened
        objective("reviews-v2", success_rate="99.5%", latency="95% < 1s"),  # latency added
        objective("ratings", ObjectKey("Service", NS, "ratings"), latency="99% < 500ms"),
        objective("details", ObjectKey("Service", NS, "details"), success_rate="99%"),
    ]
    section = objectives_section([rule(BEFORE)], [rule(after)])
    assert isinstance(section, ObjectivesSection) and section.changed
    assert section.text() == [
        "objectives",
        "  + bookinfo/details (Service/bookinfo/details): added: success 99%",
        "  ~ bookinfo/ratings (Service/bookinfo/ratings): latency 99% < 250ms → 99% < 500ms"
        "  (loosened)",
        "  ~ bookinfo/reviews-v1 (TrafficSplit/bookinfo/reviews): success 99.5% → 99%  (loosened)",
        "  ~ bookinfo/reviews-v2 (TrafficSplit/bookinfo/reviews): (none) → latency 95% < 1s",
        "  note: a loosened or removed objective alerts later or never: make sure it is intended",
    ]
    assert section.violations(Gates(Fraction(1), deny_access_widening=True)) == []
    gone = objectives_section([rule(BEFORE)], [rule(BEFORE[1:])])
    assert gone.text()[1] == (
        "  - bookinfo/reviews-v1 (TrafficSplit/bookinfo/reviews): removed: success 99.5%"
        "  (loosened)"
    )
    markdown = "\n".join(section.markdown())
    assert "| bookinfo/ratings | Service/bookinfo/ratings | latency 99% &lt; 250ms |" in markdown
    assert "**changed, loosened**" in markdown and "> **Note:**" in markdown
    stricter_share = objective("ratings", ObjectKey("Service", NS, "ratings"), latency="99.9% < 1s")
    mixed = objectives_section([rule(BEFORE)], [rule([*BEFORE[:2], stricter_share])])
    assert mixed.rows[0].loosened  # a longer threshold loosens, whatever the share


@pytest.mark.parametrize("output", ["text", "markdown", "json"])
def test_unchanged_objectives_give_no_section(output: str) -> None:
    shown = review_text(document(*BEFORE), document(*BEFORE), output)
    assert "objectives" not in shown.lower()
    plain = json.dumps({"resources": [], "warnings": []})
    assert "objectives" not in review_text(plain, plain, output).lower()


def test_the_cli_diff_and_its_preview_show_the_change(tmp_path: Path) -> None:
    after = [BEFORE[0], objective("reviews-v2", success_rate="99%"), BEFORE[2]]
    (tmp_path / "old.json").write_text(document(*BEFORE))
    (tmp_path / "new.json").write_text(document(*after))
    out = io.StringIO()
    assert main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")], out) == 0
    assert "success 99.5% → 99%  (loosened)" in out.getvalue()
    # a render: the rule is a child of a metrics component, named for its mesh
    mesh = {"type": "smi:index:Mesh", "name": "onprem", "properties": {"kind": "istio"}}
    component = {"type": "smi:index:TrafficMetrics", "name": "metrics", "properties": {}}

    def render(objectives: list[Objective]) -> list[dict[str, Any]]:
        child = {**rule(objectives, "metrics-onprem-prometheusrule"), "parent": "metrics"}
        return [mesh, component, child]

    for show_sames, title in ((True, "mesh onprem (istio)"), (False, "plan (one unnamed mesh)")):
        # a plain preview leaves the unchanged Mesh out: its changes are in no named mesh
        (tmp_path / "preview.json").write_text(
            preview_json(render(BEFORE), render(after), show_sames=show_sames)
        )
        out = io.StringIO()
        assert main(["diff", "--preview", str(tmp_path / "preview.json")], out) == 0
        text = out.getvalue()
        assert f"\n{title}\n" in text
        assert "reviews-v2 (TrafficSplit/bookinfo/reviews): success 99.5% → 99%  (loosened)" in text
    data = to_json(
        compare(
            parse_document(json.dumps({"resources": render(BEFORE)}), "old"),
            parse_document(json.dumps({"resources": render(after)}), "new"),
        )
    )
    assert [m["mesh"] for m in data["meshes"]] == ["onprem"]
    assert data["meshes"][0]["sections"][-1]["objectives"][0]["loosened"] is True


def _service(name: str, annotations: str = "") -> str:
    meta = f", annotations: {{{annotations}}}" if annotations else ""
    return (
        f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: shop{meta}}}\n"
        f"spec: {{selector: {{app: {name}}}, ports: [{{name: http, port: 80}}]}}\n"
    )


def _estate(success: str, latency: str) -> str:
    return (
        _service("web", f'smi.pulumi.com/slo-latency: "{latency}"')
        + _service("web-v1")
        + _service("web-v2")
        + "---\napiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\nmetadata:\n"
        f"  {{name: web, namespace: shop, annotations: "
        f'{{smi.pulumi.com/slo-success-rate: "{success}"}}}}\n'
        "spec: {service: web, backends: [{service: web-v1, weight: 90}, "
        "{service: web-v2, weight: 10}]}\n"
    )


@pytest.mark.no_schema_check  # the metrics Plan's schema is test_prometheusrule_schema.py's
@pytest.mark.parametrize(
    ("mesh", "options"), [("istio", None), ("vpc-lattice", {"vpc_id": "vpc-0123456789abcdef0"})]
)
def test_the_metrics_plan_of_each_kind_of_alert_reviews_alike(
    mesh: str, options: dict[str, str] | None
) -> None:
    """Prometheus alerts and CloudWatch alarms carry the objectives the same way."""
    from pulumi_smi.metrics.plan import metrics_plan
    from pulumi_smi.spec import load_text

    old, new = (
        parse_document(metrics_plan(load_text(_estate(*a)), mesh, options).to_json(), side)
        for a, side in ((("99.5%", "99% < 250ms"), "old"), (("99%", "99% < 100ms"), "new"))
    )
    [section] = [s for s in compare(old, new).meshes[0].sections if s.title == "objectives"]
    assert section.text() == [
        "objectives",
        "  ~ shop/web (Service/shop/web): latency 99% < 250ms → 99% < 100ms",
        "  ~ shop/web-v1 (TrafficSplit/shop/web): success 99.5% → 99%  (loosened)",
        "  ~ shop/web-v2 (TrafficSplit/shop/web): success 99.5% → 99%  (loosened)",
        "  note: a loosened or removed objective alerts later or never: make sure it is intended",
    ]
