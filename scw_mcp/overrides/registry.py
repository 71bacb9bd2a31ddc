"""How hand-written operations are declared, found, and described in the catalog.

An override is a function `fn(ctx, **arguments)` decorated with `@override(...)`. Its
typed signature (with `Annotated[..., Field(description=...)]`) is turned into a JSON
schema at build time by pydantic and stored in catalog.json; at run time the server
validates arguments against that schema and calls the function.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import Any, Callable

OVERRIDE_MODULES: tuple[str, ...] = ("instance", "object_storage", "rdb", "vpc", "k8s", "registry_tools")

_REGISTRY: dict[str, "OverrideTool"] = {}


@dataclass(frozen=True)
class OverrideTool:
    name: str
    product: str
    safety: str
    fn: Callable[..., Any]
    replaces: tuple[str, ...]
    scope: str  # "zone", "region" or ""
    # For destructive tools: fn(ctx, **arguments) -> dict describing what will be lost.
    preview: Callable[..., Any] | None = None

    @property
    def summary(self) -> str:
        return (inspect.getdoc(self.fn) or "").split("\n\n")[0].replace("\n", " ").strip().rstrip(".")

    @property
    def description(self) -> str:
        return " ".join((inspect.getdoc(self.fn) or "").split())


def override(
    name: str,
    *,
    product: str,
    safety: str,
    replaces: tuple[str, ...] = (),
    scope: str = "",
    preview: Callable[..., Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in _REGISTRY:
            raise ValueError(f"override {name} is declared twice")
        _REGISTRY[name] = OverrideTool(name, product, safety, fn, tuple(replaces), scope, preview)
        return fn

    return register


def load_overrides() -> dict[str, OverrideTool]:
    for module in OVERRIDE_MODULES:
        importlib.import_module(f"scw_mcp.overrides.{module}")
    return dict(_REGISTRY)


def _input_schema(tool: OverrideTool) -> dict[str, Any]:
    """JSON schema of the function's parameters after `ctx`, by pydantic (build time only)."""
    from pydantic import ConfigDict, create_model

    from scw_mcp.safety import DESTRUCTIVE

    fields: dict[str, Any] = {}
    hints = inspect.get_annotations(tool.fn, eval_str=True)
    for param in list(inspect.signature(tool.fn).parameters.values())[1:]:
        if param.kind is param.VAR_KEYWORD:  # the arguments of the operation it stands in for (see stand_in)
            continue
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (hints[param.name], default)
    model = create_model(f"{tool.name}_input", __config__=ConfigDict(extra="forbid"), **fields)
    schema = model.model_json_schema()
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    if tool.safety == DESTRUCTIVE:
        schema.setdefault("properties", {})["confirm_token"] = {
            "type": "string",
            "description": "Token from this call's preview; omit it to get the preview first.",
        }
    return schema


def stand_in(entry: dict[str, Any], twin: dict[str, Any]) -> dict[str, Any]:
    """A hand-written tool's entry, named like the generated operation it stands in for: it takes
    every argument of that operation (the function receives them in **arguments) plus its own,
    whose declarations win; what its own signature makes optional stays optional.

    `input_schema` (validation, describe_operation) is the whole union; `list_schema` (tools/list)
    shows the tool's own arguments and says the others are accepted, so the everyday tools stay
    small in the default tool list."""
    own, theirs = entry["input_schema"], twin["input_schema"]
    own_properties = own.get("properties", {})
    required = [r for r in theirs.get("required", []) if r not in own_properties]
    required += [r for r in own.get("required", []) if r not in required]
    full: dict[str, Any] = {"type": "object", "properties": {**theirs.get("properties", {}), **own_properties}}
    brief: dict[str, Any] = {"type": "object", "properties": dict(own_properties)}
    if required:
        full["required"] = brief["required"] = required
    full["additionalProperties"] = False
    brief["additionalProperties"] = set(full["properties"]) != set(own_properties)
    if theirs.get("$defs") or own.get("$defs"):
        full["$defs"] = {**theirs.get("$defs", {}), **own.get("$defs", {})}
    if own.get("$defs"):
        brief["$defs"] = own["$defs"]
    operation = twin["sdk"].rsplit(".", 1)[-1]
    more = f" Also takes every argument of {operation} (describe_operation lists them)."
    more = more if brief["additionalProperties"] else ""
    return {**entry, "input_schema": full, "list_schema": brief, "description": entry["description"] + more,
            "replaces": sorted(set(entry.get("replaces", [])) | {twin["name"]}), "stands_in_for": twin["sdk"]}


def catalog_entries() -> list[dict[str, Any]]:
    entries = []
    for tool in sorted(load_overrides().values(), key=lambda t: t.name):
        entries.append(
            {
                "name": tool.name,
                "sdk": f"scw_mcp.overrides.{tool.fn.__module__.rsplit('.', 1)[-1]}:{tool.fn.__name__}",
                "product": tool.product,
                "version": "",
                "namespace": tool.product,
                "module": tool.fn.__module__,
                "safety": tool.safety,
                "summary": tool.summary,
                "description": tool.description,
                "scope": tool.scope,
                "input_schema": _input_schema(tool),
                "list_key": None,
                "paging": "",
                "wait": None,
                "one_of": {},
                "override": True,
                "replaces": list(tool.replaces),
            }
        )
    return entries
