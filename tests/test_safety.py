"""Safety classes: pinned for every operation, spot-checked for the core products."""

from __future__ import annotations

import difflib
import json
import os

from scw_mcp.safety import SAFETY_CLASSES, annotation_hints, classify
from tests.conftest import GOLDEN

PINNED = GOLDEN / "safety.json"


def test_full_table_is_pinned(catalog):
    table = {op["name"]: op["safety"] for op in catalog["operations"]}
    actual = json.dumps(table, indent=0, sort_keys=True) + "\n"
    if os.environ.get("SCW_MCP_UPDATE_GOLDEN") or not PINNED.exists():
        PINNED.write_text(actual)
    expected = PINNED.read_text()
    diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "pinned", "catalog"))
    assert actual == expected, f"safety classes changed (review, then SCW_MCP_UPDATE_GOLDEN=1):\n{diff}"


def test_core_operations_are_classified_by_hand(operations):
    expect = {
        "instance_list_servers": "read",
        "instance_get_server": "read",
        "instance_create_server": "mutate",
        "instance_server_action": "destructive",
        "instance_delete_server": "destructive",
        "instance_detach_server_volume": "destructive",
        "k8s_delete_cluster": "destructive",
        "secret_access_secret_version": "secret",
        "iam_create_api_key": "secret",
        "rdb_reset_read_replica": "destructive",
        "rdb_restore_database_backup": "destructive",
        "rdb_update_user": "mutate",
        "vpc_create_private_network": "mutate",
        "registry_delete_image": "destructive",
        "instance_set_security_group_rules": "destructive",
    }
    for name, cls in expect.items():
        assert operations[name]["safety"] == cls, name
    assert {op["safety"] for op in operations.values()} <= set(SAFETY_CLASSES)


def test_verb_rules_and_exceptions():
    assert classify("x_list_things", "list_things") == "read"
    assert classify("x_delete_thing", "delete_thing") == "destructive"
    assert classify("x_frobnicate", "frobnicate") == "mutate"
    assert classify("secret_access_secret_version", "access_secret_version") == "secret"


def test_annotations_match_class():
    assert annotation_hints("read")["read_only_hint"] is True
    assert annotation_hints("destructive")["destructive_hint"] is True
    assert annotation_hints("mutate") == {
        "read_only_hint": False, "destructive_hint": False, "idempotent_hint": False, "open_world_hint": True
    }
