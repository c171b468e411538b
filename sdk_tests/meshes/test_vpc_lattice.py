"""vpc-lattice: routing and auth verdicts by ``evaluate.lattice``, inputs by botocore's model."""

from __future__ import annotations

import contextlib
import io
import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore_check import violations
from evaluate.lattice import Request, allowed, route
from moto import mock_aws

from pulumi_smi.cli import main
from pulumi_smi.errors import TranslationError
from pulumi_smi.meshes.base import default_namer
from pulumi_smi.meshes.vpc_lattice import LatticeOptions, translate
from pulumi_smi.plan import Plan, Resource, parse_reference
from pulumi_smi.spec import load_text

VPC = "vpc-0123456789abcdef0"
OPTIONS = {"vpc_id": VPC, "eks_cluster_name": "prod-eks"}


def _svc(name: str, port: str = "{name: http, port: 80, targetPort: 8080}", sa: str = "") -> str:
    return f"""
---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: shop}}
spec: {{selector: {{app: {name}}}, ports: [{port}]}}
""" + _deployment(name, sa or name)


def _deployment(name: str, sa: str) -> str:
    return f"""
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{serviceAccountName: {sa}, containers: [{{name: c, image: i}}]}}
"""


def _split(weights: dict[str, int], name: str = "web", matches: str = "") -> str:
    backends = ", ".join(f"{{service: {s}, weight: {w}}}" for s, w in weights.items())
    return f"""
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {{name: {name}, namespace: shop}}
spec: {{service: web, backends: [{backends}]{matches}}}
"""


def _routes(matches: str) -> str:
    return f"""
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {{name: routes, namespace: shop}}
spec: {{matches: {matches}}}
"""


APPS = _svc("web") + _svc("web-v1", sa="web") + _svc("web-v2", sa="web") + _svc("web-v3", sa="web")


def plan(text: str, **options: Any) -> Plan:
    merged = {**OPTIONS, **options}
    result = translate(load_text(text), LatticeOptions(**merged), default_namer)
    check_botocore(result)
    return result


def of(p: Plan, kind: str) -> list[Resource]:
    return [r for r in p if r.type.endswith(":" + kind)]


def tg_names(p: Plan) -> dict[str, str]:
    return {f"${{{r.name}.id}}": r.properties["name"] for r in of(p, "TargetGroup")}


def where(p: Plan, request: Request, port: int = 80) -> dict[str, Fraction]:
    (listener,) = [r for r in of(p, "Listener") if r.properties["port"] == port]
    own = f"${{{listener.name}.listenerId}}"
    rules = [
        r.properties for r in of(p, "ListenerRule") if r.properties["listenerIdentifier"] == own
    ]
    names = tg_names(p)
    return {names[k]: v for k, v in route(listener.properties, rules, request).items()}


# --- botocore strict checks ------------------------------------------------------------------

FAKE = {
    "id": {
        "Service": "svc-0123456789abcdefg",
        "TargetGroup": "tg-0123456789abcdefg",
        "ServiceNetwork": "sn-0123456789abcdefg",
    },
    "listenerId": "listener-0123456789abcdefg",
    "arn": "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdefg",
}
OPERATIONS = {
    "ServiceNetwork": "CreateServiceNetwork",
    "Service": "CreateService",
    "TargetGroup": "CreateTargetGroup",
    "Listener": "CreateListener",
    "ListenerRule": "CreateRule",
    "AuthPolicy": "PutAuthPolicy",
    "ServiceNetworkServiceAssociation": "CreateServiceNetworkServiceAssociation",
    "ServiceNetworkVpcAssociation": "CreateServiceNetworkVpcAssociation",
}


def _resolve(value: Any, kinds: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _resolve(v, kinds) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, kinds) for v in value]
    if isinstance(value, str) and value.startswith("${"):
        name, output = parse_reference(value[2:-1])
        fake = FAKE[output]
        return fake[kinds[name]] if isinstance(fake, dict) else fake
    return value


def api_params(resource: Resource, kinds: dict[str, str] | None = None) -> dict[str, Any]:
    """The API input of the resource's create call; references faked when ``kinds`` given."""
    params = dict(resource.properties) if kinds is None else _resolve(resource.properties, kinds)
    if "defaultAction" in params and "forwards" in params["defaultAction"]:
        params["defaultAction"] = {"forward": params["defaultAction"]["forwards"][0]}
    return params


