"""Every kind of workload feeds the catalogue: its pods' labels, ServiceAccount, ports, probes.

Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs (pod template at
``spec.jobTemplate.spec.template``), bare Pods (the manifest is the pod) and Argo Rollouts
(``spec.template``, or the pods of the Deployment/ReplicaSet ``spec.workloadRef`` names).
"""

from __future__ import annotations

import json
from typing import Any, get_args

import pytest
import yaml

import pulumi_smi
from pulumi_smi.errors import SmiValidationError
from pulumi_smi.spec import Catalogue, Workload, load_documents, load_text
from pulumi_smi.spec.catalogue import WorkloadKind
from pulumi_smi.spec.loader import _WORKLOAD_KINDS, read_documents

API_VERSIONS = {
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "ReplicaSet": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
    "Pod": "v1",
    "Rollout": "argoproj.io/v1alpha1",
}
NEW_KINDS = ["ReplicaSet", "Job", "CronJob", "Pod", "Rollout"]

# A pod exercising every field: named and unnamed TCP ports, UDP and SCTP ports, an HTTP probe
# on a named port, an ordinary init container (its ports do not serve) and a sidecar init
# container (restartPolicy Always: its ports and probes do).
POD_SPEC: dict[str, Any] = {
    "serviceAccountName": "api",
    "initContainers": [
        {
            "name": "migrate",
            "image": "migrate",
            "ports": [{"name": "migrate", "containerPort": 5000}],
        },
        {
            "name": "proxy",
            "image": "proxy",
            "restartPolicy": "Always",
            "ports": [{"name": "proxy", "containerPort": 15001}],
            "readinessProbe": {"httpGet": {"path": "/proxy-ready", "port": 15021}},
        },
    ],
    "containers": [
        {
            "name": "api",
            "image": "api",
            "ports": [
                {"name": "http", "containerPort": 8080},
                {"containerPort": 9090},
                {"name": "dns", "containerPort": 53, "protocol": "UDP"},
                {"containerPort": 7000, "protocol": "SCTP"},
                {"name": "admin", "containerPort": 8081, "protocol": "TCP"},
            ],
            "livenessProbe": {"httpGet": {"path": "/live", "port": "http"}},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
        }
    ],
}
LABELS = {"app": "api", "version": "v1"}


