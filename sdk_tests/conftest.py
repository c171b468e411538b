"""Shared fixtures: every Kubernetes object any test plans is checked against its CRD schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pulumi
import pytest
from schema_check import validate_manifests

from pulumi_smi.plan import Plan

DATA = Path(__file__).parent / "data"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "no_schema_check: the test builds Kubernetes objects that are invalid on purpose"
    )


@pytest.fixture(autouse=True)
def _schema_check_every_plan(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Record every Plan built during the test; validate its manifests at teardown."""
    plans: list[Plan] = []
    original = Plan.__post_init__

    def record(self: Plan) -> None:
        original(self)
        if not any(_holds_output(r.properties) for r in self.resources):
            plans.append(self)  # one holding Outputs is a copy of a Plan recorded before them

    monkeypatch.setattr(Plan, "__post_init__", record)
    yield
    if request.node.get_closest_marker("no_schema_check"):
        return
    validate_manifests([r.properties for plan in plans for r in plan.resources if r.is_kubernetes])


def _holds_output(value: object) -> bool:
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, dict):
        return any(_holds_output(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds_output(v) for v in value)
    return False


@pytest.fixture
def data() -> Path:
    """The directory of YAML fixtures."""
    return DATA
