"""The strict botocore checker catches what botocore and moto let through."""

from __future__ import annotations

from botocore_check import violations


def rule(**overrides: object) -> dict[str, object]:
    params: dict[str, object] = {
        "serviceIdentifier": "svc-0123456789abcdef0",
        "listenerIdentifier": "listener-0123456789abcdef0",
        "name": "beta-testers",
        "priority": 10,
        "match": {"httpMatch": {"pathMatch": {"match": {"prefix": "/api"}}}},
        "action": {
            "forward": {
                "targetGroups": [{"targetGroupIdentifier": "tg-0123456789abcdef0", "weight": 1}]
            }
        },
    }
    params.update(overrides)
    return params


def test_a_valid_rule_passes() -> None:
    assert violations("vpc-lattice", "CreateRule", rule()) == []


def test_limits_patterns_and_unknown_members_are_reported() -> None:
    found = violations(
        "vpc-lattice",
        "CreateRule",
        rule(
            priority=2001,
            name="Beta",
            bogus=1,
            action={
                "forward": {
                    "targetGroups": [
                        {"targetGroupIdentifier": "tg-0123456789abcdef0", "weight": 1000}
                    ]
                }
            },
        ),
    )
    text = "\n".join(found)
    assert "priority: 2001" in text and "above the maximum 2000" in text
    assert "name: 'Beta' does not match" in text
    assert "bogus: not a member" in text
    assert "weight: 1000" in text


def test_a_union_needs_exactly_one_member() -> None:
    found = violations(
        "vpc-lattice",
        "CreateRule",
        rule(match={"httpMatch": {"pathMatch": {"match": {"prefix": "/a", "exact": "/a"}}}}),
    )
    assert any("union" in f for f in found)
