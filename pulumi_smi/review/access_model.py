"""What a mesh allows, as ``diff`` compares it: :class:`Grant` and :class:`Guard` values.

Each target's reader (:mod:`.access_kube`, :mod:`.access_consul`, :mod:`.access_aws`)
normalises the emitted access objects into an :class:`Access`:

* a :class:`Grant` is one class of requests the mesh lets through: a destination as the mesh
  names it (pods of a namespace by labels, a Consul service, a Lattice service, an App Mesh
  virtual service), one source principal, one port, ``tcp`` (raw connections) or ``http``,
  one method, one path pattern, and extra conditions that all must hold (header matches,
  excluded paths, earlier deny permissions, anything a reader does not model otherwise). A
  rule listing several sources, ports, methods or paths is read as one grant per combination
  (the same set of requests);
* a :class:`Guard` is what makes a destination deny by default, or refuse callers: an ALLOW
  policy selecting its pods, a Server with ``accessPolicy: deny``, a ``*`` deny intention,
  ``authType: AWS_IAM``, ``egressFilter: DROP_ALL``, STRICT mTLS...

Judging is conservative (never a missed widening): a grant of NEW is a widening unless a
grant of OLD *covers* it (:meth:`Grant.covered_by`: same destination or a wider selector, the
same source, protocol, port, method and path or ``*`` in OLD, OLD's conditions a subset of
NEW's), so a rewritten but equal or narrower rule may be flagged; a guard of OLD that no guard
of NEW covers is a widening. A grant or guard with a part a reader could not resolve (a
reference to an object absent from the input, an unknown value) is ``unknown``: it is always
a widening in NEW and never covers anything in OLD.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

ANY = "*"
"""Any value of a grant's field (any source, port, method or path)."""
TCP, HTTP = "tcp", "http"


@dataclass(frozen=True, order=True)
class Destination:
    """What a grant or guard is about, as the mesh names it.

    ``kind`` says what ``scope`` is (``pods``: a Kubernetes namespace whose pods
    ``selector`` picks, ``()`` every pod; otherwise ``scope`` names the destination and
    ``selector`` is None: ``consul service``, ``lattice service``, ``virtual service``...).
    """

    kind: str
    scope: str
    selector: tuple[tuple[str, str], ...] | None = None

    def covers(self, other: Destination) -> bool:
        """Whether ``self`` names every pod (or the very thing) ``other`` names."""
        if (self.kind, self.scope) != (other.kind, other.scope):
            return False
        if self.selector is None or other.selector is None:
            return self.selector == other.selector
        return set(self.selector) <= set(other.selector)

    def shown(self) -> str:
        """``shop pods {app=api}``, ``consul service api``, ``lattice service api-shop``."""
        if self.selector is None:
            return f"{self.kind} {self.scope}"
        labels = ",".join(f"{k}={v}" for k, v in self.selector)
        return f"{self.scope} {self.kind} {{{labels}}}" if labels else f"{self.scope} all pods"


def selector_of(labels: object) -> tuple[tuple[str, str], ...]:
    """Pod labels (a ``matchLabels`` mapping) as a sorted tuple."""
    if not isinstance(labels, dict):
        return ()
    return tuple(sorted((str(k), str(v)) for k, v in labels.items()))


@dataclass(frozen=True, order=True)
class Grant:
    """One class of requests a mesh allows (module docstring); ``via`` names the resources
    that say so (shown, not compared)."""

    destination: Destination
    source: str
    protocol: str = HTTP
    port: str = ANY
    method: str = ANY
    path: str = ANY
    conditions: tuple[str, ...] = ()
    unknown: bool = False
    via: tuple[str, ...] = field(default=(), compare=False)

    def covered_by(self, old: Grant) -> bool:
        """Whether ``old`` allows every request ``self`` allows (module docstring)."""
        return (
            not old.unknown
            and not self.unknown
            and old.destination.covers(self.destination)
            and old.protocol == self.protocol
            and old.source in (ANY, self.source)
            and old.port in (ANY, self.port)
            and old.method in (ANY, self.method)
            and old.path in (ANY, self.path)
            and set(old.conditions) <= set(self.conditions)
        )

    @property
    def key(self) -> tuple[object, ...]:
        """What two equal grants share (``via`` left out)."""
        return (
            self.destination,
            self.source,
            self.protocol,
            self.port,
            self.method,
            self.path,
            self.conditions,
            self.unknown,
        )

    def request(self) -> str:
        """``http port 8080 GET /api/* [header x-beta = true]``, ``tcp any port``."""
        port = "any port" if self.port == ANY else f"port {self.port}"
        if self.protocol == TCP:
            words = ["tcp", port]
        else:
            words = [
                "http",
                port,
                "any method" if self.method == ANY else self.method,
                "any path" if self.path == ANY else self.path,
            ]
        if self.conditions:
            words.append("[" + "; ".join(self.conditions) + "]")
        return " ".join(words)

    def shown(self) -> str:
        """``shop pods {app=api} ← cluster.local/ns/shop/sa/web: http port * GET /api/*``."""
        source = "anyone" if self.source == ANY else self.source
        unknown = " (unknown parts)" if self.unknown else ""
        return f"{self.destination.shown()} ← {source}: {self.request()}{unknown}"


