"""Access read from AWS resources: VPC Lattice auth and App Mesh egress.

VPC Lattice: a service (or service network) with ``authType: AWS_IAM`` is a guard; each
``Allow`` statement of its AuthPolicy document grants HTTP to one principal (``Principal``
with the ``aws:PrincipalTag/*`` conditions, e.g. ``prod-eks:shop/web`` for the EKS Pod
Identity tags) per method (``vpc-lattice-svcs:RequestMethod``) and resource path (the part
of the ``Resource`` ARN after the service id; ``*``: any); every other condition (headers,
StringLike, Not* fields) is kept as a condition. A ``Deny`` statement is a guard. A listener
that is not HTTP(S) is outside IAM auth: anyone may connect (a TCP grant).

App Mesh has no inbound authorization: a VirtualNode's ``backends`` grant its Envoy (the
caller, ``node <name>``) every request to a VirtualService (client TLS policy kept as a
condition); the mesh's ``egressFilter: DROP_ALL`` and every VirtualNode (its Envoy reaches
only its backends) are guards, as is a listener's STRICT TLS, whose subject alternative
names are grants of that listener.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from typing import Any

from .access_istio import canonical
from .access_model import ANY, HTTP, TCP, Access, Destination, Grant, Guard
from .aws import NODE, SERVICE, VIRTUAL_SERVICE
from .values import Index, is_unknown, items, mapping

Resource = Mapping[str, Any]
NETWORK = "aws:vpclattice/serviceNetwork:ServiceNetwork"
AUTH_POLICY = "aws:vpclattice/authPolicy:AuthPolicy"
LISTENER = "aws:vpclattice/listener:Listener"
MESH = "aws:appmesh/mesh:Mesh"
_TAG = "aws:PrincipalTag/"
_METHOD = "vpc-lattice-svcs:RequestMethod"
_EKS_TAGS = ("eks-cluster-name", "kubernetes-namespace", "kubernetes-service-account")
_INVOKE = ("vpc-lattice-svcs:Invoke", "vpc-lattice-svcs:*", "*")


def _name(resource: Resource) -> str:
    name = mapping(resource.get("properties")).get("name")
    return name if isinstance(name, str) and not is_unknown(name) else str(resource["name"])


def _lattice_destination(resource: Resource) -> Destination:
    kind = "lattice service" if resource.get("type") == SERVICE else "lattice network"
    return Destination(kind, _name(resource))


def _referenced(reference: object) -> Destination | None:
    """The destination a known identifier of a service not in the input names (a partial
    preview's, or a service outside the program): the identifier itself; None if unknown."""
    if is_unknown(reference) or not isinstance(reference, str) or not reference:
        return None
    return Destination("lattice resource", reference)


def _listed(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _path(resource: str) -> str:
    if resource == "*":
        return ANY
    _, found, rest = resource.partition(":service/")
    if not found:
        return f"resource {resource}"
    path = "/" + rest.partition("/")[2]  # svc-0123/api/* -> /api/*
    return ANY if path == "/*" else path


def _principals(statement: Mapping[str, Any]) -> list[str]:
    principal = statement.get("Principal", "(none)")
    if principal == "*" or principal == {"AWS": "*"}:
        return [ANY]
    if isinstance(principal, Mapping) and set(principal) == {"AWS"}:
        return [f"AWS {p}" for p in _listed(principal["AWS"])]
    return [f"principal {canonical(principal)}"]


def _statement_grants(
    destination: Destination, statement: Mapping[str, Any], via: tuple[str, ...]
) -> list[Grant]:
    conditions: list[str] = [
        f"{k} {canonical(v)}" for k, v in sorted(statement.items()) if k.startswith("Not")
    ]
    actions = _listed(statement.get("Action", "*"))
    if not set(actions) & set(_INVOKE):
        conditions.append(f"Action {canonical(actions)}")
    tags: dict[str, list[str]] = {}
    methods = [ANY]
    for operator, block in sorted(mapping(statement.get("Condition")).items()):
        for key, value in sorted(mapping(block).items()):
            if operator == "StringEquals" and key.startswith(_TAG):
                tags[key[len(_TAG) :]] = _listed(value)
            elif operator == "StringEquals" and key == _METHOD:
                methods = _listed(value)
            else:
                conditions.append(f"{operator} {key} {canonical(value)}")
    who: list[str] = []
    for principal in _principals(statement):
        for chosen in itertools.product(*(tags[k] for k in sorted(tags))):
            values = dict(zip(sorted(tags), chosen, strict=True))
            if set(values) == set(_EKS_TAGS):
                shown = "{}:{}/{}".format(*(values[k] for k in _EKS_TAGS))
            else:
                shown = ",".join(f"{k}={v}" for k, v in values.items())
            if not shown:
                who.append(principal)
            else:
                who.append(shown if principal == ANY else f"{principal} {shown}")
    resources = _listed(statement.get("Resource", "*"))
    return [
        Grant(destination, source, HTTP, ANY, method, _path(r), tuple(sorted(conditions)), via=via)
        for source in who
        for method in methods
        for r in resources
    ]


def lattice_access(resources: Sequence[Resource]) -> Access:
    """The grants and guards of Lattice services, listeners and auth policies."""
    index = Index(resources)
    grants: list[Grant] = []
    guards: list[Guard] = []
    for resource in index.of_type(SERVICE, NETWORK):
        auth = mapping(resource.get("properties")).get("authType")
        if auth == "AWS_IAM" or is_unknown(auth):
            destination = _lattice_destination(resource)
            via = (str(resource["name"]),)
            guards.append(Guard(destination, "authType AWS_IAM", unknown=is_unknown(auth), via=via))
    for resource in index.of_type(LISTENER):
        properties = mapping(resource.get("properties"))
        if properties.get("protocol") in ("HTTP", "HTTPS"):
            continue
        reference = properties.get("serviceIdentifier")
        owner = index.find(reference, (SERVICE,), resource)
        found = _referenced(reference) if owner is None else _lattice_destination(owner)
        grants.append(
            Grant(
                found or Destination("lattice service", "(unknown)"),
                ANY,
                TCP,
                str(properties.get("port")),
                unknown=found is None,
                via=(str(resource["name"]),),
            )
        )
    for resource in index.of_type(AUTH_POLICY):
        properties = mapping(resource.get("properties"))
        via = (str(resource["name"]),)
        reference = properties.get("resourceIdentifier")
        owner = index.find(reference, (SERVICE, NETWORK), resource)
        document = properties.get("policy")
        try:
            parsed = json.loads(document) if isinstance(document, str) else document
        except ValueError:
            parsed = None
        attached = _referenced(reference) if owner is None else _lattice_destination(owner)
        if attached is None or not isinstance(parsed, Mapping):
            destination = attached or Destination("lattice service", "(unknown)")
            grants.append(Grant(destination, "(unknown)", HTTP, unknown=True, via=via))
            continue
        destination = attached
        statements = parsed.get("Statement")
        for statement in statements if isinstance(statements, list) else [statements]:
            statement = mapping(statement)
            if statement.get("Effect") == "Allow":
                grants += _statement_grants(destination, statement, via)
            else:
                guards.append(Guard(destination, f"Deny statement {canonical(statement)}", via=via))
    return Access.of(grants, guards)


def appmesh_access(resources: Sequence[Resource]) -> Access:
    """The grants and guards of App Mesh meshes and VirtualNodes."""
    index = Index(resources)
    grants: list[Grant] = []
    guards: list[Guard] = []
    for resource in index.of_type(MESH):
        spec = mapping(mapping(resource.get("properties")).get("spec"))
        kind = mapping(spec.get("egressFilter")).get("type")
        if kind == "DROP_ALL" or (is_unknown(kind) and "egressFilter" in spec):
            guards.append(
                Guard(
                    Destination("app mesh", _name(resource)),
                    "egress DROP_ALL",
                    unknown=kind != "DROP_ALL",
                    via=(str(resource["name"]),),
                )
            )
    for resource in index.of_type(NODE):
        node = _name(resource)
        via = (str(resource["name"]),)
        spec = mapping(mapping(resource.get("properties")).get("spec"))
        guards.append(Guard(Destination("virtual node", node), "egress to its backends", via=via))
        for backend in items(spec.get("backends")):
            service = mapping(backend.get("virtualService"))
            reference = service.get("virtualServiceName")
            found = index.find(reference, (VIRTUAL_SERVICE,), resource)
            shown = index.display(reference, (VIRTUAL_SERVICE,), resource)
            unknown = found is None and (is_unknown(reference) or "${" in str(reference))
            policy = service.get("clientPolicy")
            conditions = (f"client policy {canonical(policy)}",) if policy else ()
            for protocol in (TCP, HTTP):
                grants.append(
                    Grant(
                        Destination("virtual service", shown),
                        f"node {node}",
                        protocol,
                        conditions=conditions,
                        unknown=unknown,
                        via=via,
                    )
                )
        for listener in items(spec.get("listeners")):
            tls = mapping(listener.get("tls"))
            port = str(mapping(listener.get("portMapping")).get("port"))
            if tls.get("mode") != "STRICT":
                continue
            where = Destination("virtual node listener", node)
            guards.append(Guard(where, "TLS STRICT", port, via=via))
            names = mapping(mapping(tls.get("validation")).get("subjectAlternativeNames"))
            exacts = mapping(names.get("match")).get("exacts")
            for name in _listed(exacts) if exacts is not None else [ANY]:
                for protocol in (TCP, HTTP):
                    grants.append(Grant(where, f"certificate {name}", protocol, port, via=via))
    return Access.of(grants, guards)
