"""The multi-language components: the Python components, constructed from another language.

Each class here (``Mesh``, ``TrafficSplit``, ...) is what the SDK's analyzer reads for the
package schema: one ``args`` TypedDict (:mod:`.args`) and class-level ``pulumi.Output[...]``
annotations, the outputs. The analyzer walks a component's base classes for annotations too,
and the Python components annotate theirs (``plans``, ``spec``, in modules using postponed
annotations), which it refuses, so these classes do not derive from them: constructing one
gives an instance of a private class deriving from both (``_TrafficSplit(TrafficSplit,
pulumi_smi.TrafficSplit)``), whose ``__init__`` converts the args into the Python
component's keyword arguments and runs the Python component's ``__init__``. The component is
therefore the Python one, with its type token (``smi:index:TrafficSplit``), its checks and
its children, registered exactly as the Python API registers them.

Meshes and route groups are named by resource name and found in :mod:`.registry`.

No ``from __future__ import annotations`` here: the analyzer reads these annotations at run
time.
"""

import copy
import glob
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from fractions import Fraction
from typing import Any, TypeVar, cast

import pulumi
import pulumi_aws
import pulumi_consul
import pulumi_kubernetes

from .. import components as python
from ..errors import SmiError, SmiValidationError
from ..meshes import parse_options, target
from ..meshes.vpc_lattice import SERVICE as LATTICE_SERVICE
from ..review import DEFAULT_RULE, traffic_shares
from ..spec.catalogue import Catalogue
from ..spec.loader import load_files
from . import registry
from .args import (
    HandoverScope,
    HTTPRouteGroupArgs,
    ManifestsArgs,
    MeshArgs,
    MeshKind,
    PortRouteArgs,
    RouteKind,
    TrafficSplitArgs,
    TrafficTargetArgs,
    schema_docs,
)
from .inputs import Inputs

T = TypeVar("T")
_PROVIDERS: tuple[tuple[str, str, type[pulumi.ProviderResource], str], ...] = (
    ("kubernetes_provider", "kubernetesProvider", pulumi_kubernetes.Provider, "kubernetes"),
    ("aws_provider", "awsProvider", pulumi_aws.Provider, "aws"),
    ("consul_provider", "consulProvider", pulumi_consul.Provider, "consul"),
)
"""Each provider input: its key, its schema name, its class and its package."""


class _Surface(pulumi.ComponentResource):
    """What the multi-language components share (methods only: the analyzer would take a
    public class-level annotation here for an output of every component)."""

    _deferred: dict[str, Any]
    _constructing: bool

    def __new__(cls, *args: Any, **kwargs: Any) -> "_Surface":
        """An instance of the class implementing ``cls`` (deriving from the Python one)."""
        return super().__new__(_IMPLEMENTATIONS.get(cls, cls))

    @contextmanager
    def _python_init(self) -> Iterator[None]:
        """Run the Python component's ``__init__`` inside: its ``register_outputs`` call is
        kept for :meth:`_finish`, as the engine takes one per component."""
        self._deferred = {}
        self._constructing = True
        try:
            yield
        finally:
            self._constructing = False

    def register_outputs(self, outputs: pulumi.Inputs) -> None:
        """Register the component's outputs (once: kept while the Python one constructs)."""
        if getattr(self, "_constructing", False):
            self._deferred.update(outputs)
            return
        super().register_outputs(outputs)

    def _finish(self, outputs: Mapping[str, Any]) -> None:
        self.register_outputs({**self._deferred, **outputs})


def _as(component: object, cls: type[T]) -> T:
    """``component`` as the Python component ``cls`` it is an instance of."""
    if not isinstance(component, cls):  # pragma: no cover - _Surface.__new__ guarantees it
        raise TypeError(f"{type(component).__name__} is not a {cls.__name__}")
    return component


# --- reading the arguments ------------------------------------------------------------


