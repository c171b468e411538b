"""What a policy judges: one resource as the Pulumi engine shows it to a policy pack.

The engine hands a resource policy a ``ResourceValidationArgs`` (``resource_type``,
``props`` — the resource's *inputs* in engine (camelCase) form, ``urn``, ``name``,
``opts.parent``, ``get_config()``). :class:`Subject` is the plain-data view the rules read,
built by :meth:`Subject.of` from any object of that shape — the real one, or one a test
builds from a resource recorded by :mod:`pulumi_smi.testing`. Nothing here imports
``pulumi_policy``.

Values the engine does not know yet (a ``pulumi preview`` of an output) arrive as
pulumi-policy's sentinel strings inside proxies that raise on reading them; :func:`plain`
reads the data behind the proxies and turns every sentinel into None, which is how
:mod:`pulumi_smi.review` spells "unknown". Numbers arrive as floats (protobuf ``Struct``):
whole ones become ints, as in a recording.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..review.values import UNKNOWN, mapping

UNKNOWN_SENTINELS = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        UNKNOWN,  # string (04da6b54-...)
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)
"""The engine's (and pulumi-policy's) markers of a value unknown during preview."""
_PROXY_TARGET = "__target"
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def _unproxied(value: object) -> object:
    """The data behind a pulumi-policy proxy (``_DictProxy``/``_ListProxy``), else ``value``.

    Those proxies raise ``UnknownValueError`` when an unknown value is read through them;
    their ``["__target"]`` is the data they wrap, sentinels included.
    """
    if isinstance(value, (dict, list, tuple, str, bytes)):
        return value
    getitem = getattr(value, "__getitem__", None)
    if isinstance(value, (Mapping, Sequence)) and getitem is not None:
        try:
            return getitem(_PROXY_TARGET)
        except (KeyError, TypeError, IndexError):
            return value
    return value


def plain(value: object) -> Any:
    """``value`` as plain JSON-like data: proxies read through, unknowns None, whole floats
    ints, secrets (an engine secret object) their value (None when only ciphertext)."""
    value = _unproxied(value)
    if isinstance(value, Mapping):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            return _secret(value)
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or (
        isinstance(value, Sequence) and not isinstance(value, (str, bytes))
    ):
        return [plain(v) for v in value]
    if isinstance(value, str) and value in UNKNOWN_SENTINELS:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _secret(value: Mapping[str, Any]) -> Any:
    """A secret's value: ``value`` (the engine's RPC form), ``plaintext`` (JSON text, in a
    ``pulumi stack export --show-secrets``); None when only its ciphertext is there."""
    if "value" in value:
        return plain(value["value"])
    text = value.get("plaintext")
    if isinstance(text, str):
        try:
            return plain(json.loads(text))
        except ValueError:
            return None
    return None


class ValidationArgs(Protocol):
    """The part of ``pulumi_policy.ResourceValidationArgs`` the rules read."""

    @property
    def resource_type(self) -> str:
        """The type token (``kubernetes:security.istio.io/v1:PeerAuthentication``)."""
        ...

    @property
    def props(self) -> Mapping[str, Any]:
        """The resource's inputs."""
        ...

    @property
    def urn(self) -> str:
        """The resource's URN."""
        ...

    @property
    def name(self) -> str:
        """The resource's logical name."""
        ...

    def get_config(self) -> Mapping[str, Any]:
        """The policy's configuration (``--policy-pack-config``, schema defaults applied)."""
        ...


def urn_name(urn: str) -> str:
    """The logical name in ``urn:pulumi:<stack>::<project>::<type>::<name>``."""
    parts = urn.split("::", 3)
    return parts[3] if len(parts) == 4 else urn


@dataclass(frozen=True)
class Subject:
    """One resource, as plain data: what every rule reads."""

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    parent: str | None = None
    """The parent's logical name (None: the stack, or not known)."""

    @staticmethod
    def of(args: ValidationArgs) -> Subject:
        """The subject of ``args`` (a ``ResourceValidationArgs`` or anything shaped like it)."""
        parent = getattr(getattr(args, "opts", None), "parent", None)
        props = plain(args.props)
        return Subject(
            type=str(args.resource_type),
            name=str(args.name),
            urn=str(args.urn),
            props=props if isinstance(props, Mapping) else {},
            parent=urn_name(parent) if isinstance(parent, str) and parent else None,
        )

    @property
    def kubernetes(self) -> tuple[str, str] | None:
        """``(API group, kind)`` of a Kubernetes object (``core`` for the core group)."""
        parts = self.type.split(":")
        if len(parts) != 3 or parts[0] != "kubernetes":
            return None
        return parts[1].split("/")[0], parts[2]

    def is_kind(self, group: str, *kinds: str) -> bool:
        """Whether this is a Kubernetes object of API ``group`` and one of ``kinds``."""
        found = self.kubernetes
        return found is not None and found[0] == group and found[1] in kinds

    @property
    def spec(self) -> Mapping[str, Any]:
        """A Kubernetes object's ``spec`` (empty when absent or unknown)."""
        return mapping(self.props.get("spec"))

    @property
    def object_name(self) -> str:
        """``<namespace>/<name>`` of a Kubernetes object, the ``name`` input of another
        resource (an AWS or Consul one), else the logical name."""
        if self.kubernetes is not None:
            metadata = mapping(self.props.get("metadata"))
            name = metadata.get("name")
            if isinstance(name, str):
                namespace = metadata.get("namespace")
                return f"{namespace if isinstance(namespace, str) else 'default'}/{name}"
            return self.name
        name = self.props.get("name")
        return name if isinstance(name, str) else self.name

    def describe(self) -> str:
        """``PeerAuthentication shop/api-strict-mtls (m-shop-api-peerauthentication)``,
        ``aws:appmesh VirtualNode api_shop (m-shop-api-virtualnode)``: what messages name."""
        kube = self.kubernetes
        if kube is not None:
            what = kube[1]
        else:
            parts = self.type.split(":")
            what = (
                f"{parts[0]}:{parts[1].split('/')[0]} {parts[2]}" if len(parts) == 3 else self.type
            )
        shown = self.object_name
        return f"{what} {shown}" if shown == self.name else f"{what} {shown} ({self.name})"


@dataclass(frozen=True)
class Violation:
    """One violation: its message, and the resource it is about (None: the one judged)."""

    message: str
    urn: str | None = None


@dataclass(frozen=True)
class Findings:
    """What one policy found about one resource.

    ``violations`` break the policy (reported at its enforcement level); ``unjudged`` say
    what the policy could not decide (a value unknown in a preview, no baseline to compare
    with) — never a silent pass: the pack reports them as advisory diagnostics.
    """

    violations: tuple[Violation, ...] = ()
    unjudged: tuple[str, ...] = field(default=())

    @staticmethod
    def of(violations: Iterable[str] = (), unjudged: Iterable[str] = ()) -> Findings:
        """Findings from message lists (duplicates dropped, order kept)."""
        return Findings(
            tuple(Violation(m) for m in dict.fromkeys(violations)),
            tuple(dict.fromkeys(unjudged)),
        )

    @property
    def messages(self) -> list[str]:
        """The violation messages."""
        return [v.message for v in self.violations]

    def __bool__(self) -> bool:
        return bool(self.violations or self.unjudged)


NOTHING = Findings()


def excluded(subject: Subject, patterns: object) -> bool:
    """Whether ``subject`` matches one of the ``exclude`` glob ``patterns`` (by logical name,
    ``<namespace>/<name>`` of a Kubernetes object, or ``name`` input of another resource)."""
    if not isinstance(patterns, Sequence) or isinstance(patterns, str):
        return False
    names = {subject.name, subject.object_name}
    return any(
        isinstance(p, str) and any(fnmatch.fnmatchcase(n, p) for n in names) for p in patterns
    )
