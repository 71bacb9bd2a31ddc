"""Safety classes: pinned for every operation, spot-checked for the core products."""

from __future__ import annotations

import dataclasses
import difflib
import json
import os

from scw_mcp.safety import SAFETY_CLASSES, annotation_hints, classify, load_rules, product_wide_reads, wire_problems
from tests.conftest import GOLDEN, ROOT

PINNED = GOLDEN / "safety.json"


def test_full_table_is_pinned(catalog):
    table = {op["name"]: op["safety"] for op in catalog["operations"]}
    actual = json.dumps(table, indent=0, sort_keys=True) + "\n"
    if os.environ.get("SCW_MCP_UPDATE_GOLDEN"):
        PINNED.write_text(actual)
    assert PINNED.exists(), f"{PINNED} is missing: write it with SCW_MCP_UPDATE_GOLDEN=1 and review it"
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
        "audit_trail_delete_custom_alert_rule": "destructive",
        "audit_trail_enable_alert_rules": "mutate",
        "audit_trail_list_export_jobs": "read",
        "account_validate_contract_signature": "mutate",
        "rdb_prepare_instance_logs": "mutate",
        "iam_validate_user_mfaotp": "mutate",
        "baremetal_stop_bmc_access": "destructive",
        "instance_v2alpha1_stop_and_delete_server": "destructive",
        "instance_v2alpha1_set_security_group_rules": "destructive",
        "k8s_set_cluster_acl_rules": "destructive",
        "redis_set_acl_rules": "destructive",
        "lb_set_backend_servers": "destructive",
        "vpcgw_set_pat_rules": "destructive",
        "vpcgw_set_bastion_allowed_ips": "destructive",
        "iam_set_group_members": "destructive",
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
        "read_only_hint": False,
        "destructive_hint": False,
        "idempotent_hint": False,
        "open_world_hint": True,
    }


def _wire(operations):
    """Each operation's HTTP verbs, from the route table (read independently of the generator)."""
    routes = json.loads((ROOT / "scw_mcp" / "generated" / "routes.json").read_text())["routes"]
    verbs: dict[str, set[str]] = {}
    for route in routes:
        if route["operation"]:
            verbs.setdefault(route["operation"], set()).add(route["verb"])
    return verbs


def test_classes_match_what_is_sent(operations):
    verbs = _wire(operations)
    problems = []
    for name, op in operations.items():
        props = op["input_schema"]["properties"]
        collections = [
            k for k, v in props.items() if k != "tags" and (v.get("type") == "array" or "additionalProperties" in v)
        ]
        problems += wire_problems(
            name, name[len(op["namespace"]) + 1 :], op["safety"], verbs.get(name, set()), collections
        )
    assert not problems, "\n".join(problems)
    # the done criteria, stated plainly
    rules = load_rules()
    for name, op in operations.items():
        sent = verbs.get(name, set())
        assert op["safety"] != "read" or sent <= {"GET"} or name in rules.checked_non_get_reads, name
        assert "DELETE" not in sent or op["safety"] == "destructive", name


def test_no_product_wide_read_wildcard(operations):
    assert product_wide_reads({op["namespace"] for op in operations.values()}) == []


def test_a_wildcard_that_classes_a_product_read_is_caught():
    rules = load_rules()
    widened = dataclasses.replace(rules, exceptions=(("audit_trail*", "read"), *rules.exceptions))
    assert product_wide_reads({"audit_trail", "instance"}, widened) == ["audit_trail*"]
    assert wire_problems(
        "audit_trail_delete_custom_alert_rule", "delete_custom_alert_rule", "read", {"DELETE"}, [], widened
    )
