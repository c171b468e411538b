"""``smi:index:Manifests``: existing SMI YAML files, translated into one or more meshes."""

from __future__ import annotations

import glob
from collections.abc import Sequence

import pulumi

from ..errors import Problem, SmiValidationError
from ..spec.loader import load_files
from .base import Meshes, SmiComponent


class Manifests(SmiComponent):
    """Load SMI YAML (any apiVersion) plus Kubernetes Services/ServiceAccounts/workloads.

    Every SMI object in the files is translated for every mesh. Services,
    ServiceAccounts and workloads in the files extend each mesh's catalogue;
    other kinds are skipped with a warning.

    Args:
        resource_name: the Pulumi logical name.
        files: paths or glob patterns, relative to the Pulumi project directory.
        meshes: the mesh or meshes to translate into.
        opts: Pulumi resource options.
    """

    def __init__(
        self,
        resource_name: str,
        *,
        files: Sequence[str],
        meshes: Meshes,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        type_name = "smi:index:Manifests"
        paths: list[str] = []
        missing: list[Problem] = []
        for pattern in files:
            found = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
            if not found:
                missing.append(Problem("no file matches this pattern", pattern))
            paths.extend(found)
        if missing:
            raise SmiValidationError(missing)
        specs = load_files(paths)
        owned = [o.key for o in specs.objects()]
        super().__init__(type_name, resource_name, specs, owned, meshes, opts, {"files": paths})
