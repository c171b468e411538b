"""Read multi-document YAML (SMI objects of any version, Kubernetes workloads).

Every problem is reported as ``FILE: document N (Kind/name): field.path: what is
wrong``, all problems of all files at once, and nothing is returned when there is
any: invalid input never produces a partial result.
"""

from __future__ import annotations

import sys
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import Problem, SmiValidationError, raise_if_any
from .catalogue import (
    Catalogue,
    Service,
    ServiceAccount,
    Workload,
    pod_paths,
    rollout_workload_ref,
    service_from_manifest,
    workload_from_manifest,
)
from .models import SMI_KINDS, FieldError, SmiObject
from .shape import ShapeError, mapping
from .specset import Origin, SpecSet
from .versions import CONVERTERS, SERVED_VERSIONS

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_WORKLOAD_KINDS = {
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "ReplicaSet": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
    "Pod": "v1",
    "Rollout": "argoproj.io/v1alpha1",
}
"""The workload kinds the catalogue reads, with the apiVersion it reads each in."""

# Where the fields of the catalogue models sit in the Kubernetes manifests.
_SERVICE_PATHS = {
    "name": "metadata.name",
    "namespace": "metadata.namespace",
    "ports": "spec.ports",
    "selector": "spec.selector",
}


def _workload_paths(kind: str) -> dict[str, str]:
    """Where the :class:`Workload` fields sit in a manifest of workload ``kind``."""
    metadata, spec = pod_paths(kind)
    return {
        "name": "metadata.name",
        "namespace": "metadata.namespace",
        "pod_labels": f"{metadata}.labels",
        "service_account_name": f"{spec}.serviceAccountName",
        "container_ports": f"{spec}.containers",
        "tcp_ports": f"{spec}.containers",
        "probes": f"{spec}.containers",
    }


