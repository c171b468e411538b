"""Regexes as short lists of simple string patterns, exactly or not at all.

Meshes whose match fields are not regexes (Istio AuthorizationPolicy strings; VPC Lattice and
App Mesh matches) can still express many SMI regexes exactly: ``/api/(v1|v2)/users`` is the two
prefixes ``/api/v1/users`` and ``/api/v2/users``. This module parses the RE2 subset that has such
a form and expands the regex's language into at most :data:`MAX_GLOBS` patterns (:class:`Glob`):
exact, prefix, suffix, any, and for paths URI templates of whole segments. The result means the
same strings as the regex, or :class:`Inexpressible` is raised: it is never wider.

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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

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
        shapes.append(items if closed else _joined(items, (_Wild(0, None),)))
    return _combine(shapes, _path_glob)


def value_globs(regex: str) -> Globs:
    """The patterns matching exactly the strings ``regex`` matches as a whole (header values).

    ``any`` means any value, the empty one included. Raises :class:`Inexpressible`.
    """
    return _combine([_shape(word)[0] for word in _words(regex)], _value_glob)


# --- parsing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Chars:
    """One character of ``chars`` (``negated``: one character not in ``chars``)."""

    chars: frozenset[str]
    negated: bool
    text: str


@dataclass(frozen=True)
class _Anchor:
    end: bool  # '$' (else '^')
    text: str


@dataclass(frozen=True)
class _Group:
    branches: tuple[tuple[_Node, ...], ...]
    text: str


@dataclass(frozen=True)
class _Repeat:
    node: _Node
    least: int
    most: int | None
    text: str


_Node: TypeAlias = "_Chars | _Anchor | _Group | _Repeat"
_DOT = frozenset("\n")
_SLASH = frozenset("/")
_DIGITS = frozenset(string.digits)
_COUNTED = re.compile(r"\{(\d+)(,(\d*))?\}")


class _Parser:
    """A recursive-descent parser of the RE2 subset described in the module docstring."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.pos = 0

    def parse(self) -> _Group:
        group = self._alternation()
        if self.pos < len(self.pattern):
            raise Inexpressible(f"unbalanced ')' at position {self.pos}")
        return group

    def _peek(self, offset: int = 0) -> str:
        return self.pattern[self.pos + offset : self.pos + offset + 1]

    def _alternation(self) -> _Group:
        start = self.pos
        branches = [self._sequence()]
        while self._peek() == "|":
            self.pos += 1
            branches.append(self._sequence())
        return _Group(tuple(branches), self.pattern[start : self.pos])

    def _sequence(self) -> tuple[_Node, ...]:
        items: list[_Node] = []
        while self._peek() not in ("", "|", ")"):
            items.append(self._quantified())
        return tuple(items)

    def _quantified(self) -> _Node:
        start = self.pos
        atom = self._atom()
        bounds = self._quantifier()
        if bounds is None:
            return atom
        if self._peek() and self._peek() in "*+?{":
            raise Inexpressible(f"stacked quantifiers at {self.pattern[start : self.pos + 1]!r}")
        text = self.pattern[start : self.pos]
        if isinstance(atom, _Anchor):
            raise Inexpressible(f"a quantified anchor {text!r}")
        return _Repeat(atom, bounds[0], bounds[1], text)

    def _quantifier(self) -> tuple[int, int | None] | None:
        char = self._peek()
        bounds: tuple[int, int | None]
        if char in ("*", "+", "?"):
            self.pos += 1
            bounds = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
        elif char == "{":
            counted = _COUNTED.match(self.pattern, self.pos)
            if counted is None:
                raise Inexpressible(f"a literal '{{' at position {self.pos} (write \\{{)")
            self.pos = counted.end()
            least = int(counted.group(1))
            if counted.group(2) is None:
                bounds = (least, least)
            else:
                bounds = (least, int(counted.group(3)) if counted.group(3) else None)
        else:
            return None
        if self._peek() == "?":
            self.pos += 1  # lazy: the same language
        return bounds

    def _atom(self) -> _Node:
        start = self.pos
        char = self._peek()
        self.pos += 1
        if char == "(":
            return self._group(start)
        if char == "[":
            return self._class(start)
        if char == ".":
            return _Chars(_DOT, True, ".")
        if char in ("^", "$"):
            return _Anchor(char == "$", char)
        if char == "\\":
            return self._escape(start)
        if char in "*+?{}":
            raise Inexpressible(f"a bare {char!r} at position {start}")
        return _Chars(frozenset(char), False, char)

    def _group(self, start: int) -> _Group:
        if self.pattern.startswith("?:", self.pos):
            self.pos += 2
        elif self.pattern.startswith("?P<", self.pos) and ">" in self.pattern[self.pos :]:
            self.pos = self.pattern.index(">", self.pos) + 1
        elif self._peek() == "?":
            raise Inexpressible(f"the group syntax {self.pattern[start : start + 4]!r}...")
        inner = self._alternation()
        if self._peek() != ")":
            raise Inexpressible(f"an unclosed group at position {start}")
        self.pos += 1
        return _Group(inner.branches, self.pattern[start : self.pos])

    def _escape(self, start: int) -> _Chars:
        chars = self._escaped()
        return _Chars(chars, False, self.pattern[start : self.pos])

    def _escaped(self) -> frozenset[str]:
        """The characters of the escape after a backslash (only ``\\d`` and punctuation)."""
        char = self._peek()
        self.pos += 1
        if char == "d":
            return _DIGITS
        if char and char in string.punctuation:
            return frozenset(char)
        raise Inexpressible(f"the escape \\{char}")

    def _class(self, start: int) -> _Chars:
        negated = self._peek() == "^"
        self.pos += negated
        chars: set[str] = set()
        first = True
        while first or self._peek() != "]":
            if not self._peek():
                raise Inexpressible(f"an unclosed class at position {start}")
            first = False
            low = self._class_char()
            if len(low) > 1 or self._peek() != "-" or self._peek(1) in ("]", ""):
                chars |= low
                continue
            self.pos += 1
            high = self._class_char()
            if len(high) > 1:
                raise Inexpressible(f"a range ending in a class at position {self.pos}")
            (first_char,), (last_char,) = low, high
            if ord(last_char) - ord(first_char) > 255:
                raise Inexpressible(f"the range {first_char}-{last_char} is too large")
            chars |= {chr(c) for c in range(ord(first_char), ord(last_char) + 1)}
        self.pos += 1
        return _Chars(frozenset(chars), negated, self.pattern[start : self.pos])

    def _class_char(self) -> frozenset[str]:
        char = self._peek()
        if char == "\\":
            self.pos += 1
            return self._escaped()
        if char == "[":
            raise Inexpressible("a '[' inside a class (RE2 reads [:alpha:] as a POSIX class)")
        self.pos += 1
        return frozenset(char)


