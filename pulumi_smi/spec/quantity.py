"""Kubernetes resource quantities (``500m``, ``1``, ``2k``) as exact fractions.

TrafficSplit ``split.smi-spec.io/v1alpha1`` carries weights as quantities.
"""

from __future__ import annotations

import re
from fractions import Fraction

from ..errors import shown

_QUANTITY = re.compile(r"^(?P<number>[+-]?(\d+(\.\d*)?|\.\d+))(?P<suffix>[A-Za-z]*|[eE][+-]?\d+)$")
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_MAX_EXPONENT = 30
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}


def parse_quantity(value: str | int | float) -> Fraction:
    """Parse a Kubernetes quantity into an exact :class:`~fractions.Fraction`.

    Raises ``ValueError`` with a readable message when ``value`` is not a quantity.
    """
    if isinstance(value, bool):
        raise ValueError(f"{shown(value)} is not a quantity")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value))
    if not isinstance(value, str):
        raise ValueError(f"{shown(value)} is not a Kubernetes quantity (such as 100m, 1 or 2k)")
    match = _QUANTITY.match(value.strip()) if len(value) <= 64 else None
    if not match:
        raise ValueError(f"{shown(value)} is not a Kubernetes quantity (such as 100m, 1 or 2k)")
    number = Fraction(match["number"])
    suffix = match["suffix"]
    if suffix in _DECIMAL:
        return number * Fraction(10) ** _DECIMAL[suffix]
    if suffix in _BINARY:
        return number * Fraction(2) ** _BINARY[suffix]
    if suffix[:1] in ("e", "E"):
        exponent = int(suffix[1:])
        if abs(exponent) > _MAX_EXPONENT:
            raise ValueError(f"{shown(value)} is out of range")
        return number * Fraction(10) ** exponent
    raise ValueError(f"{shown(value)} has an unknown quantity suffix {shown(suffix)}")
