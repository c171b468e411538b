"""Weight normalisation, written once for every target.

SMI weights are relative whole numbers; a backend with weight 0 gets no traffic.
Targets that need percentages get them by largest remainder, so they always sum
to exactly the total and are never negative. Targets whose weights are relative
too get the exact ratios (:func:`exactly_within`, :func:`ratios`): the weights as
given, divided by their common divisor only where they exceed the mesh's limit.
"""

from __future__ import annotations

import math
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


def exactly_within(
    weights: Sequence[int], largest: int | None = None, total: int | None = None
) -> list[int] | None:
    """``weights`` with exactly their ratios and within the limits, or None when impossible.

    The weights as given when each is at most ``largest`` and their sum at most ``total``;
    else divided by their greatest common divisor when that fits; else None.
    """

    def fits(candidate: Sequence[int]) -> bool:
        return (largest is None or max(candidate, default=0) <= largest) and (
            total is None or sum(candidate) <= total
        )

    if fits(weights):
        return list(weights)
    divisor = math.gcd(*weights)
    reduced = [w // divisor for w in weights] if divisor > 1 else list(weights)
    return reduced if fits(reduced) else None


def ratios(backends: Sequence[Backend], total: int) -> tuple[list[tuple[str, int]], list[str]]:
    """Serving backends as (service, weight) with exactly SMI's ratios, plus warnings.

    For meshes whose weights are relative: the weights as given, or divided by their
    common divisor when their sum exceeds ``total``. Only when no exact form fits are they
    scaled to sum to ``total`` (largest remainder), with a warning; a backend whose share
    then rounds to 0 is left out with a warning too. Zero-weight backends are left out.
    """
    live = serving(backends)
    weights = [b.weight for b in live]
    exact = exactly_within(weights, total=total)
    if exact is not None:
        return [(b.service, w) for b, w in zip(live, exact, strict=True)], []
    warnings = [f"weights {weights} scaled to sum to {total}: their ratios are approximate"]
    kept: list[tuple[str, int]] = []
    for backend, share in zip(live, largest_remainder(weights, total), strict=True):
        if share == 0:
            warnings.append(
                f"backend {backend.service!r} (weight {backend.weight}) rounds to 0 and "
                "gets no traffic"
            )
        else:
            kept.append((backend.service, share))
    return kept, warnings
