"""Name rules of the AWS targets, one small function per service (no truncation, ever).

VPC Lattice (botocore ``vpc-lattice`` 2022-11-30 model): lower-case letters, digits and
hyphens; no leading, trailing or double hyphen; a reserved prefix per kind; length bounds
per kind. A name that breaks them is reported, never shortened: shortening could make two
names collide.
"""

from __future__ import annotations

import re

LATTICE_NAME_RULES: dict[str, tuple[int, int, str]] = {
    "service": (3, 40, "svc-"),
    "service network": (3, 63, ""),
    "target group": (3, 128, "tg-"),
    "listener": (3, 63, "listener-"),
    "rule": (3, 63, "rule-"),
}
"""Lattice resource kind -> (min length, max length, reserved prefix)."""

_LATTICE_CHARS = re.compile(r"[a-z0-9-]+")


def lattice_name_problem(kind: str, name: str) -> str | None:
    """What is wrong with ``name`` as the name of a Lattice ``kind``, or None if it is valid."""
    low, high, reserved = LATTICE_NAME_RULES[kind]
    if not low <= len(name) <= high:
        return f"Lattice {kind} name {name!r} has {len(name)} characters, not {low}-{high}"
    if not _LATTICE_CHARS.fullmatch(name):
        return f"Lattice {kind} name {name!r} may only use lower-case letters, digits and '-'"
    if name.startswith("-") or name.endswith("-") or "--" in name:
        return f"Lattice {kind} name {name!r} starts or ends with '-' or has '--'"
    if reserved and name.startswith(reserved):
        return f"Lattice {kind} name {name!r} starts with the reserved prefix {reserved!r}"
    return None
