"""Conservative relations between Gateway API HTTPRouteMatches, for sharing a Linkerd Server.

:func:`contains` answers True only when every request one match set matches is matched by the
other (so authorizing on it never widens); :func:`overlap` answers False only when no request
can match both (so no warning is missed). Regexes are tried with Python's ``re``, close to
Linkerd's Rust regex for the patterns SMI translations produce; anything unsure counts as
"not contained" and "may overlap".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..paths import literal

Match = Mapping[str, Any]


def contains(outer: Iterable[Match], inner: Iterable[Match]) -> bool:
    """Whether every request matching one of ``inner`` matches one of ``outer``."""
    wide = list(outer)
    return all(any(_within(match, o) for o in wide) for match in inner)


def _within(match: Match, outer: Match) -> bool:
    if "method" in outer and outer["method"] != match.get("method"):
        return False
    headers = match.get("headers", ())
    if any(h not in headers for h in outer.get("headers", ())):
        return False
    wide = outer.get("path")
    if wide is None or wide == {"type": "PathPrefix", "value": "/"}:
        return True
    narrow = match.get("path")
    if narrow == wide:
        return True
    if narrow is None or wide["type"] != "RegularExpression":
        return False
    if narrow["type"] == "Exact":
        return _fullmatch(wide["value"], narrow["value"]) is True
    outer_prefix, inner_prefix = _prefix(wide["value"]), _prefix(narrow["value"])
    return None not in (outer_prefix, inner_prefix) and str(inner_prefix).startswith(
        str(outer_prefix)
    )


def _prefix(regex: str) -> str | None:
    """The string prefix a ``<literal>.*`` regex stands for, else None."""
    return literal(regex[:-2]) if regex.endswith(".*") else None


def overlap(a: Match, b: Match) -> bool:
    """False only when no request can match both ``a`` and ``b``."""
    if "method" in a and "method" in b and a["method"] != b["method"]:
        return False
    if _disjoint(a.get("path"), b.get("path")):
        return False
    b_headers = {h["name"]: h for h in b.get("headers", ())}
    return not any(
        _disjoint(h, b_headers[h["name"]]) for h in a.get("headers", ()) if h["name"] in b_headers
    )


def may_tie_with_any(match: Match) -> bool:
    """Whether ``match`` can rank equal to a catch-all (prefix ``/``) for some request.

    Linkerd ranks by matched path length, then header count, then method: only a match
    without method and headers whose path can be exactly ``/`` ties (a tie goes by route age).
    """
    if "method" in match or match.get("headers"):
        return False
    path = match.get("path")
    if path is None or path["type"] == "PathPrefix":
        return True
    if path["type"] == "Exact":
        return bool(path["value"] == "/")
    return _fullmatch(path["value"], "/") is not False


def _disjoint(a: Mapping[str, str] | None, b: Mapping[str, str] | None) -> bool:
    if a is None or b is None:
        return False
    if a["type"] == "Exact" and b["type"] == "Exact":
        return bool(a["value"] != b["value"])
    if a["type"] == "Exact" and b["type"] == "RegularExpression":
        return _fullmatch(b["value"], a["value"]) is False
    if b["type"] == "Exact" and a["type"] == "RegularExpression":
        return _fullmatch(a["value"], b["value"]) is False
    return False


def _fullmatch(regex: str, text: str) -> bool | None:
    """Whether ``regex`` matches all of ``text`` as Linkerd checks it; None when unsure."""
    try:
        found = re.match(regex, text)
    except re.error:
        return None
    return found is not None and found.end() == len(text)
