"""The operation catalog at run time: lookups, toolsets and search (ranking: runtime/search.py).

Reads scw_mcp/generated/catalog.json once; product modules are imported only when one of
their operations is called.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

import yaml

from scw_mcp.runtime.search import SearchDoc, SearchIndex
from scw_mcp.safety import READ

GATEWAY_TOOLS = ("search_operations", "describe_operation", "call_operation")


@dataclass(frozen=True)
class Entry:
    """One operation of the catalog, as the runtime needs it."""

    data: dict[str, Any]

    @property
    def name(self) -> str:
        return self.data["name"]

    @property
    def safety(self) -> str:
        return self.data["safety"]

    @property
    def schema(self) -> dict[str, Any]:
        return self.data["input_schema"]

    @property
    def is_override(self) -> bool:
        return bool(self.data.get("override"))

    def function(self) -> tuple[type, Any]:
        """(API class, generated call function) of a generated operation; imports its module."""
        module = importlib.import_module(f"scw_mcp.generated.{self.data['module']}")
        return module.OPERATIONS[self.name]


class Catalog:
    def __init__(self, data: dict[str, Any]):
        self.meta = {k: v for k, v in data.items() if k != "operations"}
        self.entries = {op["name"]: Entry(op) for op in data["operations"]}

    def get(self, name: str) -> Entry | None:
        return self.entries.get(name)

    def namespaces(self) -> set[str]:
        return {e.data["namespace"] for e in self.entries.values()}

    def products(self) -> set[str]:
        return {e.data["product"] for e in self.entries.values()}

    @cached_property
    def _search_index(self) -> SearchIndex:
        return SearchIndex(search_doc(e) for e in self.entries.values())

    def search(self, query: str, product: str | None = None, safety: str | None = None, limit: int = 10) -> list[Entry]:
        names = self._search_index.search(query, product=product, safety=safety, limit=limit)
        return [self.entries[name] for name in names]

    def core_names(self) -> list[str]:
        data = yaml.safe_load(resources.files("scw_mcp").joinpath("data/core_toolset.yaml").read_text(encoding="utf-8"))
        overrides = [e.name for e in self.entries.values() if e.is_override]
        replaced = {r for e in self.entries.values() if e.is_override for r in e.data.get("replaces", [])}
        generated = [n for n in data["generated"] if n in self.entries and n not in replaced]
        return overrides + generated

    def toolset(self, toolsets: list[str], read_only: bool) -> list[Entry]:
        """The typed tools to serve (the gateway tools are served besides, always)."""
        names: list[str] = []
        for toolset in toolsets:
            if toolset == "all":
                names.extend(self.entries)
            elif toolset == "core":
                names.extend(self.core_names())
            elif toolset in ("gateway", "none", ""):
                continue
            else:
                names.extend(
                    e.name for e in self.entries.values() if toolset in (e.data["namespace"], e.data["product"])
                )
        if "all" not in toolsets:
            # a hand-written tool stands in for the generated ones it replaces
            replaced = {r for n in names if self.entries[n].is_override for r in self.entries[n].data.get("replaces", [])}
            names = [n for n in names if n not in replaced]
        seen: dict[str, Entry] = {}
        for name in names:
            entry = self.entries[name]
            if read_only and entry.safety != READ:
                continue
            seen.setdefault(name, entry)
        return list(seen.values())

    def unknown_toolsets(self, toolsets: list[str]) -> list[str]:
        known = self.namespaces() | self.products() | {"all", "core", "gateway", "none"}
        return [t for t in toolsets if t not in known]


def search_doc(entry: Entry) -> SearchDoc:
    """What search needs of one catalog entry."""
    data = entry.data
    return SearchDoc(
        name=entry.name, product=data["product"], namespace=data["namespace"], summary=data["summary"],
        description=data["description"], safety=entry.safety,
        params=tuple(entry.schema.get("properties", {})), handwritten=entry.is_override,
    )


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    text = resources.files("scw_mcp").joinpath("generated/catalog.json").read_text(encoding="utf-8")
    return Catalog(json.loads(text))
