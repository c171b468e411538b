"""Small PromQL builders: label matchers (values escaped), ``rate``, ``sum by``,
``histogram_quantile``, ``label_replace``/``label_join``, and the ``le`` matcher of a bucket.

Every builder returns a string; nothing here knows a mesh. Values are written as PromQL
double-quoted strings (backslash, double quote and newline escaped), so a label value from
the catalogue can never end a string early.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

Matcher = tuple[str, str, str]
"""(label, operator, value): operator one of ``=``, ``!=``, ``=~``, ``!~``."""
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_OPERATORS = ("=", "!=", "=~", "!~")


def string(value: str) -> str:
    """``value`` as a PromQL double-quoted string literal."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _label(name: str) -> str:
    if not _LABEL.match(name):
        raise ValueError(f"not a Prometheus label name: {name!r}")
    return name


def selector(metric: str, matchers: Iterable[Matcher] = ()) -> str:
    """``metric{label="value", ...}`` (just ``metric`` without matchers)."""
    parts = []
    for label, operator, value in matchers:
        if operator not in _OPERATORS:
            raise ValueError(f"not a PromQL label matcher operator: {operator!r}")
        parts.append(f"{_label(label)}{operator}{string(value)}")
    return f"{metric}{{{', '.join(parts)}}}" if parts else metric


def one_of(values: Iterable[str]) -> str:
    """A regular expression matching exactly one of ``values`` (sorted, each escaped)."""
    return "|".join(re.escape(v) for v in sorted(set(values)))


def rate(vector: str, window: str) -> str:
    """``rate(vector[window])``."""
    return f"rate({vector}[{window}])"


def sum_by(labels: Sequence[str], expr: str) -> str:
    """``sum by (labels) (expr)``."""
    return f"sum by ({', '.join(_label(label) for label in labels)}) ({expr})"


def union(exprs: Sequence[str]) -> str:
    """``a or b or ...`` (each operand parenthesised); one operand as it is."""
    if not exprs:
        raise ValueError("a union needs at least one operand")
    return exprs[0] if len(exprs) == 1 else " or ".join(f"({e})" for e in exprs)


def histogram_quantile(quantile: Fraction, buckets: str) -> str:
    """``histogram_quantile(q, buckets)``, ``q`` as an exact decimal."""
    return f"histogram_quantile({number(quantile)}, {buckets})"


def label_replace(expr: str, target: str, replacement: str, source: str, regex: str) -> str:
    """``label_replace(expr, "target", "replacement", "source", "regex")``: where ``regex``
    matches the whole value of ``source``, set ``target`` to ``replacement`` (``$1``...)."""
    return (
        f"label_replace({expr}, {string(_label(target))}, {string(replacement)}, "
        f"{string(_label(source))}, {string(regex)})"
    )


def copy_label(expr: str, target: str, source: str) -> str:
    """``target`` set to the (non-empty) value of ``source``."""
    return label_replace(expr, target, "$1", source, "(.+)")


def label_join(expr: str, target: str, separator: str, sources: Sequence[str]) -> str:
    """``label_join(expr, "target", "separator", "source", ...)``."""
    labels = ", ".join(string(_label(s)) for s in sources)
    return f"label_join({expr}, {string(_label(target))}, {string(separator)}, {labels})"


def number(value: Fraction | int) -> str:
    """``value`` as the shortest exact decimal PromQL reads (``0.001``, ``0.99``, ``1``);
    ValueError when it has no finite decimal."""
    value = Fraction(value)
    scale = 0
    while (value * 10**scale).denominator != 1:
        scale += 1
        if scale > 30:
            raise ValueError(f"{value} has no short exact decimal")
    text = f"{Decimal((value * 10**scale).numerator).scaleb(-scale):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def le_regex(boundary: Fraction) -> str:
    """A regular expression matching every way an exporter or Prometheus writes the bucket
    boundary ``boundary`` in the ``le`` label: ``250``, ``250.0`` (Prometheus 3 normalises
    classic-histogram ``le`` values so), ``0.5``, and the ``%g`` exponent form Envoy prints
    for large values (``1.8e+06``)."""
    plain = number(boundary)
    spellings = {plain, f"{plain}.0" if "." not in plain else plain}
    spellings.add(f"{float(boundary):g}")
    return one_of(spellings)


def relabelled_sum(
    metric: str,
    matchers: Sequence[Matcher],
    window: str,
    native: Sequence[str],
    relabel: Callable[[str], str],
    labels: Sequence[str],
) -> str:
    """The per-second rate of ``metric`` summed by the ``native`` labels, ``relabel``\\ ed
    (labels renamed or mapped), then summed by ``labels``: the native series in the
    contract's labels, every other label dropped."""
    inner = sum_by(native, rate(selector(metric, matchers), window))
    return sum_by(labels, relabel(inner))


def set_label(expr: str, label: str, value: str) -> str:
    """Every series of ``expr`` with ``label`` set to ``value``."""
    return label_replace(expr, label, value.replace("$", "$$"), label, ".*")
