"""Reading ``pulumi preview --json`` for ``diff --preview``: the mesh resources before and after.

The engine prints one document (``pkg/backend/display/json.go``, ``ShowPreviewDigest``):
``steps`` (each ``op``, ``urn``, ``provider``, ``oldState``/``newState`` with ``type``,
``urn``, ``inputs``, ``parent``, ``provider``, ``dependencies``; ``replaceReasons``),
``diagnostics`` and ``changeSummary``. The old side of a resource is its ``oldState`` (for
every op but a create), the new side its ``newState`` (for every op but a delete); its
properties are the state's ``inputs`` (a Kubernetes object's manifest, an AWS resource's
camelCase arguments), the bridged providers' ``__defaults`` bookkeeping left out. Unknown
values keep the engine's sentinel and secrets its ``[secret]``: the review shows both as
they are and never counts them as known.

Only mesh resources are kept: pulumi-smi's components and everything registered under one
(the URN's type chain names an ``smi:index:`` component), the objects of a mesh's API
(Istio, Gateway API, Linkerd, SMI, Consul, App Mesh and Lattice controllers; ``aws``
``vpclattice``/``appmesh``; Consul config entries) wherever they come from, and the providers
those use. A plain preview leaves out the resources that do not change
(:attr:`~.document.Document.partial`): ``--show-sames`` gives the whole state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import printable
from .document import Document, Resource, UnreadableDocument, read_input

STACK = "pulumi:pulumi:Stack"
_PROVIDER_PREFIX = "pulumi:providers:"
_COMPONENT_PREFIX = "smi:index:"
MESH_API_GROUPS = frozenset(
    {
        "networking.istio.io",
        "security.istio.io",
        "gateway.networking.k8s.io",
        "gateway.networking.x-k8s.io",
        "policy.linkerd.io",
        "linkerd.io",
        "split.smi-spec.io",
        "access.smi-spec.io",
        "specs.smi-spec.io",
        "metrics.smi-spec.io",
        "consul.hashicorp.com",
        "appmesh.k8s.aws",
        "application-networking.k8s.aws",
    }
)
"""The Kubernetes API groups whose objects are mesh objects wherever they are registered."""
_AWS_MODULES = ("vpclattice/", "appmesh/")
_CREATED = frozenset({"create", "create-replacement", "import", "import-replacement"})
_DELETED = frozenset({"delete", "delete-replaced", "discard", "read-discard"})
_REPLACED = frozenset({"replace", "create-replacement", "delete-replaced"})
_NO_STATE = frozenset({"remove-pending-replace"})


@dataclass(frozen=True)
class Urn:
    """The parts of ``urn:pulumi:STACK::PROJECT::QUALIFIED$TYPE::NAME`` diff needs."""

    type: str
    name: str
    chain: tuple[str, ...]
    """The qualified type: every ancestor's type token, then the resource's own."""

    @staticmethod
    def parse(urn: str) -> Urn | None:
        """The parts of ``urn``; None when it is not a Pulumi URN (the name may hold ``::``)."""
        parts = urn.split("::", 3)
        if len(parts) != 4 or not parts[0].startswith("urn:pulumi:") or not parts[3]:
            return None
        chain = tuple(parts[2].split("$"))
        return Urn(chain[-1], parts[3], chain)


def is_mesh_type(token: str) -> bool:
    """Whether a resource of type ``token`` is a mesh object (module docstring)."""
    package, _, rest = token.partition(":")
    module = rest.rpartition(":")[0]
    if package == "kubernetes":
        return module.partition("/")[0] in MESH_API_GROUPS
    if package == "aws":
        return module.startswith(_AWS_MODULES)
    if package == "consul":
        return module.startswith("index/configEntry")
    return token.startswith(_COMPONENT_PREFIX)


def _without_defaults(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_defaults(v) for k, v in value.items() if k != "__defaults"}
    if isinstance(value, list):
        return [_without_defaults(v) for v in value]
    return value


def _name_of(urn: object) -> str | None:
    """The logical name in a URN; None for the Stack."""
    if not isinstance(urn, str):
        return None
    parsed = Urn.parse(urn)
    return None if parsed is None or parsed.type == STACK else parsed.name


class _Reader:
    """Collects both sides of every step, then keeps the mesh resources."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.old: dict[str, Mapping[str, Any]] = {}
        self.new: dict[str, Mapping[str, Any]] = {}
        self.replaced: dict[str, list[str]] = {}
        self.sames = 0

    def problem(self, what: str) -> UnreadableDocument:
        return UnreadableDocument(
            f"{printable(self.source)}: {what} (expected the output of `pulumi preview --json`)"
        )

    def state(self, step: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any] | None:
        state = step.get(key)
        if state is None:
            return None
        if not isinstance(state, Mapping):
            raise self.problem(f"{where}.{key} is not an object")
        urn, token = state.get("urn", step.get("urn")), state.get("type")
        if not isinstance(urn, str) or Urn.parse(urn) is None or not isinstance(token, str):
            raise self.problem(f'{where}.{key} has no "type" and Pulumi "urn"')
        inputs = state.get("inputs", {})
        if inputs is not None and not isinstance(inputs, Mapping):
            raise self.problem(f'{where}.{key}: "inputs" is not an object')
        return {**state, "urn": urn}

    def step(self, position: int, step: object) -> None:
        where = f"steps[{position}]"
        if not isinstance(step, Mapping):
            raise self.problem(f"{where} is not an object")
        op, urn = step.get("op"), step.get("urn")
        if not isinstance(op, str) or not isinstance(urn, str) or Urn.parse(urn) is None:
            raise self.problem(f'{where} has no string "op" and Pulumi "urn"')
        self.sames += op == "same"
        old, new = self.state(step, "oldState", where), self.state(step, "newState", where)
        if op in _NO_STATE:
            return
        if old is not None and op not in _CREATED:
            self.old[str(old["urn"])] = old
        if new is not None and op not in _DELETED:
            self.new[str(new["urn"])] = new
        if op in _REPLACED and new is not None:
            reasons = step.get("replaceReasons") or []
            self.replaced[str(new["urn"])] = [str(r) for r in reasons if isinstance(r, str)]

    def document(
        self,
        states: Mapping[str, Mapping[str, Any]],
        diagnostics: Sequence[object],
        partial: bool,
        replaced: Mapping[str, list[str]],
    ) -> Document:
        kept = {urn: state for urn, state in states.items() if _is_mesh(urn, str(state["type"]))}
        providers = {_provider_urn(s.get("provider")) for s in kept.values()}
        for urn, state in states.items():
            if urn in providers and str(state["type"]).startswith(_PROVIDER_PREFIX):
                kept[urn] = state
        resources: list[Resource] = []
        seen: dict[tuple[str, str], str] = {}
        for urn in sorted(kept, key=lambda u: _order(kept, u)):
            resource = _resource(urn, kept[urn], kept, replaced.get(urn))
            key = (str(resource["type"]), str(resource["name"]))
            if key in seen:
                raise self.problem(
                    f"two mesh resources are {key[0]} {key[1]!r}: {seen[key]}, {urn}"
                )
            seen[key] = urn
            resources.append(resource)
        return Document(tuple(resources), _warnings(diagnostics, kept), partial=partial)


