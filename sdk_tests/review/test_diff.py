"""``pulumi-smi diff``: resources added, removed, changed, replaced and retyped; traffic shares
per mesh before → after; the ``--max-shift`` gate; text, markdown and JSON; exit codes."""

from __future__ import annotations

import io
import json
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from pulumi_smi.cli import main
from pulumi_smi.meshes import translate
from pulumi_smi.review.diff import Review, compare
from pulumi_smi.review.document import Document, UnreadableDocument, parse_document
from pulumi_smi.review.report import format_review, to_json
from pulumi_smi.review.sections import Gates
from pulumi_smi.review.traffic import TrafficSection
from pulumi_smi.review.values import UNKNOWN
from pulumi_smi.spec import load_text

ROOT = Path(__file__).parents[2]
HYBRID = ROOT / "examples" / "04-hybrid-onprem-aws"
NS = "shop"
OPTIONS: dict[str, dict[str, Any]] = {
    "vpc-lattice": {"vpc_id": "vpc-0123456789abcdef0", "eks_cluster_name": "prod-eks"}
}
TARGETS = ["istio", "gateway-api", "consul", "vpc-lattice", "appmesh", "smi"]


def app(name: str) -> str:
    return (
        f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {NS}}}\n"
        f"spec: {{selector: {{app: {name}}}, ports: [{{name: http, port: 80}}]}}\n"
        f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {NS}}}\n"
        f"spec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n"
        f"    metadata: {{labels: {{app: {name}}}}}\n"
        f"    spec: {{serviceAccountName: {name}, containers: [{{name: c, image: i}}]}}\n"
    )


APPS = "".join(app(n) for n in ("web", "web-v1", "web-v2", "web-v3"))


def split(backends: dict[str, int], name: str = "web") -> str:
    items = "".join(f"\n  - {{service: {s}, weight: {w}}}" for s, w in backends.items())
    return (
        "---\napiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\n"
        f"metadata: {{name: {name}, namespace: {NS}}}\nspec:\n  service: web\n  backends:{items}\n"
    )


def plan_json(mesh: str, text: str, **options: Any) -> str:
    return translate(load_text(APPS + text), mesh, {**OPTIONS.get(mesh, {}), **options}).to_json()


def doc(mesh: str, text: str, **options: Any) -> Document:
    return parse_document(plan_json(mesh, text, **options), "test")


def traffic(review: Review, mesh: str | None = None) -> dict[str, tuple[str, str, str]]:
    """backend -> (before, after, change) of the one apex of ``mesh``."""
    [found] = [m for m in review.meshes if m.name == mesh]
    section = found.sections[0]
    assert isinstance(section, TrafficSection)
    return {r.backend: (r.shown_before(), r.shown_after(), r.shown_change()) for r in section.rows}


def backend(mesh: str, name: str) -> str:
    """How a backend is shown on ``mesh`` (a Service, a Consul service, a target group...)."""
    return {
        "consul": name,
        "vpc-lattice": f"{name}-{NS}-80",
        "appmesh": f"{name}_{NS}",
    }.get(mesh, f"{NS}/{name}")


@pytest.mark.parametrize("mesh", TARGETS)
def test_a_canary_90_10_to_50_50_moves_40_points_on_every_target(mesh: str) -> None:
    review = compare(
        doc(mesh, split({"web-v1": 90, "web-v2": 10})),
        doc(mesh, split({"web-v1": 50, "web-v2": 50})),
        Gates(max_shift=Fraction(20)),
    )
    assert traffic(review) == {
        backend(mesh, "web-v1"): ("90.00%", "50.00%", "-40.00 pp"),
        backend(mesh, "web-v2"): ("10.00%", "50.00%", "+40.00 pp"),
    }
    assert len(review.violations) == 2
    assert all("more than 20 points" in v for v in review.violations)
    assert review.resources.changed and not review.resources.added
    assert not review.resources.removed and not review.resources.replaced
    paths = {c.path for _, changes in review.resources.changed for c in changes}
    assert any(p.endswith("weight") for p in paths), paths
    assert not compare(review_doc := doc(mesh, split({"web-v1": 1})), review_doc).violations


@pytest.mark.parametrize("mesh", TARGETS)
def test_the_gate_passes_when_no_share_moves_more_than_the_limit(mesh: str) -> None:
    review = compare(
        doc(mesh, split({"web-v1": 90, "web-v2": 10})),
        doc(mesh, split({"web-v1": 50, "web-v2": 50})),
        Gates(max_shift=Fraction(40)),
    )
    assert not review.tripped


