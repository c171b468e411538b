"""The one accumulator every target builds its Plan with: resources, warnings, problems.

A translator reports every problem at once. Each independent unit of work (an apex
Service's routing, a split's matches, a TrafficTarget's grant) runs inside
:meth:`PlanBuilder.collecting` or :func:`each`: a :class:`~pulumi_smi.errors.TranslationError`
it raises is recorded and the unit is skipped, the others go on. :meth:`PlanBuilder.plan`
then raises one error holding every problem found, in the order found, each once — or
returns the Plan when there is none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar, cast

from ..errors import Problem, TranslationError
from ..plan import Plan, PlanWarning, Resource
from ..spec.models import ObjectKey
from ..spec.specset import SpecSet

T = TypeVar("T")
R = TypeVar("R")
A = TypeVar("A")
B = TypeVar("B")


def each(items: Iterable[T], run: Callable[[T], R]) -> list[R]:
    """``run(item)`` for every item; one :class:`TranslationError` with the problems of all
    that failed, raised after the last one ran."""
    results: list[R] = []
    problems: list[Problem] = []
    for item in items:
        try:
            results.append(run(item))
        except TranslationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise TranslationError(list(dict.fromkeys(problems)))
    return results


def both(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """``first()`` and ``second()``; the problems of both at once when either fails."""
    problems: list[Problem] = []
    results: list[object] = []
    for run in (first, second):
        try:
            results.append(run())
        except TranslationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise TranslationError(list(dict.fromkeys(problems)))
    return cast(A, results[0]), cast(B, results[1])


@dataclass
class PlanBuilder:
    """What a translation has planned so far, and every problem it has met."""

    specs: SpecSet
    resources: dict[str, Resource] = field(default_factory=dict)
    """Planned resources by logical name, in the order planned."""
    warnings: list[PlanWarning] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @contextmanager
    def collecting(self) -> Iterator[None]:
        """Run one unit of work: a :class:`TranslationError` it raises becomes problems here."""
        try:
            yield
        except TranslationError as exc:
            self.problems.extend(exc.problems)

    def fail(self, key: ObjectKey, path: str, message: str) -> TranslationError:
        """A :class:`TranslationError` about field ``path`` of the SMI object ``key``."""
        return TranslationError([self.specs.problem(key, path, message)])

    def problem(self, key: ObjectKey, path: str, message: str) -> None:
        """Record a problem about field ``path`` of the SMI object ``key`` and go on."""
        self.problems.append(self.specs.problem(key, path, message))

    def add_resource(self, resource: Resource) -> str:
        """Plan ``resource`` (a later one of the same name replaces it); its logical name."""
        self.resources[resource.name] = resource
        return resource.name

    def include(self, resources: Iterable[Resource], warnings: Iterable[PlanWarning]) -> None:
        """Plan what a part of the translation returned."""
        for resource in resources:
            self.add_resource(resource)
        self.warnings.extend(warnings)

    def plan(self) -> Plan:
        """The Plan; a :class:`TranslationError` with every problem (each once) if any."""
        if self.problems:
            raise TranslationError(list(dict.fromkeys(self.problems)))
        warnings = {(str(w), getattr(w, "owner", None)): w for w in self.warnings}
        return Plan(tuple(self.resources.values()), tuple(warnings.values()))
