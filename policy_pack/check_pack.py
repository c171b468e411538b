"""Drive the pack through the installed pulumi-policy, without the Pulumi CLI: `venv/bin/python
check_pack.py` (in the pack's venv, see README.md).

The repository's tests call the rules directly (the dev venv has no pulumi-policy). This
script checks the wrapper against the pulumi-policy actually installed: it records a small
Istio estate with pulumi_smi.testing, hands its resources to pulumi-policy's own analyzer
servicer (the object `PolicyPack` serves over gRPC) as the engine would, and checks what
comes back: a STRICT mesh passes, a PERMISSIVE PeerAuthentication is a mandatory violation,
a 10 -> 50 canary step against a baseline is one, and without a baseline the step is an
advisory "can't run policy" diagnostic. It exits 1 on any difference. The servicer is a
private class of pulumi-policy: if a release renames it, this script says so.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi_kubernetes as k8s
from google.protobuf import struct_pb2
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2

import pulumi_smi as smi
from pulumi_smi.policy.pack import policies
from pulumi_smi.testing import RecordedResource, Recording, run_program

CATALOGUE = """
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-v2, namespace: shop}
spec: {selector: {app: web, version: v2}, ports: [{name: http, port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {serviceAccountName: web, containers: [{name: web, image: web:1}]}
"""
PEER = "kubernetes:security.istio.io/v1:PeerAuthentication"
VIRTUAL_SERVICE = "kubernetes:networking.istio.io/v1:VirtualService"


def record(canary: int) -> Recording:
    def program() -> None:
        mesh = smi.Mesh(
            "m",
            "istio",
            provider=k8s.Provider("cluster", kubeconfig="x"),
            catalogue=smi.load_text(CATALOGUE).catalogue,
        )
        smi.TrafficSplit(
            "web",
            namespace="shop",
            service="web",
            meshes=mesh,
            backends=[smi.Backend("web", 100 - canary), smi.Backend("web-v2", canary)],
        )
        smi.TrafficTarget(
            "web-calls-web",
            namespace="shop",
            meshes=mesh,
            destination=smi.ServiceAccount("web"),
            sources=[smi.ServiceAccount("web")],
            rules=[smi.TCPRoute("any", namespace="shop", meshes=mesh).rule()],
        )

    return run_program(program)


def servicer(config: dict[str, dict[str, Any]]) -> Any:
    try:
        from pulumi_policy.policy import EnforcementLevel, _PolicyAnalyzerServicer
    except ImportError as exc:
        sys.exit(f"pulumi-policy has no _PolicyAnalyzerServicer any more ({exc}): update me")
    served = _PolicyAnalyzerServicer("pulumi-smi", "0.1.0", policies(), EnforcementLevel.ADVISORY)
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, properties in config.items():
        entry = request.policyConfig[name]
        entry.enforcementLevel = proto.MANDATORY
        entry.properties.update(properties)
    served.Configure(request, None)
    return served


def analyze(served: Any, resource: RecordedResource, props: dict[str, Any]) -> list[Any]:
    properties = struct_pb2.Struct()
    properties.update(props)
    request = analyzer_pb2.AnalyzeRequest(
        type=resource.type, properties=properties, urn=resource.urn, name=resource.name
    )
    if resource.parent:
        request.options.parent = resource.parent
    return list(served.Analyze(request, None).diagnostics)


def main() -> int:
    failures: list[str] = []

    def expect(what: str, diagnostics: list[Any], check: Callable[[list[Any]], bool]) -> None:
        shown = [(d.policyName, d.enforcementLevel, d.message) for d in diagnostics]
        print(f"{'ok  ' if check(diagnostics) else 'FAIL'} {what}: {shown}")
        if not check(diagnostics):
            failures.append(what)

    old, new = record(10), record(50)
    with tempfile.TemporaryDirectory() as directory:
        baseline = Path(directory) / "baseline.json"
        baseline.write_text(
            json.dumps(
                {
                    "resources": [
                        {
                            "type": r.type,
                            "name": r.name,
                            "properties": r.inputs,
                            "parent": r.parent_name,
                        }
                        for r in old.resources
                    ]
                }
            )
        )
        judged = servicer({"smi-max-canary-step": {"baseline": str(baseline), "maxStep": 20}})
        blind = servicer({})
        (peer,) = new.by_type(PEER)
        (routes,) = new.by_type(VIRTUAL_SERVICE)
        expect("STRICT passes", analyze(judged, peer, peer.inputs), lambda d: not d)
        permissive = {**peer.inputs, "spec": {"mtls": {"mode": "PERMISSIVE"}}}
        expect(
            "PERMISSIVE is a mandatory violation",
            analyze(judged, peer, permissive),
            lambda d: (
                len(d) == 1
                and d[0].policyName == "smi-mtls-required"
                and d[0].enforcementLevel == proto.MANDATORY
                and "PERMISSIVE" in d[0].message
            ),
        )
        expect(
            "10 -> 50 is a mandatory violation",
            analyze(judged, routes, routes.inputs),
            lambda d: (
                len(d) == 2
                and all(x.enforcementLevel == proto.MANDATORY for x in d)
                and any("10.00% → 50.00%" in x.message for x in d)
            ),
        )
        expect(
            "no baseline: advisory, cannot judge",
            analyze(blind, routes, routes.inputs),
            lambda d: (
                len(d) == 1
                and d[0].enforcementLevel == proto.ADVISORY
                and "no baseline configured" in d[0].message
            ),
        )
    print("all good" if not failures else f"{len(failures)} failed: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
