"""SMI on Consul, in both places an on-prem estate runs it.

- In Kubernetes (consul-k8s): the `cart` canary (90/10), beta testers to cart-v3, and
  `web` may only `GET`/`POST` under `/api/` of cart. Written as consul.hashicorp.com CRDs
  through the cluster's provider; the catalogue comes from k8s/shop.yaml.
- On VMs (a Consul datacenter where Kubernetes is not the writer): the `billing` canary
  with awkward weights (10.34/82.92/6.74 % — emitted in an order the float32 checks accept)
  and TCP access from `cart`. Written as config entries through pulumi-consul. VM services
  have no ServiceAccounts: each is declared as a Service plus a workload whose
  ServiceAccount name is the service's Consul name.

Each config entry has exactly one writer: the cluster's entries are only in the `k8s` mesh,
the datacenter's only in the `vms` mesh.
"""

import pulumi
import pulumi_consul as consul
import pulumi_kubernetes as k8s

import pulumi_smi as smi
from pulumi_smi.spec import Catalogue, Service, ServicePort, Workload, load_files

config = pulumi.Config()

cluster = smi.Mesh(
    "k8s",
    kind="consul",
    provider=k8s.Provider("onprem-k8s", context=config.get("kubeContext") or "onprem-admin"),
    catalogue=load_files(["k8s/shop.yaml"]).catalogue,
)

vm_catalogue = Catalogue(
    services=[
        Service(
            name=name,
            namespace="default",
            selector={"consul-service": name},
            ports=[ServicePort(port=port, name=protocol, app_protocol=protocol)],
        )
        for name, port, protocol in [
            ("billing", 8443, "http"),
            ("billing-v1", 8443, "http"),
            ("billing-v2", 8443, "http"),
            ("billing-v3", 8443, "http"),
            ("cart", 9000, "http"),
        ]
    ],
    workloads=[
        Workload(
            name=f"{name}-vms",
            namespace="default",
            pod_labels={"consul-service": name},
            service_account_name=name,
        )
        for name in ("billing", "cart")
    ],
)
vms = smi.Mesh(
    "vms",
    kind="consul",
    provider=consul.Provider(
        "dc-vm",
        address=config.get("consulAddress") or "consul.dc-vm.example.internal:8501",
        scheme="https",
        token=config.get_secret("consulToken"),
    ),
    options={"mode": "config-entry"},
    catalogue=vm_catalogue,
)

# --- Kubernetes: canary + beta testers, one Consul service chain --------------------------
smi.Manifests("cart-routing", files=["k8s/cart-splits.yaml"], meshes=cluster)
api = smi.HTTPRouteGroup(
    "cart-api",
    namespace="shop",
    meshes=cluster,
    matches=[smi.HTTPMatch("api", path_regex="/api/.*", methods=["GET", "POST"])],
)
smi.TrafficTarget(
    "web-calls-cart",
    namespace="shop",
    meshes=cluster,
    destination=smi.ServiceAccount("cart"),
    sources=[smi.ServiceAccount("web")],
    rules=[api.rule("api")],
)

# --- VM datacenter: billing canary, TCP access from cart ----------------------------------
smi.TrafficSplit(
    "billing",
    service="billing",
    meshes=vms,
    backends=[
        smi.Backend("billing-v1", 1034),
        smi.Backend("billing-v2", 8292),
        smi.Backend("billing-v3", 674),
    ],
)
billing_port = smi.TCPRoute("billing-port", meshes=vms)
smi.TrafficTarget(
    "cart-pays",
    meshes=vms,
    destination=smi.ServiceAccount("billing"),
    sources=[smi.ServiceAccount("cart")],
    rules=[billing_port.rule()],
)
