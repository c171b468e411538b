"""Target groups: one per backend and apex port, ``<backend>-<namespace>-<port>``.

Of the option ``target_type`` (a remote backend's of its remote's type, :mod:`.remote`), in
the option ``vpc_id``, on the port the backend's pods listen on (a remote one's on the apex's
port number), with the apex port's protocol. pulumi-smi registers no targets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...spec.catalogue import ServicePort
from ...spec.models import ObjectKey
from ...spec.remote import Remote
from ...spec.specset import SpecSet
from ..base import service_owner

if TYPE_CHECKING:
    from .routing import Builder

TG = "aws:vpclattice/targetGroup:TargetGroup"


def target_group(
    b: Builder,
    namespace: str,
    backend: str,
    port: ServicePort,
    protocols: tuple[str, str, str | None],
    key: ObjectKey,
    remote: Remote | None = None,
) -> str:
    """The target group of ``backend`` on ``port`` (planned once); a remote one is of the
    remote's type, on the apex's port number (:mod:`.remote`)."""
    tg_name = f"{backend}-{namespace}-{port.port}"
    if tg_name in b.target_groups:
        return b.target_groups[tg_name]
    b.name("target group", tg_name, key, "spec.backends")
    config: dict[str, Any] = {
        "port": port.port if remote else target_port(b.specs, namespace, backend, port.port),
        "protocol": protocols[1],
        "vpcIdentifier": b.options.vpc_id,
    }
    if protocols[2]:
        config["protocolVersion"] = protocols[2]
    name = b.add(
        TG,
        service_owner(namespace, backend),
        f"lattice-tg-{port.port}",
        {
            "name": tg_name,
            "type": remote.lattice_target_type if remote else b.options.target_type,
            "config": config,
        },
    )
    b.target_groups[tg_name] = name
    return name


def target_port(specs: SpecSet, namespace: str, backend: str, number: int) -> int:
    """The port the backend's pods listen on: the Service port's numeric targetPort."""
    service = specs.catalogue.service(namespace, backend)
    found = service.port(number) if service else None
    target = found.target_port if found else None
    if isinstance(target, int):
        return target
    if isinstance(target, str) and service is not None:
        selected = specs.catalogue.selected_workloads(namespace, service.selector)
        numbers = {
            w.container_ports[target]
            for w in (selected if service.selector else ())
            if target in w.container_ports
        }
        if len(numbers) == 1:
            return numbers.pop()
    return number
