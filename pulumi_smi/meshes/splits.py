"""TrafficSplits grouped by apex Service, written once for every routing target.

Meshes route by destination host, so every TrafficSplit of one apex ends up in one
routing object. They merge this way: each split with ``matches`` routes the
matching requests to its backends (splits in name order, first match wins), and
everything else goes to the one split without ``matches`` — or, when there is
none, to the apex Service unchanged. Two splits without ``matches`` on one apex
have no defined meaning (smi-spec#59) and are an error.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from ..errors import Problem
from ..spec.models import HTTPMatch, HTTPRouteGroup, ObjectKey, TrafficSplit
from ..spec.specset import SpecSet


@dataclass(frozen=True)
class ApexRouting:
    """Every TrafficSplit of one apex Service."""

    namespace: str
    apex: str
    matched: tuple[TrafficSplit, ...]
    """Splits with ``matches``, in name order."""
    default: TrafficSplit | None
    """The split for requests no ``matches`` select; None sends them to the apex itself."""

    @property
    def owner_split(self) -> TrafficSplit:
        """The split the merged routing resources are attributed to."""
        return self.default or self.matched[0]

    @property
    def owner(self) -> ObjectKey:
        """The key of :attr:`owner_split`."""
        return self.owner_split.key

    @property
    def splits(self) -> tuple[TrafficSplit, ...]:
        """Every split of this apex, matched ones first."""
        return self.matched + ((self.default,) if self.default else ())


def by_apex(specs: SpecSet, problems: list[Problem] | None = None) -> Iterator[ApexRouting]:
    """The splits of ``specs`` grouped by apex, in namespace/apex order.

    An apex split by several TrafficSplits without matches is a problem added to
    ``problems``, and the apex is skipped; without ``problems`` (a look-up beside the routing
    pass, which reports it) the first of them counts as its default.
    """
    groups: dict[tuple[str, str], list[TrafficSplit]] = defaultdict(list)
    for split in specs.traffic_splits:
        groups[(split.metadata.namespace, split.spec.service)].append(split)
    for (namespace, apex), splits in sorted(groups.items()):
        defaults = [s for s in splits if not s.spec.matches]
        if len(defaults) > 1 and problems is not None:
            names = ", ".join(s.metadata.name for s in defaults)
            problems.append(
                specs.problem(
                    defaults[1].key,
                    "spec.service",
                    f"apex Service {namespace}/{apex} is split by several TrafficSplits "
                    f"without matches ({names}); merge them into one",
                )
            )
            continue
        matched = tuple(sorted((s for s in splits if s.spec.matches), key=lambda s: s.key))
        yield ApexRouting(namespace, apex, matched, defaults[0] if defaults else None)


class SplitMatch(NamedTuple):
    """One match a split selects, with where it comes from (for error paths)."""

    ref: int
    """Index into the split's ``spec.matches``."""
    group: HTTPRouteGroup
    position: int
    """Index into the group's ``spec.matches``."""
    match: HTTPMatch


def split_group_matches(specs: SpecSet, split: TrafficSplit) -> Iterator[SplitMatch]:
    """Every match of every HTTPRouteGroup the split names (they are ORed), located."""
    for ref, group_ref in enumerate(split.spec.matches):
        group = specs.get(HTTPRouteGroup, split.metadata.namespace, group_ref.name)
        if group is not None:  # SpecSet.build guarantees it exists
            for position, match in enumerate(group.spec.matches):
                yield SplitMatch(ref, group, position, match)


def split_matches(specs: SpecSet, split: TrafficSplit) -> list[HTTPMatch]:
    """Every match of every HTTPRouteGroup the split names (they are ORed)."""
    return [found.match for found in split_group_matches(specs, split)]
