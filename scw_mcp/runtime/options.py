"""The options the runner adds to operations (not API parameters): their names and schemas.

One home for them: the runner pops them before the operation runs, schemas get them here.
`timeout_seconds` is the deadline of a `wait`: the executor (or the hand-written tool) reads
it with `wait`, so it stays among the operation's arguments.
"""

from __future__ import annotations

from typing import Any

from scw_mcp.safety import READ

CONFIRM_TOKEN = "confirm_token"
ALL_PAGES = "all_pages"
QUERY = "query"
OFFSET = "offset"
RUNNER_OPTIONS = (CONFIRM_TOKEN, ALL_PAGES, QUERY, OFFSET)
WAIT = "wait"
WAIT_SECONDS = "timeout_seconds"

# A wait's deadline: under the 60 s request timeout many clients have by default; a wait that
# reaches it returns the current state and how to keep waiting (never an error).
WAIT_DEFAULT_SECONDS = 45
WAIT_MAX_SECONDS = 1800

CONFIRM_TOKEN_SCHEMA = {
    "type": "string",
    "description": "Token from this call's preview; omit it to get the preview first.",
}
ALL_PAGES_SCHEMA = {
    "type": "boolean",
    "description": "Fetch every page (within the output budget) instead of one.",
}
QUERY_SCHEMA = {
    "type": "string",
    "description": "JMESPath applied to the result, e.g. items[].{id: id, name: name}.",
}
OFFSET_SCHEMA = {"type": "integer", "minimum": 0}  # from a result's `next`: skip that many items of the page
WAIT_SECONDS_SCHEMA = {
    "type": "integer",
    "minimum": 1,
    "maximum": WAIT_MAX_SECONDS,
    "description": f"Wait at most this long (default {WAIT_DEFAULT_SECONDS} s), then return the state so far.",
}


def takes_query(op: Any) -> bool:
    """Reads take `query`, unless the operation has a parameter of that name (search_search_resources)."""
    return op.safety == READ and QUERY not in op.schema.get("properties", {})


def option_schemas(op: Any) -> dict[str, dict[str, Any]]:
    """The runner's options that apply to this operation."""
    out: dict[str, dict[str, Any]] = {}
    if op.paging == "page" and op.list_key:
        out[ALL_PAGES] = ALL_PAGES_SCHEMA
    if op.paging in ("page", "token"):
        out[OFFSET] = OFFSET_SCHEMA
    if takes_query(op):
        out[QUERY] = QUERY_SCHEMA
    if op.extra.get("wait") and WAIT_SECONDS not in op.schema.get("properties", {}):
        out[WAIT_SECONDS] = WAIT_SECONDS_SCHEMA
    if op.safety != READ:  # destructive ones always confirm; a policy's `confirm` may ask for any write
        out[CONFIRM_TOKEN] = CONFIRM_TOKEN_SCHEMA
    return out


def with_runner_options(schema: dict[str, Any], op: Any) -> dict[str, Any]:
    extra = option_schemas(op)
    if not extra:
        return schema
    return {**schema, "properties": {**schema.get("properties", {}), **extra}}


def split(arguments: dict[str, Any], op: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the operation's own arguments, the runner's options). An operation's own parameter of
    an option's name (search_search_resources' query) stays its own."""
    own_params = op.schema.get("properties", {}) if op is not None else {}
    options = [name for name in RUNNER_OPTIONS if name not in own_params]
    own = {k: v for k, v in arguments.items() if k not in options}
    return own, {k: arguments[k] for k in options if arguments.get(k) is not None}
