"""A maximum canary step per update: no backend's share of a rule moves more than ``maxStep``
percentage points between the last deployment and this one.

pulumi-policy gives a resource policy the resource's new inputs only — no old state (its
``ResourceValidationArgs`` has ``resource_type``, ``props``, ``urn``, ``name``, ``opts``,
``provider``, the policy's config and the stack's tags; a stack policy sees the new
resources only, too). So the old state is given as configuration: ``baseline``, the path of
a ``pulumi stack export`` of the last deployment (or of a ``pulumi-smi render -o json`` /
``convert -o json`` output). Without one the policy says it cannot judge (an advisory
diagnostic), never passes silently.

Each resource that carries weights — an Istio VirtualService, a Gateway API (GAMMA) or
Linkerd route, an SMI TrafficSplit, a Consul ServiceSplitter or ServiceRouter (CRD or config
entry), a VPC Lattice Listener or ListenerRule, an App Mesh Route — is judged before the
engine applies it: the baseline's resources with this one put in its place (found by URN,
else by type and logical name) against the baseline itself. The shares of both are read by
:func:`pulumi_smi.review.traffic_shares` (the readers of ``render -o table`` and ``diff``),
per ``smi.Mesh``, and compared as ``diff --max-shift`` compares them: a backend new to a rule
counts from 0 %; a rule or apex new in this update has no step and is not judged; a share
not known yet (a preview's unknown weight or reference) cannot be judged.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..errors import SmiError, printable
from ..review.aws import LISTENER, ROUTE, RULE
from ..review.consul import CONFIG_ENTRY
from ..review.document import Document, UnreadableDocument, parse_document
from ..review.kube import GAMMA_KINDS
from ..review.model import Share
from ..review.sections import Gates
from ..review.shares import traffic_shares
from ..review.traffic import UNKNOWN as UNKNOWN_STATUS
from ..review.traffic import ShareChange, TrafficSection, compare_shares
from ..review.values import UNKNOWN_TEXT
from .subject import NOTHING, Findings, Subject, plain, urn_name

Resource = Mapping[str, Any]
DEFAULT_MAX_STEP = 20
_WEIGHTED_KINDS = {
    "networking.istio.io": ("VirtualService",),
    "gateway.networking.k8s.io": GAMMA_KINDS,
    "policy.linkerd.io": GAMMA_KINDS,
    "split.smi-spec.io": ("TrafficSplit",),
    "consul.hashicorp.com": ("ServiceSplitter", "ServiceRouter"),
}
_WEIGHTED_TYPES = (LISTENER, RULE, ROUTE)
_WEIGHTED_ENTRIES = ("service-splitter", "service-router")


class BaselineError(SmiError):
    """A baseline that cannot be read (the message names the file and what is wrong)."""


@dataclass
class Baseline:
    """The resources of the last deployment, as ``{type, name, properties, parent}``."""

    source: str
    resources: tuple[Resource, ...]
    urns: tuple[str | None, ...]
    _groups: dict[str | None, list[Resource]] | None = field(default=None, repr=False)
    _shares: dict[str | None, list[Share]] = field(default_factory=dict, repr=False)

    def position(self, subject: Subject) -> int | None:
        """Where ``subject`` is in the baseline: by URN, else by type and logical name when
        exactly one resource has them; None for a resource new in this update."""
        if subject.urn in self.urns:
            return self.urns.index(subject.urn)
        found = [
            i
            for i, r in enumerate(self.resources)
            if r.get("type") == subject.type and r.get("name") == subject.name
        ]
        return found[0] if len(found) == 1 else None

    def groups(self) -> dict[str | None, list[Resource]]:
        """The baseline's resources per ``smi.Mesh`` (None: in none), computed once."""
        if self._groups is None:
            self._groups = Document(self.resources, ()).by_mesh()
        return self._groups

    def shares(self, mesh: str | None) -> list[Share]:
        """The baseline's traffic shares of ``mesh``, computed once."""
        if mesh not in self._shares:
            self._shares[mesh] = traffic_shares(self.groups().get(mesh, []))
        return self._shares[mesh]


def _state_resource(entry: Mapping[str, Any]) -> Resource:
    urn = str(entry.get("urn", ""))
    parent = entry.get("parent")
    properties = plain(entry.get("inputs") or {})
    return {
        "type": str(entry.get("type", "")),
        "name": urn_name(urn),
        "properties": properties if isinstance(properties, Mapping) else {},
        "parent": urn_name(parent) if isinstance(parent, str) and parent else None,
    }


def _state_entries(data: Mapping[str, Any]) -> list[Any] | None:
    """The resources of a ``pulumi stack export`` (``deployment``) or of a file backend's
    stack file (``checkpoint.latest``); None for another shape."""
    deployment = data.get("deployment")
    if not isinstance(deployment, Mapping):
        checkpoint = data.get("checkpoint")
        deployment = checkpoint.get("latest") if isinstance(checkpoint, Mapping) else None
    if not isinstance(deployment, Mapping):
        return None
    resources = deployment.get("resources", [])
    return resources if isinstance(resources, list) else None


