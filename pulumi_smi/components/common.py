"""Building the SMI model of a component from its arguments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..spec.loader import validate_model
from ..spec.models import SmiObject

ObjT = TypeVar("ObjT", bound=SmiObject)


def smi_object(
    model: type[ObjT],
    type_name: str,
    resource_name: str,
    *,
    namespace: str,
    object_name: str | None,
    labels: Mapping[str, str] | None,
    annotations: Mapping[str, str] | None,
    spec: Mapping[str, Any],
) -> ObjT:
    """Validate a component's arguments as the SMI object ``model``.

    The Kubernetes name defaults to the component's resource name. Problems name
    the component (``smi:index:TrafficSplit reviews``) and the field path.
    """
    metadata = {
        "name": object_name or resource_name,
        "namespace": namespace,
        "labels": dict(labels or {}),
        "annotations": dict(annotations or {}),
    }
    return validate_model(
        model,
        {"metadata": metadata, "spec": dict(spec)},
        f"{type_name} {resource_name}",
        model.KIND,
    )
