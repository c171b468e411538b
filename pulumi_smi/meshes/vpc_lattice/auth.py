"""TrafficTarget -> an IAM auth policy per Lattice service (``authType: AWS_IAM``).

One ``Allow`` statement per (source, allowed match); everything else is denied, as Lattice
denies what no statement allows once ``authType`` is ``AWS_IAM``. A source ServiceAccount is
the EKS Pod Identity session tags ``aws:PrincipalTag/eks-cluster-name``,
``kubernetes-namespace`` and ``kubernetes-service-account`` (``eks_cluster_name``), or an IAM
role ARN from ``source_roles``. Methods become ``vpc-lattice-svcs:RequestMethod``, paths the
request resource ``<service-arn>/<path>`` (the policy is attached to the service, so the ARN
is written with wildcards: ``svc-`` plus 17 ``?`` matches exactly one service id), headers
``vpc-lattice-svcs:RequestHeader/<name>``. A regex IAM cannot match exactly is an error.

Callers must sign their requests with SigV4 (service ``vpc-lattice-svcs``): an unsigned
request is anonymous and denied. Use the AWS SDK's signer or a signing sidecar.
"""

from __future__ import annotations

import json
from typing import Any

from ...errors import Problem
from ...plan import PlanWarning
from ...spec.models import HTTPMatch, HTTPRouteGroup, IdentityRef, TrafficTarget
from ...spec.specset import SpecSet
from ..access import Untranslatable
from ..paths import literal, smi_header, smi_path
from .options import LatticeOptions

MAX_POLICY_BYTES = 10 * 1024
SERVICE_ARN = "arn:*:vpc-lattice:*:*:service/svc-" + "?" * 17
_WILDCARDS = set("*?$")


def policy_document(
    specs: SpecSet,
    options: LatticeOptions,
    targets: list[TrafficTarget],
    problems: list[Problem],
    warnings: list[PlanWarning],
) -> str:
    """The auth policy (compact JSON, no newlines) allowing what ``targets`` allow."""
    statements: list[dict[str, Any]] = []
    for target in targets:
        for match_conditions in _allowed(specs, target, problems, warnings):
            for index, source in enumerate(target.spec.sources):
                principal = _principal(specs, options, target, index, source, problems)
                if principal is None:
                    continue
                who, tags = principal
                statements.append(_statement(who, tags, *match_conditions))
    unique = list({json.dumps(s, sort_keys=True): s for s in statements}.values())
    policy = json.dumps({"Version": "2012-10-17", "Statement": unique}, separators=(",", ":"))
    if len(policy.encode()) > MAX_POLICY_BYTES:
        problems.append(
            specs.problem(
                targets[0].key,
                "spec.sources",
                f"the auth policy would be {len(policy.encode())} bytes; Lattice allows 10 KB "
                "per policy: allow fewer sources or matches per destination",
            )
        )
    return policy


_Conditions = tuple[str, dict[str, Any], dict[str, Any]]


def _statement(
    who: Any, tags: dict[str, str], resource: str, equals: dict[str, Any], like: dict[str, Any]
) -> dict[str, Any]:
    condition: dict[str, Any] = {}
    if tags or equals:
        condition["StringEquals"] = {**tags, **equals}
    if like:
        condition["StringLike"] = like
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": who,
        "Action": "vpc-lattice-svcs:Invoke",
        "Resource": resource,
    }
    if condition:
        statement["Condition"] = condition
    return statement


def _principal(
    specs: SpecSet,
    options: LatticeOptions,
    target: TrafficTarget,
    index: int,
    source: IdentityRef,
    problems: list[Problem],
) -> tuple[Any, dict[str, str]] | None:
    key = f"{source.namespace}/{source.name}"
    if key in options.source_roles:
        return {"AWS": options.source_roles[key]}, {}
    if options.eks_cluster_name:
        return "*", {
            "aws:PrincipalTag/eks-cluster-name": options.eks_cluster_name,
            "aws:PrincipalTag/kubernetes-namespace": source.namespace or "",
            "aws:PrincipalTag/kubernetes-service-account": source.name,
        }
    problems.append(
        specs.problem(
            target.key,
            f"spec.sources[{index}]",
            f"no IAM identity for ServiceAccount {key}: set the option eks_cluster_name (EKS "
            "Pod Identity session tags) or map it in the option source_roles",
        )
    )
    return None


def _allowed(
    specs: SpecSet, target: TrafficTarget, problems: list[Problem], warnings: list[PlanWarning]
) -> list[_Conditions]:
    ns = target.metadata.namespace
    allowed: list[_Conditions] = []
    for index, rule in enumerate(target.spec.rules):
        if rule.kind != "HTTPRouteGroup":
            warnings.append(
                PlanWarning(
                    f"TrafficTarget {ns}/{target.metadata.name}: spec.rules[{index}] "
                    f"({rule.kind} {rule.name}) is not allowed on vpc-lattice: Lattice IAM auth "
                    "applies to SigV4-signed HTTP requests only",
                    target.key,
                )
            )
            continue
        group = specs.get(HTTPRouteGroup, ns, rule.name)
        if group is None:
            continue
        for match_index, match in enumerate(group.spec.matches):
            if rule.matches and match.name not in rule.matches:
                continue
            try:
                allowed.append(_conditions(match, f"spec.matches[{match_index}]"))
            except Untranslatable as exc:
                problems.append(specs.problem(group.key, exc.path, exc.message))
    return allowed


def _conditions(match: HTTPMatch, where: str) -> _Conditions:
    equals: dict[str, Any] = {}
    like: dict[str, Any] = {}
    if not match.any_method:
        methods = sorted(set(match.methods))
        equals["vpc-lattice-svcs:RequestMethod"] = methods[0] if len(methods) == 1 else methods
    path = smi_path(match.path_regex)
    if path.kind == "any":
        resource = "*"
    elif path.kind in ("exact", "prefix") and not _WILDCARDS & set(path.value):
        resource = SERVICE_ARN + path.value + ("*" if path.kind == "prefix" else "")
    else:
        raise Untranslatable(
            f"{where}.pathRegex",
            f"{match.path_regex!r} is not an exact path or a literal prefix without '*', '?' "
            "or '$': a Lattice auth policy cannot allow exactly these paths",
        )
    for name, regex in sorted(match.headers.items()):
        key = f"vpc-lattice-svcs:RequestHeader/{name}"
        header = smi_header(regex)
        inner = literal(regex[2:-2]) if regex.startswith(".*") and regex.endswith(".*") else None
        if header.kind == "exact":
            equals[key] = header.value
        elif _WILDCARDS & set(header.value) or (header.kind == "regex" and not inner):
            raise Untranslatable(
                f"{where}.headers.{name}",
                f"{regex!r} cannot be matched exactly by an IAM condition (exact, prefix, "
                "suffix, infix or any value only, without '*', '?' or '$')",
            )
        else:
            like[key] = {"prefix": f"{header.value}*", "suffix": f"*{header.value}"}.get(
                header.kind, "*" if header.kind == "present" else f"*{inner}*"
            )
    return resource, equals, like
