"""The multi-language Manifests: existing SMI YAML and Kubernetes objects, translated.

No ``from __future__ import annotations`` here: the analyzer reads these annotations at run
time.
"""

from collections.abc import Mapping
from typing import Any, cast

import pulumi

from .. import components as python
from . import common
from .args import ManifestsArgs, schema_docs
from .inputs import Inputs
from .outputs import registered
from .surface import _Surface, implements


@schema_docs
class Manifests(_Surface):
    """Existing SMI YAML (any apiVersion) plus Kubernetes Services, ServiceAccounts and
    workloads, translated for every mesh named in `meshes`.

    Every SMI object in the files is translated for every mesh; the Services, ServiceAccounts
    and workloads extend each mesh's catalogue; other kinds are skipped with a warning. Two
    objects that would write one Kubernetes object (two TrafficSplits of one apex on Istio)
    are merged here, where separate components would be refused.
    """

    resource_names: pulumi.Output[dict[str, list[str]]]
    """Per mesh (by its resource name), the logical names of the children registered for it."""
    urns: pulumi.Output[dict[str, list[str]]]
    """Per mesh, the URNs of the children registered for it."""
    arns: pulumi.Output[dict[str, str]]
    """The ARN of every AWS child (appmesh and vpc-lattice meshes), by logical name."""
    lattice_dns_names: pulumi.Output[dict[str, str]]
    """The DNS name of every VPC Lattice service registered, by Lattice service name."""

    def __init__(
        self, name: str, args: ManifestsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        given = cast(Mapping[str, Any], args)
        read = Inputs("smi:index:Manifests", name)
        files = read.texts(given.get("files"), "files", required=True)
        meshes = common.meshes(read, given.get("meshes"))
        child_options = common.child_options(read, given.get("child_options"), "childOptions")
        read.done()
        manifests = self._construct(
            python.Manifests,
            name,
            files=files,
            meshes=meshes,
            child_options=child_options,
            opts=opts,
        )
        self._publish(registered(manifests))


@implements(Manifests)
class _Manifests(Manifests, python.Manifests):
    """A multi-language Manifests: the Python one, constructed from ``ManifestsArgs``."""
