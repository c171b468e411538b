"""vpc-lattice golden signals in CloudWatch: a dashboard and the SLO alarms, as pulumi-aws inputs.

VPC Lattice publishes its metrics to CloudWatch, namespace :data:`NAMESPACE`, not to
Prometheus; so the metrics contract (DESIGN.md, "Metrics contract") is read from there, with
the same semantics as the Prometheus recording rules:

=====================  ==============================================================
contract series        CloudWatch (one period of 5 minutes; :data:`PERIOD`)
=====================  ==============================================================
requests:rate5m        ``Sum(requests) / PERIOD(requests)``
failures:rate5m        ``FILL(Sum(HTTPCode_5XX_Count), 0) / PERIOD``
success:ratio5m        ``1 - failures / requests`` (no requests: no value)
latency p50/p90/p99    ``RequestTime`` extended statistics ``p50``/``p90``/``p99`` / 1000
                       (RequestTime is in milliseconds; the contract in seconds)
=====================  ==============================================================

Which Services: every Lattice service the vpc-lattice translator plans (a TrafficSplit apex,
or a Service in front of a TrafficTarget's destination), read through the dimension
``Service``, and every other Service with target groups there (a split backend, a remote
backend's target groups included: Lattice measures them like any other), read through the
dimension ``TargetGroup``, summed over its ports (a latency percentile is the slowest port's:
percentiles do not add up). A Service with an objective that is neither gets no alarm, and a
warning saying so (never silently). The alarms are in :mod:`.cloudwatch_alarms`.

Dimension values are the planned resources' ids: ``${<lattice service>.id}`` and
``${<target group>.id}``, and a widget's region ``${<resource>.region}`` (pulumi-aws v7 gives
every resource a ``region`` output), references to the vpc-lattice translation's resources
under the same namer, listed in the Plan's ``external``: the ids are not known before the
resources exist, and a name in their place would give alarms that never see a datapoint.
Whoever registers this Plan registers it beside the translation's.

What was verified, and where (the AWS page "CloudWatch metrics for Amazon VPC Lattice",
docs.aws.amazon.com/vpc-lattice/latest/ug/monitoring-cloudwatch.html, could be read only
through its title and table of contents, which name target group and service metrics in
``AWS/VpcLattice``; the rest comes from secondary sources, so it is kept in the constants below,
one place to correct):

- namespace ``AWS/VpcLattice``; service metrics ``TotalRequestCount``, ``HTTPCode_5XX_Count``,
  ``RequestTime`` in **milliseconds**, dimension ``Service`` (optionally with
  ``AvailabilityZone``, which we leave out to get the whole service) and target group metrics
  with dimension ``TargetGroup``: an AWS-docs-derived guide (a Spanish translation of a
  VPC Lattice tutorial) that lists exactly these and their units;
- the ``Service`` dimension's value is the service *id* (``svc-...``): the
  yet-another-cloudwatch-exporter's service table maps ``AWS/VpcLattice`` metrics to services
  by ``:service/(?P<Service>[^/]+)$`` of the ARN, and the Terraform examples found use
  ``aws_vpclattice_service.<x>.id``;
- target group request count ``RequestCount`` (issue #15 and ALB-style target group metrics):
  the least certain of these, see :data:`TARGET_GROUP`;
- CloudWatch itself from botocore's ``cloudwatch`` model (PutDashboard, PutMetricAlarm,
  PutCompositeAlarm: members, enums, the metric math ``Id`` rule "letters, numbers and
  underscore, the first a lowercase letter", periods: 10, 20, 30 or a multiple of 60, and
  ``Period`` x ``EvaluationPeriods`` at most 7 days, 1 day below an hour) and pulumi-aws 7.51
  (``aws.cloudwatch.Dashboard`` ``dashboardName``/``dashboardBody``, ``MetricAlarm`` ``name``,
  ``metricQueries`` [``id``, ``expression``, ``metric`` {``metricName``, ``namespace``,
  ``period``, ``stat``, ``dimensions``}, ``returnData``], ``CompositeAlarm`` ``alarmName``,
  ``alarmRule``). The dashboard body follows CloudWatch's "Dashboard body structure and
  syntax" (``widgets`` of ``type``, ``x``, ``y``, ``width``, ``height``, ``properties`` with
  ``metrics``, ``region``, ``view``, ``stat``, ``period``, ``title``, ``yAxis``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..meshes.base import Namer, default_namer, namespace_owner
from ..meshes.vpc_lattice import LatticeOptions, translate
from ..meshes.vpc_lattice.target_groups import TG
from ..plan import Plan, Resource, reference
from ..spec.specset import SpecSet
from .cloudwatch_alarms import alarm_resources

NAMESPACE = "AWS/VpcLattice"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
LATTICE_SERVICE = "aws:vpclattice/service:Service"
PERIOD = 300
"""The contract's window (5 minutes) as a CloudWatch period."""
DIMENSION_OUTPUT = "id"
"""The output of a planned Lattice service or target group that its metrics' dimension holds."""
MAX_WIDGETS = 500
"""CloudWatch's widgets per dashboard; a larger estate gets more dashboards (``-2``, ...)."""
_PER_SUBJECT = 4


