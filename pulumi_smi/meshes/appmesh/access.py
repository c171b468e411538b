"""TrafficTarget -> App Mesh egress allow-lists.

App Mesh has no authorization resource. With the mesh's egress filter ``DROP_ALL`` a
workload's Envoy only reaches the VirtualServices listed in its VirtualNode's ``backends``,
so a TrafficTarget becomes: every Service selecting the destination ServiceAccount's pods
gets a VirtualService (the split's, when the Service is an apex), and the VirtualNode of
every workload of every source ServiceAccount lists those VirtualServices as backends. This
restricts mesh-routed calls only (a pod can still dial a pod IP; pair it with a
NetworkPolicy), and App Mesh cannot narrow an allow to paths, methods, headers or ports:
every such rule is kept as a warning, never dropped silently. ``ALLOW_ALL`` on a mesh
created here would enforce nothing, so it is an error with any TrafficTarget; on an existing
mesh the Plan warns that it must be ``DROP_ALL``.
"""

from __future__ import annotations

from collections import defaultdict

from ...spec.catalogue import Service
from ...spec.models import HTTPRouteGroup, TCPRoute, TrafficTarget
from ..aws.references import ref
from .nodes import VIRTUAL_NODE, Builder
from .options import MAX_BACKENDS


def _destinations(b: Builder, target: TrafficTarget) -> list[Service]:
    ns, account = target.metadata.namespace, target.spec.destination.name
    services: dict[str, Service] = {}
    for workload in b.specs.catalogue.workloads_of(ns, account):
        services.update((s.name, s) for s in b.services_of(ns, workload))
    if not services:
        raise b.fail(
            target.key,
            "spec.destination.name",
            f"no known Service selects the pods of ServiceAccount {ns}/{account}: App Mesh "
            "allows calls per VirtualService, so pass the workload (serviceAccountName: "
            f"{account}) and the Service selecting it",
        )
    return [services[name] for name in sorted(services)]


def _rule_warnings(b: Builder, target: TrafficTarget) -> None:
    ns = target.metadata.namespace
    for index, rule in enumerate(target.spec.rules):
        where = f"spec.rules[{index}] ({rule.kind} {rule.name})"
        if rule.kind == "UDPRoute":
            b.warn(target.key, f"{where}: App Mesh carries no UDP; the rule has no effect")
            continue
        if rule.kind == "TCPRoute":
            route = b.specs.get(TCPRoute, ns, rule.name)
            if route is not None and route.spec.matches.ports:
                ports = ", ".join(str(p) for p in route.spec.matches.ports)
                b.warn(
                    target.key,
                    f"{where}: App Mesh cannot limit an allow to ports ({ports}); the sources "
                    "may reach every listener of the destination's VirtualService",
                )
            continue
        group = b.specs.get(HTTPRouteGroup, ns, rule.name)
        if group is None:
            continue
        for match in group.spec.matches:
            if rule.matches and match.name not in rule.matches:
                continue
            limits = []
            if match.path_regex is not None:
                limits.append(f"path {match.path_regex!r}")
            if not match.any_method:
                limits.append(f"methods {', '.join(match.methods)}")
            if match.headers:
                limits.append(f"headers {', '.join(sorted(match.headers))}")
            if limits:
                b.warn(
                    target.key,
                    f"{where}: App Mesh cannot enforce match {match.name!r} "
                    f"({'; '.join(limits)}): the sources may send any request to the destination",
                )


def translate_targets(b: Builder) -> None:
    """Backends allow-lists of the sources' VirtualNodes, and warnings for the rest."""
    if not b.specs.traffic_targets:
        return
    if b.options.creates_mesh and b.options.egress_filter == "ALLOW_ALL":
        first = b.specs.traffic_targets[0]
        raise b.fail(
            first.key,
            "spec",
            "egress_filter ALLOW_ALL lets every workload reach every Service, so App Mesh "
            "would enforce no TrafficTarget: use DROP_ALL",
        )
    if not b.options.creates_mesh:
        b.warn(
            None,
            f"App Mesh enforces TrafficTargets only when mesh {b.options.mesh!r} has egress "
            "filter DROP_ALL; pulumi-smi does not manage that existing mesh, so check it",
        )
    allowed: dict[str, set[str]] = defaultdict(set)
    for target in b.specs.traffic_targets:
        _rule_warnings(b, target)
        names = []
        for service in _destinations(b, target):
            dns = b.dns(service.namespace, service.name)
            if b.virtual_service_name(service.namespace, service.name) not in b.resources:
                node = b.node(service, target.key, "spec.destination.name")
                provider = {"virtualNode": {"virtualNodeName": ref(node, "name")}}
                b.virtual_service(service.namespace, service.name, provider, target.key)
            names.append(dns)
        for index, source in enumerate(target.spec.sources):
            ns = source.namespace or target.metadata.namespace
            workloads = b.specs.catalogue.workloads_of(ns, source.name)
            path = f"spec.sources[{index}].name"
            if not workloads:
                raise b.fail(
                    target.key,
                    path,
                    f"no known workload runs as ServiceAccount {ns}/{source.name}: App Mesh "
                    "allows calls on the caller's VirtualNode, so pass its Deployment "
                    "(or StatefulSet/DaemonSet) manifest",
                )
            for workload in workloads:
                services = b.services_of(ns, workload)
                nodes = [b.node(s, target.key, path) for s in services] or [
                    b.client_node(workload, target.key, path)
                ]
                for node in nodes:
                    allowed[node].update(names)
    for node, granted in allowed.items():
        resource = b.resources[node]
        if len(granted) > MAX_BACKENDS:
            raise b.fail(
                b.specs.traffic_targets[0].key,
                "spec.sources",
                f"VirtualNode {resource.properties['name']} would list {len(granted)} backends; "
                f"App Mesh allows {MAX_BACKENDS} (not adjustable)",
            )
        spec = dict(resource.properties["spec"])
        spec["backends"] = [{"virtualService": {"virtualServiceName": n}} for n in sorted(granted)]
        b.resources[node] = type(resource)(
            VIRTUAL_NODE,
            node,
            {**resource.properties, "spec": spec},
            resource.depends_on,
            resource.owner,
        )
