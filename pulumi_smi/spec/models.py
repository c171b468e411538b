"""SMI objects, normalised to the newest API versions.

TrafficSplit is ``split.smi-spec.io/v1alpha4``, TrafficTarget
``access.smi-spec.io/v1alpha3``, HTTPRouteGroup/TCPRoute/UDPRoute
``specs.smi-spec.io/v1alpha4``; :mod:`pulumi_smi.spec.versions` converts the older
versions into these shapes. Field names are the YAML ones (``pathRegex``), and
Python code may use snake_case (``path_regex``). The models are frozen and hold
plain values only: they are the pure input of every translator.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from .fields import NamespaceName, ObjectName, Regex, ServiceName
from .names import (
    dns1035_label_problem,
    dns1123_label_problem,
    dns1123_subdomain_problem,
    label_key_problem,
    label_value_problem,
)
from .objectives import ServiceLevel, service_level_fields
from .regex import regex_problem

MAX_WEIGHT = 2**31 - 1
"""The largest weight: SMI's Go types are int, the meshes' int32 at most."""
HTTPMethod = Literal[
    "*", "GET", "HEAD", "PUT", "POST", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"
]
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9a-z]+$")


class ObjectKey(NamedTuple):
    """Identity of an SMI object: kind, namespace and name."""

    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}"


class FieldError(ValueError):
    """A validation error about ``subpath`` below the field being validated.

    The loader appends ``subpath`` to the field's path, so messages point at the
    exact element (``spec.backends[1].service``) rather than at its container.
    """

    def __init__(self, subpath: str, message: str) -> None:
        super().__init__(message)
        self.subpath = subpath


def _check(problem: str | None) -> None:
    if problem:
        raise ValueError(problem)


class SmiModel(BaseModel):
    """Base of every SMI model: frozen, closed to unknown fields, camelCase aliases."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, alias_generator=to_camel
    )


class ObjectMeta(BaseModel):
    """The part of Kubernetes ``metadata`` that pulumi-smi keeps."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: ObjectName
    namespace: NamespaceName = "default"
    labels: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    annotations: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    slo: ServiceLevel | None = None
    """The service-level objectives its annotations give (:mod:`.objectives`): on a
    TrafficSplit, what every backend must meet."""

    @model_validator(mode="before")
    @classmethod
    def _slo_from_annotations(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("annotations"), dict):
            fields = service_level_fields(data["annotations"])
            if fields is not None:
                return {**data, "slo": fields}
        return data

    @field_validator("labels")
    @classmethod
    def _labels(cls, labels: dict[str, str]) -> dict[str, str]:
        for key, value in labels.items():
            _check(label_key_problem(key))
            _check(label_value_problem(key, value))
        return labels

    @field_validator("annotations")
    @classmethod
    def _annotations(cls, annotations: dict[str, str]) -> dict[str, str]:
        for key in annotations:
            _check(label_key_problem(key.lower()))  # as the API server checks annotation keys
        return annotations


class SmiObject(SmiModel):
    """An SMI object: ``metadata`` plus a kind-specific ``spec``."""

    KIND: ClassVar[str]
    API_VERSION: ClassVar[str]

    metadata: ObjectMeta

    @property
    def key(self) -> ObjectKey:
        """The object's kind, namespace and name."""
        return ObjectKey(self.KIND, self.metadata.namespace, self.metadata.name)


# --- split.smi-spec.io -----------------------------------------------------------------


class Backend(SmiModel):
    """One backend Service of a TrafficSplit and its relative weight."""

    service: ServiceName
    weight: StrictInt = Field(ge=0, le=MAX_WEIGHT)

    @field_validator("weight", mode="before")
    @classmethod
    def _whole_weight(cls, value: Any) -> Any:
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError(f"weight must be a whole number, got {value}")
            return int(value)
        return value


class RouteGroupRef(SmiModel):
    """A reference from ``TrafficSplit.spec.matches`` to an HTTPRouteGroup."""

    kind: Literal["HTTPRouteGroup"] = "HTTPRouteGroup"
    name: StrictStr
    api_group: StrictStr | None = None


class ApexName(NamedTuple):
    """The parts of a TrafficSplit apex as written: ``name[.namespace[.svc[.<domain>]]]``."""

    name: str
    namespace: str | None


def apex_name(value: str) -> ApexName:
    """Parse an apex written as ``name``, ``name.namespace``, ``name.namespace.svc`` or
    ``name.namespace.svc.<domain>`` (SMI: "the FQDN that applications will use");
    :class:`ValueError` for anything else."""
    name, *rest = value.split(".")
    problem = dns1035_label_problem(name)
    if problem:
        raise ValueError(problem)
    if not rest:
        return ApexName(name, None)
    namespace, *dns = rest
    if (
        dns1123_label_problem(namespace)
        or (dns and dns[0] != "svc")
        or (len(dns) > 1 and dns1123_subdomain_problem(".".join(dns[1:])))
    ):
        raise ValueError(
            f"{value!r} is not a Service: write its name, or name.namespace, "
            "name.namespace.svc or name.namespace.svc.<cluster domain>"
        )
    return ApexName(name, namespace)


