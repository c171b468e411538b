"""Every bad argument to a component raises SmiError naming it, before anything is registered.

Each case builds one component named ``bad`` (next to a valid mesh ``dc1``) with one argument
replaced; the program catches the SmiError, so the recording shows what was registered:
nothing of ``bad``, and nothing under ``dc1``.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pulumi_smi as smi
from pulumi_smi.meshes.vpc_lattice import LatticeOptions
from pulumi_smi.spec import models
from pulumi_smi.testing import Recording, run_program

BOOKINFO = Path(__file__).parents[2] / "examples" / "manifests" / "bookinfo"
VPC = "vpc-0123456789abcdef0"


@dataclass(frozen=True)
class Late:
    """An argument made inside the program (resources cannot exist outside one)."""

    make: Callable[[smi.Mesh], object]


def routes(mesh: smi.Mesh) -> smi.HTTPRouteGroup:
    return smi.HTTPRouteGroup("routes", meshes=mesh, matches=[smi.HTTPMatch("read")])


VALID: dict[str, Callable[[smi.Mesh], dict[str, Any]]] = {
    "Mesh": lambda mesh: {"kind": "smi"},
    "TrafficSplit": lambda mesh: {
        "service": "web",
        "backends": [smi.Backend("web-v1", 1)],
        "meshes": mesh,
    },
    "TrafficTarget": lambda mesh: {
        "destination": smi.ServiceAccount("web"),
        "sources": [smi.ServiceAccount("client")],
        "rules": [smi.TCPRoute("tcp", meshes=mesh).rule()],
        "meshes": mesh,
    },
    "HTTPRouteGroup": lambda mesh: {"matches": [smi.HTTPMatch("read")], "meshes": mesh},
    "TCPRoute": lambda mesh: {"ports": [80], "meshes": mesh},
    "UDPRoute": lambda mesh: {"ports": [53], "meshes": mesh},
    "Manifests": lambda mesh: {"files": [str(BOOKINFO / "traffic.yaml")], "meshes": mesh},
}
"""Valid arguments of each component, given the valid mesh ``dc1``."""

COMPONENTS: dict[str, type[pulumi.ComponentResource]] = {name: getattr(smi, name) for name in VALID}
KUBERNETES = ("TrafficSplit", "TrafficTarget", "HTTPRouteGroup", "TCPRoute", "UDPRoute")
"""The components with namespace, object_name, labels and annotations."""


@dataclass(frozen=True)
class Bad:
    component: str
    argument: str
    value: object
    message: str
    """The first problem, after ``smi:index:<component> bad: ``."""
    error: type[smi.SmiError] = smi.SmiValidationError

    @property
    def id(self) -> str:
        return f"{self.component}-{self.message.split(':')[0]}-{self.message[-24:]}"


def common_cases() -> list[Bad]:
    cases = []
    for component in VALID:
        cases += [
            Bad(
                component, "resource_name", 5, "resource_name: expected a non-empty str, got int 5"
            ),
            Bad(
                component,
                "resource_name",
                "",
                "resource_name: expected a non-empty str, got str ''",
            ),
            Bad(
                component,
                "opts",
                {"parent": None},
                "opts: expected pulumi.ResourceOptions or None, got dict {'parent': None}",
            ),
            Bad(
                component,
                "child_options",
                {"protect": True},
                "child_options: expected smi.ChildOptions or None, got dict {'protect': True}; "
                "use smi.ChildOptions(protect=True)",
            ),
        ]
        if component == "Mesh":
            continue
        cases += [
            Bad(
                component,
                "meshes",
                "istio",
                "meshes: expected smi.Mesh or a list of smi.Mesh, got str 'istio'",
            ),
            Bad(component, "meshes", None, "meshes: expected smi.Mesh or a list of smi.Mesh"),
            Bad(
                component,
                "meshes",
                Late(lambda mesh: [mesh, "dc2"]),
                "meshes[1]: expected smi.Mesh, got str 'dc2'",
            ),
            Bad(component, "meshes", [], "meshes: give at least one smi.Mesh"),
            Bad(
                component,
                "meshes",
                Late(lambda mesh: [mesh, mesh]),
                "meshes: the same mesh is given twice: dc1",
            ),
        ]
        if component not in KUBERNETES:
            continue
        cases += [
            Bad(component, "namespace", 5, "namespace: expected str, got int 5"),
            Bad(component, "namespace", None, "namespace: expected str, got None"),
            Bad(
                component,
                "namespace",
                Late(lambda mesh: pulumi.Output.from_input("shop")),
                "namespace: expected str, got a pulumi.Output; an Output is not accepted here",
            ),
            Bad(component, "object_name", 5, "object_name: expected str or None, got int 5"),
            Bad(
                component,
                "labels",
                "x",
                "labels: expected a dict of str to str or None, got str 'x'",
            ),
            Bad(component, "labels", {"app": 1}, "labels['app']: expected str, got int 1"),
            Bad(component, "labels", {1: "a"}, "labels: key 1: expected str"),
            Bad(
                component,
                "annotations",
                ["a=b"],
                "annotations: expected a dict of str to str or None, got list ['a=b']",
            ),
            Bad(
                component,
                "annotations",
                {"note": None},
                "annotations['note']: expected str, got None",
            ),
        ]
    return cases


CASES: list[Bad] = [
    *common_cases(),
    # --- Mesh ------------------------------------------------------------------------------
    Bad(
        "Mesh",
        "kind",
        "bogus",
        "kind: unknown mesh 'bogus' (one of: smi, istio, linkerd, consul, gateway-api, appmesh, "
        "vpc-lattice)",
        smi.UnsupportedTargetError,
    ),
    Bad("Mesh", "kind", None, "kind: expected str or smi.MeshKind, got None"),
    Bad("Mesh", "provider", "dc1", "provider: expected pulumi.ProviderResource or None, got str"),
    Bad(
        "Mesh",
        "provider",
        Late(lambda mesh: aws.Provider("use1", region="us-east-1")),
        "provider: mesh 'smi' needs a kubernetes provider, got a aws provider",
    ),
    Bad("Mesh", "mesh_name", 5, "mesh_name: expected str or None, got int 5"),
    Bad("Mesh", "depends_on", "crds", "depends_on: expected a list of pulumi.Resource, got str"),
    Bad(
        "Mesh",
        "depends_on",
        Late(lambda mesh: mesh),
        "depends_on: expected a list of pulumi.Resource, got smi.Mesh resource 'dc1'; "
        "put it in a list",
    ),
    Bad(
        "Mesh",
        "options",
        "x",
        "options: expected smi.TargetOptions, a dict with str keys or None, got str 'x'",
    ),
    Bad(
        "Mesh",
        "options",
        {"trust_domian": "x"},
        "options.trust_domian: unknown option (known: mesh_name)",
    ),
    Bad("Mesh", "options", {5: "x"}, "options: key 5: expected str"),
    Bad(
        "Mesh",
        "options",
        LatticeOptions(vpc_id=VPC),
        "options: LatticeOptions are not options of mesh smi",
    ),
    Bad("Mesh", "options", {"mesh_name": 5}, "options.mesh_name: Input should be a valid string"),
    Bad(
        "Mesh",
        "catalogue",
        {"services": []},
        "catalogue: expected smi.Catalogue or None, got dict {'services': []}",
    ),
    Bad(
        "Mesh",
        "catalogue",
        smi.SpecSet.build([]),  # a loaded SpecSet, not its .catalogue
        "catalogue: expected smi.Catalogue or None, got smi.SpecSet",
    ),
    # --- TrafficSplit -----------------------------------------------------------------------
    Bad("TrafficSplit", "service", None, "service: expected str, got None"),
    Bad("TrafficSplit", "service", ["web"], "service: expected str, got list ['web']"),
    Bad(
        "TrafficSplit",
        "backends",
        [{"service": "web-v1", "weight": 90}],
        "backends[0]: expected smi.Backend, got dict {'service': 'web-v1', 'weight': 90}; "
        "use smi.Backend(service='web-v1', weight=90)",
    ),
    Bad(
        "TrafficSplit",
        "backends",
        [{"service": "web-v1", "weight": 90, "port": 80}],
        "backends[0]: expected smi.Backend, got dict {'service': 'web-v1', 'weight': 90, "
        "'port': 80}; use smi.Backend(service, weight, mesh=None, host=None)",
    ),
    Bad("TrafficSplit", "backends", None, "backends: expected a list of smi.Backend, got None"),
    Bad(
        "TrafficSplit",
        "backends",
        smi.Backend("web-v1", 1),
        "backends: expected a list of smi.Backend, got smi.Backend(service='web-v1', weight=1); "
        "put it in a list: [Backend(service='web-v1', weight=1)]",
    ),
    Bad(
        "TrafficSplit",
        "backends",
        ["web-v1"],
        "backends[0]: expected smi.Backend, got str 'web-v1'",
    ),
    Bad(
        "TrafficSplit",
        "backends",
        [models.Backend(service="web-v1", weight=1)],
        "backends[0]: expected smi.Backend, got pulumi_smi.spec.Backend",
    ),
    Bad(
        "TrafficSplit",
        "backends",
        [smi.Backend("web-v1", "90")],  # type: ignore[arg-type]
        "backends[0].weight: expected int, got str '90'",
    ),
    Bad(
        "TrafficSplit",
        "backends",
        [smi.Backend("web-v1", True)],
        "backends[0].weight: expected int, got bool True",
    ),
    Bad(
        "TrafficSplit",
        "backends",
        [smi.Backend("web-v1", 1, mesh="istio")],  # type: ignore[arg-type]
        "backends[0].mesh: expected smi.Mesh or None, got str 'istio'",
    ),
    Bad(
        "TrafficSplit",
        "backends",
        [smi.Backend("web-v1", 1, host=443)],  # type: ignore[arg-type]
        "backends[0].host: expected str, pulumi.Output or None, got int 443",
    ),
    Bad(
        "TrafficSplit",
        "backends",
        [smi.Backend("web-v1", 1), smi.Backend(None, 1)],  # type: ignore[arg-type]
        "backends[1].service: expected str, got None",
    ),
    Bad(
        "TrafficSplit",
        "matches",
        ["routes"],
        "matches[0]: expected smi.HTTPRouteGroup, got str 'routes'",
    ),
    Bad(
        "TrafficSplit",
        "matches",
        Late(routes),
        "matches: expected a list of smi.HTTPRouteGroup, got smi.HTTPRouteGroup resource "
        "'routes'; put it in a list",
    ),
    Bad(
        "TrafficSplit",
        "matches",
        [smi.HTTPMatch("read")],
        "matches[0]: expected smi.HTTPRouteGroup, got smi.HTTPMatch(name='read'",
    ),
    Bad(
        "TrafficSplit",
        "weights_handover",
        "flagger",
        "weights_handover: expected smi.WeightHandover or None, got str 'flagger'",
    ),
    # --- TrafficTarget ----------------------------------------------------------------------
    Bad(
        "TrafficTarget",
        "destination",
        "web",
        "destination: expected smi.ServiceAccount, got str 'web'; use smi.ServiceAccount('web')",
    ),
    Bad(
        "TrafficTarget",
        "destination",
        {"name": "web"},
        "destination: expected smi.ServiceAccount, got dict {'name': 'web'}; "
        "use smi.ServiceAccount(name='web')",
    ),
    Bad(
        "TrafficTarget",
        "destination",
        smi.ServiceAccount("web", namespace=5),  # type: ignore[arg-type]
        "destination.namespace: expected str or None, got int 5",
    ),
    Bad(
        "TrafficTarget",
        "sources",
        smi.ServiceAccount("client"),
        "sources: expected a list of smi.ServiceAccount, got smi.ServiceAccount(name='client'",
    ),
    Bad(
        "TrafficTarget",
        "sources",
        ["client"],
        "sources[0]: expected smi.ServiceAccount, got str 'client'; "
        "use smi.ServiceAccount('client')",
    ),
    Bad(
        "TrafficTarget",
        "sources",
        [smi.ServiceAccount(5)],  # type: ignore[arg-type]
        "sources[0].name: expected str, got int 5",
    ),
    Bad(
        "TrafficTarget",
        "rules",
        Late(lambda mesh: [routes(mesh)]),
        "rules[0]: expected smi.Rule, got smi.HTTPRouteGroup resource 'routes'; use its .rule(...)",
    ),
    Bad(
        "TrafficTarget",
        "rules",
        [smi.Rule("routes")],  # type: ignore[arg-type]
        "rules[0].route: expected pulumi_smi.spec.SmiObject, got str 'routes'",
    ),
    Bad("TrafficTarget", "rules", "read", "rules: expected a list of smi.Rule, got str 'read'"),
    Bad("TrafficTarget", "rules", None, "rules: expected a list of smi.Rule, got None"),
    Bad(
        "TrafficTarget",
        "rules",
        Late(lambda mesh: [dataclasses.replace(routes(mesh).rule(), matches=["read"])]),  # type: ignore[arg-type]
        "rules[0].matches: expected a tuple of str, got list ['read']",
    ),
    # --- HTTPRouteGroup ---------------------------------------------------------------------
    Bad(
        "HTTPRouteGroup",
        "matches",
        [{"name": "read", "pathRegex": "/api/.*"}],
        "matches[0]: expected smi.HTTPMatch, got dict {'name': 'read', 'pathRegex': '/api/.*'}; "
        "use smi.HTTPMatch(name, path_regex=None, methods=(), headers={})",
    ),
    Bad(
        "HTTPRouteGroup",
        "matches",
        smi.HTTPMatch("read"),
        "matches: expected a list of smi.HTTPMatch, got smi.HTTPMatch(name='read'",
    ),
    Bad("HTTPRouteGroup", "matches", None, "matches: expected a list of smi.HTTPMatch, got None"),
    Bad(
        "HTTPRouteGroup",
        "matches",
        [smi.HTTPMatch(None)],  # type: ignore[arg-type]
        "matches[0].name: expected str, got None",
    ),
    Bad(
        "HTTPRouteGroup",
        "matches",
        [smi.HTTPMatch("read", path_regex=5)],  # type: ignore[arg-type]
        "matches[0].path_regex: expected str or None, got int 5",
    ),
    Bad(
        "HTTPRouteGroup",
        "matches",
        [smi.HTTPMatch("read", methods="GET")],
        "matches[0].methods: expected a list of str, got str 'GET'; put it in a list: ['GET']",
    ),
    Bad(
        "HTTPRouteGroup",
        "matches",
        [smi.HTTPMatch("read", headers="x-beta: true")],  # type: ignore[arg-type]
        "matches[0].headers: expected a dict of str to str, got str 'x-beta: true'",
    ),
    Bad(
        "HTTPRouteGroup",
        "matches",
        [smi.HTTPMatch("read", headers={"x-beta": True})],  # type: ignore[dict-item]
        "matches[0].headers['x-beta']: expected str, got bool True",
    ),
    # --- TCPRoute, UDPRoute -----------------------------------------------------------------
    *(
        case
        for kind in ("TCPRoute", "UDPRoute")
        for case in (
            Bad(
                kind,
                "ports",
                80,
                "ports: expected a list of int, got int 80; put it in a list: [80]",
            ),
            Bad(kind, "ports", None, "ports: expected a list of int, got None"),
            Bad(kind, "ports", ["80"], "ports[0]: expected int, got str '80'"),
            Bad(kind, "ports", [80, True], "ports[1]: expected int, got bool True"),
            Bad(kind, "ports", "80", "ports: expected a list of int, got str '80'"),
        )
    ),
    # --- Manifests --------------------------------------------------------------------------
    Bad(
        "Manifests",
        "files",
        "smi/*.yaml",
        "files: expected a list of (str or os.PathLike), got str 'smi/*.yaml'; "
        "put it in a list: ['smi/*.yaml']",
    ),
    Bad("Manifests", "files", [5], "files[0]: expected str or os.PathLike, got int 5"),
    Bad("Manifests", "files", None, "files: expected a list of (str or os.PathLike), got None"),
    Bad("Manifests", "files", [], "files: give at least one path or glob pattern"),
    Bad(
        "Manifests",
        "files",
        [str(BOOKINFO / "traffic.yaml"), "nowhere/*.yaml"],
        "files[1]: no file matches 'nowhere/*.yaml'",
    ),
]


def build(case: Bad, mesh: smi.Mesh) -> None:
    """Make the component ``bad`` with ``case``'s argument in place of the valid one."""
    kwargs = VALID[case.component](mesh)
    value = case.value.make(mesh) if isinstance(case.value, Late) else case.value
    name: object = "bad"
    if case.argument == "resource_name":
        name = value
    else:
        kwargs[case.argument] = value
    COMPONENTS[case.component](name, **kwargs)  # type: ignore[arg-type]


