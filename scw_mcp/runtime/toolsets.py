"""Toolsets: which operations are served as typed tools (the gateway tools are served always).

`core` is a curated list (data/core_toolset.yaml); `all` is every operation; any product or
namespace name adds that product's operations; `gateway` (or `none`) serves none.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from .catalog import Catalog
from .operation import Operation

SPECIAL = ("core", "all", "gateway", "none")


@lru_cache(maxsize=1)
def core_spec() -> dict[str, Any]:
    return yaml.safe_load(resources.files("scw_mcp").joinpath("data/core_toolset.yaml").read_text(encoding="utf-8"))


def core_names() -> list[str]:
    return [name for names in core_spec()["tools"].values() for name in names]


def select(catalog: Catalog, toolsets: list[str] | tuple[str, ...]) -> list[Operation]:
    """The operations the toolsets name, in a stable order, each once."""
    names: list[str] = []
    for toolset in toolsets:
        if toolset == "all":
            names.extend(catalog.entries)
        elif toolset == "core":
            names.extend(n for n in core_names() if n in catalog)
        elif toolset in ("gateway", "none", ""):
            continue
        else:
            ops = catalog.entries
            names.extend(n for n in ops if toolset in (ops.field(n, "namespace"), ops.field(n, "product")))
    return [catalog.entries[name] for name in dict.fromkeys(names)]


def unknown(catalog: Catalog, toolsets: list[str] | tuple[str, ...]) -> list[str]:
    named = [t for t in toolsets if t not in SPECIAL]
    if not named:  # core, all, gateway: no need to read every operation's product
        return []
    known = catalog.namespaces() | catalog.products()
    return [t for t in named if t not in known]
