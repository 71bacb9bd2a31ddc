"""How hand-written operations are declared, described and handed to the server.

A hand-written operation is a function `name(ctx, **arguments)` decorated with `@tool(...)`;
its name follows the one grammar (`{product}[_{version}]_{verb}_{noun}`). Named like a
generated operation, it stands in for it: its schema is the generated one plus its own
parameters (which win), so every argument the generated tool takes keeps its name and meaning.

Schemas are built with pydantic, which is slow for a server's start-up, so the entries are
written once to `declared.json` (`python -m scw_mcp.overrides`, checked by a test and CI) and
the server reads that file. Modules are imported on a tool's first call.
"""

from __future__ import annotations

import importlib
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from scw_mcp.runtime.catalog import Catalog
from scw_mcp.runtime.function import FunctionExecutor
from scw_mcp.runtime.operation import Operation
from scw_mcp.safety import DESTRUCTIVE, READ, refined_operations

MODULES: tuple[str, ...] = ("instance", "object_storage", "rdb", "vpc", "k8s", "registry")
DECLARED_FILE = "declared.json"
FIX_COMMAND = "python -m scw_mcp.overrides"

_DECLARED: dict[str, Declaration] = {}


class DeclarationError(Exception):
    """A hand-written tool's declaration contradicts the catalog (a name, a class, a parameter)."""


@dataclass(frozen=True)
class Declaration:
    function: Callable[..., Any]
    safety: str
    performs: tuple[str, ...]  # operations it performs, by name (policy and read-only match these)
    scope: str  # "zone", "region" or ""
    preview: Callable[..., Any] | None  # destructive tools: fn(ctx, **arguments) -> what will be lost
    paging: str  # "page" for lists that return items/total_count/page/next_page
    product: str  # needed only where no generated twin or performed operation names it
    sdk: tuple[str, ...]  # SDK calls outside the catalog (private SDK methods, S3)
    path_params: tuple[str, ...] = ()  # its parameters those SDK calls put in a URL path

    @property
    def name(self) -> str:
        return self.function.__name__


def tool(
    *,
    safety: str,
    performs: tuple[str, ...],
    scope: str = "",
    preview: Callable[..., Any] | None = None,
    paging: str = "",
    product: str = "",
    sdk: tuple[str, ...] = (),
    path_params: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a hand-written operation; its function's name is the tool's name."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if fn.__name__ in _DECLARED:
            raise DeclarationError(f"hand-written tool {fn.__name__} is declared twice")
        _DECLARED[fn.__name__] = Declaration(
            fn, safety, tuple(performs), scope, preview, paging, product, tuple(sdk), tuple(path_params)
        )
        return fn

    return register


def declarations() -> dict[str, Declaration]:
    for module in MODULES:
        importlib.import_module(f"scw_mcp.overrides.{module}")
    return dict(_DECLARED)


# --- build time: entries from declarations ------------------------------------------------


def _own_schema(declaration: Declaration) -> dict[str, Any]:
    """JSON schema of the function's named parameters after `ctx`, by pydantic."""
    from pydantic import ConfigDict, create_model

    fields: dict[str, Any] = {}
    hints = inspect.get_annotations(declaration.function, eval_str=True)
    for param in list(inspect.signature(declaration.function).parameters.values())[1:]:
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (hints[param.name], default)
    model = create_model(f"{declaration.name}_input", __config__=ConfigDict(extra="forbid"), **fields)
    schema = model.model_json_schema()
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    return schema


def _takes_rest(declaration: Declaration) -> bool:
    return any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in inspect.signature(declaration.function).parameters.values()
    )


def _merged(own: dict[str, Any], twin: dict[str, Any] | None) -> dict[str, Any]:
    """The generated operation's schema with the hand-written parameters laid over it."""
    if twin is None:
        return own
    own_props = own.get("properties", {})
    properties = {k: v for k, v in twin.get("properties", {}).items() if k not in own_props}
    properties.update(own_props)
    required = [r for r in twin.get("required", []) if r not in own_props] + list(own.get("required", []))
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    defs = {**twin.get("$defs", {}), **own.get("$defs", {})}
    if defs:
        schema["$defs"] = defs
    return schema


def _summary(fn: Callable[..., Any]) -> str:
    return (inspect.getdoc(fn) or "").split("\n\n")[0].replace("\n", " ").strip().rstrip(".")