@dataclass(frozen=True)
class Metrics:
    """Where one kind of Lattice resource's signals are: dimension and metric names."""

    dimension: str
    requests: str
    failures: str
    latency: str
    """In milliseconds."""


SERVICE = Metrics("Service", "TotalRequestCount", "HTTPCode_5XX_Count", "RequestTime")
TARGET_GROUP = Metrics("TargetGroup", "RequestCount", "HTTPCode_5XX_Count", "RequestTime")


@dataclass(frozen=True)
class Subject:
    """One destination Service as CloudWatch sees it: a Lattice service or target groups."""

    namespace: str
    service: str
    metrics: Metrics
    resources: tuple[str, ...]
    """Logical names of the planned Lattice service, or of the Service's target groups."""

    def dimensions(self) -> list[dict[str, str]]:
        """One ``{Name: value}`` pair per resource (each a reference to its id)."""
        return [{self.metrics.dimension: reference(r, DIMENSION_OUTPUT)} for r in self.resources]

    @property
    def region(self) -> str:
        """The region of its metrics: its (first) resource's."""
        return reference(self.resources[0], "region")


def cloudwatch_plan(
    specs: SpecSet,
    options: Any,
    *,
    namer: Namer = default_namer,
    dashboard: bool = True,
    alarm_actions: Mapping[str, Sequence[Any]] | None = None,
) -> Plan:
    """The CloudWatch dashboard and SLO alarms of a vpc-lattice estate (see module).

    ``options`` are the target's validated :class:`LatticeOptions` (the same the translation
    uses, so the same resources are measured); ``namer`` the translation's (the references
    name its resources); ``alarm_actions`` maps a severity (``page``, ``ticket``) to the
    action ARNs of the burn-rate composite alarms of that severity. Invalid input raises the
    translator's :class:`~pulumi_smi.errors.TranslationError`.
    """
    if not isinstance(options, LatticeOptions):
        options = LatticeOptions.model_validate(dict(options or {}))
    lattice = translate(specs, options, namer)
    subjects = subjects_of(lattice)
    resources: list[Resource] = []
    if dashboard and subjects:
        resources += dashboards(subjects, options.network_name, namer)
    alarms, warnings = alarm_resources(specs, subjects, namer, alarm_actions or {})
    resources += alarms
    external = frozenset(name for s in subjects.values() for name in s.resources)
    return Plan(tuple(resources), tuple(warnings), external)


def subjects_of(lattice: Plan) -> dict[tuple[str, str], Subject]:
    """(namespace, Service) -> its :class:`Subject`, sorted: its Lattice service when it has
    one, else its target groups."""
    found: dict[tuple[str, str], Subject] = {}
    groups: dict[tuple[str, str], list[str]] = {}
    for resource in lattice:
        owner = resource.owner
        if owner is None:
            continue
        if resource.type == LATTICE_SERVICE:
            suffix = f"-{owner.namespace}"
            service = str(resource.properties["name"]).removesuffix(suffix)
            key = (owner.namespace, service)
            found[key] = Subject(owner.namespace, service, SERVICE, (resource.name,))
        elif resource.type == TG:
            groups.setdefault((owner.namespace, owner.name), []).append(resource.name)
    for key, names in groups.items():
        if key not in found:
            found[key] = Subject(key[0], key[1], TARGET_GROUP, tuple(sorted(names)))
    return dict(sorted(found.items()))


