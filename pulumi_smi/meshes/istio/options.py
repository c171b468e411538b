"""Options of the ``istio`` target."""

from __future__ import annotations

from pydantic import StrictStr

from ..istio_policy.options import IstioPolicyOptions


class IstioOptions(IstioPolicyOptions):
    """Options of the ``istio`` target."""

    domain_suffix: StrictStr = "cluster.local"
    """The cluster's DNS domain, for the fully qualified host names in VirtualServices."""
