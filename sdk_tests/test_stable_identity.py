"""Stable identities (issue #12, item 4), on every target.

- A weight change updates objects in place: the same (type, logical name) set, the same
  Kubernetes ``metadata.name``/``namespace`` and AWS/Consul names, and ``diff`` reports only
  changes (nothing added, removed, replaced or retyped); under the mocks, the same URNs.
- Renaming a component (the Mesh included) with ``pulumi.Alias(name=old)`` keeps every
  child's URN. Under the mocks the SDK sends alias *specs* and leaves the children's
  inherited aliases to the engine: :func:`engine_matches` replays the engine's rules
  (``generateAliases``, ``inheritedChildAlias``) over the recorded URNs and aliases.
- Re-ordering backends, documents within a file or the files given changes nothing:
  byte-identical ``convert -o json``, and under the mocks the same URNs with the same inputs
  (backends are kept sorted by Service, so even rounding ties fall the same way).

Through the CLI (``convert -o json``, the pure translation) and through the components under
:func:`pulumi_smi.testing.run_program` (what ``pulumi up`` registers).
"""

from __future__ import annotations

import copy
import io
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_consul as consul
import pulumi_kubernetes as k8s
import pytest
import yaml
from pulumi.runtime.proto import resource_pb2

import pulumi_smi as smi
from pulumi_smi.cli import main
from pulumi_smi.meshes import MeshKind
from pulumi_smi.review.resources import compare_resources
from pulumi_smi.testing import RecordedResource, Recording, RecordingMonitor, run_program

VPC = "vpc-0123456789abcdef0"


@dataclass(frozen=True)
class Target:
    """A mesh kind with the options it needs here, and the provider package of its Mesh."""

    id: str
    kind: str
    options: dict[str, str] = field(default_factory=dict)
    package: str = "kubernetes"

    def convert_args(self) -> list[str]:
        return ["--mesh", self.kind, *(f"--set={k}={v}" for k, v in self.options.items())]


TARGETS = [
    Target("smi", "smi"),
    Target("istio", "istio"),
    Target("linkerd", "linkerd"),
    Target("consul", "consul"),
    Target("consul-config-entry", "consul", {"mode": "config-entry"}, "consul"),
    Target("gateway-api", "gateway-api", {"policy": "istio"}),
    Target("appmesh", "appmesh", {"mesh_name": "shop"}, "aws"),
    Target("vpc-lattice", "vpc-lattice", {"vpc_id": VPC, "eks_cluster_name": "prod-eks"}, "aws"),
]
IDS = [t.id for t in TARGETS]


def test_every_target_is_covered() -> None:
    assert {t.kind for t in TARGETS} == {k.value for k in MeshKind}


# --- the input --------------------------------------------------------------------------


def _service(name: str, port: int = 80, **selector: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {
            "selector": selector or {"app": name},
            "ports": [{"name": "http", "port": port, "appProtocol": "http"}],
        },
    }


def _deployment(name: str, port: int | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": f"{name}:1"}
    if port is not None:
        container["ports"] = [{"containerPort": port}]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"serviceAccountName": name, "containers": [container]},
            }
        },
    }


CATALOGUE: list[dict[str, Any]] = [
    _service("web"),
    *(_service(f"web-{v}", app="web", version=v) for v in ("v1", "v2", "v3")),
    _service("api", 8080),
    _deployment("api", 8080),
    _service("client"),
    _deployment("client"),
]
"""Services, ServiceAccounts (through the Deployments) and ports of namespace ``shop``."""
BACKENDS = ("web-v1", "web-v2", "web-v3")
WEIGHTS = (90, 10, 0)


def split(
    name: str,
    backends: Sequence[tuple[str, int]],
    matches: Sequence[str] = (),
    version: str = "v1alpha4",
    service: str = "web",
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "service": service,
        "backends": [{"service": s, "weight": w} for s, w in backends],
    }
    if matches:
        spec["matches"] = [{"kind": "HTTPRouteGroup", "name": m} for m in matches]
    return {
        "apiVersion": f"split.smi-spec.io/{version}",
        "kind": "TrafficSplit",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": spec,
    }


