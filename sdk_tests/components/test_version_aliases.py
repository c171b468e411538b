"""Switching an apiVersion option keeps every child's identity: the new type token comes with
an alias to the old one, so the engine plans an update of the same object, not a delete and a
create. Linkerd's ``route_api`` switches API groups (other objects): no alias, by design."""

from __future__ import annotations

import itertools
import re
import typing
from typing import Any

import pulumi_kubernetes as k8s
import pytest
from mesh_estates import CATALOGUE

import pulumi_smi as smi
from pulumi_smi.components.aliases import alias_types
from pulumi_smi.meshes import TARGETS
from pulumi_smi.testing import Recording, run_program

TCP = """
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {selector: {app: db}, ports: [{name: tcp-postgres, port: 5432}]}
---
apiVersion: v1
kind: Service
metadata: {name: db-v1, namespace: shop}
spec: {selector: {app: db, version: v1}, ports: [{name: tcp-postgres, port: 5432}]}
---
apiVersion: v1
kind: Service
metadata: {name: db-v2, namespace: shop}
spec: {selector: {app: db, version: v2}, ports: [{name: tcp-postgres, port: 5432}]}
"""
SPLITS = """
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: web, namespace: shop}
spec:
  service: web
  backends: [{service: web-v1, weight: 9}, {service: web-v2, weight: 1}]
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: db, namespace: shop}
spec:
  service: db
  backends: [{service: db-v1, weight: 1}, {service: db-v2, weight: 1}]
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: api, namespace: shop}
spec:
  matches: [{name: read, pathRegex: /api/.*, methods: [GET]}]
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: web-reads-api, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: api, namespace: shop}
  sources: [{kind: ServiceAccount, name: web, namespace: shop}]
  rules: [{kind: HTTPRouteGroup, name: api, matches: [read]}]
"""


def program(kind: str, options: dict[str, Any]) -> None:
    catalogue = smi.load_text(CATALOGUE + "---" + TCP).catalogue
    mesh = smi.Mesh(
        "dc1",
        kind,
        provider=k8s.Provider("dc1-k8s", kubeconfig="x"),
        options=options,
        catalogue=catalogue,
    )
    routes = smi.HTTPRouteGroup(
        "api",
        namespace="shop",
        meshes=mesh,
        matches=[smi.HTTPMatch("read", path_regex="/api/.*", methods=["GET"])],
    )
    for service in ("web", "db"):
        smi.TrafficSplit(
            service,
            namespace="shop",
            service=service,
            meshes=mesh,
            backends=[smi.Backend(f"{service}-v1", 9), smi.Backend(f"{service}-v2", 1)],
        )
    smi.TrafficTarget(
        "web-reads-api",
        namespace="shop",
        meshes=mesh,
        destination=smi.ServiceAccount("api"),
        sources=[smi.ServiceAccount("web")],
        rules=[routes.rule("read")],
    )


def record(kind: str, **options: Any) -> Recording:
    return run_program(lambda: program(kind, options), preview=True)


def lost(old: Recording, new: Recording) -> list[str]:
    """Resources of ``old`` the engine would delete after ``new``: no URN or alias matches."""
    known = {r.urn for r in new.resources} | {a for r in new.resources for a in r.aliases}
    return sorted(f"{r.type} {r.name}" for r in old.resources if r.urn not in known)


SWITCHES = [
    ("istio", "istio_api", "v1beta1", "v1", {}),
    ("gateway-api", "istio_api", "v1beta1", "v1", {"policy": "istio"}),
    ("gateway-api", "tcp_route_api", "v1alpha2", "v1", {}),
    ("linkerd", "tcp_route_api", "v1alpha2", "v1", {}),
]


