"""Small estates of real components per mesh kind, recorded by pulumi_smi.testing, and the
``ResourceValidationArgs``-shaped objects the policy checks are called with.

The engine gives a resource policy ``resource_type``, ``props`` (the inputs), ``urn``,
``name``, ``opts.parent`` and ``get_config()``: :func:`args_of` builds exactly that from a
:class:`~pulumi_smi.testing.RecordedResource`. :func:`render_json` writes a recording the way
``pulumi-smi render -o json`` does, :func:`stack_export` the way ``pulumi stack export`` does
(URNs, inputs, outputs, parent URNs): the two baseline formats of ``smi-max-canary-step``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_consul as consul
import pulumi_kubernetes as k8s

import pulumi_smi as smi
from pulumi_smi.policy import Findings
from pulumi_smi.testing import RecordedResource, Recording, run_program

CATALOGUE = """
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 80, appProtocol: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-v1, namespace: shop}
spec: {selector: {app: web, version: v1}, ports: [{name: http, port: 80, appProtocol: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-v2, namespace: shop}
spec: {selector: {app: web, version: v2}, ports: [{name: http, port: 80, appProtocol: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{name: http, port: 8080, appProtocol: http}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      containers:
      - name: api
        image: api:1
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: 8080}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-v1, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web, version: v1}}
    spec: {serviceAccountName: web, containers: [{name: web, image: web:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-v2, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web, version: v2}}
    spec: {serviceAccountName: web, containers: [{name: web, image: web:2}]}
---
apiVersion: v1
kind: Service
metadata: {name: client, namespace: shop}
spec: {selector: {app: client}, ports: [{name: http, port: 80, appProtocol: http}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: shop}
spec:
  template:
    metadata: {labels: {app: client}}
    spec: {serviceAccountName: client, containers: [{name: client, image: client:1}]}
"""
VPC = "vpc-0123456789abcdef0"
FLAVOURS: dict[str, tuple[str, dict[str, Any], str]] = {
    "istio": ("istio", {}, "kubernetes"),
    "linkerd": ("linkerd", {}, "kubernetes"),
    "consul-crd": ("consul", {}, "kubernetes"),
    "consul-config-entry": ("consul", {"mode": "config-entry"}, "consul"),
    "gateway-api": ("gateway-api", {"policy": "istio"}, "kubernetes"),
    "vpc-lattice": ("vpc-lattice", {"vpc_id": VPC, "eks_cluster_name": "prod-eks"}, "aws"),
    "appmesh": ("appmesh", {"mesh_name": "shop"}, "aws"),
}
"""Flavour id -> (mesh kind, options, provider package)."""


@dataclass(frozen=True)
class Opts:
    """``PolicyResourceOptions``, the part the checks read."""

    parent: str | None = None


@dataclass(frozen=True)
class Args:
    """Shaped like ``pulumi_policy.ResourceValidationArgs``."""

    resource_type: str
    props: Mapping[str, Any]
    urn: str
    name: str
    opts: Opts = field(default_factory=Opts)
    config: Mapping[str, Any] = field(default_factory=dict)

    def get_config(self) -> Mapping[str, Any]:
        return self.config


def args_of(resource: RecordedResource, config: Mapping[str, Any] | None = None) -> Args:
    """The args the engine would give a resource policy for ``resource``."""
    return Args(
        resource.type,
        copy.deepcopy(resource.inputs),
        resource.urn,
        resource.name,
        Opts(resource.parent),
        dict(config or {}),
    )


def with_props(resource: RecordedResource, change: Callable[[dict[str, Any]], None]) -> Args:
    """:func:`args_of` ``resource``, its inputs changed in place by ``change``."""
    args = args_of(resource)
    props = copy.deepcopy(dict(args.props))
    change(props)
    return Args(args.resource_type, props, args.urn, args.name, args.opts)


def provider(package: str) -> pulumi.ProviderResource:
    """An explicit provider of ``package``."""
    if package == "aws":
        return aws.Provider("cloud", region="us-east-1")
    if package == "consul":
        return consul.Provider("dc1", address="consul.service.dc1:8500")
    return k8s.Provider("cluster", kubeconfig="x")


def estate(
    flavour: str,
    *,
    weights: tuple[int, int] = (90, 10),
    options: Mapping[str, Any] | None = None,
    child_options: smi.ChildOptions | None = None,
    extra: Callable[[pulumi.ProviderResource], object] | None = None,
    preview: bool = False,
) -> Recording:
    """Record a mesh of ``flavour`` with a split ``web`` (web-v1, web-v2 at ``weights``) and a
    TrafficTarget client -> api; ``extra(provider)`` registers more resources beside them."""
    kind, defaults, package = FLAVOURS[flavour]

    def program() -> None:
        explicit = provider(package)
        mesh = smi.Mesh(
            "m",
            kind,
            provider=explicit,
            options={**defaults, **(options or {})},
            catalogue=smi.load_text(CATALOGUE).catalogue,
            child_options=child_options,
        )
        smi.TrafficSplit(
            "web",
            namespace="shop",
            service="web",
            meshes=mesh,
            backends=[smi.Backend("web-v1", weights[0]), smi.Backend("web-v2", weights[1])],
        )
        every = smi.HTTPRouteGroup(
            "everything", namespace="shop", meshes=mesh, matches=[smi.HTTPMatch("all")]
        )
        smi.TrafficTarget(
            "client-calls-api",
            namespace="shop",
            meshes=mesh,
            destination=smi.ServiceAccount("api"),
            sources=[smi.ServiceAccount("client")],
            rules=[every.rule("all")],
        )
        if extra is not None:
            extra(explicit)

    return run_program(program, preview=preview)


def custom_resource(
    explicit: pulumi.ProviderResource, name: str, api_version: str, kind: str, spec: object
) -> k8s.apiextensions.CustomResource:
    """A hand-written Kubernetes object in namespace shop (a user's own, beside the mesh's)."""
    return k8s.apiextensions.CustomResource(
        name,
        api_version=api_version,
        kind=kind,
        metadata={"name": name, "namespace": "shop"},
        spec=spec,
        opts=pulumi.ResourceOptions(provider=explicit),
    )


def check_all(
    recording: Recording, check: Callable[[Args], Findings], config: Mapping[str, Any] | None = None
) -> dict[str, Findings]:
    """``check`` on every resource of ``recording``: logical name -> its findings (non-empty)."""
    found = {r.name: check(args_of(r, config)) for r in recording.resources}
    return {name: findings for name, findings in found.items() if findings}


def messages(findings: Mapping[str, Findings]) -> list[str]:
    """Every violation message of ``findings``."""
    return [m for f in findings.values() for m in f.messages]


def of_type(recording: Recording, token: str) -> RecordedResource:
    """The one resource of type ``token`` (asserting there is exactly one)."""
    (found,) = recording.by_type(token)
    return found


def render_json(recording: Recording) -> str:
    """``recording`` as ``pulumi-smi render -o json`` prints it (the parts a baseline uses)."""
    return json.dumps(
        {
            "resources": [
                {"type": r.type, "name": r.name, "properties": r.inputs, "parent": r.parent_name}
                for r in recording.resources
            ],
            "warnings": [],
        }
    )


def stack_export(recording: Recording, secret: Sequence[str] = ()) -> str:
    """``recording`` as ``pulumi stack export`` writes a deployment: the Stack resource, then
    every resource with ``urn``, ``type``, ``inputs``, ``outputs`` and ``parent`` (a URN); the
    inputs ``secret`` names (``<logical name>:<key>``) as secrets, the way ``--show-secrets``
    writes them (their value as JSON text in ``plaintext``)."""
    stack_urn = "urn:pulumi:stack::project::pulumi:pulumi:Stack::project-stack"
    resources: list[dict[str, Any]] = [{"urn": stack_urn, "type": "pulumi:pulumi:Stack"}]
    for r in recording.resources:
        inputs = copy.deepcopy(r.inputs)
        for path in secret:
            name, key = path.split(":", 1)
            if name == r.name:
                inputs[key] = {
                    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                    "plaintext": json.dumps(inputs[key]),
                }
        resources.append(
            {
                "urn": r.urn,
                "custom": r.custom,
                "id": f"{r.name}-id" if r.custom else None,
                "type": r.type,
                "inputs": inputs,
                "outputs": inputs,
                "parent": r.parent or stack_urn,
            }
        )
    return json.dumps({"version": 3, "deployment": {"manifest": {}, "resources": resources}})