def _apex_form(value: str) -> str:
    apex_name(value)
    return value


ApexService = Annotated[StrictStr, AfterValidator(_apex_form)]
"""A TrafficSplit apex: a Service name, or the DNS name clients call it by."""


class TrafficSplitSpec(SmiModel):
    """Split traffic for the apex ``service`` between weighted backend Services.

    ``service`` may be written as the DNS name clients use (``name.namespace``,
    ``name.namespace.svc``, ``name.namespace.svc.<domain>``); :class:`TrafficSplit`
    normalises it to the Service name.
    """

    service: ApexService
    backends: tuple[Backend, ...] = Field(min_length=1)
    """Sorted by Service: their order means nothing in SMI, so re-ordering them changes no
    output (and no rounding tie-break); :meth:`backend_path` locates one as written."""
    matches: tuple[RouteGroupRef, ...] = ()
    _written: tuple[str, ...] = PrivateAttr(default=())

    @field_validator("backends")
    @classmethod
    def _backends(cls, backends: tuple[Backend, ...]) -> tuple[Backend, ...]:
        seen: set[str] = set()
        for index, backend in enumerate(backends):
            if backend.service in seen:
                raise FieldError(f"[{index}].service", f"{backend.service!r} is listed twice")
            seen.add(backend.service)
        if all(b.weight == 0 for b in backends):
            raise ValueError("every backend has weight 0: the split would send traffic nowhere")
        return backends

    @model_validator(mode="after")
    def _canonical_order(self) -> TrafficSplitSpec:
        written = tuple(b.service for b in self.backends)
        ordered = tuple(sorted(self.backends, key=lambda b: b.service))
        if ordered != self.backends:
            object.__setattr__(self, "backends", ordered)
        self._written = written
        return self

    def backend_path(self, service: str, field: str = "service") -> str:
        """``spec.backends[i].<field>`` of the backend ``service`` at its written position."""
        written = self._written or tuple(b.service for b in self.backends)
        index = written.index(service) if service in written else 0
        return f"spec.backends[{index}].{field}"


class TrafficSplit(SmiObject):
    """``split.smi-spec.io`` TrafficSplit."""

    KIND: ClassVar[str] = "TrafficSplit"
    API_VERSION: ClassVar[str] = "split.smi-spec.io/v1alpha4"

    spec: TrafficSplitSpec

    @model_validator(mode="after")
    def _apex_in_own_namespace(self) -> TrafficSplit:
        """The apex as the plain Service name; one in another namespace is an error."""
        written = self.spec.service
        apex = apex_name(written)
        namespace = self.metadata.namespace
        if apex.namespace not in (None, namespace):
            raise FieldError(
                "spec.service",
                f"{written!r} is a Service in namespace {apex.namespace!r}, but the apex of a "
                f"TrafficSplit is a Service of its own namespace {namespace!r}: move the "
                f"TrafficSplit to namespace {apex.namespace!r}",
            )
        if apex.name != written:
            spec = self.spec.model_copy(update={"service": apex.name})
            object.__setattr__(self, "spec", spec)
        return self


# --- specs.smi-spec.io -----------------------------------------------------------------


class HTTPMatch(SmiModel):
    """One named HTTP match of an HTTPRouteGroup (all its conditions are ANDed).

    ``pathRegex`` is anchored at the start of the path only; ``headers`` map
    lower-cased header names to regexes on the value; empty ``methods`` or
    ``"*"`` means every method.
    """

    name: StrictStr = Field(min_length=1)
    methods: tuple[HTTPMethod, ...] = ()
    path_regex: Regex | None = None
    headers: dict[StrictStr, StrictStr] = Field(default_factory=dict)

    @field_validator("headers", mode="before")
    @classmethod
    def _flatten_headers(cls, value: Any) -> Any:
        """Accept the map form and the CRD's list-of-maps form; lower-case the names."""
        maps = value if isinstance(value, list) else [value]
        merged: dict[Any, Any] = {}
        for item in maps:
            if not isinstance(item, dict):
                return value  # let pydantic report the type error
            for raw_name, regex in item.items():
                name = raw_name.lower() if isinstance(raw_name, str) else raw_name
                if name in merged and merged[name] != regex:
                    raise FieldError(f".{name}", "given twice with different values")
                merged[name] = regex
        return merged

    @field_validator("headers")
    @classmethod
    def _header_values(cls, headers: dict[str, str]) -> dict[str, str]:
        for name, regex in headers.items():
            if not _HEADER_NAME.match(name):
                raise FieldError(f".{name}", "not a valid HTTP header name")
            problem = regex_problem(regex)
            if problem:
                raise FieldError(f".{name}", problem)
        return headers

    @property
    def any_method(self) -> bool:
        """True when the match accepts every HTTP method."""
        return not self.methods or "*" in self.methods


