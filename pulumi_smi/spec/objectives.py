"""Service-level objectives written as annotations: the intent behind the SLO alerts.

Two annotations, on a Kubernetes Service (its own objective) or on a TrafficSplit (the
objective every backend of the split must meet, so a canary that misses it pages before the
next weight change). Neither changes routing or access; both stay valid Kubernetes and SMI:

- ``smi.pulumi.com/slo-success-rate: "99.5%"``: the share of requests that must not fail
  (a failure is a 5xx response), a percentage strictly between 0 and 100;
- ``smi.pulumi.com/slo-latency: "99% < 250ms"``: the share of requests that must be answered
  faster than a threshold (``ms`` or ``s``).

Both are measured over the metrics contract's series (:mod:`pulumi_smi.metrics.contract`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from .remote import PREFIX

SUCCESS_RATE = f"{PREFIX}slo-success-rate"
LATENCY = f"{PREFIX}slo-latency"
ANNOTATIONS = {SUCCESS_RATE: "success_rate", LATENCY: "latency"}
"""Annotation key -> :class:`ServiceLevel` field."""
_PERCENT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")
_LATENCY = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*<\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s)\s*$")


def _percentage(text: str) -> Fraction:
    found = _PERCENT.match(text)
    if not found:
        raise ValueError(f"expected a percentage such as '99.5%', got {text!r}")
    value = Fraction(Decimal(found.group(1))) / 100
    if not 0 < value < 1:
        raise ValueError(f"must be between 0% and 100% (exclusive), got {text!r}")
    return value


class LatencyObjective(BaseModel):
    """``share`` of requests answered in less than ``threshold_seconds``."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    share: Fraction
    """0 < share < 1, such as 99/100."""
    threshold_seconds: Fraction
    """> 0, in seconds (an annotation's ``ms`` is converted)."""

    def __str__(self) -> str:
        return f"{_percent(self.share)} < {_duration(self.threshold_seconds)}"


class ServiceLevel(BaseModel):
    """The objectives of one Service (each optional; at least one is set)."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    success_rate: Fraction | None = None
    """0 < success_rate < 1: the share of requests that must not fail (5xx)."""
    latency: LatencyObjective | None = None

    @field_validator("success_rate", mode="before")
    @classmethod
    def _success_rate(cls, value: Any) -> Any:
        if isinstance(value, str):
            return _percentage(value)
        return value

    @field_validator("latency", mode="before")
    @classmethod
    def _latency(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        found = _LATENCY.match(value)
        if not found:
            raise ValueError(
                f"expected a share and a threshold such as '99% < 250ms', got {value!r}"
            )
        share = _percentage(f"{found.group(1)}%")
        try:
            amount = Fraction(Decimal(found.group(2)))
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise ValueError(f"not a duration: {found.group(2)!r}") from None
        seconds = amount / 1000 if found.group(3) == "ms" else amount
        if seconds <= 0:
            raise ValueError(f"the threshold must be more than 0, got {value!r}")
        return LatencyObjective(share=share, threshold_seconds=seconds)

    def describe(self) -> str:
        """``success 99.5%, latency 99% < 250ms`` (what the review and messages show)."""
        parts = []
        if self.success_rate is not None:
            parts.append(f"success {_percent(self.success_rate)}")
        if self.latency is not None:
            parts.append(f"latency {self.latency}")
        return ", ".join(parts)


def service_level_fields(annotations: Mapping[str, Any]) -> dict[str, Any] | None:
    """The :class:`ServiceLevel` fields an object's annotations give; None when they give none."""
    fields = {field: annotations[key] for key, field in ANNOTATIONS.items() if key in annotations}
    return fields or None


def _percent(value: Fraction) -> str:
    return f"{_decimal(value * 100)}%"


def _duration(seconds: Fraction) -> str:
    return f"{_decimal(seconds * 1000)}ms" if seconds < 1 else f"{_decimal(seconds)}s"


def _decimal(value: Fraction) -> str:
    """``value`` as the shortest exact decimal (annotations are decimals, so it is exact)."""
    text = f"{Decimal(value.numerator) / Decimal(value.denominator):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
