"""JSON Schema (draft 2020-12) of each operation's input, from the model."""

from __future__ import annotations

from typing import Any

from .model import Field, ObjectDef, Operation, TypeRef

# The generated operation's own option (its SDK waiter); the runner adds its options
# (confirm_token, all_pages) at run time: scw_mcp/runtime/options.py.
WAIT = "wait"


def type_schema(ref: TypeRef) -> dict[str, Any]:
    kind = ref.kind
    if kind in ("string", "integer", "number", "boolean"):
        return {"type": kind}
    if kind == "any":
        return {}
    if kind == "enum":
        return {"type": "string", "enum": list(ref.values)}
    if kind == "datetime":
        return {"type": "string", "format": "date-time"}
    if kind == "bytes":
        return {"type": "string", "contentEncoding": "base64"}
    if kind == "file":
        return {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "content_type": {"type": "string"},
                "content": {"type": "string", "contentEncoding": "base64"},
            },
            "required": ["name", "content_type", "content"],
        }
    if kind == "object":
        return {"$ref": f"#/$defs/{ref.name}"}
    if kind == "array":
        assert ref.item is not None
        return {"type": "array", "items": type_schema(ref.item)}
    if kind == "map":
        assert ref.item is not None
        return {"type": "object", "additionalProperties": type_schema(ref.item)}
    raise ValueError(f"unknown kind {kind}")


def _field_schema(field: Field) -> dict[str, Any]:
    schema = type_schema(field.type)
    description = field.description
    if field.scope:
        description = f"{field.scope.capitalize()} to target; defaults to the configured {field.scope}."
    if description:
        if "$ref" in schema:  # keep $ref alone in its object for older validators
            schema = {"allOf": [schema], "description": description}
        else:
            schema["description"] = description
    if field.has_default:
        schema["default"] = field.default
    if field.secret:
        schema["writeOnly"] = True
    return schema


def _object_schema(fields: tuple[Field, ...], description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object"}
    if description:
        schema["description"] = description
    schema["properties"] = {f.name: _field_schema(f) for f in fields}
    required = [f.name for f in fields if f.required]
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def object_def_schema(definition: ObjectDef) -> dict[str, Any]:
    return _object_schema(definition.fields, definition.description)


def input_schema(op: Operation) -> dict[str, Any]:
    schema = _object_schema(op.params)
    properties = schema["properties"]
    if op.wait is not None:
        properties[WAIT] = {
            "type": "boolean",
            "description": "Wait until the resource reaches a stable state before returning.",
            "default": False,
        }
    if op.objects:
        schema["$defs"] = {d.name: object_def_schema(d) for d in op.objects}
    return schema
