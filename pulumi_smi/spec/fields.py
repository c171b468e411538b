"""Validated string types shared by the SMI models and the catalogue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, StrictStr

from .names import dns1035_label_problem, dns1123_label_problem, dns1123_subdomain_problem
from .regex import regex_problem


def _checked(rule: Callable[[str], str | None]) -> AfterValidator:
    def validate(value: str) -> str:
        problem = rule(value)
        if problem:
            raise ValueError(problem)
        return value

    return AfterValidator(validate)


ServiceName = Annotated[StrictStr, _checked(dns1035_label_problem)]
"""A Kubernetes Service name (DNS-1035 label)."""
NamespaceName = Annotated[StrictStr, _checked(dns1123_label_problem)]
"""A Kubernetes namespace (DNS-1123 label)."""
ObjectName = Annotated[StrictStr, _checked(dns1123_subdomain_problem)]
"""A Kubernetes object name (DNS-1123 subdomain)."""
Regex = Annotated[StrictStr, _checked(regex_problem)]
"""An RE2-compatible regular expression."""
