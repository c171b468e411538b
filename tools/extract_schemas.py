#!/usr/bin/env python3
"""Extract the CRD schemas of the kinds pulumi-smi emits into ``sdk_tests/schemas/``.

Usage: ``python tools/extract_schemas.py [CRDS_DIR] [--out DIR]``

``CRDS_DIR`` defaults to ``<repo>/../shared/crds`` (see SOURCES.md there). For every SERVED
version of every selected kind the ``openAPIV3Schema`` is written, unmodified, to
``<out>/[<root>/]<group>/<version>/<Kind>.json`` (sorted keys, 2-space indent, trailing newline),
and ``<out>/INDEX.json`` records where each schema came from. The output is deterministic; stale
``*.json`` files under ``<out>`` are removed. When two sources provide the same
root/group/version/kind, the one listed first in ``SOURCES`` wins.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CRDS = REPO.parent / "shared" / "crds"
DEFAULT_OUT = REPO / "sdk_tests" / "schemas"
CEL_NOTE = (
    "celRules = number of x-kubernetes-validations (CEL) rules in the schema; "
    "sdk_tests/schema_check.py does NOT evaluate them."
)


@dataclass(frozen=True)
class Source:
    """CRD files (a glob relative to the crds dir) and the ``group/Kind``s to take from them."""

    pattern: str
    kinds: frozenset[str] | None = None  # None = every kind in the files
    root: str = ""  # sub-directory of the output ("" = the default root)


def _kinds(group: str, *names: str) -> frozenset[str]:
    return frozenset(f"{group}/{name}" for name in names)


GATEWAY = "gateway.networking.k8s.io"
SOURCES: tuple[Source, ...] = (
    Source("smi/split.yaml"),
    Source("smi/access.yaml"),
    Source("smi/httproutegroup.yaml"),
    Source("smi/tcproute.yaml"),
    Source("smi/udproute.yaml"),
    Source(
        "istio/crd-all.gen.yaml",
        _kinds(
            "networking.istio.io", "VirtualService", "DestinationRule", "ServiceEntry", "Sidecar"
        )
        | _kinds("security.istio.io", "AuthorizationPolicy", "PeerAuthentication")
        | _kinds("telemetry.istio.io", "Telemetry"),
    ),
    Source(
        "gateway-api/v1.6.1/experimental/*.yaml",
        _kinds(
            GATEWAY, "HTTPRoute", "GRPCRoute", "TCPRoute", "UDPRoute", "TLSRoute", "ReferenceGrant"
        ),
    ),
    Source(
        "gateway-api/v1.2.1/experimental/*.yaml",
        _kinds(GATEWAY, "HTTPRoute", "GRPCRoute", "TCPRoute", "ReferenceGrant"),
        root="gateway-api-v1.2.1",
    ),
    Source(
        "linkerd/rendered_install_crds.golden.yaml",
        _kinds(
            "policy.linkerd.io",
            "Server",
            "AuthorizationPolicy",
            "MeshTLSAuthentication",
            "NetworkAuthentication",
            "HTTPRoute",
        )
        | _kinds("linkerd.io", "ServiceProfile"),
    ),
    Source(
        "consul/*.yaml",
        _kinds(
            "consul.hashicorp.com",
            "ServiceDefaults",
            "ServiceResolver",
            "ServiceRouter",
            "ServiceSplitter",
            "ServiceIntentions",
            "ProxyDefaults",
            "Mesh",
            "ExportedServices",
            "TerminatingGateway",
        ),
    ),
    Source(
        "appmesh/*.yaml",
        _kinds(
            "appmesh.k8s.aws",
            "Mesh",
            "VirtualNode",
            "VirtualRouter",
            "VirtualService",
            "BackendGroup",
        ),
    ),
    Source("vpc-lattice/*.yaml"),
)

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ELSEWHERE = "github:"
"""INDEX.json sources of schemas extracted from CRDs that are not in the crds dir (each
directory has a PROVENANCE.md): kept as committed, never regenerated or removed."""


def _extracted_elsewhere() -> tuple[dict[str, bytes], dict[str, Any]]:
    """The committed schemas (files and INDEX entries) whose source is :data:`ELSEWHERE`."""
    index = DEFAULT_OUT / "INDEX.json"
    if not index.exists():
        return {}, {}
    entries = json.loads(index.read_text(encoding="utf-8"))["schemas"]
    kept = {rel: e for rel, e in entries.items() if str(e["source"]).startswith(ELSEWHERE)}
    return {rel: (DEFAULT_OUT / rel).read_bytes() for rel in kept}, kept


def count_cel_rules(node: Any) -> int:
    """Count the ``x-kubernetes-validations`` rules anywhere inside a schema."""
    if isinstance(node, list):
        return sum(count_cel_rules(item) for item in node)
    if not isinstance(node, dict):
        return 0
    own = node.get("x-kubernetes-validations")
    count = len(own) if isinstance(own, list) else 0
    return count + sum(
        count_cel_rules(v) for k, v in node.items() if k != "x-kubernetes-validations"
    )


def _served_schemas(path: Path) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """Yield (group, version, kind, openAPIV3Schema) for each served version in a CRD file."""
    for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=_Loader):
        if not isinstance(doc, dict) or doc.get("kind") != "CustomResourceDefinition":
            continue
        spec = doc["spec"]
        for version in spec["versions"]:
            if version.get("served"):
                schema = version["schema"]["openAPIV3Schema"]
                yield spec["group"], version["name"], spec["names"]["kind"], schema


def _dump(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def extract(crds: Path) -> dict[str, bytes]:
    """Return the generated files as {path relative to the output dir: content}; writes nothing."""
    files: dict[str, bytes] = {}
    index: dict[str, Any] = {}
    for source in SOURCES:
        paths = sorted(crds.glob(source.pattern))
        if not paths:
            raise SystemExit(f"no CRD file matches {source.pattern!r} in {crds}")
        found: set[str] = set()
        for path in paths:
            raw = path.read_bytes()
            for group, version, kind, schema in _served_schemas(path):
                if source.kinds is not None and f"{group}/{kind}" not in source.kinds:
                    continue
                found.add(f"{group}/{kind}")
                rel = "/".join(p for p in (source.root, group, version, f"{kind}.json") if p)
                if rel in files:  # an earlier source wins
                    continue
                files[rel] = _dump(schema)
                index[rel] = {
                    "apiVersion": f"{group}/{version}",
                    "kind": kind,
                    "root": source.root or None,
                    "source": path.relative_to(crds).as_posix(),
                    "sha256": hashlib.sha256(raw).hexdigest()[:16],
                    "celRules": count_cel_rules(schema),
                }
        missing = sorted((source.kinds or frozenset()) - found)
        if missing:
            raise SystemExit(f"{source.pattern}: no served version of {', '.join(missing)}")
    kept_files, kept_index = _extracted_elsewhere()
    for rel, content in kept_files.items():
        files.setdefault(rel, content)
        index.setdefault(rel, kept_index[rel])
    files["INDEX.json"] = _dump({"note": CEL_NOTE, "schemas": dict(sorted(index.items()))})
    return files


def write(files: dict[str, bytes], out: Path) -> None:
    """Write ``files`` under ``out`` and delete any other ``*.json`` file (and empty dir) there."""
    for rel, content in files.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != content:
            target.write_bytes(content)
    for stale in sorted(out.rglob("*.json")):
        if stale.relative_to(out).as_posix() not in files:
            stale.unlink()
    for directory in sorted((d for d in out.rglob("*") if d.is_dir()), reverse=True):
        if not any(directory.iterdir()):
            directory.rmdir()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("crds", nargs="?", type=Path, default=DEFAULT_CRDS, help="CRDs directory")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    files = extract(args.crds)
    write(files, args.out)
    print(f"wrote {len(files) - 1} schemas + INDEX.json to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
