"""TrafficSplit -> Istio VirtualService."""

from __future__ import annotations

from ...plan import PlanWarning, Resource
from ...spec.specset import SpecSet
from ..base import Namer
from .options import IstioOptions


def virtual_services(
    specs: SpecSet, options: IstioOptions, namer: Namer
) -> tuple[list[Resource], list[PlanWarning]]:
    """One VirtualService per apex Service split by TrafficSplits in ``specs``."""
    return [], []
