"""A :class:`~.diff.Review` as text, markdown (a pull-request comment) or JSON.

Every format shows the same: per mesh its semantic sections, the warnings added and removed,
the gates, and the resources added, removed, changed (property paths, ``before → after``)
and replaced. The JSON object (``"format": "pulumi-smi-diff/1"``) is documented in the README.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..plan import pretty_json
from .diff import Review
from .resources import ABSENT, Change, Ref, ResourceDiff
from .table import compact_type

FORMAT = "pulumi-smi-diff/1"
OUTPUTS = ("text", "markdown", "json")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _points(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def summary(resources: ResourceDiff) -> str:
    """``1 changed, 0 added, 0 removed, 0 replaced, 0 retyped (17 unchanged)``."""
    return (
        f"{len(resources.changed)} changed, {len(resources.added)} added, "
        f"{len(resources.removed)} removed, {len(resources.replaced)} replaced, "
        f"{len(resources.retyped)} retyped ({resources.unchanged} unchanged)"
    )


def _ref(ref: Ref) -> str:
    return f"{ref.name}  {compact_type(ref.type)}"


def resource_lines(resources: ResourceDiff) -> list[str]:
    """``~`` changed, ``+`` added, ``-`` removed, ``±`` replaced, ``~`` retyped (its type
    change first); the property changes indented below."""
    lines: list[str] = []
    for ref, changes in resources.changed:
        lines.append(f"~ {_ref(ref)}")
        lines += [f"    {c.text()}" for c in changes]
    lines += [f"+ {_ref(r)}" for r in resources.added]
    lines += [f"- {_ref(r)}" for r in resources.removed]
    for replaced in resources.replaced:
        lines.append(f"± {_ref(replaced.after)}: replaced, {replaced.reason}")
        lines += [f"    {c.text()}" for c in replaced.changes]
    for retyped in resources.retyped:
        lines.append(f"~ {_ref(retyped.after)}: retyped, {retyped.reason}")
        lines += [f"    {c.text()}" for c in retyped.changes]
    return lines


def _gate_lines(review: Review) -> list[str]:
    gates = review.gates
    if gates.max_shift is None and not gates.deny_access_widening:
        return []
    named = " ".join(
        ([f"--max-shift {_points(gates.max_shift)}"] if gates.max_shift is not None else [])
        + (["--deny-access-widening"] if gates.deny_access_widening else [])
    )
    return [f"gate {named}: {'tripped' if review.tripped else 'passed'}"]


def format_text(review: Review) -> str:
    """The plain-text review (the default ``-o text``)."""
    lines = [*(f"note: {n}" for n in review.notes), f"resources: {summary(review.resources)}", ""]
    for mesh in review.meshes:
        lines.append(mesh.title)
        for section in mesh.sections:
            lines += [f"  {line}" for line in section.text()]
        lines.append("")
    if review.warnings_added or review.warnings_removed:
        lines.append("warnings")
        lines += [f"  + {w}" for w in review.warnings_added]
        lines += [f"  - {w}" for w in review.warnings_removed]
    else:
        lines.append("warnings: none added or removed")
    lines.append("")
    gate = _gate_lines(review)
    if gate:
        lines += [*gate, *(f"  {v}" for v in review.violations), ""]
    if not review.resources.empty:
        lines += ["resources", *(f"  {line}" for line in resource_lines(review.resources))]
    return "\n".join(lines).rstrip("\n") + "\n"


def format_markdown(review: Review) -> str:
    """A pull-request comment: a table per mesh, warnings, gates, then the resources in a
    collapsed ``<details>``."""
    lines = ["### pulumi-smi diff", ""]
    lines += [line for n in review.notes for line in (f"> {_inline(n)}", "")]
    for mesh in review.meshes:
        lines += [f"#### {mesh.title}", ""]
        for section in mesh.sections:
            shown = section.markdown()
            lines += [*shown, ""] if shown else []
    if review.warnings_added or review.warnings_removed:
        lines += ["#### Warnings", ""]
        lines += [f"- added: {_inline(w)}" for w in review.warnings_added]
        lines += [f"- removed: {_inline(w)}" for w in review.warnings_removed]
        lines.append("")
    gate = _gate_lines(review)
    if gate:
        lines += [f"**{gate[0]}**", ""]
        lines += [f"- {_inline(v)}" for v in review.violations]
        lines += [""] if review.violations else []
    lines += [
        f"<details><summary>Resources: {summary(review.resources)}</summary>",
        "",
        "```text",
        *(resource_lines(review.resources) or ["(no resource changes)"]),
        "```",
        "",
        "</details>",
    ]
    return "\n".join(lines) + "\n"


def _inline(text: str) -> str:
    return text.replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def _change(change: Change) -> dict[str, Any]:
    found: dict[str, Any] = {"path": change.path}
    if change.before is not ABSENT:
        found["before"] = change.before
    if change.after is not ABSENT:
        found["after"] = change.after
    return found


def _json_ref(ref: Ref) -> dict[str, str]:
    return {"type": ref.type, "name": ref.name}


def to_json(review: Review) -> dict[str, Any]:
    """The review as the documented JSON object."""
    resources = review.resources
    gates = review.gates
    return {
        "format": FORMAT,
        "notes": list(review.notes),
        "meshes": [
            {
                "mesh": mesh.name,
                "kind": {"before": mesh.kind_before, "after": mesh.kind_after},
                "present": {"before": mesh.in_before, "after": mesh.in_after},
                "sections": [s.to_json() for s in mesh.sections],
            }
            for mesh in review.meshes
        ],
        "warnings": {
            "added": list(review.warnings_added),
            "removed": list(review.warnings_removed),
        },
        "gates": {
            "maxShift": None if gates.max_shift is None else float(gates.max_shift),
            "denyAccessWidening": gates.deny_access_widening,
            "tripped": review.tripped,
            "violations": list(review.violations),
        },
        "resources": {
            "changed": [
                {**_json_ref(ref), "changes": [_change(c) for c in changes]}
                for ref, changes in resources.changed
            ],
            "added": [_json_ref(r) for r in resources.added],
            "removed": [_json_ref(r) for r in resources.removed],
            "replaced": [
                {
                    "before": _json_ref(r.before),
                    "after": _json_ref(r.after),
                    "reason": r.reason,
                    "sameObject": r.same_object,
                    "changes": [_change(c) for c in r.changes],
                }
                for r in resources.replaced
            ],
            "retyped": [
                {
                    "before": _json_ref(r.before),
                    "after": _json_ref(r.after),
                    "reason": r.reason,
                    "changes": [_change(c) for c in r.changes],
                }
                for r in resources.retyped
            ],
            "unchanged": resources.unchanged,
        },
    }


def format_review(review: Review, output: str) -> str:
    """``review`` as ``text``, ``markdown`` or ``json``."""
    if output == "markdown":
        return format_markdown(review)
    if output == "json":
        return pretty_json(to_json(review)) + "\n"
    return format_text(review)
