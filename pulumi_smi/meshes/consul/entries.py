"""Consul config entries, emitted as consul-k8s CRDs or as pulumi-consul ConfigEntry resources.

Every translator builds :class:`Entry` values with the CRD's camelCase spec; :func:`emit`
turns one into the resource of the chosen mode. A config entry's name is global in an
open-source Consul datacenter, whatever Kubernetes namespace its CRD lives in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...plan import Resource
from ...spec.models import ObjectKey, ObjectMeta
from ..base import Namer
from ..kube import manifest_resource, object_metadata
from .options import ConsulOptions

CRD_API = "consul.hashicorp.com/v1alpha1"
CONFIG_ENTRY_TYPE = "consul:index/configEntry:ConfigEntry"
KINDS = {
    "ServiceDefaults": "service-defaults",
    "ServiceResolver": "service-resolver",
    "ServiceRouter": "service-router",
    "ServiceSplitter": "service-splitter",
    "ServiceIntentions": "service-intentions",
    "TerminatingGateway": "terminating-gateway",
}
"""CRD kind -> Consul config entry kind."""
_USER_KEYED = frozenset({"subsets", "meta"})
"""Maps whose keys are user data (subset names, metadata keys), not field names."""
_API_NAMES = {"http": "HTTP"}
"""Fields whose API name is not the PascalCase of the CRD name."""


@dataclass(frozen=True)
class Entry:
    """One Consul config entry: ``kind`` is the CRD kind, ``spec`` in CRD (camelCase) form."""

    kind: str
    name: str
    namespace: str
    """The Kubernetes namespace of the CRD (and the Consul namespace with Enterprise)."""
    spec: Mapping[str, Any]
    owner: ObjectKey
    role: str
    source: ObjectMeta | None = None
    after: tuple[tuple[str, str, str], ...] = ()
    """Entries (kind, namespace, name) to write first: the redirects and the gateway a
    splitter or router sends traffic through (they exist before any traffic goes there)."""


def emit(entry: Entry, options: ConsulOptions, namer: Namer) -> Resource:
    """The resource writing ``entry``: a CRD, or a pulumi-consul ConfigEntry."""
    logical = namer(entry.owner, entry.role)
    if options.mode == "crd":
        metadata = object_metadata(entry.name, entry.namespace, entry.source)
        return manifest_resource(logical, CRD_API, entry.kind, metadata, entry.spec, entry.owner)
    properties: dict[str, Any] = {"kind": KINDS[entry.kind], "name": entry.name}
    if options.enterprise:
        properties["namespace"] = entry.namespace
    spec = {k: v for k, v in entry.spec.items() if k != "destination"}  # Name says it
    properties["configJson"] = json.dumps(pascal(spec), sort_keys=True)
    return Resource(CONFIG_ENTRY_TYPE, logical, properties, (), entry.owner)


def pascal(value: Any, user_keyed: bool = False) -> Any:
    """A CRD spec in the Consul API's PascalCase (map keys of user data kept as they are)."""
    if isinstance(value, Mapping):
        return {
            (key if user_keyed else _API_NAMES.get(key, key[:1].upper() + key[1:])): pascal(
                item, key in _USER_KEYED
            )
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [pascal(item) for item in value]
    return value
