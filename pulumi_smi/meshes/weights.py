"""Weight normalisation, written once for every target.

SMI weights are relative whole numbers; a backend with weight 0 gets no traffic.
Targets that need percentages get them by largest remainder, so they always sum
to exactly the total and are never negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from ..spec.models import Backend


def largest_remainder(weights: Sequence[int], total: int = 100) -> list[int]:
    """Integers proportional to ``weights`` that sum to exactly ``total``.

    Each gets the floor of its exact share; the units left over go to the largest
    remainders (ties to the earlier backend), so a weight of 0 stays 0.
    """
    whole = sum(weights)
    if whole <= 0:
        raise ValueError("weights must have a positive sum")
    shares = [Fraction(w * total, whole) for w in weights]
    result = [s.numerator // s.denominator for s in shares]
    left = total - sum(result)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(shares[i] - result[i]), i))
    for index in by_remainder[:left]:
        result[index] += 1
    return result


def serving(backends: Sequence[Backend]) -> list[Backend]:
    """The backends that receive traffic (weight > 0), in order."""
    return [b for b in backends if b.weight > 0]


def percentages(backends: Sequence[Backend]) -> tuple[list[tuple[str, int]], list[str]]:
    """Serving backends as (service, percent) summing to 100, plus warnings.

    A backend whose share rounds to 0 % is left out (it would get no traffic
    anyway) and named in a warning; zero-weight backends are left out silently.
    """
    live = serving(backends)
    shares = largest_remainder([b.weight for b in live])
    kept: list[tuple[str, int]] = []
    warnings: list[str] = []
    for backend, share in zip(live, shares, strict=True):
        if share == 0:
            warnings.append(
                f"backend {backend.service!r} (weight {backend.weight}) rounds to 0 % and "
                "gets no traffic"
            )
        else:
            kept.append((backend.service, share))
    return kept, warnings