def _resource(
    urn: str,
    state: Mapping[str, Any],
    kept: Mapping[str, Mapping[str, Any]],
    replace_reasons: list[str] | None,
) -> Resource:
    """One state in the ``{type, name, properties, dependsOn, parent, provider}`` form of a
    render (``replaceReasons`` added when the engine replaces it)."""
    parsed = Urn.parse(urn)
    assert parsed is not None  # checked when read
    found: dict[str, Any] = {
        "type": str(state["type"]),
        "name": parsed.name,
        "properties": _without_defaults(state.get("inputs") or {}),
    }
    dependencies = state.get("dependencies")
    if isinstance(dependencies, list):
        names = {_name_of(d) for d in dependencies if isinstance(d, str) and d in kept}
        found["dependsOn"] = sorted(n for n in names if n is not None)
    parent = _name_of(state.get("parent"))
    if parent is not None:
        found["parent"] = parent
    provider = _name_of(_provider_urn(state.get("provider")))
    if provider is not None:
        found["provider"] = provider
    if replace_reasons is not None:
        found["replaceReasons"] = replace_reasons
    return found


def _provider_urn(reference: object) -> str:
    """The provider's URN in a reference ``URN::ID``."""
    return str(reference).rsplit("::", 1)[0] if isinstance(reference, str) else ""