@pytest.mark.parametrize(
    ("kind", "option", "old", "new", "others"),
    SWITCHES,
    ids=[f"{k}-{o}" for k, o, *_ in SWITCHES],
)
def test_switching_the_api_version_keeps_every_child(
    kind: str, option: str, old: str, new: str, others: dict[str, Any]
) -> None:
    before = record(kind, **others, **{option: old})
    after = record(kind, **others, **{option: new})
    moved = {r.name for r in after.custom_resources()} & {
        r.name
        for r in before.custom_resources()
        if r.type != after.by_name(r.name).type  # by_name: the names are unique here
    }
    assert moved, "the option changed no type token: the test would prove nothing"
    assert lost(before, after) == []  # upgrade: an update of each object, no delete
    assert lost(after, before) == []  # and back


def test_the_alias_names_the_other_versions_type_token() -> None:
    recording = record("istio", istio_api="v1")
    vs = recording.by_name("web-dc1-virtualservice")
    assert vs.type == "kubernetes:networking.istio.io/v1:VirtualService"
    assert vs.aliases == (
        vs.urn.replace("networking.istio.io/v1:", "networking.istio.io/v1beta1:"),
    )
    shared = [r for r in recording.children_of("dc1") if r.type.startswith("kubernetes:security")]
    assert shared
    for policy in shared:  # the Mesh's shared children too
        assert policy.aliases == (policy.urn.replace("istio.io/v1:", "istio.io/v1beta1:"),)


def test_linkerd_route_api_switches_groups_so_it_is_not_aliased() -> None:
    """gateway.networking.k8s.io and policy.linkerd.io HTTPRoutes are distinct objects in the
    cluster: the preview rightly shows a create of one and a delete of the other."""
    before = record("linkerd", route_api="gateway")
    after = record("linkerd", route_api="policy")
    route = after.by_name("web-dc1-httproute-80")
    assert route.type == "kubernetes:policy.linkerd.io/v1beta3:HTTPRoute"
    assert route.aliases == ()
    assert lost(before, after) == [
        "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute web-dc1-httproute-80"
    ]


def test_resources_without_a_version_option_get_no_alias() -> None:
    recording = record("smi")
    assert all(r.aliases == () for r in recording.custom_resources())
    assert alias_types("aws:appmesh/route:Route") == []
    assert alias_types("kubernetes:networking.istio.io/v1alpha3:VirtualService") == []
    assert alias_types("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute") == []


API_VERSION = re.compile(r"v\d+((alpha|beta)\d+)?")
GROUP_SWITCHES = {("linkerd", "route_api")}
"""Options that change API groups (distinct objects): documented as not aliased."""


def version_options() -> list[tuple[str, str, tuple[str, ...]]]:
    """Every ``*_api`` option of every target, with its values."""
    found = []
    for kind, target in TARGETS.items():
        for name, field in target.options.model_fields.items():
            values = typing.get_args(field.annotation)
            if name.endswith("_api") and values:
                found.append((kind.value, name, tuple(str(v) for v in values)))
    return found


def test_every_api_option_of_every_target_is_aliased_or_a_documented_group_switch() -> None:
    """Guards against drift: a new version option in a translator fails here until aliased."""
    specs = smi.load_text(CATALOGUE + "---" + TCP + SPLITS)
    options = version_options()
    assert {(k, o) for k, o, _ in options} >= {
        ("istio", "istio_api"),
        ("gateway-api", "tcp_route_api"),
        ("linkerd", "route_api"),
        ("linkerd", "tcp_route_api"),
    }
    for kind, option, values in options:
        extra = {"policy": "istio"} if kind == "gateway-api" else {}
        plans = {
            v: {r.name: r.type for r in smi.translate(specs, kind, {**extra, option: v})}
            for v in values
        }
        for a, b in itertools.permutations(values, 2):
            for name, token in plans[a].items():
                other = plans[b].get(name)
                if other is None or other == token:
                    continue
                group = token.split(":")[1].rpartition("/")[0]
                other_group = other.split(":")[1].rpartition("/")[0]
                if group != other_group:
                    assert (kind, option) in GROUP_SWITCHES, (kind, option, token, other)
                else:
                    assert API_VERSION.fullmatch(b), (kind, option, b)
                    assert token in alias_types(other), (kind, option, name, token, other)
