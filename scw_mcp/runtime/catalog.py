"""The operation catalog at run time: lookups and search (ranking: runtime/search.py).

Reads scw_mcp/generated/catalog.json once (SDK operations only); the server joins the
hand-written operations to it. Product modules are imported only when one of their
operations is called.
"""

from __future__ import annotations

import json
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any, Iterable

from scw_mcp.safety import READ

from .operation import Operation
from .search import SearchDoc, SearchIndex
from .sdk import SdkExecutor


def operation_from_entry(data: dict[str, Any], catalog: "Catalog") -> Operation:
    """A generated operation from its catalog.json entry (an SDK call, or an S3 one through boto3)."""
    if data.get("client") == "s3":
        from .s3 import S3Executor

        executor: Any = S3Executor()
        extra = {"s3": data["s3"]}
    else:
        executor = SdkExecutor(data["module"], catalog)
        extra = {"wait": data["wait"]} if data.get("wait") else {}
    return Operation(
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
        sdk=(data["sdk"],),
        performs=(data["name"],),
        writes=(data["name"],) if data["safety"] != READ else (),
        list_key=data.get("list_key"),
        paging=data.get("paging") or "",
        path_params=tuple(data.get("path_params") or ()),
        one_of=tuple((group, tuple(members)) for group, members in (data.get("one_of") or {}).items()),
        extra=extra,
    )


class Catalog:
    """Operations by name: the SDK's (catalog.json), or those joined with hand-written ones."""

    def __init__(self, meta: dict[str, Any] | None = None, operations: Iterable[Operation] = ()):
        self.meta = meta or {}
        self.entries: dict[str, Operation] = {op.name: op for op in operations}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Catalog":
        catalog = cls({k: v for k, v in data.items() if k != "operations"})
        catalog.entries = {op["name"]: operation_from_entry(op, catalog) for op in data["operations"]}
        return catalog

    def joined(self, handwritten: Iterable[Operation]) -> "Catalog":
        """This catalog with hand-written operations standing in for the ones they replace."""
        handwritten = list(handwritten)
        replaced = {name for op in handwritten for name in op.replaces}
        kept = [op for name, op in self.entries.items() if name not in replaced]
        return Catalog(self.meta, sorted([*kept, *handwritten], key=lambda op: op.name))

    def get(self, name: str) -> Operation | None:
        return self.entries.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def namespaces(self) -> set[str]:
        return {op.namespace for op in self.entries.values()}

    def products(self) -> set[str]:
        return {op.product for op in self.entries.values()}

    @cached_property
    def _search_index(self) -> SearchIndex:
        return SearchIndex(search_doc(op) for op in self.entries.values())

    def search(self, query: str, product: str | None = None, safety: str | None = None, limit: int = 10) -> list[Operation]:
        """Operations for a plain-language request, best first (ranking: runtime/search.py)."""
        names = self._search_index.search(query, product=product, safety=safety, limit=limit)
        return [self.entries[name] for name in names]


def search_doc(op: Operation) -> SearchDoc:
    """What search needs of one operation."""
    return SearchDoc(name=op.name, product=op.product, namespace=op.namespace, summary=op.summary,
                     description=op.description, safety=op.safety, params=tuple(op.schema.get("properties", {})),
                     handwritten=op.handwritten)


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The SDK operations (generated/catalog.json), read once."""
    text = resources.files("scw_mcp").joinpath("generated/catalog.json").read_text(encoding="utf-8")
    return Catalog.from_json(json.loads(text))
