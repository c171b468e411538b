"""Backends served elsewhere: a Service of type ExternalName, or with Consul annotations."""

from __future__ import annotations

import pytest

from pulumi_smi.errors import SmiValidationError
from pulumi_smi.spec import load_text
from pulumi_smi.spec.remote import Remote

HOST = "reviews-bookinfo-0a1b2c3d.7d67968.vpc-lattice-svcs.us-east-1.on.aws"


def service(spec: str, annotations: str = "") -> str:
    notes = f", annotations: {{{annotations}}}" if annotations else ""
    return (
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: reviews-aws, namespace: bookinfo"
        f"{notes}}}\nspec: {spec}\n"
    )


def remote_of(text: str) -> Remote | None:
    found = load_text(text, "s.yaml").catalogue.service("bookinfo", "reviews-aws")
    assert found is not None
    return found.remote


def test_an_external_name_service_is_a_remote_backend_at_its_host() -> None:
    remote = remote_of(service(f"{{type: ExternalName, externalName: {HOST}}}"))
    assert remote == Remote(host=HOST)
    assert remote.where == f"host {HOST}"


def test_an_ordinary_service_is_not_remote() -> None:
    assert remote_of(service("{selector: {app: reviews}, ports: [{port: 80}]}")) is None


def test_annotations_say_who_serves_it_and_how_lattice_targets_it() -> None:
    notes = "smi.pulumi.com/served-by: aws-lattice, smi.pulumi.com/lattice-target-type: ALB"
    remote = remote_of(service(f"{{type: ExternalName, externalName: {HOST}}}", notes))
    assert remote is not None
    assert (remote.served_by, remote.lattice_target_type) == ("aws-lattice", "ALB")
    assert remote.where == f"host {HOST} (mesh aws-lattice)"


def test_a_consul_datacenter_needs_no_host() -> None:
    notes = "smi.pulumi.com/consul-datacenter: dc2, smi.pulumi.com/consul-service: reviews"
    remote = remote_of(service("{ports: [{port: 80}]}", notes))
    assert remote is not None
    assert remote.consul_redirect == {"datacenter": "dc2"}
    assert remote.service == "reviews"


@pytest.mark.parametrize(
    ("spec", "annotations", "path", "words"),
    [
        ("{type: ExternalName}", "", "spec.externalName", "needs its host here"),
        ("{type: ExternalName, externalName: Not_A_Host}", "", "spec.externalName", "DNS-1123"),
        (
            f"{{type: ExternalName, externalName: {HOST}}}",
            "smi.pulumi.com/lattice-target-type: NLB",
            "metadata.annotations.smi.pulumi.com/lattice-target-type",
            "'IP' or 'ALB'",
        ),
        (
            "{}",
            "smi.pulumi.com/consul-datacenter: dc2, smi.pulumi.com/consul-peer: aws",
            "metadata.annotations",
            "not several",
        ),
    ],
)
def test_a_bad_remote_is_a_located_error(
    spec: str, annotations: str, path: str, words: str
) -> None:
    with pytest.raises(SmiValidationError) as caught:
        load_text(service(spec, annotations), "s.yaml")
    (problem,) = caught.value.problems
    assert (problem.kind, problem.name, problem.path) == ("Service", "reviews-aws", path)
    assert words in problem.message
