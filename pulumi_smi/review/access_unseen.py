"""The access objects a partial preview shows without the objects that use them.

A ``pulumi preview --json`` without ``--show-sames`` lists only what changes. Most access
objects say whom they admit on their own (an Istio or Lattice policy, Consul intentions, an
App Mesh VirtualNode, a Linkerd Server), and a policy whose references are not listed
gives unknown grants (:mod:`.access_linkerd`), which are widenings. What is left are the
objects only others give a meaning to: a Linkerd Mesh/NetworkAuthentication (used by
AuthorizationPolicies) and a Linkerd HTTPRoute of a Server (its matches, granted by the
AuthorizationPolicies that target it). When the preview changes one of those but lists none
of its users, it is judged on its own: any identity, network or match it did not have
before is a widening (the gate ``--deny-access-widening`` trips), since the unlisted users
may grant it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .access_istio import manifest, namespace_of
from .access_linkerd import (
    AUTHN_KINDS,
    Match,
    authentications,
    object_key,
    route_matches,
    server_routes,
)
from .access_model import ANY
from .sections import Gates, Resource
from .values import items, mapping

_POLICY = "policy.linkerd.io"
Key = tuple[str, str]


def _used(resources: Sequence[Resource]) -> tuple[set[Key], set[Key]]:
    """The authentications and routes the AuthorizationPolicies of ``resources`` name."""
    authns: set[Key] = set()
    routes: set[Key] = set()
    for resource in resources:
        properties = manifest(resource, _POLICY, ("AuthorizationPolicy",))
        if properties is None:
            continue
        spec, namespace = mapping(properties.get("spec")), namespace_of(properties) or ""
        for ref in items(spec.get("requiredAuthenticationRefs")):
            if ref.get("kind") in AUTHN_KINDS:
                authns.add((str(ref.get("namespace") or namespace), str(ref.get("name"))))
        target = mapping(spec.get("targetRef"))
        if target.get("kind") == "HTTPRoute":
            routes.add((str(target.get("namespace") or namespace), str(target.get("name"))))
    return authns, routes


def _server_routes(resources: Sequence[Resource]) -> dict[Key, tuple[str, list[str]]]:
    """Each HTTPRoute attached to a Server: its logical name and its matches shown."""
    return {
        r.key: (r.name, [_shown(m) for m in route_matches(r.spec)])
        for r in server_routes(resources)
    }


def _shown(match: Match) -> str:
    method, path, conditions = match
    words = ["any method" if method == ANY else method, "any path" if path == ANY else path]
    return " ".join(words) + (f" [{'; '.join(conditions)}]" if conditions else "")


def _authn_names(resources: Sequence[Resource]) -> dict[Key, str]:
    found: dict[Key, str] = {}
    for resource in resources:
        properties = manifest(resource, _POLICY, AUTHN_KINDS)
        if properties is not None:
            found[object_key(properties)] = str(resource["name"])
    return found


def unseen_widenings(old: Sequence[Resource], new: Sequence[Resource]) -> list[str]:
    """One line per object of NEW judged on its own that admits more than in OLD."""
    used_authns, used_routes = _used(new)
    found: list[str] = []
    before, after = authentications(old), authentications(new)
    for key, name in sorted(_authn_names(new).items()):
        grown = sorted(set(after.get(key, [])) - set(before.get(key, [])))
        if key not in used_authns and grown:
            found.append(
                f"authentication {key[0]}/{key[1]} ({name}) now also admits {', '.join(grown)}"
            )
    old_routes = _server_routes(old)
    for key, (name, matches) in sorted(_server_routes(new).items()):
        grown = sorted(set(matches) - set(old_routes.get(key, ("", []))[1]))
        if key not in used_routes and grown:
            found.append(f"route {key[0]}/{key[1]} ({name}) now also matches {', '.join(grown)}")
    return found


@dataclass(frozen=True)
class UnseenAccessSection:
    """The objects a partial preview judges on its own (a :class:`~.sections.Section`)."""

    widenings: tuple[str, ...]

    @property
    def title(self) -> str:
        """``access judged on its own``."""
        return "access judged on its own"

    @property
    def changed(self) -> bool:
        """Whether any object widens."""
        return bool(self.widenings)

    def violations(self, gates: Gates) -> list[str]:
        """Every widening, when ``--deny-access-widening`` is on."""
        if not gates.deny_access_widening:
            return []
        return [f"access: {w} (its users are not in the preview)" for w in self.widenings]

    def text(self) -> list[str]:
        """The widenings, or nothing when there are none."""
        if not self.widenings:
            return []
        lines = ["access judged on its own (its users are not in the preview)"]
        return lines + [f"  + {w}  widening" for w in self.widenings]

    def markdown(self) -> list[str]:
        """A list of the widenings."""
        if not self.widenings:
            return []
        lines = ["Access judged on its own (its users are not in the preview):", ""]
        return lines + [f"- **widening**: {w}" for w in self.widenings]

    def to_json(self) -> dict[str, Any]:
        """``{"section": ..., "widenings": [...]}``."""
        return {"section": self.title, "widenings": list(self.widenings)}


def unseen_access_section(old: Sequence[Resource], new: Sequence[Resource]) -> UnseenAccessSection:
    """The :class:`UnseenAccessSection` of one mesh's resources in a partial preview."""
    return UnseenAccessSection(tuple(unseen_widenings(old, new)))


__all__ = ["UnseenAccessSection", "unseen_access_section", "unseen_widenings"]
