"""Errors raised by pulumi-smi.

Every problem with the user's input is an :class:`SmiError`. A validation error
carries one :class:`Problem` per defect, each locating it by file, document,
object and field path, so the CLI can print
``FILE: document N (Kind/name): field.path: what is wrong``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


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
        parts = [self.source]
        where = ""
        if self.document is not None:
            where = f"document {self.document}"
        if self.kind or self.name:
            obj = f"({self.kind or '?'}/{self.name or '?'})"
            where = f"{where} {obj}" if where else obj
        if where:
            parts.append(where)
        if self.path:
            parts.append(self.path)
        parts.append(self.message)
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
