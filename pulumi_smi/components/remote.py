"""Backends served by another mesh of the program, or by any host: ``smi.Backend(mesh=, host=)``.

On the split's meshes such a backend is the Service standing for it, ``<service>-<mesh>`` (or
``service`` itself with ``host`` alone): a catalogue Service with a :class:`Remote` at the host,
which the pure translators reach as they reach any remote backend. A host that is a Pulumi
Output is translated as a placeholder name (valid DNS, never resolvable: ``.invalid``), put
back as the Output in the planned properties; the names of the planned resources never depend
on it, so a changing host updates, and a weight move shows as weight updates only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from ..errors import Problem, SmiValidationError
from ..meshes import MeshKind
from ..plan import Plan, PlanWarning, Resource
from ..spec.catalogue import Catalogue, Service
from ..spec.remote import Remote
from .args import Backend
from .mesh import Mesh

PLACEHOLDER_DOMAIN = "remote.pulumi-smi.invalid"


def remote_catalogue(
    backends: Sequence[Backend], namespace: str, source: str
) -> tuple[Catalogue, dict[str, pulumi.Output[str]]]:
    """The Services standing for the remote ``backends``, and each placeholder host -> Output."""
    services: list[Service] = []
    outputs: dict[str, pulumi.Output[str]] = {}
    problems: list[Problem] = []
    for index, backend in enumerate(backends):
        if not backend.is_remote:
            continue
        host = backend.host
        if host is None:
            assert backend.mesh is not None
            host = _served_host(backend.mesh, namespace, backend.service)
            if host is None:
                problems.append(
                    Problem(
                        _no_host(backend.mesh, namespace, backend.service),
                        source,
                        path=f"backends[{index}].host",
                    )
                )
                continue
        if isinstance(host, pulumi.Output):
            placeholder = f"{backend.stand_in}.{namespace}.{PLACEHOLDER_DOMAIN}"
            outputs[placeholder] = host
            host = placeholder
        served_by = backend.mesh.mesh_resource_name if backend.mesh else None
        services.append(
            Service(
                name=backend.stand_in,
                namespace=namespace,
                remote=Remote(host=host, served_by=served_by),
            )
        )
    if problems:
        raise SmiValidationError(problems)
    return Catalogue(services=tuple(services)), outputs


def lattice_name(namespace: str, service: str) -> str:
    """The name of the Lattice service the ``vpc-lattice`` target plans for a Service."""
    return f"{service}-{namespace}"


def _served_host(mesh: Mesh, namespace: str, service: str) -> pulumi.Output[str] | None:
    """The DNS name of the Lattice service ``mesh`` registered for ``namespace/service``."""
    if mesh.kind != MeshKind.VPC_LATTICE:
        return None
    resource = mesh.lattice_services.get(lattice_name(namespace, service))
    if resource is None:
        return None
    entries: pulumi.Output[Any] = resource.dns_entries  # type: ignore[attr-defined]
    return entries.apply(_domain_name)


def _domain_name(entries: Any) -> str:
    """The first DNS name of a Lattice service's ``dnsEntries`` ("" before it has one)."""
    for entry in entries or ():
        name = getattr(entry, "domain_name", None)
        if name is None and isinstance(entry, Mapping):
            name = dict(entry).get("domainName")
        if name:
            return str(name)
    return ""


def _no_host(mesh: Mesh, namespace: str, service: str) -> str:
    if mesh.kind == MeshKind.VPC_LATTICE:
        return (
            f"mesh {mesh.mesh_resource_name} has no Lattice service for {namespace}/{service} "
            f"yet ({lattice_name(namespace, service)}): create the component that serves it "
            "on that mesh before this one, or give host= (its DNS name)"
        )
    return (
        f"mesh {mesh.mesh_resource_name} is {mesh.kind.value}: give host=, the DNS name at "
        f"which it serves {namespace}/{service} to this mesh (an east-west gateway, an ingress)"
    )


def with_outputs(plan: Plan, outputs: Mapping[str, pulumi.Output[str]]) -> Plan:
    """``plan`` with every placeholder host replaced by its Output (in warnings: a note)."""
    if not outputs:
        return plan
    resources = tuple(
        Resource(r.type, r.name, _put(r.properties, outputs), r.depends_on, r.owner) for r in plan
    )
    warnings = tuple(_note(w, outputs) for w in plan.warnings)
    return Plan(resources, warnings, plan.external)


def _put(value: Any, outputs: Mapping[str, pulumi.Output[str]]) -> Any:
    if isinstance(value, str):
        if value in outputs:
            return outputs[value]
        found = [p for p in outputs if p in value]
        if not found:
            return value
        # split around every placeholder (kept by the group), then join the pieces again
        pieces = re.split(f"({'|'.join(map(re.escape, found))})", value)
        return pulumi.Output.concat(*(outputs.get(piece, piece) for piece in pieces if piece))
    if isinstance(value, Mapping):
        return {k: _put(v, outputs) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_put(v, outputs) for v in value]
    return value


def _note(warning: str, outputs: Mapping[str, pulumi.Output[str]]) -> str:
    text = str(warning)
    for placeholder in outputs:
        stand_in = placeholder.split(".", 1)[0]
        text = text.replace(placeholder, f"<the host of {stand_in}, known after creation>")
    return PlanWarning(text, getattr(warning, "owner", None))