class _StrictLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """A safe loader that rejects duplicate keys instead of keeping the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # '<<' merge keys: explicit keys may override merged ones
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


M = TypeVar("M", bound=BaseModel)
Document = tuple[str, int, Any]
"""(source, 1-based document number, parsed YAML)."""


def read_documents(text: str, source: str) -> list[Document]:
    """Parse a YAML stream; a syntax error becomes an :class:`SmiValidationError`."""
    documents: list[Document] = []
    try:
        for number, doc in enumerate(yaml.load_all(text, Loader=_StrictLoader), start=1):
            documents.append((source, number, doc))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise SmiValidationError(
            [Problem(f"YAML syntax error{where}: {reason}", source, len(documents) + 1)]
        ) from None
    except ValueError as exc:  # a scalar YAML accepts but Python cannot hold (huge integers)
        raise SmiValidationError(
            [Problem(f"invalid YAML value: {exc}", source, len(documents) + 1)]
        ) from None
    return documents


def load_files(paths: Iterable[str | Path]) -> SpecSet:
    """Load SMI objects and catalogue documents from YAML files (``-`` is stdin).

    Problems of every file are reported together, even when one file does not parse.
    """
    sources = [str(path) for path in paths]
    documents: list[Document] = []
    problems: list[Problem] = []
    for source in sources:
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
            documents.extend(read_documents(text, source))
        except OSError as exc:
            problems.append(Problem(f"cannot read file: {exc.strerror or exc}", source))
        except UnicodeDecodeError as exc:
            problems.append(Problem(f"not UTF-8 text: {exc.reason}", source))
        except SmiValidationError as exc:
            problems.extend(exc.problems)
    try:
        specs = load_documents(documents)
    except SmiValidationError as exc:
        problems.extend(exc.problems)
    order = {source: index for index, source in enumerate(sources)}
    raise_if_any(sorted(problems, key=lambda p: order.get(p.source, len(order))))
    return specs


def load_text(text: str, source: str = "<input>") -> SpecSet:
    """Load SMI objects and catalogue documents from a YAML string."""
    return load_documents(read_documents(text, source))


def load_documents(documents: Iterable[Document], catalogue: Catalogue | None = None) -> SpecSet:
    """Validate parsed documents into a :class:`SpecSet` (``catalogue`` is merged in)."""
    objects: list[SmiObject] = []
    origins: dict[Any, Origin] = {}
    services: list[Service] = []
    accounts: list[ServiceAccount] = []
    workloads: list[Workload] = []
    refs: list[_WorkloadRef] = []
    seen: set[tuple[Any, str, Any]] = set()
    warnings: list[str] = []
    problems: list[Problem] = []
    for source, number, doc in documents:
        if doc is None:
            continue
        where = _Where(source, number, doc)
        if not isinstance(doc, dict):
            problems.append(
                where.problem("", f"a document must be a mapping, got {type(doc).__name__}")
            )
            continue
        api_version, kind = doc.get("apiVersion"), doc.get("kind")
        if not isinstance(api_version, str) or not api_version:
            problems.append(where.problem("apiVersion", "required string is missing"))
            continue
        if not isinstance(kind, str) or not kind:
            problems.append(where.problem("kind", "required string is missing"))
            continue
        group, _, version = api_version.rpartition("/")
        if api_version in SERVED_VERSIONS:
            problems.append(where.problem("apiVersion", f"needs a version: {api_version}/VERSION"))
            continue
        try:
            if group in SERVED_VERSIONS:
                _load_smi(doc, group, version, where, objects, origins, problems)
            elif api_version == "v1" and kind == "Service":
                data = service_from_manifest(doc)
                where.validate(Service, data, _SERVICE_PATHS, services, problems)
            elif api_version == "v1" and kind == "ServiceAccount":
                where.validate(ServiceAccount, _metadata(doc), _SERVICE_PATHS, accounts, problems)
            elif _WORKLOAD_KINDS.get(kind) == api_version:
                seen.add(_raw_key(doc))
                ref = rollout_workload_ref(doc)
                if ref is None:
                    data = workload_from_manifest(doc)
                    where.validate(Workload, data, _workload_paths(kind), workloads, problems)
                else:
                    refs.append(_WorkloadRef(len(problems), where, doc, *ref))
            else:
                skipped = f"skipped: {api_version} {kind} is not read by pulumi-smi"
                if kind in _WORKLOAD_KINDS:
                    skipped += f" (it reads {_WORKLOAD_KINDS[kind]} {kind})"
                warnings.append(str(where.problem("", skipped)))
        except ShapeError as exc:
            problems.append(where.problem(exc.path, exc.message))
    known: dict[tuple[str, str, str], Workload] = {
        (w.namespace, w.kind, w.name): w for w in (catalogue or Catalogue()).workloads
    }
    known.update({(w.namespace, w.kind, w.name): w for w in workloads})
    for pending in reversed(refs):  # its problems go where its document's would
        problems[pending.index : pending.index] = pending.resolve(known, seen, workloads)
    raise_if_any(problems)
    found = Catalogue(
        services=tuple(services), service_accounts=tuple(accounts), workloads=tuple(workloads)
    )
    merged = (catalogue or Catalogue()).merged(found)
    return SpecSet.build(objects, merged, origins, warnings)


def _raw_key(doc: Mapping[str, Any]) -> tuple[Any, str, Any]:
    """(namespace, kind, name) of a workload document, as written (even when invalid)."""
    metadata = doc.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    return metadata.get("namespace", "default"), str(doc.get("kind")), metadata.get("name")


class _WorkloadRef:
    """An Argo Rollout whose pods are those of the workload its ``spec.workloadRef`` names."""

    def __init__(self, index: int, where: _Where, doc: Mapping[str, Any], kind: str, name: str):
        self.index, self.where, self.doc, self.kind, self.name = index, where, doc, kind, name

    def resolve(
        self,
        known: Mapping[tuple[str, str, str], Workload],
        seen: set[tuple[Any, str, Any]],
        into: list[Workload],
    ) -> list[Problem]:
        """Add the Rollout's :class:`Workload` to ``into``; the problems (none when added)."""
        namespace, _, rollout = _raw_key(self.doc)
        target = known.get((namespace, self.kind, self.name))
        if target is None:
            if (namespace, self.kind, self.name) in seen:
                return []  # that workload's own document is invalid: its problems say why
            return [
                self.where.problem(
                    "spec.workloadRef.name",
                    f"{self.kind} {namespace}/{self.name} is not in the input: the Rollout "
                    f"runs the pod template of that {self.kind}, so pass its manifest too "
                    "(pulumi-smi needs the pods' labels, ServiceAccount and ports)",
                )
            ]
        problems: list[Problem] = []
        data = {**target.model_dump(), "kind": "Rollout", "name": rollout, "namespace": namespace}
        self.where.validate(Workload, data, _workload_paths("Rollout"), into, problems)
        return problems


