"""Kubernetes objects as planned resources (for every Kubernetes-based target)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import Problem
from ..plan import KUBERNETES_PREFIX, SHARED_KINDS, Resource
from ..spec.models import ObjectKey, ObjectMeta
from ..spec.names import dns1123_subdomain_problem
from ..spec.specset import SpecSet

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


def manifest_name_problems(resources: Sequence[Resource], specs: SpecSet) -> list[Problem]:
    """Invalid object names, and two objects of one kind with one namespace/name.

    Two such objects would overwrite each other in the cluster. A clash is reported on
    an SMI object involved (rather than on a namespace or identity sharing the object).
    """
    seen: dict[tuple[str, str, str], Resource] = {}
    problems = []
    for resource in resources:
        if not resource.is_kubernetes:
            continue
        props = resource.properties
        key = (props["kind"], props["metadata"]["namespace"], props["metadata"]["name"])
        owner = resource.owner or ObjectKey(props["kind"], key[1], key[2])
        problem = dns1123_subdomain_problem(key[2])
        if problem:
            problems.append(specs.problem(owner, "metadata.name", f"{key[0]} name: {problem}"))
        if key in seen:
            owners = [r.owner for r in (resource, seen[key]) if r.owner]
            blamed = next((o for o in owners if o.kind not in SHARED_KINDS), owner)
            message = f"emits {key[0]} {key[1]}/{key[2]}, which {seen[key].name} also emits"
            problems.append(specs.problem(blamed, "metadata.name", message))
        seen[key] = resource
    return problems