def check_botocore(p: Plan) -> None:
    kinds = {r.name: r.type.rsplit(":", 1)[1] for r in p}
    for resource in p:
        kind = kinds[resource.name]
        found = violations("vpc-lattice", OPERATIONS[kind], api_params(resource, kinds))
        assert not found, f"{resource.name}: {found}"
        if kind == "AuthPolicy":
            policy = resource.properties["policy"]
            assert "\n" not in policy and len(policy.encode()) < 10 * 1024


# --- routing -----------------------------------------------------------------------------------


def test_canary_90_10() -> None:
    p = plan(APPS + _split({"web-v1": 90, "web-v2": 10}))
    assert where(p, Request()) == {
        "web-v1-shop-80": Fraction(9, 10),
        "web-v2-shop-80": Fraction(1, 10),
    }
    tg = of(p, "TargetGroup")[0].properties
    assert tg["type"] == "IP"
    assert tg["config"] == {
        "port": 8080,
        "protocol": "HTTP",
        "vpcIdentifier": VPC,
        "protocolVersion": "HTTP1",
    }
    assert of(p, "Service")[0].properties == {"name": "web-shop", "authType": "NONE"}


def test_three_way_and_scaling() -> None:
    p = plan(APPS + _split({"web-v1": 1, "web-v2": 1, "web-v3": 2}))
    assert where(p, Request())["web-v3-shop-80"] == Fraction(1, 2)
    scaled = plan(APPS + _split({"web-v1": 2000, "web-v2": 1000}))
    forward = of(scaled, "Listener")[0].properties["defaultAction"]["forwards"][0]
    assert [t["weight"] for t in forward["targetGroups"]] == [2, 1]


def test_zero_weight_left_out() -> None:
    p = plan(APPS + _split({"web-v1": 100, "web-v2": 0}))
    forward = of(p, "Listener")[0].properties["defaultAction"]["forwards"][0]["targetGroups"]
    assert len(forward) == 1 and forward[0]["weight"] == 100
    assert where(p, Request()) == {"web-v1-shop-80": 1}
    # web-v2 still gets its target group, so targets can be attached before traffic shifts
    assert sorted(tg_names(p).values()) == ["web-v1-shop-80", "web-v2-shop-80"]


def test_zero_weight_target_group_shared_by_splits_and_problems_once() -> None:
    routes = _routes("[{name: beta, headers: {x-beta: 'true'}}]")
    matched = _split({"web-v2": 1, "web-v3": 0}, name="beta", matches=", matches: [{name: routes}]")
    p = plan(APPS + routes + _split({"web-v1": 1, "web-v3": 0}) + matched)
    assert sorted(tg_names(p).values()) == ["web-v1-shop-80", "web-v2-shop-80", "web-v3-shop-80"]
    assert where(p, Request(headers={"x-beta": "true"})) == {"web-v2-shop-80": 1}
    assert where(p, Request()) == {"web-v1-shop-80": 1}
    long = "web--old"
    text = APPS + _svc(long) + _split({"web-v1": 1, long: 0})
    text += _split({long: 0, "web-v2": 1}, name="beta", matches=", matches: [{name: routes}]")
    with pytest.raises(TranslationError) as err:
        plan(text + routes)
    messages = [str(problem) for problem in err.value.problems]
    assert len(messages) == len(set(messages)) and any(long in m for m in messages)


def test_rounding_to_zero_warns() -> None:
    p = plan(APPS + _split({"web-v1": 1_000_000, "web-v2": 1}))
    assert any("rounds to 0" in w for w in p.warnings)


def test_header_ab_with_catch_all_to_apex() -> None:
    routes = _routes("[{name: beta, headers: {x-beta: 'true'}}]")
    text = APPS + routes + _split({"web-v2": 1}, matches=", matches: [{name: routes}]")
    p = plan(text)
    assert where(p, Request(headers={"x-beta": "true"})) == {"web-v2-shop-80": 1}
    assert where(p, Request(headers={"x-beta": "TRUE"})) == {"web-shop-80": 1}
    assert where(p, Request()) == {"web-shop-80": 1}


def test_the_apex_as_a_backend_forwards_to_its_own_target_group() -> None:
    p = plan(APPS + _split({"web": 90, "web-v2": 10}))
    assert where(p, Request()) == {
        "web-shop-80": Fraction(9, 10),
        "web-v2-shop-80": Fraction(1, 10),
    }
    (apex,) = [r for r in of(p, "TargetGroup") if r.properties["name"] == "web-shop-80"]
    assert apex.properties["config"]["port"] == 8080  # the apex pods' targetPort
    assert not p.warnings


