"""SMI regular expressions: validation and anchoring, written once for every target.

SMI path and header regexes are executed by Envoy-based meshes with RE2, so the
constructs RE2 lacks (look-around, back-references, atomic groups, possessive
quantifiers) are rejected up front rather than failing inside a proxy.
"""

from __future__ import annotations

import re
import warnings

from ..errors import shown

_RE2_UNSUPPORTED_GROUPS = {
    "(?=": "a look-ahead",
    "(?!": "a negative look-ahead",
    "(?<=": "a look-behind",
    "(?<!": "a negative look-behind",
    "(?>": "an atomic group",
    "(?P=": "a named back-reference",
    "(?(": "a conditional group",
    "(?#": "a comment group",
}
_RE2_GROUP_OK = re.compile(r"\(\?(:|P?<[A-Za-z_]\w*>|[imsU]*(-[imsU]+)?[:)])")
_COUNTED = re.compile(r"\{\d+(,\d*)?\}")
_UPTO = re.compile(r"\{,\d+\}")
_PYTHON_ONLY_ESCAPES = {"Z": r"the \Z end anchor (use $)"}
_POSIX_CLASS = re.compile(r"\[:\^?[a-z]+:\]")
_parse = getattr(getattr(re, "_parser", None), "parse", re.compile)
"""Python's regex parser: the errors of :func:`re.compile` without building the matcher
(a tenth of a second per thousand TrafficTargets). ``re.compile`` where it is not there."""
MAX_REPEAT = 1000
"""RE2's largest repetition count, of one ``{n,m}`` and of nested ones multiplied."""
MAX_NESTING = 100
"""The deepest nesting of groups accepted (RE2 allows more, but no path regex needs it)."""


def regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a usable (RE2-compatible) regex, or None if it is."""
    limit = _limits_problem(pattern)
    if limit:
        return f"regular expression {shown(pattern)} {limit}"
    try:
        with warnings.catch_warnings():
            # '[[', '--', '&&', '~~', '||' in a class: Python warns that it may read them as set
            # operations one day; RE2 reads them as it does today (and [:alpha:] as a class)
            warnings.simplefilter("ignore", FutureWarning)
            _parse(pattern)
    except re.error as exc:
        return f"invalid regular expression {shown(pattern)}: {exc}"
    construct = _re2_unsupported(pattern)
    if construct:
        return (
            f"regular expression {shown(pattern)} uses {construct}, which RE2 (Envoy) does not "
            "support"
        )
    return None


def _limits_problem(pattern: str) -> str | None:
    """Why ``pattern`` nests or repeats too much for RE2 (or for a safe parse), or None.

    Checked before compiling: Python's parser overflows on ``a{4294967296}`` and recurses
    once per nested group. Counts are RE2's: at most :data:`MAX_REPEAT` each, and their
    product along nested groups at most :data:`MAX_REPEAT` too.
    """
    products = [1]  # per open group: the largest product of repetitions inside it
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            if _POSIX_CLASS.match(pattern, i):
                i = pattern.index(":]", i) + 2  # RE2's [:alpha:]: its ']' does not close
                continue
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += pattern.startswith("^", i + 1)
            i += pattern.startswith("]", i + 1)
        elif char == "(":
            products.append(1)
            if len(products) > MAX_NESTING + 1:
                return f"nests groups more than {MAX_NESTING} deep"
        elif char == ")" and len(products) > 1:
            inner = products.pop()
            count, i = _count_after(pattern, i + 1)
            products[-1] = max(products[-1], inner * count)
            continue
        elif char == "{":
            count, end = _count_after(pattern, i)
            if end > i:
                products[-1] = max(products[-1], count)
                i = end
                continue
        if products[-1] > MAX_REPEAT:
            break
        i += 1
    worst = max(products)
    if worst > MAX_REPEAT:
        return f"repeats more than {MAX_REPEAT} times (RE2's limit, nested repetitions multiplied)"
    return None


def _count_after(pattern: str, at: int) -> tuple[int, int]:
    """(the count of the ``{n,m}`` at ``at``, or 1; the index after it)."""
    counted = _COUNTED.match(pattern, at)
    if not counted:
        return 1, at
    low, _, high = counted.group(0)[1:-1].partition(",")
    return max(int(low), int(high) if high else 0), counted.end()


def _re2_unsupported(pattern: str) -> str | None:
    """The first construct of ``pattern`` (a valid Python regex) that RE2 lacks, or None."""
    in_class = False
    after_quantifier = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        quantifier = False
        if char == "\\":
            nxt = pattern[i + 1 : i + 2]
            if not in_class and nxt.isdigit() and nxt != "0":
                return "a back-reference"
            if not in_class and nxt in _PYTHON_ONLY_ESCAPES:
                return _PYTHON_ONLY_ESCAPES[nxt]
            i += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += pattern.startswith("^", i + 1)
            i += pattern.startswith("]", i + 1)
        elif char == "(" and pattern.startswith("(?", i):
            for prefix, name in _RE2_UNSUPPORTED_GROUPS.items():
                if pattern.startswith(prefix, i):
                    return name
            if not _RE2_GROUP_OK.match(pattern, i):
                return "an inline flag other than i, m, s, U"
        elif char in "*+?":
            if after_quantifier and char == "+":
                return "a possessive quantifier"
            quantifier = not (after_quantifier and char == "?")  # '?' after one makes it lazy
        elif char == "{":
            if _UPTO.match(pattern, i):
                return "a '{,n}' quantifier (RE2 reads it literally; write {0,n})"
            counted = _COUNTED.match(pattern, i)
            if counted:
                i = counted.end() - 1
                quantifier = True
        after_quantifier = quantifier
        i += 1
    return None


def full_match_of_prefix_regex(pattern: str) -> str:
    """The full-match regex equivalent to SMI's start-anchored ``pattern``.

    SMI anchors ``pathRegex`` at the start of the path only; Envoy-based meshes
    require the whole path to match. ``(?:pattern).*`` accepts exactly the paths
    SMI accepts, whatever alternations the pattern holds.
    """
    if pattern.endswith(".*") and not pattern.endswith("\\.*") and "|" not in pattern:
        return pattern
    return f"(?:{pattern}).*"