def intent(weights: Sequence[int] = WEIGHTS) -> list[dict[str, Any]]:
    """SMI objects: a default split of ``web`` (3 backends), a matched one, access to ``api``."""
    return [
        split("web", list(zip(BACKENDS, weights, strict=True))),
        split("web-beta", [("web-v2", 1), ("web-v3", 1)], matches=["beta"]),
        {
            "apiVersion": "specs.smi-spec.io/v1alpha4",
            "kind": "HTTPRouteGroup",
            "metadata": {"name": "beta", "namespace": "shop"},
            "spec": {"matches": [{"name": "beta", "headers": [{"x-beta": "true"}]}]},
        },
        {
            "apiVersion": "specs.smi-spec.io/v1alpha4",
            "kind": "TCPRoute",
            "metadata": {"name": "api-port", "namespace": "shop"},
            "spec": {"matches": {"ports": [8080]}},
        },
        {
            "apiVersion": "access.smi-spec.io/v1alpha3",
            "kind": "TrafficTarget",
            "metadata": {"name": "client-calls-api", "namespace": "shop"},
            "spec": {
                "destination": {"kind": "ServiceAccount", "name": "api", "namespace": "shop"},
                "sources": [{"kind": "ServiceAccount", "name": "client", "namespace": "shop"}],
                "rules": [{"kind": "TCPRoute", "name": "api-port"}],
            },
        },
    ]


def write(path: Path, documents: Sequence[dict[str, Any]]) -> str:
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    return str(path)


def convert(target: Target, *files: str) -> str:
    """``pulumi-smi convert -o json`` of ``files`` for ``target`` (exit 0 asserted)."""
    out = io.StringIO()
    assert main(["convert", *target.convert_args(), "-o", "json", *files], stdout=out) == 0
    return out.getvalue()


def resources(output: str) -> dict[tuple[str, str], dict[str, Any]]:
    """The resources of a convert/render output by (type, logical name), asserted unique."""
    found = json.loads(output)["resources"]
    keyed = {(r["type"], r["name"]): r for r in found}
    assert len(keyed) == len(found), "two resources share a type and a logical name"
    return keyed


def physical(type_: str, properties: dict[str, Any]) -> dict[str, Any]:
    """What names the object outside Pulumi: a Kubernetes object's namespace and name, an
    AWS or Consul resource's ``name`` (with the kind, namespace and mesh/router it lives in)."""
    if type_.startswith("kubernetes:"):
        metadata = properties["metadata"]
        return {"namespace": metadata.get("namespace"), "name": metadata["name"]}
    scopes = ("name", "kind", "namespace", "partition", "meshName", "virtualRouterName")
    return {k: properties[k] for k in scopes if k in properties}


def assert_updated_in_place(
    before: dict[tuple[str, str], dict[str, Any]], after: dict[tuple[str, str], dict[str, Any]]
) -> None:
    assert before.keys() == after.keys()
    for key in before:
        old = physical(key[0], before[key]["properties"])
        assert old == physical(key[0], after[key]["properties"]), key
    diff = compare_resources(list(before.values()), list(after.values()))
    assert (diff.added, diff.removed, diff.replaced, diff.retyped) == ((), (), (), ())
    assert diff.changed, "the weights changed nothing: the test would prove nothing"


# --- 1. a weight change, through convert ------------------------------------------------

NEW_WEIGHTS = [(50, 50, 0), (100, 0, 0), (0, 0, 1)]


