"""Validate emitted Kubernetes objects against the CRD schemas committed in ``sdk_tests/schemas``.

The schemas are the CRDs' ``openAPIV3Schema`` (extracted by ``tools/extract_schemas.py``),
converted once per kind (cached) into a JSON Schema Draft 7 document, which is the closest draft
to OpenAPI v3.0's schema object (``items`` is a single schema, no boolean ``exclusiveMinimum``
occurs in the CRDs):

* ``nullable: true`` adds ``null`` to ``type`` (and ``enum``); without it ``null`` is an error;
* ``x-kubernetes-int-or-string: true`` means ``type: [integer, string]``;
* ``integer`` is strict: ``1.0`` is not an integer, nor is ``True``;
* ``x-kubernetes-list-type: set`` means ``uniqueItems``; ``map`` rejects two items with the same
  ``x-kubernetes-list-map-keys`` (the API server rejects both);
* every object node (``type: object`` or with ``properties``) that has neither
  ``additionalProperties`` nor ``x-kubernetes-preserve-unknown-fields: true`` is closed
  (``additionalProperties: false``): Kubernetes would silently prune an undeclared field, which
  for a generator is a bug. Subschemas under anyOf/oneOf/allOf/not are left open (they only carry
  ``required``/value checks in structural schemas);
* top level: only ``apiVersion``, ``kind``, ``metadata`` and ``spec`` (if the CRD has one); we
  never emit ``status``. ``metadata`` is checked here, not by the CRD: only name (DNS-1123
  subdomain), namespace (DNS-1123 label), labels and annotations (string -> string maps, with valid
  keys; label values valid too).

CEL: after the structural checks pass, the CRD's defaults are applied and its
``x-kubernetes-validations`` rules are evaluated (:mod:`cel_check`; all 741 rules of the extracted
schemas compile with cel-python). NOT covered: ``format`` (ignored).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from cel_check import cel_problems, with_defaults
from jsonschema import Draft7Validator, ValidationError, validators  # type: ignore[import-untyped]

SCHEMAS = Path(__file__).resolve().parent / "schemas"
_JUNCTORS = ("anyOf", "oneOf", "allOf")
_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS_LABEL = re.compile(_LABEL)
_DNS_SUBDOMAIN = re.compile(rf"{_LABEL}(\.{_LABEL})*")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_MAX_MESSAGE = 300


class SchemaViolation(AssertionError):
    """A manifest that Kubernetes would reject, prune, or that we cannot validate."""


def _unique_map_keys(validator: Any, keys: list[str], instance: Any, schema: Any) -> Iterator[Any]:
    """``x-kubernetes-list-map-keys``: items of a ``map`` list must have distinct keys."""
    if schema.get("x-kubernetes-list-type") != "map" or not isinstance(instance, list):
        return
    seen: set[str] = set()
    for i, item in enumerate(instance):
        if isinstance(item, dict):
            key = json.dumps([item.get(k) for k in keys], sort_keys=True)
            if key in seen:
                yield ValidationError(f"duplicate entry for list-map keys {keys}", path=[i])
            seen.add(key)


def _is_strict_integer(_checker: Any, instance: object) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


_Validator: Any = validators.extend(
    Draft7Validator,
    validators={"x-kubernetes-list-map-keys": _unique_map_keys},
    type_checker=Draft7Validator.TYPE_CHECKER.redefine("integer", _is_strict_integer),
)


def _convert(node: Any, structural: bool = True) -> Any:
    """Return the Draft 7 equivalent of an OpenAPI v3 structural schema node (a new object)."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: _convert(sub, structural) for name, sub in value.items()}
        elif key in ("items", "additionalProperties"):
            out[key] = _convert(value, structural)
        elif key in _JUNCTORS:
            out[key] = [_convert(sub, False) for sub in value]
        elif key == "not":
            out[key] = _convert(value, False)
        else:  # keywords whose value is data (enum, default, ...) are copied unchanged
            out[key] = value
    if out.get("x-kubernetes-int-or-string") and "type" not in out:
        out["type"] = ["integer", "string"]
    if out.get("nullable"):
        if "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*types, "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    if out.get("x-kubernetes-list-type") == "set":
        out["uniqueItems"] = True
    is_object = out.get("type") == "object" or "properties" in out
    open_ = "additionalProperties" in out or out.get("x-kubernetes-preserve-unknown-fields")
    if structural and is_object and not open_:
        out["additionalProperties"] = False
    return out