def run_bad(make: Callable[[smi.Mesh], object]) -> tuple[list[smi.SmiError], Recording]:
    """Run ``make(dc1)`` in a program, catching the SmiError it raises."""
    errors: list[smi.SmiError] = []

    def program() -> None:
        mesh = smi.Mesh("dc1", "smi")
        try:
            make(mesh)
        except smi.SmiError as exc:
            errors.append(exc)

    return errors, run_program(program)


def assert_nothing_of_bad_registered(recording: Recording) -> None:
    names = {r.name for r in recording.resources}
    assert not {n for n in names if n == "bad" or n.startswith("bad-")}, names
    assert recording.children_of("dc1") == []
    assert [r for r in recording.resources if r.parent_name == "bad"] == []


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_argument_is_refused_by_name_before_anything_is_registered(case: Bad) -> None:
    errors, recording = run_bad(lambda mesh: build(case, mesh))
    (error,) = errors
    assert type(error) is case.error
    name = "bad" if case.argument != "resource_name" else repr(case.value)
    first = str(error).splitlines()[0]
    assert first.startswith(f"smi:index:{case.component} {name}: {case.message}"), first
    if isinstance(error, smi.SmiValidationError):
        problem = error.problems[0]
        assert problem.source == f"smi:index:{case.component} {name}"
        assert problem.path.split("[")[0].split(".")[0] == case.argument
    assert_nothing_of_bad_registered(recording)


