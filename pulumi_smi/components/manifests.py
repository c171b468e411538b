"""``smi:index:Manifests``: existing SMI YAML files, translated into one or more meshes."""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence

import pulumi

from ..errors import Problem, raise_if_any
from ..spec.loader import load_files
from .base import Meshes, SmiComponent
from .child_options import ChildOptions
from .validate import check_arguments


class Manifests(SmiComponent):
    """Load SMI YAML (any apiVersion) plus Kubernetes Services/ServiceAccounts/workloads.

    Every SMI object in the files is translated for every mesh. Services,
    ServiceAccounts and workloads in the files extend each mesh's catalogue;
    other kinds are skipped with a warning.

    Args:
        resource_name: the Pulumi logical name.
        files: paths or glob patterns (``str`` or ``os.PathLike``), relative to the
            Pulumi project directory; each pattern must match a file.
        meshes: the mesh or meshes to translate into.
        child_options: resource options for every child (merged with the mesh's).
        opts: Pulumi resource options.
    """

    def __init__(
        self,
        resource_name: str,
        *,
        files: Sequence[str | os.PathLike[str]],
        meshes: Meshes,
        child_options: ChildOptions | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        type_name = "smi:index:Manifests"
        source = check_arguments(type_name, Manifests.__init__, locals())
        if not files:
            raise_if_any([Problem("give at least one path or glob pattern", source, path="files")])
        paths: list[str] = []
        missing: list[Problem] = []
        for i, given in enumerate(files):
            pattern = os.fspath(given)
            found = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
            if not found:
                missing.append(Problem(f"no file matches {pattern!r}", source, path=f"files[{i}]"))
            paths.extend(found)
        raise_if_any(missing)
        specs = load_files(paths)
        owned = [o.key for o in specs.objects()]
        super().__init__(
            type_name,
            resource_name,
            specs,
            owned,
            meshes,
            opts,
            {"files": paths},
            child_options=child_options,
        )
