"""The safety net of ``translate``: which resources account for which SMI objects."""

from __future__ import annotations

from pulumi_smi.meshes.base import service_account_owner, service_owner
from pulumi_smi.meshes.coverage import silence_warnings, silent_objects
from pulumi_smi.plan import Plan, PlanWarning, Resource
from pulumi_smi.spec import load_text
from pulumi_smi.spec.models import ObjectKey

SPECS = load_text(
    """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {serviceAccountName: web, containers: [{name: c, image: i}]}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: beta, namespace: shop}
spec: {matches: [{name: beta, headers: {x-beta: "1"}}]}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: any, namespace: shop}
spec: {}
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: canary, namespace: shop}
spec: {service: web, backends: [{service: web-v2, weight: 1}]}
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: ab, namespace: shop}
spec:
  service: web
  matches: [{kind: HTTPRouteGroup, name: beta}]
  backends: [{service: web-v3, weight: 1}]
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: clients, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: web}
  sources: [{kind: ServiceAccount, name: caller}]
  rules: [{kind: TCPRoute, name: any}]
"""
)
CANARY = ObjectKey("TrafficSplit", "shop", "canary")
AB = ObjectKey("TrafficSplit", "shop", "ab")
CLIENTS = ObjectKey("TrafficTarget", "shop", "clients")


def owned_by(*owners: ObjectKey) -> Plan:
    return Plan(tuple(Resource("t:x:Y", f"r{i}", {}, (), o) for i, o in enumerate(owners)))


def silent(plan: Plan) -> set[ObjectKey]:
    return {o.key for o in silent_objects(SPECS, plan)}


def test_an_empty_plan_accounts_for_nothing() -> None:
    assert silent(Plan()) == {CANARY, AB, CLIENTS}
    warnings = silence_warnings(SPECS, Plan(), "consul")
    assert [w.owner for w in warnings] == [AB, CANARY, CLIENTS]
    assert warnings[0].startswith("TrafficSplit shop/ab produced no resource on consul: ")


def test_the_merged_route_of_an_apex_accounts_for_each_of_its_splits() -> None:
    assert silent(owned_by(AB)) & {AB, CANARY} == set()


def test_a_warning_naming_an_object_accounts_for_it() -> None:
    plan = Plan(warnings=(PlanWarning("TrafficTarget shop/clients: not enforced", CLIENTS),))
    assert silent(plan) == {CANARY, AB}


def test_a_policy_shared_per_destination_identity_accounts_for_its_traffic_targets() -> None:
    assert CLIENTS not in silent(owned_by(service_account_owner("shop", "web")))


def test_a_resource_of_a_service_in_front_of_the_destination_accounts_for_it() -> None:
    assert CLIENTS not in silent(owned_by(service_owner("shop", "web")))
    assert CLIENTS not in silent(owned_by(CANARY))  # the split of that apex owns its policy
    assert CLIENTS in silent(owned_by(service_owner("shop", "other")))


def test_a_warning_about_the_destination_identity_alone_does_not_account_for_it() -> None:
    note = PlanWarning("about the identity", service_account_owner("shop", "web"))
    assert CLIENTS in silent(Plan(warnings=(note,)))
