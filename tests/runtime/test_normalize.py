"""normalize(): null means "not set" at any depth; enum values in any common spelling."""

from __future__ import annotations

import copy

import pytest

from scw_mcp.runtime.catalog import load_catalog
from scw_mcp.runtime.normalize import normalize

SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "zone": {"type": "string", "description": "optional"},
        "pools": {"type": "array", "items": {"$ref": "#/$defs/Pool"}},
        "config": {"allOf": [{"$ref": "#/$defs/Config"}], "description": "a $ref wrapped for its description"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "order": {"type": "string", "enum": ["created_at_asc", "created_at_desc"]},
    },
    "required": ["name"],
    "additionalProperties": False,
    "$defs": {
        "Pool": {
            "type": "object",
            "properties": {
                "size": {"type": "integer"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "taints": {"type": "array", "items": {"$ref": "#/$defs/Taint"}},
            },
            "required": ["size"],
        },
        "Taint": {
            "type": "object",
            "properties": {
                "key": {"type": "string"},
                "effect": {"type": "string", "enum": ["no_schedule", "prefer_no_schedule", "no_execute"]},
            },
        },
        "Config": {"type": "object", "properties": {"day": {"type": "string", "enum": ["any", "monday"]}}},
    },
}


def test_null_means_not_set_at_any_depth():
    arguments = {
        "name": "c1",
        "zone": None,
        "order": None,
        "pools": [{"size": 1, "tags": None, "taints": [{"key": "k", "effect": None}]}],
        "config": {"day": None},
    }
    expected = {"name": "c1", "pools": [{"size": 1, "taints": [{"key": "k"}]}], "config": {}}
    assert normalize(SCHEMA, arguments) == expected


def test_null_in_a_required_field_or_a_map_stays_for_validation_to_name():
    out = normalize(SCHEMA, {"name": None, "pools": [{"size": None}], "labels": {"team": None}})
    assert out == {"name": None, "pools": [{"size": None}], "labels": {"team": None}}


def test_unknown_fields_are_left_for_validation():
    assert normalize(SCHEMA, {"name": "x", "nmae": None}) == {"name": "x", "nmae": None}


@pytest.mark.parametrize(
    "spelling", ["NoSchedule", "no-schedule", "No Schedule", "NO_SCHEDULE", "noSchedule", "no_schedule"]
)
def test_enum_spellings_become_the_schema_value(spelling):
    out = normalize(SCHEMA, {"name": "x", "pools": [{"size": 1, "taints": [{"effect": spelling}]}]})
    assert out["pools"][0]["taints"][0]["effect"] == "no_schedule"


def test_enum_spellings_through_allof_and_at_the_top():
    out = normalize(SCHEMA, {"name": "x", "config": {"day": "Monday"}, "order": "CreatedAtDesc"})
    assert out["config"] == {"day": "monday"} and out["order"] == "created_at_desc"


def test_enum_values_that_match_nothing_or_several_stay_as_given():
    schema = {"type": "object", "properties": {"v": {"enum": ["a_b", "ab", "c"]}}}
    assert normalize(schema, {"v": "A-B"}) == {"v": "A-B"}  # a_b and ab share a spelling: no guess
    assert normalize(schema, {"v": "C"}) == {"v": "c"}
    assert normalize(schema, {"v": "sideways"}) == {"v": "sideways"}
    assert normalize(schema, {"v": 3}) == {"v": 3}


def test_pydantic_optional_enums_and_nullable_types():
    schema = {
        "type": "object",
        "properties": {
            "cni": {"anyOf": [{"enum": ["cilium", "calico"], "type": "string"}, {"type": "null"}], "default": None},
            "tags": {"type": ["array", "null"], "items": {"type": "string"}},
        },
    }
    assert normalize(schema, {"cni": "Cilium", "tags": None}) == {"cni": "cilium"}


def test_the_arguments_given_are_not_changed():
    arguments = {"name": "c1", "zone": None, "pools": [{"size": 1, "tags": None}]}
    before = copy.deepcopy(arguments)
    normalize(SCHEMA, arguments)
    assert arguments == before


def test_real_schemas_dns_record_type_and_k8s_taint_effect():
    catalog = load_catalog()
    records = catalog.get("domain_update_dns_zone_records").schema
    out = normalize(
        records,
        {
            "dns_zone": "example.com",
            "changes": [
                {
                    "add": {
                        "records": [
                            {"name": "www", "data": "192.0.2.1", "type": "A", "ttl": 3600, "priority": None, "id": None}
                        ]
                    }
                }
            ],
        },
    )
    assert out["changes"][0]["add"]["records"] == [{"name": "www", "data": "192.0.2.1", "type": "a", "ttl": 3600}]
    cluster = catalog.get("k8s_create_cluster").schema
    out = normalize(cluster, {"cni": "Cilium", "pools": [{"taints": [{"key": "k", "effect": "PreferNoSchedule"}]}]})
    assert out["cni"] == "cilium" and out["pools"][0]["taints"][0]["effect"] == "prefer_no_schedule"