def test_every_argument_of_every_component_has_a_bad_case() -> None:
    arguments = {
        (component, parameter)
        for component, cls in COMPONENTS.items()
        for parameter in inspect.signature(cls.__init__).parameters
        if parameter != "self"
    }
    assert arguments == {(c.component, c.argument) for c in CASES}


def test_every_field_of_every_argument_class_has_a_bad_case() -> None:
    paths = {re.sub(r"\[\d+\]", "", c.message.split(": ")[0]) for c in CASES}
    arguments = {
        smi.Backend: ("backends",),
        smi.HTTPMatch: ("matches",),
        smi.ServiceAccount: ("destination", "sources"),
        smi.Rule: ("rules",),
    }
    for cls, given_as in arguments.items():
        for field in dataclasses.fields(cls):
            assert {f"{a}.{field.name}" for a in given_as} & paths, (cls, field.name)


def test_every_problem_is_reported_at_once() -> None:
    errors, recording = run_bad(
        lambda mesh: smi.TrafficSplit(
            "bad",
            service=None,  # type: ignore[arg-type]
            backends=[{"service": "v1", "weight": 1}],  # type: ignore[list-item]
            meshes="dc1",  # type: ignore[arg-type]
            labels={"app": 1},  # type: ignore[dict-item]
        )
    )
    (error,) = errors
    assert isinstance(error, smi.SmiValidationError)
    assert [p.path for p in error.problems] == ["service", "backends[0]", "meshes", "labels['app']"]
    assert_nothing_of_bad_registered(recording)


