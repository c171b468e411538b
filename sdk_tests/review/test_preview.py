"""``pulumi-smi diff --preview PREVIEW.json``: the review of a ``pulumi preview --json``.

The preview documents are written as the engine prints them (:mod:`.preview_digest`) from two
renders of the hybrid example or two convert outputs: a whole preview (``--show-sames``) must
give the same review as ``diff OLD NEW`` of the renders, and a plain one (only what changes)
must still report every shift and judge access conservatively.
"""

from __future__ import annotations

import io
import json
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from preview_digest import preview_digest, preview_json
from test_access_diff import estate_text

from pulumi_smi.cli import main
from pulumi_smi.meshes import translate
from pulumi_smi.review.diff import Review, compare
from pulumi_smi.review.document import UnreadableDocument, parse_document
from pulumi_smi.review.preview import is_mesh_type, parse_preview, preview_notes
from pulumi_smi.review.report import format_review, to_json
from pulumi_smi.review.sections import Gates
from pulumi_smi.review.values import UNKNOWN
from pulumi_smi.spec import load_text

ROOT = Path(__file__).parents[2]
HYBRID = ROOT / "examples" / "04-hybrid-onprem-aws"
BOTH = Gates(max_shift=Fraction(25), deny_access_widening=True)


@cache
def hybrid(*config: str) -> tuple[dict[str, Any], ...]:
    from pulumi_smi.project import render_project

    return tuple(json.loads(render_project(HYBRID, config=list(config), preview=True))["resources"])


def review_of(text: str, gates: Gates = BOTH) -> Review:
    preview = parse_preview(text, "preview.json")
    return compare(preview.old, preview.new, gates, notes=preview_notes(preview))


def sections(review: Review) -> list[Any]:
    return to_json(review)["meshes"]


def cli(tmp_path: Path, text: str, *args: str) -> tuple[int, str]:
    path = tmp_path / "preview.json"
    path.write_text(text)
    out = io.StringIO()
    return main(["diff", "--preview", str(path), *args], out), out.getvalue()


def test_a_whole_preview_reviews_as_the_two_renders_do() -> None:
    old, new = hybrid("awsShare=10"), hybrid("awsShare=50", "reviewsReaders=productpage,ratings")
    from_renders = compare(
        parse_document(json.dumps({"resources": old}), "old"),
        parse_document(json.dumps({"resources": new}), "new"),
        BOTH,
    )
    from_preview = review_of(preview_json(old, new, show_sames=True))
    assert sections(from_preview) == sections(from_renders)
    assert from_preview.violations == from_renders.violations
    assert from_preview.resources == from_renders.resources
    assert len(from_preview.violations) == 3  # two shifts of 40 points, one new grant
    assert from_preview.notes == ()


def test_a_plain_preview_still_reports_the_canary_step_and_says_it_is_partial(
    tmp_path: Path,
) -> None:
    text = preview_json(hybrid("awsShare=10"), hybrid("awsShare=50"), show_sames=False)
    assert '"op": "same"' in text  # the Stack only
    code, out = cli(tmp_path, text, "--max-shift", "25")
    assert code == 1
    assert "note: this preview leaves out 28 unchanged resources" in out
    assert "bookinfo/reviews-v1" in out and "90.00% → 50.00%" in out
    assert "resources: 1 changed, 0 added, 0 removed, 0 replaced, 0 retyped (0 unchanged)" in out
    code, _ = cli(tmp_path, text, "--max-shift", "40")
    assert code == 0


def test_a_plain_preview_catches_the_access_widening_of_the_hybrid(tmp_path: Path) -> None:
    old, new = hybrid(), hybrid("reviewsReaders=productpage,ratings")
    code, out = cli(tmp_path, preview_json(old, new, show_sames=False), "--deny-access-widening")
    assert code == 1
    assert "← cluster.local/ns/bookinfo/sa/ratings: http any port GET /reviews/{*}  widening" in out
    narrowed = preview_json(new, old, show_sames=False)
    assert cli(tmp_path, narrowed, "--deny-access-widening")[0] == 0


def convert(text: str, mesh: str = "linkerd") -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = json.loads(translate(load_text(text), mesh, {}).to_json())[
        "resources"
    ]
    return resources