def dashboards(
    subjects: Mapping[tuple[str, str], Subject], network: str, namer: Namer
) -> list[Resource]:
    """The dashboard(s): one row of four widgets per Service, :data:`MAX_WIDGETS` at most
    per dashboard."""
    rows = list(subjects.values())
    per_page = MAX_WIDGETS // _PER_SUBJECT
    owner = namespace_owner(network)
    found = []
    for page, start in enumerate(range(0, len(rows), per_page), start=1):
        suffix = "" if page == 1 else f"-{page}"
        widgets = [
            widget
            for y, subject in enumerate(rows[start : start + per_page])
            for widget in _row(subject, y * 6)
        ]
        body = {"start": "-PT6H", "widgets": widgets}
        found.append(
            Resource(
                DASHBOARD,
                namer(owner, f"cloudwatch-dashboard{suffix}"),
                {
                    "dashboardName": f"{network}-golden-signals{suffix}",
                    "dashboardBody": json.dumps(body, sort_keys=True, separators=(",", ":")),
                },
                (),
                owner,
            )
        )
    return found


def _row(subject: Subject, y: int) -> list[dict[str, Any]]:
    """Requests/s, 5xx/s, success ratio, latency percentiles (s) of one Service."""
    what = f"{subject.namespace}/{subject.service}"
    requests, failures = _sum_expressions(subject)
    latency = [
        m
        for p in ("p50", "p90", "p99")
        for m in _latency_queries(subject, p, f"{p} (s)", visible=False)
    ]
    widgets = [
        (
            f"{what}: requests/s",
            [
                *_queries(subject, "r", subject.metrics.requests),
                [_expression(f"{requests} / PERIOD(r0)", "requests", "requests/s")],
            ],
            {},
        ),
        (
            f"{what}: 5xx responses/s",
            [
                *_queries(subject, "f", subject.metrics.failures),
                *_queries(subject, "r", subject.metrics.requests),
                [_expression(f"{failures} / PERIOD(r0)", "failures", "5xx/s")],
            ],
            {},
        ),
        (
            f"{what}: success ratio",
            [
                *_queries(subject, "f", subject.metrics.failures),
                *_queries(subject, "r", subject.metrics.requests),
                [_expression(f"1 - {failures} / {requests}", "success", "success ratio")],
            ],
            {"left": {"min": 0, "max": 1}},
        ),
        (f"{what}: latency (seconds)", latency, {"left": {"min": 0}}),
    ]
    return [
        {
            "type": "metric",
            "x": x * 6,
            "y": y,
            "width": 6,
            "height": 6,
            "properties": {
                "title": title,
                "region": subject.region,
                "view": "timeSeries",
                "stacked": False,
                "period": PERIOD,
                "stat": "Sum",
                "metrics": metrics,
                **({"yAxis": axis} if axis else {}),
            },
        }
        for x, (title, metrics, axis) in enumerate(widgets)
    ]


def _queries(subject: Subject, prefix: str, metric: str) -> list[list[Any]]:
    """The metric rows ``<prefix>0``, ``<prefix>1``, ... (Sum, hidden) of each resource."""
    return [
        [
            NAMESPACE,
            metric,
            subject.metrics.dimension,
            value[subject.metrics.dimension],
            {"id": f"{prefix}{i}", "stat": "Sum", "visible": False},
        ]
        for i, value in enumerate(subject.dimensions())
    ]


def _latency_queries(subject: Subject, stat: str, label: str, visible: bool) -> list[list[Any]]:
    """The percentile ``stat`` of RequestTime of each resource, and its slowest in seconds."""
    ids = [f"l{stat[1:]}_{i}" for i in range(len(subject.resources))]
    rows: list[list[Any]] = [
        [
            NAMESPACE,
            subject.metrics.latency,
            subject.metrics.dimension,
            value[subject.metrics.dimension],
            {"id": i, "stat": stat, "visible": visible},
        ]
        for i, value in zip(ids, subject.dimensions(), strict=True)
    ]
    slowest = ids[0] if len(ids) == 1 else f"MAX([{', '.join(ids)}])"
    rows.append([_expression(f"{slowest} / 1000", f"s{stat[1:]}", label)])
    return rows


def _sum_expressions(subject: Subject) -> tuple[str, str]:
    """The metric math of requests and of failures (5xx, none reported = 0) over its
    resources."""
    count = len(subject.resources)
    requests = " + ".join(f"r{i}" for i in range(count))
    failures = " + ".join(f"FILL(f{i}, 0)" for i in range(count))
    return (f"({requests})" if count > 1 else requests), (
        f"({failures})" if count > 1 else failures
    )


def _expression(expression: str, id_: str, label: str) -> dict[str, Any]:
    return {"expression": expression, "id": id_, "label": label}
