"""The access section of ``diff``: grants added and removed, guards switched, per mesh.

Both sides are read from the emitted objects by every reader (each ignores what is not its
target's): :func:`read_access`. A grant only in NEW is ``added``: a widening unless a grant
of OLD covers it; only in OLD, ``removed`` (a narrowing). A guard only in OLD is ``removed``:
a widening unless a guard of NEW still gives it (:func:`~.access_model.guard_kept`); only in
NEW, ``added``. Grants or guards with unknown parts are always widenings in NEW. The gate
``--deny-access-widening`` trips on every widening.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .access_aws import appmesh_access, lattice_access
from .access_consul import consul_access
from .access_istio import istio_access
from .access_linkerd import linkerd_access
from .access_model import ANY, DENY_BY_DEFAULT, Access, Grant, Guard, guard_kept
from .sections import Gates, Resource

SAME, ADDED, REMOVED, UNKNOWN = "same", "added", "removed", "unknown"
READERS = (istio_access, linkerd_access, consul_access, lattice_access, appmesh_access)
CONSERVATIVE_NOTE = (
    "a new grant is a widening unless an old one covers it (same destination or a wider "
    "selector, same source and protocol, the same or any port, method and path, no more "
    "conditions): a rule rewritten to allow the same or less may be flagged"
)


def read_access(resources: Sequence[Resource]) -> Access:
    """Every grant and guard of ``resources`` (one mesh's), from every target's reader."""
    found = Access()
    for reader in READERS:
        found = found + reader(resources)
    return found


@dataclass(frozen=True)
class GrantChange:
    """One grant on one side or both; ``widening`` when the gate counts it."""

    grant: Grant
    status: str
    widening: bool

    def judged(self) -> str:
        """``widening``, ``narrowing``, ``covered by an old grant`` or ``unchanged``."""
        if self.widening:
            return "widening (unknown parts)" if self.grant.unknown else "widening"
        return {ADDED: "covered by an old grant", REMOVED: "narrowing"}.get(
            self.status, "unchanged"
        )


@dataclass(frozen=True)
class GuardChange:
    """One guard on one side or both; ``widening`` when its loss opens the destination."""

    guard: Guard
    status: str
    widening: bool

    def judged(self) -> str:
        """``widening: ...``, ``narrowing``, ``still given by another guard``, ``unchanged``."""
        if self.widening and self.status == REMOVED:
            if self.guard.what == DENY_BY_DEFAULT:
                return "widening: default deny gone, anyone may call it"
            return "widening"
        if self.widening:
            return "widening (unknown parts)"
        return {ADDED: "narrowing", REMOVED: "still given by another guard"}.get(
            self.status, "unchanged"
        )


def compare_access(old: Access, new: Access) -> tuple[list[GrantChange], list[GuardChange]]:
    """Every grant and guard of either side, judged (module docstring)."""
    before = {g.key: g for g in old.grants}
    after = {g.key: g for g in new.grants}
    grants: list[GrantChange] = []
    for grant in sorted({**before, **after}.values()):
        key = grant.key
        if key in after and grant.unknown:
            grants.append(GrantChange(after[key], UNKNOWN if key in before else ADDED, True))
        elif key not in before:
            covered = any(grant.covered_by(o) for o in old.grants)
            grants.append(GrantChange(grant, ADDED, not covered))
        elif key not in after:
            grants.append(GrantChange(grant, REMOVED, False))
        else:
            grants.append(GrantChange(after[key], SAME, False))
    guards: list[GuardChange] = []
    old_guards, new_guards = set(old.guards), set(new.guards)
    for guard in sorted(old_guards | new_guards, key=_guard_order):
        if guard in new_guards and guard.unknown:
            guards.append(GuardChange(guard, UNKNOWN if guard in old_guards else ADDED, True))
        elif guard not in new_guards:
            guards.append(GuardChange(guard, REMOVED, not guard_kept(guard, new)))
        elif guard not in old_guards:
            guards.append(GuardChange(guard, ADDED, False))
        else:
            guards.append(GuardChange(guard, SAME, False))
    return grants, guards


def _guard_order(guard: Guard) -> tuple[object, ...]:
    reserved = sorted(guard.sources) if guard.sources is not None else []
    return (guard.shown(), guard.unknown, guard.sources is not None, reserved)


def _count(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


_SIGNS = {ADDED: "+", REMOVED: "-", UNKNOWN: "?", SAME: " "}


@dataclass(frozen=True)
class AccessSection:
    """The access grants and guards of one mesh compared (a :class:`~.sections.Section`)."""

    grants: tuple[GrantChange, ...]
    guards: tuple[GuardChange, ...]

    @property
    def title(self) -> str:
        """``access``."""
        return "access"

    @property
    def changed(self) -> bool:
        """Whether any grant or guard differs (or has unknown parts)."""
        return any(r.status != SAME for r in self.grants) or any(
            r.status != SAME for r in self.guards
        )

    def widenings(self) -> list[str]:
        """One line per widening."""
        found = [f"access: new grant {r.grant.shown()}" for r in self.grants if r.widening]
        for row in self.guards:
            if row.widening:
                state = "gone" if row.status == REMOVED else "unknown"
                found.append(f"access: guard {state}: {row.guard.shown()} ({row.judged()})")
        return found

    def violations(self, gates: Gates) -> list[str]:
        """Every widening, when ``--deny-access-widening`` is on."""
        return self.widenings() if gates.deny_access_widening else []

    def _rows(self) -> list[tuple[str, str, str]]:
        """(sign, what, judged) of every changed grant and guard."""
        rows = [
            (_SIGNS[r.status], r.grant.shown(), r.judged()) for r in self.grants if r.status != SAME
        ]
        rows += [
            (_SIGNS[r.status], f"guard {r.guard.shown()}", r.judged())
            for r in self.guards
            if r.status != SAME and (r.widening or r.guard.sources is None)
        ]
        return rows

    def _unchanged(self) -> str:
        grants = sum(r.status == SAME for r in self.grants)
        guards = sum(r.status == SAME and r.guard.sources is None for r in self.guards)
        return f"{_count(grants, 'grant')}, {_count(guards, 'guard')}"

    def _note(self) -> list[str]:
        flagged = any(r.widening and r.status == ADDED for r in self.grants)
        return [f"note: {CONSERVATIVE_NOTE}"] if flagged else []

    def text(self) -> list[str]:
        """``+``/``-`` grants and guards with how each is judged."""
        if not self.grants and not self.guards:
            return ["access: no access policy"]
        rows = self._rows()
        if not rows:
            return [f"access: unchanged ({self._unchanged()})"]
        widest = max(len(what) for _, what, _ in rows)
        lines = ["access"]
        lines += [f"  {sign} {what:<{widest}}  {judged}" for sign, what, judged in rows]
        lines.append(f"  (unchanged: {self._unchanged()})")
        return lines + self._note()

    def markdown(self) -> list[str]:
        """A table: change, grant or guard, judged."""
        if not self.grants and not self.guards:
            return ["No access policy."]
        rows = self._rows()
        if not rows:
            return [f"Access unchanged ({self._unchanged()})."]
        lines = ["| | access | judged |", "|---|---|---|"]
        for sign, what, judged in rows:
            shown = f"**{judged}**" if judged.startswith("widening") else judged
            lines.append(f"| {_cell(sign)} | {_cell(what)} | {shown} |")
        lines += ["", f"Unchanged: {self._unchanged()}."]
        return lines + [f"_{n[6:]}_" for n in self._note()]

    def to_json(self) -> dict[str, Any]:
        """``{"section": "access", "grants": [...], "guards": [...]}``, every row."""
        return {
            "section": self.title,
            "grants": [
                {
                    "destination": r.grant.destination.shown(),
                    "source": r.grant.source,
                    "protocol": r.grant.protocol,
                    "port": r.grant.port,
                    "method": r.grant.method,
                    "path": r.grant.path,
                    "conditions": list(r.grant.conditions),
                    "unknown": r.grant.unknown,
                    "via": list(r.grant.via),
                    "status": r.status,
                    "widening": r.widening,
                }
                for r in self.grants
            ],
            "guards": [
                {
                    "destination": r.guard.destination.shown(),
                    "guard": r.guard.what,
                    "port": r.guard.port,
                    "unknown": r.guard.unknown,
                    "via": list(r.guard.via),
                    "status": r.status,
                    "widening": r.widening,
                }
                for r in self.guards
            ],
        }


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def access_section(old: Sequence[Resource], new: Sequence[Resource]) -> AccessSection:
    """The :class:`AccessSection` of one mesh's resources before and after."""
    grants, guards = compare_access(read_access(old), read_access(new))
    return AccessSection(tuple(grants), tuple(guards))


__all__ = ["ANY", "AccessSection", "access_section", "compare_access", "read_access"]