def test_an_authentication_whose_policies_are_not_shown_is_judged_on_its_own() -> None:
    old, new = convert(estate_text(("web",))), convert(estate_text(("web", "ops")))
    changed = {r["name"] for r in new if r not in old}
    assert all(r["type"].endswith("MeshTLSAuthentication") for r in new if r["name"] in changed)
    partial = review_of(preview_json(old, new, show_sames=False))
    assert partial.violations == (
        "access: authentication shop/to-api (shop-to-api-meshtlsauthentication) now also admits "
        "ops.shop.serviceaccount.identity.linkerd.cluster.local (its users are not in the preview)",
    )
    assert partial.tripped
    whole = review_of(preview_json(old, new, show_sames=True))
    assert whole.tripped and not any("judged on its own" in json.dumps(m) for m in sections(whole))
    narrowed = review_of(preview_json(new, old, show_sames=False))
    assert not narrowed.tripped


def test_a_route_of_a_server_whose_policy_is_not_shown_is_judged_on_its_own() -> None:
    old = convert(estate_text(matches=("read",)))
    new = convert(estate_text(matches=("read", "admin")))
    changed = [r for r in new if r not in old]
    assert changed and all("HTTPRoute" in r["type"] for r in changed)
    partial = review_of(preview_json(old, new, show_sames=False))
    assert any("now also matches GET" in v for v in partial.violations), partial.violations


@pytest.mark.parametrize("mesh", ["istio", "consul", "vpc-lattice", "appmesh"])
def test_self_contained_policies_are_judged_alike_whole_or_plain(mesh: str) -> None:
    options = {"vpc-lattice": {"vpc_id": "vpc-1", "eks_cluster_name": "eks"}}.get(mesh, {})
    tcp = mesh == "appmesh"

    def plan(sources: tuple[str, ...]) -> list[dict[str, Any]]:
        text = estate_text(sources, tcp=tcp)
        found: list[dict[str, Any]] = json.loads(
            translate(load_text(text), mesh, options).to_json()
        )["resources"]
        return found

    old, new = plan(("web",)), plan(("web", "ops"))
    for show_sames in (True, False):
        review = review_of(preview_json(old, new, show_sames=show_sames))
        assert review.tripped, (mesh, show_sames)
        assert not review_of(preview_json(new, old, show_sames=show_sames)).tripped


def test_resources_that_are_not_mesh_objects_are_left_out() -> None:
    bucket = {"type": "aws:s3/bucket:Bucket", "name": "logs", "properties": {"bucket": "l"}}
    deployment = {
        "type": "kubernetes:apps/v1:Deployment",
        "name": "web",
        "properties": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"}},
    }
    old = list(hybrid())
    new = [*old, bucket, deployment]
    review = review_of(preview_json(old, new))
    assert review.resources.empty
    assert not is_mesh_type("aws:s3/bucket:Bucket")
    assert is_mesh_type("aws:vpclattice/listener:Listener")
    assert is_mesh_type("kubernetes:networking.istio.io/v1:VirtualService")
    assert is_mesh_type("consul:index/configEntry:ConfigEntry")
    assert not is_mesh_type("consul:index/aclPolicy:AclPolicy")


def test_a_child_of_a_component_is_kept_whatever_its_type() -> None:
    old = list(hybrid())
    service = {
        "type": "kubernetes:core/v1:Service",
        "name": "reviews-onprem-standin",
        "parent": "reviews",
        "properties": {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}},
    }
    review = review_of(preview_json(old, [*old, service], show_sames=False))
    assert [r.name for r in review.resources.added] == ["reviews-onprem-standin"]


def test_the_engine_s_replacement_is_reported_as_one() -> None:
    old = list(hybrid())
    new = [
        {**r, "properties": {**r["properties"], "port": 9090}}
        if r["name"] == "reviews-aws-aws-lattice-listener-9080"
        else r
        for r in old
    ]
    digest = preview_digest(old, new, replace={"reviews-aws-aws-lattice-listener-9080": ["port"]})
    review = review_of(json.dumps(digest))
    [replaced] = review.resources.replaced
    assert replaced.after.name == "reviews-aws-aws-lattice-listener-9080"
    assert replaced.reason == "Pulumi replaces it (port forces a new object)"
    assert not review.resources.changed


def test_deleted_and_created_resources_are_removed_and_added() -> None:
    old = list(hybrid())
    gone = "productpage-reads-reviews-onprem-authorizationpolicy"
    new = [r for r in old if r["name"] != gone]
    review = review_of(preview_json(old, new, show_sames=False))
    assert [r.name for r in review.resources.removed] == [gone]
    added = review_of(preview_json(new, old, show_sames=False))
    assert [r.name for r in added.resources.added] == [gone]


