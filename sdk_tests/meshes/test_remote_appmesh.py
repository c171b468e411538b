"""Target ``appmesh``: split backends served outside the mesh (ExternalName Services).

Every plan goes through ``appmesh()``, which checks each input against botocore's model.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from test_appmesh import ACCESS, NS, app, appmesh, go, host, nodes, of, split, target

from pulumi_smi.errors import TranslationError
from pulumi_smi.plan import Plan

CLOUD = "web.use1.example.com"


def remote(name: str, ports: str = "", annotations: str = "") -> str:
    """An ExternalName Service (``ports`` e.g. ``[{port: 80}]``), or a Consul-only one."""
    notes = f", annotations: {{{annotations}}}" if annotations else ""
    spec = (
        f"{{type: ExternalName, externalName: {CLOUD}"
        + (f", ports: {ports}" if ports else "")
        + "}"
        if "consul" not in annotations
        else "{ports: [{port: 80}]}"
    )
    return (
        f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {NS}{notes}}}\n"
        f"spec: {spec}\n"
    )


WEB = app("web") + app("web-v1", account="web") + app("front")
SERVED = "smi.pulumi.com/served-by: use1"


def remote_warnings(plan: Plan) -> list[Any]:
    return [w for w in plan.warnings if "is served at" in w]


def routes(plan: Plan) -> list[dict[str, Any]]:
    return [r["spec"]["httpRoute"] for r in of(plan, "Route")]


def test_remote_backend_is_a_virtual_node_resolving_the_remote_host() -> None:
    plan = appmesh(
        WEB,
        remote("web-cloud", annotations=SERVED),
        split("w", "web", {"web-v1": 3, "web-cloud": 1}),
    )
    node = nodes(plan)["web-cloud_shop"]
    assert node["spec"] == {
        "listeners": [{"portMapping": {"port": 80, "protocol": "http"}}],  # the apex's
        "serviceDiscovery": {"dns": {"hostname": CLOUD}},
    }
    (route,) = routes(plan)
    assert route["action"]["weightedTargets"] == [
        {"virtualNode": "${shop-web-cloud-virtualnode.name}", "weight": 25},
        {"virtualNode": "${shop-web-v1-virtualnode.name}", "weight": 75},
    ]
    assert go(plan) == {host("web-v1"): Fraction(3, 4), CLOUD: Fraction(1, 4)}
    (warning,) = remote_warnings(plan)
    assert warning.owner is not None and (warning.owner.kind, warning.owner.name) == (
        "TrafficSplit",
        "w",
    )
    assert warning.startswith(
        f"TrafficSplit shop/w: backend shop/web-cloud is served at host {CLOUD} (mesh use1): "
        "its share goes to VirtualNode web-cloud_shop (DNS service discovery "
        f"{CLOUD}, listener 80/http), reached through the callers' Envoy at {CLOUD}:80"
    )
    assert "with egress filter DROP_ALL that VirtualNode is what allows it" in warning
    assert f"Host/authority {host('web')}" in warning
    assert not [w for w in plan.warnings if "targetPort" in w]


def test_remote_listing_ports_is_reached_on_its_port_with_the_apex_protocol() -> None:
    tcp = app("db", port="5432/tcp") + app("db-v1", port="5432/tcp", account="db")
    plan = appmesh(
        tcp,
        remote("db-cloud", ports="[{port: 6432, targetPort: 7000}]"),
        split("d", "db", {"db-v1": 1, "db-cloud": 1}),
    )
    assert nodes(plan)["db-cloud_shop"]["spec"]["listeners"] == [
        {"portMapping": {"port": 6432, "protocol": "tcp"}}
    ]
    (warning,) = remote_warnings(plan)
    assert f"at {CLOUD}:6432" in warning and "Host/authority" not in warning
    assert not [w for w in plan.warnings if "targetPort" in w]  # no pods here


def test_remote_with_a_port_of_another_protocol_is_a_located_error() -> None:
    with pytest.raises(
        TranslationError,
        match=r"spec.backends\[1\].service: backend Service shop/web-cloud needs a port 80 .* "
        r"with the apex's protocol http",
    ):
        appmesh(
            WEB,
            remote("web-cloud", ports="[{port: 80}, {port: 81}]"),
            split("w", "web", {"web-v1": 1, "web-cloud": 1}),
        )


def test_consul_only_remote_is_a_located_error_with_every_other_problem() -> None:
    consul = remote("web-dc2", annotations="smi.pulumi.com/consul-datacenter: dc2")
    with pytest.raises(TranslationError) as caught:
        appmesh(
            WEB,
            consul,
            split("w", "web", {"web-v1": 1, "web-dc2": 1}),
            split("f", "front", {"front": 1, "missing": 1}),
        )
    missing, consul_problem = caught.value.problems  # apex order: front, web
    assert (consul_problem.name, consul_problem.path) == ("w", "spec.backends[1].service")
    assert consul_problem.message.startswith(
        "backend Service shop/web-dc2 is served at datacenter dc2: App Mesh reaches a backend "
        "outside the mesh by its DNS name (a VirtualNode's serviceDiscovery.dns.hostname)"
    )
    assert "make the Service type: ExternalName with spec.externalName" in consul_problem.message
    assert (missing.name, missing.path) == ("f", "spec.backends[1].service")
    assert "Service shop/missing" in missing.message


def test_two_apexes_share_one_remote_node_and_warn_once_each() -> None:
    plan = appmesh(
        WEB,
        app("api"),
        remote("web-cloud"),
        split("w", "web", {"web-v1": 1, "web-cloud": 1}),
        split("a", "api", {"api": 1, "web-cloud": 1}),
    )
    assert [n for n in nodes(plan) if n == "web-cloud_shop"] == ["web-cloud_shop"]
    assert sorted(w.owner.name for w in remote_warnings(plan) if w.owner) == ["a", "w"]


def test_remote_on_apexes_of_different_ports_is_a_located_error() -> None:
    with pytest.raises(TranslationError, match=r"two different .*VirtualNode named"):
        appmesh(
            WEB,
            app("api", port="8080/http"),
            remote("web-cloud"),
            split("w", "web", {"web-v1": 1, "web-cloud": 1}),
            split("a", "api", {"api": 1, "web-cloud": 1}),
        )


ACCESS_REMOTE = ACCESS.replace(
    split("canary", "web", {"web-v1": 90, "web-v2": 10}),
    remote("web-cloud") + split("canary", "web", {"web-v1": 90, "web-cloud": 10}),
)
ALL = "{kind: HTTPRouteGroup, name: reads, matches: [all]}"


def test_traffic_targets_do_not_take_the_remote_node_for_a_workload() -> None:
    plan = appmesh(ACCESS_REMOTE, target("t", "web", ["front"], ALL))
    found = nodes(plan)
    assert "backends" not in found["web-cloud_shop"]["spec"]  # it calls nothing
    assert found["web-cloud_shop"]["spec"]["serviceDiscovery"] == {"dns": {"hostname": CLOUD}}
    assert go(plan, client="front_shop") == {
        host("web-v1"): Fraction(9, 10),
        CLOUD: Fraction(1, 10),
    }
    assert not [w for w in plan.warnings if "web-cloud_shop" in w and "served at" not in w]


def test_mtls_never_secures_the_remote_node_and_refuses_the_broken_share() -> None:
    text = ACCESS_REMOTE + target("t", "web", ["front"], ALL)
    with pytest.raises(TranslationError) as caught:
        appmesh(text, mtls_trust_domain="example.org")
    (problem,) = caught.value.problems
    assert problem.path == "spec.backends[1].service" and problem.name == "canary"
    assert (
        f"backend Service shop/web-cloud is served at host {CLOUD}, and TrafficTarget shop/t "
        f"gives VirtualService {host('web')} mutual TLS (mtls_trust_domain)"
    ) in str(problem)
    # without the grant on the split apex, mTLS elsewhere leaves the remote node plaintext
    # and out of the warning about plaintext listeners (no pods here)
    plan = appmesh(
        ACCESS_REMOTE, target("t", "front", ["web"], ALL), mtls_trust_domain="example.org"
    )
    assert "tls" not in nodes(plan)["web-cloud_shop"]["spec"]["listeners"][0]
    (outside,) = [w for w in plan.warnings if "a caller outside the mesh (no Envoy)" in w]
    assert "web-cloud_shop" not in outside
    assert "web_shop" in outside  # a plaintext listener with pods behind it is named
