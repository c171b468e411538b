"""Run a Pulumi program under mocks and record every resource it registers.

No Pulumi CLI, engine or provider plugin is involved: :func:`run_program` installs
``pulumi.runtime.set_mocks`` with a :class:`RecordingMonitor`, runs the program to completion
(including every outstanding RPC and ``apply``) and returns a :class:`Recording` that tests can
query::

    from pulumi_smi.testing import run_program

    def test_split() -> None:
        rec = run_program(lambda: TrafficSplit("web", spec, opts=opts), preview=True)
        vs = rec.by_type("kubernetes:networking.istio.io/v1:VirtualService")[0]
        assert vs.parent_name == "web"
        assert vs.provider_name == "east"

URNs are the mock monitor's: a root-level resource is parented to the Stack, and the mock puts
the Stack's type into the child URN (``...::pulumi:pulumi:Stack$kubernetes:core/v1:Namespace::ns``),
unlike the real engine. Compare URNs from recordings with each other, not with engine URNs.

Resource options are recorded as sent (``ignore_changes``, ``protect``, ``retain_on_delete``,
``custom_timeouts``, ``aliases``, ``transforms``). The engine runs ``transforms``; the mocks do
not (``MockResourceArgs.transforms``: "The mock monitor does not run them"), so a recording
shows inputs *before* them — :func:`apply_transforms` runs them as the engine would.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import inspect
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format  # type: ignore[import-untyped,unused-ignore]
from pulumi.runtime import mocks, settings
from pulumi.runtime.proto import alias_pb2, resource_pb2

__all__ = [
    "RecordedResource",
    "Recording",
    "RecordingMocks",
    "RecordingMonitor",
    "apply_transforms",
    "run_program",
    "unwrap_secrets",
]

_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_STACK_TYPE = "pulumi:pulumi:Stack"
_PROVIDER_PREFIX = "pulumi:providers:"
LATTICE_SERVICE = "aws:vpclattice/service:Service"


def _urn_name(urn: str) -> str:
    # urn:pulumi:<stack>::<project>::<qualified type>::<name>; only the name may contain "::".
    return urn.split("::", 3)[3]


def _urn_type(urn: str) -> str:
    """The resource's own type: the last ``$``-separated part of the qualified type."""
    return urn.split("::", 3)[2].split("$")[-1]


def _provider_urn(reference: str) -> str:
    """The provider URN of a ``"<provider-urn>::<provider-id>"`` reference."""
    return reference.rsplit("::", 1)[0]


@dataclass(frozen=True)
class RecordedResource:
    """One ``RegisterResource`` request as the monitor saw it, with inputs as plain Python."""

    urn: str
    type: str
    name: str
    inputs: dict[str, Any]
    custom: bool
    parent: str | None
    provider: str | None
    providers: dict[str, str]
    dependencies: tuple[str, ...]
    delete_before_replace: bool
    aliases: tuple[str, ...]
    ignore_changes: tuple[str, ...] = ()
    protect: bool | None = None
    """None: not set (Pulumi's default, not protected)."""
    retain_on_delete: bool | None = None
    custom_timeouts: dict[str, str] = field(default_factory=dict)
    """The operations given a timeout (``create``, ``update``, ``delete``, ``read``)."""
    transforms: tuple[pulumi.ResourceTransform, ...] = ()
    """The resource's own transforms, in order: recorded, not run (see :func:`apply_transforms`)."""

    @property
    def parent_name(self) -> str | None:
        """Logical name of the parent resource, or None for a root-level resource."""
        return None if self.parent is None else _urn_name(self.parent)

    @property
    def provider_name(self) -> str | None:
        """Logical name of the explicit provider, or None when the default provider is used."""
        return None if self.provider is None else _urn_name(_provider_urn(self.provider))


