"""Remote backends on Consul: ServiceResolver redirects and a terminating gateway."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest
from evaluate.consul_chain import Request, route
from schema_check import (
    validate_manifests,
)
from test_consul_splits import WEB, consul, entries, group, of_kind, split

from pulumi_smi.errors import TranslationError
from pulumi_smi.plan import Plan


def remote(name: str, host: str | None = None, ns: str = "shop", **annotations: str) -> str:
    """A Service standing for a backend served elsewhere (a host, or Consul annotations)."""
    notes = ", ".join(f"smi.pulumi.com/{k.replace('_', '-')}: {v}" for k, v in annotations.items())
    spec = f"{{type: ExternalName, externalName: {host}}}" if host else "{}"
    return (
        f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {ns}, "
        f"annotations: {{{notes}}}}}\nspec: {spec}\n"
    )


def redirected(plan: Plan, **request: Any) -> dict[str, Fraction]:
    """Where a request to ``web`` ends, a redirected service shown as ``service@where``."""
    resolvers = {e["metadata"]["name"]: e["spec"] for e in of_kind(plan, "ServiceResolver")}
    shares: dict[str, Fraction] = {}
    for service, share in route(entries(plan), Request("web", **request)).items():
        redirect = resolvers.get(service, {}).get("redirect")
        if redirect:
            where = next(redirect[k] for k in ("datacenter", "peer", "partition") if k in redirect)
            service = f"{redirect['service']}@{where}"
        shares[service] = shares.get(service, Fraction(0)) + share
    return shares


def check_schemas(plan: Plan) -> None:
    """Every Kubernetes object of the plan, TerminatingGateway included, against its CRD."""
    validate_manifests(dict(r.properties) for r in plan if r.is_kubernetes)


def problems(text: str, **options: Any) -> list[tuple[str, str]]:
    with pytest.raises(TranslationError) as err:
        consul(text, **options)
    return [(p.path or "", p.message) for p in err.value.problems]


CANARY_DC2 = split({"web-v1": 90, "web-dc2": 10})


def test_a_datacenter_backend_gets_its_share_through_a_resolver_redirect() -> None:
    plan = consul(
        WEB + remote("web-dc2", consul_datacenter="dc2", consul_service="web") + CANARY_DC2
    )
    assert redirected(plan) == {"web-v1": Fraction(9, 10), "web@dc2": Fraction(1, 10)}
    (resolver,) = of_kind(plan, "ServiceResolver")
    assert resolver["metadata"] == {
        "name": "web-dc2",
        "namespace": "shop",
        "labels": {"app.kubernetes.io/managed-by": "pulumi-smi"},
    }
    assert resolver["spec"] == {"redirect": {"service": "web", "datacenter": "dc2"}}
    (splitter,) = of_kind(plan, "ServiceSplitter")
    assert {"weight": 10, "service": "web-dc2"} in splitter["spec"]["splits"]
    defaults = {e["metadata"]["name"]: e["spec"] for e in of_kind(plan, "ServiceDefaults")}
    assert defaults["web-dc2"] == {"protocol": "http"}  # the chain of the split target is L7
    (warning,) = [w for w in plan.warnings if "web-dc2" in w]
    assert warning.owner is not None and warning.owner.name == "web"
    assert "in datacenter dc2" in warning and "WAN federated with mesh gateways" in warning
    assert not of_kind(plan, "TerminatingGateway")
    by_name = {
        r.properties["metadata"]["name"]: r
        for r in plan
        if r.properties["kind"] != "ServiceDefaults"
    }
    assert by_name["web-dc2"].name in by_name["web"].depends_on  # the redirect exists first


def test_the_redirect_names_the_backend_itself_unless_told_otherwise() -> None:
    plan = consul(WEB + remote("web-dc2", consul_datacenter="dc2") + CANARY_DC2)
    (resolver,) = of_kind(plan, "ServiceResolver")
    assert resolver["spec"] == {"redirect": {"service": "web-dc2", "datacenter": "dc2"}}


def test_a_peer_backend_redirects_to_the_peer() -> None:
    plan = consul(WEB + remote("web-dc2", consul_peer="west", consul_service="web") + CANARY_DC2)
    assert redirected(plan) == {"web-v1": Fraction(9, 10), "web@west": Fraction(1, 10)}
    (resolver,) = of_kind(plan, "ServiceResolver")
    assert resolver["spec"] == {"redirect": {"service": "web", "peer": "west"}}
    (warning,) = [w for w in plan.warnings if "web-dc2" in w]
    assert "cluster peer west" in warning and "ExportedServices" in warning


def test_a_partition_backend_needs_enterprise() -> None:
    text = WEB + remote("web-dc2", consul_partition="eu") + CANARY_DC2
    ((path, message),) = problems(text)
    assert path == "spec.backends[1].service"
    assert "web-dc2" in message and "enterprise=true" in message
    plan = consul(text, enterprise=True)
    (resolver,) = of_kind(plan, "ServiceResolver")
    assert resolver["spec"] == {"redirect": {"service": "web-dc2", "partition": "eu"}}


def test_a_host_backend_goes_through_the_terminating_gateway() -> None:
    plan = consul(WEB + remote("web-ext", "web.example.com") + split({"web-v1": 9, "web-ext": 1}))
    check_schemas(plan)
    assert redirected(plan) == {"web-v1": Fraction(9, 10), "web-ext": Fraction(1, 10)}
    (gateway,) = of_kind(plan, "TerminatingGateway")
    assert gateway["metadata"]["name"] == "terminating-gateway"
    assert gateway["metadata"]["namespace"] == "default"
    assert gateway["spec"] == {"services": [{"name": "web-ext"}]}
    defaults = {e["metadata"]["name"]: e["spec"] for e in of_kind(plan, "ServiceDefaults")}
    assert defaults["web-ext"] == {"protocol": "http"}
    assert not of_kind(plan, "ServiceResolver") and not of_kind(plan, "ServiceIntentions")
    (warning,) = [w for w in plan.warnings if "web-ext" in w]
    assert "external service at web.example.com:8080" in warning
    assert "consul services register" in warning and "consul.Service" in warning
    assert "deploy the terminating gateway 'terminating-gateway'" in warning
    resources = {r.properties["kind"]: r for r in plan if r.properties["kind"] != "ServiceDefaults"}
    assert resources["TerminatingGateway"].name in resources["ServiceSplitter"].depends_on
    assert resources["TerminatingGateway"].depends_on == ()


def test_the_gateway_is_named_by_the_option_and_lists_namespaces_with_enterprise() -> None:
    text = (
        WEB
        + remote("web-ext", "web.example.com")
        + remote("web-old", "old.example.com", consul_service="legacy")
        + split({"web-v1": 8, "web-ext": 1, "web-old": 1})
    )
    plan = consul(text, enterprise=True, terminating_gateway="egress")
    check_schemas(plan)
    (gateway,) = of_kind(plan, "TerminatingGateway")
    assert gateway["metadata"]["name"] == "egress"
    assert gateway["spec"] == {
        "services": [
            {"name": "legacy", "namespace": "shop"},
            {"name": "web-ext", "namespace": "shop"},
        ]
    }
    (splitter,) = of_kind(plan, "ServiceSplitter")
    assert {"weight": 10, "service": "legacy"} in splitter["spec"]["splits"]  # consul-service
    assert any("'legacy' in Consul namespace shop" in w for w in plan.warnings)


def test_one_remote_backend_in_several_splits_gets_one_entry_and_a_warning_each() -> None:
    text = (
        WEB
        + remote("web-dc2", consul_datacenter="dc2")
        + remote("web-ext", "web.example.com")
        + group("beta", "{name: beta, headers: {x-beta: 'true'}}")
        + split({"web-dc2": 1}, ("beta",), name="beta")
        + split({"web-ext": 1, "web-dc2": 1}, ("beta",), name="beta2")
        + split({"web-v1": 8, "web-dc2": 1, "web-ext": 1}, name="canary")
    )
    plan = consul(text)
    check_schemas(plan)
    assert len(of_kind(plan, "ServiceResolver")) == 1
    (gateway,) = of_kind(plan, "TerminatingGateway")
    assert gateway["spec"]["services"] == [{"name": "web-ext"}]
    assert redirected(plan, headers={"x-beta": "true"}) == {"web-dc2@dc2": Fraction(1)}
    (router,) = of_kind(plan, "ServiceRouter")
    assert router["spec"]["routes"][0]["destination"] == {"service": "web-dc2"}
    owners = sorted(w.owner.name for w in plan.warnings if "web-dc2" in w and w.owner)
    assert owners == ["beta", "beta2", "canary"]
    resolver = next(r for r in plan if r.properties["kind"] == "ServiceResolver")
    routing = [r for r in plan if r.properties["kind"] in ("ServiceRouter", "ServiceSplitter")]
    assert all(resolver.name in r.depends_on for r in routing)


def test_config_entry_mode_writes_the_same_redirect_and_gateway() -> None:
    text = (
        WEB
        + remote("web-dc2", consul_datacenter="dc2", consul_service="web")
        + remote("web-ext", "web.example.com")
        + split({"web-v1": 8, "web-dc2": 1, "web-ext": 1})
    )
    plan = consul(text, mode="config-entry", enterprise=True)
    by_kind = {(r.properties["kind"], r.properties["name"]): r for r in plan}
    resolver = by_kind[("service-resolver", "web-dc2")].properties
    assert json.loads(resolver["configJson"]) == {
        "Redirect": {"Service": "web", "Datacenter": "dc2"}
    }
    gateway = by_kind[("terminating-gateway", "terminating-gateway")]
    assert gateway.properties["namespace"] == "default"
    assert json.loads(gateway.properties["configJson"]) == {
        "Services": [{"Name": "web-ext", "Namespace": "shop"}]
    }
    first = {by_kind[("service-resolver", "web-dc2")].name, gateway.name}
    assert first <= set(by_kind[("service-splitter", "web")].depends_on)


def test_a_remote_backend_cannot_also_be_a_subset() -> None:
    text = WEB + remote("web-dc2", consul_datacenter="dc2") + CANARY_DC2
    ((path, message),) = problems(text, subsets={"web-dc2": "Service.Meta.version == v2"})
    assert path == "spec.backends[1].service"
    assert "served in datacenter dc2" in message and "remove it from subsets" in message


def test_every_remote_problem_at_once() -> None:
    text = (
        WEB
        + remote("web-dc2", consul_datacenter="dc2")
        + remote("web-eu", consul_partition="eu")
        + split({"web-v1": 8, "web-dc2": 1, "web-eu": 1})
    )
    found = problems(text, subsets={"web-dc2": "Service.Meta.version == v2"})
    assert [path for path, _ in found] == ["spec.backends[1].service", "spec.backends[2].service"]


def test_a_remote_backend_that_is_also_an_apex_is_refused() -> None:
    other = (
        "---\napiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\n"
        "metadata: {name: dc2, namespace: shop}\n"
        "spec: {service: web-dc2, backends: [{service: web-v1, weight: 1}]}\n"
    )
    text = WEB + remote("web-dc2", consul_datacenter="dc2") + CANARY_DC2 + other
    (path, message), *_ = problems(text)  # and web-dc2 has no HTTP port to split
    assert path == "spec.backends[1].service" and "also the apex of a TrafficSplit" in message


def test_open_source_consul_refuses_one_remote_name_in_two_namespaces() -> None:
    def in_ns(ns: str) -> str:
        return (
            WEB.replace("namespace: shop", f"namespace: {ns}")
            + remote("web-dc2", ns=ns, consul_datacenter="dc2")
            + CANARY_DC2.replace("namespace: shop", f"namespace: {ns}")
        )

    with pytest.raises(TranslationError, match="open-source Consul has one namespace"):
        consul(in_ns("shop") + in_ns("shop2"))
    plan = consul(in_ns("shop") + in_ns("shop2"), enterprise=True)
    assert len(of_kind(plan, "ServiceResolver")) == 2


def test_one_consul_name_for_two_hosts_is_refused() -> None:
    text = (
        WEB
        + remote("web-a", "a.example.com", consul_service="ext")
        + remote("web-b", "b.example.com", consul_service="ext")
        + split({"web-v1": 8, "web-a": 1, "web-b": 1})
    )
    ((path, message),) = problems(text)
    assert path == "spec.backends[2].service" and "already stands for host a.example.com" in message


def test_traffic_targets_are_unaffected_by_remote_backends() -> None:
    access = (
        "---\napiVersion: specs.smi-spec.io/v1alpha4\nkind: TCPRoute\n"
        "metadata: {name: tcp, namespace: shop}\nspec: {}\n"
        "---\napiVersion: access.smi-spec.io/v1alpha3\nkind: TrafficTarget\n"
        "metadata: {name: t, namespace: shop}\n"
        "spec: {destination: {kind: ServiceAccount, name: web, namespace: shop},"
        " sources: [{kind: ServiceAccount, name: front, namespace: shop}],"
        " rules: [{kind: TCPRoute, name: tcp}]}\n"
    )
    plain = consul(WEB + split({"web-v1": 9, "web-v2": 1}) + access)
    with_remote = consul(WEB + remote("web-dc2", consul_datacenter="dc2") + CANARY_DC2 + access)
    (intentions,) = of_kind(with_remote, "ServiceIntentions")
    assert of_kind(plain, "ServiceIntentions") == [intentions]
    assert intentions["spec"]["destination"] == {"name": "web"}  # nothing for web-dc2
