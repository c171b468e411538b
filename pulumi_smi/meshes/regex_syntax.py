"""Regexes of the RE2 subset that :mod:`~pulumi_smi.meshes.regex_globs` understands, as nodes.

:func:`parse` reads literals and escaped punctuation, ``.``, character classes (``[12]``,
``[a-c]``, ``[^/]``, ``\\d``), groups (``(...)``, ``(?:...)``, ``(?P<n>...)``) and their
alternatives, the anchors ``^`` and ``$``, and the quantifiers ``*``, ``+``, ``?``, ``{n}``,
``{n,}`` and ``{n,m}`` (lazy ones too: the same language), into a tree of :data:`Node`. Anything
else (inline flags and other group syntax, ``\\w``, ``\\b``, POSIX classes, stacked quantifiers,
a quantified anchor, a bare ``{``...) raises :class:`Unsupported`. Whether a parsed regex has a
finite form is the next step's question (:mod:`~pulumi_smi.meshes.regex_words`).

Domain: HTTP paths and header values, which never hold a line break; ``.`` is parsed as the
negated class of :data:`DOT`, and read by the next steps as any character.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import TypeAlias

__all__ = ["DOT", "Anchor", "Chars", "Group", "Node", "Repeat", "Unsupported", "parse"]


class Unsupported(ValueError):
    """The regex uses something outside the understood subset; ``reason`` says which part."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Chars:
    """One character of ``chars`` (``negated``: one character not in ``chars``)."""

    chars: frozenset[str]
    negated: bool
    text: str


@dataclass(frozen=True)
class Anchor:
    """``^`` (the start) or, with ``end``, ``$`` (the end)."""

    end: bool  # '$' (else '^')
    text: str


@dataclass(frozen=True)
class Group:
    """Alternatives (``branches``), each a sequence of nodes; also the regex as a whole."""

    branches: tuple[tuple[Node, ...], ...]
    text: str


@dataclass(frozen=True)
class Repeat:
    """``node`` ``least`` to ``most`` (None: unboundedly many) times."""

    node: Node
    least: int
    most: int | None
    text: str


Node: TypeAlias = "Chars | Anchor | Group | Repeat"
"""A parsed regex or part of one; ``text`` is always the part of the regex it was read from."""
DOT = frozenset("\n")
"""The characters ``.`` does not match (``.`` is the negated class of these)."""
_DIGITS = frozenset(string.digits)
_COUNTED = re.compile(r"\{(\d+)(,(\d*))?\}")


def parse(regex: str) -> Group:
    """``regex`` as the group of its alternatives. Raises :class:`Unsupported`."""
    return _Parser(regex).parse()


class _Parser:
    """A recursive-descent parser of the RE2 subset described in the module docstring."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.pos = 0

    def parse(self) -> Group:
        group = self._alternation()
        if self.pos < len(self.pattern):
            raise Unsupported(f"unbalanced ')' at position {self.pos}")
        return group

    def _peek(self, offset: int = 0) -> str:
        return self.pattern[self.pos + offset : self.pos + offset + 1]

    def _alternation(self) -> Group:
        start = self.pos
        branches = [self._sequence()]
        while self._peek() == "|":
            self.pos += 1
            branches.append(self._sequence())
        return Group(tuple(branches), self.pattern[start : self.pos])

    def _sequence(self) -> tuple[Node, ...]:
        items: list[Node] = []
        while self._peek() not in ("", "|", ")"):
            items.append(self._quantified())
        return tuple(items)

    def _quantified(self) -> Node:
        start = self.pos
        atom = self._atom()
        bounds = self._quantifier()
        if bounds is None:
            return atom
        if self._peek() and self._peek() in "*+?{":
            raise Unsupported(f"stacked quantifiers at {self.pattern[start : self.pos + 1]!r}")
        text = self.pattern[start : self.pos]
        if isinstance(atom, Anchor):
            raise Unsupported(f"a quantified anchor {text!r}")
        return Repeat(atom, bounds[0], bounds[1], text)

    def _quantifier(self) -> tuple[int, int | None] | None:
        char = self._peek()
        bounds: tuple[int, int | None]
        if char in ("*", "+", "?"):
            self.pos += 1
            bounds = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
        elif char == "{":
            counted = _COUNTED.match(self.pattern, self.pos)
            if counted is None:
                raise Unsupported(f"a literal '{{' at position {self.pos} (write \\{{)")
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

    def _atom(self) -> Node:
        start = self.pos
        char = self._peek()
        self.pos += 1
        if char == "(":
            return self._group(start)
        if char == "[":
            return self._class(start)
        if char == ".":
            return Chars(DOT, True, ".")
        if char in ("^", "$"):
            return Anchor(char == "$", char)
        if char == "\\":
            return self._escape(start)
        if char in "*+?{}":
            raise Unsupported(f"a bare {char!r} at position {start}")
        return Chars(frozenset(char), False, char)

    def _group(self, start: int) -> Group:
        if self.pattern.startswith("?:", self.pos):
            self.pos += 2
        elif self.pattern.startswith("?P<", self.pos) and ">" in self.pattern[self.pos :]:
            self.pos = self.pattern.index(">", self.pos) + 1
        elif self._peek() == "?":
            raise Unsupported(f"the group syntax {self.pattern[start : start + 4]!r}...")
        inner = self._alternation()
        if self._peek() != ")":
            raise Unsupported(f"an unclosed group at position {start}")
        self.pos += 1
        return Group(inner.branches, self.pattern[start : self.pos])

    def _escape(self, start: int) -> Chars:
        chars = self._escaped()
        return Chars(chars, False, self.pattern[start : self.pos])

    def _escaped(self) -> frozenset[str]:
        """The characters of the escape after a backslash (only ``\\d`` and punctuation)."""
        char = self._peek()
        self.pos += 1
        if char == "d":
            return _DIGITS
        if char and char in string.punctuation:
            return frozenset(char)
        raise Unsupported(f"the escape \\{char}")

    def _class(self, start: int) -> Chars:
        negated = self._peek() == "^"
        self.pos += negated
        chars: set[str] = set()
        first = True
        while first or self._peek() != "]":
            if not self._peek():
                raise Unsupported(f"an unclosed class at position {start}")
            first = False
            low = self._class_char()
            if len(low) > 1 or self._peek() != "-" or self._peek(1) in ("]", ""):
                chars |= low
                continue
            self.pos += 1
            high = self._class_char()
            if len(high) > 1:
                raise Unsupported(f"a range ending in a class at position {self.pos}")
            (first_char,), (last_char,) = low, high
            if ord(last_char) - ord(first_char) > 255:
                raise Unsupported(f"the range {first_char}-{last_char} is too large")
            chars |= {chr(c) for c in range(ord(first_char), ord(last_char) + 1)}
        self.pos += 1
        return Chars(frozenset(chars), negated, self.pattern[start : self.pos])

    def _class_char(self) -> frozenset[str]:
        char = self._peek()
        if char == "\\":
            self.pos += 1
            return self._escaped()
        if char == "[":
            raise Unsupported("a '[' inside a class (RE2 reads [:alpha:] as a POSIX class)")
        self.pos += 1
        return frozenset(char)
