"""Compact, one-line descriptions of the request matches each target emits.

Conditions of one match are ANDed (joined by spaces), matches of one rule ORed (`` | ``).
Operators: ``=`` exact, ``^=`` prefix, ``$=`` suffix, ``*=`` contains, ``~`` regex;
a bare name means "present", ``!`` negates. A path prefix ``/`` matches everything and
is left out; a rule matching everything is :data:`DEFAULT_RULE`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from .values import items, mapping

DEFAULT_RULE = "default"
"""The rule of requests no other rule matched (or of a route without matches)."""
_OPERATORS = {
    "exact": "=",
    "Exact": "=",
    "prefix": "^=",
    "PathPrefix": "^=",
    "suffix": "$=",
    "contains": "*=",
    "regex": "~",
    "RegularExpression": "~",
}


def _compact(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _condition(name: str, operator: str, value: object) -> str | None:
    if name == "path" and operator == "^=" and value == "/":
        return None  # matches every path
    return f"{name}{operator}{_compact(value)}"


def _string_match(name: str, spec: Mapping[str, Any]) -> str:
    """``{exact|prefix|suffix|regex|contains: v}`` (Istio, Consul, App Mesh, Lattice)."""
    invert = "!" if spec.get("invert") else ""
    for key, operator in _OPERATORS.items():
        if key in spec and key[0].islower():
            found = _condition(name, operator, spec[key])
            return f"{invert}{found}" if found else ""
    if spec.get("present"):
        return f"{invert}{name}"
    if "range" in spec:
        bounds = mapping(spec["range"])
        return f"{invert}{name} in [{bounds.get('start')},{bounds.get('end')})"
    return f"{invert}{name}"


def _typed(name: str, spec: Mapping[str, Any], default: str = "Exact") -> str | None:
    """``{type, value}`` (Gateway API)."""
    operator = _OPERATORS.get(str(spec.get("type", default)), f" {spec.get('type')} ")
    return _condition(name, operator, spec.get("value"))


def describe(matches: Iterable[str]) -> str:
    """ORed match descriptions as one rule name (no condition left: :data:`DEFAULT_RULE`)."""
    texts = [m for m in matches if m]
    return " | ".join(dict.fromkeys(texts)) if texts else DEFAULT_RULE


def _joined(parts: Iterable[str | None]) -> str:
    return " ".join(p for p in parts if p)


def istio(entry: Mapping[str, Any], skip_port: bool = False) -> str:
    """An Istio ``HTTPMatchRequest`` / ``L4MatchAttributes``."""
    parts: list[str | None] = []
    for key, value in entry.items():
        if key == "uri":
            parts.append(_string_match("path", mapping(value)))
        elif key == "method":
            parts.append(_string_match("method", mapping(value)).replace("method=", ""))
        elif key in ("headers", "queryParams"):
            label = "" if key == "headers" else "?"
            parts += [_string_match(f"{label}{k}", mapping(v)) for k, v in mapping(value).items()]
        elif key == "withoutHeaders":
            parts += [f"!{_string_match(k, mapping(v))}" for k, v in mapping(value).items()]
        elif key == "authority":
            parts.append(_string_match("authority", mapping(value)))
        elif key == "port":
            parts.append(None if skip_port else f"port={value}")
        elif key != "name":
            parts.append(f"{key}={_compact(value)}")
    return _joined(parts)


def gamma(entry: Mapping[str, Any]) -> str:
    """A Gateway API ``HTTPRouteMatch`` or ``GRPCRouteMatch``."""
    parts: list[str | None] = []
    for key, value in entry.items():
        if key == "path":
            parts.append(_typed("path", mapping(value), "PathPrefix"))
        elif key == "method" and isinstance(value, str):
            parts.append(value)
        elif key == "method":
            method = mapping(value)
            target = f"{method.get('service', '*')}/{method.get('method', '*')}"
            parts.append(_typed("method", {**method, "value": target}))
        elif key in ("headers", "queryParams"):
            label = "" if key == "headers" else "?"
            parts += [_typed(f"{label}{h.get('name')}", h) for h in items(value)]
        else:
            parts.append(f"{key}={_compact(value)}")
    return _joined(parts)


def consul(http: Mapping[str, Any]) -> str:
    """The ``match.http`` of a Consul ServiceRouter route (CRD camelCase)."""
    parts: list[str | None] = []
    for key, value in http.items():
        if key == "pathExact":
            parts.append(_condition("path", "=", value))
        elif key == "pathPrefix":
            parts.append(_condition("path", "^=", value))
        elif key == "pathRegex":
            parts.append(_condition("path", "~", value))
        elif key == "methods" and isinstance(value, list):
            parts.append(",".join(map(str, value)))
        elif key in ("header", "queryParam"):
            label = "" if key == "header" else "?"
            parts += [_string_match(f"{label}{h.get('name')}", h) for h in items(value)]
        else:
            parts.append(f"{key}={_compact(value)}")
    return _joined(parts)


def lattice(match: Mapping[str, Any]) -> str:
    """The ``match`` of a VPC Lattice ListenerRule (``{httpMatch: ...}``)."""
    http = mapping(match.get("httpMatch"))
    parts: list[str | None] = []
    path = mapping(http.get("pathMatch"))
    if path:
        parts.append(_string_match("path", mapping(path.get("match"))))
    if http.get("method"):
        parts.append(str(http["method"]))
    parts += [
        _string_match(str(h.get("name")), mapping(h.get("match")))
        for h in items(http.get("headerMatches"))
    ]
    return _joined(parts)


def appmesh(match: Mapping[str, Any]) -> str:
    """The ``match`` of an App Mesh route (http, http2, grpc or tcp)."""
    parts: list[str | None] = []
    for key, value in match.items():
        if key == "prefix":
            parts.append(_condition("path", "^=", value))
        elif key == "path":
            parts.append(_string_match("path", mapping(value)))
        elif key == "method":
            parts.append(str(value))
        elif key in ("headers", "metadata", "queryParameters"):
            label = "?" if key == "queryParameters" else ""
            parts += [
                _string_match(f"{label}{h.get('name')}", mapping(h.get("match")))
                for h in items(value)
            ]
        elif key in ("serviceName", "methodName"):
            parts.append(f"{key}={value}")
        else:
            parts.append(f"{key}={_compact(value)}")
    return _joined(parts)
