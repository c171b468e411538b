"""The helpers every target shares: weight normalisation and regex classification."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_smi.meshes.paths import escape, literal, smi_header, smi_path
from pulumi_smi.meshes.weights import exactly_within, largest_remainder, percentages, ratios
from pulumi_smi.spec.models import Backend

weights = st.lists(st.integers(0, 10**6), min_size=1, max_size=20).filter(lambda w: sum(w) > 0)


@given(weights)
def test_largest_remainder_sums_exactly_and_keeps_zero_at_zero(ws: list[int]) -> None:
    shares = largest_remainder(ws)
    assert sum(shares) == 100
    assert all(s >= 0 for s in shares)
    assert all(s == 0 for w, s in zip(ws, shares, strict=True) if w == 0)
    for w, s in zip(ws, shares, strict=True):  # each share is its exact share rounded down or up
        exact = Fraction(w * 100, sum(ws))
        assert exact - 1 < s < exact + 1


@given(weights)
def test_largest_remainder_respects_the_order_of_weights(ws: list[int]) -> None:
    shares = largest_remainder(ws)
    for i, wi in enumerate(ws):
        for j, wj in enumerate(ws):
            if wi > wj:
                assert shares[i] >= shares[j]


def test_percentages_leave_out_zero_and_name_rounded_away_backends() -> None:
    backends = [
        Backend(service="a", weight=0),
        Backend(service="b", weight=1),
        Backend(service="c", weight=999),
    ]
    kept, warnings = percentages(backends)
    assert kept == [("c", 100)]
    assert warnings == ["backend 'b' (weight 1) rounds to 0 % and gets no traffic"]


@given(weights, st.integers(1, 10**7))
def test_exactly_within_keeps_the_exact_ratio_or_says_it_cannot(ws: list[int], limit: int) -> None:
    fitted = exactly_within(ws, largest=limit)
    if max(ws) <= limit:
        assert fitted == ws  # as given whenever they fit
    elif fitted is None:
        assert max(ws) // math.gcd(*ws) > limit
    else:
        assert max(fitted) <= limit
        assert [Fraction(w, sum(fitted)) for w in fitted] == [Fraction(w, sum(ws)) for w in ws]


def test_exactly_within_a_total() -> None:
    assert exactly_within([1, 500], total=100) is None
    assert exactly_within([1, 500], total=501) == [1, 500]
    assert exactly_within([300, 600], total=100) == [1, 2]


def test_ratios_keep_a_tiny_share_exactly() -> None:
    backends = [
        Backend(service="a", weight=0),
        Backend(service="b", weight=1),
        Backend(service="c", weight=500),
    ]
    assert ratios(backends, 2**31 - 1) == ([("b", 1), ("c", 500)], [])


def test_ratios_scale_with_a_warning_only_when_no_exact_form_fits() -> None:
    backends = [Backend(service="b", weight=1), Backend(service="c", weight=999)]
    kept, warnings = ratios(backends, 100)
    assert kept == [("c", 100)]
    assert warnings == [
        "weights [1, 999] scaled to sum to 100: their ratios are approximate",
        "backend 'b' (weight 1) rounds to 0 and gets no traffic",
    ]


@pytest.mark.parametrize(
    ("smi", "kind", "value"),
    [
        (None, "any", ""),
        (".*", "any", ""),
        ("^/api", "prefix", "/api"),
        ("/api/.*", "prefix", "/api/"),
        ("/api/.*$", "prefix", "/api/"),
        ("/api$", "exact", "/api"),
        (r"/v1\.0", "prefix", "/v1.0"),
        ("/x/[0-9]+$", "regex", "/x/[0-9]+"),
        ("/a|/b", "regex", "(?:/a|/b).*"),
    ],
)
def test_smi_paths_are_classified_exactly(smi: str | None, kind: str, value: str) -> None:
    match = smi_path(smi)
    assert (match.kind, match.value) == (kind, value)


SAMPLE_PATHS = [
    "/",
    "/api",
    "/api/",
    "/api/v1",
    "/apix",
    "/x/api",
    "/x/12",
    "/x/12/y",
    "/v1.0",
    "/v1x0",
    "/a",
    "/b/c",
    "/c/a",
]


@pytest.mark.parametrize(
    "smi",
    ["/api", "/api/.*", "/api$", r"/v1\.0", "/x/[0-9]+$", "/x/[0-9]+", "/a|/b", ".*", "^/api/.*$"],
)
def test_classification_accepts_exactly_the_paths_smi_accepts(smi: str) -> None:
    match = smi_path(smi)
    for path in SAMPLE_PATHS:
        expected = re.match(smi, path) is not None
        accepted = {
            "any": True,
            "exact": path == match.value,
            "prefix": path.startswith(match.value),
            "regex": re.fullmatch(match.value, path) is not None,
        }[match.kind]
        assert accepted == expected, (smi, path)


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (".*", "present", ""),
        ("true", "exact", "true"),
        ("beta-.*", "prefix", "beta-"),
        (".*Firefox", "suffix", "Firefox"),
        (".*Firefox.*", "regex", ".*Firefox.*"),
    ],
)
def test_header_values_are_classified(value: str, kind: str, expected: str) -> None:
    assert (smi_header(value).kind, smi_header(value).value) == (kind, expected)


@given(st.text(max_size=30))
def test_escape_round_trips_through_literal_and_matches_itself(text: str) -> None:
    assert literal(escape(text)) == text
    assert re.fullmatch(escape(text), text, flags=re.DOTALL)


def test_manifest_names_are_checked_and_clashes_reported_on_the_smi_object() -> None:
    from pulumi_smi.meshes.base import namespace_owner
    from pulumi_smi.meshes.kube import manifest_name_problems, manifest_resource
    from pulumi_smi.spec import SpecSet
    from pulumi_smi.spec.models import ObjectKey

    target = ObjectKey("TrafficTarget", "shop", "t")
    shared = namespace_owner("shop")
    meta = {"name": "same", "namespace": "shop"}
    resources = [
        manifest_resource("a", "v1", "Thing", meta, {}, shared),
        manifest_resource("b", "v1", "Thing", meta, {}, target),
        manifest_resource("c", "v1", "Other", meta, {}, target),
        manifest_resource(
            "d", "v1", "Thing", {"name": "Bad_Name", "namespace": "shop"}, {}, target
        ),
    ]
    problems = manifest_name_problems(resources, SpecSet())
    assert [(p.kind, p.name, p.path) for p in problems] == [
        ("TrafficTarget", "t", "metadata.name"),
        ("TrafficTarget", "t", "metadata.name"),
    ]
    assert problems[0].message == "emits Thing shop/same, which a also emits"
    assert problems[1].message.startswith("Thing name: 'Bad_Name' is not a valid DNS-1123")
