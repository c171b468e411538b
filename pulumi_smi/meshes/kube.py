"""Kubernetes objects as planned resources (for every Kubernetes-based target)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..plan import KUBERNETES_PREFIX, Resource
from ..spec.models import ObjectKey, ObjectMeta

MANAGED_BY = {"app.kubernetes.io/managed-by": "pulumi-smi"}


NOT_CARRIED = frozenset({"kubectl.kubernetes.io/last-applied-configuration"})
"""Annotations of an SMI object that say something about that object only."""


def object_metadata(
    name: str, namespace: str, source: ObjectMeta | None = None, drop: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Metadata for an emitted object: the source object's labels and annotations, plus ours.

    Annotations in :data:`NOT_CARRIED` or ``drop`` are not copied.
    """
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    labels = {**(source.labels if source else {}), **MANAGED_BY}
    metadata["labels"] = dict(sorted(labels.items()))
    annotations = {
        k: v
        for k, v in sorted((source.annotations if source else {}).items())
        if k not in NOT_CARRIED | drop
    }
    if annotations:
        metadata["annotations"] = annotations
    return metadata


def manifest_resource(
    logical_name: str,
    api_version: str,
    kind: str,
    metadata: Mapping[str, Any],
    spec: Mapping[str, Any],
    owner: ObjectKey,
    depends_on: tuple[str, ...] = (),
) -> Resource:
    """A planned Kubernetes object with the type token a pulumi-kubernetes CustomResource has."""
    manifest = {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": dict(metadata),
        "spec": dict(spec),
    }
    return Resource(
        f"{KUBERNETES_PREFIX}{api_version}:{kind}", logical_name, manifest, depends_on, owner
    )
