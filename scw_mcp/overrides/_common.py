"""Helpers shared by the hand-written operations (not an override module itself)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema

from scw_mcp.runtime import options, waiting
from scw_mcp.runtime.catalog import load_catalog
from scw_mcp.runtime.context import CallContext
from scw_mcp.runtime.convert import to_json
from scw_mcp.runtime.errors import ToolFailure, describe
from scw_mcp.runtime.settings import UUID_RE

# --- compact schemas ---------------------------------------------------------------------
# The default tools/list must stay small (all core tools under 40 KB): optional parameters
# are written as `"type": ["string", "null"]` without `"default": null` instead of pydantic's
# anyOf form; zone and region need no description (the runtime fills the configured default).


def _drop_null_default(schema: dict[str, Any]) -> None:
    if "default" in schema and schema["default"] is None:
        del schema["default"]


def nullable(json_type: str, **extra: Any) -> Any:
    """Schema marker for an optional parameter: Annotated[T | None, nullable("string")] = None."""
    return WithJsonSchema({"type": [json_type, "null"], **extra})


NO_NULL_DEFAULT = Field(json_schema_extra=_drop_null_default)
OptStr = Annotated[str | None, nullable("string"), NO_NULL_DEFAULT]
OptBool = Annotated[bool | None, nullable("boolean"), NO_NULL_DEFAULT]
OptTags = Annotated[list[str] | None, nullable("array", items={"type": "string"}), NO_NULL_DEFAULT]
Zone = OptStr
Region = OptStr
Page = Annotated[int, Field(ge=1)]
PerPage = Annotated[int, Field(ge=1, le=100)]


# The deadline of a `wait` (the same option, name and bounds as the generated operations').
WaitSeconds = Annotated[
    int, Field(ge=1, le=options.WAIT_MAX_SECONDS, description=options.WAIT_SECONDS_SCHEMA["description"])
]
WAIT_DEFAULT = options.WAIT_DEFAULT_SECONDS


def opt_int(**bounds: int) -> Any:
    """An optional integer with JSON-schema bounds (minimum=..., maximum=...)."""
    return Annotated[int | None, nullable("integer", **bounds), NO_NULL_DEFAULT]


async def sdk(ctx: CallContext, operation: str, **arguments: Any) -> Any:
    """Call a generated operation's SDK method with JSON arguments (converted as its tool does).

    Hand-written tools pass the arguments of the operation they stand in for through this."""
    op = load_catalog().get(operation)
    if op is None:
        raise KeyError(operation)
    return await op.executor.call(op, ctx, arguments)


async def optional(ctx: CallContext, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """An auxiliary read of a preview: if it fails, the preview says so in a note and goes on
    (a preview degrades, it never blocks the confirmation)."""
    try:
        return await ctx.run(fn, *args, **kwargs)
    except Exception as exc:  # any failure: the main read already succeeded
        ctx.note(f"Could not read {what}: {describe(exc)}")
        return None


def is_uuid(value: str) -> bool:
    return bool(UUID_RE.match(value))


def pick(data: Any, *keys: str) -> dict[str, Any]:
    """The named wire fields of an SDK object (converted to JSON first)."""
    data = to_json(data) if not isinstance(data, dict) else data
    return {k: data.get(k) for k in keys}


def page_result(items: list[Any], total: Any, page: int, per_page: int) -> dict[str, Any]:
    total_count = int(total) if total is not None else len(items)  # X-Total-Count may be a string
    more = (page - 1) * per_page + len(items) < total_count and len(items) > 0
    return {"items": items, "total_count": total_count, "page": page, "next_page": page + 1 if more else None}


async def poll(
    ctx: CallContext,
    fetch: Callable[[], Awaitable[tuple[Any, str]]],
    done: Iterable[str] | Callable[[str], bool],
    *,
    what: str,
    timeout_seconds: float,
    failed: Iterable[str] = (),
    continue_with: dict[str, Any] | None = None,
    until: str = "",
) -> Any:
    """Call `fetch` (-> (object, state)) until the state is in `done` (or `done(state)`); progress on each poll.

    At the deadline: with `continue_with` (the call that goes on waiting), the current object,
    and the result says where the wait stands (`wait`); without it (a step the tool cannot
    finish without), an error."""
    settled = done if callable(done) else set(done).__contains__
    failed = set(failed)
    waited = await waiting.poll(
        ctx, fetch, lambda state: settled(state) or state in failed, what=what, seconds=timeout_seconds
    )
    if waited.state in failed:
        raise ToolFailure(
            f"{what} failed: the resource went to state {waited.state!r}. "
            "What to do: get it for details (state_detail) and retry or contact support."
        )
    if not waited.done:
        if continue_with is None:
            raise ToolFailure(
                f"Timed out after {timeout_seconds}s waiting for {what} (last state: {waited.state!r}). "
                "What to do: the operation continues server-side; get the resource later to see its state."
            )
        ctx.waited = waiting.pending(waited, what, continue_with, until)
    return waited.obj


def valid_list_error(kind: str, value: str, valid: list[str], hint: str = "") -> ToolFailure:
    shown = ", ".join(valid[:60]) + (" …" if len(valid) > 60 else "")
    return ToolFailure(
        f"Unknown {kind} {value!r}. Valid {kind}s: {shown or 'none available'}.{(' ' + hint) if hint else ''}"
    )
