"""Planned provider resources become typed Pulumi resources, references become Outputs."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest

from pulumi_smi.components.register import register_plan
from pulumi_smi.errors import SmiError
from pulumi_smi.plan import Plan, Resource
from pulumi_smi.spec.models import ObjectKey
from pulumi_smi.testing import Recording, run_program

OWNER = ObjectKey("TrafficSplit", "shop", "web")


def lattice(listener_action: dict[str, object]) -> Plan:
    return Plan(
        (
            Resource(
                "aws:vpclattice/service:Service",
                "svc",
                {"name": "shop-web", "authType": "AWS_IAM"},
                (),
                OWNER,
            ),
            Resource(
                "aws:vpclattice/targetGroup:TargetGroup",
                "tg",
                {
                    "name": "shop-web-v1",
                    "type": "IP",
                    "config": {
                        "port": 8080,
                        "protocol": "HTTP",
                        "vpcIdentifier": "vpc-0123456789abcdef0",
                    },
                },
                (),
                OWNER,
            ),
            Resource(
                "aws:vpclattice/listener:Listener",
                "listener",
                {
                    "name": "http-80",
                    "protocol": "HTTP",
                    "port": 80,
                    "serviceIdentifier": "${svc.id}",
                    "defaultAction": listener_action,
                },
                (),
                OWNER,
            ),
            Resource(
                "aws:vpclattice/authPolicy:AuthPolicy",
                "policy",
                {"resourceIdentifier": "${svc.arn}", "policy": '{"Resource": "${svc.arn}/*"}'},
                (),
                OWNER,
            ),
        )
    )


FORWARD = {"forwards": [{"targetGroups": [{"targetGroupIdentifier": "${tg.id}", "weight": 9}]}]}


def register(plan: Plan) -> Recording:
    def program() -> None:
        class Holder(pulumi.ComponentResource):
            def __init__(self) -> None:
                super().__init__("test:index:Holder", "holder", None, None)
                provider = aws.Provider("use1", region="us-east-1")
                register_plan(plan, self, provider)

        Holder()

    return run_program(program)


def test_aws_resources_are_typed_and_references_resolve() -> None:
    recording = register(lattice(FORWARD))
    listener = recording.by_name("listener")
    assert listener.type == "aws:vpclattice/listener:Listener"
    assert listener.inputs["serviceIdentifier"] == "svc-id"
    assert listener.inputs["defaultAction"] == {
        "forwards": [{"targetGroups": [{"targetGroupIdentifier": "tg-id", "weight": 9}]}]
    }
    svc, tg = recording.by_name("svc"), recording.by_name("tg")
    assert set(listener.dependencies) == {svc.urn, tg.urn}
    policy = recording.by_name("policy").inputs
    arn = "arn:aws:vpclattice:us-east-1:123456789012:svc"
    assert policy == {"resourceIdentifier": arn, "policy": f'{{"Resource": "{arn}/*"}}'}
    assert listener.provider_name == "use1" and listener.parent_name == "holder"


def test_a_wrong_input_name_is_refused_by_the_typed_args() -> None:
    wrong = {"forward": {"targetGroups": []}}  # the input is "forwards", a list
    with pytest.raises(SmiError, match="ListenerDefaultActionArgs has no input 'forward'"):
        register(lattice(wrong))
