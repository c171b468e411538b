"""Consul split weights: percentages with at most two decimals that sum to exactly 100.

Two checks must both pass. The Consul server scales each weight to an integer
(``round(w * 100)``) and requires 10000 in total. The consul-k8s admission webhook
adds the float32 weights left to right, in the emitted order, and requires exactly
100 — and float32 rounding makes about one in eight two-decimal partitions of 100
fail it in their given order (``10.34 + 82.92 + 6.74`` gives 99.99999237).

Shares are hundredths by largest remainder, so the server check holds by
construction; what is searched for is an emitted order, in polynomial time:

1. The given order, when it passes (outputs that passed before are unchanged).
2. Another order of the same shares. A float32 sum of at least 64 is a multiple of
   2**-17, so once the running sum reaches 64 every later share adds its own value
   rounded to that grid, whatever the order; only a share exactly half-way rounds to
   even, up or down by the running sum's parity (``_arrange_tail`` places those). So
   only the prefix up to that crossing is searched: depth-first over the multiset of
   shares (equal shares are one choice), the share whose running error lands closest
   to what the rest needs first, each state (shares left, running sum) visited once,
   within a work budget linear in the number of shares (about 25 ms at 64).
3. When no such order is found — equal splits of 21, 26, 33 … backends have none, every
   interleaving of their two values misses 100 — the shares are re-rounded along a fixed
   order by dynamic programming. Each may move one hundredth up or down from its
   largest-remainder value, the moves balance, and the state after each share is
   (float32 running sum, hundredths moved net), kept at its cheapest: fewest shares
   ending 0.01 or more from their exact value (leaving its floor or ceiling), then fewest
   moved. At most 2, then 8, then n hundredths may be outstanding, over three orders
   (given, reversed, largest and smallest alternating); the first bound with a solution
   wins. Time: O(n^2) for the search, O(n^2 b) for a bound b (states per share: the
   distinct float32 sums, O(n), times 2b + 1), so O(n^3) at worst.

Every share therefore stays within 0.01 of its largest-remainder value (within 0.02 of
its exact value, and within 0.01 wherever a solution allows), zero weights stay 0 and are
placed last (adding 0.0 changes no float32 sum), and the result is checked against both
checks before it is returned. ``ValueError`` is raised only if every step fails, which no
input tried has done (every equal split of 1 to 200 backends; random splits of up to 100).
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Iterator, Sequence
from fractions import Fraction

from ..weights import largest_remainder

TOTAL = 10_000
"""100 % in hundredths of a percent."""

_SCALE = float(2**17)
"""Units per 1.0: from 64 to 128, float32 values are whole multiples of 2**-17."""

_HUNDRED = 100 * 2**17
"""100 in those units."""

_CROSSING = 64.0
"""Where the running sum's grid becomes the unit."""

_FLOAT32 = struct.Struct("f")


