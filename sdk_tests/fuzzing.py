"""Seeded mutations of real inputs, for ``test_fuzz.py``: the corpus and the mutator.

The corpus is every bundled example (each example's files together, so that the catalogue
matches the SMI objects), the wild corpus of ``data/wild`` (see ``test_wild.py``) and the bad
inputs of ``data/bad``. A mutation works on the parsed documents (a hostile or plausible value
somewhere, a key renamed or deleted, an item or document duplicated, an apiVersion
changed to another served one) or on the text (a line deleted, duplicated or cut, a
character inserted), so both the models and the YAML reader are exercised. Everything is a
function of the seed: a failure names the seed and index that reproduce it.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pulumi_smi.spec.versions import SERVED_VERSIONS

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def estates() -> list[tuple[str, str]]:
    """(name, text) of every seed input, each converted on its own.

    The bundled examples (each example's files together) count four times, so that many
    mutations start valid; each wild file comes with the Kubernetes manifests of its demo
    (its directory's ``companions/``); each bad file comes alone.
    """
    groups: list[list[Path]] = [
        sorted((ROOT / "examples" / "manifests" / "bookinfo").glob("*.yaml"))
    ]
    for example in sorted((ROOT / "examples").iterdir()):
        files = sorted(example.glob("k8s/*.yaml")) + sorted(example.glob("smi/*.yaml"))
        if files:
            groups.append(files)
    groups *= 4
    for directory in sorted(p for p in (DATA / "wild").iterdir() if p.is_dir()):
        companions = sorted(directory.glob("companions/*.yaml"))
        groups += [
            [*companions, path]
            for path in sorted(directory.rglob("*.yaml"))
            if path.parent.name != "companions"
        ]
    groups += [[path] for path in sorted((DATA / "bad").glob("*.yaml")) if _is_text(path)]
    return [
        (
            "+".join(str(p.relative_to(ROOT)) for p in files),
            "\n---\n".join(p.read_text(encoding="utf-8") for p in files),
        )
        for files in groups
    ]


def _is_text(path: Path) -> bool:
    try:
        path.read_text(encoding="utf-8")
    except UnicodeDecodeError:  # not_utf8.yaml: a test of its own
        return False
    return True


def wild_files() -> list[Path]:
    """Every file of the wild corpus."""
    return sorted((DATA / "wild").rglob("*.yaml"))


HOSTILE: list[Any] = [
    0,
    -1,
    1,
    65535,
    65536,
    2**31,
    2**63,
    10**30,
    1.5,
    -0.0,
    float("inf"),
    True,
    False,
    None,
    "",
    " ",
    "A",
    "yes",
    "on",
    "null",
    "0x1F",
    "1e3",
    "500m",
    "1k",
    "-1",
    "x" * 300,
    "a" * 70,
    "a\nb",
    "\x1b[31mred\x1b[0m",
    "line\u2028sep",
    "tab\there",
    "é",
    "\U0001f600",
    "a/b",
    "a.b",
    "default",
    "kube-system",
    "reviews",
    "reviews-v1",
    "80",
    "http",
    "grpc",
    "tcp",
    "GET",
    "*",
    "/",
    "/api/.*",
    ".*",
    "^/$",
    "a{4294967296}",
    "a{1001}",
    "(a{100}){100}",
    "(" * 300 + ")" * 300,
    "[[:alpha:]]",
    "[[a]",
    "(?=x)",
    "(?P<n>a)(?P=n)",
    "\\Z",
    "(a|b)*c{2,}",
    "(a*)*$",
    "[^/]+",
    "ServiceAccount",
    "Service",
    "TCPRoute",
    "HTTPRouteGroup",
    "UDPRoute",
    "TrafficSplit",
    "v1",
    "apps/v1",
    "split.smi-spec.io/v1alpha1",
    "access.smi-spec.io/v1alpha1",
    {},
    [],
    [None],
    [1, 1],
    ["a", "a"],
    {"k": "v"},
    {"name": "x"},
    [{"name": "m"}],
]
"""Values a mutation may write anywhere."""
HOSTILE_KEYS: list[Any] = ["extra", "spec", "ports", "name", "weigth", True, 1, None, "", "Name"]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    stack = [(node, prefix)]
    while stack:
        value, path = stack.pop()
        yield path
        if isinstance(value, dict):
            stack.extend((v, (*path, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(value))


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        node = node[step]
    return node


def _scalars(docs: list[Any]) -> list[Any]:
    found = []
    for doc in docs:
        for path in _paths(doc):
            value = _at(doc, path)
            if not isinstance(value, (dict, list)):
                found.append(value)
    return found


@dataclass
class Mutator:
    """Mutations drawn from one seeded random generator."""

    rng: random.Random

    def mutate(self, text: str) -> str:
        """``text`` changed in one to three places (parsed documents or raw text)."""
        if self.rng.random() < 0.15 or "&" in text:  # anchors: shared nodes, maybe a bomb
            return self._text(text)
        try:
            docs = list(yaml.safe_load_all(text))
        except (yaml.YAMLError, ValueError):  # the bad seeds: mutate their text only
            return self._text(text)
        docs = [d for d in docs if d is not None] or [{}]
        for _ in range(self.rng.choice([1, 1, 2, 3])):
            self._structure(docs)
        out: str = yaml.dump_all(docs, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
        return out

    def _text(self, text: str) -> str:
        lines = text.splitlines() or [""]
        index = self.rng.randrange(len(lines))
        choice = self.rng.random()
        if choice < 0.25:
            del lines[index]
        elif choice < 0.5:
            lines.insert(index, lines[self.rng.randrange(len(lines))])
        elif choice < 0.7:
            lines[index] = lines[index][: self.rng.randrange(len(lines[index]) + 1)]
        elif choice < 0.9:
            at = self.rng.randrange(len(lines[index]) + 1)
            char = self.rng.choice([*":-[]{}&*!|>'\"#%@`,? \t\\", "\x00", "\ufeff", "\x85"])
            lines[index] = lines[index][:at] + char + lines[index][at:]
        else:
            lines.append(_alias_bomb(self.rng.randint(2, 9)))
        return "\n".join(lines) + "\n"

    def _structure(self, docs: list[Any]) -> None:
        smi = [d for d in docs if isinstance(d, dict) and "smi-spec.io" in str(d.get("apiVersion"))]
        doc = self.rng.choice(smi if smi and self.rng.random() < 0.6 else docs)
        paths = [p for p in _paths(doc) if p]
        choice = self.rng.random()
        if choice < 0.04 or not paths:
            twin = copy.deepcopy(doc)
            metadata = twin.get("metadata") if isinstance(twin, dict) else None
            if self.rng.random() < 0.5 and isinstance(metadata, dict):
                metadata["name"] = f"{metadata.get('name')}-twin"
            docs.append(twin)
            return
        if choice < 0.08 and isinstance(doc, dict):
            doc["apiVersion"] = self._other_version(doc)
            return
        path = self.rng.choice(paths)
        parent, key = _at(doc, path[:-1]), path[-1]
        if choice < 0.30:
            parent[key] = copy.deepcopy(self.rng.choice(HOSTILE))
        elif choice < 0.65:
            parent[key] = self._plausible(parent[key], docs)
        elif choice < 0.77:
            del parent[key]
        elif choice < 0.90:
            if isinstance(parent, list):
                parent.insert(key, copy.deepcopy(parent[key]))
            else:
                new_key = self.rng.choice([*HOSTILE_KEYS, *[k for k in parent if k != key]])
                parent[new_key] = parent.pop(key)
        else:
            parent[key] = copy.deepcopy(_at(doc, self.rng.choice(paths)))

    def _plausible(self, value: Any, docs: list[Any]) -> Any:
        """Another value of the same type: a scalar of the input, or a number near it."""
        if isinstance(value, int) and not isinstance(value, bool):
            return self.rng.choice([value + 1, value - 1, 0, value * 1000, value // 2, 65535, 1])
        alike = [s for s in _scalars(docs) if type(s) is type(value)]
        if isinstance(value, list) and value:
            return [self._plausible(v, docs) for v in value[: self.rng.randint(0, len(value))]]
        return self.rng.choice(alike) if alike else value

    def _other_version(self, doc: dict[str, Any]) -> Any:
        kind = doc.get("kind")
        versions = [
            f"{group}/{version}"
            for group, kinds in SERVED_VERSIONS.items()
            for k, served in kinds.items()
            if k == kind
            for version in served
        ]
        return self.rng.choice(versions or ["v1", "apps/v1", "batch/v1", "argoproj.io/v1alpha1"])


def _alias_bomb(levels: int) -> str:
    """A document whose aliases expand ten-fold per level (a 'billion laughs' at nine)."""
    lines = ["---", "apiVersion: v1", "kind: ConfigMap", "metadata: {name: lol}", "data:"]
    lines.append('  l0: &l0 ["lol"]')
    for level in range(1, levels + 1):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"  l{level}: &l{level} [{refs}]")
    return "\n".join(lines)


def alias_bomb(levels: int = 9) -> str:
    """A small 'billion laughs' stream: ``levels`` levels of ten aliases each."""
    return _alias_bomb(levels) + "\n"