def test_a_matched_split_may_list_the_apex_beside_the_default_split() -> None:
    routes = _routes("[{name: beta, headers: {x-beta: 'true'}}]")
    ab = _split({"web": 1, "web-v3": 1}, name="ab", matches=", matches: [{name: routes}]")
    p = plan(APPS + routes + ab + _split({"web-v1": 1}, name="canary"))
    half = {"web-shop-80": Fraction(1, 2), "web-v3-shop-80": Fraction(1, 2)}
    assert where(p, Request(headers={"x-beta": "true"})) == half
    assert where(p, Request()) == {"web-v1-shop-80": 1}


def test_path_reduced_exactly_and_methods_one_rule_each() -> None:
    routes = _routes(
        "[{name: api, pathRegex: '/api/.*', methods: [GET, POST]}, {name: x, pathRegex: '/x$'}]"
    )
    p = plan(APPS + routes + _split({"web-v2": 1}, matches=", matches: [{name: routes}]"))
    rules = [r.properties for r in of(p, "ListenerRule")]
    assert [r["priority"] for r in rules] == [1, 2, 3]
    assert [r["match"]["httpMatch"].get("method") for r in rules] == ["GET", "POST", None]
    assert where(p, Request("POST", "/api/v1")) == {"web-v2-shop-80": 1}
    assert where(p, Request("PUT", "/api/v1")) == {"web-shop-80": 1}
    assert where(p, Request("PUT", "/x")) == {"web-v2-shop-80": 1}
    assert where(p, Request("GET", "/x/y")) == {"web-shop-80": 1}
    assert where(p, Request("GET", "/API/v1")) == {"web-shop-80": 1}


@pytest.mark.parametrize(
    ("matches", "field"),
    [
        ("[{name: a, pathRegex: '/x/[0-9]+'}]", "spec.matches[0].pathRegex"),
        ("[{name: a, headers: {x-a: 'a|b'}}]", "spec.matches[0].headers.x-a"),
    ],
)
def test_unreducible_regex_is_an_error(matches: str, field: str) -> None:
    text = APPS + _routes(matches) + _split({"web-v2": 1}, matches=", matches: [{name: routes}]")
    with pytest.raises(TranslationError) as info:
        plan(text)
    assert field in str(info.value) and "HTTPRouteGroup/routes" in str(info.value)


def test_tls_port_is_tls_passthrough() -> None:
    apps = _svc("web", "{name: tls, port: 443}") + _svc("web-v1", "{name: tls, port: 443}")
    p = plan(apps + _split({"web-v1": 1}), domain_suffix="lattice.example.com")
    assert of(p, "Listener")[0].properties["protocol"] == "TLS_PASSTHROUGH"
    assert of(p, "TargetGroup")[0].properties["config"]["protocol"] == "TCP"
    assert of(p, "Service")[0].properties["customDomainName"] == "web.shop.lattice.example.com"


def test_plain_tcp_port_is_an_error() -> None:
    apps = _svc("web", "{name: tcp-db, port: 5432}") + _svc("web-v1", "{name: tcp, port: 5432}")
    with pytest.raises(TranslationError, match=r"spec.service: .*carries tcp over TCP"):
        plan(apps + _split({"web-v1": 1}))


# --- quotas and names ---------------------------------------------------------------------------


def test_more_than_ten_target_groups() -> None:
    apps = APPS + "".join(_svc(f"web-x{i}", sa="web") for i in range(11))
    with pytest.raises(TranslationError, match=r"spec.backends: 11 backends"):
        plan(apps + _split({f"web-x{i}": 1 for i in range(11)}))


def test_too_many_rules() -> None:
    routes = _routes("[{name: a, methods: [GET, POST, PUT]}]")
    text = APPS + routes + _split({"web-v2": 1}, matches=", matches: [{name: routes}]")
    with pytest.raises(TranslationError, match=r"spec.matches: .*more than 2 rules"):
        plan(text, rules_per_listener=2)


