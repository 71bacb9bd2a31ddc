"""One operation, whoever wrote it: the typed entry shared by generated and hand-written tools.

Generated operations come from `generated/catalog.json`; hand-written ones from their
declarations (`overrides/`), joined by the server. Both carry an `Executor` with the same
two methods, so the runner treats them alike.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from . import options


class Executor(Protocol):
    """What runs an operation: `execute` does it, `preview` shows what a destructive call will change."""

    async def execute(self, op: Operation, ctx: Any, arguments: dict[str, Any]) -> Any: ...

    async def preview(self, op: Operation, ctx: Any, arguments: dict[str, Any]) -> Any: ...


@dataclass(frozen=True)
class Operation:
    name: str
    product: str
    namespace: str
    version: str
    safety: str
    summary: str
    description: str
    scope: str  # "zone", "region" or "" (global)
    schema: dict[str, Any]  # the operation's own parameters (without the runner's options)
    executor: Executor = field(compare=False, repr=False)
    sdk: tuple[str, ...] = ()  # catalog form of each SDK operation it performs
    performs: tuple[str, ...] = ()  # names of the operations it performs (policy matches these)
    writes: tuple[str, ...] = ()  # those of them that change something (not read)
    replaces: tuple[str, ...] = ()  # generated operations it stands in for
    handwritten: bool = False
    list_key: str | None = None
    paging: str = ""  # "page", "token" or ""
    path_params: tuple[str, ...] = ()  # parameters that become a URL path segment
    one_of: tuple[tuple[str, tuple[str, ...]], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # executor-specific data

    @classmethod
    def from_entry(cls, data: dict[str, Any], executor: Executor, **fields: Any) -> Operation:
        """An operation from a catalog entry (catalog.json or declared.json): the fields both
        files hold under the same names, plus `fields`."""
        return cls(
            name=data["name"],
            product=data["product"],
            namespace=data["namespace"],
            version=data["version"],
            safety=data["safety"],
            summary=data["summary"],
            description=data["description"],
            scope=data["scope"],
            schema=data["input_schema"],
            executor=executor,
            paging=data.get("paging") or "",
            path_params=tuple(data.get("path_params") or ()),
            **fields,
        )

    @cached_property
    def input_schema(self) -> dict[str, Any]:
        """The schema clients see: the operation's parameters plus the runner's options."""
        return options.with_runner_options(self.schema, self)

    @property
    def title(self) -> str:
        return self.summary


def load_object(reference: str) -> Any:
    """`package.module:attribute` -> the attribute (imports the module on first use)."""
    module, _, attribute = reference.partition(":")
    target: Any = importlib.import_module(module)
    for part in attribute.split("."):
        target = getattr(target, part)
    return target