@functools.cache
def _index() -> dict[tuple[str | None, str, str], str]:
    """Map (root, apiVersion, kind) to the schema file, from INDEX.json."""
    with (SCHEMAS / "INDEX.json").open(encoding="utf-8") as f:
        entries: dict[str, Any] = json.load(f)["schemas"]
    return {(e["root"], e["apiVersion"], e["kind"]): rel for rel, e in entries.items()}


@functools.cache
def _load(api_version: str, kind: str, root: str | None) -> tuple[dict[str, Any], Any]:
    """Return the converted schema of a kind and its (cached) validator."""
    rel = _index().get((root, api_version, kind))
    if rel is None:
        where = f"schema root {root!r}" if root else "sdk_tests/schemas"
        raise SchemaViolation(
            f"no schema for apiVersion={api_version!r} kind={kind!r} in {where}; "
            "add the kind to tools/extract_schemas.py (we never emit what we cannot validate)"
        )
    with (SCHEMAS / rel).open(encoding="utf-8") as f:
        schema = _convert(json.load(f))
    props = schema.get("properties", {})
    schema["properties"] = {
        "apiVersion": {"const": api_version},
        "kind": {"const": kind},
        "metadata": {},  # checked by _metadata_problems
        **({"spec": props["spec"]} if "spec" in props else {}),
    }
    required = {"apiVersion", "kind", *schema.get("required", [])}
    schema["required"] = sorted(required & set(schema["properties"]))
    schema["additionalProperties"] = False
    _Validator.check_schema(schema)
    return schema, _Validator(schema)


@functools.cache
def _raw(api_version: str, kind: str, root: str | None) -> dict[str, Any]:
    """The kind's schema as extracted (CEL rules and defaults included)."""
    rel = _index()[(root, api_version, kind)]
    with (SCHEMAS / rel).open(encoding="utf-8") as f:
        raw: dict[str, Any] = json.load(f)
    return raw


def schema_for(api_version: str, kind: str, *, root: str | None = None) -> dict[str, Any]:
    """Return the (converted, cached; do not mutate) JSON schema for ``apiVersion``/``kind``.

    ``root`` selects an alternative schema set, e.g. ``"gateway-api-v1.2.1"``. Raises
    SchemaViolation when there is no such schema.
    """
    return _load(api_version, kind, root)[0]


def _map_problems(value: Any, path: str, *, label_values: bool) -> Iterator[tuple[str, str]]:
    if not isinstance(value, Mapping):
        yield path, f"must be a map of string to string, got {type(value).__name__}"
        return
    for key, val in value.items():
        if not isinstance(key, str) or not isinstance(val, str):
            yield f"{path}[{key!r}]", "keys and values must be strings"
            continue
        # The API server checks annotation keys lower-cased (ValidateAnnotations), label keys as is.
        prefix, _, name = (key if label_values else key.lower()).rpartition("/")
        if not _QUALIFIED_NAME.fullmatch(name) or len(name) > 63:
            yield f"{path}[{key!r}]", "invalid key (name part: [A-Za-z0-9-_.], at most 63)"
        elif prefix and (not _DNS_SUBDOMAIN.fullmatch(prefix) or len(prefix) > 253):
            yield f"{path}[{key!r}]", "invalid key prefix (must be a DNS-1123 subdomain)"
        if label_values and val and (len(val) > 63 or not _QUALIFIED_NAME.fullmatch(val)):
            yield f"{path}[{key!r}]", f"invalid label value {val!r}"