def test_bad_names() -> None:
    long = "a" * 40
    with pytest.raises(TranslationError, match=r"spec.service: Lattice service name .* not 3-40"):
        plan(
            _svc(long)
            + _svc("web-v1")
            + _split({"web-v1": 1}).replace("service: web,", f"service: {long},")
        )
    with pytest.raises(TranslationError, match="reserved prefix 'svc-'"):
        plan(
            _svc("svc-a")
            + _svc("web-v1")
            + _split({"web-v1": 1}).replace("service: web,", "service: svc-a,")
        )


def test_vpc_id_is_required_and_passed_through() -> None:
    with pytest.raises(TranslationError, match="options: vpc_id"):
        translate(load_text(APPS + _split({"web-v1": 1})), LatticeOptions(), default_namer)
    sentinel = object()
    p = translate(
        load_text(APPS + _split({"web-v1": 1})),
        LatticeOptions(vpc_id=sentinel, service_network="sn-0123456789abcdefg"),
        default_namer,
    )
    assert of(p, "TargetGroup")[0].properties["config"]["vpcIdentifier"] is sentinel
    assert not of(p, "ServiceNetwork")


# --- TrafficTarget -------------------------------------------------------------------------------

ACCESS = (
    APPS
    + _svc("api")
    + _svc("shell")
    + _routes("[{name: read, pathRegex: '/api/.*', methods: [GET]}, {name: all}]")
    + """
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: api-reads-web, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: web}
  sources: [{kind: ServiceAccount, name: api}]
  rules: [{kind: HTTPRouteGroup, name: routes, matches: [read]}]
"""
)
ARN = "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdefg"
API = {
    "eks-cluster-name": "prod-eks",
    "kubernetes-namespace": "shop",
    "kubernetes-service-account": "api",
}


def test_traffic_target_auth_policy() -> None:
    p = plan(ACCESS + _split({"web-v1": 1}))
    (service,) = [r for r in of(p, "Service") if r.properties["name"] == "web-shop"]
    assert service.properties["authType"] == "AWS_IAM"
    (policy,) = [
        r.properties["policy"]
        for r in of(p, "AuthPolicy")
        if r.properties["resourceIdentifier"] == f"${{{service.name}.arn}}"
    ]
    assert allowed(policy, ARN, Request("GET", "/api/x", tags=API))
    assert not allowed(policy, ARN, Request("POST", "/api/x", tags=API))
    assert not allowed(policy, ARN, Request("GET", "/other", tags=API))
    assert not allowed(
        policy, ARN, Request("GET", "/api/x", tags={**API, "kubernetes-service-account": "shell"})
    )
    assert not allowed(policy, ARN, Request("GET", "/api/x", tags={**API, "eks-cluster-name": "x"}))
    assert not allowed(policy, ARN, Request("GET", "/api/x", tags=API, signed=False))
    other = "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdefg/x"
    assert not allowed(policy, other, Request("GET", "/api/x", tags=API))
    shell = [r for r in of(p, "Service") if r.properties["name"] != "web-shop"]
    assert all(r.properties["authType"] == "AWS_IAM" for r in shell)


def test_source_roles_alternative() -> None:
    role = "arn:aws:iam::123456789012:role/api"
    p = plan(ACCESS, eks_cluster_name=None, source_roles=json.dumps({"shop/api": role}))
    policy = of(p, "AuthPolicy")[0].properties["policy"]
    assert allowed(policy, ARN, Request("GET", "/api/x", role=role))
    assert not allowed(policy, ARN, Request("GET", "/api/x", tags=API))


def test_identity_needs_an_option() -> None:
    with pytest.raises(TranslationError, match=r"spec.sources\[0\]: .*eks_cluster_name"):
        plan(ACCESS, eks_cluster_name=None)


def _target(name: str, rules: str, destination: str = "web") -> str:
    return f"""
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {{name: {name}, namespace: shop}}
spec:
  destination: {{kind: ServiceAccount, name: {destination}}}
  sources: [{{kind: ServiceAccount, name: api}}]
  rules: {rules}
"""


TCP_UDP = """
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: every-port, namespace: shop}
spec: {}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: port-80, namespace: shop}
spec: {matches: {ports: [80]}}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: UDPRoute
metadata: {name: dns, namespace: shop}
spec: {matches: {ports: [53]}}
"""


def web_policy(p: Plan) -> str:
    (service,) = [r for r in of(p, "Service") if r.properties["name"] == "web-shop"]
    assert service.properties["authType"] == "AWS_IAM"
    (policy,) = [
        r.properties["policy"]
        for r in of(p, "AuthPolicy")
        if r.properties["resourceIdentifier"] == f"${{{service.name}.arn}}"
    ]
    return str(policy)


