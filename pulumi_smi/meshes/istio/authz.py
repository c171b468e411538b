"""TrafficTarget -> Istio AuthorizationPolicy + PeerAuthentication (written by a helper)."""

from __future__ import annotations

from ...plan import PlanWarning, Resource
from ...spec.specset import SpecSet
from ..base import Namer
from .options import IstioPolicyOptions


def authorization_resources(
    specs: SpecSet, options: IstioPolicyOptions, namer: Namer
) -> tuple[list[Resource], list[PlanWarning]]:
    """The Istio policy resources and warnings for every TrafficTarget in ``specs``."""
    return [], []