def test_istio_changed_weights_are_reported_as_compact_paths() -> None:
    review = compare(
        doc("istio", split({"web-v1": 90, "web-v2": 10})),
        doc("istio", split({"web-v1": 50, "web-v2": 50})),
    )
    [(ref, changes)] = review.resources.changed
    assert ref.name == "shop-web-virtualservice"
    assert [c.text() for c in changes] == [
        "spec.http[0].route[0].weight: 90 → 50",
        "spec.http[0].route[1].weight: 10 → 50",
    ]


def test_a_new_backend_is_listed_with_its_share() -> None:
    review = compare(
        doc("consul", split({"web-v1": 90, "web-v2": 10})),
        doc("consul", split({"web-v1": 50, "web-v2": 40, "web-v3": 10})),
        Gates(max_shift=Fraction(35)),
    )
    assert traffic(review)["web-v3"] == ("-", "10.00%", "+10.00 pp (new backend)")
    assert [r.name for r in review.resources.added] == ["shop-web-v3-servicedefaults"]
    assert len(review.violations) == 1 and "web-v1" in review.violations[0]


def test_a_backend_taken_out_counts_its_whole_share() -> None:
    review = compare(
        doc("istio", split({"web-v1": 50, "web-v2": 50})),
        doc("istio", split({"web-v1": 1})),
        Gates(max_shift=Fraction(45)),
    )
    assert traffic(review)[f"{NS}/web-v2"] == ("50.00%", "-", "-50.00 pp (backend gone)")
    assert len(review.violations) == 2


def test_a_new_apex_is_listed_but_not_gated() -> None:
    review = compare(doc("istio", ""), doc("istio", split({"web-v1": 1})), Gates(Fraction(0)))
    assert traffic(review) == {f"{NS}/web-v1": ("-", "100.00%", "new apex")}
    assert not review.tripped
    assert [r.name for r in review.resources.added] == ["shop-web-virtualservice"]


def test_a_renamed_split_replaces_the_same_cluster_object_on_istio() -> None:
    review = compare(
        doc("istio", split({"web-v1": 9, "web-v2": 1})),
        doc("istio", split({"web-v1": 9, "web-v2": 1}, name="web2")),
    )
    [replaced] = review.resources.replaced
    assert (replaced.before.name, replaced.after.name) == (
        "shop-web-virtualservice",
        "shop-web2-virtualservice",
    )
    assert replaced.same_object
    assert "VirtualService networking.istio.io shop/web" in replaced.reason
    assert not review.resources.added and not review.resources.removed
    assert not any(m.changed for m in review.meshes)  # the same traffic


def test_a_renamed_split_on_smi_is_another_object_and_on_lattice_replaces_the_service() -> None:
    smi = compare(doc("smi", split({"web-v1": 1})), doc("smi", split({"web-v1": 1}, "web2")))
    assert [r.name for r in smi.resources.removed] == ["shop-web-trafficsplit"]
    assert [r.name for r in smi.resources.added] == ["shop-web2-trafficsplit"]
    assert not smi.resources.replaced
    lattice = compare(
        doc("vpc-lattice", split({"web-v1": 1})), doc("vpc-lattice", split({"web-v1": 1}, "web2"))
    )
    assert [(r.before.name, r.after.name) for r in lattice.resources.replaced] == [
        ("shop-web-lattice-service", "shop-web2-lattice-service")
    ]


def test_an_istio_api_switch_is_the_same_cluster_object_under_another_type() -> None:
    review = compare(
        doc("istio", split({"web-v1": 1}), istio_api="v1beta1"),
        doc("istio", split({"web-v1": 1}), istio_api="v1"),
    )
    assert not review.resources.added and not review.resources.removed
    assert not review.resources.replaced
    [retyped] = review.resources.retyped
    assert retyped.before.type == "kubernetes:networking.istio.io/v1beta1:VirtualService"
    assert retyped.after.type == "kubernetes:networking.istio.io/v1:VirtualService"
    assert retyped.same_object
    assert [c.path for c in retyped.changes] == ["apiVersion"]
    assert "retyped, apiVersion networking.istio.io/v1beta1 → networking.istio.io/v1" in (
        format_review(review, "text")
    )


