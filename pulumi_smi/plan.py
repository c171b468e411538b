"""The Plan: what a translation produces, as plain data.

A :class:`Plan` is the single source of both what ``pulumi-smi convert`` prints
and what the components register with Pulumi: a list of :class:`Resource` (a
Pulumi type token, a logical name, the properties and the names it depends on)
plus warnings. A property string ``${name.output}`` refers to another planned
resource's output (Pulumi YAML syntax) and is also a dependency.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import yaml

from .spec.models import ObjectKey

SHARED_KINDS = frozenset({"Namespace", "ServiceAccount", "Service"})
"""Owner kinds of resources that several SMI objects share (one per namespace, workload
identity or service, such as a default-deny policy or a STRICT mTLS policy). Components
register these once per mesh, as children of the :class:`~pulumi_smi.Mesh`."""
REFERENCE = re.compile(r"\$\{([^}]+\.[^.}]+)\}")
"""A ``${<name>.<output>}`` reference; group 1 is ``<name>.<output>`` (:func:`parse_reference`)."""
KUBERNETES_PREFIX = "kubernetes:"
# libyaml's emitter writes the same bytes as the pure-Python one, five times faster.
_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def reference(name: str, output: str) -> str:
    """The reference to output ``output`` of planned resource ``name``: ``${<name>.<output>}``.

    Logical names may contain dots, output names never do: the output is what follows the
    last dot (:func:`parse_reference`).
    """
    if not output or "." in output or "}" in output or "}" in name:
        raise ValueError(f"no reference can name output {output!r} of {name!r}")
    return f"${{{name}.{output}}}"


def parse_reference(body: str) -> tuple[str, str]:
    """``(name, output)`` of a reference's ``<name>.<output>`` (a :data:`REFERENCE` group 1)."""
    name, _, output = body.rpartition(".")
    return name, output


def references_in(text: str) -> list[tuple[str, str]]:
    """Every ``(name, output)`` that ``text`` refers to, in order."""
    return [parse_reference(body) for body in REFERENCE.findall(text)]


def whole_reference(text: str) -> tuple[str, str] | None:
    """``(name, output)`` if ``text`` is nothing but one reference, else None."""
    found = REFERENCE.fullmatch(text)
    return parse_reference(found.group(1)) if found else None


class PlanWarning(str):
    """A warning (a plain string when serialised) that remembers the SMI object it is about."""

    owner: ObjectKey | None

    def __new__(cls, text: str, owner: ObjectKey | None = None) -> PlanWarning:
        warning = super().__new__(cls, text)
        warning.owner = owner
        return warning


@dataclass(frozen=True)
class Resource:
    """One resource to create.

    ``type`` is the Pulumi type token: ``kubernetes:<apiVersion>:<Kind>`` for a
    Kubernetes object (whose ``properties`` are the whole manifest) or a
    pulumi-aws token with engine (camelCase) inputs. ``owner`` is the SMI object
    the resource was translated from (not part of the serialised form).
    """

    type: str
    name: str
    properties: Mapping[str, Any]
    depends_on: tuple[str, ...] = ()
    owner: ObjectKey | None = field(default=None, compare=False)

    @property
    def is_kubernetes(self) -> bool:
        """Whether this is a Kubernetes object (a manifest)."""
        return self.type.startswith(KUBERNETES_PREFIX)

    def references(self) -> set[str]:
        """Names of the planned resources this one's properties refer to."""
        return set(self._references)

    @cached_property
    def _references(self) -> frozenset[str]:
        """:meth:`references`, walked once: every Plan holding the resource (a translation's,
        a component's part of it, the shared part) asks again."""
        return frozenset(
            name for text in _strings(self.properties) for name, _ in references_in(text)
        )

    def to_dict(self) -> dict[str, Any]:
        """The serialised form: ``{type, name, properties, dependsOn}``."""
        return {
            "type": self.type,
            "name": self.name,
            "properties": self.properties,
            "dependsOn": list(self.depends_on),
        }