def _check(declaration: Declaration, sdk_catalog: Catalog, twin: Operation | None, own: dict[str, Any]) -> None:
    name = declaration.name
    if not _summary(declaration.function):
        raise DeclarationError(f"{name}: a hand-written tool needs a docstring (its summary and description)")
    if twin is not None and not _takes_rest(declaration):
        missing = set(twin.schema.get("properties", {})) - set(own.get("properties", {}))
        if missing:
            raise DeclarationError(
                f"{name} stands in for the generated operation but does not take {sorted(missing)}: add **arguments"
            )
    if twin is not None and "wait" in twin.schema.get("properties", {}) and "wait" not in own.get("properties", {}):
        raise DeclarationError(f"{name}: the generated operation takes wait; the hand-written one must handle it too")
    refined = refined_operations()
    for performed in declaration.performs:
        op = sdk_catalog.get(performed)
        if op is None:
            if performed != name or not declaration.sdk:
                raise DeclarationError(f"{name} performs {performed}, which is not an operation of the catalog")
            continue
        if declaration.safety == READ and op.safety != READ:
            raise DeclarationError(f"{name} is declared read but performs {performed} ({op.safety})")
        if op.safety == DESTRUCTIVE and declaration.safety != DESTRUCTIVE and performed not in refined:
            raise DeclarationError(f"{name} performs the destructive {performed} but is declared {declaration.safety}")
    if declaration.safety == DESTRUCTIVE and declaration.preview is None:
        raise DeclarationError(f"{name} is destructive: declare a preview of what it will delete")


def entry(declaration: Declaration, sdk_catalog: Catalog) -> dict[str, Any]:
    """The declared.json entry of one hand-written operation."""
    name = declaration.name
    twin = sdk_catalog.get(name)
    own = _own_schema(declaration)
    _check(declaration, sdk_catalog, twin, own)
    schema = _merged(own, twin.schema if twin else None)
    performed = [sdk_catalog.get(p) for p in declaration.performs]
    in_paths = {p for op in performed if op is not None for p in op.path_params} | set(declaration.path_params)
    first = twin or next((op for op in performed if op is not None), None)
    product = declaration.product or (first.product if first else "")
    if not product:
        raise DeclarationError(f"{name}: name its product (no generated twin or performed operation does)")
    fn = declaration.function
    return {
        "name": name,
        "product": product,
        "namespace": twin.namespace if twin else product,
        "version": twin.version if twin else (first.version if first else ""),
        "safety": declaration.safety,
        "summary": _summary(fn),
        "description": " ".join((inspect.getdoc(fn) or "").split()),
        "scope": declaration.scope,
        "input_schema": schema,
        "function": f"{fn.__module__}:{fn.__name__}",
        "preview": f"{declaration.preview.__module__}:{declaration.preview.__name__}" if declaration.preview else None,
        "performs": list(declaration.performs),
        "writes": [
            p for p, op in zip(declaration.performs, performed, strict=False) if op is None or op.safety != READ
        ],
        "sdk": [op.sdk[0] for op in performed if op is not None] + list(declaration.sdk),
        "replaces": [name] if twin else [],
        "paging": declaration.paging,
        # its parameters that the operations it performs put in a URL path
        "path_params": sorted(in_paths & set(schema["properties"])),
        # what tools/list shows of a stand-in: its own parameters (the twin's come through **arguments)
        "listed": list(own.get("properties", {})) if twin else None,
    }


def render_declared(sdk_catalog: Catalog) -> str:
    entries = [entry(d, sdk_catalog) for d in sorted(declarations().values(), key=lambda d: d.name)]
    note = f"Hand-written tools' entries, from their declarations in scw_mcp/overrides/. Rebuild with: {FIX_COMMAND}"
    return json.dumps({"note": note, "operations": entries}, indent=1, ensure_ascii=False) + "\n"


# --- run time: operations from declared.json ------------------------------------------------


def operation(data: dict[str, Any]) -> Operation:
    return Operation.from_entry(
        data,
        FunctionExecutor(data["function"], data["preview"]),
        sdk=tuple(data["sdk"]),
        performs=tuple(data["performs"]),
        writes=tuple(data["writes"]),
        replaces=tuple(data["replaces"]),
        handwritten=True,
        list_key="items" if data["paging"] else None,
        extra={"listed": tuple(data["listed"])} if data.get("listed") else {},
    )


@lru_cache(maxsize=1)
def operations() -> tuple[Operation, ...]:
    """The hand-written operations as declared.json describes them (no override module imported)."""
    text = resources.files("scw_mcp.overrides").joinpath(DECLARED_FILE).read_text(encoding="utf-8")
    return tuple(operation(data) for data in json.loads(text)["operations"])
