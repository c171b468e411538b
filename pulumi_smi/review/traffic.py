"""The traffic section of ``diff``: every backend's share of every rule, before → after.

Both sides are read with :func:`~.shares.traffic_shares` from the emitted objects. A row is
keyed by apex, port, rule and backend. Its ``shift`` (in fractions of the rule's requests)
is the share after minus the share before, a backend absent from a rule on one side counting
0; there is no shift for a rule (or apex) that exists on one side only, nor when a share is
unknown on either side (a preview): those rows are listed but never trip ``--max-shift``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .matches import DEFAULT_RULE
from .model import Share, format_percent
from .sections import Gates, Resource
from .shares import traffic_shares
from .values import UNKNOWN_TEXT

SAME, CHANGED, UNKNOWN = "same", "changed", "unknown"
NEW_BACKEND, BACKEND_GONE = "new backend", "backend gone"
NEW_RULE, RULE_GONE, NEW_APEX, APEX_GONE = "new rule", "rule gone", "new apex", "apex gone"
UNKNOWN_NOTE = (
    "a share shown (unknown) is not known on one side (a preview's unknown weight or "
    "reference): it is never gated by --max-shift"
)
Key = tuple[str, int | None, str, str]


@dataclass(frozen=True)
class ShareChange:
    """One backend's share of one rule, before and after (None: unknown; ``had``/``has``:
    whether the backend is in the rule on that side)."""

    apex: str
    port: int | None
    rule: str
    backend: str
    before: Fraction | None
    after: Fraction | None
    had: bool
    has: bool
    status: str

    @property
    def shift(self) -> Fraction | None:
        """After minus before (fractions of the rule's requests), None when not comparable."""
        if self.status in (NEW_RULE, RULE_GONE, NEW_APEX, APEX_GONE, UNKNOWN):
            return None
        before = self.before if self.had else Fraction(0)
        after = self.after if self.has else Fraction(0)
        return None if before is None or after is None else after - before

    @property
    def where(self) -> str:
        """The apex (and port) as shown: ``bookinfo/reviews``, ``reviews-bookinfo port 9080``."""
        return self.apex if self.port is None else f"{self.apex} port {self.port}"

    def shown_before(self) -> str:
        """The share before as shown (``90.00%``, ``(unknown)``, ``-`` when absent)."""
        return format_percent(self.before) if self.had else "-"

    def shown_after(self) -> str:
        """The share after as shown."""
        return format_percent(self.after) if self.has else "-"

    def shown_change(self) -> str:
        """``-40.00 pp``, ``+50.00 pp (new backend)``, ``unchanged``, ``new apex``..."""
        if self.status == SAME:
            return "unchanged"
        if self.status == UNKNOWN:
            return "(unknown)"
        shift = self.shift
        if shift is None:
            return self.status
        points = f"{'-' if shift < 0 else '+'}{format_percent(abs(shift))[:-1]} pp"
        return points if self.status == CHANGED else f"{points} ({self.status})"


def _rule_names(shares: Sequence[Share]) -> list[tuple[Key, Fraction | None]]:
    """Shares keyed; a rule described alike by two resources of one apex gets ``#2``."""
    sources: dict[tuple[str, int | None, str], list[str]] = {}
    keyed: list[tuple[Key, Fraction | None]] = []
    for share in shares:
        seen = sources.setdefault((share.apex, share.port, share.rule), [])
        if share.source not in seen:
            seen.append(share.source)
        position = seen.index(share.source)
        rule = share.rule if position == 0 else f"{share.rule} #{position + 1}"
        keyed.append(((share.apex, share.port, rule, share.backend), share.fraction))
    return keyed


def _order(key: Key) -> tuple[str, int, bool, str, str]:
    apex, port, rule, backend = key
    return (apex, -1 if port is None else port, rule == DEFAULT_RULE, rule, backend)


def _unknown(name: str) -> bool:
    """Whether a backend or apex name stands for an unknown host (``(unknown)``,
    ``(unknown #2)``)."""
    return name.startswith(UNKNOWN_TEXT[:-1])


def compare_shares(old: Sequence[Share], new: Sequence[Share]) -> list[ShareChange]:
    """Every backend of every rule of either side, ordered by apex, port, rule (``default``
    last), backend."""
    before: Mapping[Key, Fraction | None] = dict(_rule_names(old))
    after: Mapping[Key, Fraction | None] = dict(_rule_names(new))
    rules = [{k[:3] for k in side} for side in (before, after)]
    apexes = [{k[:2] for k in side} for side in (before, after)]
    # A host unknown on one side (a preview's new remote) may be any backend or apex of the
    # other: what seems to come or go next to one is unknown, never a gated shift.
    hidden_rules = {k[:3] for side in (before, after) for k in side if _unknown(k[3])}
    hidden_apex = any(_unknown(k[0]) for side in (before, after) for k in side)
    rows: list[ShareChange] = []
    for key in sorted(before.keys() | after.keys(), key=_order):
        had, has = key in before, key in after
        b, a = before.get(key), after.get(key)
        one_side = key[:3] not in rules[0] or key[:3] not in rules[1]
        if one_side and hidden_apex and key[:2] not in apexes[0] & apexes[1]:
            status = UNKNOWN
        elif key[:3] not in rules[0]:
            status = NEW_APEX if key[:2] not in apexes[0] else NEW_RULE
        elif key[:3] not in rules[1]:
            status = APEX_GONE if key[:2] not in apexes[1] else RULE_GONE
        elif (had and b is None) or (has and a is None) or (had != has and key[:3] in hidden_rules):
            status = UNKNOWN
        elif not had:
            status = NEW_BACKEND
        elif not has:
            status = BACKEND_GONE
        else:
            status = SAME if a == b else CHANGED
        rows.append(ShareChange(*key, before=b, after=a, had=had, has=has, status=status))
    return rows


def _json_share(present: bool, value: Fraction | None) -> Any:
    if not present:
        return None
    return "unknown" if value is None else round(float(value * 100), 2)


@dataclass(frozen=True)
class TrafficSection:
    """The traffic shares of one mesh compared (a :class:`~.sections.Section`)."""

    rows: tuple[ShareChange, ...]

    @property
    def title(self) -> str:
        """``traffic``."""
        return "traffic"

    @property
    def changed(self) -> bool:
        """Whether any share differs (or is unknown on a side)."""
        return any(r.status != SAME for r in self.rows)

    def _apexes(self) -> tuple[list[list[ShareChange]], int]:
        """The apexes with a change (all their rows), and how many others."""
        grouped: dict[tuple[str, int | None], list[ShareChange]] = {}
        for row in self.rows:
            grouped.setdefault((row.apex, row.port), []).append(row)
        shown = [g for g in grouped.values() if any(r.status != SAME for r in g)]
        return shown, len(grouped) - len(shown)

    def violations(self, gates: Gates) -> list[str]:
        """The rows whose share moves more than ``gates.max_shift`` points."""
        if gates.max_shift is None:
            return []
        limit = gates.max_shift / 100
        return [
            f"{r.where}: {r.rule}: {r.backend}: {r.shown_before()} → {r.shown_after()} "
            f"({r.shown_change()}, more than {gates.max_shift} points)"
            for r in self.rows
            if r.shift is not None and abs(r.shift) > limit
        ]

    def _note(self) -> list[str]:
        return [f"note: {UNKNOWN_NOTE}"] if any(r.status == UNKNOWN for r in self.rows) else []

    def text(self) -> list[str]:
        """Per changed apex its rules and backends, ``before → after  change``."""
        shown, same = self._apexes()
        if not shown:
            return [f"traffic: unchanged ({_apexes(same)})" if same else "traffic: no splits"]
        rows = [r for group in shown for r in group]
        rule_width = max(len(r.rule) for r in rows)
        backend_width = max(len(r.backend) for r in rows)
        before_width = max(len(r.shown_before()) for r in rows)
        after_width = max(len(r.shown_after()) for r in rows)
        lines = ["traffic"]
        for group in shown:
            lines.append(f"  {group[0].where}")
            rule = None
            for row in group:
                named = row.rule if row.rule != rule else ""
                rule = row.rule
                lines.append(
                    f"    {named:<{rule_width}}  {row.backend:<{backend_width}}  "
                    f"{row.shown_before():>{before_width}} → {row.shown_after():>{after_width}}"
                    f"  {row.shown_change()}"
                )
        if same:
            lines.append(f"  (unchanged: {_apexes(same)} more)")
        return lines + self._note()

    def markdown(self) -> list[str]:
        """A table: apex, rule, backend, before, after, change (changed apexes only)."""
        shown, same = self._apexes()
        if not shown:
            return [f"Traffic unchanged ({_apexes(same)})." if same else "No traffic splits."]
        lines = ["| apex | rule | backend | before | after | change |", "|---|---|---|---|---|---|"]
        for row in (r for group in shown for r in group):
            change = row.shown_change()
            if row.status not in (SAME, UNKNOWN):
                change = f"**{change}**"
            cells = [row.where, row.rule, row.backend, row.shown_before(), row.shown_after()]
            lines.append("| " + " | ".join(_cell(c) for c in [*cells, change]) + " |")
        if same:
            lines += ["", f"Unchanged: {_apexes(same)} more."]
        return lines + [f"_{n[6:]}_" for n in self._note()]

    def to_json(self) -> dict[str, Any]:
        """``{"section": "traffic", "shares": [...]}``, every row (unchanged ones too)."""
        return {
            "section": self.title,
            "shares": [
                {
                    "apex": r.apex,
                    "port": r.port,
                    "rule": r.rule,
                    "backend": r.backend,
                    "before": _json_share(r.had, r.before),
                    "after": _json_share(r.has, r.after),
                    "shift": None if r.shift is None else round(float(r.shift * 100), 2),
                    "status": r.status,
                }
                for r in self.rows
            ],
        }


def _apexes(count: int) -> str:
    return f"{count} apex" if count == 1 else f"{count} apexes"


def _cell(text: str) -> str:
    """``text`` safe in a markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def traffic_section(old: Sequence[Resource], new: Sequence[Resource]) -> TrafficSection:
    """The :class:`TrafficSection` of one mesh's resources before and after."""
    return TrafficSection(tuple(compare_shares(traffic_shares(old), traffic_shares(new))))
