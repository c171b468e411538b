"""The resource part of ``diff``: what is added, removed, changed or replaced.

Resources are matched by type token and logical name. The same logical name under another
type token is *retyped* when it is still the same cluster object (an apiVersion switch
within one API group and kind, as ``istio_api`` makes: the components alias the old type,
:mod:`pulumi_smi.components.aliases`, so Pulumi updates it in place). What Pulumi replaces
(a delete and a create) is told apart from an update:

- the same logical name with another type token that is another object (another API group,
  as Linkerd's ``route_api`` switches, or kind);
- a Kubernetes ``metadata.name``/``metadata.namespace`` or an AWS resource's ``name`` that
  changes under the same logical name (the object's identity);
- a resource the engine says it replaces (``replaceReasons`` on the new side, as
  :mod:`.preview` reads a ``pulumi preview --json`` replace step);
- a resource removed and one added under another logical name that are the same object: the
  same Kubernetes apiVersion group, kind, namespace and name, or the same AWS type and
  ``name`` in the same mesh/router/service (Pulumi creates the new one before deleting the
  old one, so such a rename can collide).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .values import UNKNOWN_TEXT, is_unknown, mapping

Resource = Mapping[str, Any]
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LONGEST_VALUE = 100
_AWS_SCOPES = ("meshName", "virtualRouterName", "serviceIdentifier", "listenerIdentifier")
_COMPARED = ("parent", "provider")


@dataclass(frozen=True)
class Change:
    """One changed property: its path (``spec.http[0].route[1].weight``), before and after
    (JSON values; :data:`ABSENT` when the path does not exist on that side)."""

    path: str
    before: Any
    after: Any

    def text(self) -> str:
        """``path: before → after``, values compact."""
        return f"{self.path}: {show_value(self.before)} → {show_value(self.after)}"


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
"""A path that does not exist on one side of a :class:`Change`."""


@dataclass(frozen=True)
class Ref:
    """A resource as ``diff`` lists it: type token and logical name."""

    type: str
    name: str


@dataclass(frozen=True)
class Replacement:
    """A resource Pulumi deletes and creates again: ``before``/``after`` (the same logical
    name or not), why, and whether both are the same cluster/cloud object."""

    before: Ref
    after: Ref
    reason: str
    same_object: bool
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class ResourceDiff:
    """Every resource difference, each list sorted by (name, type)."""

    added: tuple[Ref, ...] = ()
    removed: tuple[Ref, ...] = ()
    changed: tuple[tuple[Ref, tuple[Change, ...]], ...] = ()
    replaced: tuple[Replacement, ...] = ()
    retyped: tuple[Replacement, ...] = ()
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        """Whether no resource differs."""
        return not (self.added or self.removed or self.changed or self.replaced or self.retyped)


def show_value(value: Any) -> str:
    """A JSON value compact on one line (cut after 100 characters); ``(absent)``, ``(unknown)``."""
    if value is ABSENT:
        return "(absent)"
    if is_unknown(value):
        return UNKNOWN_TEXT
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= _LONGEST_VALUE else f"{text[: _LONGEST_VALUE - 1]}…"


def _join(path: str, key: str) -> str:
    if _KEY.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def property_changes(before: Any, after: Any, path: str = "") -> Iterator[Change]:
    """The leaves where ``before`` and ``after`` differ, objects key by key (sorted), lists
    index by index."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        for key in sorted(set(before) | set(after), key=str):
            yield from property_changes(
                before.get(key, ABSENT), after.get(key, ABSENT), _join(path, str(key))
            )
    elif isinstance(before, list) and isinstance(after, list) and before != after:
        for position in range(max(len(before), len(after))):
            yield from property_changes(
                before[position] if position < len(before) else ABSENT,
                after[position] if position < len(after) else ABSENT,
                f"{path}[{position}]",
            )
    elif before != after or type(before) is not type(after):
        yield Change(path or "(properties)", before, after)


def _changes(old: Resource, new: Resource) -> tuple[Change, ...]:
    found = list(property_changes(mapping(old.get("properties")), mapping(new.get("properties"))))
    before, after = set(old.get("dependsOn") or []), set(new.get("dependsOn") or [])
    found += [Change("dependsOn", name, ABSENT) for name in sorted(before - after, key=str)]
    found += [Change("dependsOn", ABSENT, name) for name in sorted(after - before, key=str)]
    found += [
        Change(key, old.get(key), new.get(key)) for key in _COMPARED if old.get(key) != new.get(key)
    ]
    return tuple(found)


def identity(resource: Resource) -> tuple[str, ...] | None:
    """What names the object in the cluster or the cloud, if the resource says: a Kubernetes
    object's apiVersion group, kind, namespace and name; an AWS resource's type, ``name``
    and scope (mesh, router, service, listener). None otherwise (components, providers)."""
    token = str(resource.get("type", ""))
    properties = mapping(resource.get("properties"))
    if token.startswith("kubernetes:") and not token.startswith("kubernetes:index:"):
        metadata = mapping(properties.get("metadata"))
        name = metadata.get("name")
        if not isinstance(name, str):
            return None
        group = str(properties.get("apiVersion", "")).rpartition("/")[0]
        namespace = metadata.get("namespace")
        return ("kubernetes", group, str(properties.get("kind", "")), str(namespace or ""), name)
    if token.startswith("aws:"):
        name = properties.get("name")
        if not isinstance(name, str):
            return None
        return (token, name, *(str(properties.get(s, "")) for s in _AWS_SCOPES))
    return None


