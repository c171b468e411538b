"""Checks on the raw shape of YAML documents, before the models see them."""

from __future__ import annotations

from typing import Any


class ShapeError(ValueError):
    """A raw document has the wrong shape; ``path`` locates the field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def mapping(value: Any, path: str) -> dict[str, Any]:
    """``value`` as a dict (None counts as empty); :class:`ShapeError` if it is not one."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ShapeError(path, f"must be a mapping, got {type(value).__name__}")
    return dict(value)


def sequence(value: Any, path: str) -> list[Any]:
    """``value`` as a list (None counts as empty); :class:`ShapeError` if it is not one."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ShapeError(path, f"must be a list, got {type(value).__name__}")
    return value