def _unique_names(names: list[str]) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            raise FieldError(f"[{index}].name", f"{name!r} is used twice")
        seen.add(name)


class HTTPRouteGroupSpec(SmiModel):
    """The named HTTP matches of an HTTPRouteGroup."""

    matches: tuple[HTTPMatch, ...] = Field(min_length=1)

    @field_validator("matches")
    @classmethod
    def _names(cls, matches: tuple[HTTPMatch, ...]) -> tuple[HTTPMatch, ...]:
        _unique_names([m.name for m in matches])
        return matches


class HTTPRouteGroup(SmiObject):
    """``specs.smi-spec.io`` HTTPRouteGroup."""

    KIND: ClassVar[str] = "HTTPRouteGroup"
    API_VERSION: ClassVar[str] = "specs.smi-spec.io/v1alpha4"

    spec: HTTPRouteGroupSpec

    def match(self, name: str) -> HTTPMatch | None:
        """The match called ``name``, or None."""
        return next((m for m in self.spec.matches if m.name == name), None)


class PortMatch(SmiModel):
    """Ports of a TCPRoute or UDPRoute; no ports means every port."""

    name: StrictStr | None = None
    ports: tuple[StrictInt, ...] = ()

    @field_validator("ports")
    @classmethod
    def _ports(cls, ports: tuple[int, ...]) -> tuple[int, ...]:
        for port in ports:
            if not 1 <= port <= 65535:
                raise ValueError(f"port {port} is outside 1-65535")
        return tuple(dict.fromkeys(ports))


class PortRouteSpec(SmiModel):
    """Spec of a TCPRoute or UDPRoute."""

    matches: PortMatch = Field(default_factory=PortMatch)


class TCPRoute(SmiObject):
    """``specs.smi-spec.io`` TCPRoute."""

    KIND: ClassVar[str] = "TCPRoute"
    API_VERSION: ClassVar[str] = "specs.smi-spec.io/v1alpha4"

    spec: PortRouteSpec = Field(default_factory=PortRouteSpec)


class UDPRoute(SmiObject):
    """``specs.smi-spec.io`` UDPRoute."""

    KIND: ClassVar[str] = "UDPRoute"
    API_VERSION: ClassVar[str] = "specs.smi-spec.io/v1alpha4"

    spec: PortRouteSpec = Field(default_factory=PortRouteSpec)


# --- access.smi-spec.io ----------------------------------------------------------------


class IdentityRef(SmiModel):
    """A workload identity: a ServiceAccount, optionally in another namespace."""

    kind: Literal["ServiceAccount"] = "ServiceAccount"
    name: ObjectName
    namespace: NamespaceName | None = None


class TrafficTargetRule(SmiModel):
    """A route spec a TrafficTarget allows, optionally narrowed to named matches."""

    kind: Literal["HTTPRouteGroup", "TCPRoute", "UDPRoute"]
    name: StrictStr
    matches: tuple[StrictStr, ...] = ()


class TrafficTargetSpec(SmiModel):
    """Allow ``sources`` to reach ``destination`` on the routes in ``rules``."""

    destination: IdentityRef
    sources: tuple[IdentityRef, ...] = Field(min_length=1)
    rules: tuple[TrafficTargetRule, ...] = Field(min_length=1)


class TrafficTarget(SmiObject):
    """``access.smi-spec.io`` TrafficTarget; identity namespaces are always filled in."""

    KIND: ClassVar[str] = "TrafficTarget"
    API_VERSION: ClassVar[str] = "access.smi-spec.io/v1alpha3"

    spec: TrafficTargetSpec

    @model_validator(mode="after")
    def _namespaces(self) -> TrafficTarget:
        namespace = self.metadata.namespace
        destination = self.spec.destination
        if destination.namespace not in (None, namespace):
            raise FieldError(
                "spec.destination.namespace",
                f"{destination.namespace!r} differs from the TrafficTarget's namespace "
                f"{namespace!r}: a TrafficTarget must live in the namespace of its destination",
            )
        if destination.namespace and all(s.namespace for s in self.spec.sources):
            return self
        spec = self.spec.model_copy(
            update={
                "destination": destination.model_copy(update={"namespace": namespace}),
                "sources": tuple(
                    s if s.namespace else s.model_copy(update={"namespace": namespace})
                    for s in self.spec.sources
                ),
            }
        )
        object.__setattr__(self, "spec", spec)
        return self


SMI_KINDS: dict[str, type[SmiObject]] = {
    cls.KIND: cls for cls in (TrafficSplit, TrafficTarget, HTTPRouteGroup, TCPRoute, UDPRoute)
}
"""Every SMI model, by kind."""