def manifest(
    kind: str,
    pod_spec: dict[str, Any] | None = None,
    labels: dict[str, Any] | None = None,
    name: str = "api",
    namespace: str = "shop",
) -> dict[str, Any]:
    """A ``kind`` manifest with pods of ``labels`` and ``pod_spec``, where ``kind`` keeps them."""
    pod = {
        "metadata": {"labels": LABELS if labels is None else labels},
        "spec": POD_SPEC if pod_spec is None else pod_spec,
    }
    metadata = {"name": name, "namespace": namespace}
    if kind == "Pod":
        spec: dict[str, Any] = pod["spec"]
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {**metadata, "labels": pod["metadata"]["labels"]},
            "spec": spec,
        }
    if kind == "CronJob":
        spec = {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": pod}}}
    else:
        spec = {"template": pod}
    return {"apiVersion": API_VERSIONS[kind], "kind": kind, "metadata": metadata, "spec": spec}


def text(*manifests: dict[str, Any]) -> str:
    return "---\n".join(yaml.safe_dump(m, sort_keys=False) for m in manifests)


def problems_of(source: str, *manifests: dict[str, Any]) -> list[str]:
    with pytest.raises(SmiValidationError) as err:
        load_text(text(*manifests), source)
    return [str(p) for p in err.value.problems]


# --- every kind loads ---------------------------------------------------------------------


def test_the_model_the_loader_and_these_tests_know_the_same_kinds() -> None:
    assert set(get_args(WorkloadKind)) == set(_WORKLOAD_KINDS) == set(API_VERSIONS)
    assert _WORKLOAD_KINDS == API_VERSIONS


@pytest.mark.parametrize("kind", list(API_VERSIONS))
def test_each_kind_loads_labels_service_account_ports_and_probes(kind: str) -> None:
    specs = load_text(text(manifest(kind)), "f.yaml")
    assert specs.warnings == ()
    (workload,) = specs.catalogue.workloads_of("shop", "api")
    assert workload.kind == kind
    assert (workload.namespace, workload.name) == ("shop", "api")
    assert workload.pod_labels == LABELS
    assert workload.service_account_name == "api"
    # named ports of the containers and of the sidecar init container, UDP ones included
    # (a UDP Service may target them by name); never the ordinary init container's
    assert workload.container_ports == {"http": 8080, "dns": 53, "admin": 8081, "proxy": 15001}
    # every TCP port, named or not; UDP 53 and SCTP 7000 are not TCP ports
    assert workload.tcp_ports == (8080, 8081, 9090, 15001)
    assert workload.probes == {8080: ("/live", "/ready"), 15021: ("/proxy-ready",)}


def test_a_cron_job_keeps_its_pod_template_under_the_job_template() -> None:
    cron = manifest("CronJob")
    assert cron["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"] == LABELS
    # a pod template where a Job keeps it is not where a CronJob does
    misplaced = {**cron, "spec": {"schedule": "@daily", "template": cron["spec"]["jobTemplate"]}}
    (workload,) = load_text(text(misplaced)).catalogue.workloads
    assert workload.pod_labels == {} and workload.service_account_name == "default"
    (workload,) = load_text(text(cron)).catalogue.workloads
    assert workload.pod_labels == LABELS and workload.service_account_name == "api"


def test_a_bare_pod_is_its_own_template() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "debug", "namespace": "shop", "labels": {"app": "debug"}},
        "spec": {"containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 80}]}]},
    }
    (workload,) = load_text(text(pod)).catalogue.workloads
    assert workload.kind == "Pod"
    assert workload.pod_labels == {"app": "debug"}
    assert workload.service_account_name == "default"
    assert workload.tcp_ports == (80,) and workload.container_ports == {}


@pytest.mark.parametrize(
    ("pod_spec", "account"),
    [
        ({}, "default"),
        ({"serviceAccountName": ""}, "default"),
        ({"serviceAccount": "legacy"}, "legacy"),
        ({"serviceAccountName": "", "serviceAccount": "legacy"}, "legacy"),
        ({"serviceAccountName": "api", "serviceAccount": "legacy"}, "api"),
    ],
)
@pytest.mark.parametrize("kind", NEW_KINDS)
def test_service_account_defaulting(kind: str, pod_spec: dict[str, Any], account: str) -> None:
    spec = {**pod_spec, "containers": [{"name": "c", "image": "i"}]}
    (workload,) = load_text(text(manifest(kind, spec))).catalogue.workloads
    assert workload.service_account_name == account


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_a_port_without_protocol_or_with_null_protocol_is_tcp(kind: str) -> None:
    ports = [{"containerPort": 80}, {"containerPort": 81, "protocol": None}]
    spec = {"containers": [{"name": "c", "image": "i", "ports": ports}]}
    (workload,) = load_text(text(manifest(kind, spec))).catalogue.workloads
    assert workload.tcp_ports == (80, 81)


def test_only_sidecar_init_containers_serve() -> None:
    init = [
        {"name": "a", "image": "a", "ports": [{"name": "a", "containerPort": 1}]},
        {"name": "b", "image": "b", "restartPolicy": "Never", "ports": [{"containerPort": 2}]},
        {"name": "c", "image": "c", "restartPolicy": "Always", "ports": [{"containerPort": 3}]},
    ]
    spec = {"initContainers": init, "containers": [{"name": "m", "image": "m"}]}
    (workload,) = load_text(text(manifest("Job", spec))).catalogue.workloads
    assert workload.tcp_ports == (3,) and workload.container_ports == {}