@pytest.mark.parametrize("weights", NEW_WEIGHTS, ids=["-".join(map(str, w)) for w in NEW_WEIGHTS])
@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_a_weight_change_updates_every_object_in_place(
    target: Target, weights: tuple[int, ...], tmp_path: Path
) -> None:
    catalogue = write(tmp_path / "catalogue.yaml", CATALOGUE)
    before = convert(target, catalogue, write(tmp_path / "before.yaml", intent()))
    after = convert(target, catalogue, write(tmp_path / "after.yaml", intent(weights)))
    assert_updated_in_place(resources(before), resources(after))


# --- the same intent as components, under the mocks -------------------------------------

LEGACY_SERVICES: list[dict[str, Any]] = [
    _service("cart"),
    *(_service(f"cart-{v}", app="cart", version=v) for v in ("v1", "v2")),
]
LEGACY_SPLITS: list[dict[str, Any]] = [
    {
        "apiVersion": "specs.smi-spec.io/v1alpha3",
        "kind": "HTTPRouteGroup",
        "metadata": {"name": "cart-beta", "namespace": "shop"},
        "spec": {"matches": [{"name": "beta", "headers": {"x-beta": "true"}}]},
    },
    split("cart", [("cart-v1", 3), ("cart-v2", 1)], version="v1alpha2", service="cart"),
    split("cart-beta", [("cart-v2", 1)], matches=["cart-beta"], version="v1alpha3", service="cart"),
]
LEGACY = {"services.yaml": LEGACY_SERVICES, "splits.yaml": LEGACY_SPLITS}
"""The files of the ``Manifests`` component: existing SMI YAML of older versions."""
RENAMABLE = ("Mesh", "HTTPRouteGroup", "TCPRoute", "TrafficSplit", "TrafficTarget", "Manifests")
DEFAULT_NAMES = {
    "Mesh": "dc1",
    "HTTPRouteGroup": "beta",
    "TCPRoute": "api-port",
    "TrafficSplit": "web",
    "TrafficTarget": "client-calls-api",
    "Manifests": "legacy",
}


@dataclass(frozen=True)
class Estate:
    """What :func:`program` builds: names and aliases of the components, weights, files."""

    target: Target
    files: tuple[str, ...]
    names: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    """Component -> its former name (``pulumi.Alias(name=...)``)."""
    backends: tuple[tuple[str, int], ...] = tuple(zip(BACKENDS, WEIGHTS, strict=True))

    def name(self, component: str) -> str:
        return self.names.get(component, DEFAULT_NAMES[component])

    def opts(self, component: str) -> pulumi.ResourceOptions | None:
        if component not in self.aliases:
            return None
        return pulumi.ResourceOptions(aliases=[pulumi.Alias(name=self.aliases[component])])


def _provider(target: Target) -> pulumi.ProviderResource:
    name = f"{target.kind}-provider"
    if target.package == "aws":
        return aws.Provider(name, region="us-east-1")
    if target.package == "consul":
        return consul.Provider(name, address="consul.service.dc1:8500")
    return k8s.Provider(name, kubeconfig="x")


def program(estate: Estate) -> None:
    """Every component on one Mesh; object names fixed, so that only logical names move."""
    mesh = smi.Mesh(
        estate.name("Mesh"),
        estate.target.kind,
        provider=_provider(estate.target),
        options=estate.target.options,
        catalogue=smi.load_text(yaml.safe_dump_all(CATALOGUE)).catalogue,
        opts=estate.opts("Mesh"),
    )
    common: dict[str, Any] = {"namespace": "shop", "meshes": mesh}

    def named(component: str) -> dict[str, Any]:
        return {"object_name": DEFAULT_NAMES[component], "opts": estate.opts(component)}

    smi.HTTPRouteGroup(
        estate.name("HTTPRouteGroup"),
        matches=[smi.HTTPMatch("beta", headers={"x-beta": "true"})],
        **named("HTTPRouteGroup"),
        **common,
    )
    port = smi.TCPRoute(estate.name("TCPRoute"), ports=[8080], **named("TCPRoute"), **common)
    smi.TrafficSplit(
        estate.name("TrafficSplit"),
        service="web",
        backends=[smi.Backend(s, w) for s, w in estate.backends],
        **named("TrafficSplit"),
        **common,
    )
    smi.TrafficTarget(
        estate.name("TrafficTarget"),
        destination=smi.ServiceAccount("api"),
        sources=[smi.ServiceAccount("client")],
        rules=[port.rule()],
        **named("TrafficTarget"),
        **common,
    )
    smi.Manifests(
        estate.name("Manifests"),
        files=list(estate.files),
        meshes=mesh,
        opts=estate.opts("Manifests"),
    )


