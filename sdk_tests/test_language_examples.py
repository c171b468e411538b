"""The TypeScript and YAML examples use only what ``schema.json`` offers.

There is no Pulumi CLI or Node toolchain with a generated ``@pulumi/smi`` here, so the
examples cannot run; instead every ``smi`` resource they declare is checked against the
committed package schema (which ``sdk_tests/multilang/test_schema.py`` proves is what the
components serve): the type token exists, every property given is an input of it (nested
objects against their types, enum literals against their values), every required input is
given, and every output they read is an output of it. A deliberately broken copy proves the
checker finds each kind of mistake.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parents[1]
SCHEMA = json.loads((ROOT / "schema.json").read_text())
TYPESCRIPT = ROOT / "examples" / "06-typescript-canary"
YAML_EXAMPLE = ROOT / "examples" / "07-yaml-canary"
_LOCAL = "#/types/"


@dataclass(frozen=True)
class Expr:
    """A value the program computes (a variable, ``100 - canary``, ``${cluster}``)."""

    text: str


# --- a small reader of TypeScript object literals ------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(//[^\n]*)|(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')|(-?\d+(?:\.\d+)?)|"
    r"([A-Za-z_$][\w$.]*)|(\?\?|[{}\[\](),:;=+\-*/<>!?.]))"
)


def tokens(text: str) -> list[str]:
    found: list[str] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            if text[position:].strip():
                raise ValueError(f"cannot read {text[position : position + 20]!r}")
            break
        position = match.end()
        if match.group(1) is None and match.group(0).strip():
            found.append(match.group(0).strip())
    return found


class _Reader:
    def __init__(self, items: list[str], start: int) -> None:
        self.items, self.at = items, start

    def take(self, expected: str | None = None) -> str:
        item = self.items[self.at]
        if expected is not None and item != expected:
            raise ValueError(f"expected {expected!r}, got {item!r}")
        self.at += 1
        return item

    def value(self) -> Any:
        item = self.items[self.at]
        if item == "{":
            return self.object()
        if item == "[":
            return self.array()
        if item[0] in "\"'" and self.items[self.at + 1] in (",", "}", "]"):
            return json.loads('"' + self.take()[1:-1] + '"')
        if re.fullmatch(r"-?\d+(\.\d+)?", item) and self.items[self.at + 1] in (",", "}", "]"):
            return json.loads(self.take())
        return self.expression()

    def expression(self) -> Expr:
        depth, words = 0, []
        while True:
            item = self.items[self.at]
            if depth == 0 and item in (",", "}", "]"):
                return Expr(" ".join(words))
            depth += item in "([{"
            depth -= item in ")]}"
            words.append(self.take())

    def object(self) -> dict[str, Any]:
        self.take("{")
        found: dict[str, Any] = {}
        while self.items[self.at] != "}":
            key = self.take().strip("\"'")
            self.take(":")
            found[key] = self.value()
            if self.items[self.at] == ",":
                self.take()
        self.take("}")
        return found

    def array(self) -> list[Any]:
        self.take("[")
        found: list[Any] = []
        while self.items[self.at] != "]":
            found.append(self.value())
            if self.items[self.at] == ",":
                self.take()
        self.take("]")
        return found


@dataclass(frozen=True)
class Declared:
    """One ``smi`` resource of a program: its type token, name, properties and the outputs
    the program reads from it."""

    token: str
    name: str
    properties: dict[str, Any]
    outputs: tuple[str, ...]


def typescript_resources(text: str) -> list[Declared]:
    items = tokens(text)
    found: list[Declared] = []
    for index, item in enumerate(items):
        if not (item.startswith("smi.") and index > 0 and items[index - 1] == "new"):
            continue
        reader = _Reader(items, index + 1)
        reader.take("(")
        name = json.loads('"' + reader.take()[1:-1] + '"')
        reader.take(",")
        properties = reader.object()
        variable = items[index - 2] if items[index - 2] == "=" else None
        target = items[index - 3] if variable else None
        read = tuple(
            sorted({i.split(".", 1)[1] for i in items if target and i.startswith(f"{target}.")})
        )
        found.append(Declared(f"smi:index:{item[4:]}", name, properties, read))
    return found


def yaml_resources(program: dict[str, Any]) -> list[Declared]:
    text = json.dumps(program.get("outputs") or {})
    found = []
    for name, resource in (program.get("resources") or {}).items():
        token = str(resource["type"])
        if not token.startswith("smi:"):
            continue
        if token.count(":") == 1:
            token = token.replace("smi:", "smi:index:", 1)
        read = tuple(sorted(set(re.findall(rf"\$\{{{re.escape(name)}\.(\w+)\}}", text))))
        found.append(Declared(token, name, _expressions(resource.get("properties") or {}), read))
    return found


def _expressions(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return Expr(value)
    if isinstance(value, dict):
        return {k: _expressions(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_expressions(v) for v in value]
    return value


# --- checking against the schema ------------------------------------------------------------


def _check_value(value: Any, prop: dict[str, Any], where: str) -> list[str]:
    if isinstance(value, Expr):
        return []
    reference = prop.get("$ref", "")
    if reference.startswith(_LOCAL):
        declared = SCHEMA["types"][reference[len(_LOCAL) :]]
        if "enum" in declared:
            values = [e["value"] for e in declared["enum"]]
            return [] if value in values else [f"{where}: {value!r} is not one of {values}"]
        return _check_object(value, declared.get("properties", {}), declared, where)
    if reference:  # another package's type (a provider): the program passes a resource
        return []
    kind = prop.get("type")
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where}: expected a list"]
        return [
            p for i, v in enumerate(value) for p in _check_value(v, prop["items"], f"{where}[{i}]")
        ]
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{where}: expected an object"]
        inner = prop.get("additionalProperties", {})
        return [p for k, v in value.items() for p in _check_value(v, inner, f"{where}.{k}")]
    expected = {"string": str, "integer": int, "number": (int, float), "boolean": bool}[kind]
    ok = isinstance(value, expected) and not (kind != "boolean" and isinstance(value, bool))
    return [] if ok else [f"{where}: expected {kind}, got {value!r}"]


def _check_object(
    value: Any, properties: dict[str, Any], declared: dict[str, Any], where: str
) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: expected an object"]
    problems = [f"{where}.{k}: no such property" for k in value if k not in properties]
    required = declared.get("required") or declared.get("requiredInputs") or []
    problems += [f"{where}: required {r!r} missing" for r in required if r not in value]
    for key, given in value.items():
        if key in properties:
            problems += _check_value(given, properties[key], f"{where}.{key}")
    return problems


def problems_of(declared: Declared) -> list[str]:
    resource = SCHEMA["resources"].get(declared.token)
    where = f"{declared.token} {declared.name}"
    if resource is None:
        return [f"{where}: no such resource type"]
    inputs = {**resource, "required": resource.get("requiredInputs", [])}
    found = _check_object(declared.properties, resource["inputProperties"], inputs, where)
    outputs = resource.get("properties", {})
    return found + [f"{where}: no output {o!r}" for o in declared.outputs if o not in outputs]


def typescript_program() -> list[Declared]:
    return typescript_resources((TYPESCRIPT / "index.ts").read_text())


def yaml_program() -> list[Declared]:
    return yaml_resources(yaml.safe_load((YAML_EXAMPLE / "Pulumi.yaml").read_text()))


@pytest.mark.parametrize("program", [typescript_program, yaml_program], ids=["typescript", "yaml"])
def test_every_resource_and_property_exists_in_the_schema(program: Any) -> None:
    declared = program()
    assert {d.token for d in declared} == {
        "smi:index:Mesh",
        "smi:index:TrafficSplit",
        "smi:index:HTTPRouteGroup",
        "smi:index:TrafficTarget",
    }
    assert [p for d in declared for p in problems_of(d)] == []
    split = next(d for d in declared if d.token == "smi:index:TrafficSplit")
    assert split.outputs == ("resourceNames", "shares")
    assert len(split.properties["backends"]) == 2


@pytest.mark.parametrize("program", [typescript_program, yaml_program], ids=["typescript", "yaml"])
def test_every_named_mesh_and_route_group_is_declared_and_waited_for(program: Any) -> None:
    declared = program()
    names = {
        d.token.rsplit(":", 1)[1]: {x.name for x in declared if x.token == d.token}
        for d in declared
    }
    for resource in declared:
        for mesh in resource.properties.get("meshes", []):
            assert mesh in names["Mesh"], (resource.name, mesh)
        for rule in resource.properties.get("rules", []):
            assert rule["name"] in names[rule["kind"]], (resource.name, rule)


def test_the_checker_finds_each_kind_of_mistake() -> None:
    broken = [
        Declared("smi:index:TrafficSplitt", "a", {}, ()),
        Declared(
            "smi:index:TrafficSplit", "b", {"service": "s", "meshes": ["m"], "backend": []}, ()
        ),
        Declared(
            "smi:index:TrafficSplit",
            "c",
            {"service": "s", "meshes": ["m"], "backends": [{"service": "x", "weigth": 1}]},
            ("share",),
        ),
        Declared("smi:index:Mesh", "d", {"kind": "istoi"}, ()),
        Declared("smi:index:TCPRoute", "e", {"meshes": ["m"], "ports": ["80"]}, ()),
    ]
    found = {d.name: problems_of(d) for d in broken}
    assert found["a"] == ["smi:index:TrafficSplitt a: no such resource type"]
    assert "smi:index:TrafficSplit b.backend: no such property" in found["b"]
    assert "smi:index:TrafficSplit b: required 'backends' missing" in found["b"]
    assert "smi:index:TrafficSplit c.backends[0].weigth: no such property" in found["c"]
    assert "smi:index:TrafficSplit c.backends[0]: required 'weight' missing" in found["c"]
    assert "smi:index:TrafficSplit c: no output 'share'" in found["c"]
    assert any("'istoi' is not one of" in p for p in found["d"])
    assert found["e"] == ["smi:index:TCPRoute e.ports[0]: expected integer, got '80'"]


def test_the_typescript_reader_reads_the_literals_it_checks() -> None:
    [declared] = typescript_resources(
        'const s = new smi.TrafficSplit("web", { service: "web", meshes: ["m"], backends: '
        '[{ service: "a", weight: 100 - canary }, { service: "b", weight: 10 }] }, '
        "{ dependsOn: [mesh] });\nexport const x = s.shares;"
    )
    assert declared.name == "web"
    assert declared.properties["backends"][0]["weight"] == Expr("100 - canary")
    assert declared.properties["backends"][1] == {"service": "b", "weight": 10}
    assert declared.outputs == ("shares",)


def test_both_programs_point_at_this_repository_as_the_package() -> None:
    for example in (TYPESCRIPT, YAML_EXAMPLE):
        project = yaml.safe_load((example / "Pulumi.yaml").read_text())
        assert (example / project["packages"]["smi"] / "PulumiPlugin.yaml").is_file()
        assert (example / "README.md").is_file()
    package = json.loads((TYPESCRIPT / "package.json").read_text())
    assert package["dependencies"]["@pulumi/smi"] == "file:sdks/smi"
    assert yaml.safe_load((YAML_EXAMPLE / "Pulumi.yaml").read_text())["runtime"] == "yaml"