ANYONE_DENIED = "intention: anyone denied"
"""The guard of a Consul ``*`` deny intention."""
DENY_BY_DEFAULT, STRICT_MTLS = "deny by default", "STRICT mTLS"
BROAD_GUARDS = frozenset({DENY_BY_DEFAULT})
"""Guards that a guard on a wider selector of the same namespace also gives (every ALLOW
policy applying to a pod makes it deny by default)."""


@dataclass(frozen=True, order=True)
class Guard:
    """What makes a destination deny by default or refuse callers (module docstring).

    ``what`` names it (``deny by default``, ``STRICT mTLS``, ``authType AWS_IAM``...);
    ``sources`` is set for a Linkerd route (``what`` = ``route ...``): who the requests it
    matches are reserved to, so that losing it only widens when another route of the Server
    admits someone else. ``source`` is set for a Consul guard of one source's intention:
    without an intention of its own in NEW, that source falls to the ``*`` one, so a ``*``
    deny keeps it.
    """

    destination: Destination
    what: str
    port: str = ANY
    unknown: bool = False
    sources: frozenset[str] | None = None
    via: tuple[str, ...] = field(default=(), compare=False)
    source: str | None = None

    def shown(self) -> str:
        """``shop pods {app=api}: deny by default``."""
        port = "" if self.port == ANY else f" port {self.port}"
        what = self.what
        if self.sources is not None:
            route = self.via[0] if self.via else "?"
            what = f"route {route}: its requests only for its grantees"
        return f"{self.destination.shown()}{port}: {what}"


@dataclass(frozen=True)
class Access:
    """Everything a mesh's access objects allow (grants) and guard (guards)."""

    grants: tuple[Grant, ...] = ()
    guards: tuple[Guard, ...] = ()

    @staticmethod
    def of(grants: Iterable[Grant], guards: Iterable[Guard]) -> Access:
        """Deduplicated (``via`` merged) and sorted."""
        merged: dict[tuple[object, ...], Grant] = {}
        for grant in grants:
            known = merged.get(grant.key)
            via = tuple(sorted({*grant.via, *(known.via if known else ())}))
            merged[grant.key] = _with_via(grant, via)
        guarded: dict[Guard, Guard] = {}
        for guard in guards:
            found = guarded.get(guard)
            via = tuple(sorted({*guard.via, *(found.via if found else ())}))
            guarded[guard] = Guard(
                guard.destination,
                guard.what,
                guard.port,
                guard.unknown,
                guard.sources,
                via,
                guard.source,
            )
        return Access(
            tuple(sorted(merged.values())), tuple(sorted(guarded.values(), key=_guard_order))
        )

    def __add__(self, other: Access) -> Access:
        return Access.of((*self.grants, *other.grants), (*self.guards, *other.guards))


def _guard_order(guard: Guard) -> tuple[object, ...]:
    reserved = None if guard.sources is None else tuple(sorted(guard.sources))
    return (
        guard.destination,
        guard.what,
        guard.port,
        guard.unknown,
        reserved is not None,
        reserved or (),
    )


def _with_via(grant: Grant, via: tuple[str, ...]) -> Grant:
    return Grant(
        grant.destination,
        grant.source,
        grant.protocol,
        grant.port,
        grant.method,
        grant.path,
        grant.conditions,
        grant.unknown,
        via,
    )


def guard_kept(old: Guard, new: Access) -> bool:
    """Whether the guard ``old`` still holds in ``new`` (some guard of ``new`` covers it)."""
    if old.unknown:  # unresolved parts: only the very same guard keeps it
        return old in new.guards
    for guard in new.guards:
        if guard.unknown or guard.what != old.what or guard.port not in (ANY, old.port):
            continue
        if guard.destination == old.destination or (
            old.what in BROAD_GUARDS and guard.destination.covers(old.destination)
        ):
            return True
    if old.what == STRICT_MTLS:  # plaintext callers match only rules open to anyone
        closed = any(
            g.what == DENY_BY_DEFAULT and not g.unknown and g.destination.covers(old.destination)
            for g in new.guards
        )
        scope = (old.destination.kind, old.destination.scope)
        return closed and not any(
            g.source == ANY and (g.destination.kind, g.destination.scope) == scope
            for g in new.grants
        )
    if old.source is not None:  # a Consul source's own intention: gone, the * one decides
        own = any(
            g.destination == old.destination and g.source == old.source for g in new.grants
        ) or any(g.destination == old.destination and g.source == old.source for g in new.guards)
        return not own and any(
            g.destination == old.destination and g.what == ANYONE_DENIED and not g.unknown
            for g in new.guards
        )
    if old.sources is not None:  # a Linkerd route: held unless another route admits others
        rivals = [
            g
            for g in new.guards
            if g.sources is not None and g.destination == old.destination and g.port == old.port
        ]
        reserved = old.sources
        return all(not g.unknown and (g.sources or frozenset()) <= reserved for g in rivals)
    return False
