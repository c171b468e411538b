"""Every served SMI apiVersion, converted to the shape of the newest one.

Each converter takes the raw document and returns the ``{"metadata", "spec"}``
body the newest model validates, plus any objects the conversion had to create
(a TrafficTarget ``destination.port`` of access v1alpha1/v1alpha2 becomes a
TCPRoute rule, which narrows exactly as the port did).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from ..errors import shown
from .models import MAX_WEIGHT
from .quantity import parse_quantity
from .shape import ShapeError, mapping

Body = dict[str, Any]
Converted = list[tuple[str, Body]]
"""(kind, body) pairs: the converted object first, then any objects it implies."""


SERVED_VERSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "split.smi-spec.io": {"TrafficSplit": ("v1alpha1", "v1alpha2", "v1alpha3", "v1alpha4")},
    "access.smi-spec.io": {"TrafficTarget": ("v1alpha1", "v1alpha2", "v1alpha3")},
    "specs.smi-spec.io": {
        "HTTPRouteGroup": ("v1alpha1", "v1alpha2", "v1alpha3", "v1alpha4"),
        "TCPRoute": ("v1alpha1", "v1alpha2", "v1alpha3", "v1alpha4"),
        "UDPRoute": ("v1alpha4",),
    },
}
"""SMI API group -> kind -> the versions pulumi-smi reads."""


def _body(doc: Mapping[str, Any], spec: Any) -> Body:
    return {"metadata": doc.get("metadata"), "spec": spec}


def _reject_top_level(doc: Mapping[str, Any], allowed: tuple[str, ...], version: str) -> None:
    for key in doc:
        if key not in ("apiVersion", "kind", "metadata", "status", *allowed):
            raise ShapeError(key, f"unknown field for {version}")


def _unavailable(spec: Mapping[str, Any], key: str, path: str, api: str, since: str) -> None:
    if key in spec:
        raise ShapeError(f"{path}.{key}", f"not available in {api} (added in {since})")


def _quantity_weights(spec: dict[str, Any]) -> dict[str, Any]:
    """Scale v1alpha1 quantity weights to integers with exactly the same ratios."""
    backends = spec.get("backends")
    if not isinstance(backends, list):
        return spec
    fractions: list[Fraction | None] = []
    for index, backend in enumerate(backends):
        if not isinstance(backend, dict) or "weight" not in backend:
            fractions.append(None)
            continue
        try:
            fractions.append(parse_quantity(backend["weight"]))
        except (ValueError, TypeError, ZeroDivisionError) as exc:
            raise ShapeError(f"spec.backends[{index}].weight", str(exc)) from None
    scale = math.lcm(*(f.denominator for f in fractions if f is not None), 1)
    converted = []
    for index, (backend, weight) in enumerate(zip(backends, fractions, strict=True)):
        if weight is None:
            converted.append(backend)
            continue
        scaled = weight * scale
        if scaled > MAX_WEIGHT:
            raise ShapeError(
                f"spec.backends[{index}].weight",
                f"{shown(backend['weight'])}: these quantities need weights above {MAX_WEIGHT} "
                "to keep their exact ratio; use fewer decimal places",
            )
        converted.append({**backend, "weight": int(scaled)})
    return {**spec, "backends": converted}


def _traffic_split(doc: Mapping[str, Any], version: str) -> Converted:
    _reject_top_level(doc, ("spec",), version)
    spec = mapping(doc.get("spec"), "spec")
    if version in ("v1alpha1", "v1alpha2"):
        _unavailable(spec, "matches", "spec", f"split.smi-spec.io/{version}", "v1alpha3")
    if version == "v1alpha1":
        spec = _quantity_weights(spec)
    return [("TrafficSplit", _body(doc, spec))]


def _http_route_group(doc: Mapping[str, Any], version: str) -> Converted:
    if version in ("v1alpha1", "v1alpha2"):
        _reject_top_level(doc, ("matches",), version)
        matches = doc.get("matches")
        if version == "v1alpha1" and isinstance(matches, list):
            for index, match in enumerate(matches):
                if isinstance(match, dict):
                    _unavailable(
                        match,
                        "headers",
                        f"matches[{index}]",
                        "specs.smi-spec.io/v1alpha1",
                        "v1alpha2",
                    )
        return [("HTTPRouteGroup", _body(doc, {"matches": matches}))]
    _reject_top_level(doc, ("spec",), version)
    return [("HTTPRouteGroup", _body(doc, doc.get("spec")))]


def _port_route(kind: str) -> Callable[[Mapping[str, Any], str], Converted]:
    def convert(doc: Mapping[str, Any], version: str) -> Converted:
        _reject_top_level(doc, ("spec",), version)
        spec = mapping(doc.get("spec"), "spec")
        if version != "v1alpha4":
            if spec:
                raise ShapeError("spec", f"{kind} {version} has no fields; use v1alpha4")
            spec = {}
        return [(kind, _body(doc, spec))]

    return convert


def _traffic_target(doc: Mapping[str, Any], version: str) -> Converted:
    if version == "v1alpha1":
        _reject_top_level(doc, ("destination", "sources", "specs"), version)
        spec = {"destination": doc.get("destination"), "sources": doc.get("sources")}
        spec["rules"] = doc.get("specs")
        prefix = ""
    else:
        _reject_top_level(doc, ("spec",), version)
        spec = mapping(doc.get("spec"), "spec")
        prefix = "spec."
    if version == "v1alpha3":
        return [("TrafficTarget", _body(doc, spec))]
    destination = mapping(spec.get("destination"), f"{prefix}destination")
    port = destination.pop("port", None)
    if not spec.get("rules") and port is None:
        raise ShapeError(
            f"{prefix}rules" if prefix else "specs",
            f"required field is missing: access {version} let a TrafficTarget omit its rules, "
            "and some meshes (Traefik Mesh) read that as every port and request; pulumi-smi "
            "never guesses an allow: to allow every connection, add a TCPRoute without ports "
            "(spec: {}) and name it in the rules ({kind: TCPRoute, name: ...}), or name the "
            "HTTPRouteGroup matches to allow",
        )
    spec["destination"] = destination
    extra: Converted = []
    if port is not None:
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise ShapeError(
                f"{prefix}destination.port", f"must be a port number, got {shown(port)}"
            )
        metadata = mapping(doc.get("metadata"), "metadata")
        route = f"{metadata.get('name')}-port-{port}"
        tcp_route = {
            "metadata": {"name": route, "namespace": metadata.get("namespace", "default")},
            "spec": {"matches": {"ports": [port]}},
        }
        extra.append(("TCPRoute", tcp_route))
        rules = spec.get("rules")
        spec["rules"] = [
            *(rules if isinstance(rules, list) else []),
            {"kind": "TCPRoute", "name": route},
        ]
    return [("TrafficTarget", _body(doc, spec)), *extra]


_TOP_LEVEL_FIELDS: dict[tuple[str, str], dict[str, str]] = {
    ("access.smi-spec.io/v1alpha1", "TrafficTarget"): {
        "destination": "destination",
        "sources": "sources",
        "rules": "specs",
    },
    ("specs.smi-spec.io/v1alpha1", "HTTPRouteGroup"): {"matches": "matches"},
    ("specs.smi-spec.io/v1alpha2", "HTTPRouteGroup"): {"matches": "matches"},
}
"""Versions whose spec fields sit at the top level: model field -> field in the document."""
_SPEC_FIELD = re.compile(r"^spec\.([A-Za-z_]+)")


def user_path(api_version: str, written_kind: str, kind: str, path: str) -> str:
    """Where field ``path`` of a converted ``kind`` object sits in the document it came from.

    The document is of ``api_version`` and ``written_kind``: v1alpha1 TrafficTargets and
    v1alpha1/v1alpha2 HTTPRouteGroups keep their fields at the top level (``specs[0].name``,
    ``matches[1].pathRegex``), and a TCPRoute implied by a TrafficTarget's
    ``destination.port`` (access v1alpha1, v1alpha2) is that field.
    """
    if kind != written_kind:
        prefix = "" if api_version.endswith("/v1alpha1") else "spec."
        return f"{prefix}destination.port"
    fields = _TOP_LEVEL_FIELDS.get((api_version, written_kind))
    found = _SPEC_FIELD.match(path)
    if fields is None or found is None or found.group(1) not in fields:
        return path
    return fields[found.group(1)] + path[found.end() :]


CONVERTERS: dict[str, Callable[[Mapping[str, Any], str], Converted]] = {
    "TrafficSplit": _traffic_split,
    "HTTPRouteGroup": _http_route_group,
    "TCPRoute": _port_route("TCPRoute"),
    "UDPRoute": _port_route("UDPRoute"),
    "TrafficTarget": _traffic_target,
}
"""kind -> converter from any served version to the newest shape."""
