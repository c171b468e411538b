"""Reading emitted resources: unknown values, weights, hosts and references to other resources.

The resources are ``{type, name, properties[, dependsOn]}`` mappings from any of three
sources: a convert Plan (a reference to another resource's output is ``${<name>.<output>}``),
a render under mocks (an id is ``<name>-id``, other outputs echo the inputs; in preview an
unknown value is null) and ``pulumi preview --json`` (unknowns are the engine's sentinel).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from ..plan import whole_reference

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The Pulumi engine's sentinel for a value unknown until apply (``pulumi preview --json``)."""
UNKNOWN_TEXT = "(unknown)"
"""How an unknown value is shown."""
_QUANTITY_SUFFIXES = {"m": Fraction(1, 1000), "k": Fraction(1000)}

Properties = Mapping[str, Any]


def is_unknown(value: object) -> bool:
    """Whether ``value`` stands for an output not known yet (null or the engine's sentinel)."""
    return value is None or value == UNKNOWN


def weight_in(item: Mapping[str, Any], key: str, default: int) -> Fraction | None:
    """The weight ``item[key]`` (:func:`weight_of`); ``default`` when the key is absent."""
    return weight_of(item[key]) if key in item else Fraction(default)


def weight_of(value: object) -> Fraction | None:
    """A weight as an exact fraction: an int, a float (read as its shortest decimal), a
    numeric string or a Kubernetes quantity (``900m``); None when unknown or unreadable."""
    if isinstance(value, bool) or is_unknown(value):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value))
    if isinstance(value, str):
        text = value.strip()
        scale = _QUANTITY_SUFFIXES.get(text[-1:], Fraction(1))
        number = text[:-1] if text[-1:] in _QUANTITY_SUFFIXES else text
        try:
            return Fraction(number) * scale
        except (ValueError, ZeroDivisionError):
            return None
    return None


def service_host(host: object, namespace: str) -> str:
    """``<ns>/<svc>`` for a cluster host (``<svc>.<ns>.svc[.<suffix>]`` or a bare ``<svc>``
    of ``namespace``); any other host (a remote backend's) as it is."""
    if is_unknown(host) or not isinstance(host, str):
        return UNKNOWN_TEXT
    labels = host.split(".")
    if len(labels) == 1:
        return f"{namespace}/{host}"
    if len(labels) >= 3 and labels[2] == "svc" and all(labels[:2]):
        return f"{labels[1]}/{labels[0]}"
    return host


def mapping(value: object) -> Properties:
    """``value`` if it is a mapping, else an empty one (absent or unknown parts)."""
    return value if isinstance(value, Mapping) else {}


def items(value: object) -> list[Properties]:
    """The mappings of a list (absent or unknown: none)."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [item for item in value if isinstance(item, Mapping)]


class Index:
    """The resources by logical name, to resolve what one resource says about another."""

    def __init__(self, resources: Iterable[Mapping[str, Any]]) -> None:
        """Index ``resources`` (``{type, name, properties[, dependsOn]}`` mappings)."""
        self.resources = [r for r in resources if isinstance(r.get("name"), str)]
        self.by_name = {str(r["name"]): r for r in self.resources}

    def of_type(self, *types: str) -> list[Mapping[str, Any]]:
        """The resources of any of ``types``, in their order."""
        return [r for r in self.resources if r.get("type") in types]

    def find(
        self, value: object, types: Sequence[str], owner: Mapping[str, Any] | None = None
    ) -> Mapping[str, Any] | None:
        """The resource of one of ``types`` that ``value`` refers to, or None.

        ``value`` may be a ``${name.output}`` reference, a mock id ``<name>-id``, or the
        resource's ``name`` or ``arn``. An unknown value is resolved through the
        dependencies of ``owner`` when exactly one of them has one of ``types``.
        """
        candidates = self.of_type(*types)
        if isinstance(value, str) and not is_unknown(value):
            reference = whole_reference(value)
            if reference is not None:
                found = self.by_name.get(reference[0])
                return found if found is not None and found.get("type") in types else None
            for resource in candidates:
                if value == f"{resource['name']}-id":
                    return resource
            by_property = [
                r
                for r in candidates
                if value == mapping(r.get("properties")).get("name")
                or (value.startswith("arn:") and value.endswith(f":{r['name']}"))
            ]
            return by_property[0] if len(by_property) == 1 else None
        if owner is not None:
            wanted = set(owner.get("dependsOn") or ())
            found_deps = [r for r in candidates if r["name"] in wanted]
            if len(found_deps) == 1:
                return found_deps[0]
        return None

    def display(
        self, value: object, types: Sequence[str], owner: Mapping[str, Any] | None = None
    ) -> str:
        """What ``value`` refers to, shown by the resource's ``name`` property (its logical
        name when it has none); the value itself when it names no known resource."""
        found = self.find(value, types, owner)
        if found is not None:
            name = mapping(found.get("properties")).get("name")
            return name if isinstance(name, str) else str(found["name"])
        if is_unknown(value) or not isinstance(value, str):
            return UNKNOWN_TEXT
        return value
