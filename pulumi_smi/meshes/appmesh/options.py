"""Options of the ``appmesh`` target, and the names and limits App Mesh imposes.

Mesh: ``mesh_name`` (``--mesh-name``) names an *existing* mesh, whose resources are created
inside it; without it pulumi-smi creates a mesh called ``smi``. ``create_mesh`` overrides that
default either way. An existing mesh's egress filter is not ours to change: the Plan warns
that TrafficTargets are only enforced when it is ``DROP_ALL``.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import StrictBool, StrictStr, field_validator

from ...errors import Problem, TranslationError
from ..base import AccessOptions

DEFAULT_MESH_NAME = "smi"
MAX_NAME = 255
"""App Mesh resource names (mesh, node, router, route, service): 1-255 characters."""
MAX_TARGETS = 10
"""Weighted targets per route (botocore ``WeightedTargets``; quota L-AE1D9567, not adjustable)."""
MAX_BACKENDS = 50
"""Backends per VirtualNode (quota L-8775AB18, not adjustable)."""
MAX_PRIORITY = 1000
MAX_HEADERS = 10
MAX_HEADER_NAME = 50
MAX_MATCH_VALUE = 255
ROUTES_PER_ROUTER = 50
"""Default quota L-BB90B7FF (adjustable): more routes than this get a warning, not an error."""
END_OF_SUPPORT = "2026-09-30"
DEPRECATION = (
    "AWS App Mesh reaches end of support on "
    f"{END_OF_SUPPORT}: after that date its console and resources are no longer available. "
    "Move to the 'vpc-lattice' target (pulumi-smi translates the same SMI objects for it)."
)


class AppMeshOptions(AccessOptions):
    """Options of the ``appmesh`` target."""

    create_mesh: StrictBool | None = None
    """Create the mesh (default: only when ``mesh_name`` is not given)."""
    cluster_domain: StrictStr = "cluster.local"
    """The cluster's DNS domain: VirtualService names and DNS service discovery use
    ``<service>.<namespace>.svc.<cluster_domain>``."""
    mesh_owner: StrictStr | None = None
    """AWS account id owning a mesh shared with this account through AWS RAM."""
    egress_filter: Literal["DROP_ALL", "ALLOW_ALL"] = "DROP_ALL"
    """Egress filter of a mesh created here. ``ALLOW_ALL`` cannot enforce TrafficTargets, so
    it is an error together with any TrafficTarget."""

    mtls_trust_domain: StrictStr | None = None
    """SPIRE trust domain: with it, the listeners TrafficTargets reach take only mutual TLS from
    the sources allowed (certificates from Envoy's SDS, SVIDs
    ``spiffe://<trust domain>/ns/<namespace>/sa/<service account>``), so callers outside the
    mesh are refused by the destination (:mod:`.mtls`)."""

    @field_validator("mtls_trust_domain")
    @classmethod
    def _trust_domain(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[a-z0-9._-]{1,200}", value):
            raise ValueError(
                "must be a SPIFFE trust domain name: lowercase letters, digits, '.', '-', '_' "
                "(no spiffe:// prefix)"
            )
        return value

    @field_validator("mesh_owner")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        if value is not None and not (len(value) == 12 and value.isdigit()):
            raise ValueError("must be a 12-digit AWS account id")
        return value

    @property
    def creates_mesh(self) -> bool:
        """Whether the Plan includes the Mesh resource."""
        return self.mesh_name is None if self.create_mesh is None else self.create_mesh

    @property
    def mesh(self) -> str:
        """The App Mesh name of the mesh."""
        return self.mesh_name or DEFAULT_MESH_NAME

    def check(self) -> None:
        """Reject combinations App Mesh cannot honour."""
        if self.creates_mesh and self.mesh_owner:
            raise TranslationError(
                [
                    Problem(
                        "a mesh shared by another account cannot be created here: set "
                        "create_mesh=false with mesh_owner",
                        "options",
                        path="mesh_owner",
                    )
                ]
            )
        problem = name_problem(self.mesh)
        if problem:
            raise TranslationError([Problem(problem, "options", path="mesh_name")])


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid App Mesh resource name (1-255 characters), or None."""
    if 1 <= len(name) <= MAX_NAME:
        return None
    shown = name[:60] + ("..." if len(name) > 60 else "")
    return f"App Mesh name {shown!r} has {len(name)} characters; App Mesh allows 1-{MAX_NAME}"
