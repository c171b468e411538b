"""SMI intent written once and applied to two clusters, plus existing SMI YAML files.

`pulumi preview` shows every resource per cluster; `pulumi-smi render .` shows the
same offline, without credentials.
"""

import pulumi
import pulumi_kubernetes as k8s

import pulumi_smi as smi

config = pulumi.Config()
# Two clusters of the estate, each a kubeconfig context (see README.md).
east = smi.Mesh(
    "dc1",
    kind="smi",
    provider=k8s.Provider("dc1", context=config.get("dc1Context") or "dc1-admin"),
)
west = smi.Mesh(
    "dc2",
    kind="smi",
    provider=k8s.Provider("dc2", context=config.get("dc2Context") or "dc2-admin"),
)
estate = [east, west]

routes = smi.HTTPRouteGroup(
    "ratings-routes",
    namespace="bookinfo",
    meshes=estate,
    matches=[
        smi.HTTPMatch("read", path_regex="/ratings/[0-9]+$", methods=["GET"]),
        smi.HTTPMatch("beta", headers={"x-beta": "true"}),
    ],
)

canary = smi.TrafficSplit(
    "ratings",
    namespace="bookinfo",
    service="ratings",
    meshes=estate,
    backends=[smi.Backend("ratings-v1", weight=90), smi.Backend("ratings-v2", weight=10)],
)

smi.TrafficTarget(
    "reviews-reads-ratings",
    namespace="bookinfo",
    meshes=estate,
    destination=smi.ServiceAccount("ratings"),
    sources=[smi.ServiceAccount("reviews")],
    rules=[routes.rule("read")],
)

# SMI YAML that already exists (any apiVersion), applied to the first cluster only. An object
# written both here and above would be refused: one Kubernetes object, one writer.
smi.Manifests("legacy", files=["../manifests/bookinfo/*.yaml"], meshes=[east])

pulumi.export("canary", {mesh: [r.name for r in plan] for mesh, plan in canary.plans.items()})
