"""The pack's shape: pure rules, one pulumi_policy wrapper, the pack folder, config schemas, and
props as pulumi-policy hands them over (proxies that raise on unknown values).

pulumi-policy itself is not installed in the dev venv (its 1.21 release pins protobuf 5.29
while the dev venv resolves protobuf 6, README "Policy pack"), so the wrapper module is
checked by its imports here; policy_pack/check_pack.py drives it through the real
pulumi-policy servicer in the pack's own venv.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from policy_estates import Args, args_of, estate, of_type

from pulumi_smi.policy import POLICIES, mtls_required

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "pulumi_smi" / "policy"
PACK = ROOT / "policy_pack"
PULUMI = {"pulumi", "pulumi_kubernetes", "pulumi_aws", "pulumi_consul", "pulumi_policy"}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_the_rules_are_pure_and_only_the_wrapper_imports_pulumi_policy() -> None:
    modules = sorted(POLICY.glob("*.py"))
    assert {p.name for p in modules} >= {"rules.py", "pack.py", "canary.py", "mtls.py"}
    for path in modules:
        imported = _imports(path) & PULUMI
        assert imported == ({"pulumi_policy"} if path.name == "pack.py" else set()), path.name


def test_the_pack_folder_serves_the_wrapped_policies() -> None:
    settings = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text())
    assert settings["runtime"]["name"] == "python" and settings["description"]
    main = ast.parse((PACK / "__main__.py").read_text())
    calls = [n for n in ast.walk(main) if isinstance(n, ast.Call)]
    (pack,) = [c for c in calls if getattr(c.func, "id", None) == "PolicyPack"]
    assert isinstance(pack.args[0], ast.Constant) and pack.args[0].value == "pulumi-smi"
    assert "pulumi_smi.policy.pack" in {
        n.module for n in ast.walk(main) if isinstance(n, ast.ImportFrom)
    }
    requirements = (PACK / "requirements.txt").read_text().splitlines()
    assert "pulumi-smi[policy]" in requirements
    pyproject = (ROOT / "pyproject.toml").read_text()  # (tomllib is Python 3.11+)
    assert re.search(r'^policy = \["pulumi-policy>=1\.21', pyproject, re.M)
    dev = re.search(r"^dev = \[(.*?)\]", pyproject, re.M | re.S)
    assert dev is not None and "pulumi-policy" not in dev.group(1)  # make test stays as it was


def test_policy_names_and_config_schemas_are_what_pulumi_policy_accepts() -> None:
    names = [p.name for p in POLICIES]
    assert len(set(names)) == len(names) == 4 and "all" not in names
    for policy in POLICIES:
        assert policy.enforcement in ("mandatory", "advisory") and policy.description
        assert "enforcementLevel" not in policy.config_schema  # reserved by pulumi-policy
        schema = {"type": "object", "properties": dict(policy.config_schema)}
        jsonschema.Draft7Validator.check_schema(schema)
        defaults = {k: v["default"] for k, v in policy.config_schema.items() if "default" in v}
        jsonschema.validate(defaults, schema)
        jsonschema.validate({"exclude": ["shop/*"]}, schema)


_UNKNOWNS = {"04da6b54-80e4-46f7-96ec-b56ff0331ba9", "3eeb2bf0-c639-47a8-9e75-3b44932eb421"}


class _Dict(Mapping[str, Any]):
    """As pulumi_policy.proxy._DictProxy: reading an unknown value raises; ``["__target"]``."""

    def __init__(self, target: dict[str, Any]) -> None:
        self._target = target

    def __getitem__(self, key: str) -> Any:
        if key == "__target":
            return self._target
        value = self._target[key]
        if isinstance(value, str) and value in _UNKNOWNS:
            raise RuntimeError(f"UnknownValueError at {key}")
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._target)

    def __len__(self) -> int:
        return len(self._target)


class _List(Sequence[Any]):
    """As pulumi_policy.proxy._ListProxy."""

    def __init__(self, target: list[Any]) -> None:
        self._target = target

    def __getitem__(self, key: Any) -> Any:
        if key == "__target":
            return self._target
        value = self._target[key]
        if isinstance(value, str) and value in _UNKNOWNS:
            raise RuntimeError(f"UnknownValueError at {key}")
        return value

    def __len__(self) -> int:
        return len(self._target)


def _proxied(value: Any) -> Any:
    if isinstance(value, dict):
        return _Dict({k: _proxied(v) for k, v in value.items()})
    if isinstance(value, list):
        return _List([_proxied(v) for v in value])
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # protobuf Struct numbers
    return value


def test_props_are_read_behind_pulumi_policys_proxies_without_tripping_them() -> None:
    node = estate("appmesh").by_name("m-shop-client-virtualnode")
    args = args_of(node)
    plain_messages = mtls_required(args).messages
    assert plain_messages
    proxied = Args(args.resource_type, _proxied(dict(args.props)), args.urn, args.name)
    assert mtls_required(proxied).messages == plain_messages  # ports read back as ints

    peer = of_type(estate("istio"), "kubernetes:security.istio.io/v1:PeerAuthentication")
    props = dict(args_of(peer).props)
    props["spec"] = {"mtls": {"mode": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}}
    findings = mtls_required(Args(peer.type, _proxied(props), peer.urn, peer.name))
    assert not findings.violations and findings.unjudged
