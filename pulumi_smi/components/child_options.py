"""Resource options for the children of the components: :class:`ChildOptions` and its merge.

Options given to a ComponentResource itself (``opts=``) mostly stay on the component: the
SDK passes ``protect`` and the providers on to children, the engine runs the component's
``transforms`` on them, but ``ignore_changes``, ``retain_on_delete`` and ``custom_timeouts``
never reach a child. ``child_options=`` on a :class:`~pulumi_smi.Mesh` or on a component puts
them on every child it registers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from .paths import path_problem

_DURATION = re.compile(r"(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+")
"""A Go duration (``time.ParseDuration``), the format of Pulumi's custom timeouts."""
_TIMEOUTS = ("create", "update", "delete", "read")


@dataclass(frozen=True)
class ChildOptions:
    """Pulumi resource options for every child resource of a Mesh or of a component.

    Give it as ``child_options=`` to :class:`~pulumi_smi.Mesh` (every child of every
    component on that mesh, and the mesh's own shared children) or to a component (its
    children, on every mesh). The two are merged per child, the component's winning:

    - ``ignore_changes``: the union, the mesh's paths first;
    - ``protect``, ``retain_on_delete``: the component's value unless it is None, else
      the mesh's (None leaves Pulumi's default; ``protect`` is also inherited from the
      component's own ``opts``);
    - ``custom_timeouts``: per operation (create, update, delete, read), the component's where it
      sets one, else the mesh's;
    - ``transforms``: the mesh's, then the component's, so the component's see (and may
      undo) what the mesh's did.

    Args:
        ignore_changes: property paths in the engine's (camelCase) form, as in the Plan:
            ``metadata.labels``, ``spec.http[0].route[1].weight``, ``spec.rules[*]``. A path a
            child does not have is ignored on that child.
        protect: refuse to delete the children.
        retain_on_delete: leave the objects in the cluster or cloud when the children are
            deleted from the stack.
        custom_timeouts: create/update/delete/read timeouts
            (``pulumi.CustomTimeouts(create="5m")``).
        transforms: ``pulumi.ResourceTransform`` callables; the engine runs them on each child
            (Pulumi's mocks do not: see :func:`pulumi_smi.testing.apply_transforms`).
    """

    ignore_changes: Sequence[str] = ()
    protect: bool | None = None
    retain_on_delete: bool | None = None
    custom_timeouts: pulumi.CustomTimeouts | None = None
    transforms: Sequence[pulumi.ResourceTransform] = ()

    def merged(self, override: ChildOptions | None) -> ChildOptions:
        """These options (a mesh's) with ``override`` (a component's) merged in, as above."""
        if override is None:
            return self
        return ChildOptions(
            ignore_changes=_union(self.ignore_changes, override.ignore_changes),
            protect=_first(override.protect, self.protect),
            retain_on_delete=_first(override.retain_on_delete, self.retain_on_delete),
            custom_timeouts=_timeouts(self.custom_timeouts, override.custom_timeouts),
            transforms=(*self.transforms, *override.transforms),
        )

    def problems(self, path: str) -> list[tuple[str, str]]:
        """What is wrong with the values (the types are checked before), located at ``path``."""
        found: list[tuple[str, str]] = []
        for i, given in enumerate(self.ignore_changes):
            problem = path_problem(given)
            if problem:
                found.append((f"{path}.ignore_changes[{i}]", problem))
        timeouts = self.custom_timeouts
        for operation in _TIMEOUTS if timeouts is not None else ():
            value = getattr(timeouts, operation, None)
            where = f"{path}.custom_timeouts.{operation}"
            if value is None:
                continue
            if not isinstance(value, str):
                found.append((where, f"expected a duration str such as '5m', got {value!r}"))
            elif _DURATION.fullmatch(value) is None:
                found.append((where, f"{value!r} is not a duration such as '30s', '5m' or '1h30m'"))
        return found


def _union(first: Sequence[str], second: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*first, *second]))


def _first(*values: bool | None) -> bool | None:
    return next((v for v in values if v is not None), None)


def _timeouts(
    base: pulumi.CustomTimeouts | None, override: pulumi.CustomTimeouts | None
) -> pulumi.CustomTimeouts | None:
    if base is None or override is None:
        return override or base
    chosen = {op: getattr(override, op, None) or getattr(base, op, None) for op in _TIMEOUTS}
    return pulumi.CustomTimeouts(**chosen)


NO_OPTIONS = ChildOptions()
"""No child options: Pulumi's defaults."""
