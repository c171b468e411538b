"""An A/B test on Linkerd, written in SMI terms.

- requests of beta testers (header `x-beta: true`, or a Firefox user agent) to `checkout`
  go half to checkout-v2 and half to checkout-v3; everyone else keeps reaching `checkout`;
- only `frontend` may call checkout, and only `GET`/`POST` under `/api/`; the `payments`
  batch job in namespace `batch` may open TCP connections to the metrics port.

The Services and Deployments come from k8s/shop.yaml (the catalogue): ports and protocols
for the HTTPRoutes and Servers, pod labels for the Server selectors.
"""

import pulumi
import pulumi_kubernetes as k8s

import pulumi_smi as smi
from pulumi_smi.spec import load_files

config = pulumi.Config()
cluster = k8s.Provider("edge", context=config.get("kubeContext") or "edge-admin")

mesh = smi.Mesh(
    "edge",
    kind="linkerd",
    provider=cluster,
    options={
        "trust_domain": config.get("trustDomain") or "cluster.local",
        "probe_routes": True,  # keep kubelet probes working once routes are attached
    },
    catalogue=load_files(["k8s/shop.yaml"]).catalogue,
)

beta = smi.HTTPRouteGroup(
    "beta-testers",
    namespace="shop",
    meshes=mesh,
    matches=[
        smi.HTTPMatch("beta-header", headers={"x-beta": "true"}),
        smi.HTTPMatch("firefox", headers={"user-agent": ".*Firefox.*"}),
    ],
)

smi.TrafficSplit(
    "checkout-ab",
    namespace="shop",
    service="checkout",
    meshes=mesh,
    matches=[beta],
    backends=[smi.Backend("checkout-v2", weight=50), smi.Backend("checkout-v3", weight=50)],
)

api = smi.HTTPRouteGroup(
    "checkout-api",
    namespace="shop",
    meshes=mesh,
    matches=[smi.HTTPMatch("api", path_regex="/api/.*", methods=["GET", "POST"])],
)
metrics = smi.TCPRoute("checkout-metrics", namespace="shop", meshes=mesh, ports=[9102])

smi.TrafficTarget(
    "frontend-calls-checkout",
    namespace="shop",
    meshes=mesh,
    destination=smi.ServiceAccount("checkout"),
    sources=[smi.ServiceAccount("frontend")],
    rules=[api.rule("api")],
)
smi.TrafficTarget(
    "payments-scrapes-checkout",
    namespace="shop",
    meshes=mesh,
    destination=smi.ServiceAccount("checkout"),
    sources=[smi.ServiceAccount("payments", namespace="batch")],
    rules=[metrics.rule()],
)
