"""regex_globs: every expansion matches exactly the strings its regex matches, or is refused.

The oracle is Python's ``re`` with SMI's anchoring (``pathRegex`` at the start only, header
values as a whole); the patterns are matched by the Istio evaluator's own matchers
(``evaluate.istio_authz.path_matches``/``string_matches``), independent of the module under test.
Strings come from the regex itself (hypothesis ``from_regex``), from the patterns, from small
edits of both, and at random from the characters the regex uses.
"""

from __future__ import annotations

import re
import string

import pytest
from evaluate.istio_authz import path_matches, string_matches
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pulumi_smi.meshes.regex_globs import (
    MAX_GLOBS,
    Glob,
    Globs,
    Inexpressible,
    path_globs,
    value_globs,
)
from pulumi_smi.spec.regex import regex_problem

PCHAR = string.ascii_letters + string.digits + "-._~%!$&'()+,;:@="
ALPHABET = PCHAR + "/*"  # '*' is the one character of valid paths that {*} refuses
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- the oracle and the patterns' meaning -----------------------------------------------


def smi_path_matches(regex: str, path: str) -> bool:
    """SMI: ``pathRegex`` anchored at the start of the path only (RE2's ASCII ``\\d``)."""
    return re.compile(regex, re.ASCII).match(path) is not None


def smi_value_matches(regex: str, value: str) -> bool:
    """SMI header values: the regex matches the whole value."""
    return re.compile(regex, re.ASCII).fullmatch(value) is not None


def globs_match_path(globs: Globs, path: str) -> bool:
    """Istio ``paths`` (any) and ``notPaths`` (none) of one operation."""
    return any(path_matches(g.pattern, path) for g in globs.include) and not any(
        path_matches(e, path) for e in globs.exclude
    )


def globs_match_value(globs: Globs, value: str) -> bool:
    """Istio ``values`` (any) and ``notValues`` (none) of one condition."""
    return any(string_matches(g.pattern, value) for g in globs.include) and not any(
        string_matches(e, value) for e in globs.exclude
    )


def has_templates(globs: Globs) -> bool:
    return any(g.kind == "template" for g in globs.include)


def check_path(regex: str, globs: Globs, path: str, exact: bool = True) -> None:
    """Never wider on any string; exact on the paths of valid requests ({*} is pchar only).

    A request path is never empty (Istio's ``*`` needs one character).
    """
    assume("\n" not in path)
    smi, istio = smi_path_matches(regex, path), globs_match_path(globs, path)
    assert smi or not istio, f"{globs} allows {path!r}, which {regex!r} does not match"
    if exact and path and not (has_templates(globs) and set(path) - set(PCHAR + "/")):
        assert istio or not smi, f"{globs} denies {path!r}, which {regex!r} matches"


def check_value(regex: str, globs: Globs, value: str) -> None:
    """Never wider; exact except on the empty value, which the evaluator's '*' refuses."""
    assume("\n" not in value)
    smi, istio = smi_value_matches(regex, value), globs_match_value(globs, value)
    assert smi or not istio, f"{globs} allows {value!r}, which {regex!r} does not match"
    if value:
        assert istio or not smi, f"{globs} denies {value!r}, which {regex!r} matches"


# --- strings to try ------------------------------------------------------------------------


def examples_of(globs: Globs, rest: str) -> list[str]:
    """Strings each pattern matches (and those just outside it), built around ``rest``."""
    found = list(globs.exclude)
    for glob in globs.include:
        value = glob.value
        if glob.kind == "template":
            value = value.replace("{**}", rest.strip("/") or "x/y").replace("{*}", rest or "x")
            found += [value, value + "/", value + rest, value.replace(rest or "x", "", 1)]
        else:
            found += [value, value + rest, rest + value, value[:-1], value + "/" + rest]
    return found


def edited(text: str, data: st.DataObject) -> str:
    """``text`` with one random character inserted, deleted or replaced, or truncated."""
    if not text:
        return data.draw(st.text(ALPHABET, max_size=2))
    at = data.draw(st.integers(0, len(text) - 1))
    char = data.draw(st.sampled_from(ALPHABET))
    return data.draw(
        st.sampled_from(
            [text[:at] + char + text[at:], text[:at] + text[at + 1 :], text[:at] + char, text[:at]]
        )
    )