def record(estate: Estate, preview: bool = True) -> Recording:
    """What :func:`program` registers; ``preview=False`` for known ids in the inputs."""
    return run_program(lambda: program(estate), preview=preview)


@pytest.fixture
def legacy(tmp_path: Path) -> tuple[str, ...]:
    return tuple(write(tmp_path / name, docs) for name, docs in LEGACY.items())


def by_urn(recording: Recording) -> dict[str, RecordedResource]:
    found = {r.urn: r for r in recording.resources}
    assert len(found) == len(recording.resources)
    return found


def as_documents(recording: Recording) -> dict[tuple[str, str], dict[str, Any]]:
    """The custom resources in the shape of a convert output, for ``compare_resources``."""
    return {
        (r.type, r.name): {"type": r.type, "name": r.name, "properties": r.inputs}
        for r in recording.custom_resources()
    }


# --- 1. a weight change, under the mocks ------------------------------------------------


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_a_weight_change_keeps_every_urn(target: Target, legacy: tuple[str, ...]) -> None:
    before = record(Estate(target, legacy))
    after = record(Estate(target, legacy, backends=(("web-v1", 50), ("web-v2", 50), ("web-v3", 0))))
    assert by_urn(before).keys() == by_urn(after).keys()
    assert_updated_in_place(as_documents(before), as_documents(after))


# --- 2. renaming a component with an Alias ----------------------------------------------


def _urn(type_: str, name: str) -> str:
    stack, project = "stack", "project"  # run_program's defaults
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


def _name(urn: str) -> str:
    return urn.split("::", 3)[3]


def _qualified_type(urn: str) -> str:
    return urn.split("::", 3)[2]


def inherited_child_alias(
    child_type: str, child_name: str, parent_name: str, parent_old: str
) -> str:
    """The engine's ``inheritedChildAlias`` (pkg/resource/deploy/step_generator.go): the
    child under the parent's old URN, and when the child's name starts with the parent's,
    that prefix replaced by the parent's old name.

    The engine qualifies the type with the parent's whole qualified type; URNs of the mock
    monitor hold only the parent's own type (``MockMonitor.make_urn``), so the alias is
    built the mock's way, to compare with the mock URNs of the old run.
    """
    name = child_name
    if child_name.startswith(parent_name):
        name = _name(parent_old) + child_name[len(parent_name) :]
    return _urn(_qualified_type(parent_old).split("$")[-1] + "$" + child_type, name)


def engine_matches(old: Recording, new: Recording) -> dict[str, str]:
    """Each URN of ``new`` -> the URN of ``old`` the engine would take it for, if any.

    Under the mocks, the SDK sends alias *specs* (the mock monitor supports them), so a
    child of an aliased component carries no alias of its own: the engine derives it from
    the parent's. This replays ``stepGenerator.generateSteps``/``generateAliases``, in
    registration order (parents first):

    1. candidates: the resource's URN, then its own aliases (the specs as the recording
       resolves them, ``RecordingMonitor._alias_urn``), then — when its parent was matched
       through an alias — :func:`inherited_child_alias` of its name and of each own alias;
    2. the first candidate in the old state is the match; a match through an alias is
       remembered, for the children (``sg.aliases[urn]``).
    """
    olds = {r.urn for r in old.resources}
    through_alias: dict[str, str] = {}
    matches: dict[str, str] = {}
    for resource in new.resources:  # tree order: a parent before its children
        candidates = [resource.urn, *resource.aliases]
        parent_old = through_alias.get(resource.parent or "")
        if parent_old is not None and resource.parent is not None:
            parent_name = _name(resource.parent)
            candidates.append(
                inherited_child_alias(resource.type, resource.name, parent_name, parent_old)
            )
            for alias in resource.aliases:
                alias_type = _qualified_type(alias).split("$")[-1]
                candidates.append(
                    inherited_child_alias(alias_type, _name(alias), parent_name, parent_old)
                )
        found = next((c for c in candidates if c in olds), None)
        if found is not None:
            matches[resource.urn] = found
            if found != resource.urn:
                through_alias[resource.urn] = found
    return matches


