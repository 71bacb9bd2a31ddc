from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
CATALOG_PATH = ROOT / "scw_mcp" / "generated" / "catalog.json"


@pytest.fixture(scope="session")
def catalog() -> dict:
    return json.loads(CATALOG_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def operations(catalog) -> dict[str, dict]:
    return {op["name"]: op for op in catalog["operations"]}


@pytest.fixture
def sb(sandbox):
    """The module's sandbox (its own `sandbox` fixture), with no faults and an empty request log."""
    sandbox.set_faults([])
    sandbox.reset_requests()
    yield sandbox
    sandbox.set_faults([])
