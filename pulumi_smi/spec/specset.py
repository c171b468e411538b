"""A checked set of SMI objects plus the catalogue: the input of every translator."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from ..errors import Problem, raise_if_any
from .catalogue import Catalogue
from .models import (
    HTTPRouteGroup,
    ObjectKey,
    SmiObject,
    TCPRoute,
    TrafficSplit,
    TrafficTarget,
    UDPRoute,
)
from .versions import user_path

T = TypeVar("T", bound=SmiObject)


@dataclass(frozen=True)
class Origin:
    """Where an object was read from: a file (or component) and a document number."""

    source: str
    document: int | None = None
    written_as: tuple[str, str] | None = None
    """(apiVersion, kind) of the document, when its fields may sit elsewhere than the
    newest version's (see :func:`~pulumi_smi.spec.versions.user_path`)."""


@dataclass(frozen=True)
class SpecSet:
    """SMI objects, sorted by namespace and name, with cross-references checked.

    Build one with :meth:`build` (or :func:`pulumi_smi.spec.load_files`); the
    constructor does no checking.
    """

    traffic_splits: tuple[TrafficSplit, ...] = ()
    traffic_targets: tuple[TrafficTarget, ...] = ()
    http_route_groups: tuple[HTTPRouteGroup, ...] = ()
    tcp_routes: tuple[TCPRoute, ...] = ()
    udp_routes: tuple[UDPRoute, ...] = ()
    catalogue: Catalogue = field(default_factory=Catalogue)
    origins: Mapping[ObjectKey, Origin] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        objects: Iterable[SmiObject],
        catalogue: Catalogue | None = None,
        origins: Mapping[ObjectKey, Origin] | None = None,
        warnings: Iterable[str] = (),
    ) -> SpecSet:
        """Sort ``objects``, reject duplicates and dangling references."""
        origins = dict(origins or {})
        problems: list[Problem] = []
        by_key: dict[ObjectKey, SmiObject] = {}
        for obj in objects:
            if obj.key in by_key:
                first = origins.get(obj.key)
                where = f" (first defined in {first.source})" if first else ""
                problems.append(
                    _problem(obj.key, origins, "metadata.name", f"duplicate {obj.KIND}{where}")
                )
                continue
            by_key[obj.key] = obj
        ordered = [by_key[k] for k in sorted(by_key, key=lambda k: (k.namespace, k.name, k.kind))]
        specs = cls(
            traffic_splits=_of(ordered, TrafficSplit),
            traffic_targets=_of(ordered, TrafficTarget),
            http_route_groups=_of(ordered, HTTPRouteGroup),
            tcp_routes=_of(ordered, TCPRoute),
            udp_routes=_of(ordered, UDPRoute),
            catalogue=catalogue or Catalogue(),
            origins=origins,
            warnings=tuple(warnings),
        )
        problems.extend(specs._dangling_references())
        raise_if_any(problems)
        return specs

    def objects(self) -> Iterator[SmiObject]:
        """Every SMI object, route specs first, in a stable order."""
        yield from self.http_route_groups
        yield from self.tcp_routes
        yield from self.udp_routes
        yield from self.traffic_splits
        yield from self.traffic_targets

    def get(self, kind: type[T], namespace: str, name: str) -> T | None:
        """The object of ``kind`` called ``namespace/name``, or None."""
        found = self._index.get(ObjectKey(kind.KIND, namespace, name))
        return found if isinstance(found, kind) else None

    @cached_property
    def _index(self) -> dict[ObjectKey, SmiObject]:
        return {obj.key: obj for obj in self.objects()}

    def problem(self, key: ObjectKey, path: str, message: str) -> Problem:
        """A :class:`Problem` about the field ``path`` of the object ``key``.

        A Service, ServiceAccount or namespace read from no document is located at the
        first SMI object naming it (and the field that names it).
        """
        if key not in self.origins:
            key, path = self._reference_to(key) or (key, path)
        return _problem(key, self.origins, path, message)

    def _reference_to(self, key: ObjectKey) -> tuple[ObjectKey, str] | None:
        """(object, field path) of the first SMI object naming the Service, ServiceAccount
        or namespace ``key``, or None."""
        ns, name = key.namespace, key.name
        if key.kind == "Service":
            for split in self.traffic_splits:
                if split.metadata.namespace != ns:
                    continue
                if split.spec.service == name:
                    return split.key, "spec.service"
                if any(backend.service == name for backend in split.spec.backends):
                    return split.key, split.spec.backend_path(name)
        if key.kind == "ServiceAccount":
            for target in self.traffic_targets:
                identities = [("spec.destination", target.spec.destination)]
                identities += [(f"spec.sources[{i}]", s) for i, s in enumerate(target.spec.sources)]
                for at, identity in identities:
                    if (identity.namespace, identity.name) == (ns, name):
                        return target.key, f"{at}.name"
        if key.kind == "Namespace":
            for obj in self.objects():
                if obj.metadata.namespace == ns:
                    return obj.key, "metadata.namespace"
        return None

    def _same_invocation(self, key: ObjectKey, kind: str) -> str:
        """For an object read from a file: where the ``kind`` object it names must be too."""
        origin = self.origins.get(key)
        if origin is None or origin.document is None:
            return ""
        return (
            f" (every {kind} a {key.kind} names must be read by the same `convert` "
            "invocation: if it is in another file, pass that file too)"
        )

    def _dangling_references(self) -> Iterator[Problem]:
        for split in self.traffic_splits:
            ns = split.metadata.namespace
            for index, ref in enumerate(split.spec.matches):
                if self.get(HTTPRouteGroup, ns, ref.name) is None:
                    yield self.problem(
                        split.key,
                        f"spec.matches[{index}].name",
                        f"HTTPRouteGroup {ref.name!r} not found in namespace {ns!r}"
                        + self._same_invocation(split.key, "HTTPRouteGroup"),
                    )
        kinds: dict[str, type[SmiObject]] = {
            "HTTPRouteGroup": HTTPRouteGroup,
            "TCPRoute": TCPRoute,
            "UDPRoute": UDPRoute,
        }
        for target in self.traffic_targets:
            ns = target.metadata.namespace
            for index, rule in enumerate(target.spec.rules):
                route = self.get(kinds[rule.kind], ns, rule.name)
                path = f"spec.rules[{index}]"
                if route is None:
                    yield self.problem(
                        target.key,
                        f"{path}.name",
                        f"{rule.kind} {rule.name!r} not found in namespace {ns!r}"
                        + self._same_invocation(target.key, rule.kind),
                    )
                    continue
                known = _match_names(route)
                for match_index, name in enumerate(rule.matches):
                    if name not in known:
                        yield self.problem(
                            target.key,
                            f"{path}.matches[{match_index}]",
                            f"{rule.kind} {rule.name!r} has no match named {name!r}"
                            + (f" (it has: {', '.join(sorted(known))})" if known else ""),
                        )


def _match_names(route: SmiObject) -> set[str]:
    if isinstance(route, HTTPRouteGroup):
        return {m.name for m in route.spec.matches}
    if isinstance(route, (TCPRoute, UDPRoute)) and route.spec.matches.name:
        return {route.spec.matches.name}
    return set()


def _of(objects: list[SmiObject], kind: type[T]) -> tuple[T, ...]:
    return tuple(o for o in objects if isinstance(o, kind))


def _problem(
    key: ObjectKey, origins: Mapping[ObjectKey, Origin], path: str, message: str
) -> Problem:
    origin = origins.get(key, Origin(f"{key.kind} {key.namespace}/{key.name}"))
    if origin.written_as is not None:
        path = user_path(*origin.written_as, key.kind, path)
    return Problem(message, origin.source, origin.document, key.kind, key.name, path)
