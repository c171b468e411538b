"""Build a ``pulumi preview --json`` document from two render/convert outputs, as the engine would.

There is no Pulumi CLI here, so the tests of ``diff --preview`` write the document the engine
prints (``pkg/backend/display/json.go`` ``ShowPreviewDigest``: ``steps`` of
``display.PreviewStep`` with ``apitype.ResourceV3`` states, ``diagnostics``,
``changeSummary``) from the resources of an old and a new render:

- URNs as the real engine makes them: ``urn:pulumi:STACK::PROJECT::<qualified type>::NAME``,
  the qualified type being the ancestors' types joined by ``$`` (the Stack left out, unlike
  the mock monitor's URNs);
- one step per URN: ``same`` when the inputs, parent, provider and dependencies are equal,
  ``update`` when not, ``create``/``delete`` for a resource on one side only, ``replace``
  (with ``replaceReasons``) for the names the test asks; the root Stack's step (always shown);
  ``same`` steps only with ``show_sames`` (``shouldShow``), counted in ``changeSummary``;
- states with ``urn``, ``custom``, ``type``, ``inputs``, ``outputs``, ``parent`` (a URN),
  ``provider`` (``<provider URN>::<id>``, the id unknown for a new provider) and
  ``dependencies`` (URNs); AWS inputs carry the bridged providers' ``__defaults`` lists; an
  unknown value (null in a render in preview) is the engine's sentinel.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_smi.review.values import UNKNOWN

STACK, PROJECT = "dev", "infra"
STACK_URN = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"


def _unknowns(value: Any) -> Any:
    if value is None:
        return UNKNOWN
    if isinstance(value, Mapping):
        return {k: _unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unknowns(v) for v in value]
    return value


def _bridged(token: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {**inputs, "__defaults": []} if token.startswith("aws:") else dict(inputs)


def _is_provider(resource: Mapping[str, Any]) -> bool:
    return str(resource["type"]).startswith("pulumi:providers:")


class _Side:
    """One render's resources. A render names a parent or provider by its logical name only
    (a Mesh and a provider may share one): parents are looked up among the resources that
    are not providers, providers among the providers."""

    def __init__(self, resources: Sequence[Mapping[str, Any]], ids: str) -> None:
        self.parents = {str(r["name"]): r for r in resources if not _is_provider(r)}
        self.providers = {str(r["name"]): r for r in resources if _is_provider(r)}
        self.ids = ids

    def chain(self, resource: Mapping[str, Any]) -> str:
        parent = resource.get("parent")
        own = str(resource["type"])
        if parent is None or parent not in self.parents:
            return own
        return f"{self.chain(self.parents[str(parent)])}${own}"

    def urn(self, resource: Mapping[str, Any]) -> str:
        return f"urn:pulumi:{STACK}::{PROJECT}::{self.chain(resource)}::{resource['name']}"

    def named(self, name: object) -> Mapping[str, Any]:
        return self.parents.get(str(name)) or self.providers[str(name)]

    def state(self, resource: Mapping[str, Any]) -> dict[str, Any]:
        token = str(resource["type"])
        inputs = _bridged(token, _unknowns(resource.get("properties") or {}))
        parent = resource.get("parent")
        state: dict[str, Any] = {
            "urn": self.urn(resource),
            "custom": not token.startswith("smi:index:"),
            "type": token,
            "inputs": inputs,
            "outputs": inputs,
            "parent": self.urn(self.parents[parent]) if parent in self.parents else STACK_URN,
            "dependencies": sorted(
                self.urn(self.named(d)) for d in resource.get("dependsOn") or []
            ),
        }
        provider = resource.get("provider")
        if provider is not None:
            state["provider"] = f"{self.urn(self.providers[str(provider)])}::{self.ids}-{provider}"
        return state


def preview_digest(
    old: Sequence[Mapping[str, Any]],
    new: Sequence[Mapping[str, Any]],
    *,
    show_sames: bool = True,
    replace: Mapping[str, Sequence[str]] | None = None,
    warnings: Iterable[tuple[str, str]] = (),
) -> dict[str, Any]:
    """The preview of going from the resources ``old`` to ``new`` (module docstring);
    ``replace`` names the resources the engine replaces and why; ``warnings`` are
    (resource name, message) diagnostics."""
    before, after = _Side(old, "id"), _Side(new, UNKNOWN)
    steps: list[dict[str, Any]] = [{"op": "same", "urn": STACK_URN}]
    summary = {"same": 1}
    replace = replace or {}
    olds = {before.urn(r): r for r in old}
    news = {after.urn(r): r for r in new}
    for urn in [*olds, *(u for u in news if u not in olds)]:
        old_state = before.state(olds[urn]) if urn in olds else None
        new_state = after.state(news[urn]) if urn in news else None
        if old_state is not None and new_state is not None and "provider" in old_state:
            new_state["provider"] = old_state["provider"]
        step: dict[str, Any] = {"urn": urn}
        name = str((olds.get(urn) or news[urn])["name"])
        if name in replace:
            step.update(op="replace", replaceReasons=list(replace[name]))
        elif old_state is None:
            step["op"] = "create"
        elif new_state is None:
            step["op"] = "delete"
        else:
            same = all(old_state[k] == new_state[k] for k in ("inputs", "parent", "dependencies"))
            step["op"] = "same" if same else "update"
        summary[step["op"]] = summary.get(step["op"], 0) + 1
        if step["op"] == "same" and not show_sames:
            continue
        if old_state is not None and step["op"] != "create":
            step["oldState"] = old_state
        if new_state is not None and step["op"] != "delete":
            step["newState"] = new_state
        if "provider" in (new_state or old_state or {}):
            step["provider"] = (new_state or old_state or {})["provider"]
        steps.append(step)
    diagnostics = [
        {
            "urn": after.urn(after.named(name)),
            "message": f"warning: {message}\n",
            "severity": "warning",
        }
        for name, message in warnings
    ]
    digest: dict[str, Any] = {"config": {}, "steps": steps, "changeSummary": summary}
    if diagnostics:
        digest["diagnostics"] = diagnostics
    return digest


def preview_json(
    old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]], **kw: Any
) -> str:
    """:func:`preview_digest` as the engine prints it (indented four spaces)."""
    return json.dumps(preview_digest(old, new, **kw), indent=4)
