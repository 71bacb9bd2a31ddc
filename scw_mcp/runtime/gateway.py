"""The three gateway tools that reach every operation, whatever the toolset."""

from __future__ import annotations

import difflib
from typing import Any

from scw_mcp.safety import SAFETY_CLASSES

from .catalog import Catalog
from .errors import ToolFailure

SEARCH = "search_operations"
DESCRIBE = "describe_operation"
CALL = "call_operation"

GATEWAY_SCHEMAS: dict[str, dict[str, Any]] = {
    SEARCH: {
        "description": (
            "Find Scaleway operations for a plain-language request (e.g. 'stop a server', 'list kubernetes clusters'). "
            "Returns ranked operation names with summaries and safety classes; then describe_operation or call_operation."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "What you want to do."},
                "product": {"type": "string", "description": "Only this product, e.g. instance, k8s, rdb, vpc."},
                "safety": {"type": "string", "enum": list(SAFETY_CLASSES)},
                "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
            },
            "required": ["query"],
            "additionalProperties": False,
        },
        "safety": "read",
    },
    DESCRIBE: {
        "description": "Full description and input schema of one operation found with search_operations.",
        "input_schema": {
            "type": "object",
            "properties": {"name": {"type": "string", "description": "Operation name, e.g. instance_list_servers."}},
            "required": ["name"],
            "additionalProperties": False,
        },
        "safety": "read",
    },
    CALL: {
        "description": (
            "Run any Scaleway operation by name with arguments matching its input schema (see describe_operation). "
            "Same validation and safety rules as typed tools: destructive operations first return a preview and a confirm_token."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "Operation name."},
                "arguments": {"type": "object", "description": "Arguments for the operation.", "default": {}},
            },
            "required": ["name"],
            "additionalProperties": False,
        },
        "safety": "mutate",
    },
}


def unknown_operation(catalog: Catalog, name: str) -> ToolFailure:
    close = difflib.get_close_matches(name, list(catalog.entries), n=3, cutoff=0.8)
    close = close or [e.name for e in catalog.search(name.replace("_", " "), limit=3)]
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return ToolFailure(f"Unknown operation {name!r}.{hint} Use search_operations to find one.")


def search(catalog: Catalog, read_only: bool, query: str, product: str | None = None, safety: str | None = None, limit: int = 10) -> dict[str, Any]:
    entries = catalog.search(query, product=product, safety=safety, limit=max(limit * 3, limit) if read_only else limit)
    if read_only:
        entries = [e for e in entries if e.safety == "read"][:limit]
    return {
        "query": query,
        "operations": [{"name": e.name, "summary": e.data["summary"], "safety": e.safety} for e in entries],
        "hint": "describe_operation(name) gives the input schema; call_operation(name, arguments) runs it.",
    }


def describe(catalog: Catalog, name: str) -> dict[str, Any]:
    entry = catalog.get(name)
    if entry is None:
        raise unknown_operation(catalog, name)
    data = entry.data
    return {
        "name": entry.name,
        "summary": data["summary"],
        "description": data["description"],
        "product": data["product"],
        "version": data["version"],
        "safety": entry.safety,
        "sdk": data["sdk"],
        "input_schema": entry.schema,
        **({"replaces": data["replaces"]} if data.get("replaces") else {}),
    }
