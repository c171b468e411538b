"""Property tests: random valid SMI streams translate deterministically and faithfully; random
mutations of them give either a Plan or an SmiError, never another exception.

The conftest's autouse fixture schema-checks every manifest the valid-input tests plan. The
mutation tests check the manifests of each successful example themselves (so hypothesis can
shrink a schema violation too) and opt out of the teardown check.
"""

from __future__ import annotations

import copy
import dataclasses
import pathlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from schema_check import validate_manifests

from pulumi_smi import SmiError, load_files, load_text, translate
from pulumi_smi.errors import TranslationError
from pulumi_smi.meshes import TARGETS, MeshKind
from pulumi_smi.meshes.coverage import silence_warnings
from pulumi_smi.plan import Plan
from pulumi_smi.spec import Catalogue, Service, ServicePort, SpecSet, Workload

NEWEST = {
    "TrafficSplit": "split.smi-spec.io/v1alpha4",
    "TrafficTarget": "access.smi-spec.io/v1alpha3",
    "HTTPRouteGroup": "specs.smi-spec.io/v1alpha4",
    "TCPRoute": "specs.smi-spec.io/v1alpha4",
    "UDPRoute": "specs.smi-spec.io/v1alpha4",
}
METHODS = ["*", "GET", "HEAD", "PUT", "POST", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]
QUANTITY_SUFFIXES = {"": Fraction(1), "m": Fraction(1, 1000), "k": Fraction(1000)}
SETTINGS = settings(max_examples=150, deadline=None)

Doc = dict[str, Any]

# --- strategies of valid input -------------------------------------------------------------

labels = st.from_regex(r"[a-z]([-a-z0-9]{0,8}[a-z0-9])?", fullmatch=True)
"""DNS-1035 labels: valid Service names, object names and namespaces alike."""
object_names = labels.filter(lambda n: "-port-" not in n)  # never a name access v1alpha2 derives
namespaces = st.sampled_from(["default", "shop", "ns-2"])
literals = st.from_regex(r"[a-zA-Z0-9]{1,6}", fullmatch=True)
path_segments = st.one_of(
    literals, st.sampled_from(["[0-9]+", ".*", "(v1|v2)", "[a-z]+", "api", "v[0-9]"])
)
path_regexes = st.lists(path_segments, min_size=1, max_size=4).map(lambda s: "/" + "/".join(s))
header_values = st.one_of(
    literals, st.sampled_from([".*", "true", "1", ".*Firefox.*", "(a|b)c", "^[0-9]{2,}$"])
)


@st.composite
def header_maps(draw: st.DrawFn) -> dict[str, str]:
    names = draw(st.lists(labels, min_size=1, max_size=3, unique=True))
    upper = draw(st.lists(st.booleans(), min_size=len(names), max_size=len(names)))
    return {
        (n.title() if up else n): draw(header_values) for n, up in zip(names, upper, strict=True)
    }


@dataclass
class World:
    """The documents drawn so far, and what the checks need to know about them."""

    docs: list[Doc] = field(default_factory=list)
    keys: set[tuple[str, str, str]] = field(default_factory=set)
    route_groups: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    port_routes: dict[tuple[str, str], str] = field(default_factory=dict)  # -> kind
    weights: dict[tuple[str, str], dict[str, Fraction]] = field(default_factory=dict)
    derived_tcp_routes: int = 0

    def claim(self, draw: st.DrawFn, kind: str) -> tuple[str, str]:
        namespace = draw(namespaces)
        name = draw(object_names.filter(lambda n: (kind, namespace, n) not in self.keys))
        self.keys.add((kind, namespace, name))
        return namespace, name


def metadata(draw: st.DrawFn, namespace: str, name: str) -> dict[str, str]:
    if namespace == "default" and draw(st.booleans()):
        return {"name": name}  # the namespace defaults to "default"
    return {"name": name, "namespace": namespace}


