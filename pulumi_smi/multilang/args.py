"""The arguments of the multi-language components: what other languages send.

Every component takes one ``args`` TypedDict whose fields are ``pulumi.Input[...]``: the
SDK's analyzer turns these classes, their field annotations and the docstrings under the
fields into the package schema (``schema.json``), so the docstrings are what TypeScript, Go,
C# and Java users see (Markdown). A field docstring is one string literal without line
breaks (long ones are adjacent literals, which Python joins), as the analyzer takes it
verbatim; the class docstrings are cleaned by :func:`schema_docs`. The provider maps the
schema's camelCase names back to these snake_case keys.

Meshes and route groups cannot cross languages as Python objects (another language holds
only their URNs), so components name them: ``meshes`` lists the resource names of
:class:`~pulumi_smi.multilang.Mesh` components, ``matches`` and a :class:`Rule`'s ``name``
the resource names of route-group components, all created earlier in the same program.

No ``from __future__ import annotations`` here: the analyzer reads these annotations at run
time, and strings would break it.
"""

import inspect
from enum import Enum
from typing import TypedDict, TypeVar

import pulumi
import pulumi_aws
import pulumi_kubernetes

try:
    import pulumi_consul
except ImportError as exc:  # pragma: no cover - the dev and plugin environments have it
    raise ImportError(
        "pulumi_smi.multilang needs the pulumi-consul SDK (its Mesh takes a consulProvider): "
        "pip install 'pulumi-smi[consul]'"
    ) from exc
from typing_extensions import NotRequired

C = TypeVar("C", bound=type)


def schema_docs(cls: C) -> C:
    """``cls`` with its docstring cleaned (no source indentation), as the schema shows it."""
    if cls.__doc__:
        cls.__doc__ = inspect.cleandoc(cls.__doc__)
    return cls


@schema_docs
class MeshKind(Enum):
    """The mesh a `Mesh` translates SMI into (`pulumi-smi convert --mesh`)."""

    SMI = "smi"
    (
        "SMI objects themselves (split.smi-spec.io, access.smi-spec.io, specs.smi-spec.io), for "
        "meshes that implement SMI."
    )
    ISTIO = "istio"
    """Istio: VirtualServices, DestinationRules, AuthorizationPolicies, PeerAuthentications."""
    LINKERD = "linkerd"
    """Linkerd: Gateway API HTTPRoutes and Linkerd's policy resources."""
    CONSUL = "consul"
    """Consul: consul-k8s CRDs, or Consul config entries through the pulumi-consul provider."""
    GATEWAY_API = "gateway-api"
    (
        "Gateway API for service meshes (GAMMA): HTTPRoutes, GRPCRoutes and TCPRoutes on "
        "Services, with the chosen mesh's authorization policies."
    )
    APPMESH = "appmesh"
    """AWS App Mesh: virtual nodes, routers, routes and services (end of support 2026-09-30)."""
    VPC_LATTICE = "vpc-lattice"
    """Amazon VPC Lattice: services, listeners, rules, target groups and auth policies."""


@schema_docs
class RouteKind(Enum):
    """The kind of route-group component a TrafficTarget rule names."""

    HTTP_ROUTE_GROUP = "HTTPRouteGroup"
    """An `HTTPRouteGroup` component: HTTP matches."""
    TCP_ROUTE = "TCPRoute"
    """A `TCPRoute` component: TCP ports."""
    UDP_ROUTE = "UDPRoute"
    """A `UDPRoute` component: UDP ports."""


@schema_docs
class HandoverScope(Enum):
    """What a weight hand-over leaves to the progressive-delivery controller."""

    WEIGHTS = "weights"
    """Each weight property only; Pulumi keeps managing the rest of the objects."""
    LISTS = "lists"
    (
        "For Kubernetes objects, the whole top-level list holding the weights (`spec.http`, "
        "`spec.rules`, ...): no server-side apply conflicts, but Pulumi no longer updates those "
        "routes. AWS resources keep the per-weight paths."
    )


@schema_docs
class CustomTimeouts(TypedDict):
    """Timeouts of the children's operations, as Go durations (`5m`, `1h30m`)."""

    create: NotRequired[pulumi.Input[str]]
    """How long a create may take."""
    update: NotRequired[pulumi.Input[str]]
    """How long an update may take."""
    delete: NotRequired[pulumi.Input[str]]
    """How long a delete may take."""
    read: NotRequired[pulumi.Input[str]]
    """How long a read may take."""