def f32(value: float) -> float:
    """``value`` rounded to float32, as Go's float32 arithmetic stores it."""
    return float(_FLOAT32.unpack(_FLOAT32.pack(value))[0])


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

    The hundredths are the largest-remainder shares whenever some order of them
    passes; otherwise some move by one hundredth (see the module docstring).
    """
    shares = largest_remainder(weights, TOTAL)
    live = [i for i, share in enumerate(shares) if share]
    zero = [(i, 0) for i, share in enumerate(shares) if not share]
    values = [shares[i] for i in live]
    if webhook_sum_is_100(values):
        return [(i, shares[i]) for i in live] + zero
    order = _order_search(values)
    if order is not None and _passes([values[k] for k in order]):
        return [(live[k], values[k]) for k in order] + zero
    total = sum(weights)
    exact = [Fraction(weights[i] * TOTAL, total) for i in live]
    moved = _rerounded(values, exact)
    if moved is None:
        raise ValueError(f"no emitted order of {shares} passes Consul's float32 weight check")
    return [(live[k], h) for k, h in moved] + zero


# --- float32 arithmetic in units of 2**-17 -------------------------------------------


@functools.lru_cache(maxsize=4096)
def _x(hundredths: int) -> float:
    """The float32 weight of a share."""
    return f32(hundredths / 100)


def _units(hundredths: int) -> float:
    """The float32 weight in units (exact: scaling by a power of two)."""
    return _x(hundredths) * _SCALE


def _is_tie(hundredths: int) -> bool:
    """Whether the weight lies half-way between two units (rounds to even when added)."""
    return _units(hundredths) % 1 == 0.5


def _low(hundredths: int) -> int:
    """Units the share adds to a running sum of at least 64 (ties: the lower)."""
    units = _units(hundredths)
    return int(units - 0.5) if units % 1 == 0.5 else round(units)


def _passes(values: Sequence[int]) -> bool:
    return webhook_sum_is_100(values) and sum(values) == TOTAL


# --- the tail: shares added once the running sum is at least 64 ----------------------


def _arrange_tail(start: int, tail: Sequence[int]) -> list[int] | None:
    """An order of ``tail`` (positions) taking a running sum of ``start`` units to 100.

    Non-tie shares add ``_low`` whatever the order. A tie adds one unit more exactly
    when the running sum before it plus its ``_low`` is odd (round half to even), and
    leaves the sum even; so after another tie it rounds up iff its ``_low`` is odd, and
    an odd-unit share placed just before it flips that.
    """
    low = [_low(h) for h in tail]
    ties = [k for k, h in enumerate(tail) if _is_tie(h)]
    fixed = [k for k, h in enumerate(tail) if not _is_tie(h)]
    ups = _HUNDRED - start - sum(low)  # ties that must round up
    if not 0 <= ups <= len(ties):
        return None
    if not ties:
        return fixed
    odd = [k for k in fixed if low[k] % 2]
    even = [k for k in fixed if not low[k] % 2]
    for parity in (0, 1):
        first = next((k for k in ties if low[k] % 2 == parity), None)
        if first is None:
            continue
        sequence = [first] + [k for k in ties if k != first]
        rounds_up = [(start + low[first]) % 2] + [low[k] % 2 for k in sequence[1:]]
        flips = ups - sum(rounds_up)
        if abs(flips) > len(odd):
            continue
        flip = 0 if flips > 0 else 1  # which natural outcome to turn around
        spare = list(odd)
        order: list[int] = []
        for k, natural in zip(sequence, rounds_up, strict=True):
            if flips and natural == flip:
                order.append(spare.pop())
                flips -= 1 if flips > 0 else -1
            order.append(k)
        return order + spare + even
    return None


# --- step 2: another order of the same shares ----------------------------------------


def _order_search(values: Sequence[int], budget: int | None = None) -> list[int] | None:
    """Positions of ``values`` in an order whose float32 sum is 100, or None.

    ``budget`` bounds the work (default ``200n + 40000``, about 25 ms at 64 shares):
    each new state costs its number of distinct shares plus 10, each revisit 2.
    """
    search = _OrderSearch(values)
    sequence = search.run(200 * len(values) + 40_000 if budget is None else budget)
    if sequence is None:
        return None
    return _positions(values, [search.values[j] for j in sequence])


def _positions(values: Sequence[int], sequence: Sequence[int]) -> list[int]:
    """``sequence`` (the same multiset as ``values``) as positions, equal values in order."""
    waiting: dict[int, list[int]] = {}
    for k in reversed(range(len(values))):
        waiting.setdefault(values[k], []).append(k)
    return [waiting[v].pop() for v in sequence]


class _OrderSearch:
    """Depth-first search over prefixes, one choice per distinct share."""

    def __init__(self, shares: Sequence[int]) -> None:
        self.values = sorted(set(shares))
        self.counts = [0] * len(self.values)
        for share in shares:
            self.counts[self.values.index(share)] += 1
        self.x = [_x(v) for v in self.values]
        self.low = [_low(v) for v in self.values]
        self.tie = [_is_tie(v) for v in self.values]
        self.target = _HUNDRED - sum(_low(v) for v in shares)
        """Units the prefix must end above the sum of its shares' ``_low``."""
        self.seen: set[tuple[tuple[int, ...], float]] = set()
        self.work = 0
        """States entered, weighted by their cost."""

    def run(self, budget: int) -> list[int] | None:
        """Indices into ``values``, one per share, in a passing order; None if none found."""
        prefix: list[int] = []
        frames: list[_Frame] = []
        found = self._enter(0.0, 0, prefix, frames)
        while found is None and frames:
            frame = frames[-1]
            if frame.next == len(frame.children) or self.work >= budget:
                frames.pop()
                if frames:  # entered through a child of the frame below: undo that step
                    self.counts[prefix.pop()] += 1
                continue
            total, j = frame.children[frame.next]
            frame.next += 1
            self.counts[j] -= 1
            prefix.append(j)
            depth = len(frames)
            found = self._enter(total, frame.low + self.low[j], prefix, frames)
            if found is None and len(frames) == depth:  # a state seen before
                self.counts[prefix.pop()] += 1
        return found

    def _enter(
        self, total: float, low: int, prefix: list[int], frames: list[_Frame]
    ) -> list[int] | None:
        """A passing order completing ``prefix``, or push the state's children (if new)."""
        key = (tuple(self.counts), total)
        if key in self.seen:
            self.work += 2
            return None
        self.seen.add(key)
        self.work += len(self.counts) + 10
        ties_left = sum(c for c, tie in zip(self.counts, self.tie, strict=True) if tie)
        children: list[tuple[float, int, float]] = []
        for j, count in enumerate(self.counts):
            if not count:
                continue
            after = f32(total + self.x[j])
            if after >= _CROSSING:
                ups = self.target - (round(after * _SCALE) - low - self.low[j])
                if 0 <= ups <= ties_left - self.tie[j]:
                    tail = self._tail(after, j)
                    if tail is not None:
                        return [*prefix, j, *tail]
            else:
                error = after * _SCALE - low - self.low[j] - self.target
                children.append((abs(error), j, after))
        children.sort()
        frames.append(_Frame([(after, j) for _, j, after in children], low))
        return None

    def _tail(self, after: float, j: int) -> list[int] | None:
        """The shares left after ``j`` (indices), arranged to end at 100, if they can."""
        self.counts[j] -= 1
        tail = [k for k, count in enumerate(self.counts) for _ in range(count)]
        self.counts[j] += 1
        order = _arrange_tail(round(after * _SCALE), [self.values[k] for k in tail])
        return None if order is None else [tail[k] for k in order]


