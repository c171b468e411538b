"""A canary on Istio, written in SMI terms.

- 90 % of `reviews` traffic to reviews-v1, 10 % to reviews-v2;
- requests of beta testers (header `x-beta: true`) all to reviews-v3;
- only `productpage` may call reviews, and only `GET /reviews/<id>` (`[^/]+` is one path
  segment, which Istio expresses exactly as `/reviews/{*}`; `[0-9]+` it cannot, and
  pulumi-smi would refuse rather than allow more); everything else in the
  namespace is denied (SMI's default-deny), over STRICT mTLS.

The Services and Deployments come from k8s/bookinfo.yaml (the catalogue): ports and protocols
for the VirtualService, pod labels for the AuthorizationPolicy selector.
"""

import pulumi
import pulumi_kubernetes as k8s

import pulumi_smi as smi
from pulumi_smi.spec import load_files

config = pulumi.Config()
cluster = k8s.Provider("onprem", context=config.get("kubeContext") or "onprem-admin")

mesh = smi.Mesh(
    "onprem",
    kind="istio",
    provider=cluster,
    options={"trust_domain": config.get("trustDomain") or "cluster.local"},
    catalogue=load_files(["k8s/bookinfo.yaml"]).catalogue,
)

reads = smi.HTTPRouteGroup(
    "reviews-reads",
    namespace="bookinfo",
    meshes=mesh,
    matches=[smi.HTTPMatch("read", path_regex="/reviews/[^/]+$", methods=["GET"])],
)

# One apex, two splits (the canary and the beta testers' A/B) merge into one VirtualService,
# beta testers first. They live in one component: one Kubernetes object, one writer.
smi.Manifests("reviews-routing", files=["smi/reviews-splits.yaml"], meshes=mesh)

smi.TrafficTarget(
    "productpage-reads-reviews",
    namespace="bookinfo",
    meshes=mesh,
    destination=smi.ServiceAccount("reviews"),
    sources=[smi.ServiceAccount("productpage")],
    rules=[reads.rule("read")],
)