def test_long_and_odd_values_are_quoted_with_repr_and_cut() -> None:
    odd = "line\nbreak 'quoted' " + "x" * 500
    errors, _ = run_bad(lambda mesh: smi.TCPRoute("bad", meshes=mesh, namespace=[odd]))  # type: ignore[arg-type]
    (error,) = errors
    (line,) = str(error).splitlines()  # the newline is escaped, not printed
    assert "got list [\"line\\nbreak 'quoted' xxx" in line
    assert line.endswith("...")
    assert len(line) < 160


def test_a_resource_given_for_an_output_option_asks_for_its_output() -> None:
    def make(mesh: smi.Mesh) -> None:
        vpc = aws.ec2.Vpc("eks-vpc", cidr_block="10.0.0.0/16")
        smi.Mesh("bad", "vpc-lattice", options={"vpc_id": vpc})

    errors, recording = run_bad(make)
    (error,) = errors
    assert str(error) == (
        "smi:index:Mesh bad: options.vpc_id: expected str or pulumi.Output, got "
        "pulumi_aws.ec2.Vpc resource 'eks-vpc'; pass one of its outputs, such as .id"
    )
    assert_nothing_of_bad_registered(recording)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {},
            "options.vpc_id: required by mesh 'vpc-lattice' (every target group is in a VPC): "
            "give a VPC id (vpc-0123456789abcdef0) or a pulumi.Output of one, such as vpc.id",
        ),
        ({"vpc_id": 5}, "options.vpc_id: expected str or pulumi.Output, got int 5"),
        ({"vpc_id": [VPC]}, "options.vpc_id: expected str or pulumi.Output, got list"),
        (
            {"vpc_id": "vcp-0123456789abcdef0"},
            "options.vpc_id: expected a VPC id (vpc-0123456789abcdef0), got "
            "'vcp-0123456789abcdef0'",
        ),
        (
            {"vpc_id": VPC, "service_network": "net-1"},
            "options.service_network: expected a service network id (sn-0123456789abcdef0) or "
            "ARN, got 'net-1'",
        ),
        (
            LatticeOptions(vpc_id=5),
            "options.vpc_id: expected str or pulumi.Output, got int 5",
        ),
        (
            {"vpc_id": VPC, "rules_per_listener": 0},
            "options.rules_per_listener: Input should be greater than or equal to 1",
        ),
        (
            {"vpcid": VPC},
            "options.vpcid: unknown option (known: custom_domains, domain_suffix, "
            "eks_cluster_name,",
        ),
    ],
)
def test_lattice_options_are_checked_on_the_mesh(options: object, message: str) -> None:
    errors, recording = run_bad(lambda mesh: smi.Mesh("bad", "vpc-lattice", options=options))  # type: ignore[arg-type]
    (error,) = errors
    assert str(error).splitlines()[0].startswith(f"smi:index:Mesh bad: {message}"), error
    assert_nothing_of_bad_registered(recording)


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_outputs_stay_accepted_where_they_are_pulumi_inputs(preview: bool) -> None:
    def program() -> None:
        vpc = aws.ec2.Vpc("eks-vpc", cidr_block="10.0.0.0/16")
        network = aws.vpclattice.ServiceNetwork("net", name="shop")
        provider = aws.Provider("use1", region="us-east-1")
        smi.Mesh("by-dict", "vpc-lattice", provider=provider, options={"vpc_id": vpc.id})
        smi.Mesh(
            "by-model",
            "vpc-lattice",
            provider=provider,
            options=LatticeOptions(vpc_id=vpc.id, service_network=network.arn),
        )
        smi.Mesh(
            "by-string",
            "vpc-lattice",
            provider=provider,
            options={"vpc_id": VPC, "service_network": "sn-0123456789abcdef0"},
        )

    recording = run_program(program, preview=preview)
    assert {r.name for r in recording.by_type("smi:index:Mesh")} == {
        "by-dict",
        "by-model",
        "by-string",
    }