def descendants(recording: Recording, name: str) -> list[RecordedResource]:
    """The resources below the (unique) resource ``name``, at any depth."""
    root = recording.by_name(name).urn
    found: list[RecordedResource] = []
    below = {root}
    for resource in recording.resources:  # tree order
        if resource.parent in below:
            found.append(resource)
            below.add(resource.urn)
    return found


def lost_and_created(old: Recording, new: Recording) -> tuple[list[str], list[str]]:
    """What the engine would delete (old URNs nothing matched) and create (new ones)."""
    matches = engine_matches(old, new)
    claimed = list(matches.values())
    assert len(claimed) == len(set(claimed)), "two resources claim one old resource"
    lost = sorted(set(by_urn(old)) - set(claimed))
    created = sorted(set(by_urn(new)) - set(matches))
    return lost, created


@pytest.mark.parametrize("component", RENAMABLE)
@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_renaming_a_component_with_an_alias_keeps_every_urn(
    target: Target, component: str, legacy: tuple[str, ...]
) -> None:
    old = record(Estate(target, legacy, names={component: "old"}))
    new = record(Estate(target, legacy, names={component: "new"}, aliases={component: "old"}))
    assert lost_and_created(old, new) == ([], [])
    matches = engine_matches(old, new)
    renamed = [new.by_name("new"), *descendants(new, "new")]
    for resource in renamed:
        assert matches[resource.urn] != resource.urn  # matched through an alias
    before = by_urn(old)
    for urn, was in matches.items():
        resource, previous = by_urn(new)[urn], before[was]
        assert resource.type == previous.type
        assert physical(resource.type, resource.inputs) == physical(previous.type, previous.inputs)


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_without_the_alias_a_rename_would_replace_the_children(
    target: Target, legacy: tuple[str, ...]
) -> None:
    """The check above can fail: without the alias the engine deletes and creates them."""
    old = record(Estate(target, legacy, names={"TrafficSplit": "old"}))
    new = record(Estate(target, legacy, names={"TrafficSplit": "new"}))
    lost, created = lost_and_created(old, new)
    assert len(lost) == len(created) == 1 + len(descendants(new, "new"))


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_a_mesh_and_its_components_renamed_together_keep_every_urn(
    target: Target, legacy: tuple[str, ...]
) -> None:
    """The Mesh's former name and the component's combine (the engine's cross product)."""
    renamed = ("Mesh", "TrafficSplit", "Manifests")
    old = record(Estate(target, legacy, names={c: f"old-{c.lower()}" for c in renamed}))
    new = record(
        Estate(
            target,
            legacy,
            names={c: f"new-{c.lower()}" for c in renamed},
            aliases={c: f"old-{c.lower()}" for c in renamed},
        )
    )
    assert lost_and_created(old, new) == ([], [])


def test_a_mesh_rename_and_an_api_version_switch_in_one_update_keep_every_urn(
    legacy: tuple[str, ...],
) -> None:
    before = Target("istio-v1beta1", "istio", {"istio_api": "v1beta1"})
    after = Target("istio-v1", "istio", {"istio_api": "v1"})
    old = record(Estate(before, legacy, names={"Mesh": "old"}))
    new = record(Estate(after, legacy, names={"Mesh": "new"}, aliases={"Mesh": "old"}))
    assert {r.type for r in old.custom_resources()} != {r.type for r in new.custom_resources()}
    assert lost_and_created(old, new) == ([], [])


