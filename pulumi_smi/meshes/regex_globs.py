"""Regexes as short lists of simple string patterns, exactly or not at all.

Meshes whose match fields are not regexes (Istio AuthorizationPolicy strings; VPC Lattice and
App Mesh matches) can still express many SMI regexes exactly: ``/api/(v1|v2)/users`` is the two
prefixes ``/api/v1/users`` and ``/api/v2/users``. The regex is parsed
(:mod:`~pulumi_smi.meshes.regex_syntax`) and its language expanded into words of literals and
wildcards (:mod:`~pulumi_smi.meshes.regex_words`); this module turns those into at most
:data:`MAX_GLOBS` patterns (:class:`Glob`): exact, prefix, suffix, any, and for paths URI
templates of whole segments. The result means the same strings as the regex, or
:class:`Inexpressible` is raised: it is never wider.

Understood: literals and escaped punctuation, alternation, groups (``(...)``, ``(?:...)``,
``(?P<n>...)``), small character classes (``[12]``, ``[a-c]``, ``\\d``), ``?`` and bounded
repetition (``{2}``, ``{1,3}``) of any of those, ``^`` and ``$`` at the ends of an alternative,
and three wildcards: a run of any characters (``.*``; ``.+`` is one the caller must exclude the
empty rest from, see :attr:`Globs.exclude`) and ``[^/]+``, a path segment (template ``{*}``).
Everything else (other negated classes, unbounded repetition of anything but those wildcards,
wildcards in the middle, inline flags, ``\\w``, ``\\b``...) is inexpressible.

Domain: HTTP paths and header values, which never hold a line break, so ``.`` is any character.
Templates run in Envoy as ``{*}`` = one or more pchar and ``{**}`` = any run of pchar and ``/``
(pchar: RFC 3986's set without ``*``); on the paths of valid requests ``[^/]+`` and ``{*}``
differ only on a literal ``*``, which the template refuses: narrower, never wider.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeAlias

from .regex_syntax import Anchor, Unsupported
from .regex_words import SEGMENT, Segment, Wild, Word, words

MAX_GLOBS = 64
"""The most patterns (and exclusions) one regex may expand to; beyond: inexpressible."""
ONE_SEGMENT = "{*}"
ANY_SEGMENTS = "{**}"
TEMPLATE_LITERAL = frozenset(string.ascii_letters + string.digits + "-._~%!$&'()+,;:@=")
"""The characters a literal segment of a path template may hold (pchar without ``*``)."""

GlobKind = Literal["exact", "prefix", "suffix", "any", "template"]


@dataclass(frozen=True)
class Glob:
    """A string pattern: ``value`` exactly, as a prefix, as a suffix, anything, or a template.

    ``any`` matches every string (as a path: every path); a ``template`` value is a path whose
    whole segments may be ``{*}`` (one segment) and whose end may be ``{**}`` (any segments).
    """

    kind: GlobKind
    value: str = ""

    @property
    def pattern(self) -> str:
        """The pattern in Istio's notation: ``x``, ``x*``, ``*x``, ``*`` or the template."""
        if self.kind == "prefix":
            return self.value + "*"
        if self.kind == "suffix":
            return "*" + self.value
        if self.kind == "any":
            return "*"
        return self.value

    def covers(self, other: Glob) -> bool:
        """Whether every string ``other`` matches is matched by this pattern too."""
        if self == other or self.kind == "any":
            return True
        if self.kind == "template" and other.kind == "exact":
            return re.fullmatch(_template_regex(self.value), other.value) is not None
        if self.kind == "template" and self.value.endswith("/" + ANY_SEGMENTS):
            head = self.value[: -len(ANY_SEGMENTS)]
            rest = other.value[len(head) :].replace(ANY_SEGMENTS, "").replace(ONE_SEGMENT, "")
            return (
                other.kind == "template"
                and other.value.startswith(head)
                and set(rest) <= TEMPLATE_LITERAL | {"/"}
            )
        if self.kind == "prefix":
            return other.kind in ("exact", "prefix") and other.value.startswith(self.value)
        if self.kind == "suffix":
            return other.kind in ("exact", "suffix") and other.value.endswith(self.value)
        return False


