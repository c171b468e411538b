"""Remote backends on VPC Lattice: target groups of the remote's type on the apex's port.

Every plan goes through ``test_vpc_lattice.plan``, which checks each resource's create call
against botocore's vpc-lattice model (required, min/max, pattern, enum, members).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from evaluate.lattice import Request
from test_vpc_lattice import APPS, VPC, _routes, _split, _svc, of, plan, where

from pulumi_smi.errors import TranslationError
from pulumi_smi.plan import Plan


def remote(name: str, host: str | None = "web.dc1.example.com", **annotations: str) -> str:
    """A Service standing for a backend served elsewhere (a host, or Consul annotations)."""
    notes = ", ".join(f"smi.pulumi.com/{k.replace('_', '-')}: {v}" for k, v in annotations.items())
    spec = f"{{type: ExternalName, externalName: {host}}}" if host else "{}"
    return (
        f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: shop, "
        f"annotations: {{{notes}}}}}\nspec: {spec}\n"
    )


def target_group(p: Plan, name: str) -> dict[str, Any]:
    (found,) = [r.properties for r in of(p, "TargetGroup") if r.properties["name"] == name]
    return dict(found)


def remote_warnings(p: Plan, backend: str) -> list[str]:
    return [w for w in p.warnings if f"backend {backend!r}" in w]


def problems(text: str, **options: Any) -> list[tuple[str, str]]:
    with pytest.raises(TranslationError) as err:
        plan(text, **options)
    return [(p.path or "", p.message) for p in err.value.problems]


def test_an_on_premises_backend_is_an_ip_target_group_on_the_apex_port() -> None:
    p = plan(APPS + remote("web-dc1", served_by="dc1") + _split({"web-v1": 9, "web-dc1": 1}))
    assert where(p, Request()) == {
        "web-v1-shop-80": Fraction(9, 10),
        "web-dc1-shop-80": Fraction(1, 10),
    }
    assert target_group(p, "web-dc1-shop-80") == {
        "name": "web-dc1-shop-80",
        "type": "IP",
        "config": {
            "port": 80,
            "protocol": "HTTP",
            "vpcIdentifier": VPC,
            "protocolVersion": "HTTP1",
        },
    }
    assert target_group(p, "web-v1-shop-80")["config"]["port"] == 8080  # pods: targetPort
    (warning,) = remote_warnings(p, "web-dc1")
    assert warning.owner is not None and (warning.owner.kind, warning.owner.name) == (
        "TrafficSplit",
        "web",
    )
    assert "at host web.dc1.example.com (mesh dc1)" in warning
    assert "register the IP addresses web.dc1.example.com resolves to" in warning
    assert "aws.vpclattice.TargetGroupAttachment" in warning and "Direct Connect" in warning


def test_an_alb_backend_is_an_alb_target_group() -> None:
    host = "internal-web-123.us-east-1.elb.amazonaws.com"
    p = plan(APPS + remote("web-alb", host, lattice_target_type="ALB") + _split({"web-alb": 1}))
    assert where(p, Request()) == {"web-alb-shop-80": 1}
    tg = target_group(p, "web-alb-shop-80")
    assert tg["type"] == "ALB"
    # no healthCheck or ipAddressType: botocore's model says ALB target groups take neither
    assert tg["config"] == {
        "port": 80,
        "protocol": "HTTP",
        "vpcIdentifier": VPC,
        "protocolVersion": "HTTP1",
    }
    (warning,) = remote_warnings(p, "web-alb")
    assert "of type ALB on port 80" in warning
    assert f"attach the ARN of the internal Application Load Balancer serving {host}" in warning


def test_the_remote_type_wins_over_the_target_type_option() -> None:
    text = APPS + remote("web-dc1") + _split({"web-v1": 1, "web-dc1": 1})
    p = plan(text, target_type="INSTANCE")
    assert target_group(p, "web-v1-shop-80")["type"] == "INSTANCE"
    assert target_group(p, "web-dc1-shop-80")["type"] == "IP"


def test_protocols_follow_the_apex_port() -> None:
    grpc = "{name: grpc, port: 9090, appProtocol: grpc}"
    apps = _svc("web", grpc) + _svc("web-v1", grpc)
    text = apps + remote("web-alb", lattice_target_type="ALB") + _split({"web-v1": 1, "web-alb": 1})
    tg = target_group(plan(text), "web-alb-shop-9090")
    assert tg["config"] == {
        "port": 9090,
        "protocol": "HTTP",
        "vpcIdentifier": VPC,
        "protocolVersion": "GRPC",
    }


def test_every_apex_port_gets_a_target_group_and_one_warning_names_them() -> None:
    ports = "{name: http, port: 80}, {name: http-admin, port: 8081}"
    apps = _svc("web", ports) + _svc("web-v1", ports)
    p = plan(apps + remote("web-dc1") + _split({"web-v1": 1, "web-dc1": 1}))
    assert target_group(p, "web-dc1-shop-8081")["config"]["port"] == 8081
    (warning,) = remote_warnings(p, "web-dc1")
    assert "target groups web-dc1-shop-80, web-dc1-shop-8081" in warning
    assert "on port 80/8081" in warning


def test_one_remote_in_two_splits_has_one_target_group_and_a_warning_each() -> None:
    routes = _routes("[{name: beta, headers: {x-beta: 'true'}}]")
    beta = _split({"web-dc1": 1}, name="beta", matches=", matches: [{name: routes}]")
    p = plan(APPS + routes + remote("web-dc1") + _split({"web-v1": 9, "web-dc1": 1}) + beta)
    assert [r.properties["name"] for r in of(p, "TargetGroup")].count("web-dc1-shop-80") == 1
    assert where(p, Request(headers={"x-beta": "true"})) == {"web-dc1-shop-80": 1}
    owners = sorted(w.owner.name for w in remote_warnings(p, "web-dc1") if w.owner)
    assert owners == ["beta", "web"]


def test_a_zero_weight_remote_still_gets_its_target_group_and_warning() -> None:
    p = plan(APPS + remote("web-dc1") + _split({"web-v1": 1, "web-dc1": 0}))
    assert where(p, Request()) == {"web-v1-shop-80": 1}
    assert target_group(p, "web-dc1-shop-80")["type"] == "IP"
    assert len(remote_warnings(p, "web-dc1")) == 1


def test_a_remote_listing_the_apex_port_is_reached_on_it() -> None:
    listed = (
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: web-dc1, namespace: shop}\n"
        "spec: {type: ExternalName, externalName: web.dc1.example.com,"
        " ports: [{name: http, port: 80}]}\n"
    )
    p = plan(APPS + listed + _split({"web-v1": 1, "web-dc1": 1}))
    assert target_group(p, "web-dc1-shop-80")["config"]["port"] == 80


def test_a_consul_datacenter_alone_is_a_located_error() -> None:
    text = APPS + remote("web-dc2", None, consul_datacenter="dc2") + _split({"web-dc2": 1})
    ((path, message),) = problems(text)  # and no "no backend serves port 80" besides
    assert path == "spec.backends[0].service"
    assert "in Consul datacenter dc2" in message and "ExternalName host" in message


def test_an_alb_behind_tls_passthrough_is_a_located_error() -> None:
    tls = "{name: tls, port: 443}"
    apps = _svc("web", tls) + _svc("web-v1", tls)
    split = _split({"web-v1": 1, "web-alb": 1})
    text = apps + remote("web-alb", lattice_target_type="ALB") + split
    ((path, message),) = problems(text, domain_suffix="lattice.example.com")
    assert path == "spec.backends[1].service" and "ALB target group carries HTTP" in message
    ip = plan(apps + remote("web-alb") + split, domain_suffix="lattice.example.com")
    assert target_group(ip, "web-alb-shop-443")["config"] == {
        "port": 443,
        "protocol": "TCP",
        "vpcIdentifier": VPC,
    }


def test_every_remote_problem_at_once() -> None:
    text = (
        APPS
        + remote("web-dc2", None, consul_datacenter="dc2")
        + remote("web-peer", None, consul_peer="west")
        + _split({"web-v1": 1, "web-dc2": 1, "web-peer": 1})
    )
    found = problems(text)
    assert [path for path, _ in found] == ["spec.backends[1].service", "spec.backends[2].service"]


def test_every_service_can_carry_the_host_name_callers_of_another_mesh_keep() -> None:
    text = APPS + _split({"web-v1": 1, "web-v2": 1})
    (service,) = of(
        plan(text, custom_domains="every", domain_suffix="svc.cluster.local"), "Service"
    )
    assert service.properties["customDomainName"] == "web.shop.svc.cluster.local"
    (plain,) = of(plan(text), "Service")
    assert "customDomainName" not in plain.properties
    assert problems(text, custom_domains="every") == [
        (
            "domain_suffix",
            "custom_domains=every names every service under domain_suffix; set the "
            "option domain_suffix",
        )
    ]