def draw_route_group(draw: st.DrawFn, world: World) -> None:
    namespace, name = world.claim(draw, "HTTPRouteGroup")
    version = draw(st.sampled_from(["v1alpha1", "v1alpha2", "v1alpha3", "v1alpha4"]))
    match_names = draw(st.lists(labels, min_size=1, max_size=3, unique=True))
    matches = []
    for match_name in match_names:
        match: Doc = {"name": match_name}
        if methods := draw(st.lists(st.sampled_from(METHODS), unique=True, max_size=3)):
            match["methods"] = methods
        if draw(st.booleans()):
            match["pathRegex"] = draw(path_regexes)
        if version != "v1alpha1" and draw(st.booleans()):
            headers = draw(header_maps())
            as_list = draw(st.booleans())
            match["headers"] = [{k: v} for k, v in headers.items()] if as_list else headers
        matches.append(match)
    doc: Doc = {
        "apiVersion": f"specs.smi-spec.io/{version}",
        "kind": "HTTPRouteGroup",
        "metadata": metadata(draw, namespace, name),
    }
    if version in ("v1alpha1", "v1alpha2"):
        doc["matches"] = matches
    else:
        doc["spec"] = {"matches": matches}
    world.docs.append(doc)
    world.route_groups[(namespace, name)] = match_names


def draw_port_route(draw: st.DrawFn, world: World) -> None:
    kind = draw(st.sampled_from(["TCPRoute", "UDPRoute"]))
    namespace, name = world.claim(draw, kind)
    version = (
        "v1alpha4"
        if kind == "UDPRoute"
        else draw(st.sampled_from(["v1alpha1", "v1alpha2", "v1alpha3", "v1alpha4"]))
    )
    doc: Doc = {
        "apiVersion": f"specs.smi-spec.io/{version}",
        "kind": kind,
        "metadata": metadata(draw, namespace, name),
    }
    if version == "v1alpha4" and draw(st.booleans()):
        ports = draw(st.lists(st.integers(1, 65535), max_size=3))
        doc["spec"] = {"matches": {"ports": ports}}
    world.docs.append(doc)
    world.port_routes[(namespace, name)] = kind


@st.composite
def weight_of(draw: st.DrawFn, version: str) -> tuple[Any, Fraction]:
    """A weight as written in YAML and its exact value."""
    if version != "v1alpha1" or draw(st.booleans()):
        number = draw(st.integers(0, 1000))
        return number, Fraction(number)
    if draw(st.booleans()):
        whole, thousandths = draw(st.integers(0, 9)), draw(st.integers(0, 999))
        return f"{whole}.{thousandths:03d}", Fraction(whole * 1000 + thousandths, 1000)
    number = draw(st.integers(0, 999))
    suffix = draw(st.sampled_from(sorted(QUANTITY_SUFFIXES)))
    return f"{number}{suffix}", number * QUANTITY_SUFFIXES[suffix]


def draw_split(draw: st.DrawFn, world: World, versions: list[str]) -> None:
    namespace, name = world.claim(draw, "TrafficSplit")
    version = draw(st.sampled_from(versions))
    services = draw(st.lists(labels, min_size=1, max_size=6, unique=True))
    weights = [draw(weight_of(version)) for _ in services]
    if all(value == 0 for _, value in weights):
        weights[draw(st.integers(0, len(weights) - 1))] = (1, Fraction(1))
    apex = draw(st.one_of(labels, st.sampled_from(services)))  # the apex may be a backend
    if draw(st.integers(0, 5)) == 0:  # or written as the DNS name clients call
        apex += draw(st.sampled_from([f".{namespace}", f".{namespace}.svc.cluster.local"]))
    spec: Doc = {
        "service": apex,
        "backends": [
            {"service": s, "weight": w} for s, (w, _) in zip(services, weights, strict=True)
        ],
    }
    groups = [n for (ns, n) in world.route_groups if ns == namespace]
    if version in ("v1alpha3", "v1alpha4") and groups:
        chosen = draw(st.lists(st.sampled_from(groups), unique=True, max_size=2))
        if chosen:
            spec["matches"] = [{"kind": "HTTPRouteGroup", "name": g} for g in chosen]
    world.docs.append(
        {
            "apiVersion": f"split.smi-spec.io/{version}",
            "kind": "TrafficSplit",
            "metadata": metadata(draw, namespace, name),
            "spec": spec,
        }
    )
    world.weights[(namespace, name)] = {
        s: value for s, (_, value) in zip(services, weights, strict=True)
    }


