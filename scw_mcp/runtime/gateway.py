"""The three gateway tools that reach every operation, whatever the toolset."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from scw_mcp.safety import SAFETY_CLASSES

from .catalog import Catalog
from .errors import ToolFailure
from .operation import Operation

SEARCH = "search_operations"
DESCRIBE = "describe_operation"
CALL = "call_operation"

GATEWAY_SCHEMAS: dict[str, dict[str, Any]] = {
    SEARCH: {
        "description": (
            "Find Scaleway operations for a plain-language request (e.g. 'stop a server', 'list kubernetes clusters'). "
            "Returns ranked operation names with summaries and safety classes; "
            "then describe_operation or call_operation."
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
            "Same validation and safety rules as typed tools: destructive operations first return a preview "
            "and a confirm_token. Reads also take query (JMESPath) in arguments."
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


# The gateway tools' own arguments are validated like an operation's.
GATEWAY_OPERATIONS = {
    name: Operation(
        name=name,
        product="gateway",
        namespace="gateway",
        version="",
        safety=spec["safety"],
        summary=name,
        description=spec["description"],
        scope="",
        schema=spec["input_schema"],
        executor=None,
    )  # type: ignore[arg-type]
    for name, spec in GATEWAY_SCHEMAS.items()
}


def unknown_operation(catalog: Catalog, name: str) -> ToolFailure:
    close = difflib.get_close_matches(name, list(catalog.entries), n=3, cutoff=0.8)
    close = close or [e.name for e in catalog.search(name.replace("_", " "), limit=3)]
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return ToolFailure(f"Unknown operation {name!r}.{hint} Use search_operations to find one.")


def search(
    catalog: Catalog,
    serves: Callable[[Any], bool],
    query: str,
    product: str | None = None,
    safety: str | None = None,
    limit: int = 10,
) -> dict[str, Any]:
    """Ranked operations for a request, among those the server lets through (read-only, policy)."""
    entries = [e for e in catalog.search(query, product=product, safety=safety, limit=limit * 3) if serves(e)][:limit]
    return {
        "query": query,
        "operations": [{"name": e.name, "summary": e.summary, "safety": e.safety} for e in entries],
        "hint": "describe_operation(name) gives the input schema; call_operation(name, arguments) runs it.",
    }


def describe(catalog: Catalog, name: str) -> dict[str, Any]:
    entry = catalog.get(name)
    if entry is None:
        raise unknown_operation(catalog, name)
    return {
        "name": entry.name,
        "summary": entry.summary,
        "description": entry.description,
        "product": entry.product,
        "version": entry.version,
        "safety": entry.safety,
        "sdk": list(entry.sdk),
        "input_schema": entry.input_schema,
        **({"handwritten": True, "replaces": list(entry.replaces)} if entry.handwritten else {}),
    }