@schema_docs
class ChildOptions(TypedDict):
    """Resource options for every child resource of a Mesh or of a component.

    A mesh's and a component's are merged per child, the component's winning: the union of
    `ignoreChanges` (the mesh's first), the component's `protect` and `retainOnDelete` unless
    unset, the component's timeout per operation where it sets one.
    """

    ignore_changes: NotRequired[pulumi.Input[list[pulumi.Input[str]]]]
    (
        "Property paths in the engine's (camelCase) form: `metadata.labels`, "
        "`spec.http[0].route[1].weight`, `spec.rules[*]`. A path a child does not have is "
        "ignored on that child."
    )
    protect: NotRequired[pulumi.Input[bool]]
    """Refuse to delete the children."""
    retain_on_delete: NotRequired[pulumi.Input[bool]]
    """Leave the objects in the cluster or cloud when the children are deleted from the stack."""
    custom_timeouts: NotRequired[pulumi.Input[CustomTimeouts]]
    """Create, update, delete and read timeouts."""


@schema_docs
class MeshArgs(TypedDict):
    """The arguments of `Mesh`."""

    kind: pulumi.Input[MeshKind]
    """The target mesh."""
    mesh_name: NotRequired[pulumi.Input[str]]
    (
        "Name of the mesh instance, for the targets that name one: the App Mesh mesh, the VPC "
        "Lattice service network."
    )
    options: NotRequired[pulumi.Input[dict[str, pulumi.Input[str]]]]
    (
        "Target options by their Python names, as strings: the same as "
        '`pulumi-smi convert --set KEY=VALUE` (`default_deny: "false"`, a map as JSON). An '
        "option the target passes into resources untouched (`vpc_id`, `service_network`) may "
        "be the output of another resource."
    )
    kubernetes_provider: NotRequired[pulumi.Input[pulumi_kubernetes.Provider]]
    (
        "The cluster to write to, for the Kubernetes-based meshes (smi, istio, linkerd, "
        "gateway-api, consul with CRDs). Give at most one provider."
    )
    aws_provider: NotRequired[pulumi.Input[pulumi_aws.Provider]]
    """The AWS account and region, for appmesh and vpc-lattice."""
    consul_provider: NotRequired[pulumi.Input[pulumi_consul.Provider]]
    """The Consul cluster, for consul with the option `mode: config-entry`."""
    catalogue_files: NotRequired[pulumi.Input[list[pulumi.Input[str]]]]
    (
        "Kubernetes YAML (paths or glob patterns) of the Services, Deployments and "
        "ServiceAccounts translators need: ports, protocols, selectors, pod labels and "
        "identities. The provider process reads them: give absolute paths (a relative one is "
        "resolved in that process's working directory)."
    )
    child_options: NotRequired[pulumi.Input[ChildOptions]]
    """Resource options for every child of every component on this mesh."""


@schema_docs
class Backend(TypedDict):
    """A backend Service of a TrafficSplit and its relative weight (0 = no traffic)."""

    service: pulumi.Input[str]
    """The backend Service; with `mesh`, its name in that mesh."""
    weight: pulumi.Input[int]
    """Its relative weight, a whole number."""
    mesh: NotRequired[pulumi.Input[str]]
    (
        "The resource name of another `Mesh` of the program that serves it: on the split's "
        "meshes it is reached through the Service `<service>-<mesh>` standing for it."
    )
    host: NotRequired[pulumi.Input[str]]
    (
        "The DNS name it is reached at (may be the output of another resource). Without it, a "
        "vpc-lattice `mesh` gives the DNS name of its Lattice service for `service`."
    )


@schema_docs
class WeightHandover(TypedDict):
    """Leave a TrafficSplit's weights to a progressive-delivery controller (Flagger, Argo
    Rollouts): Pulumi creates the resources with the planned weights, then never changes a
    weight again."""

    scope: NotRequired[pulumi.Input[HandoverScope]]
    """What is left to the controller (default `weights`)."""
    field_manager: NotRequired[pulumi.Input[str]]
    (
        "The server-side apply field manager of the objects carrying the weights (default "
        "`pulumi-smi`; an empty string leaves pulumi-kubernetes' own)."
    )


@schema_docs
class TrafficSplitArgs(TypedDict):
    """The arguments of `TrafficSplit`."""

    service: pulumi.Input[str]
    """The apex Service clients call."""
    backends: pulumi.Input[list[pulumi.Input[Backend]]]
    """Backend Services and their relative weights."""
    meshes: pulumi.Input[list[pulumi.Input[str]]]
    (
        "The resource names of the `Mesh` components to translate into, created earlier in the "
        "program (give this component `dependsOn` on them)."
    )
    matches: NotRequired[pulumi.Input[list[pulumi.Input[str]]]]
    (
        "The resource names of `HTTPRouteGroup` components whose matches (ORed) select the "
        "traffic to split; everything else keeps going to the apex Service."
    )
    namespace: NotRequired[pulumi.Input[str]]
    """Kubernetes namespace of the apex and backend Services (default `default`)."""
    object_name: NotRequired[pulumi.Input[str]]
    """Kubernetes name, when it differs from the resource name."""
    labels: NotRequired[pulumi.Input[dict[str, pulumi.Input[str]]]]
    """Labels carried onto the emitted objects where a target has any."""
    annotations: NotRequired[pulumi.Input[dict[str, pulumi.Input[str]]]]
    """Annotations carried onto the emitted objects where a target has any."""
    weights_handover: NotRequired[pulumi.Input[WeightHandover]]
    """Leave the weights to a progressive-delivery controller once created."""
    child_options: NotRequired[pulumi.Input[ChildOptions]]
    """Resource options for every child (merged with the mesh's)."""


