"""Errors raised by pulumi-smi.

Every problem with the user's input is an :class:`SmiError`. A validation error
carries one :class:`Problem` per defect, each locating it by file, document,
object and field path, so the CLI can print
``FILE: document N (Kind/name): field.path: what is wrong``.

Messages cannot lie: every part of a problem line is escaped when it is shown
(:func:`printable`), so a name holding a newline or an ANSI escape cannot forge a
second line in a CI log, and values are shown cut short (:func:`shown`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LONGEST_SHOWN = 80
"""The most characters of a value a message quotes (:func:`shown`)."""
LONGEST_PART = 2000
"""The most characters of one part of a problem line (:func:`printable`)."""

_PLAIN = re.compile(r"^[A-Za-z0-9._\-:@+=~*?]*$")


def printable(text: object, limit: int = LONGEST_PART) -> str:
    """``text`` on one line: non-printable characters escaped, cut after ``limit`` characters.

    Control characters (newlines, ANSI escapes, Unicode line separators) become their
    Python escapes (``\\n``, ``\\x1b``, ``\\u2028``); printable text is left as it is.
    """
    value = str(text)
    cut = len(value) > limit
    if cut:
        value = value[:limit]
    if not value.isprintable():
        value = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)
    if cut:
        value += f"... ({len(str(text)) - limit} more characters)"
    return value


def shown(value: object, limit: int = LONGEST_SHOWN) -> str:
    """``value`` quoted and escaped for a message (its ``repr``), cut after ``limit`` characters.

    A string longer than ``limit`` is shown as its first ``limit`` characters and its length,
    so that no message prints a huge value in full.
    """
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}... ({len(value)} characters)"
    text = repr(value)
    if len(text) > limit:
        return f"{text[:limit]}... ({len(text)} characters)"
    return text


def object_name(value: str) -> str:
    """An object kind or name as shown in ``(Kind/name)``: bare when plain, else quoted."""
    return value if _PLAIN.match(value) else shown(value)


@dataclass(frozen=True)
class Problem:
    """One defect in the input, with where it is."""

    message: str
    source: str = "<input>"
    document: int | None = None
    kind: str | None = None
    name: str | None = None
    path: str = ""

    def __str__(self) -> str:
        parts = [printable(self.source)]
        where = ""
        if self.document is not None:
            where = f"document {self.document}"
        if self.kind or self.name:
            obj = f"({object_name(str(self.kind or '?'))}/{object_name(str(self.name or '?'))})"
            where = f"{where} {obj}" if where else obj
        if where:
            parts.append(where)
        if self.path:
            parts.append(printable(self.path))
        parts.append(printable(self.message))
        return ": ".join(parts)


class SmiError(Exception):
    """Base class of every error pulumi-smi raises on purpose."""


class SmiValidationError(SmiError):
    """The input is invalid; ``problems`` lists every defect found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def from_message(cls, message: str, source: str = "<input>") -> SmiValidationError:
        """An error with a single problem that has no document or object."""
        return cls([Problem(message, source)])


class UnsupportedTargetError(SmiError):
    """The requested mesh target is unknown or not implemented yet."""


class TranslationError(SmiValidationError):
    """The input is valid SMI but the target mesh cannot express it safely."""


def raise_if_any(problems: Sequence[Problem]) -> None:
    """Raise :class:`SmiValidationError` when ``problems`` is not empty."""
    if problems:
        raise SmiValidationError(problems)