def _template_regex(template: str) -> str:
    """A path template as the regex Envoy runs (``{*}``: pchar+, ``{**}``: [pchar/]*)."""
    pchar = re.escape("".join(sorted(TEMPLATE_LITERAL)))
    operators = {ANY_SEGMENTS: f"[{pchar}/]*", ONE_SEGMENT: f"[{pchar}]+"}
    parts = re.split(r"(\{\*\*\}|\{\*\})", template)
    return "".join(operators.get(part, re.escape(part)) for part in parts)


@dataclass(frozen=True)
class Globs:
    """A regex's language: the strings matching one of ``include`` and none of ``exclude``.

    ``exclude`` holds exact strings (Istio ``notPaths``/``notValues`` of the same operation or
    condition); it is empty unless a ``.+`` needs its empty rest excluded.
    """

    include: tuple[Glob, ...]
    exclude: tuple[str, ...] = ()


class Inexpressible(ValueError):
    """The regex has no exact form in patterns; ``reason`` says which part is why.

    ``narrower``, when set, matches a subset of the regex's language that a caller may choose
    to use instead (with a warning: the difference is denied); ``reason`` then says what it
    leaves out.
    """

    def __init__(self, reason: str, narrower: Globs | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.narrower = narrower


def path_globs(path_regex: str) -> Globs:
    """The patterns matching exactly the paths SMI's ``pathRegex`` matches.

    SMI anchors ``pathRegex`` at the start only (``/api`` matches ``/api/v1``); an alternative
    ending in ``$`` is closed. Raises :class:`Inexpressible`.
    """
    shapes = []
    for word in _words(path_regex):
        items, closed = _shape(word)
        shapes.append(items if closed else _joined(items, (Wild(0, None),)))
    return _combine(shapes, _path_glob)


def value_globs(regex: str) -> Globs:
    """The patterns matching exactly the strings ``regex`` matches as a whole (header values).

    ``any`` means any value, the empty one included. Raises :class:`Inexpressible`.
    """
    return _combine([_shape(word)[0] for word in _words(regex)], _value_glob)


def _words(regex: str) -> list[Word]:
    """Every alternative of ``regex`` (:func:`~pulumi_smi.meshes.regex_words.words`)."""
    try:
        return words(regex, MAX_GLOBS)
    except Unsupported as exc:
        raise Inexpressible(exc.reason) from None


_Shape: TypeAlias = "tuple[str | Wild | Segment, ...]"
_Convert: TypeAlias = "Callable[[_Shape], _Converted]"


@dataclass(frozen=True)
class _Converted:
    globs: tuple[Glob, ...]
    exclude: tuple[str, ...] = ()
    lost: str = ""  # set: ``globs`` are narrower than the word, and this says what is lost


def _shape(word: Word) -> tuple[_Shape, bool]:
    """The word without its anchors (literal runs and wildcards merged), and if '$' closed it."""
    items = list(word)
    while items and isinstance(items[0], Anchor) and not items[0].end:
        items.pop(0)
    closed = False
    while items and isinstance(items[-1], Anchor) and items[-1].end:
        items.pop()
        closed = True
    inner: list[str | Wild | Segment] = []
    for item in items:
        if isinstance(item, Anchor):
            raise Inexpressible(f"'{item.text}' inside the regex (only at the ends of it)")
        inner.append(item)
    return _joined((), tuple(inner)), closed


def _joined(shape: _Shape, more: _Shape) -> _Shape:
    items = list(shape)
    for item in more:
        last = items[-1] if items else None
        if isinstance(item, str) and isinstance(last, str):
            items[-1] = last + item
            continue
        if isinstance(item, Wild) and isinstance(last, Wild):
            items[-1] = last + item
            continue
        items.append(item)
    return tuple(items)


def _combine(shapes: list[_Shape], convert: _Convert) -> Globs:
    """One :class:`Globs` for the union of ``shapes``; exclusions only where needed."""
    include: list[Glob] = []
    exclude: list[str] = []
    lost: list[str] = []
    for shape in shapes:
        converted = convert(shape)
        include += converted.globs
        exclude += converted.exclude
        lost += [converted.lost] if converted.lost else []
    include = list(dict.fromkeys(include))
    include = [g for g in include if not any(o != g and o.covers(g) for o in include)]
    exclude = list(dict.fromkeys(exclude))
    if exclude:  # compiled only when needed: most words exclude nothing
        reference = [re.compile(_regex(shape), re.DOTALL) for shape in shapes]
        exclude = [e for e in exclude if not any(r.fullmatch(e) for r in reference)]
    if len(include) + len(exclude) > MAX_GLOBS:
        raise Inexpressible(f"it expands to more than {MAX_GLOBS} patterns")
    globs = Globs(tuple(include), tuple(exclude))
    if lost:
        raise Inexpressible("; ".join(dict.fromkeys(lost)), narrower=globs)
    return globs


def _regex(shape: _Shape) -> str:
    """The shape as a Python regex (to tell whether an exclusion is in the language)."""
    parts = []
    for item in shape:
        if isinstance(item, str):
            parts.append(re.escape(item))
        elif isinstance(item, Wild):
            parts.append(f"(?:.{{{item.least},{'' if item.most is None else item.most}}})")
        else:
            parts.append("[^/]+")
    return "".join(parts)


def _path_glob(shape: _Shape) -> _Converted:
    if SEGMENT in shape:
        return _template(shape)
    return _string_glob(shape, "path")


def _value_glob(shape: _Shape) -> _Converted:
    if SEGMENT in shape:
        raise Inexpressible("'[^/]+' in a value (it is a path segment)")
    return _string_glob(shape, "value")


def _string_glob(shape: _Shape, what: Literal["path", "value"]) -> _Converted:
    """Exact, prefix (``x.*``, ``x.+``), suffix (``.*x``, ``.+x``) or any (``.*``)."""
    match shape:
        case ():
            raise Inexpressible(f"it matches only the empty {what}")
        case (str(text),):
            return _Converted((Glob("exact", text),))
        case (str(text), Wild() as wild):
            return _Converted((Glob("prefix", text),), _rest_excluded(text, wild))
        case (Wild() as wild, str(text)):
            return _Converted((Glob("suffix", text),), _rest_excluded(text, wild))
        case (Wild(least=least, most=None),) if least == 0 or (least == 1 and what == "path"):
            return _Converted((Glob("any"),))  # a path is never empty
        case (Wild() as wild,):
            raise Inexpressible(f"'{wild.text}' alone: 'any {what}' would include the empty one")
        case (Wild(), str(text), Wild()):
            raise Inexpressible(f"{text!r} between wildcards (a 'contains' match)")
    raise Inexpressible("a wildcard in the middle")


def _rest_excluded(text: str, wild: Wild) -> tuple[str, ...]:
    """What a prefix/suffix ``text`` must exclude to be ``wild`` (``.*``: nothing; ``.+``)."""
    if wild.most is not None or wild.least > 1:
        raise Inexpressible(f"'{wild.text}' (only a run of '.*' or '.+' can be a wildcard)")
    return (text,) if wild.least == 1 else ()


def _template(shape: _Shape) -> _Converted:
    """Literal and ``[^/]+`` segments, then optionally ``.*`` (open: any continuation)."""
    tail = shape[-1] if isinstance(shape[-1], Wild) else None
    body = shape[:-1] if tail is not None else shape
    if any(isinstance(item, Wild) for item in body):
        raise Inexpressible("a wildcard inside a path template (only '.*' at its end)")
    text = "".join(ONE_SEGMENT if isinstance(item, Segment) else str(item) for item in body)
    if not text.startswith("/"):
        raise Inexpressible("a path template must start with '/'")
    for segment in text.split("/"):
        if ONE_SEGMENT in segment and segment != ONE_SEGMENT:
            raise Inexpressible("'[^/]+' must be a whole path segment")
        odd = [c for c in segment if c not in TEMPLATE_LITERAL] if segment != ONE_SEGMENT else []
        if odd:
            raise Inexpressible(f"{odd[0]!r} cannot be in a path template")
    if tail is None:
        return _Converted((Glob("template", text),))
    if tail != Wild(0, None):
        raise Inexpressible(f"'{tail.text}' after a '[^/]+' segment (only '.*' or '$')")
    if text.endswith("/"):
        return _Converted((Glob("template", text + ANY_SEGMENTS),))
    globs = (Glob("template", text), Glob("template", f"{text}/{ANY_SEGMENTS}"))
    if text.endswith(ONE_SEGMENT):
        return _Converted(globs)
    example = text.replace(ONE_SEGMENT, "x")
    return _Converted(
        globs,
        lost=f"also matches paths continuing the last segment (such as {example}-more), which "
        f"Istio path templates cannot express: only {text} and {text}/... are allowed",
    )