def test_python_declared_workloads_default_tcp_ports_to_the_named_ports() -> None:
    declared = Workload(kind="CronJob", name="report", container_ports={"http": 8080})
    assert declared.tcp_ports == (8080,)
    # given explicitly, tcp_ports is what it says: a named UDP port is not a TCP port
    explicit = Workload(kind="Pod", name="dns", container_ports={"dns": 53}, tcp_ports=(9153,))
    assert explicit.tcp_ports == (9153,)


# --- Argo Rollouts ------------------------------------------------------------------------


def rollout_ref(
    name: str = "api", ref: dict[str, Any] | None = None, **spec: Any
) -> dict[str, Any]:
    workload_ref = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api-deploy"}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {"workloadRef": workload_ref if ref is None else ref, **spec},
    }


@pytest.mark.parametrize("rollout_first", [True, False])
@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet"])
def test_a_rollout_with_a_workload_ref_has_the_pods_of_that_workload(
    kind: str, rollout_first: bool
) -> None:
    target = manifest(kind, name="api-deploy")
    rollout = rollout_ref(ref={"apiVersion": "apps/v1", "kind": kind, "name": "api-deploy"})
    docs = [rollout, target] if rollout_first else [target, rollout]
    catalogue = load_text(text(*docs)).catalogue
    by_kind = {w.kind: w for w in catalogue.workloads_of("shop", "api")}
    assert set(by_kind) == {kind, "Rollout"}
    resolved, referenced = by_kind["Rollout"], by_kind[kind]
    assert (resolved.namespace, resolved.name) == ("shop", "api")
    assert resolved.pod_labels == referenced.pod_labels == LABELS
    assert resolved.service_account_name == "api"
    assert resolved.container_ports == referenced.container_ports
    assert resolved.tcp_ports == referenced.tcp_ports == (8080, 8081, 9090, 15001)
    assert resolved.probes == referenced.probes


def test_a_workload_ref_ignores_an_empty_template_as_argo_does() -> None:
    rollout = rollout_ref(template={"spec": {"containers": [{"name": "x", "image": "x"}]}})
    catalogue = load_text(text(rollout, manifest("Deployment", name="api-deploy"))).catalogue
    resolved = next(w for w in catalogue.workloads if w.kind == "Rollout")
    assert resolved.pod_labels == LABELS and resolved.tcp_ports == (8080, 8081, 9090, 15001)


def test_a_workload_ref_resolves_to_a_workload_declared_in_python() -> None:
    declared = Workload(
        name="api-deploy", namespace="shop", pod_labels={"app": "api"}, service_account_name="api"
    )
    documents = read_documents(text(rollout_ref()), "f.yaml")
    specs = load_documents(documents, Catalogue(workloads=(declared,)))
    resolved = next(w for w in specs.catalogue.workloads if w.kind == "Rollout")
    assert resolved.pod_labels == {"app": "api"} and resolved.service_account_name == "api"


def test_a_workload_ref_to_a_workload_not_in_the_input_is_a_located_error() -> None:
    bad_deployment = manifest("Deployment", name="other")
    bad_deployment["spec"] = "oops"
    rendered = problems_of("f.yaml", rollout_ref(), bad_deployment)
    # the problems are in document order, the unresolved reference first
    assert rendered == [
        "f.yaml: document 1 (Rollout/api): spec.workloadRef.name: Deployment shop/api-deploy is "
        "not in the input: the Rollout runs the pod template of that Deployment, so pass its "
        "manifest too (pulumi-smi needs the pods' labels, ServiceAccount and ports)",
        "f.yaml: document 2 (Deployment/other): spec: must be a mapping, got str",
    ]


def test_a_workload_in_another_namespace_does_not_resolve_a_workload_ref() -> None:
    elsewhere = manifest("Deployment", name="api-deploy", namespace="other")
    (problem,) = problems_of("f.yaml", rollout_ref(), elsewhere)
    assert "Deployment shop/api-deploy is not in the input" in problem


