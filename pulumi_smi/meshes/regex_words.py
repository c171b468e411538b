"""A parsed regex's language as a short list of words: literals, wildcards and anchors.

:func:`words` expands every alternative, class member and bounded repetition of a regex
(:mod:`~pulumi_smi.meshes.regex_syntax`) into its own :data:`Word`, up to a limit: ``/(a|b)c?``
is ``/a``, ``/ac``, ``/b``, ``/bc``. What cannot be enumerated survives only as a wildcard:
``.`` and its bounded or unbounded runs (:class:`Wild`), and ``[^/]+`` (:data:`SEGMENT`, with
``[^/]*`` also the empty word). Other negated classes, unbounded repetition of anything else
and more alternatives than the limit raise :class:`~pulumi_smi.meshes.regex_syntax.Unsupported`.
Anchors stay in the words; where they may stand is the caller's question.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from .regex_syntax import DOT, Anchor, Chars, Group, Node, Repeat, Unsupported, parse

__all__ = ["SEGMENT", "Item", "Segment", "Wild", "Word", "words"]


@dataclass(frozen=True)
class Wild:
    """A run of ``least`` to ``most`` (None: unbounded) characters of any kind."""

    least: int
    most: int | None

    def __add__(self, other: Wild) -> Wild:
        most = None if self.most is None or other.most is None else self.most + other.most
        return Wild(self.least + other.least, most)

    @property
    def text(self) -> str:
        if (self.least, self.most) in ((0, None), (1, None)):
            return ".*" if self.least == 0 else ".+"
        if self.least == self.most:
            return "." if self.least == 1 else f".{{{self.least}}}"
        return f".{{{self.least},{'' if self.most is None else self.most}}}"


@dataclass(frozen=True)
class Segment:
    """``[^/]+``: one or more characters other than ``/``."""


SEGMENT = Segment()
Item: TypeAlias = "str | Wild | Segment | Anchor"
"""One step of a word: a literal character, a wildcard or an anchor."""
Word: TypeAlias = "tuple[Item, ...]"
"""One alternative of a regex, as the sequence of its items."""
_SLASH = frozenset("/")


def words(regex: str, limit: int) -> list[Word]:
    """Every alternative of ``regex`` as a sequence of literals, wildcards and anchors.

    Raises :class:`~pulumi_smi.meshes.regex_syntax.Unsupported`, also when some part of
    ``regex`` has more than ``limit`` alternatives.
    """
    return _Expansion(limit).expand(parse(regex))


class _Expansion:
    """The words of nodes, never more than ``limit`` of them for any one node."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def expand(self, node: Node) -> list[Word]:
        if isinstance(node, Chars):
            if node.negated:
                if node.chars == DOT:
                    return [(Wild(1, 1),)]
                raise Unsupported(f"{node.text!r} (a negated class) matches too many characters")
            self._check_count(len(node.chars), node.text)
            return [(char,) for char in sorted(node.chars)]
        if isinstance(node, Anchor):
            return [(node,)]
        if isinstance(node, Group):
            words: list[Word] = []
            for branch in node.branches:
                words += self._sequence_words(branch)
                self._check_count(len(words), node.text)
            return _unique(words)
        return self._repeat(node)

    def _sequence_words(self, items: Sequence[Node]) -> list[Word]:
        words: list[Word] = [()]
        for item in items:
            words = self._product(words, self.expand(item), item.text)
        return words

    def _product(self, left: list[Word], right: list[Word], text: str) -> list[Word]:
        self._check_count(len(left) * len(right), text)
        return _unique([a + b for a in left for b in right])

    def _repeat(self, node: Repeat) -> list[Word]:
        inner = node.node
        if isinstance(inner, Chars) and inner.negated:
            if inner.chars == DOT:
                return [(Wild(node.least, node.most),)]
            if inner.chars == _SLASH and node.most is None and node.least <= 1:
                return ([()] if node.least == 0 else []) + [(SEGMENT,)]
            raise Unsupported(f"{node.text!r} (only [^/]+ and [^/]* repeat a negated class)")
        if node.most is None:
            raise Unsupported(
                f"{node.text!r} repeats without bound (only '.*', '.+' and '[^/]+' can)"
            )
        once = self.expand(inner)
        words: list[Word] = []
        power: list[Word] = [()]
        for count in range(node.most + 1):
            if count >= node.least:
                words = _unique(words + power)
                self._check_count(len(words), node.text)
            if count < node.most:
                power = self._product(power, once, node.text)
        return words

    def _check_count(self, count: int, text: str) -> None:
        if count > self.limit:
            raise Unsupported(f"it has more than {self.limit} alternatives (at {text!r})")


def _unique(words: Iterable[Word]) -> list[Word]:
    return list(dict.fromkeys(words))