@pytest.mark.parametrize(
    ("apps", "wanted"),
    [
        (
            _svc("api"),
            r"pass the Deployment \(or .*\) whose .*serviceAccountName: web, and the Serv",
        ),
        (
            _svc("api") + _deployment("web", "web"),
            r"no Service with ports selects the pods of ServiceAccount shop/web \(Deployment web\)",
        ),
    ],
    ids=["no-workload", "no-service"],
)
def test_a_traffic_target_lattice_cannot_protect_is_an_error(apps: str, wanted: str) -> None:
    text = apps + _routes("[{name: all}]") + _target("t", "[{kind: HTTPRouteGroup, name: routes}]")
    with pytest.raises(
        TranslationError, match=r"TrafficTarget/t\): spec.destination.name: "
    ) as info:
        plan(text)
    assert re.search(wanted, str(info.value))


def test_a_traffic_target_without_workloads_fails_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(_svc("api") + TCP_UDP + _target("t", "[{kind: UDPRoute, name: dns}]"))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["convert", "--mesh", "vpc-lattice", "--set", f"vpc_id={VPC}", str(path)])
    assert code == 2 and "spec.destination.name: no known workload" in err.getvalue()


@pytest.mark.parametrize(
    ("rules", "warning"),
    [
        ("[{kind: UDPRoute, name: dns}]", "UDPRoute dns) is not enforced: a Lattice service"),
        ("[{kind: TCPRoute, name: every-port}]", "its TCPRoute rules allow TCP connections"),
    ],
)
def test_a_target_allowing_nothing_lattice_enforces_denies_everything(
    rules: str, warning: str
) -> None:
    p = plan(ACCESS + TCP_UDP + _target("l4", rules).replace("name: web}", "name: api}"))
    # the destination api: its service is AWS_IAM with a policy denying every request
    (service,) = [r for r in of(p, "Service") if r.properties["name"] == "api-shop"]
    assert service.properties["authType"] == "AWS_IAM"
    (policy,) = [
        r.properties["policy"]
        for r in of(p, "AuthPolicy")
        if r.properties["resourceIdentifier"] == f"${{{service.name}.arn}}"
    ]
    assert json.loads(policy)["Statement"] == [
        {"Effect": "Deny", "Principal": "*", "Action": "vpc-lattice-svcs:Invoke", "Resource": "*"}
    ]
    caller = {**API, "kubernetes-service-account": "api"}
    for request in (Request("GET", "/"), Request("POST", "/x", tags=caller)):
        assert not allowed(policy, ARN, request)
    assert any(warning in w for w in p.warnings)
    assert any("allow nothing vpc-lattice enforces" in w for w in p.warnings)


def test_a_regex_iam_cannot_match_is_an_error_or_left_out_with_narrow() -> None:
    text = (
        APPS
        + _svc("api")
        + _routes("[{name: ids, pathRegex: '/x/[0-9]+'}, {name: read, pathRegex: '/api/.*'}]")
        + _target("t", "[{kind: HTTPRouteGroup, name: routes, matches: [ids, read]}]")
    )
    with pytest.raises(TranslationError) as info:
        plan(text)
    (problem,) = info.value.problems
    assert (problem.kind, problem.name, problem.path) == (
        "TrafficTarget",
        "t",
        "spec.rules[0].matches[0]",
    )
    assert "HTTPRouteGroup routes match 'ids': pathRegex '/x/[0-9]+'" in problem.message
    assert "inexpressible=narrow" in problem.message
    p = plan(text, inexpressible="narrow")
    policy = web_policy(p)
    assert allowed(policy, ARN, Request("GET", "/api/x", tags=API))
    assert not allowed(policy, ARN, Request("GET", "/x/1", tags=API))
    (left_out,) = [w for w in p.warnings if "left out" in w]
    assert left_out.startswith("TrafficTarget shop/t: spec.rules[0].matches[0]: ")
    assert "vpc-lattice allows less than SMI" in left_out


TWO_PORTS = (
    "{name: http, port: 80, targetPort: 8080}, {name: http-admin, port: 81, targetPort: 8081}"
)