def _meshes(read: Inputs, value: object) -> list[python.Mesh]:
    found: list[python.Mesh] = []
    for index, name in enumerate(read.items(value, "meshes", required=True)):
        path = f"meshes[{index}]"
        text = read.text(name, path, required=True)
        if text is None:
            continue
        mesh = registry.find_mesh(text)
        if mesh is None:
            read.fail(path, registry.unknown_mesh(text))
        else:
            found.append(mesh)
    return found


def _route(read: Inputs, kind: RouteKind, value: object, path: str) -> registry.RouteGroup | None:
    name = read.text(value, path, required=True)
    if name is None:
        return None
    group = registry.find_route(kind.value, name)
    if group is None:
        read.fail(path, registry.unknown_route(kind.value, name))
    return group


def _child_options(read: Inputs, value: object, path: str) -> python.ChildOptions | None:
    given = read.record(value, path)
    if given is None:
        return None
    timeouts = read.record(given.get("custom_timeouts"), f"{path}.customTimeouts")
    custom_timeouts = None
    if timeouts is not None:
        custom_timeouts = pulumi.CustomTimeouts(
            **{
                op: read.text(timeouts.get(op), f"{path}.customTimeouts.{op}")
                for op in ("create", "update", "delete", "read")
            }
        )
    return python.ChildOptions(
        ignore_changes=tuple(read.texts(given.get("ignore_changes"), f"{path}.ignoreChanges")),
        protect=read.flag(given.get("protect"), f"{path}.protect"),
        retain_on_delete=read.flag(given.get("retain_on_delete"), f"{path}.retainOnDelete"),
        custom_timeouts=custom_timeouts,
    )


