"""``pulumi-smi diff OLD NEW``: two convert/render outputs compared, resources and meaning.

:func:`compare` gives a :class:`Review`: the resource differences
(:mod:`.resources`), per mesh the semantic sections (:data:`SECTIONS`, read from the
emitted objects: traffic shares, access grants and guards; :data:`CHANGE_SECTIONS` where
they change: objectives), the warnings added and
removed, and the gates tripped. Pure and deterministic: the same inputs give the same
review, meshes sorted by name (resources in no mesh, all of a convert output, last).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .access import access_section
from .access_unseen import unseen_access_section
from .document import Document
from .objectives import objectives_section
from .resources import ResourceDiff, compare_resources
from .sections import Gates, Section, SectionBuilder
from .traffic import traffic_section

SECTIONS: tuple[SectionBuilder, ...] = (traffic_section, access_section)
"""The semantic sections every mesh is compared by, in the order they are shown."""
PARTIAL_SECTIONS: tuple[SectionBuilder, ...] = (unseen_access_section,)
"""The sections added when a side is partial (a preview without ``--show-sames``)."""
CHANGE_SECTIONS: tuple[SectionBuilder, ...] = (objectives_section,)
"""The sections every mesh is compared by too, shown only where they change (most estates
carry no objectives)."""
NO_GATES = Gates()


@dataclass(frozen=True)
class MeshReview:
    """One mesh compared: its name (None: the resources of no mesh; a convert output's),
    its kind before and after (None when absent), and its semantic sections."""

    name: str | None
    kind_before: str | None
    kind_after: str | None
    in_before: bool
    in_after: bool
    sections: tuple[Section, ...]
    alone: bool = False
    """Whether neither side names a mesh (convert outputs): this is the one unnamed mesh."""

    @property
    def title(self) -> str:
        """``mesh onprem (istio)``, ``mesh aws (appmesh → vpc-lattice)``; ``plan (one unnamed
        mesh)`` for convert outputs, ``resources in no mesh`` for a render's others."""
        if self.name is None:
            return "plan (one unnamed mesh)" if self.alone else "resources in no mesh"
        if self.kind_before == self.kind_after or not self.in_before or not self.in_after:
            kind = self.kind_after if self.in_after else self.kind_before
        else:
            kind = f"{self.kind_before} → {self.kind_after}"
        where = (
            "" if self.in_before and self.in_after else (" new" if self.in_after else " removed")
        )
        return f"mesh {self.name} ({kind or '?'}){where}"

    @property
    def changed(self) -> bool:
        """Whether the mesh itself or any section differs."""
        return (
            self.in_before != self.in_after
            or self.kind_before != self.kind_after
            or any(s.changed for s in self.sections)
        )


@dataclass(frozen=True)
class Review:
    """Everything ``diff`` reports, before any formatting."""

    resources: ResourceDiff
    meshes: tuple[MeshReview, ...]
    warnings_added: tuple[str, ...]
    warnings_removed: tuple[str, ...]
    gates: Gates
    violations: tuple[str, ...]
    notes: tuple[str, ...] = ()
    """What the reader should know about the inputs (a partial preview), shown first."""

    @property
    def tripped(self) -> bool:
        """Whether a gate trips (``diff`` exits 1)."""
        return bool(self.violations)


def _removed(before: Sequence[str], after: Sequence[str]) -> tuple[str, ...]:
    remaining = list(after)
    gone: list[str] = []
    for warning in before:
        if warning in remaining:
            remaining.remove(warning)
        else:
            gone.append(warning)
    return tuple(sorted(gone))


def compare(
    old: Document,
    new: Document,
    gates: Gates = NO_GATES,
    sections: Sequence[SectionBuilder] = SECTIONS,
    notes: Sequence[str] = (),
) -> Review:
    """The :class:`Review` of ``old`` → ``new`` under ``gates``; a partial side adds
    :data:`PARTIAL_SECTIONS`."""
    if old.partial or new.partial:
        sections = (*sections, *PARTIAL_SECTIONS)
    before, after = old.by_mesh(), new.by_mesh()
    names = sorted({n for n in (*before, *after) if n is not None})
    meshes: list[MeshReview] = []
    violations: list[str] = []
    for name in [*names, None]:
        old_part, new_part = before.get(name, []), after.get(name, [])
        if name is None and not old_part and not new_part:
            continue
        built = tuple(build(old_part, new_part) for build in sections)
        built += tuple(
            s for s in (build(old_part, new_part) for build in CHANGE_SECTIONS) if s.changed
        )
        mesh = MeshReview(
            name,
            old.mesh_kind(name),
            new.mesh_kind(name),
            name is None or name in before,
            name is None or name in after,
            built,
            alone=not names,
        )
        if name is None and names and not mesh.changed:
            continue  # a render's components and providers: shown only when they route
        meshes.append(mesh)
        label = "" if name is None else f"mesh {name}: "
        violations += [f"{label}{v}" for s in built for v in s.violations(gates)]
    return Review(
        resources=compare_resources(old.resources, new.resources),
        meshes=tuple(meshes),
        warnings_added=_removed(new.warnings, old.warnings),
        warnings_removed=_removed(old.warnings, new.warnings),
        gates=gates,
        violations=tuple(violations),
        notes=tuple(notes),
    )
