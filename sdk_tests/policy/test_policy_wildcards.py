"""smi-no-wildcard-principals on what the components register, and on hand-written objects."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
from policy_estates import args_of, check_all, custom_resource, estate, of_type, with_props

from pulumi_smi.policy import no_wildcard_principals

AUTHZ = "kubernetes:security.istio.io/v1:AuthorizationPolicy"
MESH_TLS = "kubernetes:policy.linkerd.io/v1alpha1:MeshTLSAuthentication"
AUTH_POLICY = "aws:vpclattice/authPolicy:AuthPolicy"


@pytest.mark.parametrize(
    "flavour",
    ["istio", "gateway-api", "linkerd", "consul-crd", "consul-config-entry", "vpc-lattice"],
)
def test_what_pulumi_smi_emits_names_its_callers(flavour: str) -> None:
    assert check_all(estate(flavour), no_wildcard_principals) == {}


def _grant(recording: Any) -> Any:
    (policy,) = [r for r in recording.by_type(AUTHZ) if r.inputs["spec"].get("rules")]
    return policy


def test_istio_wildcard_principals_and_namespaces_are_flagged() -> None:
    policy = _grant(estate("istio"))

    def anyone(props: dict[str, Any]) -> None:
        props["spec"]["rules"][0]["from"] = [
            {"source": {"principals": ["*"]}},
            {"source": {"namespaces": ["*"]}},
            {"source": {"principals": ["cluster.local/ns/shop/sa/*"]}},
        ]

    found = no_wildcard_principals(with_props(policy, anyone)).messages
    assert len(found) == 3
    assert all(m.startswith("AuthorizationPolicy shop/client-calls-api") for m in found)
    assert "spec.rules[0].from[0].source.principals has '*'" in found[0]
    assert "spec.rules[0].from[1].source.namespaces has '*'" in found[1]
    assert "'cluster.local/ns/shop/sa/*'" in found[2]


def test_an_istio_allow_rule_without_a_source_is_a_star_source() -> None:
    policy = _grant(estate("istio"))

    def no_from(props: dict[str, Any]) -> None:
        del props["spec"]["rules"][0]["from"]

    (message,) = no_wildcard_principals(with_props(policy, no_from)).messages
    assert "spec.rules[0] has no from: it allows every caller" in message

    def only_exceptions(props: dict[str, Any]) -> None:
        props["spec"]["rules"][0]["from"] = [{"source": {"notPrincipals": ["x"]}}]

    (message,) = no_wildcard_principals(with_props(policy, only_exceptions)).messages
    assert "from[0] names no principal" in message


def test_deny_policies_and_the_default_deny_only_take_away() -> None:
    recording = estate("istio")
    (default_deny,) = [r for r in recording.by_type(AUTHZ) if not r.inputs["spec"].get("rules")]
    assert not no_wildcard_principals(args_of(default_deny))

    def deny_everyone(props: dict[str, Any]) -> None:
        props["spec"]["action"] = "DENY"
        props["spec"]["rules"][0]["from"] = [{"source": {"principals": ["*"]}}]

    assert not no_wildcard_principals(with_props(_grant(recording), deny_everyone))


def test_linkerd_wildcard_identities_are_flagged() -> None:
    authn = of_type(estate("linkerd"), MESH_TLS)

    def star(props: dict[str, Any]) -> None:
        props["spec"]["identities"] = ["*"]

    (message,) = no_wildcard_principals(with_props(authn, star)).messages
    assert message.startswith("MeshTLSAuthentication shop/client-calls-api")
    assert "spec.identities has '*'" in message

    def every_account(props: dict[str, Any]) -> None:
        del props["spec"]["identities"]
        props["spec"]["identityRefs"] = [{"kind": "ServiceAccount"}]

    (message,) = no_wildcard_principals(with_props(authn, every_account)).messages
    assert "spec.identityRefs[0] (kind ServiceAccount) has no name" in message


def test_consul_star_may_deny_but_not_allow() -> None:
    entry = estate("consul-config-entry").by_name("m-shop-api-serviceintentions")
    sources = json.loads(entry.inputs["configJson"])["Sources"]
    assert {"Action": "deny", "Name": "*"} in sources  # SMI's default deny: passes (above)

    def allow_all(props: dict[str, Any]) -> None:
        props["configJson"] = json.dumps({"Sources": [{"Action": "allow", "Name": "*"}]})

    (message,) = no_wildcard_principals(with_props(entry, allow_all)).messages
    assert "ConfigEntry api (m-shop-api-serviceintentions)" in message
    assert "configJson Sources[0] allows Name '*'" in message

    crd = estate("consul-crd").by_name("m-shop-api-serviceintentions")

    def allow_by_permission(props: dict[str, Any]) -> None:
        props["spec"]["sources"] = [
            {"name": "*", "permissions": [{"action": "allow", "http": {"pathPrefix": "/"}}]}
        ]

    (message,) = no_wildcard_principals(with_props(crd, allow_by_permission)).messages
    assert "ServiceIntentions shop/api" in message and "spec.sources[0] allows name '*'" in message


def _statement(props: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(props["policy"])
    return document


def test_lattice_star_principal_needs_a_condition() -> None:
    policy = of_type(estate("vpc-lattice"), AUTH_POLICY)
    assert _statement(dict(policy.inputs))["Statement"][0]["Principal"] == "*"  # with conditions

    def unconditional(props: dict[str, Any]) -> None:
        document = _statement(props)
        del document["Statement"][0]["Condition"]
        props["policy"] = json.dumps(document)

    (message,) = no_wildcard_principals(with_props(policy, unconditional)).messages
    assert message.startswith("aws:vpclattice AuthPolicy m-shop-api-lattice-auth-policy: ")
    assert "Statement[0] allows Principal '*' without a Condition" in message

    def unknown(props: dict[str, Any]) -> None:
        props["policy"] = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # a preview's unknown ARN in it

    findings = no_wildcard_principals(with_props(policy, unknown))
    assert not findings.violations and "not known yet" in findings.unjudged[0]


def test_the_lattice_controller_crd_is_judged_too() -> None:
    statement = {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "*", "Resource": "*"}

    def crd(explicit: pulumi.ProviderResource) -> None:
        custom_resource(
            explicit,
            "open",
            "application-networking.k8s.aws/v1alpha1",
            "IAMAuthPolicy",
            {"policy": json.dumps({"Statement": statement}), "targetRef": {"kind": "Gateway"}},
        )

    found = check_all(estate("istio", extra=crd), no_wildcard_principals)
    assert list(found) == ["open"]
    assert "IAMAuthPolicy shop/open" in found["open"].messages[0]


def test_a_linkerd_server_authorization_with_a_wildcard_identity() -> None:
    def legacy(explicit: pulumi.ProviderResource) -> None:
        custom_resource(
            explicit,
            "legacy-authz",
            "policy.linkerd.io/v1beta1",
            "ServerAuthorization",
            {"server": {"name": "api-8080"}, "client": {"meshTLS": {"identities": ["*"]}}},
        )

    found = check_all(estate("linkerd", extra=legacy), no_wildcard_principals)
    assert list(found) == ["legacy-authz"]
    assert "spec.client.meshTLS.identities has '*'" in found["legacy-authz"].messages[0]
