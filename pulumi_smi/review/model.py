"""The result of a traffic review: :class:`Share`, one backend's share of one rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from .values import UNKNOWN_TEXT

__all__ = ["Share", "format_percent", "shares_of_rule"]


@dataclass(frozen=True)
class Share:
    """The share of one backend in the requests one rule of one apex routes.

    ``apex`` is the Service clients call (``<ns>/<svc>``; a Consul service name, a Lattice
    service name, or a host that is not a cluster Service's), ``port`` the apex port when the
    target routes per port, ``rule`` the rule's match (:data:`~.matches.DEFAULT_RULE` for the
    rest). ``fraction`` is exact, relative to the rule's traffic: None when a weight is unknown
    (a preview). ``source`` is the logical name of the resource that says so.
    """

    apex: str
    port: int | None
    rule: str
    backend: str
    fraction: Fraction | None
    source: str

    @property
    def percent(self) -> str:
        """The share for display: a percentage with 2 decimals, or ``(unknown)``."""
        return format_percent(self.fraction)


def format_percent(fraction: Fraction | None) -> str:
    """``fraction`` as a percentage rounded half up to 2 decimals (``90.00%``)."""
    if fraction is None:
        return UNKNOWN_TEXT
    hundredths = int(fraction * 10000 + Fraction(1, 2)) if fraction >= 0 else 0
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def shares_of_rule(
    apex: str,
    port: int | None,
    rule: str,
    source: str,
    weighted: Sequence[tuple[str, Fraction | None]],
) -> list[Share]:
    """The shares of ``(backend, relative weight)`` pairs; a backend listed twice adds up.

    An unknown weight makes every share of the rule unknown; weights summing to 0 give 0.
    Backends that are unknown themselves (``(unknown)``, a preview's unresolved reference)
    are told apart by their position: ``(unknown #2)``.
    """
    totals: dict[str, Fraction | None] = {}
    for position, (named, weight) in enumerate(weighted, 1):
        backend = f"(unknown #{position})" if named == UNKNOWN_TEXT else named
        known = totals.get(backend, Fraction(0))
        totals[backend] = None if weight is None or known is None else known + weight
    values = list(totals.values())
    total = sum((v for v in values if v is not None), Fraction(0))
    unknown = any(v is None for v in values)
    return [
        Share(
            apex,
            port,
            rule,
            backend,
            None if unknown or weight is None else (weight / total if total else Fraction(0)),
            source,
        )
        for backend, weight in totals.items()
    ]
