"""The options the runner adds to operations (not API parameters): their names and schemas.

One home for them: the runner pops them before the operation runs, schemas get them here.
"""

from __future__ import annotations

from typing import Any

CONFIRM_TOKEN = "confirm_token"
ALL_PAGES = "all_pages"
RUNNER_OPTIONS = (CONFIRM_TOKEN, ALL_PAGES)

CONFIRM_TOKEN_SCHEMA = {
    "type": "string",
    "description": "Token from this call's preview; omit it to get the preview first.",
}
ALL_PAGES_SCHEMA = {
    "type": "boolean",
    "description": "Fetch every page (within the output budget) instead of one.",
}


def option_schemas(op: Any) -> dict[str, dict[str, Any]]:
    """The runner's options that apply to this operation."""
    out: dict[str, dict[str, Any]] = {}
    if op.paging == "page" and op.list_key:
        out[ALL_PAGES] = ALL_PAGES_SCHEMA
    if op.safety == "destructive":
        out[CONFIRM_TOKEN] = CONFIRM_TOKEN_SCHEMA
    return out


def with_runner_options(schema: dict[str, Any], op: Any) -> dict[str, Any]:
    extra = option_schemas(op)
    if not extra:
        return schema
    return {**schema, "properties": {**schema.get("properties", {}), **extra}}


def split(arguments: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the operation's own arguments, the runner's options)."""
    own = {k: v for k, v in arguments.items() if k not in RUNNER_OPTIONS}
    return own, {k: arguments[k] for k in RUNNER_OPTIONS if arguments.get(k) is not None}
