"""Behavioural tests of the CRD schema checker (sdk_tests/schema_check.py)."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cel_check import coverage
from schema_check import SchemaViolation, schema_for, validate_manifest, validate_manifests

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "sdk_tests" / "schemas"
CRDS = REPO.parent / "shared" / "crds"
V1_2_1 = "gateway-api-v1.2.1"


def meta(name: str = "reviews", namespace: str = "bookinfo") -> dict[str, Any]:
    return {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/name": "reviews"}}


def traffic_split() -> dict[str, Any]:
    return {
        "apiVersion": "split.smi-spec.io/v1alpha4",
        "kind": "TrafficSplit",
        "metadata": meta(),
        "spec": {
            "service": "reviews",
            "backends": [
                {"service": "reviews-v1", "weight": 90},
                {"service": "reviews-v2", "weight": 10},
            ],
        },
    }


def http_route() -> dict[str, Any]:
    backends = [
        {"group": "", "kind": "Service", "name": "reviews-v1", "port": 9080, "weight": 90},
        {"group": "", "kind": "Service", "name": "reviews-v2", "port": 9080, "weight": 10},
    ]
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": meta(),
        "spec": {
            "parentRefs": [{"group": "", "kind": "Service", "name": "reviews", "port": 9080}],
            "rules": [{"backendRefs": backends}],
        },
    }


def authorization_policy(ports: list[Any]) -> dict[str, Any]:
    return {
        "apiVersion": "security.istio.io/v1",
        "kind": "AuthorizationPolicy",
        "metadata": meta(),
        "spec": {
            "selector": {"matchLabels": {"app": "reviews"}},
            "action": "ALLOW",
            "rules": [
                {
                    "from": [
                        {"source": {"principals": ["cluster.local/ns/bookinfo/sa/productpage"]}}
                    ],
                    "to": [{"operation": {"ports": ports, "methods": ["GET"]}}],
                }
            ],
        },
    }


def http_route_group(headers: Any) -> dict[str, Any]:
    return {
        "apiVersion": "specs.smi-spec.io/v1alpha4",
        "kind": "HTTPRouteGroup",
        "metadata": meta("beta-users"),
        "spec": {"matches": [{"name": "beta", "pathRegex": "/api/.*", "headers": headers}]},
    }


def violation(manifest: dict[str, Any], *, root: str | None = None) -> str:
    with pytest.raises(SchemaViolation) as info:
        validate_manifest(manifest, root=root)
    return str(info.value)


def test_traffic_split_passes() -> None:
    validate_manifest(traffic_split())


def test_misspelt_field_names_its_path() -> None:
    manifest = traffic_split()
    backend = manifest["spec"]["backends"][1]
    backend["weigth"] = backend.pop("weight")
    message = violation(manifest)
    assert "TrafficSplit bookinfo/reviews" in message
    assert "$.spec.backends[1].weigth: unknown field" in message
    assert "$.spec.backends[1].weight: required field is missing" in message


def test_missing_required_field() -> None:
    manifest = traffic_split()
    del manifest["spec"]["service"]
    assert "$.spec.service: required field is missing" in violation(manifest)


def test_wrong_type_is_reported() -> None:
    manifest = traffic_split()
    manifest["spec"]["backends"][0]["weight"] = "90"
    assert "$.spec.backends[0].weight: '90' is not of type 'number'" in violation(manifest)


def test_unknown_kind_and_core_kind_fail() -> None:
    manifest = traffic_split()
    manifest["kind"] = "TrafficSplitter"
    assert "no schema for apiVersion='split.smi-spec.io/v1alpha4'" in violation(manifest)
    service = {"apiVersion": "v1", "kind": "Service", "metadata": meta(), "spec": {}}
    assert "no schema" in violation(service)
    with pytest.raises(SchemaViolation, match="no schema"):
        schema_for("split.smi-spec.io/v1alpha3", "TrafficSplit")  # served: false


@pytest.mark.parametrize(
    ("metadata", "path"),
    [
        ({"name": "Reviews"}, "$.metadata.name"),
        ({"name": "reviews-"}, "$.metadata.name"),
        ({"name": "a" * 254}, "$.metadata.name"),
        ({"name": "reviews", "namespace": "book.info"}, "$.metadata.namespace"),
        ({"name": "reviews", "namespace": "n" * 64}, "$.metadata.namespace"),
        ({"name": "reviews", "labels": {"app": 1}}, "$.metadata.labels['app']"),
        ({"name": "reviews", "labels": {"app": "a b"}}, "$.metadata.labels['app']"),
        ({"name": "reviews", "annotations": ["x"]}, "$.metadata.annotations"),
        ({"name": "reviews", "uid": "123"}, "$.metadata.uid"),
        ({"namespace": "bookinfo"}, "$.metadata.name"),
        (None, "$.metadata"),
    ],
)
def test_bad_metadata(metadata: Any, path: str) -> None:
    manifest = traffic_split()
    if metadata is None:
        del manifest["metadata"]
    else:
        manifest["metadata"] = metadata
    assert f"\n  {path}: " in violation(manifest)


def test_dotted_name_and_annotations_pass() -> None:
    manifest = traffic_split()
    manifest["metadata"] = {"name": "reviews.v2", "annotations": {"example.org/note": "a b: c"}}
    validate_manifest(manifest)


def test_status_and_other_top_level_keys_fail() -> None:
    manifest = traffic_split()
    manifest["status"] = {}
    manifest["data"] = 1
    message = violation(manifest)
    assert "$.status: unknown field" in message
    assert "$.data: unknown field" in message


def test_not_json_serialisable_fails() -> None:
    manifest = traffic_split()
    manifest["spec"]["backends"][0]["weight"] = float("nan")
    assert "not JSON-serialisable" in violation(manifest)


def test_istio_authorization_policy_ports_are_strings() -> None:
    validate_manifest(authorization_policy(["8080"]))
    message = violation(authorization_policy([8080]))
    assert "$.spec.rules[0].to[0].operation.ports[0]: 8080 is not of type 'string'" in message


def test_istio_virtual_service_with_weights() -> None:
    route = [
        {"destination": {"host": "reviews-v1", "port": {"number": 9080}}, "weight": 90},
        {"destination": {"host": "reviews-v2", "port": {"number": 9080}}, "weight": 10},
    ]
    manifest: dict[str, Any] = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": meta(),
        "spec": {"hosts": ["reviews"], "http": [{"route": route}]},
    }
    validate_manifest(manifest)
    manifest["spec"]["http"][0]["retries"] = {"attempts": 3, "retryRemoteLocalities": None}
    validate_manifest(manifest)  # nullable: true
    manifest["spec"]["http"][0]["retries"]["attempts"] = None  # not nullable
    assert "$.spec.http[0].retries.attempts: None is not of type 'integer'" in violation(manifest)
    manifest["spec"]["http"][0]["retries"]["attempts"] = 3
    manifest["spec"]["http"][0]["route"][0]["weight"] = 90.0  # a float is not an integer
    assert "90.0 is not of type 'integer'" in violation(manifest)


@pytest.mark.parametrize("root", [None, V1_2_1])
def test_gateway_api_http_route(root: str | None) -> None:
    validate_manifest(http_route(), root=root)
    bad = http_route()
    bad["spec"]["rules"][0]["backendRefs"][0]["wieght"] = 1
    assert ".backendRefs[0].wieght: unknown field" in violation(bad, root=root)


def test_v1_2_1_root_lacks_newer_versions() -> None:
    schema_for("gateway.networking.k8s.io/v1", "ReferenceGrant")
    with pytest.raises(SchemaViolation, match=re.escape(V1_2_1)):
        schema_for("gateway.networking.k8s.io/v1", "ReferenceGrant", root=V1_2_1)


def test_linkerd_server() -> None:
    manifest: dict[str, Any] = {
        "apiVersion": "policy.linkerd.io/v1beta3",
        "kind": "Server",
        "metadata": meta("reviews-http"),
        "spec": {
            "podSelector": {"matchLabels": {"app": "reviews"}},
            "port": "http",
            "proxyProtocol": "HTTP/1",
        },
    }
    validate_manifest(manifest)
    manifest["spec"]["port"] = 9080  # x-kubernetes-int-or-string
    validate_manifest(manifest)
    manifest["spec"]["port"] = 90.5
    assert "$.spec.port: 90.5 is not of type 'integer', 'string'" in violation(manifest)


def test_consul_service_splitter() -> None:
    manifest = {
        "apiVersion": "consul.hashicorp.com/v1alpha1",
        "kind": "ServiceSplitter",
        "metadata": meta(),
        "spec": {
            "splits": [
                {"service": "reviews-v1", "weight": 66.67},
                {"service": "reviews-v2", "weight": 33.33},
            ]
        },
    }
    validate_manifest(manifest)


def test_http_route_group_headers_list_of_maps_only() -> None:
    validate_manifest(http_route_group([{"x-beta": "true"}]))
    message = violation(http_route_group({"x-beta": "true"}))
    assert "$.spec.matches[0].headers: {'x-beta': 'true'} is not of type 'array'" in message


def test_list_map_keys_must_be_unique() -> None:
    manifest = http_route()
    rule = manifest["spec"]["rules"][0]
    rule["filters"] = [
        {
            "type": "RequestHeaderModifier",
            "requestHeaderModifier": {"set": [{"name": "x-a", "value": "1"}] * 2},
        }
    ]
    assert ".set[1]: duplicate entry for list-map keys ['name']" in violation(manifest)


def test_validate_manifests_reports_every_failure() -> None:
    bad = copy.deepcopy(traffic_split())
    bad["metadata"]["name"] = "Bad"
    with pytest.raises(SchemaViolation) as info:
        validate_manifests([traffic_split(), bad, {"kind": "X"}])
    assert str(info.value).startswith("2 invalid manifest(s):")
    validate_manifests([traffic_split(), http_route()])


def test_every_committed_schema_loads() -> None:
    index = json.loads((SCHEMAS / "INDEX.json").read_text(encoding="utf-8"))["schemas"]
    assert len(index) > 50
    for entry in index.values():
        schema = schema_for(entry["apiVersion"], entry["kind"], root=entry["root"])
        assert schema["additionalProperties"] is False


@pytest.mark.skipif(not CRDS.is_dir(), reason=f"CRD sources not found at {CRDS}")
def test_committed_schemas_are_up_to_date(tmp_path: Path) -> None:
    tool = REPO / "tools" / "extract_schemas.py"
    subprocess.run([sys.executable, str(tool), str(CRDS), "--out", str(tmp_path)], check=True)
    fresh = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in tmp_path.rglob("*.json")}
    committed = {p.relative_to(SCHEMAS).as_posix(): p.read_bytes() for p in SCHEMAS.rglob("*.json")}
    assert sorted(fresh) == sorted(committed), "run tools/extract_schemas.py"
    stale = [rel for rel in fresh if fresh[rel] != committed[rel]]
    assert not stale, f"stale schemas, run tools/extract_schemas.py: {stale}"


def test_cel_rules_of_the_crd_are_evaluated_after_defaulting() -> None:
    route = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "parentRefs": [{"group": "", "kind": "Service", "name": "web", "port": 80}],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": "api"}}],
                    "backendRefs": [{"name": "web-v1", "port": 80}],
                }
            ],
        },
    }
    with pytest.raises(SchemaViolation, match=r"CEL rule fails: .*must be an absolute path"):
        validate_manifest(route)
    route["spec"]["rules"][0]["matches"][0]["path"]["value"] = "/api"  # type: ignore[index]
    validate_manifest(route)
    route["spec"]["rules"][0]["backendRefs"][0].pop("port")  # type: ignore[index]
    with pytest.raises(SchemaViolation, match="Must have port for Service reference"):
        validate_manifest(route)  # kind defaults to Service: the rule sees the default


def test_every_cel_rule_of_every_extracted_schema_is_evaluated() -> None:
    skipped = {}
    for path in sorted(SCHEMAS.rglob("*.json")):
        if path.name != "INDEX.json":
            _, missed = coverage(json.loads(path.read_text()))
            if missed:
                skipped[str(path.relative_to(SCHEMAS))] = missed
    assert skipped == {}  # a rule cel-python cannot compile would otherwise go unchecked