def test_tcp_ports_with_http_rules_must_cover_every_listener() -> None:
    def text(ports: str) -> str:
        return (
            _svc("web", TWO_PORTS)
            + _svc("api")
            + TCP_UDP.replace("ports: [80]", f"ports: {ports}")
            + _routes("[{name: all}]")
            + _target(
                "t", "[{kind: HTTPRouteGroup, name: routes}, {kind: TCPRoute, name: port-80}]"
            )
        )

    # 80 is a Service port, 8081 the container port behind listener 81: every listener
    assert allowed(web_policy(plan(text("[80, 8081]"))), ARN, Request("GET", "/", tags=API))
    with pytest.raises(
        TranslationError,
        match=r"spec.rules\[1\]: the Lattice service of shop/web would allow more than ports 80 "
        r"\(listener 81: not allowed\)",
    ):
        plan(text("[80]"))
    narrowed = plan(text("[80]"), inexpressible="narrow")
    assert not allowed(web_policy(narrowed), ARN, Request("GET", "/", tags=API))
    assert any("spec.rules[1]: the Lattice service" in w for w in narrowed.warnings)
    elsewhere = plan(text("[9102]"))  # no listener: nothing to allow on the Lattice service
    assert not allowed(web_policy(elsewhere), ARN, Request("GET", "/", tags=API))
    assert any("ports 9102 are none of the listener ports" in w for w in elsewhere.warnings)


def test_http_rules_on_a_tls_passthrough_listener_are_inexpressible() -> None:
    text = (
        _svc("web", "{name: tls, port: 443}")
        + _svc("api")
        + _routes("[{name: all}]")
        + _target("t", "[{kind: HTTPRouteGroup, name: routes}]")
    )
    with pytest.raises(TranslationError, match=r"listener 443: HTTP requests only, but the lis"):
        plan(text, domain_suffix="lattice.example.com")
    p = plan(text, domain_suffix="lattice.example.com", inexpressible="narrow")
    assert not allowed(web_policy(p), ARN, Request("GET", "/", tags=API))


def test_ports_lattice_cannot_carry_get_no_listener_with_a_warning() -> None:
    mixed = "{name: http, port: 80, targetPort: 8080}, {name: tcp-redis, port: 6379}"
    rules = "[{kind: HTTPRouteGroup, name: routes}]"
    p = plan(_svc("web", mixed) + _svc("api") + _routes("[{name: all}]") + _target("t", rules))
    (service,) = [r for r in of(p, "Service") if r.properties["name"] == "web-shop"]
    ports = [r.properties["port"] for r in of(p, "Listener")]
    assert service.name in of(p, "Listener")[0].properties["serviceIdentifier"] and ports == [80]
    assert allowed(web_policy(p), ARN, Request("GET", "/", tags=API))
    (warning,) = [w for w in p.warnings if "does not carry" in w]
    assert "6379 (tcp over TCP); no listener on them" in warning
    assert "(TrafficTarget shop/t)" in warning
    only_tcp = _svc("web", "{name: tcp-redis, port: 6379}") + _svc("api") + TCP_UDP
    p = plan(only_tcp + _target("t", "[{kind: TCPRoute, name: every-port}]"))
    assert of(p, "Service") == []  # api is no destination, web gets no Lattice service
    assert any("6379 (tcp over TCP); no Lattice service" in w for w in p.warnings)


# --- moto wiring -------------------------------------------------------------------------------