# --- expansion into words -----------------------------------------------------------------


@dataclass(frozen=True)
class _Wild:
    """A run of ``least`` to ``most`` (None: unbounded) characters of any kind."""

    least: int
    most: int | None

    def __add__(self, other: _Wild) -> _Wild:
        most = None if self.most is None or other.most is None else self.most + other.most
        return _Wild(self.least + other.least, most)

    @property
    def text(self) -> str:
        if (self.least, self.most) in ((0, None), (1, None)):
            return ".*" if self.least == 0 else ".+"
        if self.least == self.most:
            return "." if self.least == 1 else f".{{{self.least}}}"
        return f".{{{self.least},{'' if self.most is None else self.most}}}"


@dataclass(frozen=True)
class _Segment:
    """``[^/]+``: one or more characters other than ``/``."""


_SEGMENT = _Segment()
_Item: TypeAlias = "str | _Wild | _Segment | _Anchor"
_Word: TypeAlias = "tuple[_Item, ...]"


def _words(regex: str) -> list[_Word]:
    """Every alternative of ``regex`` as a sequence of literals, wildcards and anchors."""
    return _expand(_Parser(regex).parse())


def _expand(node: _Node) -> list[_Word]:
    if isinstance(node, _Chars):
        if node.negated:
            if node.chars == _DOT:
                return [(_Wild(1, 1),)]
            raise Inexpressible(f"{node.text!r} (a negated class) matches too many characters")
        _check_count(len(node.chars), node.text)
        return [(char,) for char in sorted(node.chars)]
    if isinstance(node, _Anchor):
        return [(node,)]
    if isinstance(node, _Group):
        words: list[_Word] = []
        for branch in node.branches:
            words += _sequence_words(branch)
            _check_count(len(words), node.text)
        return _unique(words)
    return _repeat(node)


def _sequence_words(items: Sequence[_Node]) -> list[_Word]:
    words: list[_Word] = [()]
    for item in items:
        words = _product(words, _expand(item), item.text)
    return words


def _product(left: list[_Word], right: list[_Word], text: str) -> list[_Word]:
    _check_count(len(left) * len(right), text)
    return _unique([a + b for a in left for b in right])


