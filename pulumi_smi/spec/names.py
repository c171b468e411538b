"""Kubernetes name rules, written once and used by the models and the translators."""

from __future__ import annotations

import re

from ..errors import shown

_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL = re.compile(rf"^{_LABEL}$")
_DNS1123_SUBDOMAIN = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


def _rule_problem(value: str, longest: int, pattern: re.Pattern[str], what: str) -> str | None:
    if len(value) > longest:
        return f"{shown(value)} is longer than {longest} characters"
    if not pattern.match(value):
        return f"{shown(value)} is not a valid {what}"
    return None


def dns1123_label_problem(value: str) -> str | None:
    """Why ``value`` is not a DNS-1123 label (namespaces), or None if it is one."""
    return _rule_problem(
        value,
        63,
        _DNS1123_LABEL,
        "DNS-1123 label (lower-case letters, digits and '-', starting and ending with a "
        "letter or digit)",
    )


def dns1123_subdomain_problem(value: str) -> str | None:
    """Why ``value`` is not a DNS-1123 subdomain (most object names), or None."""
    return _rule_problem(
        value,
        253,
        _DNS1123_SUBDOMAIN,
        "DNS-1123 subdomain (lower-case letters, digits, '-' and '.', starting and ending "
        "with a letter or digit)",
    )


def dns1035_label_problem(value: str) -> str | None:
    """Why ``value`` is not a DNS-1035 label (Service names), or None if it is one."""
    return _rule_problem(
        value,
        63,
        _DNS1035_LABEL,
        "Service name (DNS-1035 label: lower-case letters, digits and '-', starting with a "
        "letter, ending with a letter or digit)",
    )


_PORT_NAME = re.compile(r"^[a-z0-9]([a-z0-9]|-(?=[a-z0-9]))*$")


def port_name_problem(value: str) -> str | None:
    """Why ``value`` is not a port name (an IANA service name, as Kubernetes checks), or None."""
    if len(value) > 15 or not _PORT_NAME.match(value) or not re.search("[a-z]", value):
        return (
            f"{shown(value)} is not a valid port name (1-15 lower-case letters, digits and "
            "single '-', with at least one letter, not starting or ending with '-')"
        )
    return None


_LABEL_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")


def label_key_problem(key: str) -> str | None:
    """Why ``key`` is not a valid label or annotation key (``[prefix/]name``), or None."""
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or dns1123_subdomain_problem(prefix)):
        return f"key {shown(key)}: the prefix must be a DNS-1123 subdomain"
    if not name or len(name) > 63 or not _LABEL_NAME.match(name):
        return (
            f"key {shown(key)}: the name must be 1-63 letters, digits, '-', '_' or '.', "
            "starting and ending with a letter or digit"
        )
    return None


def label_value_problem(key: str, value: str) -> str | None:
    """Why ``value`` is not a valid label value, or None."""
    if len(value) > 63 or not _LABEL_NAME.match(value):
        return (
            f"label {shown(key)}: value {shown(value)} must be at most 63 letters, digits, '-', "
            "'_' or '.', starting and ending with a letter or digit"
        )
    return None