def test_a_type_change_to_another_object_is_a_replacement() -> None:
    old = json.loads(plan_json("istio", split({"web-v1": 1})))
    new = json.loads(plan_json("istio", split({"web-v1": 1})))
    resource = new["resources"][0]
    resource["type"] = "kubernetes:networking.example.io/v1:VirtualService"
    resource["properties"]["apiVersion"] = "networking.example.io/v1"
    review = compare(parse_document(json.dumps(old), "a"), parse_document(json.dumps(new), "b"))
    [replaced] = review.resources.replaced
    assert not replaced.same_object and "another object" in replaced.reason


def test_an_identity_change_under_the_same_logical_name_is_a_replacement() -> None:
    old = json.loads(plan_json("istio", split({"web-v1": 1})))
    new = json.loads(plan_json("istio", split({"web-v1": 1})))
    new["resources"][0]["properties"]["metadata"]["name"] = "web-renamed"
    review = compare(parse_document(json.dumps(old), "a"), parse_document(json.dumps(new), "b"))
    [replaced] = review.resources.replaced
    assert replaced.reason == 'identity changed: metadata.name: "web" → "web-renamed"'
    assert not review.resources.changed


def test_unknown_shares_stay_unknown_and_never_trip_the_gate() -> None:
    old = json.loads(plan_json("istio", split({"web-v1": 90, "web-v2": 10})))
    new = json.loads(plan_json("istio", split({"web-v1": 90, "web-v2": 10})))
    new["resources"][0]["properties"]["spec"]["http"][0]["route"][0]["weight"] = UNKNOWN
    review = compare(
        parse_document(json.dumps(old), "a"),
        parse_document(json.dumps(new), "b"),
        Gates(Fraction(0)),
    )
    assert traffic(review)[f"{NS}/web-v1"] == ("90.00%", "(unknown)", "(unknown)")
    assert not review.tripped
    text = format_review(review, "text")
    assert "never gated by --max-shift" in text
    assert "spec.http[0].route[0].weight: 90 → (unknown)" in text


def test_warnings_added_and_removed() -> None:
    old = parse_document(json.dumps({"resources": [], "warnings": ["a", "b"]}), "old")
    new = parse_document(json.dumps({"resources": [], "warnings": ["b", "c"]}), "new")
    review = compare(old, new)
    assert (review.warnings_added, review.warnings_removed) == (("c",), ("a",))
    assert "  + c\n  - a\n" in format_review(review, "text")


@pytest.mark.parametrize(
    "text",
    ["not json", "[]", '{"warnings": []}', '{"resources": [1]}', '{"resources": [{"name": "x"}]}'],
)
def test_unreadable_documents_name_the_file(text: str) -> None:
    with pytest.raises(UnreadableDocument, match=r"^old\.json: .*expected the JSON output"):
        parse_document(text, "old.json")


# --- the hybrid example, rendered -----------------------------------------------------------


@cache
def hybrid(share: int) -> str:
    from pulumi_smi.project import render_project

    return render_project(HYBRID, config=[f"awsShare={share}"])


def run(tmp_path: Path, *args: str, old: int = 10, new: int = 50) -> tuple[int, str]:
    (tmp_path / "old.json").write_text(hybrid(old))
    (tmp_path / "new.json").write_text(hybrid(new))
    out = io.StringIO()
    code = main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), *args], out)
    return code, out.getvalue()


LATTICE_HOST = "reviews-bookinfo-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-east-1.on.aws"


def test_the_hybrid_on_prem_to_aws_share_moves_10_to_50() -> None:
    review = compare(
        parse_document(hybrid(10), "old"), parse_document(hybrid(50), "new"), Gates(Fraction(20))
    )
    assert [m.name for m in review.meshes] == ["aws", "onprem", "vms"]
    assert traffic(review, "onprem") == {
        "bookinfo/reviews-v1": ("90.00%", "50.00%", "-40.00 pp"),
        LATTICE_HOST: ("10.00%", "50.00%", "+40.00 pp"),
    }
    assert not any(m.changed for m in review.meshes if m.name != "onprem")
    assert [ref.name for ref, _ in review.resources.changed] == ["reviews-onprem-virtualservice"]
    assert [v.split(":")[0] for v in review.violations] == ["mesh onprem"] * 2


