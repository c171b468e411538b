"""The bench's generated estates: the templated text is what PyYAML dumps for the estate."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def estate() -> ModuleType:
    sys.path.insert(0, str(ROOT))
    try:
        from bench import estate
    finally:
        sys.path.remove(str(ROOT))
    return estate


@pytest.mark.parametrize("services", [1, 20, 21, 45])
def test_the_template_writes_what_dump_all_writes(estate: ModuleType, services: int) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    documents = estate.documents(services)
    assert estate.text(services) == yaml.dump_all(documents, Dumper=dumper, sort_keys=False)
    kubernetes = [d for d in documents if d["apiVersion"] in ("v1", "apps/v1")]
    expected = yaml.dump_all(kubernetes, Dumper=dumper, sort_keys=False)
    assert estate.catalogue_text(services) == expected
