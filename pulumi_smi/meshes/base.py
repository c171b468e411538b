"""What every target shares: the mesh kinds, target options and resource naming."""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, StrictStr

from ..spec.models import ObjectKey


class MeshKind(str, Enum):
    """The meshes pulumi-smi can translate SMI into (the ``--mesh`` flag)."""

    SMI = "smi"
    ISTIO = "istio"
    LINKERD = "linkerd"
    CONSUL = "consul"
    GATEWAY_API = "gateway-api"
    APPMESH = "appmesh"
    VPC_LATTICE = "vpc-lattice"

    def __str__(self) -> str:
        return self.value


class TargetOptions(BaseModel):
    """Options every target accepts; each target subclasses this with its own.

    Options are given by their Python names, from Python or as
    ``--set KEY=VALUE`` on the command line.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    mesh_name: StrictStr | None = None
    """Name of the mesh instance (``--mesh-name``), for targets that name one."""

    @classmethod
    def option_names(cls) -> list[str]:
        """The names the options are given by (``--set NAME=VALUE``, Python keywords)."""
        return sorted(cls.model_fields)


class AccessOptions(TargetOptions):
    """Options of every target that enforces TrafficTargets."""

    inexpressible: Literal["error", "narrow"] = "error"
    """What to do with an access rule the mesh cannot express exactly: ``error`` (the default)
    refuses the input with a located error; ``narrow`` leaves the rule out, so the mesh allows
    less than SMI (never more), with one warning naming each rule left out."""


MAX_JSON_DEPTH = 20
"""The deepest nesting of a JSON option value (the options nest two or three levels)."""


def json_from_command_line(value: object) -> object:
    """A mapping option given as JSON text (``--set 'key={"a": "b"}'``), parsed; else as is.

    Text nesting deeper than :data:`MAX_JSON_DEPTH` is refused before it is parsed (Python's
    parser would recurse once per level).
    """
    if isinstance(value, str):
        if _nesting(value) > MAX_JSON_DEPTH:
            raise ValueError(f"not a JSON object: nested more than {MAX_JSON_DEPTH} levels deep")
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a JSON object: {exc.msg} at position {exc.pos}") from None
    return value


def _nesting(text: str) -> int:
    """How deep the brackets of JSON ``text`` nest (outside strings)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif in_string:
            escaped = char == "\\"
            in_string = char != '"'
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


Namer = Callable[[ObjectKey, str], str]
"""Gives the Pulumi logical name of the resource playing ``role`` for an SMI object."""


def namespace_owner(namespace: str) -> ObjectKey:
    """The owner of a resource shared by everything in ``namespace``."""
    return ObjectKey("Namespace", namespace, namespace)


def service_account_owner(namespace: str, name: str) -> ObjectKey:
    """The owner of a resource shared by every SMI object naming this ServiceAccount."""
    return ObjectKey("ServiceAccount", namespace, name)


def service_owner(namespace: str, name: str) -> ObjectKey:
    """The owner of a resource shared by every SMI object naming this Service."""
    return ObjectKey("Service", namespace, name)


def default_namer(owner: ObjectKey, role: str) -> str:
    """``<namespace>-<name>-<role>`` (``<namespace>-<role>`` for namespace-wide resources)."""
    if owner.kind == "Namespace":
        return f"{owner.namespace}-{role}"
    return f"{owner.namespace}-{owner.name}-{role}"
