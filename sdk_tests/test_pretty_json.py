"""``Plan.to_json``'s writer gives the bytes ``json.dumps(indent=2, ensure_ascii=False)`` gives."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from pulumi_smi.plan import PlanWarning, pretty_json

LEAVES: list[Any] = [
    "", "é\n\"\\\u2028\x00", "${a.b}", 0, -7, 10**30, 1.5, -0.0, 1e16, float("nan"),
    float("inf"), -float("inf"), True, False, None, PlanWarning("w"),
]  # fmt: skip


def _value(rng: random.Random, depth: int) -> Any:
    if depth == 0 or rng.random() < 0.3:
        return rng.choice(LEAVES)
    if rng.random() < 0.5:
        return {rng.choice(["a", "b", "ü", "", "k"]): _value(rng, depth - 1) for _ in range(4)}
    items = [_value(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    return tuple(items) if rng.random() < 0.3 else items


@pytest.mark.parametrize("seed", range(300))
def test_same_text_as_the_standard_library(seed: int) -> None:
    value = _value(random.Random(seed), 5)
    assert pretty_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("value", [{1: "a"}, {"k": {2.5: None}}, [object()], {"x": {1, 2}}])
def test_others_go_to_the_standard_library(value: Any) -> None:
    try:
        expected = json.dumps(value, indent=2, ensure_ascii=False)
    except TypeError as exc:
        with pytest.raises(TypeError, match=str(exc)[:20]):
            pretty_json(value)
    else:
        assert pretty_json(value) == expected
