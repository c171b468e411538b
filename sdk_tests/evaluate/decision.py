"""The verdict of an access evaluator, shared by the evaluators of each mesh's policies."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    """Allowed or not, and which step or policy decided it (for failing-test messages)."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed
