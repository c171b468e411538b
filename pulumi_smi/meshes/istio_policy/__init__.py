"""Istio access policy (AuthorizationPolicy, PeerAuthentication), shared by the ``istio`` target
and ``gateway-api`` with ``policy=istio``."""

from .authz import DEFAULT_DENY_NAME, authorization_resources
from .options import IstioPolicyOptions

__all__ = ["DEFAULT_DENY_NAME", "IstioPolicyOptions", "authorization_resources"]