def test_max_shift_20_exits_1_and_says_which(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(tmp_path, "--max-shift", "20")
    assert code == 1
    assert "gate --max-shift 20: tripped" in out
    err = capsys.readouterr().err
    assert (
        "pulumi-smi: gate tripped: mesh onprem: bookinfo/reviews: default: bookinfo/reviews-v1: "
        "90.00% → 50.00% (-40.00 pp, more than 20 points)"
    ) in err


def test_max_shift_40_exits_0(tmp_path: Path) -> None:
    code, out = run(tmp_path, "--max-shift", "40")
    assert code == 0
    assert "gate --max-shift 40: passed" in out


def test_output_is_deterministic_in_every_format(tmp_path: Path) -> None:
    for output in ("text", "markdown", "json"):
        runs = {run(tmp_path, "-o", output)[1] for _ in range(2)}
        assert len(runs) == 1


def test_markdown_has_a_table_per_changed_mesh_and_collapsed_resources(tmp_path: Path) -> None:
    code, out = run(tmp_path, "-o", "markdown")
    assert code == 0
    assert "#### mesh onprem (istio)\n\n| apex | rule | backend | before | after | change |" in out
    assert (
        "| bookinfo/reviews | default | bookinfo/reviews-v1 | 90.00% | 50.00% | **-40.00 pp** |"
        in out
    )
    assert "#### mesh aws (vpc-lattice)\n\nTraffic unchanged (1 apex)." in out
    assert "<details><summary>Resources: 1 changed, 0 added" in out
    assert out.rstrip().endswith("</details>")


def test_json_is_the_documented_object(tmp_path: Path) -> None:
    code, out = run(tmp_path, "-o", "json", "--max-shift", "50")
    assert code == 0
    document = json.loads(out)
    assert list(document) == ["format", "notes", "meshes", "warnings", "gates", "resources"]
    assert document["format"] == "pulumi-smi-diff/1"
    onprem = next(m for m in document["meshes"] if m["mesh"] == "onprem")
    assert onprem["kind"] == {"before": "istio", "after": "istio"}
    section, access = onprem["sections"]
    assert (section["section"], access["section"]) == ("traffic", "access")
    assert section["shares"][0] == {
        "apex": "bookinfo/reviews",
        "port": None,
        "rule": "default",
        "backend": "bookinfo/reviews-v1",
        "before": 90.0,
        "after": 50.0,
        "shift": -40.0,
        "status": "changed",
    }
    assert document["gates"] == {
        "maxShift": 50.0,
        "denyAccessWidening": False,
        "tripped": False,
        "violations": [],
    }
    assert document["resources"]["changed"][0]["changes"][0] == {
        "path": "spec.http[0].route[0].weight",
        "before": 10,
        "after": 50,
    }


def test_identical_inputs_have_no_change(tmp_path: Path) -> None:
    code, out = run(tmp_path, "--max-shift", "0", old=10, new=10)
    assert code == 0
    assert out.startswith("resources: 0 changed, 0 added, 0 removed, 0 replaced, 0 retyped")
    review = compare(parse_document(hybrid(10), "a"), parse_document(hybrid(10), "b"))
    assert not any(m.changed for m in review.meshes)
    assert to_json(review)["resources"]["unchanged"] == 29


# --- the command line ------------------------------------------------------------------------


def test_unreadable_input_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.json"
    good.write_text(plan_json("istio", split({"web-v1": 1})))
    for name, text in (("bad.json", "resources: []"), ("shape.json", '{"items": []}')):
        (tmp_path / name).write_text(text)
        out = io.StringIO()
        assert main(["diff", str(good), str(tmp_path / name)], out) == 2
        assert out.getvalue() == ""
        assert f"{tmp_path / name}: " in capsys.readouterr().err
    assert main(["diff", str(good), str(tmp_path / "missing.json")], io.StringIO()) == 2
    assert "missing.json: cannot be read" in capsys.readouterr().err


def test_preview_takes_no_old_or_new(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.json"
    good.write_text(plan_json("istio", split({"web-v1": 1})))
    assert main(["diff", str(good), str(good), "--preview", "preview.json"], io.StringIO()) == 2
    assert "diff --preview PREVIEW.json takes no OLD or NEW" in capsys.readouterr().err
    assert main(["diff", str(good), str(good), "--deny-access-widening"], io.StringIO()) == 0


def test_bad_max_shift_and_missing_new_are_usage_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(plan_json("istio", split({"web-v1": 1})))
    assert main(["diff", str(good), str(good), "--max-shift", "lots"], io.StringIO()) == 2
    assert main(["diff", str(good), str(good), "--max-shift", "120"], io.StringIO()) == 2
    assert main(["diff", str(good)], io.StringIO()) == 2
    assert main(["diff", str(good), str(good), "--max-shift", "12.5"], io.StringIO()) == 0