def test_a_workload_ref_to_an_invalid_workload_reports_that_workload_only() -> None:
    broken = manifest("Deployment", name="api-deploy")
    broken["spec"]["template"]["spec"] = ["not", "a", "mapping"]
    assert problems_of("f.yaml", rollout_ref(), broken) == [
        "f.yaml: document 2 (Deployment/api-deploy): spec.template.spec: "
        "must be a mapping, got list"
    ]


# --- located errors for malformed shapes of each new kind ---------------------------------


def malformed(kind: str, path: str, value: Any) -> dict[str, Any]:
    """A valid ``kind`` manifest with the field at the dotted ``path`` set to ``value``."""
    doc = json.loads(json.dumps(manifest(kind)))
    node = doc
    parts = path.replace("[", ".").replace("]", "").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    last = parts[-1]
    if last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return doc


TEMPLATE = {"CronJob": "spec.jobTemplate.spec.template.", "Pod": ""}

SHAPES = [
    ("spec", "a string", "must be a mapping, got str"),
    ("{t}spec", ["a", "list"], "must be a mapping, got list"),
    ("{t}spec.containers", {"a": "mapping"}, "must be a list, got dict"),
    ("{t}spec.containers[0]", "api", "must be a mapping, got str"),
    ("{t}spec.containers[0].ports", 8080, "must be a list, got int"),
    ("{t}spec.containers[0].ports[0].containerPort", "8080", "must be an integer, got '8080'"),
    ("{t}spec.containers[0].ports[0].name", ["http"], "must be a string, got list"),
    ("{t}spec.containers[0].ports[0].protocol", "tcp", "must be TCP, UDP or SCTP, got 'tcp'"),
    ("{t}spec.containers[0].livenessProbe.httpGet.port", "web", "is not a container port"),
    ("{t}spec.containers[0].livenessProbe.httpGet.path", 5, "must be a string, got int"),
    ("{t}spec.initContainers", "proxy", "must be a list, got str"),
    ("{t}spec.initContainers[1]", 1, "must be a mapping, got int"),
    ("{t}spec.initContainers[1].ports[0].containerPort", None, "must be an integer, got None"),
    ("{t}spec.initContainers[1].readinessProbe.httpGet.port", "x", "is not a container port"),
    ("{t}spec.serviceAccountName", 7, "must be a string, got int"),
    ("{t}spec.serviceAccount", ["sa"], "must be a string, got list"),
    ("{t}metadata", "labels", "must be a mapping, got str"),
    ("{t}metadata.labels", ["app"], "valid dictionary"),
    ("{t}metadata.labels.app", 5, "valid string"),
    ("metadata.name", "Not_A_Name", "Not_A_Name"),
]


@pytest.mark.parametrize(("template_path", "value", "fragment"), SHAPES)
@pytest.mark.parametrize("kind", NEW_KINDS)
def test_malformed_shapes_are_located(
    kind: str, template_path: str, value: Any, fragment: str
) -> None:
    prefix = TEMPLATE.get(kind, "spec.template.")
    path = template_path.format(t=prefix)
    problem, *others = problems_of("f.yaml", malformed(kind, path, value))
    # a Pod's pod metadata is its object metadata: unreadable, it names no object
    name = {"metadata.name": "Not_A_Name", "metadata": "?"}.get(path, "api")
    assert problem.startswith(f"f.yaml: document 1 ({kind}/{name}): {path}: "), problem
    assert fragment in problem
    assert not others


@pytest.mark.parametrize(
    ("path", "value", "fragment"),
    [
        ("spec.jobTemplate", "job", "must be a mapping, got str"),
        ("spec.jobTemplate.spec", ["x"], "must be a mapping, got list"),
        ("spec.jobTemplate.spec.template", 3, "must be a mapping, got int"),
    ],
)
def test_malformed_cron_job_template_levels_are_located(
    path: str, value: Any, fragment: str
) -> None:
    (problem,) = problems_of("c.yaml", malformed("CronJob", path, value))
    assert problem == f"c.yaml: document 1 (CronJob/api): {path}: {fragment}"