class _Frame:
    """A visited state's children (running sum, share index), best first."""

    __slots__ = ("children", "low", "next")

    def __init__(self, children: list[tuple[float, int]], low: int) -> None:
        self.children = children
        self.low = low
        self.next = 0


# --- step 3: re-rounding along a fixed order -----------------------------------------

_State = tuple[float, int]
"""(float32 running sum, hundredths moved net so far)."""

_Option = tuple[int, float, int]
"""(hundredths moved, the float32 weight then, cost)."""


def _rerounded(values: Sequence[int], exact: Sequence[Fraction]) -> list[tuple[int, int]] | None:
    """(position, hundredths) in a passing order, each within one of ``values``; or None.

    Cost: shares ending 0.01 or more from exact (weighted above any number of the
    rest), then shares moved. A bound stops at the first order with no share of the
    first kind, else returns its cheapest.
    """
    n = len(values)
    options = [_options(v, e, n + 1) for v, e in zip(values, exact, strict=True)]
    for bound in sorted({min(2, n), min(8, n), n}):
        best: tuple[int, list[tuple[int, int]]] | None = None
        for order in _candidate_orders(values):
            found = _reround_along([options[k] for k in order], bound)
            if found is None or (best is not None and found[0] >= best[0]):
                continue
            moved = [(k, values[k] + d) for k, d in zip(order, found[1], strict=True)]
            if _passes([h for _, h in moved]):
                best = (found[0], moved)
                if found[0] <= n:  # every share within 0.01 of exact
                    break
        if best is not None:
            return best[1]
    return None


def _options(value: int, exact: Fraction, far: int) -> list[_Option]:
    """The share kept, one hundredth up, one down (never to 0); ``far`` if 0.01+ off exact."""
    options: list[_Option] = [(0, _x(value), 0)]
    options.append((1, _x(value + 1), 1 + (0 if value < exact else far)))
    if value > 1:
        options.append((-1, _x(value - 1), 1 + (0 if value > exact else far)))
    return options


def _candidate_orders(values: Sequence[int]) -> Iterator[list[int]]:
    """The given order, reversed, and largest and smallest alternating."""
    given = list(range(len(values)))
    yield given
    yield given[::-1]
    by_size = sorted(given, key=lambda k: (-values[k], k))
    yield [by_size[k // 2] if k % 2 == 0 else by_size[-1 - k // 2] for k in given]


def _reround_along(
    options: Sequence[Sequence[_Option]], bound: int
) -> tuple[int, list[int]] | None:
    """The cheapest moves (one per share, in order) whose float32 sum is 100, and their cost.

    At most ``bound`` hundredths are outstanding, and never more than the shares left
    can return; each state keeps its cheapest way in (the first, among equals).
    """
    n = len(options)
    layer: dict[_State, tuple[int, _State, int]] = {(0.0, 0): (0, (0.0, 0), 0)}
    layers: list[dict[_State, tuple[int, _State, int]]] = []
    for k, choices in enumerate(options):
        reach = min(bound, n - 1 - k)
        following: dict[_State, tuple[int, _State, int]] = {}
        for state, (cost, _, _) in layer.items():
            total, net = state
            for delta, weight, extra in choices:
                moved = net + delta
                if -reach <= moved <= reach:
                    key = (f32(total + weight), moved)
                    old = following.get(key)
                    if old is None or cost + extra < old[0]:
                        following[key] = (cost + extra, state, delta)
        layers.append(following)
        layer = following
    end: _State = (100.0, 0)
    if end not in layer:
        return None
    deltas: list[int] = []
    back = end
    for step in reversed(layers):
        _, back, delta = step[back]
        deltas.append(delta)
    return layer[end][0], deltas[::-1]
