"""The objectives section of ``diff``: the SLOs the alerts enforce, before → after.

Objectives are read back from the emitted alerts, never from the SMI input: a
``monitoring.coreos.com`` PrometheusRule's alerting rules named as
:mod:`pulumi_smi.metrics.alerts` names them, whose labels say the Service, the object that
sets the objective (``slo_source``), its kind (``slo``) and its text (``objective``); and the
CloudWatch alarms of :mod:`pulumi_smi.metrics.cloudwatch_alarms`, whose ``smi:*`` tags say the
same (the objective as decimal fractions). One row per (namespace, Service, source).
Loosening an objective (a lower success rate or latency share, a higher latency threshold,
an objective removed) is marked: its alerts fire later, or never. It trips no gate.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..metrics.alerts import ALERTS, SLO_KINDS
from ..metrics.cloudwatch_alarms import COMPOSITE_ALARM, METRIC_ALARM
from ..spec.objectives import LatencyObjective, ServiceLevel
from .sections import Gates, Resource
from .values import mapping

TITLE = "objectives"
_RULE_GROUP = "monitoring.coreos.com"
_KINDS = tuple(dict.fromkeys(SLO_KINDS.values()))
"""``success-rate``, ``latency``: the order an objective's parts are shown in."""
_PREFIXES = {"success-rate": "success ", "latency": "latency "}
_FIELDS = {"success-rate": "success_rate", "latency": "latency"}
ADDED, REMOVED, CHANGED = "added", "removed", "changed"
LOOSENED_NOTE = "a loosened or removed objective alerts later or never: make sure it is intended"
Key = tuple[str, str, str]
"""Namespace, Service, source (``TrafficSplit/bookinfo/reviews``)."""


def read_objectives(resources: Sequence[Resource]) -> dict[Key, dict[str, str]]:
    """Per (namespace, Service, source) its objectives by kind (``success-rate``,
    ``latency``) → text (``success 99.5%``), as the emitted alerts say."""
    found: dict[Key, dict[str, str]] = {}
    for resource in resources:
        for key, kind, text in (*_prometheus_rule(resource), *_cloudwatch_alarm(resource)):
            found.setdefault(key, {})[kind] = text
    return found


def _prometheus_rule(resource: Resource) -> Iterator[tuple[Key, str, str]]:
    token = str(resource.get("type", ""))
    properties = mapping(resource.get("properties"))
    api = str(properties.get("apiVersion", ""))
    if not token.endswith(":PrometheusRule") or not api.startswith(f"{_RULE_GROUP}/"):
        return
    groups = mapping(properties.get("spec")).get("groups")
    for group in groups if isinstance(groups, list) else []:
        rules = mapping(group).get("rules")
        for rule in rules if isinstance(rules, list) else []:
            if mapping(rule).get("alert") not in ALERTS:
                continue
            labels = mapping(mapping(rule).get("labels"))
            fields = [labels.get(k) for k in ("namespace", "service", "slo_source", "slo")]
            text = labels.get("objective")
            if all(isinstance(v, str) for v in (*fields, text)) and fields[3] in _KINDS:
                yield (str(fields[0]), str(fields[1]), str(fields[2])), str(fields[3]), str(text)


def _cloudwatch_alarm(resource: Resource) -> Iterator[tuple[Key, str, str]]:
    if resource.get("type") not in (METRIC_ALARM, COMPOSITE_ALARM):
        return
    tags = mapping(mapping(resource.get("properties")).get("tags"))
    if tags.get("smi:managed-by") != "pulumi-smi":
        return
    fields = [tags.get(f"smi:{k}") for k in ("namespace", "service", "slo-source", "slo")]
    if not all(isinstance(v, str) for v in fields):
        return
    kind = str(fields[3])
    try:
        if kind == "success-rate":
            level = ServiceLevel(success_rate=Fraction(str(tags.get("smi:success-rate"))))
        elif kind == "latency":
            latency = LatencyObjective(
                share=Fraction(str(tags.get("smi:latency-share"))),
                threshold_seconds=Fraction(str(tags.get("smi:latency-threshold-seconds"))),
            )
            level = ServiceLevel(latency=latency)
        else:
            return
    except (ValueError, ZeroDivisionError):  # an unknown (preview) or unreadable tag
        return
    yield (str(fields[0]), str(fields[1]), str(fields[2])), kind, level.describe()


def _level(kind: str, text: str) -> ServiceLevel | None:
    prefix = _PREFIXES[kind]
    if not text.startswith(prefix):
        return None
    try:
        return ServiceLevel.model_validate({_FIELDS[kind]: text[len(prefix) :]})
    except ValueError:
        return None


def _looser(kind: str, before: str, after: str) -> bool:
    """Whether ``after`` asks less than ``before`` in any respect (unreadable: not judged)."""
    old, new = _level(kind, before), _level(kind, after)
    if old is None or new is None:
        return False
    if old.success_rate is not None and new.success_rate is not None:
        return new.success_rate < old.success_rate
    if old.latency is not None and new.latency is not None:
        return (
            new.latency.share < old.latency.share
            or new.latency.threshold_seconds > old.latency.threshold_seconds
        )
    return False