@pytest.mark.parametrize(
    ("spec", "path", "fragment"),
    [
        ({"workloadRef": "api-deploy"}, "spec.workloadRef", "must be a mapping, got str"),
        (
            {"workloadRef": {"apiVersion": "v1", "kind": "PodTemplate", "name": "t"}},
            "spec.workloadRef.kind",
            "must be Deployment or ReplicaSet",
        ),
        (
            {"workloadRef": {"kind": "Deployment", "name": "api-deploy"}},
            "spec.workloadRef.apiVersion",
            "must be apps/v1, got None",
        ),
        (
            {"workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment"}},
            "spec.workloadRef.name",
            "must be a workload name, got None",
        ),
        (
            {
                "workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"},
                "template": {"metadata": {"labels": {"app": "api"}}},
            },
            "spec.template",
            "must be empty when spec.workloadRef is set",
        ),
    ],
)
def test_malformed_workload_refs_are_located(
    spec: dict[str, Any], path: str, fragment: str
) -> None:
    rollout = rollout_ref()
    rollout["spec"] = spec
    (problem,) = problems_of("r.yaml", rollout, manifest("Deployment", name="d"))
    assert problem.startswith(f"r.yaml: document 1 (Rollout/api): {path}: "), problem
    assert fragment in problem


# --- apiVersions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        ("batch/v1beta1", "CronJob"),
        ("extensions/v1beta1", "ReplicaSet"),
        ("argoproj.io/v1beta1", "Rollout"),
        ("apps/v1", "Job"),
        ("apps/v1beta2", "Deployment"),
    ],
)
def test_a_workload_kind_in_another_api_version_is_skipped_with_a_warning(
    api_version: str, kind: str
) -> None:
    doc = {**manifest(kind), "apiVersion": api_version}
    specs = load_text(text(doc), "f.yaml")
    assert specs.catalogue.workloads == ()
    assert specs.warnings == (
        f"f.yaml: document 1 ({kind}/api): skipped: {api_version} {kind} is not read by "
        f"pulumi-smi (it reads {API_VERSIONS[kind]} {kind})",
    )


# --- end to end ---------------------------------------------------------------------------

SMI = """
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: api-routes, namespace: shop}
spec:
  matches: [{name: read, pathRegex: /api/.*, methods: [GET]}]
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: web-to-api, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: api}
  sources: [{kind: ServiceAccount, name: web}]
  rules: [{kind: HTTPRouteGroup, name: api-routes, matches: [read]}]
"""

SOURCE_POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
    "spec": {"serviceAccountName": "web", "containers": [{"name": "web", "image": "web"}]},
}


@pytest.mark.parametrize("destination", ["CronJob", "Rollout", "Rollout-workloadRef"])
def test_istio_policy_selects_the_pods_of_a_cron_job_or_a_rollout(destination: str) -> None:
    if destination == "Rollout-workloadRef":
        # the migration pattern: the Deployment scaled to zero, the Rollout running its template
        workloads: tuple[dict[str, Any], ...] = (
            rollout_ref(),
            manifest("Deployment", name="api-deploy"),
        )
    else:
        workloads = (manifest(destination),)
    specs = pulumi_smi.load_text(text(*workloads, SOURCE_POD) + "---" + SMI, "f.yaml")
    plan = pulumi_smi.translate(specs, "istio")
    policy = next(
        r.properties
        for r in plan
        if r.properties["kind"] == "AuthorizationPolicy"
        and r.properties["metadata"]["name"] == "web-to-api"
    )
    assert policy["spec"]["selector"] == {"matchLabels": LABELS}
    assert policy["spec"]["action"] == "ALLOW"
    (rule,) = policy["spec"]["rules"]
    assert rule["from"] == [{"source": {"principals": ["cluster.local/ns/shop/sa/web"]}}]


def test_an_istio_destination_known_only_by_an_unresolved_rollout_is_refused() -> None:
    with pytest.raises(SmiValidationError) as err:
        pulumi_smi.load_text(text(rollout_ref(), SOURCE_POD) + "---" + SMI, "f.yaml")
    assert "spec.workloadRef.name" in str(err.value)
