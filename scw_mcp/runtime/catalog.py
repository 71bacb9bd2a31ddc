"""The operation catalog at run time: lookups and search (ranking: runtime/search.py).

Reads scw_mcp/generated/catalog.json once (SDK operations only); the server joins the
hand-written operations to it. Product modules are imported only when one of their
operations is called.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from scw_mcp.safety import READ

from .operation import Operation
from .sdk import SdkExecutor

if TYPE_CHECKING:
    from .search import SearchDoc, SearchIndex


def operation_from_entry(data: dict[str, Any], catalog: Catalog) -> Operation:
    """A generated operation from its catalog.json entry (an SDK call, or an S3 one through boto3)."""
    if data.get("client") == "s3":
        from .s3 import S3Executor

        executor: Any = S3Executor()
        extra = {"s3": data["s3"]}
    else:
        executor = SdkExecutor(data["module"], catalog)
        extra = {"wait": data["wait"]} if data.get("wait") else {}
    return Operation.from_entry(
        data,
        executor,
        sdk=(data["sdk"],),
        performs=(data["name"],),
        writes=(data["name"],) if data["safety"] != READ else (),
        list_key=data.get("list_key"),
        one_of=tuple((group, tuple(members)) for group, members in (data.get("one_of") or {}).items()),
        extra=extra,
    )


class Operations(Mapping[str, Operation]):
    """Operations by name, each built from its catalog entry the first time it is asked for:
    start-up serves a few dozen of 1,600 and need not build the rest."""

    def __init__(self, raw: Mapping[str, dict[str, Any]], built: dict[str, Operation], catalog: Catalog):
        self._raw, self._built, self._catalog = raw, built, catalog
        self._names = sorted({*raw, *built})

    def __getitem__(self, name: str) -> Operation:
        op = self._built.get(name)
        if op is None:
            op = self._built[name] = operation_from_entry(self._raw[name], self._catalog)
        return op

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._built or name in self._raw

    def field(self, name: str, key: str) -> Any:
        """One field of an operation, without building it."""
        return getattr(self._built[name], key) if name in self._built else self._raw[name][key]


class Catalog:
    """Operations by name: the SDK's (catalog.json), or those joined with hand-written ones."""

    def __init__(
        self,
        meta: dict[str, Any] | None = None,
        operations: Iterable[Operation] = (),
        raw: Mapping[str, dict[str, Any]] | None = None,
    ):
        self.meta = meta or {}
        self.entries = Operations(raw or {}, {op.name: op for op in operations}, self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Catalog:
        return cls(
            {k: v for k, v in data.items() if k != "operations"}, raw={op["name"]: op for op in data["operations"]}
        )

    def joined(self, handwritten: Iterable[Operation]) -> Catalog:
        """This catalog with hand-written operations standing in for the ones they replace.

        The generated ones keep belonging to this (the SDK) catalog, where their twins are."""
        handwritten = list(handwritten)
        replaced = {name for op in handwritten for name in op.replaces}
        joined = Catalog(self.meta)
        base = self.entries
        joined.entries = _JoinedOperations(
            base, [n for n in base if n not in replaced], {op.name: op for op in handwritten}
        )
        return joined

    def get(self, name: str) -> Operation | None:
        return self.entries.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def namespaces(self) -> set[str]:
        return {self.entries.field(name, "namespace") for name in self.entries}

    def products(self) -> set[str]:
        return {self.entries.field(name, "product") for name in self.entries}

    @cached_property
    def _search_index(self) -> SearchIndex:
        from .search import SearchIndex  # the first search pays for it, not start-up

        return SearchIndex(search_doc(op) for op in self.entries.values())

    def search(
        self, query: str, product: str | None = None, safety: str | None = None, limit: int = 10
    ) -> list[Operation]:
        """Operations for a plain-language request, best first (ranking: runtime/search.py)."""
        names = self._search_index.search(query, product=product, safety=safety, limit=limit)
        return [self.entries[name] for name in names]


def search_doc(op: Operation) -> SearchDoc:
    """What search needs of one operation."""
    from .search import SearchDoc, schema_details

    return SearchDoc(
        name=op.name,
        product=op.product,
        namespace=op.namespace,
        summary=op.summary,
        description=op.description,
        safety=op.safety,
        params=tuple(op.schema.get("properties", {})),
        handwritten=op.handwritten,
        details=schema_details(op.schema),
        param_text=" ".join(
            str(prop.get("description", ""))
            for name, prop in op.schema.get("properties", {}).items()
            if isinstance(prop, dict) and name not in _SHARED_PARAMS
        ),
    )


# parameters most operations share: their descriptions say nothing of what the operation does
_SHARED_PARAMS = frozenset(
    "zone region project_id organization_id confirm_token page page_size per_page order_by query offset "
    "timeout_seconds".split()
)


class _JoinedOperations(Operations):
    """The SDK's operations (built by their own catalog) with hand-written ones laid over them."""

    def __init__(self, base: Operations, kept: list[str], handwritten: dict[str, Operation]):
        self._base, self._kept, self._handwritten = base, set(kept), handwritten
        self._names = sorted({*kept, *handwritten})

    def __getitem__(self, name: str) -> Operation:
        if name in self._handwritten:
            return self._handwritten[name]
        if name in self._kept:
            return self._base[name]
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return name in self._handwritten or name in self._kept

    def field(self, name: str, key: str) -> Any:
        return getattr(self._handwritten[name], key) if name in self._handwritten else self._base.field(name, key)


class _CatalogEntries(Mapping[str, dict[str, Any]]):
    """catalog.json's operation entries by name, each decoded the first time it is read.

    Start-up needs a few dozen entries of 1,600 (2.6 MB of JSON, about 30 ms to decode whole).
    The generator writes the file with `indent=1`, so each entry is the text between a line
    `  {` and the next line `  }` (two spaces: nothing nested sits at that depth, and JSON
    strings hold no raw newline), and its first line is its name."""

    _OPEN, _CLOSE, _NAME = b"\n  {\n", b"\n  }", b'   "name": '

    def __init__(self, blob: bytes, start: int):
        self._blob, self._spans, self._decoded = blob, {}, {}
        at = blob.find(self._OPEN, start)
        while at != -1:
            end = blob.index(self._CLOSE, at)
            name_line = blob[at + len(self._OPEN) : blob.index(b"\n", at + len(self._OPEN))]
            if not (name_line.startswith(self._NAME) and name_line.endswith(b'",')):
                raise ValueError(f"catalog.json: the operation entry at byte {at} does not start with its name")
            # A tool name ([a-z0-9_]) needs no JSON unescaping.
            self._spans[name_line[len(self._NAME) + 1 : -2].decode()] = (at + 1, end + len(self._CLOSE))
            at = blob.find(self._OPEN, end)

    def __getitem__(self, name: str) -> dict[str, Any]:
        entry = self._decoded.get(name)
        if entry is None:
            start, end = self._spans[name]
            entry = self._decoded[name] = json.loads(self._blob[start:end])
        return entry

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def __contains__(self, name: object) -> bool:
        return name in self._spans


def catalog_from_bytes(blob: bytes) -> Catalog:
    """A catalog from catalog.json's bytes, its entries decoded as they are asked for."""
    operations = blob.index(b'\n "operations": [')
    meta = json.loads(blob[:operations].rstrip(b",") + b"\n}")
    return Catalog(meta, raw=_CatalogEntries(blob, operations))


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The SDK operations (generated/catalog.json), read once."""
    return catalog_from_bytes(resources.files("scw_mcp").joinpath("generated/catalog.json").read_bytes())
