"""Read a YAML stream into documents, safely: hostile YAML is a located problem, never a crash.

The loader is PyYAML's safe loader (libyaml's when present) with three guards:

- duplicate keys are errors (YAML says keys are unique; PyYAML would keep the last one);
- aliases are bounded: a document whose aliases expand it by more than
  :data:`ALIAS_EXPANSION_BUDGET` nodes (a "billion laughs"), or an alias inside its own
  anchor, is refused before it is built, so a 1 KB file cannot take seconds or gigabytes;
- mapping keys that YAML reads as something other than a string (``yes:`` is a boolean in
  YAML 1.1, ``80:`` an integer, ``? [a]`` a list) are recorded with their field path and
  line, for the loader to report on the documents it reads.

Each problem says the line and column YAML gives for it.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml

from ..errors import Problem, SmiValidationError, shown

ALIAS_EXPANSION_BUDGET = 10_000
"""The most nodes the aliases of one document may add to the nodes written in it."""
_SCALAR_WEIGHT = 80
"""A scalar counts as one node per this many characters (so aliased long strings count)."""

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"
_READ_AS = {
    "tag:yaml.org,2002:bool": "a boolean (YAML 1.1 reads yes/no/on/off/true/false so)",
    "tag:yaml.org,2002:int": "an integer",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "a date",
}


@dataclass(frozen=True)
class BadKey:
    """A mapping key that is not a string: where it is and what YAML read it as."""

    path: str
    """The field path of the mapping holding the key."""
    message: str


class Document(NamedTuple):
    """One parsed document of a YAML stream."""

    source: str
    number: int
    """1-based position in the stream."""
    data: Any
    line: int | None = None
    """The 1-based line the document starts on."""
    bad_keys: tuple[BadKey, ...] = ()


def _mark(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


class _StrictLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """A safe loader that rejects duplicate keys instead of keeping the last one.

    It resolves each plain scalar's tag once per distinct value (a stream repeats its keys
    and most of its values), and skips the resolver's path bookkeeping, which only path
    resolvers use and the safe loader has none of: PyYAML calls the three for every node,
    a quarter of the time it takes to read a large estate.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._plain_tags: dict[str, str] = {}

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:  # the tag depends on the value alone
            tag = self._plain_tags.get(value)
            if tag is None:
                tag = self._plain_tags[value] = super().resolve(kind, value, implicit)
            return tag
        return super().resolve(kind, value, implicit)

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None  # what PyYAML's does without path resolvers

    def ascend_resolver(self) -> None:
        return None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue  # '<<' merge keys: explicit keys may override merged ones
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"a mapping key cannot be a {type(key).__name__}",
                    key_node.start_mark,
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {shown(key)}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:  # 5000-digit integers, 13th months
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid value: {str(exc).split(';')[0]}", node.start_mark
            ) from None