def describe_identity(found: tuple[str, ...]) -> str:
    """An :func:`identity` for display: ``VirtualService networking.istio.io shop/web``."""
    if found[0] == "kubernetes":
        _, group, kind, namespace, name = found
        where = f"{namespace}/{name}" if namespace else name
        return f"{kind} {group or 'core'} {where}"
    return f"{found[0]} {found[1]}"


def _identity_change(old: Resource, new: Resource) -> str | None:
    token = str(new.get("type", ""))
    if token.startswith("kubernetes:"):
        paths = ("metadata.name", "metadata.namespace")
        before = mapping(mapping(old.get("properties")).get("metadata"))
        after = mapping(mapping(new.get("properties")).get("metadata"))
        pairs = [(p, before.get(p[9:]), after.get(p[9:])) for p in paths]
    elif token.startswith("aws:"):
        pairs = [
            (
                "name",
                mapping(old.get("properties")).get("name"),
                mapping(new.get("properties")).get("name"),
            )
        ]
    else:
        return None
    moved = [
        f"{p}: {show_value(b)} → {show_value(a)}"
        for p, b, a in pairs
        if b != a and not is_unknown(b) and not is_unknown(a)
    ]
    return "; ".join(moved) or None


def _engine_reason(reasons: Sequence[object]) -> str:
    forcing = ", ".join(str(r) for r in reasons)
    return (
        f"Pulumi replaces it ({forcing} forces a new object)" if forcing else ("Pulumi replaces it")
    )


def _ref(resource: Resource) -> Ref:
    return Ref(str(resource["type"]), str(resource["name"]))


@dataclass
class _Builder:
    added: list[Ref] = field(default_factory=list)
    removed: list[Ref] = field(default_factory=list)
    changed: list[tuple[Ref, tuple[Change, ...]]] = field(default_factory=list)
    replaced: list[Replacement] = field(default_factory=list)
    retyped: list[Replacement] = field(default_factory=list)
    unchanged: int = 0

    def replace(self, old: Resource, new: Resource, reason: str, same: bool) -> None:
        self.replaced.append(Replacement(_ref(old), _ref(new), reason, same, _changes(old, new)))


def _by_name(resources: Sequence[Resource]) -> dict[str, list[Resource]]:
    grouped: dict[str, list[Resource]] = {}
    for resource in resources:
        grouped.setdefault(str(resource["name"]), []).append(resource)
    return grouped


def compare_resources(old: Sequence[Resource], new: Sequence[Resource]) -> ResourceDiff:
    """The differences between the resources ``old`` and ``new`` (module docstring)."""
    before = {(str(r["type"]), str(r["name"])): r for r in old}
    after = {(str(r["type"]), str(r["name"])): r for r in new}
    built = _Builder()
    for key in sorted(before.keys() & after.keys(), key=lambda k: (k[1], k[0])):
        changes = _changes(before[key], after[key])
        moved = _identity_change(before[key], after[key])
        engine = after[key].get("replaceReasons")
        if moved is not None:
            built.replace(before[key], after[key], f"identity changed: {moved}", False)
        elif isinstance(engine, list):
            built.replace(before[key], after[key], _engine_reason(engine), False)
        elif changes:
            built.changed.append((_ref(after[key]), changes))
        else:
            built.unchanged += 1
    gone = [r for k, r in before.items() if k not in after]
    came = [r for k, r in after.items() if k not in before]
    # the same logical name with another type token (one of each kind only: unambiguous)
    gone_names, came_names = _by_name(gone), _by_name(came)
    for name in sorted(gone_names.keys() & came_names.keys()):
        if len(gone_names[name]) == 1 and len(came_names[name]) == 1:
            old_one, new_one = gone_names[name][0], came_names[name][0]
            same = identity(old_one) is not None and identity(old_one) == identity(new_one)
            reason = f"type changed: {old_one['type']} → {new_one['type']}"
            found = identity(new_one)
            if same and found is not None:
                apis = [str(r["type"]).split(":")[1] for r in (old_one, new_one)]
                reason = (
                    f"apiVersion {apis[0]} → {apis[1]} of the same cluster object "
                    f"{describe_identity(found)}"
                )
                built.retyped.append(
                    Replacement(
                        _ref(old_one), _ref(new_one), reason, True, _changes(old_one, new_one)
                    )
                )
            else:
                built.replace(old_one, new_one, f"{reason}: another object", False)
            gone.remove(old_one)
            came.remove(new_one)
    # a delete and a create of the same object under another logical name
    gone_ids: dict[tuple[str, ...], list[Resource]] = {}
    for resource in gone:
        found = identity(resource)
        if found is not None:
            gone_ids.setdefault(found, []).append(resource)
    for resource in list(came):
        found = identity(resource)
        matches = gone_ids.get(found, []) if found is not None else []
        if found is not None and len(matches) == 1:
            old_one = matches.pop()
            reason = (
                f"renamed {old_one['name']} → {resource['name']}: deleted and created again "
                f"(the same object {describe_identity(found)})"
            )
            built.replace(old_one, resource, reason, True)
            gone.remove(old_one)
            came.remove(resource)
    return ResourceDiff(
        added=tuple(sorted((_ref(r) for r in came), key=lambda r: (r.name, r.type))),
        removed=tuple(sorted((_ref(r) for r in gone), key=lambda r: (r.name, r.type))),
        changed=tuple(built.changed),
        replaced=tuple(sorted(built.replaced, key=lambda r: (r.after.name, r.after.type))),
        retyped=tuple(sorted(built.retyped, key=lambda r: (r.after.name, r.after.type))),
        unchanged=built.unchanged,
    )