def parse_baseline(text: str, source: str) -> Baseline:
    """The baseline in ``text`` (a stack export, or a render/convert JSON output)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BaselineError(f"baseline {printable(source)}: not JSON ({exc})") from None
    entries = _state_entries(data) if isinstance(data, Mapping) else None
    if entries is not None:
        listed = [e for e in entries if isinstance(e, Mapping)]
        return Baseline(
            source,
            tuple(_state_resource(e) for e in listed),
            tuple(str(e["urn"]) if isinstance(e.get("urn"), str) else None for e in listed),
        )
    try:
        document = parse_document(text, source)
    except UnreadableDocument as exc:
        raise BaselineError(f"baseline {exc} — or the output of `pulumi stack export`") from None
    resources = tuple(
        {**r, "properties": plain(r.get("properties") or {})} for r in document.resources
    )
    return Baseline(source, resources, tuple(None for _ in resources))


_LOADED: dict[tuple[str, int, int], Baseline] = {}


def load_baseline(path: str) -> Baseline:
    """The baseline in the file ``path`` (read once per content: the pack's process serves a
    whole preview); :class:`BaselineError` when it cannot be read."""
    try:
        real = os.path.realpath(path)
        status = os.stat(real)
        key = (real, status.st_mtime_ns, status.st_size)
        if key not in _LOADED:
            with open(real, encoding="utf-8") as handle:
                _LOADED[key] = parse_baseline(handle.read(), path)
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(
            f"baseline {printable(path)} cannot be read ({exc.__class__.__name__}: {exc}; "
            f"working directory {os.getcwd()})"
        ) from None
    return _LOADED[key]


def carries_weights(subject: Subject) -> bool:
    """Whether ``subject`` is one of the routing objects whose weights the rule judges."""
    kube = subject.kubernetes
    if kube is not None:
        return kube[1] in _WEIGHTED_KINDS.get(kube[0], ())
    if subject.type == CONFIG_ENTRY:
        return subject.props.get("kind") in _WEIGHTED_ENTRIES
    return subject.type in _WEIGHTED_TYPES


def max_step_of(value: object) -> Fraction:
    """``maxStep`` (percentage points, 0 to 100) as a fraction; ValueError when it is not."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"maxStep must be a number of percentage points, got {value!r}")
    try:
        step = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"maxStep must be a number of percentage points, got {value!r}") from None
    if not 0 <= step <= 100:
        raise ValueError(f"maxStep must be between 0 and 100 percentage points, got {value!r}")
    return step


def _mesh_of(entry: Resource, groups: Mapping[str | None, Sequence[Resource]]) -> str | None:
    for mesh, members in groups.items():
        if any(member is entry for member in members):
            return mesh
    return None


def _rule(row: ShareChange) -> tuple[str, int | None, str]:
    return (row.apex, row.port, row.rule)


def _unknown_row(row: ShareChange) -> str:
    return (
        f"{row.where}: {row.rule}: {row.backend}: {row.shown_before()} → {row.shown_after()}: "
        "a share not known yet (a preview's unknown weight or reference): the step cannot be "
        "judged"
    )


def canary_findings(subject: Subject, baseline: Baseline | None, max_step: Fraction) -> Findings:
    """The backends whose share ``subject`` moves more than ``max_step`` points from the
    ``baseline`` (violations), and the shares it cannot judge."""
    if not carries_weights(subject):
        return NOTHING
    if baseline is None:
        return Findings.of(
            unjudged=[
                f"{subject.describe()}: no baseline configured: its canary step cannot be "
                "judged; set the config `baseline` of this policy to a `pulumi stack export` "
                "of the last deployment"
            ]
        )
    resources = list(baseline.resources)
    position = baseline.position(subject)
    parent = subject.parent
    if parent is None and position is not None:  # not told: the baseline's (same URN or name)
        parent = resources[position].get("parent")
    entry: Resource = {
        "type": subject.type,
        "name": subject.name,
        "properties": subject.props,
        "parent": parent,
    }
    if position is None:
        resources.append(entry)
    else:
        resources[position] = entry
    groups = Document(tuple(resources), ()).by_mesh()
    mesh = _mesh_of(entry, groups)
    rows = compare_shares(baseline.shares(mesh), traffic_shares(groups.get(mesh, [])))
    label = f"{subject.describe()}: " + (f"mesh {mesh}: " if mesh is not None else "")
    gates = Gates(max_shift=max_step)
    # A rule with a share not known yet is not judged at all: its other rows' shifts may be
    # an artefact of the unknown (a replaced target group's id, say, reads as a gone backend).
    unknown_rules = {_rule(row) for row in rows if row.status == UNKNOWN_STATUS}
    violations = [
        f"{label}{message} (baseline {baseline.source})"
        for row in rows
        if _rule(row) not in unknown_rules
        for message in TrafficSection((row,)).violations(gates)
    ]
    unjudged = [f"{label}{_unknown_row(row)}" for row in rows if row.status == UNKNOWN_STATUS]
    if any(row.apex == UNKNOWN_TEXT and row.has for row in rows):  # a reference unknown yet
        unjudged.append(
            f"{label}the service it routes is not known yet (a preview's unknown reference): "
            "its shares cannot be matched with the baseline's"
        )
    return Findings.of(violations, unjudged)
