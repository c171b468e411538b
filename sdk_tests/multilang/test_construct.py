"""Every component constructed as another language constructs it registers what Python does.

A TypeScript (Go, C#, ...) program sends the engine a RegisterResource for
``smi:index:TrafficSplit``; the engine sends the provider host a ConstructRequest, whose
inputs the host deserialises (``ProviderServicer._construct_inputs``: camelCase names, every
number a float, a provider as a resource reference, an output of another resource as an
output value) and whose options it rebuilds (``_construct_options``) before calling
``ComponentProvider.construct``. These tests do exactly that, under
:func:`pulumi_smi.testing.run_program`'s mocks, for meshes of kinds ``istio`` and
``vpc-lattice``, and compare what is registered with the same program written with the
Python API.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.server import ComponentInitError, ProviderServicer
from pulumi.runtime.proto import provider_pb2
from pulumi.runtime.sync_await import _sync_await

import pulumi_smi as smi
from pulumi_smi.multilang import COMPONENTS, registry, whole_number
from pulumi_smi.testing import RecordedResource, Recording, run_program

CATALOGUE = """
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 80, appProtocol: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-v1, namespace: shop}
spec: {selector: {app: web, version: v1}, ports: [{name: http, port: 80, appProtocol: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-v2, namespace: shop}
spec: {selector: {app: web, version: v2}, ports: [{name: http, port: 80, appProtocol: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{name: http, port: 8080, appProtocol: http}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec: {serviceAccountName: api, containers: [{name: api, image: api:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: shop}
spec:
  template:
    metadata: {labels: {app: client}}
    spec: {serviceAccountName: client, containers: [{name: client, image: client:1}]}
"""

LEGACY = """
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec: {selector: {app: cart}, ports: [{name: http, port: 80, appProtocol: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: cart-v1, namespace: shop}
spec: {selector: {app: cart, version: v1}, ports: [{name: http, port: 80, appProtocol: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: cart-v2, namespace: shop}
spec: {selector: {app: cart, version: v2}, ports: [{name: http, port: 80, appProtocol: http}]}
---
apiVersion: split.smi-spec.io/v1alpha2
kind: TrafficSplit
metadata: {name: cart, namespace: shop}
spec:
  service: cart
  backends: [{service: cart-v1, weight: 3}, {service: cart-v2, weight: 1}]
"""

KINDS = ("istio", "vpc-lattice")
_SIG = "4dabf18193072939515e22adb298388d"
_RESOURCE = "5cf8f73096256a8f31e491e813e4eb8e"
_OUTPUT_VALUE = "d0e6a833031e9bbcd3f4e8bde6ca49a4"


@pytest.fixture(autouse=True)
def _program_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A program's directory, with the catalogue and the legacy SMI YAML in it."""
    (tmp_path / "catalogue.yaml").write_text(CATALOGUE)
    (tmp_path / "legacy.yaml").write_text(LEGACY)
    monkeypatch.chdir(tmp_path)
    yield


class OtherLanguage:
    """What the engine and the provider host do for a program in another language."""

    def __init__(self) -> None:
        self.provider = ComponentProvider(COMPONENTS, "smi", version=smi.__version__)
        self.results: dict[str, Any] = {}
        """Each component's construct result."""

    @staticmethod
    def reference(resource: pulumi.Resource) -> dict[str, Any]:
        """``resource`` as the other language's SDK serialises it: a resource reference."""
        urn = _sync_await(resource.urn.future())
        ref: dict[str, Any] = {_SIG: _RESOURCE, "urn": urn, "packageVersion": ""}
        if isinstance(resource, pulumi.CustomResource):
            ref["id"] = _sync_await(resource.id.future())
        return ref

    @staticmethod
    def output_value(output: pulumi.Output[Any], resource: pulumi.Resource) -> dict[str, Any]:
        """An output of ``resource``, as an output value (with its dependency)."""
        return {
            _SIG: _OUTPUT_VALUE,
            "value": _sync_await(output.future()),
            "dependencies": [_sync_await(resource.urn.future())],
        }

    def construct(
        self,
        name: str,
        component: str,
        inputs: Mapping[str, Any],
        *,
        property_dependencies: Mapping[str, Sequence[str]] | None = None,
        depends_on: Sequence[str] = (),
    ) -> str:
        """Construct ``smi:index:<component>`` from JSON ``inputs``; its URN, once registered
        (the other language's SDK waits for the URNs of ``dependsOn`` before it sends the next
        component's request)."""
        struct = json_format.ParseDict(dict(inputs), struct_pb2.Struct())
        dependencies = {
            key: provider_pb2.ConstructRequest.PropertyDependencies(urns=list(urns))
            for key, urns in (property_dependencies or {}).items()
        }
        every = [*depends_on, *(u for urns in (property_dependencies or {}).values() for u in urns)]
        request = provider_pb2.ConstructRequest(
            name=name, type=f"smi:index:{component}", dependencies=list(dict.fromkeys(every))
        )
        values = _sync_await(ProviderServicer._construct_inputs(struct, dependencies))
        options = ProviderServicer._construct_options(request)
        result = self.provider.construct(name, request.type, values, options)
        self.results[name] = result
        urn: str = _sync_await(pulumi.Output.from_input(result.urn).future())
        return urn

    def state(self, name: str) -> dict[str, Any]:
        """The outputs of component ``name``, as the host returns them (resolved)."""
        value: dict[str, Any] = _sync_await(
            pulumi.Output.from_input(self.results[name].state).future()
        )
        return value


# --- one estate, written twice --------------------------------------------------------


def _mesh_setup(kind: str) -> tuple[pulumi.ProviderResource, pulumi.CustomResource | None]:
    if kind == "vpc-lattice":
        provider: pulumi.ProviderResource = aws.Provider("cloud", region="us-east-1")
        vpc = aws.ec2.Vpc(
            "eks-vpc", cidr_block="10.0.0.0/16", opts=pulumi.ResourceOptions(provider=provider)
        )
        return provider, vpc
    return k8s.Provider("cluster", kubeconfig="x"), None


def python_program(kind: str) -> Callable[[], None]:
    """The estate written with the Python API."""

    def program() -> None:
        provider, vpc = _mesh_setup(kind)
        options: dict[str, Any] = {}
        if vpc is not None:
            options = {"vpc_id": vpc.id, "eks_cluster_name": "prod-eks"}
        mesh = smi.Mesh(
            "dc1",
            kind,
            provider=provider,
            mesh_name="shop" if vpc is not None else None,
            options=options or None,
            catalogue=smi.load_files(["catalogue.yaml"]).catalogue,
            depends_on=[vpc] if vpc is not None else (),
            child_options=smi.ChildOptions(
                ignore_changes=["metadata.labels"],
                retain_on_delete=True,
                custom_timeouts=pulumi.CustomTimeouts(create="5m"),
            ),
        )
        common: dict[str, Any] = {"namespace": "shop", "meshes": [mesh]}
        beta = smi.HTTPRouteGroup(
            "beta",
            matches=[
                smi.HTTPMatch("beta", headers={"x-beta": "true"}),
                smi.HTTPMatch("read", path_regex="/api/.*", methods=["GET"]),
            ],
            **common,
        )
        port = smi.TCPRoute("api-port", ports=[8080], **common)
        smi.UDPRoute("dns", ports=[53], **common)
        smi.TrafficSplit(
            "web",
            service="web",
            backends=[smi.Backend("web-v1", 90), smi.Backend("web-v2", 10)],
            matches=[beta],
            labels={"team": "shop"},
            weights_handover=smi.WeightHandover(scope="lists"),
            **common,
        )
        smi.TrafficTarget(
            "client-calls-api",
            destination=smi.ServiceAccount("api"),
            sources=[smi.ServiceAccount("client", namespace="shop")],
            rules=[port.rule(), beta.rule("read")],
            child_options=smi.ChildOptions(protect=True),
            **common,
        )
        smi.Manifests("legacy", files=["legacy.yaml"], meshes=[mesh])

    return program


def multilang_program(kind: str, other: OtherLanguage) -> Callable[[], None]:
    """The same estate, as another language's program constructs it."""

    def program() -> None:
        provider, vpc = _mesh_setup(kind)
        provider_key = "awsProvider" if kind == "vpc-lattice" else "kubernetesProvider"
        provider_urn = _sync_await(provider.urn.future())
        mesh_inputs: dict[str, Any] = {
            "kind": kind,
            provider_key: other.reference(provider),
            "catalogueFiles": ["catalogue.y*ml"],
            "childOptions": {
                "ignoreChanges": ["metadata.labels"],
                "retainOnDelete": True,
                "customTimeouts": {"create": "5m"},
            },
        }
        dependencies = {provider_key: [provider_urn]}
        depends_on: list[str] = []
        if vpc is not None:
            mesh_inputs["meshName"] = "shop"
            mesh_inputs["options"] = {
                "vpc_id": other.output_value(vpc.id, vpc),
                "eks_cluster_name": "prod-eks",
            }
            depends_on = [_sync_await(vpc.urn.future())]
            dependencies["options"] = depends_on
        mesh = other.construct(
            "dc1", "Mesh", mesh_inputs, property_dependencies=dependencies, depends_on=depends_on
        )
        common = {"namespace": "shop", "meshes": ["dc1"]}
        beta = other.construct(
            "beta",
            "HTTPRouteGroup",
            {
                **common,
                "matches": [
                    {"name": "beta", "headers": {"x-beta": "true"}},
                    {"name": "read", "pathRegex": "/api/.*", "methods": ["GET"]},
                ],
            },
            depends_on=[mesh],
        )
        port = other.construct(
            "api-port", "TCPRoute", {**common, "ports": [8080.0]}, depends_on=[mesh]
        )
        other.construct("dns", "UDPRoute", {**common, "ports": [53.0]}, depends_on=[mesh])
        other.construct(
            "web",
            "TrafficSplit",
            {
                **common,
                "service": "web",
                "backends": [
                    {"service": "web-v1", "weight": 90.0},
                    {"service": "web-v2", "weight": 10.0},
                ],
                "matches": ["beta"],
                "labels": {"team": "shop"},
                "weightsHandover": {"scope": "lists"},
            },
            depends_on=[mesh, beta],
        )
        other.construct(
            "client-calls-api",
            "TrafficTarget",
            {
                **common,
                "destination": {"name": "api"},
                "sources": [{"name": "client", "namespace": "shop"}],
                "rules": [
                    {"kind": "TCPRoute", "name": "api-port"},
                    {"kind": "HTTPRouteGroup", "name": "beta", "matches": ["read"]},
                ],
                "childOptions": {"protect": True},
            },
            depends_on=[mesh, beta, port],
        )
        other.construct(
            "legacy", "Manifests", {"files": ["legacy.yaml"], "meshes": ["dc1"]}, depends_on=[mesh]
        )
        other.results["outputs"] = {n: other.state(n) for n in list(other.results)}

    return program


def _registered(resource: RecordedResource) -> tuple[Any, ...]:
    """What must be the same: type, name, inputs, parent, provider and the child options
    (dependencies: :func:`test_children_wait_for_what_the_mesh_depends_on`)."""
    return (
        resource.type,
        resource.name,
        json.dumps(resource.inputs, sort_keys=True),
        resource.parent,
        resource.provider,
        resource.ignore_changes,
        bool(resource.retain_on_delete),  # unset is false; construct options send false
        tuple(sorted(resource.custom_timeouts.items())),
        tuple(sorted(resource.aliases)),
    )


def _both(kind: str) -> tuple[Recording, Recording, OtherLanguage]:
    python = run_program(python_program(kind))
    other = OtherLanguage()
    multilang = run_program(multilang_program(kind, other))
    return python, multilang, other


@pytest.mark.parametrize("kind", KINDS)
def test_construct_registers_what_the_python_api_registers(kind: str) -> None:
    python, multilang, _ = _both(kind)
    expected = sorted(map(_registered, python.resources))
    assert sorted(map(_registered, multilang.resources)) == expected
    children = [r for r in python.custom_resources() if r.parent is not None]
    assert len(children) >= 5  # shared ones under the Mesh, the others under their component
    assert {r.parent_name for r in children} >= {"dc1", "web", "legacy"}
    assert {r.provider_name for r in children} == {"cloud" if kind == "vpc-lattice" else "cluster"}


@pytest.mark.parametrize("kind", KINDS)
def test_children_wait_for_what_the_mesh_depends_on(kind: str) -> None:
    """The Mesh's dependencies go to every child, as ``smi.Mesh(depends_on=...)`` does; the
    other language also sends the provider's URN (a property dependency), which adds nothing
    the child does not wait for anyway."""
    python, multilang, _ = _both(kind)
    by_urn = {r.urn: r for r in python.resources}
    provider = next(r.urn for r in python.resources if r.type.startswith("pulumi:providers:"))
    for resource in multilang.custom_resources():
        wanted = set(by_urn[resource.urn].dependencies)
        assert wanted <= set(resource.dependencies) <= wanted | {provider}, resource.name


@pytest.mark.parametrize("kind", KINDS)
def test_the_outputs(kind: str) -> None:
    _, multilang, other = _both(kind)
    outputs = other.results["outputs"]
    assert outputs["dc1"]["kind"] == kind
    assert outputs["dc1"].get("meshName") == ("shop" if kind == "vpc-lattice" else None)
    recorded = {r.urn: r for r in multilang.resources}
    for name in ("beta", "api-port", "dns", "web", "client-calls-api", "legacy"):
        state = outputs[name]
        assert set(state["resourceNames"]) == {"dc1"}
        names = [r.name for r in multilang.children_of(name)]
        assert sorted(state["resourceNames"]["dc1"]) == sorted(names)
        assert [recorded[u].name for u in state["urns"]["dc1"]] == state["resourceNames"]["dc1"]
        aws_children = [n for n in names if recorded_type(multilang, n).startswith("aws:")]
        assert sorted(state["arns"]) == sorted(aws_children)
    split = outputs["web"]
    if kind == "istio":
        assert split["shares"] == {"dc1": {"shop/web-v1": 90.0, "shop/web-v2": 10.0}}
        assert split["latticeDnsNames"] == {}
        assert split["arns"] == {}
    else:
        groups = {"web-v1-shop-80": 90.0, "web-v2-shop-80": 10.0}
        assert split["shares"] == {"dc1": groups}
        service = "web-dc1-lattice-service"
        assert split["arns"][service] == f"arn:aws:vpclattice:us-east-1:123456789012:{service}"
        assert split["latticeDnsNames"] == {
            "web-shop": "web-shop-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-east-1.on.aws"
        }


def recorded_type(recording: Recording, name: str) -> str:
    return recording.by_name(name).type


def test_the_components_are_the_python_components() -> None:
    """Constructed from Python too (``pulumi_smi.multilang.TrafficSplit("web", {...})``), a
    component is an instance of both classes: the multi-language one and the Python one."""
    from pulumi_smi import multilang

    made: dict[str, Any] = {}

    def program() -> None:
        mesh = multilang.Mesh("dc1", {"kind": multilang.MeshKind.ISTIO})
        made["mesh"] = mesh
        made["split"] = multilang.TrafficSplit(
            "web",
            {"service": "web", "meshes": ["dc1"], "backends": [{"service": "web-v1", "weight": 1}]},
        )

    run_program(program)
    assert isinstance(made["mesh"], smi.Mesh) and isinstance(made["mesh"], multilang.Mesh)
    assert isinstance(made["split"], smi.TrafficSplit)
    assert isinstance(made["split"], multilang.TrafficSplit)
    assert made["split"].plans["dc1"].resources[0].name == "web-dc1-virtualservice"
    assert made["mesh"].kind is smi.MeshKind.ISTIO


def test_every_component_registers_its_outputs_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine completes a component on its first RegisterResourceOutputs and refuses a
    second ("cannot complete a resource whose registration isn't pending"): the Python
    component's own call is folded into the multi-language one."""
    calls: list[tuple[str, list[str]]] = []
    original = pulumi.resource.register_resource_outputs

    def spy(resource: pulumi.Resource, outputs: Any) -> None:
        calls.append((type(resource).__name__, sorted(outputs)))
        original(resource, outputs)

    monkeypatch.setattr(pulumi.resource, "register_resource_outputs", spy)
    run_program(multilang_program("vpc-lattice", OtherLanguage()))
    components = [(name, keys) for name, keys in calls if name != "Stack"]
    common = ["arns", "latticeDnsNames", "resourceNames", "urns"]
    assert sorted(components) == [
        ("_HTTPRouteGroup", common),
        ("_Manifests", common),
        ("_Mesh", ["kind", "meshName"]),
        ("_TCPRoute", common),
        ("_TrafficSplit", sorted([*common, "shares"])),
        ("_TrafficTarget", common),
        ("_UDPRoute", common),
    ]


# --- wrong inputs ---------------------------------------------------------------------


def _construct_fails(build: Callable[[OtherLanguage], None]) -> BaseException:
    other = OtherLanguage()
    with pytest.raises(ComponentInitError) as failed:
        run_program(lambda: build(other))
    return failed.value.inner


def _istio_mesh(other: OtherLanguage, name: str = "dc1") -> str:
    return other.construct(name, "Mesh", {"kind": "istio", "catalogueFiles": ["catalogue.yaml"]})


def test_a_weight_that_is_not_whole_is_refused_naming_the_field() -> None:
    def build(other: OtherLanguage) -> None:
        mesh = _istio_mesh(other)
        backends = [{"service": "web-v1", "weight": 89.5}, {"service": "web-v2", "weight": 10.5}]
        other.construct(
            "web",
            "TrafficSplit",
            {"service": "web", "namespace": "shop", "meshes": ["dc1"], "backends": backends},
            depends_on=[mesh],
        )

    error = _construct_fails(build)
    assert isinstance(error, smi.SmiError)
    assert str(error).splitlines() == [
        "smi:index:TrafficSplit web: backends[0].weight: expected a whole number, got 89.5 (float)",
        "smi:index:TrafficSplit web: backends[1].weight: expected a whole number, got 10.5 (float)",
    ]


def test_a_port_that_is_a_boolean_is_refused() -> None:
    def build(other: OtherLanguage) -> None:
        _istio_mesh(other)
        other.construct("api-port", "TCPRoute", {"meshes": ["dc1"], "ports": [8080.0, True]})

    error = _construct_fails(build)
    assert str(error) == (
        "smi:index:TCPRoute api-port: ports[1]: expected a whole number, got True (bool)"
    )


def test_a_mesh_not_constructed_before_is_refused_saying_what_to_do() -> None:
    def build(other: OtherLanguage) -> None:
        _istio_mesh(other)
        backends = [{"service": "web-v1", "weight": 1.0}]
        other.construct(
            "web",
            "TrafficSplit",
            {"service": "web", "meshes": ["dc1", "onprem"], "backends": backends},
        )

    error = _construct_fails(build)
    assert isinstance(error, smi.SmiError)
    assert str(error) == (
        "smi:index:TrafficSplit web: meshes[1]: mesh 'onprem' is not known: create "
        "smi.Mesh('onprem') earlier in the program and give this component `dependsOn: [mesh]` "
        "so Pulumi constructs the mesh first"
    )


def test_a_route_group_not_constructed_before_is_refused() -> None:
    def build(other: OtherLanguage) -> None:
        _istio_mesh(other)
        other.construct(
            "client-calls-api",
            "TrafficTarget",
            {
                "meshes": ["dc1"],
                "destination": {"name": "api"},
                "sources": [{"name": "client"}],
                "rules": [{"kind": "HTTPRouteGroup", "name": "beta"}],
            },
        )

    error = _construct_fails(build)
    assert str(error) == (
        "smi:index:TrafficTarget client-calls-api: rules[0].name: HTTPRouteGroup 'beta' is not "
        "known: create smi.HTTPRouteGroup('beta') earlier in the program and give this "
        "component `dependsOn` on it so Pulumi constructs it first"
    )


def test_a_value_that_is_the_output_of_another_resource_is_refused_where_plain_is_needed() -> None:
    def build(other: OtherLanguage) -> None:
        _istio_mesh(other)
        namespace = k8s.core.v1.Namespace("shop")
        other.construct(
            "api-port",
            "TCPRoute",
            {"meshes": ["dc1"], "namespace": other.output_value(namespace.id, namespace)},
        )

    error = _construct_fails(build)
    assert str(error) == (
        "smi:index:TCPRoute api-port: namespace: expected a string known when the component is "
        "created, got the output of another resource"
    )


def test_a_rule_with_matches_on_a_tcp_route_and_an_unknown_match_are_refused() -> None:
    def build(other: OtherLanguage) -> None:
        mesh = _istio_mesh(other)
        other.construct("api-port", "TCPRoute", {"meshes": ["dc1"]}, depends_on=[mesh])
        other.construct(
            "beta", "HTTPRouteGroup", {"meshes": ["dc1"], "matches": [{"name": "beta"}]}
        )
        other.construct(
            "client-calls-api",
            "TrafficTarget",
            {
                "meshes": ["dc1"],
                "destination": {"name": "api"},
                "sources": [{"name": "client"}],
                "rules": [
                    {"kind": "TCPRoute", "name": "api-port", "matches": ["x"]},
                    {"kind": "HTTPRouteGroup", "name": "beta", "matches": ["gamma"]},
                ],
            },
        )

    lines = str(_construct_fails(build)).splitlines()
    assert lines == [
        "smi:index:TrafficTarget client-calls-api: rules[0].matches: a TCPRoute has no named "
        "matches: give none",
        "smi:index:TrafficTarget client-calls-api: rules[1].matches: smi:index:HTTPRouteGroup "
        "beta: rule: no match named 'gamma' (it has: beta)",
    ]


def test_two_providers_are_refused() -> None:
    def build(other: OtherLanguage) -> None:
        cluster = k8s.Provider("cluster", kubeconfig="x")
        cloud = aws.Provider("cloud", region="us-east-1")
        other.construct(
            "dc1",
            "Mesh",
            {
                "kind": "istio",
                "kubernetesProvider": other.reference(cluster),
                "awsProvider": other.reference(cloud),
            },
        )

    assert str(_construct_fails(build)) == (
        "smi:index:Mesh dc1: awsProvider: give one provider, got kubernetesProvider, awsProvider"
    )


def test_an_unknown_mesh_kind_is_refused_by_the_provider() -> None:
    other = OtherLanguage()
    with pytest.raises(Exception, match="Invalid value linkerd2"):
        run_program(lambda: other.construct("dc1", "Mesh", {"kind": "linkerd2"}))


def test_catalogue_files_must_exist_and_hold_no_smi_objects() -> None:
    def build(other: OtherLanguage) -> None:
        other.construct(
            "dc1",
            "Mesh",
            {"kind": "istio", "catalogueFiles": ["catalogue.yaml", "legacy.yaml", "none/*.yaml"]},
        )

    assert str(_construct_fails(build)).splitlines() == [
        "smi:index:Mesh dc1: catalogueFiles[2]: no file matches 'none/*.yaml'",
        "smi:index:Mesh dc1: catalogueFiles: the catalogue files hold SMI objects "
        "(TrafficSplit/shop/cart): give them to smi.Manifests",
    ]


# --- providers, the registry ------------------------------------------------------------


def test_the_provider_may_come_from_the_providers_option() -> None:
    """A Mesh given ``providers: {kubernetes: p}`` (a resource option) uses ``p`` explicitly
    on every child, as if given as ``kubernetesProvider``."""

    def program() -> None:
        cluster = k8s.Provider("cluster", kubeconfig="x")
        ref = OtherLanguage.reference(cluster)
        reference = f"{ref['urn']}::{ref['id']}"
        provider = ComponentProvider(COMPONENTS, "smi", version=smi.__version__)
        request = provider_pb2.ConstructRequest(
            name="dc1", type="smi:index:Mesh", providers={"kubernetes": reference}
        )
        options = ProviderServicer._construct_options(request)
        values = {"kind": "istio", "catalogueFiles": ["catalogue.yaml"]}
        provider.construct("dc1", "smi:index:Mesh", values, options)
        backends = [{"service": "web-v1", "weight": 1.0}]
        inputs = {"service": "web", "namespace": "shop", "meshes": ["dc1"], "backends": backends}
        provider.construct("web", "smi:index:TrafficSplit", inputs, None)

    recording = run_program(program)
    assert recording.by_name("web-dc1-virtualservice").provider_name == "cluster"


def test_the_registry_does_not_leak_between_programs() -> None:
    def with_mesh() -> None:
        OtherLanguage().construct("dc1", "Mesh", {"kind": "istio"})

    run_program(with_mesh)
    run_program(with_mesh)  # the same names again: a new program, a new registry

    def without_mesh() -> None:
        other = OtherLanguage()
        other.construct("api-port", "TCPRoute", {"meshes": ["dc1"]})

    with pytest.raises(ComponentInitError, match="mesh 'dc1' is not known"):
        run_program(without_mesh)


def test_python_programs_register_nothing() -> None:
    seen: dict[str, Any] = {}

    def program() -> None:
        smi.Mesh("dc1", "istio")
        seen["mesh"] = registry.find_mesh("dc1")

    run_program(program)
    assert seen == {"mesh": None}


def test_a_backend_served_by_another_mesh_is_named_by_it() -> None:
    """The hybrid case across languages: an Istio split sends a share to the Lattice service
    that a Lattice mesh of the same program serves, named by the mesh's resource name."""
    backend = {"service": "web", "weight": 10.0, "mesh": "use1"}

    def program(other: OtherLanguage | None) -> None:
        if other is None:
            cloud = smi.Mesh(
                "use1",
                "vpc-lattice",
                options={"vpc_id": "vpc-0123456789abcdef0"},
                catalogue=smi.load_files(["catalogue.yaml"]).catalogue,
            )
            onprem = smi.Mesh(
                "dc1", "istio", catalogue=smi.load_files(["catalogue.yaml"]).catalogue
            )
            smi.TrafficSplit(
                "web-aws",
                service="web",
                namespace="shop",
                meshes=[cloud],
                backends=[smi.Backend("web-v1", 1)],
            )
            smi.TrafficSplit(
                "web",
                service="web",
                namespace="shop",
                meshes=[onprem],
                backends=[smi.Backend("web-v1", 90), smi.Backend("web", 10, mesh=cloud)],
            )
            return
        files = {"catalogueFiles": ["catalogue.yaml"]}
        cloud_ = other.construct(
            "use1",
            "Mesh",
            {"kind": "vpc-lattice", "options": {"vpc_id": "vpc-0123456789abcdef0"}, **files},
        )
        onprem_ = other.construct("dc1", "Mesh", {"kind": "istio", **files})
        aws_split = other.construct(
            "web-aws",
            "TrafficSplit",
            {
                "service": "web",
                "namespace": "shop",
                "meshes": ["use1"],
                "backends": [{"service": "web-v1", "weight": 1.0}],
            },
            depends_on=[cloud_],
        )
        other.construct(
            "web",
            "TrafficSplit",
            {
                "service": "web",
                "namespace": "shop",
                "meshes": ["dc1"],
                "backends": [{"service": "web-v1", "weight": 90.0}, backend],
            },
            depends_on=[onprem_, cloud_, aws_split],
        )

    python = run_program(lambda: program(None))
    multilang = run_program(lambda: program(OtherLanguage()))
    assert sorted(map(_registered, multilang.resources)) == sorted(
        map(_registered, python.resources)
    )
    entry = multilang.by_name("dc1-shop-web-use1-serviceentry")  # the Lattice service's host
    assert entry.inputs["spec"]["hosts"] == [
        "web-shop-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-east-1.on.aws"
    ]


# --- whole numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [(8080, 8080), (8080.0, 8080), (0.0, 0), (-1.0, -1)]
)
def test_whole_numbers_are_accepted(value: object, expected: int) -> None:
    assert whole_number(value, "smi:index:TCPRoute r", "ports[0]") == expected
    assert type(whole_number(value, "smi:index:TCPRoute r", "ports[0]")) is int


@pytest.mark.parametrize(
    ("value", "shown"),
    [(10.5, "10.5 (float)"), (True, "True (bool)"), ("80", "'80' (str)"), (None, "NoneType")],
)
def test_other_numbers_are_refused(value: object, shown: str) -> None:
    with pytest.raises(smi.SmiError) as refused:
        whole_number(value, "smi:index:TCPRoute r", "ports[0]")
    assert str(refused.value) == (
        f"smi:index:TCPRoute r: ports[0]: expected a whole number, got {shown}"
    )
