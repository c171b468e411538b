"""Consul split weights pass the Consul server's check and the consul-k8s webhook's check."""

from __future__ import annotations

import time
from collections.abc import Sequence
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_smi.meshes.consul.weights import (
    consul_weights,
    f32,
    server_sum_is_100,
    webhook_sum_is_100,
)
from pulumi_smi.meshes.weights import largest_remainder

weights = st.lists(st.integers(0, 10**6), min_size=1, max_size=8).filter(lambda w: sum(w) > 0)
many_weights = st.lists(
    st.one_of(st.integers(0, 10**6), st.integers(1, 3), st.sampled_from([1, 2, 5, 10])),
    min_size=9,
    max_size=64,
).filter(lambda w: sum(w) > 0)
few_values = st.tuples(st.integers(1, 50), st.integers(1, 50), st.integers(9, 64)).flatmap(
    lambda t: st.lists(st.sampled_from(t[:2]), min_size=t[2], max_size=t[2])
)

# 22 ordinary weights the previous implementation (given order, rotations, one moved
# hundredth) rejected outright; some order of their largest-remainder shares passes
REJECTED_22 = [
    [10, 2, 3, 1, 1, 1, 2, 5, 5, 10, 1, 5, 1, 10, 2, 1, 3, 1, 10, 5, 2, 10],
    [2, 10, 10, 5, 1, 2, 3, 10, 2, 2, 1, 3, 1, 1, 10, 1, 5, 5, 5, 1, 10, 1],
]


def assert_valid(ws: Sequence[int], result: list[tuple[int, int]]) -> None:
    """Every backend once; both checks; each share within a hundredth of largest remainder."""
    assert sorted(i for i, _ in result) == list(range(len(ws)))
    hundredths = [h for _, h in result]
    assert sum(hundredths) == 10_000
    assert server_sum_is_100(hundredths)
    assert webhook_sum_is_100(hundredths)  # float32, left to right, in the emitted order
    nearest = largest_remainder(ws, 10_000)
    for index, share in result:
        assert abs(share - nearest[index]) <= 1
        assert (share == 0) == (nearest[index] == 0)  # zero stays zero, live stays live
    assert all(h == 0 for h in hundredths[len(hundredths) - hundredths.count(0) :])


def moved(ws: Sequence[int], result: list[tuple[int, int]]) -> int:
    nearest = largest_remainder(ws, 10_000)
    return sum(1 for index, share in result if share != nearest[index])


def orders_exist(counts: dict[int, int]) -> bool:
    """Whether any order of a multiset of shares passes (exhaustive: every interleaving)."""
    values = sorted(counts)
    sums: dict[tuple[int, ...], set[float]] = {tuple(0 for _ in values): {0.0}}
    for _ in range(sum(counts.values())):
        following: dict[tuple[int, ...], set[float]] = {}
        for used, totals in sums.items():
            for k, value in enumerate(values):
                if used[k] < counts[value]:
                    key = (*used[:k], used[k] + 1, *used[k + 1 :])
                    weight = f32(value / 100)
                    following.setdefault(key, set()).update(f32(t + weight) for t in totals)
        sums = following
    (totals,) = sums.values()
    return 100.0 in totals


def test_the_awkward_partition_fails_the_webhook_in_its_given_order() -> None:
    assert f32(f32(f32(10.34) + f32(82.92)) + f32(6.74)) != 100.0
    assert not webhook_sum_is_100([1034, 8292, 674])
    assert server_sum_is_100([1034, 8292, 674])


def test_the_awkward_weights_are_reordered_to_pass_both_checks() -> None:
    result = consul_weights([1034, 8292, 674])
    hundredths = [h for _, h in result]
    assert sorted(result) == [(0, 1034), (1, 8292), (2, 674)]  # same weights, each kept
    assert webhook_sum_is_100(hundredths) and server_sum_is_100(hundredths)


def test_a_passing_given_order_is_kept() -> None:
    assert consul_weights([90, 10]) == [(0, 9000), (1, 1000)]
    assert consul_weights([1, 0, 1]) == [(0, 5000), (2, 5000), (1, 0)]  # zero weights last


@settings(max_examples=400, deadline=None)
@given(weights)
def test_every_weight_vector_passes_both_checks_with_its_ratios_kept(ws: list[int]) -> None:
    result = consul_weights(ws)
    assert_valid(ws, result)
    total = sum(ws)
    for index, share in result:
        exact = Fraction(ws[index] * 10_000, total)
        assert abs(share - exact) < 2  # largest remainder, at most one hundredth moved


@settings(max_examples=150, deadline=None)
@given(st.one_of(many_weights, few_values))
def test_up_to_64_backends_pass_both_checks(ws: list[int]) -> None:
    assert_valid(ws, consul_weights(ws))


@pytest.mark.parametrize("ws", REJECTED_22)
def test_22_backends_the_old_search_rejected_are_reordered_with_every_share_kept(
    ws: list[int],
) -> None:
    result = consul_weights(ws)
    assert_valid(ws, result)
    assert moved(ws, result) == 0
    assert not webhook_sum_is_100(largest_remainder(ws, 10_000))  # the given order fails


@pytest.mark.parametrize("n", [21, 26, 33])
def test_equal_splits_without_any_passing_order_are_rerounded_within_a_hundredth(n: int) -> None:
    nearest = largest_remainder([1] * n, 10_000)
    assert not orders_exist({h: nearest.count(h) for h in set(nearest)})  # provably none
    result = consul_weights([1] * n)
    assert_valid([1] * n, result)
    assert 0 < moved([1] * n, result) <= n // 2


def test_every_equal_split_up_to_100_backends_passes() -> None:
    for n in range(1, 101):
        assert_valid([1] * n, consul_weights([1] * n))


@given(st.integers(2, 8))
def test_equal_splits_differ_by_at_most_a_hundredth(n: int) -> None:
    shares = [h for _, h in consul_weights([1] * n)]
    assert max(shares) - min(shares) <= 1


@pytest.mark.parametrize(
    "ws",
    [
        [(7919 * i) % 1000 + 1 for i in range(64)],  # diverse
        [1] * 64,
        [1] * 62,  # reordered after a longer search
        [1] * 63 + [2],  # re-rounded
        [1, 2, 3] * 21 + [1],
        [1] * 32 + [10] * 32,
    ],
)
def test_64_backends_take_well_under_a_second(ws: list[int]) -> None:
    """~41 ms each on an idle machine; the bound leaves room for a loaded CI runner (2 cores
    shared with other jobs) while an exponential search (seconds to minutes) still fails."""
    best = float("inf")
    for _ in range(3):  # the best of three: the algorithm's cost, not the machine's load
        start = time.perf_counter()
        result = consul_weights(ws)
        best = min(best, time.perf_counter() - start)
    assert_valid(ws, result)
    assert best < 0.3