def draw_target(draw: st.DrawFn, world: World) -> None:
    namespace, name = world.claim(draw, "TrafficTarget")
    version = draw(st.sampled_from(["v1alpha1", "v1alpha2", "v1alpha3"]))
    rules: list[Doc] = []
    for (ns, group), match_names in world.route_groups.items():
        if ns == namespace and draw(st.booleans()):
            rule: Doc = {"kind": "HTTPRouteGroup", "name": group}
            if chosen := draw(st.lists(st.sampled_from(match_names), unique=True)):
                rule["matches"] = chosen
            rules.append(rule)
    for (ns, route), kind in world.port_routes.items():
        if ns == namespace and draw(st.booleans()):
            rules.append({"kind": kind, "name": route})
    destination: Doc = {"kind": "ServiceAccount", "name": draw(labels)}
    if draw(st.booleans()):
        destination["namespace"] = namespace
    port = draw(st.integers(1, 65535)) if version != "v1alpha3" and draw(st.booleans()) else None
    if port is not None:
        destination["port"] = port
        world.derived_tcp_routes += 1
    if not rules and port is None:
        # every TrafficTarget needs a rule: give it a TCPRoute of its own
        route = draw(object_names.filter(lambda n: ("TCPRoute", namespace, n) not in world.keys))
        world.keys.add(("TCPRoute", namespace, route))
        world.port_routes[(namespace, route)] = "TCPRoute"
        world.docs.append(
            {
                "apiVersion": "specs.smi-spec.io/v1alpha4",
                "kind": "TCPRoute",
                "metadata": {"name": route, "namespace": namespace},
            }
        )
        rules.append({"kind": "TCPRoute", "name": route})
    sources = []
    for source_name in draw(st.lists(labels, min_size=1, max_size=3, unique=True)):
        source: Doc = {"kind": "ServiceAccount", "name": source_name}
        if draw(st.booleans()):
            source["namespace"] = draw(namespaces)
        sources.append(source)
    body: Doc = {"destination": destination, "sources": sources}
    doc: Doc = {
        "apiVersion": f"access.smi-spec.io/{version}",
        "kind": "TrafficTarget",
        "metadata": {"name": name, "namespace": namespace},
    }
    if version == "v1alpha1":
        doc.update(body)
        if rules:
            doc["specs"] = rules
    else:
        doc["spec"] = {**body, **({"rules": rules} if rules else {})}
    world.docs.append(doc)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """A random valid set of SMI objects (route specs first, then splits and targets)."""
    versions = ["v1alpha1", "v1alpha2", "v1alpha3", "v1alpha4"]
    world = World()
    for _ in range(draw(st.integers(0, 3))):
        draw_route_group(draw, world)
    for _ in range(draw(st.integers(0, 2))):
        draw_port_route(draw, world)
    for _ in range(draw(st.integers(0, 3))):
        draw_split(draw, world, versions)
    for _ in range(draw(st.integers(0, 2))):
        draw_target(draw, world)
    if not world.docs:
        draw_split(draw, world, versions)
    return world


def dump(docs: list[Doc]) -> str:
    return yaml.safe_dump_all(docs, sort_keys=False)


def convert(text: str) -> Plan:
    return translate(load_text(text, "random.yaml"), "smi")


# --- valid input ---------------------------------------------------------------------------


@SETTINGS
@given(world=worlds(), rnd=st.randoms(use_true_random=False))
def test_valid_streams_translate_deterministically_and_faithfully(
    world: World, rnd: random.Random
) -> None:
    text = dump(world.docs)
    plan = convert(text)
    again = convert(text)
    assert plan.to_json() == again.to_json()
    assert plan.to_yaml() == again.to_yaml()

    shuffled = list(world.docs)
    rnd.shuffle(shuffled)
    other = convert(dump(shuffled))
    assert other.to_json() == plan.to_json()
    assert other.to_yaml() == plan.to_yaml()

    manifests = [r.properties for r in plan.resources]
    assert all(m["apiVersion"] == NEWEST[m["kind"]] for m in manifests)
    counts: dict[str, int] = {}
    for doc in world.docs:
        counts[doc["kind"]] = counts.get(doc["kind"], 0) + 1
    counts["TCPRoute"] = counts.get("TCPRoute", 0) + world.derived_tcp_routes
    assert {k: sum(m["kind"] == k for m in manifests) for k in counts} == counts
    assert len(manifests) == sum(counts.values())

    splits = {
        (m["metadata"]["namespace"], m["metadata"]["name"]): m
        for m in manifests
        if m["kind"] == "TrafficSplit"
    }
    assert set(splits) == set(world.weights)
    for key, given_weights in world.weights.items():
        backends = splits[key]["spec"]["backends"]
        out = {b["service"]: b["weight"] for b in backends}
        assert list(out) == sorted(given_weights)  # same backends, sorted by Service
        assert all(type(w) is int and w >= 0 for w in out.values())
        total_in, total_out = sum(given_weights.values()), sum(out.values())
        for service, weight in given_weights.items():
            assert Fraction(out[service], total_out) == weight / total_in, (service, out)