@mock_aws
def test_moto_wiring() -> None:
    routes = _routes("[{name: beta, headers: {x-beta: 'true'}}]")
    text = (
        ACCESS
        + routes.replace("name: routes", "name: beta")
        + _split({"web-v1": 90, "web-v2": 10})
        + _split({"web-v2": 1}, name="web-beta", matches=", matches: [{name: beta}]")
    )
    p = plan(text)
    client = boto3.client("vpc-lattice", region_name="us-east-1")
    kinds = {r.name: r.type.rsplit(":", 1)[1] for r in p}
    outputs: dict[str, dict[str, str]] = {}
    calls = {
        "ServiceNetwork": client.create_service_network,
        "Service": client.create_service,
        "TargetGroup": client.create_target_group,
        "Listener": client.create_listener,
        "ListenerRule": client.create_rule,
        "AuthPolicy": client.put_auth_policy,
        "ServiceNetworkServiceAssociation": client.create_service_network_service_association,
        "ServiceNetworkVpcAssociation": client.create_service_network_vpc_association,
    }

    def real(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: real(v) for k, v in value.items()}
        if isinstance(value, list):
            return [real(v) for v in value]
        if isinstance(value, str) and value.startswith("${"):
            name, output = parse_reference(value[2:-1])
            return outputs[name][output]
        return value

    for resource in p:
        params = real(api_params(resource))
        answer = calls[kinds[resource.name]](**params)
        outputs[resource.name] = {
            "id": answer.get("id", ""),
            "arn": answer.get("arn", ""),
            "listenerId": answer.get("id", ""),
        }
    web = next(r for r in p if r.properties.get("name") == "web-shop")
    listeners = client.list_listeners(serviceIdentifier=outputs[web.name]["id"])["items"]
    assert [item["port"] for item in listeners] == [80]
    listener = client.get_listener(
        serviceIdentifier=outputs[web.name]["id"], listenerIdentifier=listeners[0]["id"]
    )
    by_id = {outputs[r.name]["id"]: r.properties["name"] for r in of(p, "TargetGroup")}
    forward = listener["defaultAction"]["forward"]["targetGroups"]
    assert {by_id[t["targetGroupIdentifier"]]: t["weight"] for t in forward} == {
        "web-v1-shop-80": 90,
        "web-v2-shop-80": 10,
    }
    assert [r.properties["priority"] for r in of(p, "ListenerRule")] == [1]
    policy = client.get_auth_policy(resourceIdentifier=outputs[web.name]["arn"])["policy"]
    assert json.loads(policy)["Statement"]


def test_a_split_name_with_a_dot_gives_resolvable_references() -> None:
    p = plan(_split({"web-v1": 1}, name="web.v2") + APPS)
    (service,) = of(p, "Service")
    assert service.name == "shop-web.v2-lattice-service"
    (association,) = of(p, "ServiceNetworkServiceAssociation")
    assert association.properties["serviceIdentifier"] == "${shop-web.v2-lattice-service.id}"
    names = {r.name for r in p}
    for resource in p:
        assert resource.references() <= names
    (listener,) = of(p, "Listener")
    assert listener.references() >= {"shop-web.v2-lattice-service"}


def test_a_split_and_a_protected_service_of_one_name_are_a_located_error() -> None:
    text = (
        _split({"web-v1": 1}, name="web").replace("service: web,", "service: web-v1,")
        + _svc("web")
        + _svc("web-v1", sa="other")
        + """
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: api, namespace: shop}
spec: {matches: [{name: any}]}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: t, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: web}
  sources: [{kind: ServiceAccount, name: client}]
  rules: [{kind: HTTPRouteGroup, name: api, matches: [any]}]
"""
    )
    with pytest.raises(TranslationError) as raised:
        plan(text, eks_cluster_name="prod")
    (problem,) = raised.value.problems
    assert "TrafficSplit/web" in str(problem)
    assert "'shop-web-lattice-service'" in problem.message
    assert "rename the TrafficSplit" in problem.message


def test_a_port_no_backend_has_stays_on_the_apex_service() -> None:
    """SMI leaves out backends lacking a port: with none left, the port keeps going to the apex
    (as on every other target), for the default split and for a matched one."""
    apex = _svc("web", "{name: http, port: 80, targetPort: 8080}, {name: http-admin, port: 81}")
    backends = _svc("web-v1", sa="web") + _svc("web-v2", sa="web")
    beta = (
        "---\napiVersion: specs.smi-spec.io/v1alpha4\nkind: HTTPRouteGroup\n"
        "metadata: {name: beta, namespace: shop}\n"
        "spec: {matches: [{name: b, headers: [{x-beta: '1'}]}]}\n"
    )
    matched = _split(
        {"web-v2": 1}, name="beta", matches=", matches: [{kind: HTTPRouteGroup, name: beta}]"
    )
    p = plan(apex + backends + beta + _split({"web-v1": 1, "web-v2": 1}) + matched)
    assert where(p, Request(), port=81) == {"web-shop-81": Fraction(1)}
    assert where(p, Request(headers={"x-beta": "1"}), port=81) == {"web-shop-81": Fraction(1)}
    assert where(p, Request(), port=80) == {
        "web-v1-shop-80": Fraction(1, 2),
        "web-v2-shop-80": Fraction(1, 2),
    }
    assert where(p, Request(headers={"x-beta": "1"}), port=80) == {"web-v2-shop-80": Fraction(1)}
    assert sum("has port 81" in w for w in p.warnings) == 2