def unwrap_secrets(value: Any) -> Any:
    """Return ``value`` with every secret wrapper replaced, recursively, by the value it wraps.

    The SDK serialises ``Output.secret(x)`` as
    ``{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": x}``.
    """
    if isinstance(value, Mapping):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            return unwrap_secrets(value.get("value"))
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """Unknowns to None, resource references to their URN, whole floats to int."""
    if isinstance(value, dict):
        if value.get(_SIG_KEY) == _RESOURCE_SIG:
            return value.get("urn")
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value == _UNKNOWN:
        return None
    # Struct stores every number as a double; tests want `weight == 90` and `int` types.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _current_event_loop() -> asyncio.AbstractEventLoop | None:
    """This thread's event loop, or None; never creates one."""
    if sys.version_info >= (3, 14):
        # No implicit loop creation any more, and the policy API is deprecated.
        try:
            return asyncio.get_event_loop()
        except RuntimeError:
            return None
    # Before 3.14, get_event_loop() creates a loop in the main thread when none is set, so
    # peek at the policy's thread-local slot instead; None if that ever moves.
    local = getattr(asyncio.get_event_loop_policy(), "_local", None)
    loop = getattr(local, "_loop", None)
    return loop if isinstance(loop, asyncio.AbstractEventLoop) else None


@contextlib.contextmanager
def _thread_loop() -> Iterator[None]:
    """Give this thread an event loop for one monitor call, and close it afterwards.

    The SDK calls the monitor from its executor threads, and MockMonitor's ``_ensure_event_loop()``
    would leave an unclosed loop in each of them (ResourceWarning, an error under ``-W error``).
    """
    if _current_event_loop() is not None:
        yield
        return
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        yield
    finally:
        asyncio.set_event_loop(None)
        loop.close()


class RecordingMonitor(mocks.MockMonitor):
    """A ``MockMonitor`` that records every resource registration in :attr:`recorded`.

    ``recorded`` is in arrival order, which is not deterministic: the SDK sends registrations
    from a thread pool, so independent resources (even siblings) race. The root
    ``pulumi:pulumi:Stack`` resource itself is not recorded. (The list is not called
    ``resources``: ``MockMonitor`` already uses that name for its URN -> registration dict.)
    """

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        """Wrap ``mocks``, which still decides ids and outputs."""
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []
        self._stack_urn = ""
        self._seen = threading.local()
        self.mocks = _Seeing(mocks, self._seen)  # to see each resource's transforms

    def RegisterResource(
        self, request: resource_pb2.RegisterResourceRequest
    ) -> resource_pb2.RegisterResourceResponse:
        """Register through the mock monitor, then record the request."""
        register = super().RegisterResource
        response: resource_pb2.RegisterResourceResponse
        self._seen.transforms = ()
        with _thread_loop():
            response = register(request)  # type: ignore[no-untyped-call]
        urn = response.urn
        if request.type == _STACK_TYPE:
            self._stack_urn = urn
            return response
        parent = request.parent
        inputs = _plain(unwrap_secrets(json_format.MessageToDict(request.object)))
        self.recorded.append(
            RecordedResource(
                urn=urn,
                type=request.type,
                name=request.name,
                inputs=inputs,
                custom=request.custom,
                parent=parent if parent and _urn_type(parent) != _STACK_TYPE else None,
                provider=request.provider or None,
                providers=dict(request.providers),
                dependencies=tuple(request.dependencies),
                delete_before_replace=request.deleteBeforeReplace,
                aliases=tuple(self._alias_urn(a, request) for a in request.aliases),
                ignore_changes=tuple(request.ignoreChanges),
                protect=request.protect if request.HasField("protect") else None,
                retain_on_delete=(
                    request.retainOnDelete if request.HasField("retainOnDelete") else None
                ),
                custom_timeouts=_timeouts(request),
                transforms=tuple(self._seen.transforms),
            )
        )
        return response

    def Invoke(self, request: resource_pb2.ResourceInvokeRequest) -> Any:
        """As MockMonitor.Invoke, without leaking an event loop."""
        with _thread_loop():
            return super().Invoke(request)  # type: ignore[no-untyped-call]

    def ReadResource(self, request: resource_pb2.ReadResourceRequest) -> Any:
        """As MockMonitor.ReadResource (not recorded), without leaking an event loop."""
        with _thread_loop():
            return super().ReadResource(request)  # type: ignore[no-untyped-call]

    def _alias_urn(
        self, alias: alias_pb2.Alias, request: resource_pb2.RegisterResourceRequest
    ) -> str:
        """Resolve an alias spec to the URN the mock monitor would have given that resource."""
        if alias.WhichOneof("alias") == "urn":
            return alias.urn
        spec = alias.spec
        parent = self._stack_urn if spec.noParent else (spec.parentUrn or request.parent)
        type_ = spec.type or request.type
        if parent:
            type_ = _urn_type(parent) + "$" + type_
        stack = spec.stack or pulumi.get_stack()
        project = spec.project or pulumi.get_project()
        return "urn:pulumi:" + "::".join([stack, project, type_, spec.name or request.name])