assert not _StrictLoader.yaml_path_resolvers, "path resolvers need descend/ascend_resolver"


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_aliases(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand past the budget, or refer to themselves."""
    expanded: dict[int, int] = {}
    uses: dict[int, int] = {}
    nodes: dict[int, yaml.Node] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        ident = id(node)
        if done:
            on_path.discard(ident)
            size = 1 + sum(expanded[id(c)] for c in _children(node))
            if isinstance(node, yaml.ScalarNode):
                size += len(str(node.value)) // _SCALAR_WEIGHT
            expanded[ident] = size
            continue
        uses[ident] = uses.get(ident, 0) + 1
        if ident in on_path:
            raise _Refused(f"an alias at {_mark(node.start_mark)} refers to its own anchor")
        if ident in expanded or ident in nodes:
            continue
        nodes[ident] = node
        on_path.add(ident)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(_children(node)))
    written = sum(
        1 + (len(str(n.value)) // _SCALAR_WEIGHT if isinstance(n, yaml.ScalarNode) else 0)
        for n in nodes.values()
    )
    if expanded[id(root)] - written > ALIAS_EXPANSION_BUDGET:
        shared = [i for i in nodes if uses[i] > 1]
        worst = max(shared, key=lambda i: expanded[i] * (uses[i] - 1))
        anchor = _mark(nodes[worst].start_mark)
        raise _Refused(
            f"YAML aliases expand this document by more than {ALIAS_EXPANSION_BUDGET} nodes "
            f"(the anchor at {anchor} is used by {uses[worst] - 1} aliases): refused, as a "
            "guard against alias bombs; write the values out"
        )


def _bad_keys(root: yaml.Node) -> tuple[tuple[BadKey, ...], bool]:
    """Every mapping key of the document that YAML does not read as a string, and whether
    a node is reached twice (through an alias)."""
    found: list[BadKey] = []
    visited: set[int] = set()
    shared = False
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, path = stack.pop()
        if id(node) in visited:
            shared = True
            continue
        visited.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, f"{path}[{i}]") for i, child in enumerate(node.value))
            continue
        if not isinstance(node, yaml.MappingNode):
            continue
        for key, value in node.value:
            if key.tag == _MERGE:
                merged = value.value if isinstance(value, yaml.SequenceNode) else [value]
                stack.extend((each, path) for each in merged)
            elif isinstance(key, yaml.ScalarNode) and key.tag == _STR:
                stack.append((value, f"{path}.{key.value}" if path else str(key.value)))
            else:
                read_as = _READ_AS.get(key.tag, "a list or mapping")
                written = shown(key.value) if isinstance(key, yaml.ScalarNode) else "this key"
                found.append(
                    BadKey(
                        path,
                        f"key {written} at {_mark(key.start_mark)} is read by YAML as {read_as}, "
                        "not a string: quote it",
                    )
                )
    return tuple(sorted(found, key=lambda k: k.path)), shared


class _NotPlain(Exception):
    """The document needs the guarded path: a key other than a plain string, a duplicate
    key, a merge key or a tag the plain path does not build."""


_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


def _plain(loader: _StrictLoader, node: yaml.Node) -> Any:
    """The data of a document without anchors, built straight from its nodes.

    What :meth:`_StrictLoader.construct_document` builds, for the documents almost every
    file holds (string keys, each once; no anchors, so no node is reached twice), without
    PyYAML's generic per-node machinery; anything else raises :class:`_NotPlain`. Scalars
    other than strings go through the loader (its resolvers, its errors).
    """
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _STR:
            return node.value
        return loader.construct_object(node, deep=True)
    if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
        data = {}
        for key, value in node.value:
            if key.tag != _STR or not isinstance(key, yaml.ScalarNode):
                raise _NotPlain
            data[key.value] = _plain(loader, value)
        if len(data) != len(node.value):
            raise _NotPlain  # a duplicate key: the guarded path says where
        return data
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
        return [_plain(loader, child) for child in node.value]
    raise _NotPlain


def _construct(
    loader: _StrictLoader, node: yaml.Node, plain: bool
) -> tuple[Any, tuple[BadKey, ...]]:
    """The document's data and its non-string keys (see :func:`_bad_keys`).

    ``plain``: the stream has no anchor, so the plain path may build the document.
    """
    if plain:
        try:
            data = _plain(loader, node)
        except (_NotPlain, yaml.YAMLError, RecursionError):
            pass  # the guarded path builds it, or says what is wrong first, as it always did
        else:
            loader.constructed_objects, loader.recursive_objects = {}, {}
            return data, ()
        finally:
            loader.deep_construct = False
        loader.constructed_objects, loader.recursive_objects = {}, {}
    bad_keys, shared = _bad_keys(node)
    if shared:
        _check_aliases(node)
    return loader.construct_document(node), bad_keys


def read_documents(text: str, source: str) -> list[Document]:
    """Parse a YAML stream; any problem becomes an :class:`SmiValidationError`."""
    # No anchor anywhere (no "&" at all), so no alias: no node is reached twice.
    return _read_documents(text, source, plain="&" not in text)


def _read_documents(text: str, source: str, plain: bool) -> list[Document]:
    """:func:`read_documents`; ``plain``: whether documents may take the plain path."""
    documents: list[Document] = []
    loader = _StrictLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            data, bad_keys = _construct(loader, node, plain)
            line = node.start_mark.line + 1 if node.start_mark is not None else None
            documents.append(Document(source, len(documents) + 1, data, line, bad_keys))
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, before parsing
        line = text[: exc.position].count("\n") + 1
        raise SmiValidationError(
            [
                Problem(
                    f"not YAML text: character {shown(chr(exc.character))} at line {line} is "
                    f"not allowed ({exc.reason})",
                    source,
                    len(documents) + 1,
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at {_mark(mark)}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        what = (
            "invalid YAML"
            if isinstance(exc, yaml.constructor.ConstructorError)
            else ("YAML syntax error")
        )
        raise SmiValidationError(
            [Problem(f"{what}{where}: {reason}", source, len(documents) + 1)]
        ) from None
    except _Refused as exc:
        raise SmiValidationError([Problem(exc.message, source, len(documents) + 1)]) from None
    except RecursionError:  # the pure-Python parser (no libyaml) on very deep nesting
        raise SmiValidationError(
            [Problem("YAML nests too deeply", source, len(documents) + 1)]
        ) from None
    finally:
        loader.dispose()
    return documents
