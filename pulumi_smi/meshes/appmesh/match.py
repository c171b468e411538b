"""SMI HTTP matches -> App Mesh route matches.

App Mesh matches ``prefix`` as a plain string prefix and ``path.exact``/``path.regex`` and
header ``regex`` against the whole value (Envoy's RE2 ``safe_regex``), so SMI's
start-anchored ``pathRegex`` goes through :func:`~pulumi_smi.meshes.paths.smi_path`, which
keeps exactly what SMI matches. gRPC routes match ``serviceName``/``methodName`` and
metadata instead: a path is translated only when it is exactly ``/Service/Method`` or the
prefix ``/Service/``.
"""

from __future__ import annotations

from typing import Any

from ...spec.models import HTTPMatch
from ..paths import Match, escape, smi_header, smi_path
from .options import MAX_HEADER_NAME, MAX_HEADERS, MAX_MATCH_VALUE


class Unmatchable(ValueError):
    """An SMI match App Mesh cannot express exactly (the text says why)."""


def _header_match(match: Match) -> dict[str, str]:
    if match.kind == "present":
        return {"regex": ".*"}
    if match.kind == "exact" and not match.value:
        return {"regex": "^$"}  # App Mesh values are 1-255 characters
    kind = match.kind if match.kind in ("exact", "prefix", "suffix", "regex") else "regex"
    if not match.value:  # '' prefix/suffix: any value
        return {"regex": ".*"}
    return {kind: match.value}


def _headers(match: HTTPMatch) -> list[dict[str, Any]]:
    if len(match.headers) > MAX_HEADERS:
        raise Unmatchable(
            f"{len(match.headers)} headers; an App Mesh route matches at most {MAX_HEADERS}"
        )
    headers = []
    for name, value in match.headers.items():
        if len(name) > MAX_HEADER_NAME:
            raise Unmatchable(f"header name {name!r} is longer than {MAX_HEADER_NAME} characters")
        spec = _header_match(smi_header(value))
        if len(next(iter(spec.values()))) > MAX_MATCH_VALUE:
            raise Unmatchable(f"header {name!r}: the value match exceeds {MAX_MATCH_VALUE} chars")
        headers.append({"name": name, "match": spec})
    return headers


def http_match(match: HTTPMatch, method: str | None) -> dict[str, Any]:
    """The ``httpRoute.match`` of one SMI match and one method (None: any method)."""
    path = smi_path(match.path_regex)
    request: dict[str, Any] = {}
    if path.kind == "any":
        request["prefix"] = "/"
    elif path.kind == "prefix" and path.value.startswith("/"):
        request["prefix"] = path.value
    elif path.kind == "prefix":  # never matches a real path; say so exactly anyway
        request["path"] = {"regex": f"{escape(path.value)}.*"}
    else:
        request["path"] = {path.kind: path.value}
    for value in request.get("path", {}).values():
        if len(value) > MAX_MATCH_VALUE:
            raise Unmatchable(f"the path match has more than {MAX_MATCH_VALUE} characters")
    if match.headers:
        request["headers"] = _headers(match)
    if method is not None:
        request["method"] = method
    return request


def grpc_match(match: HTTPMatch) -> dict[str, Any]:
    """The ``grpcRoute.match`` of one SMI match (gRPC is always POST)."""
    if not match.any_method and "POST" not in match.methods:
        raise Unmatchable("gRPC requests are POST, so this match never applies")
    request: dict[str, Any] = {}
    path = smi_path(match.path_regex)
    parts = path.value.split("/")
    if path.kind == "exact" and len(parts) == 3 and not parts[0] and all(parts[1:]):
        request.update(serviceName=parts[1], methodName=parts[2])
    elif path.kind == "prefix" and len(parts) == 3 and not parts[0] and parts[1] and not parts[2]:
        request["serviceName"] = parts[1]
    elif path.kind != "any":
        raise Unmatchable(
            f"pathRegex {match.path_regex!r} is not '/Service/Method' or '/Service/.*', "
            "which is all an App Mesh gRPC route can match"
        )
    if match.headers:
        request["metadatas"] = _headers(match)
    return request
