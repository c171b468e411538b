"""smi-mtls-required on what the components register (pulumi_smi.testing recordings)."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from policy_estates import (
    args_of,
    check_all,
    custom_resource,
    estate,
    of_type,
    with_props,
)

import pulumi_smi as smi
from pulumi_smi.policy import mtls_required
from pulumi_smi.testing import apply_transforms

PEER = "kubernetes:security.istio.io/v1:PeerAuthentication"
NODE = "aws:appmesh/virtualNode:VirtualNode"


def test_a_strict_istio_mesh_passes() -> None:
    recording = estate("istio")
    (peer,) = recording.by_type(PEER)
    assert peer.inputs["spec"]["mtls"] == {"mode": "STRICT"}
    assert check_all(recording, mtls_required) == {}


def _loosen(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    """A user's transform switching the mesh's PeerAuthentications to PERMISSIVE."""
    if args.type_ != PEER:
        return None
    spec = {**args.props["spec"], "mtls": {"mode": "PERMISSIVE"}}
    return pulumi.ResourceTransformResult({**args.props, "spec": spec}, args.opts)


def test_a_permissive_peer_authentication_is_flagged_naming_it() -> None:
    recording = estate("istio", child_options=smi.ChildOptions(transforms=[_loosen]))
    peer = apply_transforms(of_type(recording, PEER))  # what the engine gets, after transforms
    findings = mtls_required(args_of(peer))
    (message,) = findings.messages
    assert message.startswith(
        "PeerAuthentication shop/api-strict-mtls (m-shop-api-peerauthentication)"
    )
    assert "spec.mtls.mode is PERMISSIVE" in message
    assert findings.violations[0].urn is None  # about the resource judged


def test_disable_per_port_and_unset_inheritance() -> None:
    peer = of_type(estate("istio"), PEER)

    def per_port(props: dict[str, Any]) -> None:
        props["spec"]["portLevelMtls"] = {"8080": {"mode": "DISABLE"}, "9090": {"mode": "STRICT"}}

    (message,) = mtls_required(with_props(peer, per_port)).messages
    assert "spec.portLevelMtls[8080].mode is DISABLE" in message

    def unset(props: dict[str, Any]) -> None:
        props["spec"]["mtls"] = {"mode": "UNSET"}

    assert not mtls_required(with_props(peer, unset))


def test_unknown_mode_in_a_preview_is_not_judged_rather_than_passed() -> None:
    peer = of_type(estate("istio"), PEER)

    def unknown(props: dict[str, Any]) -> None:
        props["spec"]["mtls"]["mode"] = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # engine sentinel

    findings = mtls_required(with_props(peer, unknown))
    assert not findings.violations
    (unjudged,) = findings.unjudged
    assert "spec.mtls.mode is not known yet" in unjudged


def test_a_destination_rule_disabling_tls_is_flagged() -> None:
    def rules(explicit: pulumi.ProviderResource) -> None:
        custom_resource(
            explicit,
            "plaintext",
            "networking.istio.io/v1",
            "DestinationRule",
            {
                "host": "api.shop.svc.cluster.local",
                "trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}},
                "subsets": [{"name": "v1", "trafficPolicy": {"tls": {"mode": "DISABLE"}}}],
            },
        )
        custom_resource(
            explicit,
            "mutual",
            "networking.istio.io/v1",
            "DestinationRule",
            {
                "host": "web.shop.svc.cluster.local",
                "trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}},
            },
        )

    found = check_all(estate("istio", extra=rules), mtls_required)
    assert list(found) == ["plaintext"]
    (message,) = found["plaintext"].messages
    assert "DestinationRule shop/plaintext" in message
    assert "spec.subsets[0].trafficPolicy.tls.mode is DISABLE" in message


def test_linkerd_passes_until_something_admits_callers_without_identity() -> None:
    recording = estate("linkerd")
    assert check_all(recording, mtls_required) == {}
    (server,) = recording.by_type("kubernetes:policy.linkerd.io/v1beta3:Server")

    def open_door(props: dict[str, Any]) -> None:
        props["spec"]["accessPolicy"] = "all-unauthenticated"

    (message,) = mtls_required(with_props(server, open_door)).messages
    assert message.startswith("Server shop/api-8080")
    assert "spec.accessPolicy is all-unauthenticated" in message


def test_linkerd_probe_routes_are_authorized_by_network_and_flagged() -> None:
    recording = estate("linkerd", options={"probe_routes": True})
    found = check_all(recording, mtls_required)
    (name,) = found
    assert "NetworkAuthentication shop/smi-probe-networks" in found[name].messages[0]
    assert "0.0.0.0/0, ::/0" in found[name].messages[0]
    # excluded by name, it passes: the probe routes are a deliberate choice
    assert check_all(recording, mtls_required, {"exclude": ["shop/smi-probe-*"]}) == {}


def test_consul_strict_by_default_and_permissive_flagged_in_both_modes() -> None:
    crd = estate("consul-crd")
    entries = estate("consul-config-entry")
    assert check_all(crd, mtls_required) == {}
    assert check_all(entries, mtls_required) == {}

    defaults = crd.by_name("m-shop-api-servicedefaults")

    def permissive(props: dict[str, Any]) -> None:
        props["spec"]["mutualTLSMode"] = "permissive"

    (message,) = mtls_required(with_props(defaults, permissive)).messages
    assert "ServiceDefaults shop/api" in message
    assert "spec.mutualTLSMode is permissive" in message

    entry = entries.by_name("m-shop-api-servicedefaults")

    def permissive_entry(props: dict[str, Any]) -> None:
        props["configJson"] = '{"Protocol": "http", "MutualTLSMode": "permissive"}'

    (message,) = mtls_required(with_props(entry, permissive_entry)).messages
    assert message.startswith("consul:index ConfigEntry api (m-shop-api-servicedefaults)")
    assert "configJson.MutualTLSMode is permissive" in message


def test_a_consul_mesh_allowing_permissive_mtls_is_flagged() -> None:
    def mesh_entry(explicit: pulumi.ProviderResource) -> None:
        custom_resource(
            explicit,
            "mesh",
            "consul.hashicorp.com/v1alpha1",
            "Mesh",
            {"allowEnablingPermissiveMutualTLS": True},
        )

    found = check_all(estate("consul-crd", extra=mesh_entry), mtls_required)
    assert list(found) == ["mesh"]
    assert "allowEnablingPermissiveMutualTLS is true" in found["mesh"].messages[0]


def test_appmesh_without_mtls_is_flagged_per_listener_and_backend() -> None:
    found = check_all(estate("appmesh"), mtls_required)
    client = found["m-shop-client-virtualnode"].messages
    assert any("spec.listeners[0] (port 80) has no tls" in m for m in client)
    assert any(
        "spec.backends[0] (api.shop.svc.cluster.local) has no client TLS policy" in m
        for m in client
    )
    assert "m-shop-api-virtualnode" in found  # its listener is plaintext too


def test_appmesh_with_spire_mtls_passes_where_grants_land() -> None:
    recording = estate("appmesh", options={"mtls_trust_domain": "example.org"})
    found = check_all(recording, mtls_required)
    assert "m-shop-api-virtualnode" not in found  # STRICT listener
    client = found["m-shop-client-virtualnode"].messages
    # its backend presents its SVID now; only its own (ungranted) listener stays plaintext
    assert client == [
        "aws:appmesh VirtualNode client_shop (m-shop-client-virtualnode): spec.listeners[0] "
        "(port 80) has no tls: it accepts plaintext; give it tls mode STRICT (pulumi-smi: the "
        "appmesh option mtls_trust_domain)"
    ]

    node = recording.by_name("m-shop-api-virtualnode")

    def permissive(props: dict[str, Any]) -> None:
        props["spec"]["listeners"][0]["tls"]["mode"] = "PERMISSIVE"

    (message,) = mtls_required(with_props(node, permissive)).messages
    assert "tls.mode is PERMISSIVE" in message


@pytest.mark.parametrize("flavour", ["vpc-lattice", "gateway-api"])
def test_lattice_has_no_mtls_and_gateway_api_leaves_it_to_istio(flavour: str) -> None:
    recording = estate(flavour)
    assert check_all(recording, mtls_required) == {}
    if flavour == "gateway-api":  # policy=istio: its STRICT PeerAuthentication is judged
        peer = of_type(recording, PEER)

        def disable(props: dict[str, Any]) -> None:
            props["spec"]["mtls"]["mode"] = "DISABLE"

        assert mtls_required(with_props(peer, disable)).violations


def test_the_other_objects_that_skip_mtls() -> None:
    def objects(explicit: pulumi.ProviderResource) -> None:
        custom_resource(
            explicit,
            "legacy-authz",
            "policy.linkerd.io/v1beta1",
            "ServerAuthorization",
            {"server": {"name": "api-8080"}, "client": {"unauthenticated": True}},
        )
        custom_resource(
            explicit,
            "legacy-node",
            "appmesh.k8s.aws/v1beta2",
            "VirtualNode",
            {
                "listeners": [{"portMapping": {"port": 80, "protocol": "http"}}],
                "backendDefaults": {"clientPolicy": {"tls": {"enforce": False}}},
                "backends": [{"virtualService": {"virtualServiceRef": {"name": "api"}}}],
            },
        )
        custom_resource(
            explicit,
            "routes-in-clear",
            "networking.istio.io/v1",
            "DestinationRule",
            {
                "host": "api.shop.svc.cluster.local",
                "trafficPolicy": {
                    "portLevelSettings": [{"port": {"number": 8080}, "tls": {"mode": "DISABLE"}}]
                },
            },
        )

    found = check_all(estate("istio", extra=objects), mtls_required)
    assert set(found) == {"legacy-authz", "legacy-node", "routes-in-clear"}
    assert "spec.client.unauthenticated admits plaintext" in found["legacy-authz"].messages[0]
    node = found["legacy-node"].messages
    assert any("spec.listeners[0] (port 80) has no tls" in m for m in node)
    assert any("spec.backends[0] (api) clientPolicy.tls.enforce is false" in m for m in node)
    assert "portLevelSettings[0].tls.mode is DISABLE" in found["routes-in-clear"].messages[0]


def test_a_consul_mesh_config_entry_allowing_permissive_is_flagged() -> None:
    entry = estate("consul-config-entry").by_name("m-shop-api-servicedefaults")

    def mesh(props: dict[str, Any]) -> None:
        props.update(kind="mesh", name="mesh")
        props["configJson"] = '{"AllowEnablingPermissiveMutualTLS": true}'

    (message,) = mtls_required(with_props(entry, mesh)).messages
    assert "configJson.AllowEnablingPermissiveMutualTLS is true" in message