def _repeat(node: _Repeat) -> list[_Word]:
    inner = node.node
    if isinstance(inner, _Chars) and inner.negated:
        if inner.chars == _DOT:
            return [(_Wild(node.least, node.most),)]
        if inner.chars == _SLASH and node.most is None and node.least <= 1:
            return ([()] if node.least == 0 else []) + [(_SEGMENT,)]
        raise Inexpressible(f"{node.text!r} (only [^/]+ and [^/]* repeat a negated class)")
    if node.most is None:
        raise Inexpressible(
            f"{node.text!r} repeats without bound (only '.*', '.+' and '[^/]+' can)"
        )
    once = _expand(inner)
    words: list[_Word] = []
    power: list[_Word] = [()]
    for count in range(node.most + 1):
        if count >= node.least:
            words = _unique(words + power)
            _check_count(len(words), node.text)
        if count < node.most:
            power = _product(power, once, node.text)
    return words


def _check_count(count: int, text: str) -> None:
    if count > MAX_GLOBS:
        raise Inexpressible(f"it has more than {MAX_GLOBS} alternatives (at {text!r})")


def _unique(words: Iterable[_Word]) -> list[_Word]:
    return list(dict.fromkeys(words))


# --- words as patterns -------------------------------------------------------------------

_Shape: TypeAlias = "tuple[str | _Wild | _Segment, ...]"
_Convert: TypeAlias = "Callable[[_Shape], _Converted]"


@dataclass(frozen=True)
class _Converted:
    globs: tuple[Glob, ...]
    exclude: tuple[str, ...] = ()
    lost: str = ""  # set: ``globs`` are narrower than the word, and this says what is lost


def _shape(word: _Word) -> tuple[_Shape, bool]:
    """The word without its anchors (literal runs and wildcards merged), and if '$' closed it."""
    items = list(word)
    while items and isinstance(items[0], _Anchor) and not items[0].end:
        items.pop(0)
    closed = False
    while items and isinstance(items[-1], _Anchor) and items[-1].end:
        items.pop()
        closed = True
    inner: list[str | _Wild | _Segment] = []
    for item in items:
        if isinstance(item, _Anchor):
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
        if isinstance(item, _Wild) and isinstance(last, _Wild):
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
    reference = [re.compile(_regex(shape), re.DOTALL) for shape in shapes]
    exclude = [e for e in dict.fromkeys(exclude) if not any(r.fullmatch(e) for r in reference)]
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
        elif isinstance(item, _Wild):
            parts.append(f"(?:.{{{item.least},{'' if item.most is None else item.most}}})")
        else:
            parts.append("[^/]+")
    return "".join(parts)


def _path_glob(shape: _Shape) -> _Converted:
    if _SEGMENT in shape:
        return _template(shape)
    return _string_glob(shape, "path")


def _value_glob(shape: _Shape) -> _Converted:
    if _SEGMENT in shape:
        raise Inexpressible("'[^/]+' in a value (it is a path segment)")
    return _string_glob(shape, "value")


def _string_glob(shape: _Shape, what: Literal["path", "value"]) -> _Converted:
    """Exact, prefix (``x.*``, ``x.+``), suffix (``.*x``, ``.+x``) or any (``.*``)."""
    match shape:
        case ():
            raise Inexpressible(f"it matches only the empty {what}")
        case (str(text),):
            return _Converted((Glob("exact", text),))
        case (str(text), _Wild() as wild):
            return _Converted((Glob("prefix", text),), _rest_excluded(text, wild))
        case (_Wild() as wild, str(text)):
            return _Converted((Glob("suffix", text),), _rest_excluded(text, wild))
        case (_Wild(least=least, most=None),) if least == 0 or (least == 1 and what == "path"):
            return _Converted((Glob("any"),))  # a path is never empty
        case (_Wild() as wild,):
            raise Inexpressible(f"'{wild.text}' alone: 'any {what}' would include the empty one")
        case (_Wild(), str(text), _Wild()):
            raise Inexpressible(f"{text!r} between wildcards (a 'contains' match)")
    raise Inexpressible("a wildcard in the middle")


def _rest_excluded(text: str, wild: _Wild) -> tuple[str, ...]:
    """What a prefix/suffix ``text`` must exclude to be ``wild`` (``.*``: nothing; ``.+``)."""
    if wild.most is not None or wild.least > 1:
        raise Inexpressible(f"'{wild.text}' (only a run of '.*' or '.+' can be a wildcard)")
    return (text,) if wild.least == 1 else ()


def _template(shape: _Shape) -> _Converted:
    """Literal and ``[^/]+`` segments, then optionally ``.*`` (open: any continuation)."""
    tail = shape[-1] if isinstance(shape[-1], _Wild) else None
    body = shape[:-1] if tail is not None else shape
    if any(isinstance(item, _Wild) for item in body):
        raise Inexpressible("a wildcard inside a path template (only '.*' at its end)")
    text = "".join(ONE_SEGMENT if isinstance(item, _Segment) else str(item) for item in body)
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
    if tail != _Wild(0, None):
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