def test_paths_and_tuples_are_fine() -> None:
    def program() -> None:
        mesh = smi.Mesh("dc1", "smi", provider=k8s.Provider("dc1-k8s", kubeconfig="x"))
        smi.Manifests("legacy", files=(BOOKINFO / "traffic.yaml",), meshes=[mesh])
        smi.TCPRoute("db", meshes=(mesh,), ports=(5432,), labels={"app": "db"})

    recording = run_program(program)
    assert recording.by_name("db-dc1-tcproute").inputs["spec"]["matches"]["ports"] == [5432]
    assert recording.children_of("legacy")


def test_rule_names_must_be_strings() -> None:
    def make(mesh: smi.Mesh) -> None:
        routes(mesh).rule(["read"])  # type: ignore[arg-type]

    errors, _ = run_bad(make)
    (error,) = errors
    assert str(error) == (
        "smi:index:HTTPRouteGroup routes: rule: match_names[0]: expected str, got list ['read']"
    )


def test_unknown_rule_name_names_the_component_not_the_object() -> None:
    def make(mesh: smi.Mesh) -> None:
        group = smi.HTTPRouteGroup(
            "routes", object_name="api", meshes=mesh, matches=[smi.HTTPMatch("read")]
        )
        group.rule("write")

    errors, _ = run_bad(make)
    (error,) = errors
    assert str(error) == (
        "smi:index:HTTPRouteGroup routes: rule: no match named 'write' (it has: read)"
    )


JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=8)
    | st.binary(max_size=4)
    | st.frozensets(st.integers(0, 3), max_size=2),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner)
        | st.dictionaries(st.text(max_size=4) | st.integers(0, 3), inner, max_size=2)
    ),
    max_leaves=6,
)
"""Values of any shape, for any argument."""

ARGUMENTS = sorted(
    (component, parameter)
    for component, cls in COMPONENTS.items()
    for parameter in inspect.signature(cls.__init__).parameters
    if parameter not in ("self", "opts")
)


@settings(max_examples=300, deadline=None)
@given(argument=st.sampled_from(ARGUMENTS), value=JUNK)
def test_any_value_of_any_argument_is_accepted_or_an_smi_error(
    argument: tuple[str, str], value: object
) -> None:
    component, parameter = argument
    errors, recording = run_bad(lambda mesh: build(Bad(component, parameter, value, ""), mesh))
    if errors:  # anything but an SmiError fails the test, raised out of run_program
        assert_nothing_of_bad_registered(recording)