def _metadata_problems(metadata: Any) -> Iterator[tuple[str, str]]:
    if not isinstance(metadata, Mapping):
        yield "$.metadata", "metadata is missing or not an object"
        return
    for key in sorted(set(metadata) - {"name", "namespace", "labels", "annotations"}, key=str):
        yield (
            f"$.metadata.{key}",
            "unexpected metadata field (only name/namespace/labels/annotations)",
        )
    name = metadata.get("name")
    if not isinstance(name, str) or len(name) > 253 or not _DNS_SUBDOMAIN.fullmatch(name):
        yield "$.metadata.name", f"{name!r} is not a DNS-1123 subdomain (lowercase, at most 253)"
    namespace = metadata.get("namespace", "default")
    if not isinstance(namespace, str) or len(namespace) > 63 or not _DNS_LABEL.fullmatch(namespace):
        yield "$.metadata.namespace", f"{namespace!r} is not a DNS-1123 label (at most 63)"
    if "labels" in metadata:
        yield from _map_problems(metadata["labels"], "$.metadata.labels", label_values=True)
    if "annotations" in metadata:
        yield from _map_problems(
            metadata["annotations"], "$.metadata.annotations", label_values=False
        )


def _schema_problems(error: Any) -> Iterator[tuple[str, str]]:
    """Turn one jsonschema error into (JSON path, message) lines, naming the offending field."""
    path: str = error.json_path
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        for extra in sorted(set(error.instance) - set(error.schema.get("properties", {}))):
            yield (
                f"{path}.{extra}",
                "unknown field (not in the CRD schema; Kubernetes would prune it)",
            )
    elif error.validator == "required" and isinstance(error.instance, dict):
        for missing in error.validator_value:
            if missing not in error.instance:
                yield f"{path}.{missing}", "required field is missing"
    else:
        message: str = error.message
        if len(message) > _MAX_MESSAGE:
            message = message[: _MAX_MESSAGE - 3] + "..."
        yield path, message


def _describe(manifest: Mapping[str, Any]) -> str:
    metadata = manifest.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    namespace = f"{metadata['namespace']}/" if "namespace" in metadata else ""
    name = metadata.get("name", "<no name>")
    return f"{manifest.get('kind')} {namespace}{name} ({manifest.get('apiVersion')})"


def validate_manifest(manifest: Mapping[str, Any], *, root: str | None = None) -> None:
    """Raise SchemaViolation unless ``manifest`` is valid for its kind's CRD schema.

    The manifest is first round-tripped through JSON (what the API server receives). The error
    names kind, namespace/name and lists one ``$.json.path: problem`` line per error.
    """
    if not isinstance(manifest, Mapping):
        raise SchemaViolation(f"a manifest must be a mapping, got {type(manifest).__name__}")
    try:
        instance = json.loads(json.dumps(manifest, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise SchemaViolation(f"{_describe(manifest)}: not JSON-serialisable: {exc}") from None
    api_version, kind = instance.get("apiVersion"), instance.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        raise SchemaViolation(f"{_describe(manifest)}: apiVersion and kind must be strings")
    try:
        _load(api_version, kind, root)
    except SchemaViolation as exc:
        raise SchemaViolation(f"{_describe(manifest)}: {exc}") from None
    problems = _problems(json.dumps(instance, sort_keys=True), root)
    if problems:
        lines = "".join(f"\n  {path}: {message}" for path, message in sorted(problems))
        raise SchemaViolation(f"{_describe(manifest)} violates its schema:{lines}")


@functools.lru_cache(maxsize=4096)
def _problems(text: str, root: str | None) -> frozenset[tuple[str, str]]:
    """Every problem of one manifest (as JSON text: identical manifests are checked once)."""
    instance = json.loads(text)
    api_version, kind = instance["apiVersion"], instance["kind"]
    problems = set(_metadata_problems(instance.get("metadata")))
    for error in _load(api_version, kind, root)[1].iter_errors(instance):
        problems.update(_schema_problems(error))
    if not problems:  # CEL rules assume a structurally valid, defaulted object
        raw = _raw(api_version, kind, root)
        problems.update(cel_problems(raw, with_defaults(raw, instance), "$"))
    return frozenset(problems)


def validate_manifests(manifests: Iterable[Mapping[str, Any]], *, root: str | None = None) -> None:
    """Validate every manifest; raise one SchemaViolation listing all failing manifests."""
    failures: list[str] = []
    for manifest in manifests:
        try:
            validate_manifest(manifest, root=root)
        except SchemaViolation as exc:
            failures.append(str(exc))
    if failures:
        raise SchemaViolation(f"{len(failures)} invalid manifest(s):\n" + "\n".join(failures))
