"""SMI weights and matches reduced to what a Lattice forward action and rule can say.

Weights: Lattice takes integers 0-999 per target group, relative. SMI weights are passed
through when they fit; otherwise divided by their greatest common divisor (ratios exact);
otherwise scaled by largest remainder to a sum of 999 — a non-zero weight rounding to 0 is
left out with a warning. Zero-weight backends are always left out (the provider drops
``weight: 0``, which would turn it into the default 100).

Matches: Lattice has no regexes. A path becomes exact or prefix (case-sensitive, as SMI's
regexes are), a header value exact, prefix or contains; anything else is refused, never
widened.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from ..access import Untranslatable
from ..paths import literal, smi_header, smi_path
from ..weights import largest_remainder

MAX_WEIGHT = 999
MAX_HEADERS = 5
_PATH = re.compile(r"/[a-zA-Z0-9@:%_+.~#?&/=-]*")


def lattice_weights(weights: Sequence[int]) -> tuple[list[int], bool]:
    """Lattice weights (0-999) for positive SMI ``weights``, and whether ratios are exact."""
    if max(weights) <= MAX_WEIGHT:
        return list(weights), True
    divisor = math.gcd(*weights)
    if max(weights) // divisor <= MAX_WEIGHT:
        return [w // divisor for w in weights], True
    return largest_remainder(weights, MAX_WEIGHT), False


def path_match(path_regex: str | None, where: str) -> dict[str, Any] | None:
    """The rule's ``pathMatch`` for an SMI ``pathRegex`` (None: every path)."""
    match = smi_path(path_regex)
    if match.kind == "any":
        return None
    if match.kind not in ("exact", "prefix"):
        raise Untranslatable(
            where,
            f"{path_regex!r} is not an exact path or a literal prefix ('/api/.*', '/api$'): "
            "Lattice matches paths by exact value or prefix only",
        )
    if len(match.value) > 200 or not _PATH.fullmatch(match.value):
        raise Untranslatable(
            where,
            f"Lattice path matches are 1-200 characters of /[a-zA-Z0-9@:%_+.~#?&/=-]*, "
            f"got {match.value!r}",
        )
    return {"match": {match.kind: match.value}, "caseSensitive": True}


def header_matches(headers: dict[str, str], where: str) -> list[dict[str, Any]]:
    """The rule's ``headerMatches`` for SMI header regexes (exact, prefix or contains)."""
    if len(headers) > MAX_HEADERS:
        raise Untranslatable(where, f"{len(headers)} headers; a Lattice rule matches at most 5")
    result = []
    for name, regex in sorted(headers.items()):
        kind, value = _header(regex)
        if kind is None or not value or len(value) > 200 or len(name) > 100:
            raise Untranslatable(
                f"{where}.{name}",
                f"{regex!r} is not an exact value, a literal prefix ('v.*') or a literal "
                "infix ('.*v.*') of 1-200 characters: Lattice cannot match it",
            )
        result.append({"name": name, "match": {kind: value}, "caseSensitive": True})
    return result


def _header(regex: str) -> tuple[str | None, str]:
    match = smi_header(regex)
    if match.kind in ("exact", "prefix"):
        return match.kind, match.value
    if regex.startswith(".*") and regex.endswith(".*") and len(regex) > 4:
        inner = literal(regex[2:-2])
        if inner:
            return "contains", inner
    return None, ""
