"""Kubernetes objects as planned resources (for every Kubernetes-based target)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..plan import KUBERNETES_PREFIX, Resource
from ..spec.models import ObjectKey, ObjectMeta

MANAGED_BY = {"app.kubernetes.io/managed-by": "pulumi-smi"}


def object_metadata(name: str, namespace: str, source: ObjectMeta | None = None) -> dict[str, Any]:
    """Metadata for an emitted object: the source object's labels and annotations, plus ours."""
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    labels = {**(source.labels if source else {}), **MANAGED_BY}
    metadata["labels"] = dict(sorted(labels.items()))
    if source and source.annotations:
        metadata["annotations"] = dict(sorted(source.annotations.items()))
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
