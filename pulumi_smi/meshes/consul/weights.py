"""Consul split weights: percentages with at most two decimals that sum to exactly 100.

Two checks must both pass. The Consul server scales each weight to an integer
(``round(w * 100)``) and requires 10000 in total. The consul-k8s admission webhook
adds the float32 weights left to right, in the emitted order, and requires exactly
100 — and float32 rounding makes about one in eight two-decimal partitions of 100
fail it (``10.34 + 82.92 + 6.74`` gives 99.99999237). So: hundredths by largest
remainder (the server check holds by construction), then an emitted order whose
float32 running sum is exactly 100; if no order works, move a hundredth between two
splits, the smallest change first.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Sequence

from ..weights import largest_remainder

TOTAL = 10_000
"""100 % in hundredths of a percent."""


def f32(value: float) -> float:
    """``value`` rounded to float32, as Go's float32 arithmetic stores it."""
    return float(struct.unpack("f", struct.pack("f", value))[0])


def webhook_sum_is_100(hundredths: Sequence[int]) -> bool:
    """The consul-k8s webhook check: float32 weights summed left to right equal 100."""
    total = f32(0.0)
    for h in hundredths:
        total = f32(total + f32(h / 100))
    return total == 100.0


def server_sum_is_100(hundredths: Sequence[int]) -> bool:
    """The Consul server check: each weight scaled to an integer, 10000 in total."""
    return sum(round(f32(h / 100) * 100) for h in hundredths) == TOTAL


def consul_weights(weights: Sequence[int]) -> list[tuple[int, int]]:
    """(index into ``weights``, hundredths) in emitted order, passing both checks.

    Zero weights are kept (Consul allows a 0 split) and placed last, where adding 0.0
    cannot change a float32 sum. Raises ``ValueError`` only when no order and no
    one-hundredth adjustment passes (not seen for any input of up to 8 splits).
    """
    shares = largest_remainder(weights, TOTAL)
    live = [i for i, share in enumerate(shares) if share]
    zero = [i for i, share in enumerate(shares) if not share]
    for candidate in _candidates(shares, live):
        order = _passing_order(candidate, live)
        if order is not None:
            return [(i, candidate[i]) for i in order + zero]
    raise ValueError(f"no emitted order of {shares} passes Consul's float32 weight check")


def _candidates(shares: list[int], live: list[int]) -> list[list[int]]:
    """The shares, then every move of one hundredth from one live split to another."""
    moved = []
    for giver, taker in itertools.permutations(live, 2):
        if shares[giver] > 1:
            candidate = list(shares)
            candidate[giver] -= 1
            candidate[taker] += 1
            moved.append(candidate)
    return [shares, *moved]


def _passing_order(shares: list[int], live: list[int]) -> list[int] | None:
    """The first order of the live splits (given order first) whose float32 sum is 100."""
    if len(live) <= 8:
        orders: Sequence[Sequence[int]] = list(itertools.permutations(live))
    else:  # too many to try all: the given order and each rotation
        orders = [live[k:] + live[:k] for k in range(len(live))]
    for order in orders:
        if webhook_sum_is_100([shares[i] for i in order]):
            return list(order)
    return None
