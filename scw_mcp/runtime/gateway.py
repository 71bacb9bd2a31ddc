"""The three gateway tools that reach every operation, whatever the toolset."""

from __future__ import annotations

import difflib
from typing import Any

from scw_mcp.safety import SAFETY_CLASSES

from .catalog import Catalog
from .errors import ToolFailure
from .operation import Operation
from .policy import Gate

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


def unknown_operation(catalog: Catalog, name: str, kind: str = "operation", gate: Gate | None = None) -> ToolFailure:
    """Unknown, with the closest names (of those this server lets through, when given its gate)."""
    served = [n for n in catalog.entries if gate is None or gate.serves(catalog.entries[n])]
    close = difflib.get_close_matches(name, served, n=3, cutoff=0.8)
    close = (
        close or [e.name for e in catalog.search(name.replace("_", " "), limit=9) if gate is None or gate.serves(e)][:3]
    )
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return ToolFailure(f"Unknown {kind} {name!r}.{hint} Use search_operations to find one.")


def not_served(op: Operation, gate: Gate, toolsets: tuple[str, ...]) -> ToolFailure:
    """Why an operation of the catalog is not a tool here, and what to do instead."""
    refusal = gate.read_only_refusal(op)
    if refusal is not None:
        return refusal
    if not gate.policy.permits(op):
        return gate.refuse(f"{op.name} is not allowed, so it is not served.")
    wider = ",".join([*(t for t in toolsets if t not in ("gateway", "none")), op.namespace])
    return ToolFailure(
        f"{op.name} is not served as a typed tool here (toolsets: {', '.join(toolsets)}). What to do: call it "
        f"through call_operation(name={op.name!r}, arguments={{...}}) (describe_operation({op.name!r}) gives its "
        f"arguments), or restart scw-mcp with --toolsets {wider}."
    )


def hidden_by(gate: Gate) -> str:
    """What hides operations from search_operations on this server ("" when nothing does)."""
    policy = bool(gate.policy.allow or gate.policy.deny)
    if gate.read_only and policy:
        return "read-only mode serves reads only, and the policy does not allow some"
    if gate.read_only:
        return "this server runs in read-only mode (writes are refused)"
    return "the policy does not allow them" if policy else ""


def search(
    catalog: Catalog,
    gate: Gate,
    query: str,
    product: str | None = None,
    safety: str | None = None,
    limit: int = 10,
) -> dict[str, Any]:
    """Ranked operations for a request, among those the server lets through (read-only, policy);
    one line says how many matching ones it hid and why."""
    found = catalog.search(query, product=product, safety=safety, limit=limit * 3)
    entries = [e for e in found if gate.serves(e)]
    result = {
        "query": query,
        "operations": [{"name": e.name, "summary": e.summary, "safety": e.safety} for e in entries[:limit]],
        "hint": "describe_operation(name) gives the input schema; call_operation(name, arguments) runs it.",
    }
    hidden = len(found) - len(entries)
    if hidden:
        result["hidden"] = f"{hidden} matching operation{'s' if hidden > 1 else ''} not shown: {hidden_by(gate)}."
    return result


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