# --- 2b. the same, with an engine that takes no alias specs (the SDK computes the URNs) ---


@pytest.fixture
def alias_urns(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str, ...]]:
    """Make the SDK send alias URNs (``aliasURNs``), as for an engine without alias specs:
    it then derives the children's aliases from their parents' itself (``all_aliases``).
    Returns, filled by the runs, each URN's alias URNs."""
    sent: dict[str, tuple[str, ...]] = {}
    supports = pulumi.runtime.resource.monitor_supports_feature
    specs = resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS
    monkeypatch.setattr(
        pulumi.runtime.resource,
        "monitor_supports_feature",
        lambda feature: feature != specs and supports(feature),
    )
    register = RecordingMonitor.RegisterResource

    def recording(self: RecordingMonitor, request: Any) -> Any:
        response = register(self, request)
        sent[response.urn] = tuple(request.aliasURNs)
        return response

    monkeypatch.setattr(RecordingMonitor, "RegisterResource", recording)
    return sent


def _scheme_free(urn: str) -> tuple[tuple[str, ...], str]:
    """A URN as (parent's type, own type) and name: the SDK qualifies a child's type with its
    parent's whole chain, the mock monitor with the parent's own type only."""
    types = [t for t in _qualified_type(urn).split("$") if t != "pulumi:pulumi:Stack"]
    return tuple(types[-2:]), _name(urn)


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_a_mesh_rename_keeps_the_components_children_with_alias_urns_too(
    target: Target, legacy: tuple[str, ...], alias_urns: dict[str, tuple[str, ...]]
) -> None:
    """The Mesh-rename aliases are Outputs of the Mesh's former URN: the SDK resolves them
    into URNs as well. (Only the components' children are checked: in this mode the SDK
    derives inherited aliases only for a child given aliases of its own — ``prepare_aliases``
    returns early without — so a Mesh's own child without any is lost, for every component
    library, and that is the SDK's, not ours.)"""
    old = record(Estate(target, legacy, names={"Mesh": "old"}))
    new = record(Estate(target, legacy, names={"Mesh": "new"}, aliases={"Mesh": "old"}))
    olds = {_scheme_free(urn) for urn in by_urn(old)}
    checked = [r for r in new.resources if r.parent_name not in (None, "new") and "-new-" in r.name]
    assert checked
    for resource in checked:
        assert _scheme_free(resource.urn) not in olds
        assert {_scheme_free(u) for u in alias_urns[resource.urn]} & olds, resource.name


# --- 3. re-ordering the input -----------------------------------------------------------

SEEDS = range(3)


