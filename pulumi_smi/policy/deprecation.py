"""AWS App Mesh is deprecated: every App Mesh resource, and every ``appmesh`` ``smi.Mesh``.

AWS ends support for App Mesh on 2026-09-30 ("After September 30, 2026, you will no longer be
able to access the AWS App Mesh console or AWS App Mesh resources", the banner of every App
Mesh user-guide page); for EKS it points to VPC Lattice. Flagged: pulumi-aws ``aws:appmesh/*``
resources, ``appmesh.k8s.aws`` objects (the App Mesh controller's CRDs), and the
``smi:index:Mesh`` components of kind ``appmesh``.
"""

from __future__ import annotations

from .subject import NOTHING, Findings, Subject

END_OF_SUPPORT = "2026-09-30"
MESH = "smi:index:Mesh"
ADVICE = (
    f"AWS App Mesh reaches end of support on {END_OF_SUPPORT} (AWS then removes access to the "
    "App Mesh console and resources); migrate to VPC Lattice: the same SMI intent on "
    "kind='vpc-lattice', walked through in examples/05-appmesh-to-lattice"
)


def appmesh_findings(subject: Subject) -> Findings:
    """The deprecation notice for an App Mesh resource or an ``appmesh`` Mesh, else nothing."""
    kube = subject.kubernetes
    if (
        subject.type.startswith("aws:appmesh/")
        or (kube is not None and kube[0] == "appmesh.k8s.aws")
        or (subject.type == MESH and subject.props.get("kind") == "appmesh")
    ):
        return Findings.of([f"{subject.describe()}: {ADVICE}"])
    return NOTHING
