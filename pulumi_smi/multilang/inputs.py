"""Reading a multi-language component's ``args``: plain values, whole numbers, located problems.

Another language's inputs arrive deserialised by the provider host: names mapped back to the
TypedDict's snake_case keys, every number a float (integers included), a value that depends
on another resource an Output. A translation needs its values when the component is
constructed, so :class:`Inputs` takes plain values only (the fields the Python API itself
accepts Outputs for read them as they are) and reports every problem at once, located by the
schema's (camelCase) field path, as :class:`~pulumi_smi.SmiValidationError`.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypeVar

import pulumi

from ..errors import Problem, SmiValidationError, raise_if_any, shown

E = TypeVar("E", bound=enum.Enum)
R = TypeVar("R", bound=pulumi.Resource)
T = TypeVar("T")


def whole_number(value: object, source: str, path: str) -> int:
    """``value`` as an int: an int, or a float with no fractional part (``8080.0``).

    Other languages send every number as a float, integers included. Anything else (``10.5``,
    ``True``, a string) raises :class:`~pulumi_smi.SmiValidationError` naming ``source`` (the
    component), ``path`` (the field) and the value.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    message = f"expected a whole number, got {_described(value)}"
    raise SmiValidationError([Problem(message, source, path=path)])


def _described(value: object) -> str:
    if isinstance(value, pulumi.Output):
        return "the output of another resource (it must be known when the component is created)"
    if isinstance(value, (bool, int, float, str)):
        return f"{shown(value)} ({type(value).__name__})"
    return type(value).__name__


class Inputs:
    """Reads one component's arguments, collecting every problem (:meth:`done` raises them)."""

    def __init__(self, type_name: str, resource_name: str) -> None:
        self.source = f"{type_name} {resource_name}"
        """The component in messages: ``smi:index:TrafficSplit reviews``."""
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str) -> None:
        """Record a problem at ``path``."""
        self.problems.append(Problem(message, self.source, path=path))

    def done(self) -> None:
        """Raise :class:`~pulumi_smi.SmiValidationError` if any problem was recorded."""
        raise_if_any(self.problems)

    def _plain(self, value: object, path: str, expected: str) -> bool:
        """Whether ``value`` is a plain value (else a problem is recorded)."""
        if isinstance(value, pulumi.Output) or inspect.isawaitable(value):
            self.fail(
                path,
                f"expected {expected} known when the component is created, got the output of "
                "another resource",
            )
            return False
        return True

    def _wrong(self, path: str, expected: str, value: object) -> None:
        self.fail(path, f"expected {expected}, got {_described(value)}")

    # --- single values ----------------------------------------------------------------

    def text(self, value: object, path: str, *, required: bool = False) -> str | None:
        """A string (None when absent; a problem when ``required``)."""
        if value is None:
            if required:
                self.fail(path, "required")
            return None
        if not self._plain(value, path, "a string"):
            return None
        if not isinstance(value, str):
            self._wrong(path, "a string", value)
            return None
        return value

    def text_or_output(self, value: object, path: str) -> str | pulumi.Output[str] | None:
        """A string or an Output of one (a field the Python API takes Outputs for)."""
        if isinstance(value, pulumi.Output):
            return value
        return self.text(value, path)

    def whole(self, value: object, path: str, *, required: bool = False) -> int | None:
        """A whole number (see :func:`whole_number`)."""
        if value is None:
            if required:
                self.fail(path, "required")
            return None
        try:
            return whole_number(value, self.source, path)
        except SmiValidationError as exc:
            self.problems.extend(exc.problems)
            return None

    def flag(self, value: object, path: str) -> bool | None:
        """A boolean (None when absent)."""
        if value is None or not self._plain(value, path, "a boolean"):
            return None
        if not isinstance(value, bool):
            self._wrong(path, "a boolean", value)
            return None
        return value

    def choice(
        self, value: object, path: str, kind: type[E], *, required: bool = False
    ) -> E | None:
        """A member of the enum ``kind`` (given as the member or its value)."""
        if value is None:
            if required:
                self.fail(path, "required")
            return None
        if not self._plain(value, path, f"a {kind.__name__}"):
            return None
        if isinstance(value, kind):
            return value
        for member in kind:
            if value == member.value:
                return member
        known = ", ".join(repr(m.value) for m in kind)
        self.fail(path, f"expected one of {known}, got {_described(value)}")
        return None

    def resource(self, value: object, path: str, kind: type[R], what: str) -> R | None:
        """A resource of class ``kind`` (a provider passed by reference), None when absent."""
        if value is None:
            return None
        if isinstance(value, kind):
            return value
        if isinstance(value, str):  # a reference the SDK could not rehydrate: its id or URN
            self.fail(path, f"expected {what}, got the reference {shown(value)}")
        else:
            self._wrong(path, what, value)
        return None

    def record(
        self, value: object, path: str, *, required: bool = False
    ) -> Mapping[str, Any] | None:
        """An object (a nested TypedDict), None when absent."""
        if value is None:
            if required:
                self.fail(path, "required")
            return None
        if not self._plain(value, path, "an object"):
            return None
        if not isinstance(value, Mapping):
            self._wrong(path, "an object", value)
            return None
        return value

    def nested(
        self,
        value: object,
        path: str,
        reader: Callable[[Mapping[str, Any], str], T | None],
        *,
        required: bool = False,
    ) -> T | None:
        """What ``reader`` makes of the object ``value`` and its path (None when absent)."""
        given = self.record(value, path, required=required)
        return None if given is None else reader(given, path)

    # --- collections ------------------------------------------------------------------

    def items(self, value: object, path: str, *, required: bool = False) -> list[object]:
        """A list's items ([] when absent)."""
        if value is None:
            if required:
                self.fail(path, "required")
            return []
        if not self._plain(value, path, "a list"):
            return []
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
            self._wrong(path, "a list", value)
            return []
        return list(value)

    def each(
        self,
        value: object,
        path: str,
        reader: Callable[[object, str], T | None],
        *,
        required: bool = False,
    ) -> list[T]:
        """What ``reader`` makes of each item of a list and its path (``ports[0]``), the items
        it cannot read (None) left out."""
        found = [
            reader(item, f"{path}[{index}]")
            for index, item in enumerate(self.items(value, path, required=required))
        ]
        return [v for v in found if v is not None]

    def texts(self, value: object, path: str, *, required: bool = False) -> list[str]:
        """A list of strings."""
        return self.each(value, path, partial(self.text, required=True), required=required)

    def wholes(self, value: object, path: str) -> list[int]:
        """A list of whole numbers."""
        return self.each(value, path, partial(self.whole, required=True))

    def each_nested(
        self,
        value: object,
        path: str,
        reader: Callable[[Mapping[str, Any], str], T | None],
        *,
        required: bool = False,
    ) -> list[T]:
        """What ``reader`` makes of each object of a list (see :meth:`nested`)."""
        return self.each(
            value, path, partial(self.nested, reader=reader, required=True), required=required
        )

    def strings(self, value: object, path: str) -> dict[str, str]:
        """A map of strings (labels, annotations, headers)."""
        mapping = self.record(value, path)
        if mapping is None:
            return {}
        found = {str(k): self.text(v, f"{path}.{k}", required=True) for k, v in mapping.items()}
        return {k: v for k, v in found.items() if v is not None}