def test_quantity_weights_keep_exact_ratios() -> None:
    """A concrete case of the property above, readable when it fails."""
    docs = [
        {
            "apiVersion": "split.smi-spec.io/v1alpha1",
            "kind": "TrafficSplit",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {
                "service": "web",
                "backends": [
                    {"service": "a", "weight": "250m"},
                    {"service": "b", "weight": "1.5"},
                    {"service": "c", "weight": 2},
                    {"service": "d", "weight": "0"},
                ],
            },
        }
    ]
    (resource,) = convert(dump(docs)).resources
    weights = [b["weight"] for b in resource.properties["spec"]["backends"]]
    assert weights == [1, 6, 8, 0]


# --- mutations -----------------------------------------------------------------------------

Path = tuple[Any, ...]


def paths_of(node: Any, path: Path = ()) -> list[Path]:
    """The path of every node below ``node`` (dict keys and list indexes)."""
    found: list[Path] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((*path, key))
            found.extend(paths_of(value, (*path, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append((*path, index))
            found.extend(paths_of(value, (*path, index)))
    return found


def get(node: Any, path: Path) -> Any:
    for part in path:
        node = node[part]
    return node


scalars_of_any_type = st.one_of(
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(max_value=-1),
    st.booleans(),
    st.none(),
    st.text(max_size=20),
    st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3),
    st.lists(st.integers() | st.text(max_size=5), max_size=3),
)


@dataclass(frozen=True)
class Mutation:
    name: str
    apply: Callable[[st.DrawFn, list[Doc]], str]

    def __repr__(self) -> str:
        return self.name


def delete_key(draw: st.DrawFn, docs: list[Doc]) -> str:
    paths = [p for p in paths_of(docs) if len(p) > 1 and isinstance(get(docs, p[:-1]), dict)]
    if paths:
        path = draw(st.sampled_from(paths))
        del get(docs, path[:-1])[path[-1]]
    return dump(docs)


def replace_scalar(draw: st.DrawFn, docs: list[Doc]) -> str:
    paths = [p for p in paths_of(docs) if not isinstance(get(docs, p), (dict, list))]
    if paths:
        path = draw(st.sampled_from(paths))
        old = get(docs, path)
        new = draw(scalars_of_any_type.filter(lambda v: type(v) is not type(old)))
        get(docs, path[:-1])[path[-1]] = new
    return dump(docs)


def duplicate_document(draw: st.DrawFn, docs: list[Doc]) -> str:
    index = draw(st.integers(0, len(docs) - 1))
    docs.insert(draw(st.integers(0, len(docs))), copy.deepcopy(docs[index]))
    return dump(docs)


def change_api_version(draw: st.DrawFn, docs: list[Doc]) -> str:
    doc = draw(st.sampled_from(docs))
    group = doc["apiVersion"].rpartition("/")[0]
    doc["apiVersion"] = draw(st.text(max_size=30) | st.text(max_size=10).map(f"{group}/".__add__))
    return dump(docs)


def truncate_text(draw: st.DrawFn, docs: list[Doc]) -> str:
    text = dump(docs)
    return text[: draw(st.integers(0, len(text)))]


def insert_characters(draw: st.DrawFn, docs: list[Doc]) -> str:
    text = dump(docs)
    offset = draw(st.integers(0, len(text)))
    junk = draw(st.text(min_size=1, max_size=5) | st.sampled_from(["{", "- ", ": ", "\n  ", "&a"]))
    return text[:offset] + junk + text[offset:]


MUTATIONS = [
    Mutation("delete a key", delete_key),
    Mutation("replace a scalar", replace_scalar),
    Mutation("duplicate a document", duplicate_document),
    Mutation("change apiVersion", change_api_version),
    Mutation("truncate", truncate_text),
    Mutation("insert characters", insert_characters),
]


@st.composite
def mutated_streams(draw: st.DrawFn) -> str:
    docs = copy.deepcopy(draw(worlds()).docs)
    mutation = draw(st.sampled_from(MUTATIONS))
    return mutation.apply(draw, docs)


def convert_or_smi_error(text: str) -> None:
    """Either a schema-valid Plan (serialisable both ways) or an SmiError; nothing else."""
    try:
        plan = convert(text)
        plan.to_json()
        plan.to_yaml()
    except SmiError:
        return
    validate_manifests([r.properties for r in plan.resources if r.is_kubernetes])


V1ALPHA1_NULL_WEIGHT = """\
apiVersion: split.smi-spec.io/v1alpha1
kind: TrafficSplit
metadata: {name: a}
spec:
  service: a
  backends:
  - {service: a, weight: null}
"""


@pytest.mark.no_schema_check  # checked per example, so that hypothesis shrinks violations too
@SETTINGS
@given(text=mutated_streams())
@example(text=V1ALPHA1_NULL_WEIGHT)  # once an AttributeError in parse_quantity
@example(text="a: &x {b: 1}\nc: {<<: *x}\n")  # merge keys
@example(text="- " * 2000 + "x")  # deep nesting
def test_mutated_streams_give_a_plan_or_smi_error(text: str) -> None:
    convert_or_smi_error(text)


# --- every target ---------------------------------------------------------------------------

PORT_SETS = [("http", 80), ("tcp", 5432), ("grpc", 9090), ("http2", 8080)]


def with_catalogue(specs: SpecSet, ports: list[tuple[str, int]]) -> SpecSet:
    """``specs`` plus a catalogue naming every Service and workload identity they use."""
    services: dict[tuple[str, str], Service] = {}
    for split in specs.traffic_splits:
        ns = split.metadata.namespace
        for name in [split.spec.service, *(b.service for b in split.spec.backends)]:
            services[(ns, name)] = Service(
                name=name,
                namespace=ns,
                selector={"app": name},
                ports=tuple(ServicePort(port=p, name=f"{a}-{p}", appProtocol=a) for a, p in ports),
            )
    workloads = {
        (t.metadata.namespace, t.spec.destination.name): Workload(
            name=f"{t.spec.destination.name}-app",
            namespace=t.metadata.namespace,
            pod_labels={"identity": t.spec.destination.name},
            service_account_name=t.spec.destination.name,
        )
        for t in specs.traffic_targets
    }
    catalogue = Catalogue(services=tuple(services.values()), workloads=tuple(workloads.values()))
    return dataclasses.replace(specs, catalogue=catalogue)


def target_options(kind: MeshKind, policy: str | None = None) -> dict[str, Any]:
    """The options a target needs to translate the drawn streams (vpc-lattice: a VPC)."""
    if kind is MeshKind.GATEWAY_API:
        return {"policy": policy}
    if kind is MeshKind.VPC_LATTICE:
        return {"vpc_id": "vpc-0123456789abcdef0", "eks_cluster_name": "prod-eks"}
    return {}


CONVERTED: dict[str, list[bool]] = {}
"""Per target configuration: whether each drawn stream converted (filled by the check below)."""
MINIMUM_CONVERTED = 0.3
"""The share of valid streams every target must convert: refusing everything must not pass."""


@settings(SETTINGS, derandomize=True, database=None)  # the share asserted below is reproducible
@given(
    world=worlds(),
    ports=st.lists(st.sampled_from(PORT_SETS), min_size=1, max_size=3, unique=True),
)
def _valid_streams_give_schema_valid_output_or_a_translation_error(
    world: World, ports: list[tuple[str, int]]
) -> None:
    specs = with_catalogue(load_text(dump(world.docs), "random.yaml"), ports)
    policies: list[str | None] = [None, "istio", "linkerd"]
    configs = [
        (kind, policy)
        for kind in TARGETS
        for policy in (policies if kind is MeshKind.GATEWAY_API else [None])
    ]
    for kind, policy in configs:  # every configuration sees every stream
        options = target_options(kind, policy)
        name = f"{kind}" + (f" policy={policy}" if kind is MeshKind.GATEWAY_API else "")
        try:
            plan = translate(specs, kind, options)
        except TranslationError:
            # valid SMI that this mesh cannot express: a located SmiError, by design
            CONVERTED.setdefault(name, []).append(False)
            continue
        CONVERTED.setdefault(name, []).append(True)
        validate_manifests([r.properties for r in plan if r.is_kubernetes])
        assert translate(specs, kind, options).to_json() == plan.to_json()
        for resource in plan:
            if resource.properties.get("kind") == "VirtualService":
                assert_exact_istio_ratios(resource.properties, world)


ISTIO_MAX_TOTAL = 2**31 - 1


def assert_exact_istio_ratios(virtual_service: Doc, world: World) -> None:
    """Every route of a VirtualService sends exactly one split's ratios (relative weights since
    Istio 1.15), or everything to one destination; never a VirtualService without routes."""
    namespace = virtual_service["metadata"]["namespace"]
    splits = [
        {s: w / sum(weights.values()) for s, w in weights.items() if w}
        for (ns, _), weights in world.weights.items()
        if ns == namespace
    ]
    spec = virtual_service["spec"]
    assert spec.get("http") or spec.get("tcp"), "istiod refuses a VirtualService without routes"
    for route in [*spec.get("http", []), *spec.get("tcp", [])]:
        weights = {d["destination"]["host"].split(".")[0]: d["weight"] for d in route["route"]}
        assert all(type(w) is int and w > 0 for w in weights.values()), weights
        assert sum(weights.values()) <= ISTIO_MAX_TOTAL
        if len(weights) > 1:
            total = sum(weights.values())
            assert {s: Fraction(w, total) for s, w in weights.items()} in splits, weights


def test_valid_streams_give_schema_valid_output_or_a_translation_error_on_every_target() -> None:
    CONVERTED.clear()
    _valid_streams_give_schema_valid_output_or_a_translation_error()
    shares = {name: sum(done) / len(done) for name, done in sorted(CONVERTED.items())}
    print("share of valid streams converted:", {k: f"{v:.0%}" for k, v in shares.items()})
    low = {name: share for name, share in shares.items() if share < MINIMUM_CONVERTED}
    assert not low, f"targets converting less than {MINIMUM_CONVERTED:.0%} of valid streams: {low}"


# --- no SMI object is silent -----------------------------------------------------------------

EXAMPLES = pathlib.Path(__file__).parents[1] / "examples"
EXAMPLE_INPUTS = {
    directory.relative_to(EXAMPLES).as_posix(): files
    for directory in [EXAMPLES / "manifests" / "bookinfo", *sorted(EXAMPLES.glob("0*"))]
    if (files := sorted(p for p in directory.rglob("*.yaml") if not p.name.startswith("Pulumi.")))
    and any("smi-spec.io" in p.read_text(encoding="utf-8") for p in files)
}
"""The YAML inputs of each bundled example holding SMI objects (one that declares them all in
Python has none; its YAML is the catalogue of its clusters)."""
SILENCE = "produced no resource on"


def option_variants(kind: MeshKind) -> list[dict[str, Any]]:
    """Each target's options, with ``inexpressible=narrow`` too where the target has it."""
    policies: list[str | None] = [None, "istio", "linkerd"]
    variants = [
        target_options(kind, p) for p in (policies if kind is MeshKind.GATEWAY_API else [None])
    ]
    if "inexpressible" in TARGETS[kind].options.model_fields:
        variants += [{**v, "inexpressible": "narrow"} for v in variants]
    return variants


def assert_no_object_is_silent(specs: SpecSet) -> int:
    """Translate ``specs`` for every target; no TrafficSplit or TrafficTarget may go unnamed
    (a resource it owns or stands behind, or a warning naming it). Returns the plans checked."""
    checked = 0
    for kind in TARGETS:
        for options in option_variants(kind):
            try:
                plan = translate(specs, kind, options)
            except TranslationError:
                continue
            checked += 1
            silent = [w for w in plan.warnings if SILENCE in w]
            assert not silent, (kind.value, options, silent)
    return checked


@pytest.mark.parametrize("example", sorted(EXAMPLE_INPUTS))
def test_no_smi_object_of_the_bundled_examples_is_silent_on_any_target(example: str) -> None:
    assert assert_no_object_is_silent(load_files(EXAMPLE_INPUTS[example])) > 0


@settings(SETTINGS, derandomize=True, database=None)
@given(
    world=worlds(),
    ports=st.lists(st.sampled_from(PORT_SETS), min_size=1, max_size=3, unique=True),
)
def test_no_smi_object_of_random_streams_is_silent_on_any_target(
    world: World, ports: list[tuple[str, int]]
) -> None:
    assert_no_object_is_silent(with_catalogue(load_text(dump(world.docs), "random.yaml"), ports))


def test_the_safety_net_names_an_object_a_translator_forgot() -> None:
    specs = load_text(
        "apiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\n"
        "metadata: {name: web, namespace: shop}\n"
        "spec: {service: web, backends: [{service: web-v1, weight: 1}]}\n"
    )
    (warning,) = silence_warnings(specs, Plan(), "istio")
    assert warning.owner == ("TrafficSplit", "shop", "web")
    assert warning.startswith("TrafficSplit shop/web produced no resource on istio: ")
