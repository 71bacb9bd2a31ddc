"""Arguments as agents write them, made to fit the schema before it validates them.

Two habits of models and of people used to the API, the CLI or the Go SDK:
- null for "not set": an optional property that is null is dropped, at any depth, so the
  operation sees it absent (a null in a required property stays, and validation names it);
- enum values spelled another way: `NoSchedule`, `no-schedule`, `No Schedule` and
  `NO_SCHEDULE` all become the schema's `no_schedule`, when exactly one value matches.

Pure: `normalize(schema, arguments)` returns new arguments and changes nothing it is given.
"""

from __future__ import annotations

import re
from typing import Any

_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def normalize(schema: dict[str, Any], arguments: dict[str, Any]) -> dict[str, Any]:
    return _value(schema, arguments, schema.get("$defs") or {})


def _resolve(schema: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """Follow local $refs and one-member allOf wrappers (how descriptions sit next to a $ref)."""
    for _ in range(32):  # a cycle of $refs would be a broken schema; stop rather than spin
        if not isinstance(schema, dict):
            return {}
        if isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/$defs/"):
            schema = defs.get(schema["$ref"][len("#/$defs/") :], {})
        elif isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        else:
            return schema
    return {}


def _branches(schema: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema itself, or the alternatives of an anyOf/oneOf (pydantic's Optional[X])."""
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(alternatives, list):
        return [_resolve(s, defs) for s in alternatives]
    return [schema]


def _accepts(schema: dict[str, Any], kind: str) -> bool:
    declared = schema.get("type")
    types = declared if isinstance(declared, list) else [declared]
    return kind in types or (kind == "object" and "properties" in schema)


def _value(schema: Any, value: Any, defs: dict[str, Any]) -> Any:
    branches = _branches(_resolve(schema, defs), defs)
    if isinstance(value, dict):
        branch = next((b for b in branches if _accepts(b, "object")), None)
        return _object(branch, value, defs) if branch is not None else value
    if isinstance(value, list):
        branch = next((b for b in branches if _accepts(b, "array")), None)
        return [_value(branch.get("items"), v, defs) for v in value] if branch is not None else value
    if isinstance(value, str):
        values = [v for b in branches for v in b.get("enum") or [] if isinstance(v, str)]
        return _enum_value(value, values) if values else value
    return value


def _object(schema: dict[str, Any], value: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    extra = schema.get("additionalProperties")
    out = {}
    for key, item in value.items():
        if key in properties:
            if item is None and key not in required:
                continue  # null means "not set"
            out[key] = _value(properties[key], item, defs)
        elif isinstance(extra, dict):  # a map: its values follow the one schema
            out[key] = _value(extra, item, defs)
        else:
            out[key] = item  # unknown: validation says so
    return out


def _key(text: str) -> str:
    """One spelling for NoSchedule, no-schedule, no_schedule, 'No Schedule', NO_SCHEDULE: noschedule.

    Two values that differ only in case or separators would share a key; `_enum_value`
    then maps neither."""
    return _NOT_ALNUM.sub("", text.lower())


def _enum_value(value: str, values: list[str]) -> str:
    if value in values:
        return value
    matches = [v for v in values if _key(v) == _key(value)]
    return matches[0] if len(matches) == 1 else value