def _joined(parts: Mapping[str, str]) -> str:
    return ", ".join(parts[k] for k in _KINDS if k in parts)


@dataclass(frozen=True)
class ObjectiveChange:
    """One (namespace, Service, source)'s objectives before and after (None: it had none)."""

    namespace: str
    service: str
    source: str
    before: Mapping[str, str]
    after: Mapping[str, str]

    @property
    def status(self) -> str:
        """``added``, ``removed`` or ``changed``."""
        return ADDED if not self.before else REMOVED if not self.after else CHANGED

    @property
    def loosened(self) -> bool:
        """Whether any part is removed or asks less than before."""
        return any(
            kind not in self.after or _looser(kind, text, self.after[kind])
            for kind, text in self.before.items()
        )

    @property
    def where(self) -> str:
        """``bookinfo/reviews-v2 (TrafficSplit/bookinfo/reviews)``."""
        return f"{self.namespace}/{self.service} ({self.source})"

    def shown_change(self) -> str:
        """``success 99.5% → 99.9%``, ``added: latency 99% < 250ms``, ``removed: ...``; for
        a change only the parts that differ."""
        if self.status != CHANGED:
            return f"{self.status}: {_joined(self.before or self.after)}"
        parts = []
        for kind in _KINDS:
            old, new = self.before.get(kind), self.after.get(kind)
            if old == new:
                continue
            if old is not None and new is not None:
                parts.append(f"{old} → {new[len(_PREFIXES[kind]) :]}")
            else:
                parts.append(f"{old or '(none)'} → {new or '(none)'}")
        return "; ".join(parts)


@dataclass(frozen=True)
class ObjectivesSection:
    """The objectives of one mesh compared (a :class:`~.sections.Section`): the rows that
    differ, and how many are the same."""

    rows: tuple[ObjectiveChange, ...]
    unchanged: int

    @property
    def title(self) -> str:
        """``objectives``."""
        return TITLE

    @property
    def changed(self) -> bool:
        """Whether any objective is added, removed or changed."""
        return bool(self.rows)

    def violations(self, gates: Gates) -> list[str]:
        """None: loosening an objective is noted, not gated."""
        return []

    def _same(self) -> str:
        return f"{self.unchanged} unchanged" if self.unchanged else ""

    def text(self) -> list[str]:
        """``objectives``, then per row ``~ where: change`` (``(loosened)`` when it is)."""
        if not self.rows:
            return []
        marks = {ADDED: "+", REMOVED: "-", CHANGED: "~"}
        same = self._same()
        lines = [f"objectives ({same})" if same else "objectives"]
        for row in self.rows:
            loosened = "  (loosened)" if row.loosened else ""
            lines.append(f"  {marks[row.status]} {row.where}: {row.shown_change()}{loosened}")
        if any(row.loosened for row in self.rows):
            lines.append(f"  note: {LOOSENED_NOTE}")
        return lines

    def markdown(self) -> list[str]:
        """A table: Service, set by, before, after, change (**loosened** in bold)."""
        if not self.rows:
            return []
        lines = [
            "| objective of | set by | before | after | change |",
            "|---|---|---|---|---|",
        ]
        for row in self.rows:
            change = f"**{row.status}, loosened**" if row.loosened else row.status
            cells = [
                f"{row.namespace}/{row.service}",
                row.source,
                _joined(row.before) or "-",
                _joined(row.after) or "-",
                change,
            ]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        if self.unchanged:
            lines += ["", f"{self._same().capitalize()}."]
        if any(row.loosened for row in self.rows):
            lines += ["", f"> **Note:** {LOOSENED_NOTE}."]
        return lines

    def to_json(self) -> dict[str, Any]:
        """``{"section": "objectives", "objectives": [...], "unchanged": N}``: the rows that
        differ (``before``/``after`` null when absent)."""
        return {
            "section": self.title,
            "objectives": [
                {
                    "namespace": r.namespace,
                    "service": r.service,
                    "source": r.source,
                    "before": _joined(r.before) or None,
                    "after": _joined(r.after) or None,
                    "status": r.status,
                    "loosened": r.loosened,
                }
                for r in self.rows
            ],
            "unchanged": self.unchanged,
        }


def _cell(text: str) -> str:
    """``text`` safe in a markdown table cell (``<`` is not taken for HTML)."""
    escaped = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return escaped.replace("<", "&lt;").replace(">", "&gt;")


def objectives_section(old: Sequence[Resource], new: Sequence[Resource]) -> ObjectivesSection:
    """The :class:`ObjectivesSection` of one mesh's resources before and after."""
    before, after = read_objectives(old), read_objectives(new)
    rows: list[ObjectiveChange] = []
    unchanged = 0
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key, {}), after.get(key, {})
        if was == now:
            unchanged += 1
        else:
            rows.append(ObjectiveChange(*key, before=was, after=now))
    return ObjectivesSection(tuple(rows), unchanged)
