"""How a hand-written operation runs: a declared function `fn(ctx, **arguments)`.

The server hands the runtime a reference (`module:function`) for each; the module is
imported on the first call, so start-up does not pay for it.
"""

from __future__ import annotations

import inspect
from typing import Any

from .convert import to_json
from .operation import Operation, load_object
from .results import as_object


class FunctionExecutor:
    def __init__(self, function: str, preview: str | None = None):
        self.function = function
        self.preview_function = preview

    async def execute(self, op: Operation, ctx: Any, arguments: dict[str, Any]) -> Any:
        return as_object(to_json(await _run(load_object(self.function), ctx, arguments)))

    async def preview(self, op: Operation, ctx: Any, arguments: dict[str, Any]) -> Any:
        if self.preview_function is None:
            return None
        return to_json(await _run(load_object(self.preview_function), ctx, arguments))


async def _run(fn: Any, ctx: Any, arguments: dict[str, Any]) -> Any:
    result = fn(ctx, **arguments)
    return await result if inspect.isawaitable(result) else result
