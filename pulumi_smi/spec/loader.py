"""Read multi-document YAML (SMI objects of any version, Kubernetes workloads).

Every problem is reported as ``FILE: document N (Kind/name): field.path: what is
wrong``, all problems of all files at once, and nothing is returned when there is
any: invalid input never produces a partial result.
"""

from __future__ import annotations

import functools
import gc
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import Problem, SmiValidationError, raise_if_any, shown
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
from .models import SMI_KINDS, FieldError, ObjectKey, SmiObject
from .objectives import ANNOTATIONS as SLO_ANNOTATIONS
from .remote import ANNOTATIONS
from .shape import ShapeError, mapping
from .specset import Origin, SpecSet
from .versions import CONVERTERS, SERVED_VERSIONS, user_path
from .yaml_reader import Document, read_documents

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
    "remote.host": "spec.externalName",
    "remote": "spec.externalName",
    **{f"remote.{field}": f"metadata.annotations.{key}" for key, field in ANNOTATIONS.items()},
    **{f"slo.{field}": f"metadata.annotations.{key}" for key, field in SLO_ANNOTATIONS.items()},
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


M = TypeVar("M", bound=BaseModel)


def load_files(paths: Iterable[str | Path]) -> SpecSet:
    """Load SMI objects and catalogue documents from YAML files (``-`` is stdin).

    Problems of every file are reported together, even when one file does not parse.
    """
    with no_cycle_collection():
        return _load_files([str(path) for path in paths])


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """No cyclic garbage collection inside (as it was outside, after).

    Loading allocates a container per YAML node and a model per document, all kept, none in
    a reference cycle: the collector's passes over the growing heap (a third of the time on
    a large estate) would find nothing to free. Reference counting still frees everything.
    ``convert`` translates and prints under it too: the plan is kept as well, and each pass
    would walk the loaded estate again (a third of a translation's time).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_files(sources: list[str]) -> SpecSet:
    """:func:`load_files` of the paths ``sources``."""
    documents: list[Document] = []
    problems: list[Problem] = []
    for source in sources:
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
            documents.extend(read_documents(text, source))
        except OSError as exc:
            problems.append(Problem(f"cannot read file: {exc.strerror or exc}", source))
        except UnicodeDecodeError as exc:
            line = exc.object[: exc.start].count(b"\n") + 1
            problems.append(Problem(f"not UTF-8 text at line {line}: {exc.reason}", source))
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
    """Validate parsed documents into a :class:`SpecSet` (``catalogue`` is merged in).

    ``documents`` are :class:`~pulumi_smi.spec.yaml_reader.Document` tuples (or plain
    ``(source, number, data)`` triples).
    """
    objects: list[SmiObject] = []
    origins: dict[Any, Origin] = {}
    services: list[Service] = []
    accounts: list[ServiceAccount] = []
    workloads: list[Workload] = []
    refs: list[_WorkloadRef] = []
    seen: set[tuple[Any, str, Any]] = set()
    warnings: list[str] = []
    problems: list[Problem] = []
    for document in documents:
        document = Document(*document)
        doc = document.data
        if doc is None:
            continue
        where = _Where(document.source, document.number, doc)
        if not isinstance(doc, dict):
            at = f" (the document at line {document.line})" if document.line else ""
            problems.append(
                where.problem("", f"a document must be a mapping, got {type(doc).__name__}{at}")
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
        catalogued = _CATALOGUE_KINDS.get((api_version, kind))
        if (group in SERVED_VERSIONS or catalogued) and document.bad_keys:
            problems.extend(where.problem(bad.path, bad.message) for bad in document.bad_keys)
            continue
        try:
            if group in SERVED_VERSIONS:
                _load_smi(doc, group, version, where, objects, origins, problems)
            elif kind == "Service" and catalogued:
                data = service_from_manifest(doc)
                if where.validate(Service, data, _SERVICE_PATHS, services, problems):
                    _catalogued(services, "Service", where, origins, problems)
            elif kind == "ServiceAccount" and catalogued:
                data = _metadata(doc)
                if where.validate(ServiceAccount, data, _SERVICE_PATHS, accounts, problems):
                    _catalogued(accounts, "ServiceAccount", where, origins, problems)
            elif catalogued:
                seen.add(_raw_key(doc))
                ref = rollout_workload_ref(doc)
                if ref is None:
                    data = workload_from_manifest(doc)
                    if where.validate(Workload, data, _workload_paths(kind), workloads, problems):
                        _catalogued(workloads, kind, where, origins, problems)
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
        before = len(workloads)
        resolved = pending.resolve(known, seen, workloads)
        if len(workloads) > before:
            _catalogued(workloads, "Rollout", pending.where, origins, resolved)
        problems[pending.index : pending.index] = resolved
    raise_if_any(problems)
    found = Catalogue(
        services=tuple(services), service_accounts=tuple(accounts), workloads=tuple(workloads)
    )
    merged = (catalogue or Catalogue()).merged(found)
    return SpecSet.build(objects, merged, origins, warnings)


_CATALOGUE_KINDS: dict[tuple[str, str], bool] = {
    ("v1", "Service"): True,
    ("v1", "ServiceAccount"): True,
    **{(api_version, kind): True for kind, api_version in _WORKLOAD_KINDS.items()},
}
"""The (apiVersion, kind) of the Kubernetes documents the catalogue reads."""


def _catalogued(
    into: list[Any],
    kind: str,
    where: _Where,
    origins: dict[Any, Origin],
    problems: list[Problem],
) -> None:
    """Record the origin of the entry just added to ``into``; a second document of the same
    kind, namespace and name is a problem, and its entry is dropped."""
    entry = into[-1]
    key = ObjectKey(kind, entry.namespace, entry.name)
    if _first_definition(key, where, origins, problems):
        into.pop()


def _first_definition(
    key: ObjectKey, where: _Where, origins: dict[Any, Origin], problems: list[Problem]
) -> bool:
    """Whether ``key`` was defined before (then a problem says where); else record it here."""
    first = origins.get(key)
    if first is not None:
        at = f"{first.source}: document {first.document}"
        problems.append(
            where.problem("metadata.name", f"duplicate {key.kind} (first defined in {at})")
        )
        return True
    origins[key] = Origin(where.source, where.number, where.written_as)
    return False


def _raw_key(doc: Mapping[str, Any]) -> tuple[Any, str, Any]:
    """(namespace, kind, name) of a workload document, as written (even when invalid).

    A namespace or name that is not a string (so not hashable, maybe) stands as None.
    """
    metadata = doc.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    namespace, name = metadata.get("namespace", "default"), metadata.get("name")
    return (
        namespace if isinstance(namespace, str) else None,
        str(doc.get("kind")),
        name if isinstance(name, str) else None,
    )


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
            where.problem(
                "kind", f"{group} has no kind {shown(where.kind)} (known: {', '.join(kinds)})"
            )
        )
        return
    if version not in kinds[where.kind]:
        served = ", ".join(f"{group}/{v}" for v in kinds[where.kind])
        problems.append(
            where.problem("apiVersion", f"unknown version of {where.kind} (served: {served})")
        )
        return
    validated: list[SmiObject] = []
    where.written_as = (f"{group}/{version}", where.kind)
    for kind, body in CONVERTERS[where.kind](doc, version):
        rewrite = functools.partial(user_path, f"{group}/{version}", where.kind, kind)
        where.validate(SMI_KINDS[kind], body, {}, validated, problems, rewrite)
    for obj in validated:
        if not _first_definition(obj.key, where, origins, problems):
            objects.append(obj)


class _Where:
    """The location of one document, for building problems."""

    def __init__(self, source: str, number: int | None, doc: Any) -> None:
        self.source, self.number = source, number
        self.kind = doc.get("kind") if isinstance(doc, dict) else None
        metadata = doc.get("metadata") if isinstance(doc, dict) else None
        self.name = metadata.get("name") if isinstance(metadata, dict) else None
        self.written_as: tuple[str, str] | None = None
        """(apiVersion, kind) of an SMI document (:func:`~.versions.user_path`)."""

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
        rewrite: Callable[[str], str] | None = None,
    ) -> bool:
        """Validate ``data`` as ``model`` into ``into``; whether it was valid.

        Each error becomes a problem at its field path: ``paths`` renames the top-level
        fields, ``rewrite`` maps a whole path (to where an older version keeps the field).
        """
        try:
            into.append(model.model_validate(data))
            return True
        except ValidationError as exc:
            errors = exc.errors()
            reported: set[tuple[str, str]] = set()
            for error in errors:
                if error["type"] == "too_short" and _has_nested(error["loc"], errors):
                    continue  # the items themselves were invalid: report those only
                path = _path(error["loc"], paths)
                cause = (error.get("ctx") or {}).get("error")
                if isinstance(cause, FieldError):
                    path = f"{path}{cause.subpath}" if path else cause.subpath.lstrip(".")
                if rewrite is not None:
                    path = rewrite(path)
                message = _message(error)
                if (path, message) not in reported:
                    reported.add((path, message))
                    problems.append(self.problem(path, message))
            return False


def _has_nested(loc: tuple[int | str, ...], errors: list[Any]) -> bool:
    return any(len(e["loc"]) > len(loc) and e["loc"][: len(loc)] == loc for e in errors)


_PYDANTIC_STEP = re.compile(r"^(\[key\]|function-[a-z]+\[.*\]|[a-z-]+\[.*\])$")
"""Steps pydantic adds to an error location that are not fields (``[key]``, union tags)."""


_ANNOTATION_PATHS = {
    f"metadata.slo.{field}": f"metadata.annotations.{key}" for key, field in SLO_ANNOTATIONS.items()
}
"""Where an SMI object's fields read from annotations are written."""


