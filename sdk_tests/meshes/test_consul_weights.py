"""Consul split weights pass the Consul server's check and the consul-k8s webhook's check."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_smi.meshes.consul.weights import (
    consul_weights,
    f32,
    server_sum_is_100,
    webhook_sum_is_100,
)

weights = st.lists(st.integers(0, 10**6), min_size=1, max_size=8).filter(lambda w: sum(w) > 0)


def test_the_awkward_partition_fails_the_webhook_in_its_given_order() -> None:
    assert f32(f32(f32(10.34) + f32(82.92)) + f32(6.74)) != 100.0
    assert not webhook_sum_is_100([1034, 8292, 674])
    assert server_sum_is_100([1034, 8292, 674])


def test_the_awkward_weights_are_reordered_to_pass_both_checks() -> None:
    result = consul_weights([1034, 8292, 674])
    hundredths = [h for _, h in result]
    assert sorted(result) == [(0, 1034), (1, 8292), (2, 674)]  # same weights, each kept
    assert webhook_sum_is_100(hundredths) and server_sum_is_100(hundredths)


@settings(max_examples=400, deadline=None)
@given(weights)
def test_every_weight_vector_passes_both_checks_with_its_ratios_kept(ws: list[int]) -> None:
    result = consul_weights(ws)
    assert sorted(i for i, _ in result) == list(range(len(ws)))  # every backend, once
    hundredths = [h for _, h in result]
    assert sum(hundredths) == 10_000
    assert server_sum_is_100(hundredths)
    assert webhook_sum_is_100(hundredths)  # float32, left to right, in the emitted order
    total = sum(ws)
    for index, share in result:
        exact = Fraction(ws[index] * 10_000, total)
        assert abs(share - exact) <= 2  # largest remainder, at most one hundredth moved
        assert (share == 0) == (ws[index] == 0) or exact < 1  # zero stays zero


@given(st.integers(2, 8))
def test_equal_splits_differ_by_at_most_a_hundredth(n: int) -> None:
    shares = [h for _, h in consul_weights([1] * n)]
    assert max(shares) - min(shares) <= 1
