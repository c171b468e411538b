"""The extension point of ``diff``: semantic sections, computed per mesh from the resources.

A :class:`Section` compares one aspect of a mesh (traffic shares, access grants) before
and after, renders itself as text, markdown and JSON, and says which :class:`Gates` it trips.
:data:`~.diff.SECTIONS` lists the builders ``diff`` runs for every mesh, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Protocol

Resource = Mapping[str, Any]


@dataclass(frozen=True)
class Gates:
    """What makes ``diff`` exit 1: ``max_shift``, the most percentage points any backend's
    share may move (None: no limit); ``deny_access_widening``, no access grant may widen."""

    max_shift: Fraction | None = None
    deny_access_widening: bool = False


class Section(Protocol):
    """One semantic comparison of a mesh's resources (before → after)."""

    @property
    def title(self) -> str:
        """The section's name (``traffic``): its heading and its JSON ``section``."""
        ...

    @property
    def changed(self) -> bool:
        """Whether anything in the section differs."""
        ...

    def violations(self, gates: Gates) -> list[str]:
        """One line per gate this section trips (empty: none)."""
        ...

    def text(self) -> list[str]:
        """The section as plain-text lines (unindented; the report indents them)."""
        ...

    def markdown(self) -> list[str]:
        """The section as markdown lines (a table, a note)."""
        ...

    def to_json(self) -> dict[str, Any]:
        """The section as a JSON object with at least ``{"section": title}``."""
        ...


SectionBuilder = Callable[[Sequence[Resource], Sequence[Resource]], Section]
"""Builds a :class:`Section` from one mesh's resources before and after."""