def _metadata(read: Inputs, args: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments every SMI-object component shares."""
    labels = args.get("labels")
    annotations = args.get("annotations")
    return {
        "namespace": read.text(args.get("namespace"), "namespace") or "default",
        "object_name": read.text(args.get("object_name"), "objectName"),
        "labels": None if labels is None else read.strings(labels, "labels"),
        "annotations": None if annotations is None else read.strings(annotations, "annotations"),
        "child_options": _child_options(read, args.get("child_options"), "childOptions"),
    }


def _paths(read: Inputs, value: object, path: str) -> list[str]:
    """The files ``value`` names (paths or glob patterns; each pattern must match a file)."""
    found: list[str] = []
    for index, pattern in enumerate(read.texts(value, path)):
        matched = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not matched:
            read.fail(f"{path}[{index}]", f"no file matches {pattern!r}")
        found += matched
    return found


def _catalogue(read: Inputs, value: object) -> Catalogue | None:
    if value is None:
        return None
    paths = _paths(read, value, "catalogueFiles")
    if not paths:
        return None
    try:
        specs = load_files(paths)
    except SmiValidationError as exc:
        read.problems.extend(exc.problems)
        return None
    smi = sorted(f"{o.KIND}/{o.metadata.namespace}/{o.metadata.name}" for o in specs.objects())
    if smi:
        read.fail(
            "catalogueFiles",
            f"the catalogue files hold SMI objects ({', '.join(smi)}): give them to smi.Manifests",
        )
    return specs.catalogue


def _options(read: Inputs, value: object) -> dict[str, Any] | None:
    given = read.record(value, "options")
    if given is None:
        return None
    options: dict[str, Any] = {}
    for key, item in given.items():
        path = f"options.{key}"
        if isinstance(item, pulumi.Output):  # an option the target passes on untouched
            options[str(key)] = item
        elif (text := read.text(item, path, required=True)) is not None:
            options[str(key)] = text
    return options


def _provider(
    read: Inputs,
    args: Mapping[str, Any],
    kind: MeshKind | None,
    options: Mapping[str, Any] | None,
    opts: pulumi.ResourceOptions | None,
) -> pulumi.ProviderResource | None:
    """The mesh's provider: the one given as an input, else the one of ``opts.providers``
    for the package the target needs."""
    given = [
        (schema_name, provider)
        for key, schema_name, cls, package in _PROVIDERS
        if (provider := read.resource(args.get(key), schema_name, cls, f"a {package} provider"))
    ]
    if len(given) > 1:
        names = ", ".join(name for name, _ in given)
        read.fail(given[1][0], f"give one provider, got {names}")
    if given:
        return given[0][1]
    providers = opts.providers if opts is not None else None
    if not providers or kind is None:
        return None
    try:
        chosen = target(kind.value)
        needed = chosen.package_for(parse_options(chosen.kind, options))
    except SmiError:
        return None  # the Python Mesh reports it
    if isinstance(providers, Mapping):
        return providers.get(needed)
    return next((p for p in providers if getattr(p, "package", None) == needed), None)


def _without_depends_on(
    opts: pulumi.ResourceOptions | None,
) -> tuple[list[pulumi.Resource], pulumi.ResourceOptions | None]:
    """The resources ``opts`` depends on, and ``opts`` without them."""
    if opts is None or not opts.depends_on:
        return [], opts
    given = opts.depends_on
    listed = list(given) if isinstance(given, Sequence) else [given]
    if not all(isinstance(r, pulumi.Resource) for r in listed):
        return [], opts  # Outputs of resources: left on the component
    rest = copy.copy(opts)
    rest.depends_on = None
    return cast(list[pulumi.Resource], listed), rest


# --- outputs --------------------------------------------------------------------------


def _registered(component: python.SmiComponent) -> dict[str, Any]:
    """The outputs every SMI-object component has: its children per mesh."""
    names = {mesh: [r.name for r in plan] for mesh, plan in component.plans.items()}
    urns = {
        mesh: [component.resources[name].urn for name in listed] for mesh, listed in names.items()
    }
    arns: dict[str, Any] = {}
    dns_names: dict[str, Any] = {}
    for plan in component.plans.values():
        for resource in plan:
            child = component.resources[resource.name]
            if resource.type.startswith("aws:") and hasattr(child, "arn"):
                arns[resource.name] = child.arn
            if resource.type == LATTICE_SERVICE:
                entries: pulumi.Output[Any] = child.dns_entries  # type: ignore[attr-defined]
                dns_names[str(resource.properties["name"])] = entries.apply(_domain_name)
    return {
        "resourceNames": names,
        "urns": pulumi.Output.from_input(urns),
        "arns": pulumi.Output.from_input(arns),
        "latticeDnsNames": pulumi.Output.from_input(dns_names),
    }


def _domain_name(entries: Any) -> str:
    """The first DNS name of a Lattice service's ``dnsEntries`` ("" before it has one)."""
    for entry in entries or ():
        name = getattr(entry, "domain_name", None)
        if name is None and isinstance(entry, Mapping):
            name = entry.get("domainName")
        if name:
            return str(name)
    return ""


def _shares(split: python.TrafficSplit, meshes: Sequence[python.Mesh]) -> dict[str, Any]:
    """Per mesh, each backend's percentage of the split's traffic, read from the objects
    registered (as ``pulumi-smi render -o table`` reads them): the rule of the matches when
    the split has matches, else the apex's default rule."""
    found: dict[str, dict[str, float]] = {}
    narrowed = bool(split.spec.spec.matches)
    for mesh in meshes:
        plan = split.plans[mesh.mesh_resource_name]
        # The shared resources the split's objects refer to (Lattice target groups, App Mesh
        # virtual nodes), to name the backends by them.
        shared = mesh._shared_plans.values()
        listed = [r.to_dict() for r in (*plan, *shared)]
        own = {r.name for r in plan}
        shares = [
            s
            for s in traffic_shares(listed)
            if s.source in own and (s.rule != DEFAULT_RULE) == narrowed
        ]
        first = shares[0] if shares else None
        percentages: dict[str, Fraction] = {}
        for share in shares:
            if (share.apex, share.port, share.rule) != (first.apex, first.port, first.rule):  # type: ignore[union-attr]
                continue
            if share.fraction is not None:
                percentages[share.backend] = percentages.get(share.backend, Fraction(0)) + (
                    share.fraction * 100
                )
        found[mesh.mesh_resource_name] = {b: float(p) for b, p in percentages.items()}
    return found


# --- the components -------------------------------------------------------------------


@schema_docs
class Mesh(_Surface):
    """A mesh that SMI components translate into: its kind, Pulumi provider, options and
    catalogue.

    Other components name it in their `meshes` by its resource name, so create it first and
    give them `dependsOn` on it. Every child of every component on this mesh is given its
    provider explicitly (never inherited from a parent, so two meshes in two clusters or
    accounts cannot mix up; a Mesh without one leaves them on the ambient default provider)
    and waits for what this Mesh depends on (`dependsOn`: the mesh's CRDs, the Helm release
    installing it), as the first `pulumi up` on a fresh cluster would otherwise fail with "no
    matches for kind". The provider may also come from the `providers` resource option (its
    entry for the package the target needs).
    """

    # In Python the attribute is the Python Mesh's (a pulumi_smi.MeshKind, which the provider
    # serialises by its value); other languages get the output.
    kind: pulumi.Output[MeshKind]
    """The target mesh."""
    mesh_name: pulumi.Output[str] | None
    """The name of the mesh instance, when one was given (`meshName` or the option)."""

    def __init__(
        self, name: str, args: MeshArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        given = cast(Mapping[str, Any], args)
        read = Inputs("smi:index:Mesh", name)
        kind = read.choice(given.get("kind"), "kind", MeshKind)
        if given.get("kind") is None:
            read.fail("kind", "required")
        mesh_name = read.text(given.get("mesh_name"), "meshName")
        options = _options(read, given.get("options"))
        catalogue = _catalogue(read, given.get("catalogue_files"))
        child_options = _child_options(read, given.get("child_options"), "childOptions")
        provider = _provider(read, given, kind, options, opts)
        read.done()
        assert kind is not None
        depends_on, opts = _without_depends_on(opts)
        mesh = _as(self, python.Mesh)
        with self._python_init():
            python.Mesh.__init__(
                mesh,
                name,
                kind.value,
                provider=provider,
                mesh_name=mesh_name,
                options=options,
                catalogue=catalogue,
                depends_on=depends_on,
                child_options=child_options,
                opts=opts,
            )
        registry.register_mesh(name, mesh)
        named = mesh.options.mesh_name  # given as meshName or as the option mesh_name
        self.mesh_name = None if named is None else pulumi.Output.from_input(named)
        outputs = {"kind": kind.value}
        if named is not None:
            outputs["meshName"] = named
        self._finish(outputs)


@schema_docs
class TrafficSplit(_Surface):
    """Split the traffic for one Service between weighted backend Services, on every mesh
    named in `meshes`.

    Weights are relative whole numbers (0 = no traffic). With `matches` (HTTPRouteGroup
    components) only the matching requests are split; the rest keeps going to the apex
    Service. Children are named `<split>-<mesh>-<role>`; invalid arguments fail the
    construction with every problem, naming the component and the field.
    """

    resource_names: pulumi.Output[dict[str, list[str]]]
    """Per mesh (by its resource name), the logical names of the children registered for it."""
    urns: pulumi.Output[dict[str, list[str]]]
    """Per mesh, the URNs of the children registered for it."""
    shares: pulumi.Output[dict[str, dict[str, float]]]
    (
        "Per mesh, each backend's percentage of the split traffic, read from the objects "
        "registered, the backends named as `pulumi-smi render -o table` names them: "
        "`<namespace>/<service>` on Kubernetes meshes, the service on Consul, the target group "
        "on VPC Lattice, the virtual node on App Mesh."
    )
    arns: pulumi.Output[dict[str, str]]
    """The ARN of every AWS child (appmesh and vpc-lattice meshes), by logical name."""
    lattice_dns_names: pulumi.Output[dict[str, str]]
    """The DNS name of every VPC Lattice service registered, by Lattice service name."""

    def __init__(
        self, name: str, args: TrafficSplitArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        given = cast(Mapping[str, Any], args)
        read = Inputs("smi:index:TrafficSplit", name)
        service = read.text(given.get("service"), "service", required=True)
        backends = [
            backend
            for index, item in enumerate(
                read.records(given.get("backends"), "backends", required=True)
            )
            if (backend := _backend(read, item, f"backends[{index}]")) is not None
        ]
        meshes = _meshes(read, given.get("meshes"))
        matches = [
            group
            for index, item in enumerate(read.items(given.get("matches"), "matches"))
            if isinstance(
                group := _route(read, RouteKind.HTTP_ROUTE_GROUP, item, f"matches[{index}]"),
                python.HTTPRouteGroup,
            )
        ]
        handover = _handover(read, given.get("weights_handover"))
        common = _metadata(read, given)
        read.done()
        assert service is not None
        split = _as(self, python.TrafficSplit)
        with self._python_init():
            python.TrafficSplit.__init__(
                split,
                name,
                service=service,
                backends=backends,
                meshes=meshes,
                matches=matches,
                weights_handover=handover,
                opts=opts,
                **common,
            )
        outputs = _registered(split)
        outputs["shares"] = _shares(split, meshes)
        self._set(outputs)
        self._finish(outputs)

    def _set(self, outputs: Mapping[str, Any]) -> None:
        self.resource_names = pulumi.Output.from_input(outputs["resourceNames"])
        self.urns = outputs["urns"]
        self.shares = pulumi.Output.from_input(outputs["shares"])
        self.arns = outputs["arns"]
        self.lattice_dns_names = outputs["latticeDnsNames"]


def _backend(read: Inputs, given: Mapping[str, Any], path: str) -> python.Backend | None:
    service = read.text(given.get("service"), f"{path}.service", required=True)
    weight = read.whole(given.get("weight"), f"{path}.weight", required=True)
    mesh = None
    mesh_name = read.text(given.get("mesh"), f"{path}.mesh")
    if mesh_name is not None:
        mesh = registry.find_mesh(mesh_name)
        if mesh is None:
            read.fail(f"{path}.mesh", registry.unknown_mesh(mesh_name))
    host = read.text_or_output(given.get("host"), f"{path}.host")
    if service is None or weight is None:
        return None
    return python.Backend(service, weight, mesh=mesh, host=host)


def _handover(read: Inputs, value: object) -> python.WeightHandover | None:
    given = read.record(value, "weightsHandover")
    if given is None:
        return None
    scope = read.choice(given.get("scope"), "weightsHandover.scope", HandoverScope)
    manager = read.text(given.get("field_manager"), "weightsHandover.fieldManager")
    return python.WeightHandover(
        scope="lists" if scope is HandoverScope.LISTS else "weights",
        field_manager="pulumi-smi" if manager is None else (manager or None),
    )


@schema_docs
class TrafficTarget(_Surface):
    """Allow `sources` to reach `destination` on the routes in `rules`; deny the rest,
    on every mesh named in `meshes`.

    A rule names a route-group component by kind and resource name (created earlier in the
    program; give this component `dependsOn` on it), optionally narrowed to some of an
    HTTPRouteGroup's named matches.
    """

    resource_names: pulumi.Output[dict[str, list[str]]]
    """Per mesh (by its resource name), the logical names of the children registered for it."""
    urns: pulumi.Output[dict[str, list[str]]]
    """Per mesh, the URNs of the children registered for it."""
    arns: pulumi.Output[dict[str, str]]
    """The ARN of every AWS child (appmesh and vpc-lattice meshes), by logical name."""
    lattice_dns_names: pulumi.Output[dict[str, str]]
    """The DNS name of every VPC Lattice service registered, by Lattice service name."""

    def __init__(
        self, name: str, args: TrafficTargetArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        given = cast(Mapping[str, Any], args)
        read = Inputs("smi:index:TrafficTarget", name)
        destination = _account(read, given.get("destination"), "destination", required=True)
        sources = [
            account
            for index, item in enumerate(read.items(given.get("sources"), "sources", required=True))
            if (account := _account(read, item, f"sources[{index}]", required=True)) is not None
        ]
        rules = [
            rule
            for index, item in enumerate(read.records(given.get("rules"), "rules", required=True))
            if (rule := _rule(read, item, f"rules[{index}]")) is not None
        ]
        meshes = _meshes(read, given.get("meshes"))
        common = _metadata(read, given)
        read.done()
        assert destination is not None
        target_ = _as(self, python.TrafficTarget)
        with self._python_init():
            python.TrafficTarget.__init__(
                target_,
                name,
                destination=destination,
                sources=sources,
                rules=rules,
                meshes=meshes,
                opts=opts,
                **common,
            )
        outputs = _registered(target_)
        self._set(outputs)
        self._finish(outputs)

    def _set(self, outputs: Mapping[str, Any]) -> None:
        self.resource_names = pulumi.Output.from_input(outputs["resourceNames"])
        self.urns = outputs["urns"]
        self.arns = outputs["arns"]
        self.lattice_dns_names = outputs["latticeDnsNames"]


def _account(
    read: Inputs, value: object, path: str, *, required: bool = False
) -> python.ServiceAccount | None:
    given = read.record(value, path)
    if given is None:
        if required and value is None:
            read.fail(path, "required")
        return None
    name = read.text(given.get("name"), f"{path}.name", required=True)
    namespace = read.text(given.get("namespace"), f"{path}.namespace")
    return None if name is None else python.ServiceAccount(name, namespace)


def _rule(read: Inputs, given: Mapping[str, Any], path: str) -> python.Rule | None:
    kind = read.choice(given.get("kind"), f"{path}.kind", RouteKind)
    if given.get("kind") is None:
        read.fail(f"{path}.kind", "required")
    matches = read.texts(given.get("matches"), f"{path}.matches")
    if kind is None:
        return None
    group = _route(read, kind, given.get("name"), f"{path}.name")
    if group is None:
        return None
    if isinstance(group, python.HTTPRouteGroup):
        try:
            return group.rule(*matches)
        except SmiError as exc:
            read.fail(f"{path}.matches", str(exc))
            return None
    if matches:
        read.fail(f"{path}.matches", f"a {kind.value} has no named matches: give none")
        return None
    return group.rule()


@schema_docs
class HTTPRouteGroup(_Surface):
    """Named HTTP matches (path regex, methods, headers) that TrafficSplit `matches` and
    TrafficTarget rules name, on every mesh named in `meshes`."""

    resource_names: pulumi.Output[dict[str, list[str]]]
    """Per mesh (by its resource name), the logical names of the children registered for it."""
    urns: pulumi.Output[dict[str, list[str]]]
    """Per mesh, the URNs of the children registered for it."""
    arns: pulumi.Output[dict[str, str]]
    """The ARN of every AWS child (appmesh and vpc-lattice meshes), by logical name."""
    lattice_dns_names: pulumi.Output[dict[str, str]]
    """The DNS name of every VPC Lattice service registered, by Lattice service name."""

    def __init__(
        self, name: str, args: HTTPRouteGroupArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        given = cast(Mapping[str, Any], args)
        read = Inputs("smi:index:HTTPRouteGroup", name)
        matches = [
            match
            for index, item in enumerate(
                read.records(given.get("matches"), "matches", required=True)
            )
            if (match := _match(read, item, f"matches[{index}]")) is not None
        ]
        meshes = _meshes(read, given.get("meshes"))
        common = _metadata(read, given)
        read.done()
        group = _as(self, python.HTTPRouteGroup)
        with self._python_init():
            python.HTTPRouteGroup.__init__(
                group, name, matches=matches, meshes=meshes, opts=opts, **common
            )
        registry.register_route(RouteKind.HTTP_ROUTE_GROUP.value, name, group)
        outputs = _registered(group)
        self._set(outputs)
        self._finish(outputs)

    def _set(self, outputs: Mapping[str, Any]) -> None:
        self.resource_names = pulumi.Output.from_input(outputs["resourceNames"])
        self.urns = outputs["urns"]
        self.arns = outputs["arns"]
        self.lattice_dns_names = outputs["latticeDnsNames"]


def _match(read: Inputs, given: Mapping[str, Any], path: str) -> python.HTTPMatch | None:
    name = read.text(given.get("name"), f"{path}.name", required=True)
    path_regex = read.text(given.get("path_regex"), f"{path}.pathRegex")
    methods = read.texts(given.get("methods"), f"{path}.methods")
    headers = read.strings(given.get("headers"), f"{path}.headers")
    if name is None:
        return None
    return python.HTTPMatch(name, path_regex=path_regex, methods=methods, headers=headers)


def _port_route(
    component: "_PortRoute",
    cls: type[python.TCPRoute] | type[python.UDPRoute],
    kind: RouteKind,
    name: str,
    args: PortRouteArgs,
    opts: pulumi.ResourceOptions | None,
) -> None:
    given = cast(Mapping[str, Any], args)
    read = Inputs(f"smi:index:{kind.value}", name)
    ports = read.wholes(given.get("ports"), "ports")
    meshes = _meshes(read, given.get("meshes"))
    common = _metadata(read, given)
    read.done()
    route = _as(component, cls)
    with component._python_init():
        cls.__init__(route, name, meshes=meshes, ports=ports, opts=opts, **common)
    registry.register_route(kind.value, name, route)
    outputs = _registered(route)
    component._set(outputs)
    component._finish(outputs)


class _PortRoute(_Surface):
    """TCPRoute and UDPRoute (methods only, as for :class:`_Surface`)."""

    def _set(self, outputs: Mapping[str, Any]) -> None:
        attributes = {
            "resource_names": pulumi.Output.from_input(outputs["resourceNames"]),
            "urns": outputs["urns"],
            "arns": outputs["arns"],
            "lattice_dns_names": outputs["latticeDnsNames"],
        }
        for attribute, value in attributes.items():
            setattr(self, attribute, value)


@schema_docs
class TCPRoute(_PortRoute):
    """TCP ports a TrafficTarget rule can allow (empty: every port of the destination), on
    every mesh named in `meshes`."""

    resource_names: pulumi.Output[dict[str, list[str]]]
    """Per mesh (by its resource name), the logical names of the children registered for it."""
    urns: pulumi.Output[dict[str, list[str]]]
    """Per mesh, the URNs of the children registered for it."""
    arns: pulumi.Output[dict[str, str]]
    """The ARN of every AWS child (appmesh and vpc-lattice meshes), by logical name."""
    lattice_dns_names: pulumi.Output[dict[str, str]]
    """The DNS name of every VPC Lattice service registered, by Lattice service name."""

    def __init__(
        self, name: str, args: PortRouteArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        _port_route(self, python.TCPRoute, RouteKind.TCP_ROUTE, name, args, opts)


@schema_docs
class UDPRoute(_PortRoute):
    """UDP ports a TrafficTarget rule can allow (empty: every port of the destination), on
    every mesh named in `meshes`."""

    resource_names: pulumi.Output[dict[str, list[str]]]
    """Per mesh (by its resource name), the logical names of the children registered for it."""
    urns: pulumi.Output[dict[str, list[str]]]
    """Per mesh, the URNs of the children registered for it."""
    arns: pulumi.Output[dict[str, str]]
    """The ARN of every AWS child (appmesh and vpc-lattice meshes), by logical name."""
    lattice_dns_names: pulumi.Output[dict[str, str]]
    """The DNS name of every VPC Lattice service registered, by Lattice service name."""

    def __init__(
        self, name: str, args: PortRouteArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        _port_route(self, python.UDPRoute, RouteKind.UDP_ROUTE, name, args, opts)


@schema_docs
class Manifests(_Surface):
    """Existing SMI YAML (any apiVersion) plus Kubernetes Services, ServiceAccounts and
    workloads, translated for every mesh named in `meshes`.

    Every SMI object in the files is translated for every mesh; the Services, ServiceAccounts
    and workloads extend each mesh's catalogue; other kinds are skipped with a warning. Two
    objects that would write one Kubernetes object (two TrafficSplits of one apex on Istio)
    are merged here, where separate components would be refused.
    """

    resource_names: pulumi.Output[dict[str, list[str]]]
    """Per mesh (by its resource name), the logical names of the children registered for it."""
    urns: pulumi.Output[dict[str, list[str]]]
    """Per mesh, the URNs of the children registered for it."""
    arns: pulumi.Output[dict[str, str]]
    """The ARN of every AWS child (appmesh and vpc-lattice meshes), by logical name."""
    lattice_dns_names: pulumi.Output[dict[str, str]]
    """The DNS name of every VPC Lattice service registered, by Lattice service name."""

    def __init__(
        self, name: str, args: ManifestsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        given = cast(Mapping[str, Any], args)
        read = Inputs("smi:index:Manifests", name)
        files = read.texts(given.get("files"), "files", required=True)
        meshes = _meshes(read, given.get("meshes"))
        child_options = _child_options(read, given.get("child_options"), "childOptions")
        read.done()
        manifests = _as(self, python.Manifests)
        with self._python_init():
            python.Manifests.__init__(
                manifests,
                name,
                files=files,
                meshes=meshes,
                child_options=child_options,
                opts=opts,
            )
        outputs = _registered(manifests)
        self._set(outputs)
        self._finish(outputs)

    def _set(self, outputs: Mapping[str, Any]) -> None:
        self.resource_names = pulumi.Output.from_input(outputs["resourceNames"])
        self.urns = outputs["urns"]
        self.arns = outputs["arns"]
        self.lattice_dns_names = outputs["latticeDnsNames"]


# --- the implementations: each a Python component too ---------------------------------


class _Mesh(Mesh, python.Mesh):  # type: ignore[misc]  # kind: the Python MeshKind, as an output
    """A multi-language Mesh: the Python Mesh, constructed from ``MeshArgs``."""


class _TrafficSplit(TrafficSplit, python.TrafficSplit):
    """A multi-language TrafficSplit: the Python one, constructed from ``TrafficSplitArgs``."""


class _TrafficTarget(TrafficTarget, python.TrafficTarget):
    """A multi-language TrafficTarget: the Python one, constructed from ``TrafficTargetArgs``."""


class _HTTPRouteGroup(HTTPRouteGroup, python.HTTPRouteGroup):
    """A multi-language HTTPRouteGroup: the Python one, constructed from its args."""


class _TCPRoute(TCPRoute, python.TCPRoute):
    """A multi-language TCPRoute: the Python one, constructed from ``PortRouteArgs``."""


class _UDPRoute(UDPRoute, python.UDPRoute):
    """A multi-language UDPRoute: the Python one, constructed from ``PortRouteArgs``."""


class _Manifests(Manifests, python.Manifests):
    """A multi-language Manifests: the Python one, constructed from ``ManifestsArgs``."""


_IMPLEMENTATIONS: dict[type[_Surface], type[_Surface]] = {
    Mesh: _Mesh,
    TrafficSplit: _TrafficSplit,
    TrafficTarget: _TrafficTarget,
    HTTPRouteGroup: _HTTPRouteGroup,
    TCPRoute: _TCPRoute,
    UDPRoute: _UDPRoute,
    Manifests: _Manifests,
}

COMPONENTS: list[type[pulumi.ComponentResource]] = [
    Mesh,
    TrafficSplit,
    TrafficTarget,
    HTTPRouteGroup,
    TCPRoute,
    UDPRoute,
    Manifests,
]
"""The components the provider hosts, in the schema's order."""