def validate_model(model: type[M], data: Any, source: str, kind: str | None = None) -> M:
    """Validate ``data`` as ``model``; problems name ``source`` and the field paths."""
    problems: list[Problem] = []
    into: list[M] = []
    name = data.get("metadata", {}).get("name") if isinstance(data, dict) else None
    where = _Where(source, None, {"kind": kind, "metadata": {"name": name}})
    where.validate(model, data, {}, into, problems)
    raise_if_any(problems)
    return into[0]


def _metadata(doc: Mapping[str, Any]) -> dict[str, Any]:
    metadata = mapping(doc.get("metadata"), "metadata")
    return {"name": metadata.get("name"), "namespace": metadata.get("namespace", "default")}


def _load_smi(
    doc: dict[str, Any],
    group: str,
    version: str,
    where: _Where,
    objects: list[SmiObject],
    origins: dict[Any, Origin],
    problems: list[Problem],
) -> None:
    kinds = SERVED_VERSIONS[group]
    if where.kind not in kinds:
        problems.append(
            where.problem("kind", f"{group} has no kind {where.kind!r} (known: {', '.join(kinds)})")
        )
        return
    if version not in kinds[where.kind]:
        served = ", ".join(f"{group}/{v}" for v in kinds[where.kind])
        problems.append(
            where.problem("apiVersion", f"unknown version of {where.kind} (served: {served})")
        )
        return
    validated: list[SmiObject] = []
    for kind, body in CONVERTERS[where.kind](doc, version):
        where.validate(SMI_KINDS[kind], body, {}, validated, problems)
    for obj in validated:
        first = origins.get(obj.key)
        if first is not None:
            at = f"{first.source}: document {first.document}"
            problems.append(
                where.problem("metadata.name", f"duplicate {obj.KIND} (first defined in {at})")
            )
            continue
        origins[obj.key] = Origin(where.source, where.number)
        objects.append(obj)


class _Where:
    """The location of one document, for building problems."""

    def __init__(self, source: str, number: int | None, doc: Any) -> None:
        self.source, self.number = source, number
        self.kind = doc.get("kind") if isinstance(doc, dict) else None
        metadata = doc.get("metadata") if isinstance(doc, dict) else None
        self.name = metadata.get("name") if isinstance(metadata, dict) else None

    def problem(self, path: str, message: str) -> Problem:
        kind = self.kind if isinstance(self.kind, str) else None
        name = self.name if isinstance(self.name, str) else None
        return Problem(message, self.source, self.number, kind, name, path)

    def validate(
        self,
        model: type[BaseModel],
        data: Any,
        paths: Mapping[str, str],
        into: list[Any],
        problems: list[Problem],
    ) -> None:
        try:
            into.append(model.model_validate(data))
        except ValidationError as exc:
            errors = exc.errors()
            for error in errors:
                if error["type"] == "too_short" and _has_nested(error["loc"], errors):
                    continue  # the items themselves were invalid: report those only
                path = _path(error["loc"], paths)
                cause = (error.get("ctx") or {}).get("error")
                if isinstance(cause, FieldError):
                    path = f"{path}{cause.subpath}" if path else cause.subpath.lstrip(".")
                problems.append(self.problem(path, _message(error)))


def _has_nested(loc: tuple[int | str, ...], errors: list[Any]) -> bool:
    return any(len(e["loc"]) > len(loc) and e["loc"][: len(loc)] == loc for e in errors)


def _path(loc: tuple[int | str, ...], paths: Mapping[str, str]) -> str:
    path = ""
    for index, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            part = paths.get(part, part) if index == 0 else part
            path += f".{part}" if path else part
    return path


def _message(error: Mapping[str, Any]) -> str:
    kind, message = error["type"], str(error["msg"])
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    value = error.get("input")
    if isinstance(value, (str, int, float, bool)):
        hint = "; quote it in YAML to make it a string" if kind == "string_type" else ""
        return f"{message}, got {value!r}{hint}"
    return message