@schema_docs
class ServiceAccountRef(TypedDict):
    """A workload identity: a Kubernetes ServiceAccount."""

    name: pulumi.Input[str]
    """The ServiceAccount's name."""
    namespace: NotRequired[pulumi.Input[str]]
    """Its namespace (default: the TrafficTarget's)."""


@schema_docs
class Rule(TypedDict):
    """A route a TrafficTarget allows: a route-group component, optionally narrowed to some of
    its named matches."""

    kind: pulumi.Input[RouteKind]
    """The kind of the route-group component."""
    name: pulumi.Input[str]
    (
        "The resource name of the `HTTPRouteGroup`, `TCPRoute` or `UDPRoute` component, created "
        "earlier in the program (give the TrafficTarget `dependsOn` on it)."
    )
    matches: NotRequired[pulumi.Input[list[pulumi.Input[str]]]]
    """For an HTTPRouteGroup, the names of the matches allowed (default: all of them)."""


@schema_docs
class TrafficTargetArgs(TypedDict):
    """The arguments of `TrafficTarget`."""

    destination: pulumi.Input[ServiceAccountRef]
    """The ServiceAccount of the workload receiving traffic; it must live in `namespace`."""
    sources: pulumi.Input[list[pulumi.Input[ServiceAccountRef]]]
    """ServiceAccounts allowed to call it (any namespace)."""
    rules: pulumi.Input[list[pulumi.Input[Rule]]]
    """The routes allowed."""
    meshes: pulumi.Input[list[pulumi.Input[str]]]
    (
        "The resource names of the `Mesh` components to translate into, created earlier in the "
        "program (give this component `dependsOn` on them)."
    )
    namespace: NotRequired[pulumi.Input[str]]
    """Kubernetes namespace of the TrafficTarget and its destination (default `default`)."""
    object_name: NotRequired[pulumi.Input[str]]
    """Kubernetes name, when it differs from the resource name."""
    labels: NotRequired[pulumi.Input[dict[str, pulumi.Input[str]]]]
    """Labels carried onto the emitted objects where a target has any."""
    annotations: NotRequired[pulumi.Input[dict[str, pulumi.Input[str]]]]
    """Annotations carried onto the emitted objects where a target has any."""
    child_options: NotRequired[pulumi.Input[ChildOptions]]
    """Resource options for every child (merged with the mesh's)."""


@schema_docs
class HttpMatch(TypedDict):
    """A named HTTP match: every condition given must hold."""

    name: pulumi.Input[str]
    """The match's name, which TrafficTarget rules refer to."""
    path_regex: NotRequired[pulumi.Input[str]]
    """A regex anchored at the start of the path (SMI semantics)."""
    methods: NotRequired[pulumi.Input[list[pulumi.Input[str]]]]
    """HTTP methods; empty or `["*"]` means all."""
    headers: NotRequired[pulumi.Input[dict[str, pulumi.Input[str]]]]
    """Header name -> regex on its value."""


@schema_docs
class HTTPRouteGroupArgs(TypedDict):
    """The arguments of `HTTPRouteGroup`."""

    matches: pulumi.Input[list[pulumi.Input[HttpMatch]]]
    """The named matches; each one's conditions are ANDed."""
    meshes: pulumi.Input[list[pulumi.Input[str]]]
    (
        "The resource names of the `Mesh` components to translate into, created earlier in the "
        "program (give this component `dependsOn` on them)."
    )
    namespace: NotRequired[pulumi.Input[str]]
    """Kubernetes namespace of the route group (default `default`)."""
    object_name: NotRequired[pulumi.Input[str]]
    """Kubernetes name, when it differs from the resource name."""
    labels: NotRequired[pulumi.Input[dict[str, pulumi.Input[str]]]]
    """Labels carried onto the emitted objects where a target has any."""
    annotations: NotRequired[pulumi.Input[dict[str, pulumi.Input[str]]]]
    """Annotations carried onto the emitted objects where a target has any."""
    child_options: NotRequired[pulumi.Input[ChildOptions]]
    """Resource options for every child (merged with the mesh's)."""