def _path(loc: tuple[int | str, ...], paths: Mapping[str, str]) -> str:
    """The user's field path of a pydantic error location; ``paths`` renames its first part,
    or its first two (``remote.host`` -> ``spec.externalName``)."""
    if len(loc) > 1 and f"{loc[0]}.{loc[1]}" in paths:
        loc = (paths[f"{loc[0]}.{loc[1]}"], *loc[2:])
    path = ""
    for index, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
        elif not _PYDANTIC_STEP.match(part):
            part = paths.get(part, part) if index == 0 else part
            path += f".{part}" if path else part
    return _ANNOTATION_PATHS.get(path, path)


def _message(error: Mapping[str, Any]) -> str:
    kind, message = error["type"], str(error["msg"])
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    value = error.get("input")
    if kind in ("model_type", "model_attributes_type"):  # no model class names
        return f"must be a mapping, got {type(value).__name__}"
    if kind in ("tuple_type", "list_type"):
        return f"must be a list, got {type(value).__name__}"
    if isinstance(value, (str, int, float, bool)):
        hint = "; quote it in YAML to make it a string" if kind == "string_type" else ""
        return f"{message}, got {shown(value)}{hint}"
    if value is None or isinstance(value, (list, dict)):
        return f"{message}, got {type(value).__name__}"
    return message
