"""One small estate per mesh kind, using every component, for the child-resource tests.

:func:`build_estate` makes, inside a Pulumi program, a Mesh of the given kind with an explicit
provider of the right package and a resource every child must wait for (a CRD on
Kubernetes, a VPC on AWS, an ACL policy in Consul), then every component on it: an
HTTPRouteGroup, a TCPRoute, a UDPRoute, a TrafficSplit using the route group, a
TrafficTarget using the TCPRoute, and a Manifests with a second split.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_consul as consul
import pulumi_kubernetes as k8s

import pulumi_smi as smi

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
    spec: {serviceAccountName: api, containers: [{name: api, image: api:1}]}
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
metadata: {name: web-v3, namespace: shop}
spec: {selector: {app: web, version: v3}, ports: [{name: http, port: 80, appProtocol: http}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-v3, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web, version: v3}}
    spec: {serviceAccountName: web, containers: [{name: web, image: web:3}]}
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

LEGACY = """
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec: {selector: {app: cart}, ports: [{name: http, port: 80, appProtocol: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: cart-v1, namespace: shop}
spec: {selector: {app: cart, version: v1}, ports: [{name: http, port: 80, appProtocol: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: cart-v2, namespace: shop}
spec: {selector: {app: cart, version: v2}, ports: [{name: http, port: 80, appProtocol: http}]}
---
apiVersion: split.smi-spec.io/v1alpha2
kind: TrafficSplit
metadata: {name: cart, namespace: shop}
spec:
  service: cart
  backends: [{service: cart-v1, weight: 3}, {service: cart-v2, weight: 1}]
"""

VPC = "vpc-0123456789abcdef0"


@dataclass(frozen=True)
class Flavour:
    """A mesh kind and its options: what an estate is built for."""

    id: str
    kind: str
    options: dict[str, Any] = field(default_factory=dict)
    package: str = "kubernetes"

    @property
    def provider_name(self) -> str:
        return f"{self.id}-provider"


FLAVOURS = [
    Flavour("smi", "smi"),
    Flavour("istio", "istio"),
    Flavour("linkerd", "linkerd"),
    Flavour("consul-crd", "consul"),
    Flavour("consul-config-entry", "consul", {"mode": "config-entry"}, "consul"),
    Flavour("gateway-api", "gateway-api", {"policy": "istio"}),
    Flavour("appmesh", "appmesh", {"mesh_name": "shop"}, "aws"),
    Flavour(
        "vpc-lattice",
        "vpc-lattice",
        {"vpc_id": VPC, "mesh_name": "shop", "eks_cluster_name": "prod-eks"},
        "aws",
    ),
]
"""Every mesh kind; Consul in both modes (CRDs in Kubernetes, config entries in Consul)."""
COMPONENTS = (
    "Mesh",
    "HTTPRouteGroup",
    "TCPRoute",
    "UDPRoute",
    "TrafficSplit",
    "TrafficTarget",
    "Manifests",
)


@dataclass
class Estate:
    """What :func:`build_estate` made."""

    mesh: smi.Mesh
    provider: pulumi.ProviderResource
    prerequisite: pulumi.CustomResource
    """What the mesh's children must wait for (``depends_on``)."""
    components: dict[str, smi.SmiComponent] = field(default_factory=dict)


def _provider(flavour: Flavour) -> tuple[pulumi.ProviderResource, pulumi.CustomResource]:
    name = flavour.provider_name
    if flavour.package == "aws":
        provider: pulumi.ProviderResource = aws.Provider(name, region="us-east-1")
        opts = pulumi.ResourceOptions(provider=provider)
        return provider, aws.ec2.Vpc(f"{flavour.id}-vpc", cidr_block="10.0.0.0/16", opts=opts)
    if flavour.package == "consul":
        provider = consul.Provider(name, address="consul.service.dc1:8500")
        opts = pulumi.ResourceOptions(provider=provider)
        policy = consul.AclPolicy(f"{flavour.id}-acl", name="mesh", rules="", opts=opts)
        return provider, policy
    provider = k8s.Provider(name, kubeconfig="x")
    opts = pulumi.ResourceOptions(provider=provider)
    return provider, crd(f"{flavour.id}-crds", "example.com", "Mesh", opts)


def crd(
    name: str, group: str, kind: str, opts: pulumi.ResourceOptions
) -> k8s.apiextensions.v1.CustomResourceDefinition:
    """A CustomResourceDefinition of ``kind`` (what a mesh's CRDs are, to depend on)."""
    v1 = k8s.apiextensions.v1
    plural = f"{kind.lower()}s"
    return v1.CustomResourceDefinition(
        name,
        metadata={"name": f"{plural}.{group}"},
        spec=v1.CustomResourceDefinitionSpecArgs(
            group=group,
            names=v1.CustomResourceDefinitionNamesArgs(kind=kind, plural=plural),
            scope="Namespaced",
            versions=[],
        ),
        opts=opts,
    )


def build_estate(
    flavour: Flavour,
    legacy: Path,
    *,
    mesh_options: smi.ChildOptions | None = None,
    component_options: smi.ChildOptions | None = None,
) -> Estate:
    """Make the estate for ``flavour`` (call it inside a program); ``legacy`` holds LEGACY."""
    provider, prerequisite = _provider(flavour)
    mesh = smi.Mesh(
        flavour.id,
        flavour.kind,
        provider=provider,
        options=flavour.options,
        catalogue=smi.load_text(CATALOGUE).catalogue,
        depends_on=[prerequisite],
        child_options=mesh_options,
    )
    estate = Estate(mesh, provider, prerequisite)
    common: dict[str, Any] = {"namespace": "shop", "meshes": mesh}
    if component_options is not None:
        common["child_options"] = component_options
    beta = smi.HTTPRouteGroup(
        "beta", matches=[smi.HTTPMatch("beta", headers={"x-beta": "true"})], **common
    )
    port = smi.TCPRoute("api-port", ports=[8080], **common)
    udp = smi.UDPRoute("dns", ports=[53], **common)
    split = smi.TrafficSplit(
        "web",
        service="web",
        backends=[smi.Backend("web-v1", 90), smi.Backend("web-v2", 10)],
        matches=[beta],
        **common,
    )
    target = smi.TrafficTarget(
        "client-calls-api",
        destination=smi.ServiceAccount("api"),
        sources=[smi.ServiceAccount("client")],
        rules=[port.rule()],
        **common,
    )
    legacy_options = {k: v for k, v in common.items() if k != "namespace"}
    manifests = smi.Manifests("legacy", files=[str(legacy)], **legacy_options)
    estate.components.update(
        {
            "HTTPRouteGroup": beta,
            "TCPRoute": port,
            "UDPRoute": udp,
            "TrafficSplit": split,
            "TrafficTarget": target,
            "Manifests": manifests,
        }
    )
    return estate