@schema_docs
class PortRouteArgs(TypedDict):
    """The arguments of `TCPRoute` and `UDPRoute`."""

    meshes: pulumi.Input[list[pulumi.Input[str]]]
    (
        "The resource names of the `Mesh` components to translate into, created earlier in the "
        "program (give this component `dependsOn` on them)."
    )
    ports: NotRequired[pulumi.Input[list[pulumi.Input[int]]]]
    """The ports, whole numbers; none means every port of the destination."""
    namespace: NotRequired[pulumi.Input[str]]
    """Kubernetes namespace of the route (default `default`)."""
    object_name: NotRequired[pulumi.Input[str]]
    """Kubernetes name, when it differs from the resource name."""
    labels: NotRequired[pulumi.Input[dict[str, pulumi.Input[str]]]]
    """Labels carried onto the emitted objects where a target has any."""
    annotations: NotRequired[pulumi.Input[dict[str, pulumi.Input[str]]]]
    """Annotations carried onto the emitted objects where a target has any."""
    child_options: NotRequired[pulumi.Input[ChildOptions]]
    """Resource options for every child (merged with the mesh's)."""


@schema_docs
class ManifestsArgs(TypedDict):
    """The arguments of `Manifests`."""

    files: pulumi.Input[list[pulumi.Input[str]]]
    (
        "SMI YAML (any apiVersion) plus Kubernetes Services, ServiceAccounts and workloads: "
        "paths or glob patterns, each matching a file. The provider process reads them: give "
        "absolute paths (a relative one is resolved in that process's working directory)."
    )
    meshes: pulumi.Input[list[pulumi.Input[str]]]
    (
        "The resource names of the `Mesh` components to translate into, created earlier in the "
        "program (give this component `dependsOn` on them)."
    )
    child_options: NotRequired[pulumi.Input[ChildOptions]]
    """Resource options for every child (merged with the mesh's)."""


@schema_docs
class TrafficMetricsArgs(TypedDict):
    """The arguments of `TrafficMetrics`."""

    mesh: pulumi.Input[str]
    (
        "The resource name of the `Mesh` whose traffic is measured, created earlier in the "
        "program (give this component `dependsOn` on it)."
    )
    files: NotRequired[pulumi.Input[list[pulumi.Input[str]]]]
    (
        "SMI and Kubernetes YAML (paths or glob patterns, each matching a file) whose "
        "TrafficSplits and Services carry objectives (the `smi.pulumi.com/slo-success-rate` "
        "and `smi.pulumi.com/slo-latency` annotations). The provider process reads them: give "
        "absolute paths (a relative one is resolved in that process's working directory)."
    )
    splits: NotRequired[pulumi.Input[list[pulumi.Input[str]]]]
    (
        "The resource names of `TrafficSplit` components whose objectives (annotations) are "
        "alerted on, created earlier in the program (give this component `dependsOn` on them)."
    )
    namespace: NotRequired[pulumi.Input[str]]
    """Namespace of the PrometheusRule and the dashboard ConfigMap (default `monitoring`)."""
    object_name: NotRequired[pulumi.Input[str]]
    (
        "Kubernetes name of the PrometheusRule and the dashboard ConfigMap (default: the "
        "resource name)."
    )
    dashboard: NotRequired[pulumi.Input[bool]]
    """Also emit the dashboard: a Grafana ConfigMap, or a CloudWatch dashboard (default true)."""
    alarm_actions: NotRequired[pulumi.Input[dict[str, pulumi.Input[list[pulumi.Input[str]]]]]]
    (
        "vpc-lattice only: per severity (`page`, `ticket`), the action ARNs (SNS topics) of the "
        "burn-rate alarms (may be outputs of other resources)."
    )
    kubernetes_provider: NotRequired[pulumi.Input[pulumi_kubernetes.Provider]]
    (
        "The cluster of the PrometheusRule and the dashboard, when the mesh's provider is not a "
        "Kubernetes one (appmesh, consul with config entries). Give at most one provider."
    )
    aws_provider: NotRequired[pulumi.Input[pulumi_aws.Provider]]
    """The AWS account and region of the CloudWatch dashboard and alarms, when not the mesh's."""
    child_options: NotRequired[pulumi.Input[ChildOptions]]
    """Resource options for every child (merged with the mesh's)."""


__all__ = [
    "Backend",
    "ChildOptions",
    "CustomTimeouts",
    "HTTPRouteGroupArgs",
    "HandoverScope",
    "HttpMatch",
    "ManifestsArgs",
    "MeshArgs",
    "MeshKind",
    "PortRouteArgs",
    "RouteKind",
    "Rule",
    "ServiceAccountRef",
    "TrafficMetricsArgs",
    "TrafficSplitArgs",
    "TrafficTargetArgs",
    "WeightHandover",
    "schema_docs",
]