def _timeouts(request: resource_pb2.RegisterResourceRequest) -> dict[str, str]:
    if not request.HasField("customTimeouts"):
        return {}
    timeouts = request.customTimeouts
    return {
        op: getattr(timeouts, op)
        for op in ("create", "update", "delete", "read")
        if getattr(timeouts, op)
    }


class _Seeing(pulumi.runtime.Mocks):
    """Delegates to the user's mocks; keeps, per thread, the transforms of the last resource."""

    def __init__(self, inner: pulumi.runtime.Mocks, seen: threading.local) -> None:
        self.inner = inner
        self.seen = seen

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.seen.transforms = tuple(args.transforms)
        return self.inner.new_resource(args)

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return self.inner.call(args)

    def register_transform(self, transform: pulumi.ResourceTransform) -> None:
        self.inner.register_transform(transform)

    def register_invoke_transform(self, transform: pulumi.InvokeTransform) -> None:
        self.inner.register_invoke_transform(transform)


class RecordingMocks(pulumi.runtime.Mocks):
    """Mocks that echo inputs as outputs, so recorded specs stay readable from the resources.

    Ids are ``f"{name}-id"``, or unknown in preview mode as in a real ``pulumi preview``;
    AWS resources also get an ``arn``, Lattice services ``dnsEntries`` (unknown in preview).
    """

    def __init__(self, preview: bool = False) -> None:
        """``preview=True`` leaves every resource id unknown."""
        self.preview = preview

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        """Return ``(id, outputs)``: the id as described above and the inputs as outputs.

        An AWS resource also gets an ``arn`` (unknown in preview, as a real one would be),
        since translations refer to ARNs, e.g. in VPC Lattice auth policies.
        """
        outputs = dict(args.inputs)
        if args.typ.startswith("aws:") and "arn" not in outputs and not self.preview:
            service = args.typ.split(":")[1].split("/")[0]
            outputs["arn"] = f"arn:aws:{service}:us-east-1:123456789012:{args.name}"
        if args.typ == LATTICE_SERVICE and "dnsEntries" not in outputs and not self.preview:
            # The shape of a real one: <name>-<id>.<suffix>.vpc-lattice-svcs.<region>.on.aws
            name = outputs.get("name", args.name)
            domain = f"{name}-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-east-1.on.aws"
            outputs["dnsEntries"] = [{"domainName": domain, "hostedZoneId": "Z0123456789ABC"}]
        return (None if self.preview else f"{args.name}-id"), outputs

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Return the function's arguments as its result, with no check failures."""
        # Not None for "no failures": MockMonitor.Invoke iterates over it despite the Optional.
        return dict(args.args), []


def _tree_order(resources: list[RecordedResource]) -> tuple[RecordedResource, ...]:
    """Each resource followed by its descendants; siblings sorted by URN (type, then name)."""
    by_urn = {r.urn: r for r in resources}

    def path(r: RecordedResource) -> tuple[str, ...]:
        urns = [r.urn]
        while r.parent is not None and r.parent in by_urn:
            r = by_urn[r.parent]
            urns.append(r.urn)
        return tuple(reversed(urns))

    return tuple(sorted(resources, key=path))


@dataclass(frozen=True)
class Recording:
    """Every resource a program registered (the Stack excepted).

    :func:`run_program` puts them in a deterministic tree order, as arrival order is not.
    """

    resources: tuple[RecordedResource, ...]

    def by_type(self, type_: str) -> list[RecordedResource]:
        """All resources of type token ``type_``."""
        return [r for r in self.resources if r.type == type_]

    def by_name(self, name: str) -> RecordedResource:
        """The one resource with logical name ``name``.

        Raises KeyError if there is none and ValueError if several resources (of different
        types) share the name.
        """
        found = [r for r in self.resources if r.name == name]
        if not found:
            known = sorted({r.name for r in self.resources})
            raise KeyError(f"no resource named {name!r}; known names: {known}")
        if len(found) > 1:
            types = [r.type for r in found]
            raise ValueError(f"{len(found)} resources are named {name!r}: {types}; use by_type")
        return found[0]

    def children_of(self, parent_name: str) -> list[RecordedResource]:
        """Direct children of the resource with logical name ``parent_name``."""
        return [r for r in self.resources if r.parent_name == parent_name]

    def custom_resources(self) -> list[RecordedResource]:
        """Custom resources, excluding components and provider resources."""
        return [r for r in self.resources if r.custom and not r.type.startswith(_PROVIDER_PREFIX)]