def test_unknown_values_stay_unknown_and_never_trip_a_gate(tmp_path: Path) -> None:
    old = list(hybrid())
    new = [
        {
            **r,
            "properties": {
                **r["properties"],
                "spec": {
                    **r["properties"]["spec"],
                    "http": [
                        {**h, "route": [{**x, "weight": None} for x in h["route"]]}
                        for h in r["properties"]["spec"]["http"]
                    ],
                },
            },
        }
        if r["name"] == "reviews-onprem-virtualservice"
        else r
        for r in old
    ]
    text = preview_json(old, new, show_sames=False)
    assert UNKNOWN in text
    code, out = cli(tmp_path, text, "--max-shift", "1")
    assert code == 0
    assert "(unknown)" in out


def test_warnings_logged_by_the_preview_are_listed_with_a_note() -> None:
    old = list(hybrid())
    digest = preview_digest(old, old, warnings=[("reviews", "mesh onprem: something to know")])
    review = review_of(json.dumps(digest))
    assert review.warnings_added == ("mesh onprem: something to know",)
    assert any("does not record the previous run's warnings" in n for n in review.notes)


def test_markdown_and_json_carry_the_notes(tmp_path: Path) -> None:
    text = preview_json(hybrid("awsShare=10"), hybrid("awsShare=50"), show_sames=False)
    review = review_of(text)
    markdown = format_review(review, "markdown")
    assert markdown.startswith("### pulumi-smi diff\n\n> this preview leaves out 28 unchanged")
    assert json.loads(format_review(review, "json"))["notes"] == list(review.notes)
    assert cli(tmp_path, text, "-o", "json")[1] == cli(tmp_path, text, "-o", "json")[1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ('{"resources": []}', 'no "steps"'),
        ('{"steps": {}}', '"steps" is not a list'),
        ('{"steps": [1]}', "steps[0] is not an object"),
        ('{"steps": [{"op": "create"}]}', 'steps[0] has no string "op" and Pulumi "urn"'),
        (
            '{"steps": [{"op": "create", "urn": "urn:pulumi:s::p::t::n", "newState": []}]}',
            "steps[0].newState is not an object",
        ),
        (
            '{"steps": [{"op": "create", "urn": "urn:pulumi:s::p::t::n", "newState": {}}]}',
            'steps[0].newState has no "type" and Pulumi "urn"',
        ),
    ],
)
def test_unreadable_previews_exit_2_naming_the_file_and_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    with pytest.raises(UnreadableDocument, match="expected the output of `pulumi preview --json`"):
        parse_preview(text, "preview.json")
    code, out = cli(tmp_path, text)
    assert (code, out) == (2, "")
    err = capsys.readouterr().err
    assert f"{tmp_path / 'preview.json'}: {message}" in err


def test_a_missing_preview_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--preview", str(tmp_path / "none.json")], io.StringIO()) == 2
    assert "none.json: cannot be read" in capsys.readouterr().err


def with_host(resources: tuple[dict[str, Any], ...], host: object) -> list[dict[str, Any]]:
    """The hybrid with the AWS backend's host on-prem replaced (None: unknown in a preview)."""
    found = []
    for r in resources:
        if r["name"] == "reviews-onprem-virtualservice":
            spec = r["properties"]["spec"]
            http = [
                {
                    **h,
                    "route": [
                        {**x, "destination": {**x["destination"], "host": host}}
                        if "reviews-v1" not in str(x["destination"]["host"])
                        else x
                        for x in h["route"]
                    ],
                }
                for h in spec["http"]
            ]
            r = {**r, "properties": {**r["properties"], "spec": {**spec, "http": http}}}
        found.append(r)
    return found


def test_a_backend_host_unknown_in_the_preview_never_trips_the_gate(tmp_path: Path) -> None:
    """The old side knows the AWS host; the new one (a new Lattice service) does not: the
    known host seems to go and an unknown one to come, and neither is a gated shift."""
    known = "reviews-bookinfo.7d67968.vpc-lattice-svcs.us-east-1.on.aws"
    old = with_host(hybrid("awsShare=10"), known)
    new = with_host(hybrid("awsShare=50"), None)
    code, out = cli(tmp_path, preview_json(old, new, show_sames=False), "--max-shift", "5")
    assert "(unknown)" in out
    assert code == 1  # reviews-v1 90 -> 50 is known and gated
    gate = out.split("gate --max-shift 5: tripped", 1)[1].split("\nresources\n", 1)[0]
    assert "reviews-v1" in gate and known not in gate
