"""smi-max-canary-step: each weight-carrying resource against the baseline of the last deployment.

The baseline is a recording of the same program with the old weights, written as
``pulumi-smi render -o json`` or ``pulumi stack export`` writes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from policy_estates import Args, Opts, args_of, check_all, estate, render_json, stack_export

from pulumi_smi.policy import Findings, max_canary_step
from pulumi_smi.testing import Recording

SPLIT_RESOURCE = {
    "istio": "web-m-virtualservice",
    "linkerd": "web-m-httproute-80",
    "gateway-api": "web-m-httproute-80",
    "consul-crd": "web-m-servicesplitter",
    "consul-config-entry": "web-m-servicesplitter",
    "vpc-lattice": "web-m-lattice-listener-80",
    "appmesh": "web-m-route-web-default",
}
"""Per flavour, the resource holding the weights of split ``web``."""


def _baseline(tmp_path: Path, recording: Recording, export: bool = False) -> str:
    path = tmp_path / f"{'stack' if export else 'render'}-{len(list(tmp_path.iterdir()))}.json"
    path.write_text(stack_export(recording) if export else render_json(recording))
    return str(path)


def _judge(recording: Recording, config: Mapping[str, Any]) -> dict[str, Findings]:
    return check_all(recording, max_canary_step, config)


@pytest.mark.parametrize("flavour", sorted(SPLIT_RESOURCE))
def test_a_10_to_50_step_fails_and_10_to_30_passes(flavour: str, tmp_path: Path) -> None:
    config = {"baseline": _baseline(tmp_path, estate(flavour, weights=(90, 10))), "maxStep": 20}

    found = _judge(estate(flavour, weights=(50, 50)), config)
    assert list(found) == [SPLIT_RESOURCE[flavour]]
    (findings,) = found.values()
    assert not findings.unjudged
    up = [m for m in findings.messages if "10.00% → 50.00% (+40.00 pp, more than 20 points)" in m]
    down = [m for m in findings.messages if "90.00% → 50.00% (-40.00 pp, more than 20 points)" in m]
    assert len(up) == len(down) == 1
    assert "mesh m: " in up[0] and "web-v2" in up[0]
    assert up[0].endswith(f"(baseline {config['baseline']})")

    assert _judge(estate(flavour, weights=(70, 30)), config) == {}  # +20 points: the limit


@pytest.mark.parametrize("flavour", ["istio", "vpc-lattice"])
def test_a_stack_export_is_a_baseline_too(flavour: str, tmp_path: Path) -> None:
    baseline = _baseline(tmp_path, estate(flavour, weights=(90, 10)), export=True)
    found = _judge(estate(flavour, weights=(50, 50)), {"baseline": baseline, "maxStep": 20})
    assert list(found) == [SPLIT_RESOURCE[flavour]]
    assert _judge(estate(flavour, weights=(80, 20)), {"baseline": baseline, "maxStep": 20}) == {}


def test_secrets_shown_in_the_export_are_read(tmp_path: Path) -> None:
    old = estate("istio", weights=(90, 10))
    path = tmp_path / "secret.json"
    path.write_text(stack_export(old, secret=["web-m-virtualservice:spec"]))
    found = _judge(estate("istio", weights=(50, 50)), {"baseline": str(path), "maxStep": 20})
    assert list(found) == ["web-m-virtualservice"]


def test_max_step_is_configurable(tmp_path: Path) -> None:
    baseline = _baseline(tmp_path, estate("istio", weights=(90, 10)))
    new = estate("istio", weights=(50, 50))
    assert _judge(new, {"baseline": baseline, "maxStep": 40}) == {}
    assert _judge(new, {"baseline": baseline, "maxStep": 39.99})
    assert list(_judge(new, {"baseline": baseline})) == ["web-m-virtualservice"]  # default 20
    (bad,) = _judge(new, {"baseline": baseline, "maxStep": 150}).values()
    assert "maxStep must be between 0 and 100" in bad.messages[0]


def test_a_backend_new_to_a_rule_counts_from_zero_and_rollbacks_are_steps(tmp_path: Path) -> None:
    baseline = _baseline(tmp_path, estate("istio", weights=(100, 0)))  # web-v2 left out
    (findings,) = _judge(estate("istio", weights=(50, 50)), {"baseline": baseline}).values()
    assert any("- → 50.00% (+50.00 pp (new backend), more than 20" in m for m in findings.messages)
    assert _judge(estate("istio", weights=(90, 10)), {"baseline": baseline}) == {}

    back = _baseline(tmp_path, estate("istio", weights=(50, 50)))
    assert _judge(estate("istio", weights=(100, 0)), {"baseline": back})  # both ways


def test_without_a_baseline_it_says_it_cannot_judge(tmp_path: Path) -> None:
    found = _judge(estate("istio", weights=(50, 50)), {})
    (findings,) = found.values()  # only the weighted resource: the others are not its concern
    assert not findings.violations
    (message,) = findings.unjudged
    assert message.startswith("VirtualService shop/web (web-m-virtualservice): no baseline")


def test_a_preview_with_unknown_references_cannot_be_judged(tmp_path: Path) -> None:
    baseline = _baseline(tmp_path, estate("vpc-lattice", weights=(90, 10)))
    found = _judge(estate("vpc-lattice", weights=(50, 50), preview=True), {"baseline": baseline})
    # under the mocks every id is unknown in a preview: each listener's service and targets
    assert set(found) == {SPLIT_RESOURCE["vpc-lattice"], "m-shop-api-lattice-listener-8080"}
    for findings in found.values():
        assert not findings.violations
        assert findings.unjudged and all("not known yet" in m for m in findings.unjudged)
        assert "the service it routes is not known yet" in findings.unjudged[-1]


def test_an_unreadable_baseline_is_a_violation(tmp_path: Path) -> None:
    new = estate("istio", weights=(90, 10))
    (missing,) = _judge(new, {"baseline": str(tmp_path / "nope.json")}).values()
    assert "cannot be read (FileNotFoundError" in missing.messages[0]
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{")
    (broken,) = _judge(new, {"baseline": str(garbage)}).values()
    assert "not JSON" in broken.messages[0]
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    (shape,) = _judge(new, {"baseline": str(other)}).values()
    assert 'no "resources" list' in shape.messages[0] and "pulumi stack export" in shape.messages[0]


def test_the_resource_is_found_without_its_parent_and_can_be_excluded(tmp_path: Path) -> None:
    config = {"baseline": _baseline(tmp_path, estate("istio", weights=(90, 10)))}
    service = estate("istio", weights=(50, 50)).by_name("web-m-virtualservice")
    args = args_of(service, config)
    orphan = Args(args.resource_type, args.props, args.urn, args.name, Opts(None), config)
    assert max_canary_step(orphan).violations  # the baseline's parent (mesh m) is used
    excluded = {**config, "exclude": ["shop/web"]}
    assert not max_canary_step(args_of(service, excluded))
