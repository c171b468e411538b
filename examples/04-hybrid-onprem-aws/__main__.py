"""One SMI intent across a hybrid estate: an on-prem Istio cluster, a Consul datacenter of
VMs, and AWS (EKS behind VPC Lattice).

- `reviews` (bookinfo) runs on-prem and in AWS: the on-prem split sends `awsShare` % of its
  traffic (stack config, 10 in `dev`) to the AWS copy, the rest to reviews-v1 on-prem. In
  AWS, a Lattice service `reviews-bookinfo` fronts reviews-v2 in EKS; on-prem, Istio reaches
  it through a ServiceEntry for that service's DNS name (an Output of the Lattice service),
  so moving 10 % -> 50 % -> 100 % is one config change and the preview shows weight updates.
- only `productpage` may call reviews on-prem, and only `GET /reviews/<id>` (stack config
  `reviewsReaders`, comma-separated ServiceAccounts of bookinfo, says who else may).
- `billing` on the VMs: a 95/5 canary, and only `cart` may call it (config entries written
  to the datacenter through pulumi-consul: no Kubernetes there).

Each mesh has its own provider (kube context, Consul address, AWS region: Pulumi.dev.yaml),
so no resource ever lands on an ambient default cluster or account.
"""

from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_consul as consul
import pulumi_kubernetes as k8s

import pulumi_smi as smi
from pulumi_smi.spec import Catalogue, Service, ServicePort, Workload, load_files

HERE = Path(__file__).parent  # the program also runs from the repository root (Pulumi.yaml)
config = pulumi.Config()
aws_share = config.get_int("awsShare") or 0  # nothing goes to AWS until the stack says so
if not 0 <= aws_share <= 100:
    raise ValueError(f"awsShare must be a percentage (0-100), got {aws_share}")
readers = sorted({r.strip() for r in (config.get("reviewsReaders") or "productpage").split(",")})

# --- the three meshes of the estate ---------------------------------------------------------
onprem = smi.Mesh(
    "onprem",
    kind="istio",
    provider=k8s.Provider("onprem-k8s", context=config.get("kubeContext") or "onprem-admin"),
    catalogue=load_files([HERE / "k8s" / "onprem.yaml"]).catalogue,
)
cloud = smi.Mesh(
    "aws",
    kind="vpc-lattice",
    provider=aws.Provider("aws", region=pulumi.Config("aws").get("region") or "us-east-1"),
    options={
        "vpc_id": config.get("vpcId") or "vpc-0123456789abcdef0",
        # on-prem callers keep the Host header reviews.bookinfo.svc.cluster.local
        "custom_domains": "every",
        "domain_suffix": "svc.cluster.local",
    },
    catalogue=load_files([HERE / "k8s" / "aws.yaml"]).catalogue,
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
    catalogue=Catalogue(
        services=[
            Service(
                name=name,
                namespace="default",
                selector={"consul-service": name},
                ports=[ServicePort(port=8443, name="http", app_protocol="http")],
            )
            for name in ("billing", "billing-v1", "billing-v2", "cart")
        ],
        # VM services have no ServiceAccounts: each runs as the identity of its Consul name.
        workloads=[
            Workload(
                name=f"{name}-vms",
                namespace="default",
                pod_labels={"consul-service": name},
                service_account_name=name,
            )
            for name in ("billing", "cart")
        ],
    ),
)

# --- reviews: on-prem and AWS ---------------------------------------------------------------
# The AWS copy first: its Lattice service's DNS name is what the on-prem split reaches.
smi.TrafficSplit(
    "reviews-aws",
    namespace="bookinfo",
    service="reviews",
    meshes=cloud,
    backends=[smi.Backend("reviews-v2", weight=1)],
)
smi.TrafficSplit(
    "reviews",
    namespace="bookinfo",
    service="reviews",
    meshes=onprem,
    backends=[
        smi.Backend("reviews-v1", weight=100 - aws_share),
        smi.Backend("reviews", weight=aws_share, mesh=cloud),
    ],
)
reads = smi.HTTPRouteGroup(
    "reviews-reads",
    namespace="bookinfo",
    meshes=onprem,
    matches=[smi.HTTPMatch("read", path_regex="/reviews/[^/]+$", methods=["GET"])],
)
smi.TrafficTarget(
    "productpage-reads-reviews",
    namespace="bookinfo",
    meshes=onprem,
    destination=smi.ServiceAccount("reviews"),
    sources=[smi.ServiceAccount(reader) for reader in readers if reader],
    rules=[reads.rule("read")],
)

# --- billing: the VM datacenter -------------------------------------------------------------
smi.TrafficSplit(
    "billing",
    namespace="default",
    service="billing",
    meshes=vms,
    backends=[smi.Backend("billing-v1", weight=95), smi.Backend("billing-v2", weight=5)],
)
payments = smi.HTTPRouteGroup(
    "billing-api",
    namespace="default",
    meshes=vms,
    matches=[smi.HTTPMatch("charge", path_regex="/charges", methods=["POST"])],
)
smi.TrafficTarget(
    "cart-charges-billing",
    namespace="default",
    meshes=vms,
    destination=smi.ServiceAccount("billing"),
    sources=[smi.ServiceAccount("cart")],
    rules=[payments.rule("charge")],
)

pulumi.export("awsShare", aws_share)
