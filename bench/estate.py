"""Generated estates: ``n`` services with splits, matches, route groups and access.

Every service ``app-<i>`` of namespace ``ns-<i mod NAMESPACES>`` has an apex Service and two
backend Services (``-v1``, ``-v2``, by pod label ``version``), two Deployments running as the
ServiceAccount ``app-<i>``, an HTTPRouteGroup with two matches, a TrafficSplit routing the
matching requests 90/10, and a TrafficTarget letting the previous service of the namespace
call it (read match) on its HTTP port. Deterministic: the same ``n`` gives the same text.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

NAMESPACES = 20
"""Namespaces the services are spread over (quadratic per-namespace scans show up too)."""


def documents(services: int) -> list[dict[str, Any]]:
    """The documents of an estate of ``services`` services, in file order."""
    docs: list[dict[str, Any]] = []
    for index in range(services):
        docs += _service(index)
    return docs


def text(services: int) -> str:
    """The estate as one multi-document YAML stream."""
    return _stream(services, _template(_service_documents))


def _names(index: int) -> tuple[str, str, str]:
    """The service ``index``'s name, namespace and caller."""
    namespace = f"ns-{index % NAMESPACES}"
    caller = f"app-{index - NAMESPACES}" if index >= NAMESPACES else f"gateway-{namespace}"
    return f"app-{index}", namespace, caller


_TOKENS = ("zzname", "zzns", "zzcaller")
"""Stand-ins for a service's name, namespace and caller in :func:`_template`."""


def _template(make: Callable[[str, str, str], list[dict[str, Any]]]) -> list[str]:
    """The YAML of one service's documents (``make(name, namespace, caller)``), dumped once
    with :data:`_TOKENS` for the names and split at them: dumping every service took
    PyYAML's emitter half a minute at 10,000 services. The names are plain scalars like the
    tokens, so the text is the one ``yaml.dump_all`` writes for the whole estate (``sdk_tests``
    checks this)."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    dumped: str = yaml.dump_all(make(*_TOKENS), Dumper=dumper, sort_keys=False)
    parts = [dumped]
    for token in _TOKENS:
        parts = [piece for part in parts for piece in _split_keeping(part, token)]
    return parts


def _split_keeping(text: str, token: str) -> list[str]:
    pieces = text.split(token)
    out = [pieces[0]]
    for piece in pieces[1:]:
        out += [token, piece]
    return out


def _stream(services: int, template: list[str]) -> str:
    """``template`` filled in for every service, the documents separated as ``dump_all``
    separates them."""
    chunks = []
    for index in range(services):
        values = dict(zip(_TOKENS, _names(index), strict=True))
        chunks.append("".join(values.get(part, part) for part in template))
    return "---\n".join(chunks)


def _service(index: int) -> list[dict[str, Any]]:
    return _service_documents(*_names(index))


def _service_documents(name: str, namespace: str, caller: str) -> list[dict[str, Any]]:
    meta = {"name": name, "namespace": namespace}
    docs: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": dict(meta)},
        _k8s_service(name, namespace, {"app": name}),
    ]
    for version in ("v1", "v2"):
        docs.append(_k8s_service(f"{name}-{version}", namespace, {"app": name, "version": version}))
        docs.append(_deployment(f"{name}-{version}", namespace, name, version))
    docs.append(
        {
            "apiVersion": "specs.smi-spec.io/v1alpha4",
            "kind": "HTTPRouteGroup",
            "metadata": {"name": f"{name}-routes", "namespace": namespace},
            "spec": {
                "matches": [
                    {"name": "read", "pathRegex": f"/{name}/.*", "methods": ["GET"]},
                    {"name": "beta", "headers": {"x-beta": "true"}},
                ]
            },
        }
    )
    docs.append(
        {
            "apiVersion": "split.smi-spec.io/v1alpha4",
            "kind": "TrafficSplit",
            "metadata": dict(meta),
            "spec": {
                "service": name,
                "matches": [{"kind": "HTTPRouteGroup", "name": f"{name}-routes"}],
                "backends": [
                    {"service": f"{name}-v1", "weight": 90},
                    {"service": f"{name}-v2", "weight": 10},
                ],
            },
        }
    )
    docs.append(
        {
            "apiVersion": "access.smi-spec.io/v1alpha3",
            "kind": "TrafficTarget",
            "metadata": {"name": f"{caller}-to-{name}", "namespace": namespace},
            "spec": {
                "destination": {"kind": "ServiceAccount", "name": name, "namespace": namespace},
                "sources": [{"kind": "ServiceAccount", "name": caller, "namespace": namespace}],
                "rules": [
                    {"kind": "HTTPRouteGroup", "name": f"{name}-routes", "matches": ["read"]}
                ],
            },
        }
    )
    return docs


def _k8s_service(name: str, namespace: str, selector: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "selector": selector,
            "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
        },
    }


def _deployment(name: str, namespace: str, account: str, version: str) -> dict[str, Any]:
    labels = {"app": account, "version": version}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "serviceAccountName": account,
                    "containers": [
                        {
                            "name": "app",
                            "image": "example/app:1",
                            "ports": [{"name": "http", "containerPort": 8080}],
                        }
                    ],
                },
            },
        },
    }


def catalogue_text(services: int) -> str:
    """Only the Kubernetes documents of the estate (Services, ServiceAccounts, Deployments)."""

    def kubernetes(*names: str) -> list[dict[str, Any]]:
        docs = _service_documents(*names)
        return [d for d in docs if d["apiVersion"] in ("v1", "apps/v1")]

    return _stream(services, _template(kubernetes))


def write(folder: Path, sizes: list[int]) -> None:
    """Write ``estate-<n>.yaml`` and ``catalogue-<n>.yaml`` into ``folder`` for each size."""
    for size in sizes:
        (folder / f"estate-{size}.yaml").write_text(text(size), encoding="utf-8")
        (folder / f"catalogue-{size}.yaml").write_text(catalogue_text(size), encoding="utf-8")


if __name__ == "__main__":  # python -m bench.estate FOLDER SIZE...
    write(Path(sys.argv[1]), [int(s) for s in sys.argv[2:]])
