"""Realistic arguments for an operation, built from its input schema (test helper)."""

from __future__ import annotations

from typing import Any

from scw_mcp.runtime.options import RUNNER_OPTIONS, WAIT_SECONDS

UUID = "11111111-2222-3333-4444-555555555555"
SKIPPED = {*RUNNER_OPTIONS, "wait", WAIT_SECONDS}  # options, not API parameters


def _resolve(schema: dict, defs: dict) -> dict:
    while True:
        if "$ref" in schema:
            schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        else:
            return schema


def sample(schema: dict, defs: dict, name: str = "") -> Any:
    schema = _resolve(schema, defs)
    if "enum" in schema:
        values = [v for v in schema["enum"] if not str(v).startswith("unknown")]
        return (values or schema["enum"])[0]
    kind = schema.get("type")
    if kind == "string":
        if schema.get("format") == "date-time":
            return "2026-01-31T12:00:00Z"
        if schema.get("contentEncoding") == "base64":
            return "aGVsbG8="
        if name == "zone":
            return "fr-par-1"
        if name == "region":
            return "fr-par"
        if name.endswith("_id") or name == "id":
            return UUID
        return "example"
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "array":
        return [sample(schema.get("items", {}), defs, name)]
    if kind == "object":
        if "properties" in schema:
            return {
                key: sample(prop, defs, key)
                for key, prop in schema["properties"].items()
                if key in schema.get("required", [])
            }
        return {"key": sample(schema.get("additionalProperties", {}), defs, "key")}
    return "anything"


def realistic_call(op: dict) -> dict:
    """All required parameters, plus every optional scalar or nested one, with plausible values."""
    schema = op["input_schema"]
    defs = schema.get("$defs", {})
    args = {}
    for key, prop in schema.get("properties", {}).items():
        if key in SKIPPED:
            continue
        args[key] = sample(prop, defs, key)
    return args
