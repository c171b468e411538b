"""``schema.json`` is the package schema the SDK's analyzer derives from the components, it is
a valid Pulumi package schema, and the plugin folder serves it.

Regenerate it with ``pulumi-smi schema > schema.json`` after changing
:mod:`pulumi_smi.multilang` (or upgrading the Pulumi SDKs, whose versions it names).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypedDict

import grpc
import jsonschema
import pulumi
import pytest
import yaml
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

import pulumi_smi as smi
from pulumi_smi.cli import main
from pulumi_smi.multilang import COMPONENTS, MeshKind
from pulumi_smi.multilang.schema import schema_json

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema.json"
DATA = ROOT / "sdk_tests" / "data"
METASCHEMA = DATA / "pulumi-package-metaschema.json"
PROVENANCE = DATA / "pulumi-package-metaschema.PROVENANCE.md"
TOKENS = {
    f"smi:index:{name}"
    for name in (
        "Mesh",
        "TrafficSplit",
        "TrafficTarget",
        "HTTPRouteGroup",
        "TCPRoute",
        "UDPRoute",
        "Manifests",
        "TrafficMetrics",
    )
}
REGENERATE = "regenerate it: pulumi-smi schema > schema.json"


@pytest.fixture(scope="module")
def printed() -> str:
    """What ``pulumi-smi schema`` prints."""
    out = io.StringIO()
    assert main(["schema"], stdout=out) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(SCHEMA.read_text())
    return parsed


def test_schema_json_is_what_pulumi_smi_schema_prints(printed: str) -> None:
    assert SCHEMA.read_text() == printed, f"schema.json is out of date: {REGENERATE}"


def test_the_schema_is_byte_stable(printed: str) -> None:
    assert schema_json() == printed
    assert printed.endswith("}\n")


def _metaschema() -> dict[str, Any]:
    """The metaschema, its ``(?<name>`` groups rewritten for Python's ``re`` (see PROVENANCE)."""
    text = METASCHEMA.read_text().replace("(?<", "(?P<")
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def test_the_metaschema_is_the_one_the_provenance_names() -> None:
    digest = hashlib.sha256(METASCHEMA.read_bytes()).hexdigest()
    assert f"`{digest}`" in PROVENANCE.read_text()
    assert "(?<" in METASCHEMA.read_text()  # copied as it is: rewritten only when loaded


def test_the_schema_is_a_valid_pulumi_package_schema(schema: dict[str, Any]) -> None:
    metaschema = _metaschema()
    jsonschema.Draft202012Validator.check_schema(metaschema)
    validator = jsonschema.Draft202012Validator(metaschema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(schema)]
    assert errors == []


def test_the_validation_catches_an_invalid_schema(schema: dict[str, Any]) -> None:
    """The check above would pass vacuously if the metaschema did not apply: a null enum
    description (the SDK's known defect for enum members without docstrings) fails it."""
    broken = json.loads(json.dumps(schema))
    broken["types"]["smi:index:MeshKind"]["enum"][0]["description"] = None
    validator = jsonschema.Draft202012Validator(_metaschema())
    assert list(validator.iter_errors(broken))


def test_the_package_name_version_and_tokens(schema: dict[str, Any]) -> None:
    assert schema["name"] == "smi"
    assert schema["version"] == smi.__version__
    assert set(schema["resources"]) == TOKENS
    assert all(r["isComponent"] for r in schema["resources"].values())
    assert set(schema["types"]) == {
        f"smi:index:{name}"
        for name in (
            "Backend",
            "ChildOptions",
            "CustomTimeouts",
            "HandoverScope",
            "HttpMatch",
            "MeshKind",
            "RouteKind",
            "Rule",
            "ServiceAccountRef",
            "WeightHandover",
        )
    }
    assert {d["name"] for d in schema["dependencies"]} == {"aws", "consul", "kubernetes"}


def _described(value: Any, path: str) -> Iterator[str]:
    """The paths of the properties, types and enum members that have no description."""
    if isinstance(value, dict):
        for key in ("inputProperties", "properties"):
            for name, prop in value.get(key, {}).items():
                if not prop.get("description"):
                    yield f"{path}.{key}.{name}"
        for member in value.get("enum", []):
            if not member.get("description"):
                yield f"{path}.enum.{member['name']}"
        typed = "type" in value and ("properties" in value or "enum" in value)
        if typed and not value.get("description"):
            yield path


def test_everything_other_languages_see_is_described(schema: dict[str, Any]) -> None:
    missing = [
        m
        for section in ("resources", "types")
        for token, value in schema[section].items()
        for m in _described(value, f"{section}.{token}")
    ]
    assert missing == []
    descriptions = json.dumps(schema)
    assert "\\n    " not in descriptions  # no source indentation in the Markdown
    assert "``" not in descriptions  # Markdown, not reStructuredText


def test_the_mesh_kinds_are_the_targets() -> None:
    assert [k.value for k in MeshKind] == [k.value for k in smi.MeshKind]


def test_integers_are_integers_and_meshes_are_names(schema: dict[str, Any]) -> None:
    resources = schema["resources"]
    weight = schema["types"]["smi:index:Backend"]["properties"]["weight"]
    assert weight["type"] == "integer"
    assert resources["smi:index:TCPRoute"]["inputProperties"]["ports"]["items"]["type"] == (
        "integer"
    )
    for token in TOKENS - {"smi:index:Mesh", "smi:index:TrafficMetrics"}:
        meshes = resources[token]["inputProperties"]["meshes"]
        assert meshes["items"]["type"] == "string", token
    metrics = resources["smi:index:TrafficMetrics"]
    assert metrics["inputProperties"]["mesh"]["type"] == "string"  # one mesh: its metrics
    assert metrics["requiredInputs"] == ["mesh"]
    provider = resources["smi:index:Mesh"]["inputProperties"]["kubernetesProvider"]
    assert provider["$ref"].endswith("#/resources/pulumi:providers:kubernetes")


def test_the_plugin_folder_serves_the_schema(schema: dict[str, Any], tmp_path: Path) -> None:
    """As the Python language host starts it: ``python <plugin folder> <engine address>``
    (the root ``__main__.py``, never the CLI), which prints its port and serves GetSchema."""
    plugin = yaml.safe_load((ROOT / "PulumiPlugin.yaml").read_text())
    assert plugin["runtime"]["name"] == "python"
    assert "-e .[consul]" in (ROOT / "requirements.txt").read_text().splitlines()
    process = subprocess.Popen(
        [sys.executable, str(ROOT), "127.0.0.1:1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    try:
        line = process.stdout.readline() if process.stdout else b""
        assert line.strip().isdigit(), process.communicate(timeout=60)[1].decode()
        with grpc.insecure_channel(f"127.0.0.1:{int(line)}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            served = stub.GetSchema(provider_pb2.GetSchemaRequest(), timeout=60)
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=60)
    assert json.loads(served.schema) == schema
    assert b"usage: pulumi-smi" not in errors


def test_the_entry_point_imports_only_the_host() -> None:
    source = (ROOT / "__main__.py").read_text()
    imports = re.findall(r"^(?:from|import) (\S+)", source, flags=re.MULTILINE)
    assert imports == ["pulumi_smi.multilang.host"]


def test_a_subclass_of_a_python_component_is_refused_by_the_analyzer() -> None:
    """Why the multi-language classes do not derive from the Python ones (they build
    instances of classes deriving from both): the analyzer reads the annotations of every
    base class as outputs, and the Python components' are postponed (strings). If this test
    fails, the SDK accepts such subclasses: the classes could derive directly."""

    # The functional form: its annotations are objects, not the strings of this module.
    args = TypedDict("args", {"service": pulumi.Input[str]})  # type: ignore[misc]  # noqa: UP013

    class TrafficSplit(smi.TrafficSplit):
        def __init__(self, name: str, args: Any, opts: Any = None) -> None:
            super().__init__(name, service=args["service"], backends=[], meshes=[])

    # This module postpones annotations: give the analyzer real ones.
    TrafficSplit.__init__.__annotations__ = {"name": str, "args": args, "return": None}
    with pytest.raises(TypeError, match="issubclass"):
        ComponentProvider([TrafficSplit], "smi")
    assert ComponentProvider(COMPONENTS, "smi").schema