def _is_mesh(urn: str, token: str) -> bool:
    parsed = Urn.parse(urn)
    chain = parsed.chain if parsed is not None else (token,)
    return is_mesh_type(token) or any(t.startswith(_COMPONENT_PREFIX) for t in chain[:-1])


def _order(kept: Mapping[str, Mapping[str, Any]], urn: str) -> tuple[int, str, str]:
    """Providers first, then by type and name: a stable order whatever the engine's."""
    token = str(kept[urn]["type"])
    parsed = Urn.parse(urn)
    return (0 if token.startswith(_PROVIDER_PREFIX) else 1, token, parsed.name if parsed else urn)


def _warnings(diagnostics: Sequence[object], kept: Mapping[str, object]) -> tuple[str, ...]:
    """The warnings the mesh resources logged (``diagnostics`` of severity warning whose
    ``urn`` is kept), without the engine's ``warning:`` prefix."""
    found: list[str] = []
    for diagnostic in diagnostics:
        if not isinstance(diagnostic, Mapping) or diagnostic.get("severity") != "warning":
            continue
        if diagnostic.get("urn") not in kept:
            continue
        message = str(diagnostic.get("message", "")).strip()
        found.append(message.removeprefix("warning:").strip())
    return tuple(sorted(found))


@dataclass(frozen=True)
class Preview:
    """A preview read: both sides, and how many unchanged resources it leaves out."""

    old: Document
    new: Document
    unshown: int
    """The resources the engine counted as ``same`` but did not list (0 with --show-sames);
    -1 when the preview has no ``changeSummary`` to tell."""


def preview_notes(preview: Preview) -> tuple[str, ...]:
    """What a review of ``preview`` should say first: whether it is partial, and that the
    warnings listed are all those it logged."""
    notes: list[str] = []
    if preview.new.partial:
        left = (
            f"{preview.unshown} unchanged resource{'s' if preview.unshown != 1 else ''}"
            if preview.unshown > 0
            else "the unchanged resources"
        )
        notes.append(
            f"this preview leaves out {left}: traffic and access are read from the resources "
            "it lists, an access object whose users it does not list is judged on its own, "
            "and a grant resting on an object it does not list is unknown (a widening); "
            "`pulumi preview --json --show-sames` gives the whole picture"
        )
    if preview.new.warnings:
        notes.append(
            "a preview does not record the previous run's warnings: every warning it logged "
            "is listed as added"
        )
    return tuple(notes)


def parse_preview(text: str, source: str) -> Preview:
    """The :class:`Preview` in ``text`` (``pulumi preview --json``); :class:`UnreadableDocument`
    naming ``source`` when it is not that."""
    reader = _Reader(source)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise reader.problem(f"not JSON ({exc})") from None
    if not isinstance(data, Mapping) or not ("steps" in data or "changeSummary" in data):
        raise reader.problem('no "steps"')
    steps = data.get("steps")
    steps = [] if steps is None else steps
    if not isinstance(steps, list):
        raise reader.problem('"steps" is not a list')
    for position, step in enumerate(steps):
        reader.step(position, step)
    summary = data.get("changeSummary")
    counted = summary.get("same") if isinstance(summary, Mapping) else None
    if isinstance(counted, int) and not isinstance(counted, bool):
        unshown = max(counted - reader.sames, 0)
    else:
        unshown = 0 if reader.sames else -1
    partial = unshown != 0
    diagnostics = data.get("diagnostics")
    logged = diagnostics if isinstance(diagnostics, list) else []
    old = reader.document(reader.old, (), partial, {})
    new = reader.document(reader.new, logged, partial, reader.replaced)
    return Preview(old, new, unshown)


def read_preview(path: str) -> Preview:
    """The preview in the file ``path`` (``-``: standard input)."""
    return parse_preview(read_input(path, _Reader(path).problem), path)
