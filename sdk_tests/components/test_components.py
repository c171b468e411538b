"""The components register exactly their Plan's resources, parented, with the mesh's provider."""

from __future__ import annotations

from pathlib import Path

import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest

import pulumi_smi as smi
from pulumi_smi.testing import Recording, run_program

BOOKINFO = Path(__file__).parents[2] / "examples" / "manifests" / "bookinfo"


@pytest.fixture(params=[False, True], ids=["update", "preview"])
def preview(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def estate() -> tuple[smi.Mesh, smi.Mesh]:
    east = smi.Mesh("east", "smi", provider=k8s.Provider("east-k8s", kubeconfig="east"))
    west = smi.Mesh("west", "smi", provider=k8s.Provider("west-k8s", kubeconfig="west"))
    return east, west


def bookinfo(meshes: list[smi.Mesh]) -> dict[str, smi.SmiComponent]:
    routes = smi.HTTPRouteGroup(
        "reviews-routes",
        namespace="bookinfo",
        meshes=meshes,
        matches=[
            smi.HTTPMatch("read", path_regex="/reviews/.*", methods=["GET"]),
            smi.HTTPMatch("beta", headers={"X-Beta": "true"}),
        ],
    )
    mysql = smi.TCPRoute("mysql", namespace="bookinfo", meshes=meshes, ports=[3306])
    split = smi.TrafficSplit(
        "reviews",
        namespace="bookinfo",
        service="reviews",
        meshes=meshes,
        backends=[smi.Backend("reviews-v1", 90), smi.Backend("reviews-v2", 10)],
        matches=[routes],
    )
    target = smi.TrafficTarget(
        "productpage-reads-reviews",
        namespace="bookinfo",
        meshes=meshes,
        destination=smi.ServiceAccount("reviews"),
        sources=[smi.ServiceAccount("productpage"), smi.ServiceAccount("report", "batch")],
        rules=[routes.rule("read"), mysql.rule()],
    )
    return {"routes": routes, "mysql": mysql, "split": split, "target": target}


def assert_registers_its_plans(
    recording: Recording, component: smi.SmiComponent, name: str
) -> None:
    children = [r for r in recording.children_of(name) if r.custom]
    expected = [(mesh, resource) for mesh, plan in component.plans.items() for resource in plan]
    assert len(children) == len(expected)
    for mesh, resource in expected:
        child = recording.by_name(resource.name)
        assert child.type == resource.type
        assert child.inputs == resource.properties
        assert child.parent_name == name
        assert child.provider_name == f"{mesh}-k8s"


def test_every_component_registers_exactly_its_plan(preview: bool) -> None:
    made: dict[str, smi.SmiComponent] = {}

    def program() -> None:
        made.update(bookinfo(list(estate())))

    recording = run_program(program, preview=preview)
    for component in made.values():
        name = recording.by_type(component_type(component))[0].name
        assert_registers_its_plans(recording, component, name)
    names = sorted(r.name for r in recording.custom_resources())
    assert names == sorted(
        f"{component}-{mesh}-{role}"
        for component, role in [
            ("reviews-routes", "httproutegroup"),
            ("mysql", "tcproute"),
            ("reviews", "trafficsplit"),
            ("productpage-reads-reviews", "traffictarget"),
        ]
        for mesh in ("east", "west")
    )


def component_type(component: smi.SmiComponent) -> str:
    return f"smi:index:{type(component).__name__}"


def test_split_translation_reaches_the_cluster_unchanged() -> None:
    recording = run_program(lambda: bookinfo([estate()[0]]))
    split = recording.by_name("reviews-east-trafficsplit").inputs
    assert split["spec"] == {
        "service": "reviews",
        "backends": [
            {"service": "reviews-v1", "weight": 90},
            {"service": "reviews-v2", "weight": 10},
        ],
        "matches": [{"kind": "HTTPRouteGroup", "name": "reviews-routes"}],
    }
    target = recording.by_name("productpage-reads-reviews-east-traffictarget").inputs
    assert target["spec"]["sources"][1] == {
        "kind": "ServiceAccount",
        "name": "report",
        "namespace": "batch",
    }


def test_without_a_provider_children_use_the_default_provider() -> None:
    def program() -> None:
        mesh = smi.Mesh("ambient", "smi")
        smi.TCPRoute("db", meshes=mesh, ports=[5432])

    child = run_program(program).by_name("db-ambient-tcproute")
    assert child.provider is None
    assert child.parent_name == "db"


def test_manifests_component_owns_every_object_in_the_files(preview: bool) -> None:
    made: list[smi.Manifests] = []

    def program() -> None:
        mesh = smi.Mesh("dc1", "smi", provider=k8s.Provider("dc1-k8s", kubeconfig="x"))
        made.append(smi.Manifests("legacy", files=[str(BOOKINFO / "*.yaml")], meshes=mesh))

    recording = run_program(program, preview=preview)
    assert_registers_its_plans(recording, made[0], "legacy")
    assert "legacy-dc1-bookinfo-reviews-canary-trafficsplit" in {
        r.name for r in recording.custom_resources()
    }


def test_bad_argument_raises_before_anything_is_registered() -> None:
    recorded: list[Recording] = []

    def program() -> None:
        mesh = smi.Mesh("dc1", "smi")
        smi.TrafficSplit(
            "reviews",
            service="reviews",
            meshes=mesh,
            backends=[smi.Backend("reviews-v1", -5)],
        )

    with pytest.raises(smi.SmiValidationError) as err:
        recorded.append(run_program(program))
    (problem,) = err.value.problems
    assert str(problem) == (
        "smi:index:TrafficSplit reviews: (TrafficSplit/reviews): spec.backends[0].weight: "
        "Input should be greater than or equal to 0, got -5"
    )


def test_unknown_match_name_in_a_rule_is_an_error() -> None:
    def program() -> None:
        mesh = smi.Mesh("dc1", "smi")
        routes = smi.HTTPRouteGroup("r", meshes=mesh, matches=[smi.HTTPMatch("read")])
        routes.rule("write")

    with pytest.raises(smi.SmiError, match="no match named 'write'"):
        run_program(program)


def test_a_mesh_refuses_a_provider_of_the_wrong_cloud() -> None:
    def program() -> None:
        smi.Mesh("dc1", "smi", provider=aws.Provider("use1", region="us-east-1"))

    with pytest.raises(smi.SmiError, match="needs a kubernetes provider, got a aws provider"):
        run_program(program)


def test_mesh_options_are_validated() -> None:
    with pytest.raises(smi.SmiError, match="unknown option"):
        run_program(lambda: smi.Mesh("dc1", "smi", options={"trust_domian": "x"}))


def test_components_need_a_mesh() -> None:
    with pytest.raises(smi.SmiError, match=r"at least one smi\.Mesh"):
        run_program(lambda: smi.TCPRoute("db", meshes=[]))


def test_two_components_writing_one_object_are_refused() -> None:
    def program() -> None:
        mesh = smi.Mesh("dc1", "smi")
        smi.TCPRoute("db", meshes=mesh, ports=[5432], namespace="data")
        smi.TCPRoute("db-again", object_name="db", meshes=mesh, ports=[5433], namespace="data")

    with pytest.raises(
        smi.SmiError, match="TCPRoute data/db is already written by smi:index:TCPRoute db;"
    ):
        run_program(program)


def test_the_same_object_in_two_meshes_is_fine() -> None:
    recording = run_program(lambda: bookinfo(list(estate())))
    assert len(recording.by_type("kubernetes:split.smi-spec.io/v1alpha4:TrafficSplit")) == 2


def test_two_split_components_on_one_istio_apex_are_refused() -> None:
    def program() -> None:
        mesh = smi.Mesh("dc1", "istio", provider=k8s.Provider("dc1-k8s", kubeconfig="x"))
        backends = [smi.Backend("web-v1", 1)]
        smi.TrafficSplit("web-a", service="web", meshes=mesh, backends=backends)
        smi.TrafficSplit("web-b", service="web", meshes=mesh, backends=backends)

    with pytest.raises(smi.SmiError) as err:
        run_program(program)
    assert "smi:index:TrafficSplit web-b: mesh dc1: VirtualService default/web is already " in str(
        err.value
    )


def test_istio_split_component_registers_its_virtual_service(preview: bool) -> None:
    made: list[smi.TrafficSplit] = []

    def program() -> None:
        mesh = smi.Mesh("dc1", "istio", provider=k8s.Provider("dc1-k8s", kubeconfig="x"))
        made.append(
            smi.TrafficSplit(
                "web",
                service="web",
                meshes=mesh,
                backends=[smi.Backend("web-v1", 3), smi.Backend("web-v2", 1)],
            )
        )

    recording = run_program(program, preview=preview)
    assert_registers_its_plans(recording, made[0], "web")
    vs = recording.by_name("web-dc1-virtualservice")
    assert vs.type == "kubernetes:networking.istio.io/v1:VirtualService"
    weights = [d["weight"] for d in vs.inputs["spec"]["http"][0]["route"]]
    assert weights == [3, 1]  # relative weights, exactly as given


SHOP_CATALOGUE = """
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 8080}, {name: tcp-admin, port: 9000}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec: {serviceAccountName: api, containers: [{name: api, image: api:1}]}
"""


def shop_mesh(kind: str, **options: object) -> smi.Mesh:
    return smi.Mesh(
        "dc1",
        kind,
        provider=k8s.Provider("dc1-k8s", kubeconfig="x"),
        options=options,
        catalogue=smi.load_text(SHOP_CATALOGUE).catalogue,
    )


def test_gateway_api_components_register_routes_and_istio_policies(preview: bool) -> None:
    made: dict[str, smi.TrafficSplit | smi.TrafficTarget] = {}

    def program() -> None:
        mesh = shop_mesh("gateway-api", policy="istio")
        made["split"] = smi.TrafficSplit(
            "web",
            namespace="shop",
            service="web",
            meshes=mesh,
            backends=[smi.Backend("web-v1", 9), smi.Backend("web-v2", 1)],
        )
        api = smi.HTTPRouteGroup(
            "api", namespace="shop", meshes=mesh, matches=[smi.HTTPMatch("all", path_regex=".*")]
        )
        for source in ("web", "admin"):
            made[source] = smi.TrafficTarget(
                f"{source}-calls-api",
                namespace="shop",
                meshes=mesh,
                destination=smi.ServiceAccount("api"),
                sources=[smi.ServiceAccount(source)],
                rules=[api.rule()],
            )

    recording = run_program(program, preview=preview)
    for component in made.values():
        assert_registers_its_plans(recording, component, component.spec.metadata.name)
    http = recording.by_name("web-dc1-httproute-8080")
    assert http.type == "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
    assert http.inputs["spec"]["parentRefs"] == [
        {"group": "", "kind": "Service", "name": "web", "port": 8080}
    ]
    tcp = recording.by_name("web-dc1-tcproute-9000")
    assert [ref["weight"] for ref in tcp.inputs["spec"]["rules"][0]["backendRefs"]] == [9, 1]
    shared = [r for r in recording.children_of("dc1") if r.custom]
    assert sorted(r.inputs["metadata"]["name"] for r in shared) == [
        "api-strict-mtls",
        "smi-default-deny",
    ]  # registered once although two TrafficTargets need them
    assert all(r.provider_name == "dc1-k8s" for r in shared)


SHOP_HTTP = """
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{name: http, port: 80, targetPort: 8080, appProtocol: http}]}
"""


def test_linkerd_targets_that_meet_in_one_server_must_share_a_component() -> None:
    def program() -> None:
        mesh = smi.Mesh(
            "dc1", "linkerd", catalogue=smi.load_text(SHOP_CATALOGUE + "---" + SHOP_HTTP).catalogue
        )
        api = smi.HTTPRouteGroup(
            "api", namespace="shop", meshes=mesh, matches=[smi.HTTPMatch("read", methods=["GET"])]
        )
        port = smi.TCPRoute("api-port", namespace="shop", meshes=mesh, ports=[8080])
        smi.TrafficTarget(
            "web-reads",
            namespace="shop",
            meshes=mesh,
            destination=smi.ServiceAccount("api"),
            sources=[smi.ServiceAccount("web")],
            rules=[api.rule()],
        )
        smi.TrafficTarget(
            "batch-connects",
            namespace="shop",
            meshes=mesh,
            destination=smi.ServiceAccount("api"),
            sources=[smi.ServiceAccount("batch")],
            rules=[port.rule()],
        )

    with pytest.raises(smi.SmiError, match=r"Server shop/api-8080 is shared, and two components"):
        run_program(program)


def test_linkerd_components_register_routes_servers_and_policies(preview: bool) -> None:
    made: list[smi.TrafficTarget] = []

    def program() -> None:
        mesh = smi.Mesh(
            "dc1",
            "linkerd",
            provider=k8s.Provider("dc1-k8s", kubeconfig="x"),
            catalogue=smi.load_text(SHOP_CATALOGUE + "---" + SHOP_HTTP).catalogue,
        )
        api = smi.HTTPRouteGroup(
            "api", namespace="shop", meshes=mesh, matches=[smi.HTTPMatch("read", methods=["GET"])]
        )
        made.append(
            smi.TrafficTarget(
                "web-reads",
                namespace="shop",
                meshes=mesh,
                destination=smi.ServiceAccount("api"),
                sources=[smi.ServiceAccount("web", namespace="front")],
                rules=[api.rule()],
            )
        )

    recording = run_program(program, preview=preview)
    assert_registers_its_plans(recording, made[0], "web-reads")
    kinds = sorted(r.inputs["kind"] for r in recording.children_of("web-reads") if r.custom)
    assert kinds == ["AuthorizationPolicy", "HTTPRoute", "MeshTLSAuthentication"]
    (server,) = [r for r in recording.children_of("dc1") if r.custom]
    assert server.inputs["kind"] == "Server" and server.provider_name == "dc1-k8s"
    identities = recording.by_name("web-reads-dc1-meshtlsauthentication").inputs["spec"]
    assert identities == {"identities": ["web.front.serviceaccount.identity.linkerd.cluster.local"]}


def test_consul_config_entry_mode_registers_pulumi_consul_entries(preview: bool) -> None:
    import json

    import pulumi_consul as consul

    made: list[smi.TrafficSplit] = []

    def program() -> None:
        datacenter = consul.Provider("vm-dc", address="consul.service.dc1:8500")
        catalogue = smi.load_text(
            "apiVersion: v1\nkind: Service\nmetadata: {name: pay, namespace: shop}\n"
            "spec: {ports: [{name: http, port: 8080}]}\n"
        ).catalogue
        mesh = smi.Mesh(
            "vms",
            "consul",
            provider=datacenter,
            catalogue=catalogue,
            options={"mode": "config-entry"},
        )
        made.append(
            smi.TrafficSplit(
                "pay",
                namespace="shop",
                service="pay",
                meshes=mesh,
                backends=[
                    smi.Backend("pay-v1", 1),
                    smi.Backend("pay-v2", 1),
                    smi.Backend("pay-v3", 1),
                ],
            )
        )

    recording = run_program(program, preview=preview)
    (splitter,) = [r for r in recording.children_of("pay") if r.custom]
    assert splitter.type == "consul:index/configEntry:ConfigEntry"
    assert splitter.provider_name == "vm-dc"
    assert splitter.inputs["kind"] == "service-splitter"
    weights = [s["Weight"] for s in json.loads(splitter.inputs["configJson"])["Splits"]]
    assert weights == [33.34, 33.33, 33.33]
    defaults = [r for r in recording.children_of("vms") if r.custom]
    assert sorted(r.inputs["name"] for r in defaults) == ["pay", "pay-v1", "pay-v2", "pay-v3"]
    assert {urn for urn in splitter.dependencies} == {r.urn for r in defaults}


def test_consul_crd_mode_needs_a_kubernetes_provider_and_config_entry_a_consul_one() -> None:
    import pulumi_consul as consul

    with pytest.raises(smi.SmiError, match="needs a kubernetes provider, got a consul provider"):
        run_program(lambda: smi.Mesh("dc", "consul", provider=consul.Provider("c")))
    with pytest.raises(smi.SmiError, match="needs a consul provider, got a kubernetes provider"):
        run_program(
            lambda: smi.Mesh(
                "dc",
                "consul",
                provider=k8s.Provider("k", kubeconfig="x"),
                options={"mode": "config-entry"},
            )
        )


def test_lattice_options_take_outputs_of_other_resources(preview: bool) -> None:
    def program() -> None:
        vpc = aws.ec2.Vpc("eks-vpc", cidr_block="10.0.0.0/16")
        catalogue = smi.load_text(
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"
            "spec: {ports: [{name: http, port: 80, appProtocol: http}]}\n"
        ).catalogue
        mesh = smi.Mesh(
            "use1",
            "vpc-lattice",
            provider=aws.Provider("use1", region="us-east-1"),
            options={"vpc_id": vpc.id},
            mesh_name="shop",
            catalogue=catalogue,
        )
        smi.TrafficSplit(
            "web",
            namespace="shop",
            service="web",
            meshes=mesh,
            backends=[smi.Backend("web-v1", 3), smi.Backend("web-v2", 1)],
        )

    recording = run_program(program, preview=preview)
    groups = recording.by_type("aws:vpclattice/targetGroup:TargetGroup")
    assert len(groups) == 2
    vpc = recording.by_name("eks-vpc")
    for group in groups:
        expected = None if preview else "eks-vpc-id"  # unknown in preview, as in a real one
        assert group.inputs["config"].get("vpcIdentifier") == expected
        assert vpc.urn in group.dependencies
    (listener,) = recording.by_type("aws:vpclattice/listener:Listener")
    weights = [t["weight"] for t in listener.inputs["defaultAction"]["forwards"][0]["targetGroups"]]
    assert sorted(weights) == [1, 3]


def test_a_lattice_split_name_with_a_dot_resolves_its_references() -> None:
    def program() -> None:
        catalogue = smi.load_text(
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"
            "spec: {ports: [{name: http, port: 80, appProtocol: http}]}\n"
        ).catalogue
        mesh = smi.Mesh(
            "use1",
            "vpc-lattice",
            provider=aws.Provider("use1", region="us-east-1"),
            options={"vpc_id": "vpc-0123456789abcdef0"},
            mesh_name="shop",
            catalogue=catalogue,
        )
        smi.TrafficSplit(
            "web.v2",
            namespace="shop",
            service="web",
            meshes=mesh,
            backends=[smi.Backend("web-v1", 1)],
        )

    recording = run_program(program, preview=False)
    (service,) = recording.by_type("aws:vpclattice/service:Service")
    (association,) = recording.by_type(
        "aws:vpclattice/serviceNetworkServiceAssociation:ServiceNetworkServiceAssociation"
    )
    assert service.urn in association.dependencies