def apply_transforms(resource: RecordedResource) -> RecordedResource:
    """``resource`` as the engine would register it after running its ``transforms``.

    The mocks record a resource's transforms without running them; this runs them, in order,
    each on the previous one's result, with the engine's arguments: the resource's inputs in
    the engine's (camelCase) form as ``props`` and its options as ``opts``. The inputs and
    the options a transform returns (``ignore_changes``, ``protect``, ``retain_on_delete``,
    ``custom_timeouts``) replace the recorded ones; a transform returning None changes nothing.
    Call it after :func:`run_program`, outside an event loop (an async transform is awaited).
    """
    for transform in resource.transforms:
        opts = pulumi.ResourceOptions(
            ignore_changes=list(resource.ignore_changes),
            protect=resource.protect,
            retain_on_delete=resource.retain_on_delete,
            custom_timeouts=pulumi.CustomTimeouts(**resource.custom_timeouts),
            delete_before_replace=resource.delete_before_replace,
        )
        props = copy.deepcopy(resource.inputs)  # a transform may change them in place
        args = pulumi.ResourceTransformArgs(
            resource.custom, resource.type, resource.name, props, opts
        )
        result = transform(args)
        if inspect.isawaitable(result):
            result = asyncio.run(_awaited(result))
        if result is None:
            continue
        given = result.opts
        timeouts = given.custom_timeouts
        resource = dataclasses.replace(
            resource,
            inputs=dict(result.props),
            ignore_changes=tuple(given.ignore_changes or ()),
            protect=given.protect,
            retain_on_delete=given.retain_on_delete,
            custom_timeouts={
                op: value
                for op in ("create", "update", "delete", "read")
                if (value := getattr(timeouts, op, None))
            },
        )
    return resource


async def _awaited(value: Any) -> Any:
    return await value


def _quiet_unretrieved(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Drop "exception was never retrieved" reports of this run's futures.

    A failed program leaves SDK futures holding its exception, which run_program has already
    raised; garbage-collected later (even at interpreter exit), each would print it again.
    """
    if "never retrieved" not in str(context.get("message", "")):
        loop.default_exception_handler(context)


def _drain_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel whatever a failed program left pending and stop the loop's helpers."""
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    # The SDK runs SignalAndWaitForShutdown in the loop's default executor.
    loop.run_until_complete(loop.shutdown_default_executor())


def run_program(
    program: Callable[[], object],
    *,
    preview: bool = False,
    project: str = "project",
    stack: str = "stack",
) -> Recording:
    """Run ``program`` under recording mocks and return what it registered.

    The program runs on a fresh event loop until every RPC and ``apply`` has finished; the
    Pulumi SDK's global settings are reset afterwards, so calls are independent of each other.
    An exception raised by the program, by a component constructor or inside an ``apply``
    propagates unchanged. In preview mode (``preview=True``) resource ids are unknown, so
    ``.id.apply(...)`` callbacks do not run. The program's return value is ignored.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError("run_program cannot be called from a running event loop")

    previous = _current_event_loop()
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(_quiet_unretrieved)
    asyncio.set_event_loop(loop)
    mocks_ = RecordingMocks(preview)
    monitor = RecordingMonitor(mocks_)
    try:
        # set_mocks registers the Stack only if no root resource is left from a previous run.
        settings.reset_options()
        pulumi.runtime.set_mocks(mocks_, project, stack, preview, monitor=monitor)

        def body() -> None:
            program()

        # test() clears stale RPCs/outputs, then runs run_pulumi_func: wait_for_rpcs, then
        # re-raise the program's exception.
        pulumi.runtime.test(body)()  # type: ignore[no-untyped-call]
    finally:
        settings.reset_options()
        with contextlib.suppress(Exception):
            _drain_loop(loop)
        loop.close()
        asyncio.set_event_loop(previous)
    return Recording(_tree_order(monitor.recorded))
