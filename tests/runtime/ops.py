"""Operations for unit tests of the runtime (no SDK call behind them unless an executor is given)."""

from __future__ import annotations

from typing import Any

from scw_mcp.runtime.operation import Operation


class Recorded:
    """An executor that records its calls and returns what it was given."""

    def __init__(self, result: Any = None, state: Any = None):
        self.result = result if result is not None else {"ok": True}
        self.state = state
        self.calls: list[dict[str, Any]] = []
        self.previews: list[dict[str, Any]] = []

    async def execute(self, op: Operation, ctx: Any, arguments: dict[str, Any]) -> Any:
        self.calls.append(dict(arguments))
        return self.result(arguments) if callable(self.result) else self.result

    async def preview(self, op: Operation, ctx: Any, arguments: dict[str, Any]) -> Any:
        self.previews.append(dict(arguments))
        return self.state() if callable(self.state) else self.state


def make_op(
    name: str,
    safety: str = "read",
    *,
    performs: tuple[str, ...] | None = None,
    writes: tuple[str, ...] | None = None,
    scope: str = "",
    properties: dict[str, Any] | None = None,
    required: tuple[str, ...] = (),
    executor: Any = None,
    list_key: str | None = None,
    paging: str = "",
    path_params: tuple[str, ...] = (),
) -> Operation:
    performs = performs if performs is not None else (name,)
    writes = writes if writes is not None else (tuple(performs) if safety != "read" else ())
    properties = dict(properties or {})
    if scope:
        properties.setdefault(scope, {"type": "string"})
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return Operation(
        name=name,
        product=name.split("_")[0],
        namespace=name.split("_")[0],
        version="v1",
        safety=safety,
        summary=name,
        description=name,
        scope=scope,
        schema=schema,
        executor=executor or Recorded(),
        performs=performs,
        writes=writes,
        list_key=list_key,
        paging=paging,
        path_params=path_params,
    )
