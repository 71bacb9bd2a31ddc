"""Golden files for representative operations: catalog entry + generated function source.

Update after an intended change with: SCW_MCP_UPDATE_GOLDEN=1 python -m pytest tests/generator
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import json
import os

import pytest

from tests.conftest import GOLDEN

CASES = {
    "instance_list_servers": "a list with pagination, zone-scoped",
    "instance_create_server": "a create with a nested dataclass map and a one-of",
    "instance_server_action": "an enum parameter and a destructive class",
    "k8s_create_cluster": "region-scoped create with nested objects and a wait",
    "rdb_list_instances": "region-scoped list",
    "secret_access_secret_version": "a secret operation",
}


def _render(op: dict) -> str:
    module = importlib.import_module(f"scw_mcp.generated.{op['module']}")
    _, function = module.OPERATIONS[op["name"]]
    return json.dumps(op, indent=1, sort_keys=True) + "\n\n" + inspect.getsource(function)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name, operations):
    actual = _render(operations[name])
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("SCW_MCP_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing: write it with SCW_MCP_UPDATE_GOLDEN=1 and review it"
    expected = path.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), str(path), "generated"))
    assert actual == expected, f"{CASES[name]} changed:\n{diff}\nUpdate with SCW_MCP_UPDATE_GOLDEN=1 if intended."


def test_golden_cases_cover_what_they_claim(operations):
    assert operations["instance_list_servers"]["list_key"] == "servers"
    assert operations["instance_list_servers"]["paging"] == "page"
    assert operations["instance_create_server"]["one_of"] == {"project_identifier": ["project", "organization"]}
    assert "$defs" in operations["instance_create_server"]["input_schema"]
    action = operations["instance_server_action"]["input_schema"]["properties"]["action"]
    assert "enum" in action and "terminate" in action["enum"]
    assert operations["k8s_create_cluster"]["scope"] == "region"
    assert operations["k8s_create_cluster"]["wait"]["method"] == "wait_for_cluster"
    assert operations["instance_list_servers"]["scope"] == "zone"
    assert operations["secret_access_secret_version"]["safety"] == "secret"
