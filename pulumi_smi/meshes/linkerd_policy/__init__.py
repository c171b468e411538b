"""Linkerd access policy (Server, MeshTLSAuthentication, AuthorizationPolicy, inbound routes),
shared by the ``linkerd`` target and ``gateway-api`` with ``policy=linkerd``."""

from .authz import authorization_resources
from .options import LinkerdPolicyOptions

__all__ = ["LinkerdPolicyOptions", "authorization_resources"]
