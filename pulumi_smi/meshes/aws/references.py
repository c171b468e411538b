"""References between planned AWS resources: ``${name.output}`` (Pulumi YAML syntax)."""

from __future__ import annotations

from ...plan import reference


def ref(name: str, output: str) -> str:
    """A reference to output ``output`` (engine camelCase, e.g. ``arn``) of resource ``name``."""
    return reference(name, output)