def strings_for(regex: str, globs: Globs, data: st.DataObject, anchored_start: bool) -> list[str]:
    source = f"^(?:{regex})" if anchored_start else regex
    sample = data.draw(
        st.from_regex(re.compile(source, re.ASCII), fullmatch=not anchored_start, alphabet=ALPHABET)
    )
    chars = "".join(sorted(set(regex) - set("()[]{}|?+*^$\\"))) + "/x*"
    noise = data.draw(st.text(chars, max_size=12))
    rest = data.draw(st.text(ALPHABET, max_size=4))
    candidates = [sample, edited(sample, data), noise, "/" + noise, *examples_of(globs, rest)]
    some = data.draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=6))
    return candidates + [edited(c, data) for c in some]


# --- expressible regexes: the expected patterns, and exactness ------------------------------

PATHS: dict[str, tuple[list[str], list[str]]] = {
    # the regexes of issue 9 (and ones that already worked)
    "/api/(v1|v2)/users": (["/api/v1/users*", "/api/v2/users*"], []),
    "/v[12]/.*": (["/v1/*", "/v2/*"], []),
    "/api/v1/items/?$": (["/api/v1/items", "/api/v1/items/"], []),
    "/healthz|/readyz": (["/healthz*", "/readyz*"], []),
    "/files/.+": (["/files/*"], ["/files/"]),
    "/api/.*": (["/api/*"], []),
    "^/api/.*$": (["/api/*"], []),
    "/healthz$": (["/healthz"], []),
    "/metrics": (["/metrics*"], []),
    ".*": (["*"], []),
    "": (["*"], []),
    ".+": (["*"], []),
    "/users/[^/]+/orders$": (["/users/{*}/orders"], []),
    "/users/[^/]+": (["/users/{*}", "/users/{*}/{**}"], []),
    "/users/[^/]+/.*": (["/users/{*}/{**}"], []),
    # more forms
    "/a(b|c)": (["/ab*", "/ac*"], []),
    "^/healthz$|^/readyz$": (["/healthz", "/readyz"], []),
    "(/a|/b)(/c|/d)$": (["/a/c", "/a/d", "/b/c", "/b/d"], []),
    "/v\\d/x$": ([f"/v{d}/x" for d in range(10)], []),
    "/[a-c]{2}$": ([f"/{a}{b}" for a in "abc" for b in "abc"], []),
    "/x{2,3}$": (["/xx", "/xxx"], []),
    "/files/.?": (["/files/*"], []),
    "/files/.": (["/files/*"], ["/files/"]),
    "/files/.+|/files/$": (["/files/*"], []),
    "/api|/api/v1": (["/api*"], []),
    ".*\\.js$": (["*.js"], []),
    ".+\\.js$": (["*.js"], [".js"]),
    "(?:/a|/b)/(?P<id>[^/]+)$": (["/a/{*}", "/b/{*}"], []),
    "/users/[^/]*/x$": (["/users//x", "/users/{*}/x"], []),
    "/users/[^/]+/(a|b)?$": (["/users/{*}/", "/users/{*}/a", "/users/{*}/b"], []),
    "/users/[^/]+/(a/.*)?$": (["/users/{*}/", "/users/{*}/a/{**}"], []),
    "/(a|b)/[^/]+/.*|/(a|b)/[^/]+/x$": (["/a/{*}/{**}", "/b/{*}/{**}"], []),
    "/a\\.b\\-c$": (["/a.b-c"], []),
    "/a.*?": (["/a*"], []),
}

VALUES: dict[str, tuple[list[str], list[str]]] = {
    "(acme|globex)": (["acme", "globex"], []),
    "^v1$": (["v1"], []),
    "true": (["true"], []),
    ".*Firefox": (["*Firefox"], []),
    "v.*": (["v*"], []),
    ".*": (["*"], []),
    "abc.+": (["abc*"], ["abc"]),
    ".+abc": (["*abc"], ["abc"]),
    "(a|b)c": (["ac", "bc"], []),
    "v[12](-beta)?": (["v1", "v1-beta", "v2", "v2-beta"], []),
    "gzip.*|br": (["gzip*", "br"], []),
    ".*b|bx": (["*b", "bx"], []),
    ".*b|ab|b.*": (["*b", "b*"], []),
}


