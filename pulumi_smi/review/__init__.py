"""Reviewing what the targets emit, without Pulumi: traffic shares per apex and rule.

Pure (no pulumi import): it reads ``{type, name, properties[, dependsOn]}`` mappings, the
resources of a convert Plan's JSON or of a render, so ``render -o table`` and ``diff`` share it.
"""

from .matches import DEFAULT_RULE
from .model import Share, format_percent
from .shares import traffic_shares
from .values import UNKNOWN, UNKNOWN_TEXT

__all__ = ["DEFAULT_RULE", "UNKNOWN", "UNKNOWN_TEXT", "Share", "format_percent", "traffic_shares"]