@dataclass(frozen=True)
class Plan:
    """Resources and warnings of a translation; names are unique and references resolve."""

    resources: tuple[Resource, ...] = ()
    warnings: tuple[str, ...] = ()
    external: frozenset[str] = frozenset()
    """Names ``depends_on`` may use that are registered elsewhere (a mesh's shared resources)."""

    def __post_init__(self) -> None:
        names: set[str] = set()
        for resource in self.resources:
            if resource.name in names:
                raise ValueError(f"plan has two resources named {resource.name!r}")
            names.add(resource.name)
        for resource in self.resources:
            missing = (set(resource.depends_on) | resource.references()) - names - self.external
            if missing:
                raise ValueError(f"{resource.name!r} refers to unknown {sorted(missing)}")

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def owned_by(self, owners: Iterable[ObjectKey]) -> Plan:
        """The resources and warnings of ``owners``, plus ownerless warnings and the resources
        they depend on — except shared ones (see :meth:`shared`), which stay out."""
        wanted = set(owners)
        keep = {r.name for r in self.resources if r.owner in wanted}
        by_name = {r.name: r for r in self.resources}
        pending = list(keep)
        external: set[str] = set()
        while pending:
            resource = by_name[pending.pop()]
            for dependency in set(resource.depends_on) | resource.references():
                if _is_shared(by_name[dependency].owner):
                    external.add(dependency)
                elif dependency not in keep:
                    keep.add(dependency)
                    pending.append(dependency)
        warnings = tuple(w for w in self.warnings if getattr(w, "owner", None) in wanted | {None})
        kept = tuple(r for r in self.resources if r.name in keep)
        return Plan(kept, warnings, frozenset(external))

    def shared(self) -> Plan:
        """The resources and warnings owned by a namespace or an identity, not by an SMI object."""
        shared = tuple(r for r in self.resources if _is_shared(r.owner))
        names = {r.name for r in shared}
        outside = {d for r in shared for d in set(r.depends_on) | r.references()} - names
        return Plan(
            shared,
            tuple(w for w in self.warnings if _is_shared(getattr(w, "owner", None))),
            frozenset(outside),
        )

    def to_dict(self) -> dict[str, Any]:
        """``{"resources": [...], "warnings": [...]}``, the ``-o json`` contract."""
        return {
            "resources": [r.to_dict() for r in self.resources],
            "warnings": list(self.warnings),
        }

    def to_json(self) -> str:
        """The plan as one JSON object (deterministic, ends with a newline)."""
        return pretty_json(self.to_dict()) + "\n"

    def to_yaml(self) -> str:
        """Kubernetes manifests as a YAML stream; others as ``{type, name, properties}``."""
        documents = [
            dict(r.properties)
            if r.is_kubernetes
            else {"type": r.type, "name": r.name, "properties": r.properties}
            for r in self.resources
        ]
        return dump_yaml(documents)


def pretty_json(value: Any) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, the same text, faster.

    The standard library writes indented JSON with its pure-Python encoder, one generator
    per container; this writes the nest of dicts, lists, strings, numbers, booleans and
    None with one call per value and the C string encoder. Anything else (a key that is not
    a string, another type, a cycle) goes to ``json.dumps``, which gives its output or its
    error.
    """
    out: list[str] = []
    try:
        _pretty(value, out, "\n")
    except (_NotPlainJson, RecursionError):
        return json.dumps(value, indent=2, ensure_ascii=False)
    return "".join(out)


class _NotPlainJson(Exception):
    """A value :func:`pretty_json` leaves to ``json.dumps``."""


_encode_string = json.encoder.encode_basestring  # the C one when the accelerator is built
_FLOAT_SPECIAL = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def _pretty(value: Any, out: list[str], newline: str) -> None:
    """Append the JSON of ``value`` to ``out``; ``newline`` is ``\\n`` plus its indent."""
    kind = type(value)
    if kind is str:
        out.append(_encode_string(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlainJson
            if type(item) is str:  # most values: no call
                out.append(f"{separator}{_encode_string(key)}: {_encode_string(item)}")
            else:
                out.append(f"{separator}{_encode_string(key)}: ")
                _pretty(item, out, inner)
            separator = "," + inner
        out.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            if type(item) is str:
                out.append(separator + _encode_string(item))
            else:
                out.append(separator)
                _pretty(item, out, inner)
            separator = "," + inner
        out.append(newline + "]")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif value is None:
        out.append("null")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is float:
        text = float.__repr__(value)
        out.append(_FLOAT_SPECIAL.get(text, text))
    elif isinstance(value, str):  # PlanWarning and other str subclasses
        out.append(_encode_string(value))
    else:
        raise _NotPlainJson


def _strings(value: Any) -> Iterator[str]:
    """Every string in a nest of mappings and lists (other values, Outputs too, skipped)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _is_shared(owner: ObjectKey | None) -> bool:
    return owner is not None and owner.kind in SHARED_KINDS


def dump_yaml(documents: Iterable[Any]) -> str:
    """Deterministic block-style YAML stream (keys in insertion order)."""
    return yaml.dump_all(
        [_plain(d) for d in documents],
        Dumper=_DUMPER,
        sort_keys=False,
        default_flow_style=False,
        explicit_start=True,
        allow_unicode=True,
        width=4096,
    )


def _plain(value: Any) -> Any:
    """Mappings and tuples as dicts and lists, which SafeDumper can write."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