@pytest.mark.parametrize("regex", sorted(PATHS), ids=repr)
def test_path_expansion_is_the_expected_patterns(regex: str) -> None:
    globs = path_globs(regex)
    assert ([g.pattern for g in globs.include], list(globs.exclude)) == PATHS[regex]


@pytest.mark.parametrize("regex", sorted(VALUES), ids=repr)
def test_value_expansion_is_the_expected_patterns(regex: str) -> None:
    globs = value_globs(regex)
    assert ([g.pattern for g in globs.include], list(globs.exclude)) == VALUES[regex]


@pytest.mark.parametrize("regex", sorted(PATHS), ids=repr)
@SETTINGS
@given(data=st.data())
def test_path_expansion_matches_exactly_the_paths_smi_matches(
    regex: str, data: st.DataObject
) -> None:
    globs = path_globs(regex)
    for path in strings_for(regex, globs, data, anchored_start=True):
        check_path(regex, globs, path)


@pytest.mark.parametrize("regex", sorted(VALUES), ids=repr)
@SETTINGS
@given(data=st.data())
def test_value_expansion_matches_exactly_the_values_smi_matches(
    regex: str, data: st.DataObject
) -> None:
    globs = value_globs(regex)
    for value in strings_for(regex, globs, data, anchored_start=False):
        check_value(regex, globs, value)


def test_what_the_narrower_offer_denies() -> None:
    with pytest.raises(Inexpressible) as raised:
        path_globs("/users/[^/]+/orders")
    narrower = raised.value.narrower
    assert narrower is not None
    assert smi_path_matches("/users/[^/]+/orders", "/users/1/ordersx")
    assert not globs_match_path(narrower, "/users/1/ordersx")
    assert globs_match_path(narrower, "/users/1/orders/2")


def test_files_dot_plus_needs_its_exclusion() -> None:
    """Istio's ``/files/*`` also matches ``/files/`` itself, which ``/files/.+`` does not."""
    assert path_matches("/files/*", "/files/")
    assert not smi_path_matches("/files/.+", "/files/")
    globs = path_globs("/files/.+")
    assert not globs_match_path(globs, "/files/")
    assert globs_match_path(globs, "/files/a") and globs_match_path(globs, "/files//")
    assert not globs_match_path(globs, "/files")


def test_an_exclusion_the_language_needs_is_dropped() -> None:
    # '/files/' is matched by the second alternative, so excluding it would be narrower
    assert path_globs("/files/.+|/files/$").exclude == ()
    assert path_globs("/x/.+|/x/?$").exclude == ()
    assert path_globs("/x/.+|/y/.+").exclude == ("/x/", "/y/")


# --- inexpressible ------------------------------------------------------------------------

INEXPRESSIBLE_PATHS = {
    "/v[0-9]+/x": "repeats without bound",
    "/a+": "repeats without bound",
    "/x[^/]+/y$": "whole path segment",
    "[^/]+/x$": "start with '/'",
    "/a.*b": "wildcard in the middle",
    ".*foo": "'contains' match",
    "/a.{2,}": "only a run of",
    "/a.{1,3}$": "only a run of",
    "/[a-z][a-z]": f"more than {MAX_GLOBS} alternatives",
    "/(a|b|c|d|e)(a|b|c|d|e)(a|b|c|d|e)/x$": f"more than {MAX_GLOBS} alternatives",
    "/[^a]": "negated class",
    "/[^a]+": "negated class",
    "/x.$": "only a run of",
    "(?i)/api": "group syntax",
    "/a\\w": "escape",
    "/a\\b": "escape",
    "/a[[:alpha:]]": "POSIX",
    "/a$/b": "inside the regex",
    "/a(^/b)": "inside the regex",
    "^$": "empty path",
    "$": "empty path",
    "/users/[^/]+/.+": "after a '[^/]+' segment",
    "/users/[^/]+.x": "inside a path template",
    "/a{": "literal '{'",
    "/a/b c/[^/]+$": "cannot be in a path template",
}

INEXPRESSIBLE_VALUES = {
    "v[0-9]+": "repeats without bound",
    "^[0-9]{2,}$": "repeats without bound",
    ".*Firefox.*": "'contains' match",
    ".+": "would include the empty one",
    "a[^/]+": "path segment",
    "": "empty value",
    "a|": "empty value",
}


@pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")
@pytest.mark.parametrize(("regex", "why"), sorted(INEXPRESSIBLE_PATHS.items()), ids=repr)
def test_inexpressible_paths_are_refused_with_the_reason(regex: str, why: str) -> None:
    assert regex_problem(regex) is None, "the case must be a valid SMI regex"
    with pytest.raises(Inexpressible) as raised:
        path_globs(regex)
    assert why in raised.value.reason
    assert raised.value.narrower is None


@pytest.mark.parametrize(("regex", "why"), sorted(INEXPRESSIBLE_VALUES.items()), ids=repr)
def test_inexpressible_values_are_refused_with_the_reason(regex: str, why: str) -> None:
    assert regex_problem(regex) is None, "the case must be a valid SMI regex"
    with pytest.raises(Inexpressible) as raised:
        value_globs(regex)
    assert why in raised.value.reason


NARROWER = {
    "/users/[^/]+/orders": ["/users/{*}/orders", "/users/{*}/orders/{**}"],
    "/(a|b)/[^/]+/x": ["/a/{*}/x", "/a/{*}/x/{**}", "/b/{*}/x", "/b/{*}/x/{**}"],
}


@pytest.mark.parametrize("regex", sorted(NARROWER), ids=repr)
@SETTINGS
@given(data=st.data())
def test_an_open_literal_after_a_template_is_refused_with_a_narrower_offer(
    regex: str, data: st.DataObject
) -> None:
    with pytest.raises(Inexpressible) as raised:
        path_globs(regex)
    narrower = raised.value.narrower
    assert narrower is not None
    assert [g.pattern for g in narrower.include] == NARROWER[regex]
    assert "continuing the last segment" in raised.value.reason
    for path in strings_for(regex, narrower, data, anchored_start=True):
        check_path(regex, narrower, path, exact=False)  # narrower: never wider


# --- any regex at all: exact or refused ---------------------------------------------------

atoms = st.one_of(
    st.sampled_from([*"ab/1", "\\.", "[ab]", "[a-c]", "\\d", ".", "[^/]", "(?:)"]),
)


@st.composite
def regexes(draw: st.DrawFn, depth: int = 2) -> str:
    """Small regexes of the handled subset and around it (wildcards, negated classes...)."""
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth and draw(st.integers(0, 4)) == 0:
            branches = draw(st.lists(regexes(depth - 1), min_size=1, max_size=3))
            part = "(" + "|".join(branches) + ")"
        else:
            part = draw(atoms)
        quantifier = draw(st.sampled_from(["", "", "", "?", "*", "+", "{2}", "{0,2}", "*?"]))
        parts.append(part + quantifier)
    text = "".join(parts)
    prefix = draw(st.sampled_from(["", "", "^", "/"]))
    suffix = draw(st.sampled_from(["", "", "$"]))
    return prefix + text + suffix


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(regex=regexes(), data=st.data())
def test_every_regex_is_expanded_exactly_or_refused(regex: str, data: st.DataObject) -> None:
    assume(regex_problem(regex) is None)
    for anchored_start, expand, check in (
        (True, path_globs, check_path),
        (False, value_globs, check_value),
    ):
        try:
            globs = expand(regex)
        except Inexpressible as exc:
            assert exc.reason
            if exc.narrower is not None:
                for text in strings_for(regex, exc.narrower, data, anchored_start):
                    check_path(regex, exc.narrower, text, exact=False)
            continue
        assert globs.include and len(globs.include) + len(globs.exclude) <= MAX_GLOBS
        for text in strings_for(regex, globs, data, anchored_start):
            check(regex, globs, text)


def test_patterns_covered_by_another_are_left_out() -> None:
    assert Glob("prefix", "/a").covers(Glob("exact", "/ab"))
    assert Glob("template", "/u/{*}/{**}").covers(Glob("template", "/u/{*}/a/{*}"))
    assert not Glob("template", "/u/{*}/{**}").covers(Glob("exact", "/u/{*}/a"))
    assert not Glob("template", "/u/{**}").covers(Glob("prefix", "/u/a"))
    assert not Glob("suffix", "b").covers(Glob("prefix", "ab"))
    assert path_globs("/a|/ab|/abc$").include == (Glob("prefix", "/a"),)