def shuffled(documents: Sequence[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    order = list(documents)
    random.Random(seed).shuffle(order)
    assert len(order) < 3 or order != list(documents)
    return order


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_reordering_documents_and_files_gives_byte_identical_output(
    target: Target, tmp_path: Path
) -> None:
    given = [write(tmp_path / "catalogue.yaml", CATALOGUE), write(tmp_path / "smi.yaml", intent())]
    expected = convert(target, *given)
    outputs = {"files reversed": convert(target, *given[::-1])}
    for seed in SEEDS:
        files = [
            write(tmp_path / f"catalogue-{seed}.yaml", shuffled(CATALOGUE, seed)),
            write(tmp_path / f"smi-{seed}.yaml", shuffled(intent(), seed)),
        ]
        outputs[f"documents shuffled ({seed})"] = convert(target, *files)
        # every document in a file of its own, the files in a shuffled order
        alone = [
            write(tmp_path / f"doc-{seed}-{i}.yaml", [doc])
            for i, doc in enumerate([*CATALOGUE, *intent()])
        ]
        outputs[f"one file per document, shuffled ({seed})"] = convert(
            target, *shuffled(alone, seed)
        )
        outputs[f"one file with everything ({seed})"] = convert(
            target,
            write(tmp_path / f"all-{seed}.yaml", shuffled([*CATALOGUE, *intent()], seed)),
        )
    assert {how: out for how, out in outputs.items() if out != expected} == {}


def reversed_backends(documents: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    turned = copy.deepcopy(list(documents))
    for document in turned:
        if document["kind"] == "TrafficSplit":
            document["spec"]["backends"].reverse()
    return turned


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_reordering_backends_gives_byte_identical_output(target: Target, tmp_path: Path) -> None:
    catalogue = write(tmp_path / "catalogue.yaml", CATALOGUE)
    expected = convert(target, catalogue, write(tmp_path / "smi.yaml", intent()))
    turned = write(tmp_path / "turned.yaml", reversed_backends(intent()))
    assert convert(target, catalogue, turned) == expected


@pytest.mark.parametrize(
    "target",
    TARGETS,
    ids=IDS,
)
def test_reordering_backends_moves_no_traffic_and_replaces_nothing(
    target: Target, tmp_path: Path
) -> None:
    """The weaker property, met where weights are not rounded: the same objects, and ``diff``
    sees no share move (``--max-shift 0`` passes). Weights 1:1:1 make the rounding tie."""
    catalogue = write(tmp_path / "catalogue.yaml", CATALOGUE)
    tie = intent((1, 1, 1))
    before = write(tmp_path / "before.yaml", tie)
    after = write(tmp_path / "after.yaml", reversed_backends(tie))
    outputs = [convert(target, catalogue, before), convert(target, catalogue, after)]
    old, new = (resources(o) for o in outputs)
    assert old.keys() == new.keys()
    assert all(
        physical(k[0], old[k]["properties"]) == physical(k[0], new[k]["properties"]) for k in old
    )
    diff = compare_resources(list(old.values()), list(new.values()))
    assert (diff.added, diff.removed, diff.replaced, diff.retyped) == ((), (), (), ())
    paths = [tmp_path / "old.json", tmp_path / "new.json"]
    for path, output in zip(paths, outputs, strict=True):
        path.write_text(output)
    review = io.StringIO()
    assert main(["diff", *map(str, paths), "--max-shift", "0"], stdout=review) == 0, (
        review.getvalue()
    )


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_reordering_manifest_documents_and_files_keeps_urns_and_inputs(
    target: Target, tmp_path: Path
) -> None:
    def files(where: str, seed: int | None) -> tuple[str, ...]:
        (tmp_path / where).mkdir()
        written = [
            write(tmp_path / where / name, docs if seed is None else shuffled(docs, seed))
            for name, docs in LEGACY.items()
        ]
        return tuple(written if seed is None else written[::-1])

    expected = record(Estate(target, files("given", None)), preview=False)
    for seed in SEEDS:
        found = record(Estate(target, files(f"shuffled-{seed}", seed)), preview=False)
        assert inputs(found) == inputs(expected)


def inputs(recording: Recording) -> dict[str, Any]:
    """Every URN's inputs and dependencies (the Manifests' ``files`` input left out: paths)."""
    found = {}
    for resource in recording.resources:
        given = dict(resource.inputs)
        if resource.type == "smi:index:Manifests":
            given.pop("files")
        found[resource.urn] = (given, sorted(resource.dependencies))
    return found


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_reordering_backends_keeps_urns_and_inputs(target: Target, legacy: tuple[str, ...]) -> None:
    given = (("web-v1", 1), ("web-v2", 1), ("web-v3", 1))
    expected = record(Estate(target, legacy, backends=given), preview=False)
    turned = record(Estate(target, legacy, backends=given[::-1]), preview=False)
    assert inputs(turned) == inputs(expected)
