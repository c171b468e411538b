"""Moving an SMI intent from AWS App Mesh (end of support 2026-09-30) to Amazon VPC Lattice.

The intent (smi/reviews.yaml) does not change; the `step` config moves it:

- `appmesh`: the starting point, App Mesh only;
- `both` (default here): Lattice is built beside App Mesh, so clients can move over;
- `vpc-lattice`: App Mesh is gone, Lattice only.

See README.md for what `pulumi preview` shows at each step.
"""

import pulumi
import pulumi_aws as aws

import pulumi_smi as smi
from pulumi_smi.spec import load_files

config = pulumi.Config()
step = config.get("step") or "both"
region = aws.Provider("use1", region=config.get("region") or "us-east-1")
catalogue = load_files(["k8s/bookinfo.yaml"]).catalogue
meshes = []

if step in ("appmesh", "both"):
    meshes.append(
        smi.Mesh(
            "appmesh",
            kind="appmesh",
            provider=region,
            catalogue=catalogue,
            options={"create_mesh": True},
            mesh_name="bookinfo",
        )
    )
if step in ("both", "vpc-lattice"):
    meshes.append(
        smi.Mesh(
            "lattice",
            kind="vpc-lattice",
            provider=region,
            catalogue=catalogue,
            mesh_name="bookinfo",
            options={
                "vpc_id": config.get("vpcId") or "vpc-0123456789abcdef0",
                "eks_cluster_name": config.get("eksCluster") or "prod-eks",
            },
        )
    )

smi.Manifests("bookinfo", files=["smi/reviews.yaml"], meshes=meshes)
