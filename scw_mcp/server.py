"""Build the MCP server: catalog-backed typed tools, gateway tools, resources and prompts.

Typed tools are served from catalog.json (schemas built at generation time), not by
introspecting ~1,560 Python functions at start-up; product modules are imported only
when one of their operations is called.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from mcp_types import Tool as MCPTool

from scw_mcp import __version__
from scw_mcp.runtime import gateway
from scw_mcp.runtime.catalog import Catalog, Entry, load_catalog
from scw_mcp.runtime.errors import ToolFailure
from scw_mcp.runtime.invoke import Outcome, Runner
from scw_mcp.runtime.policy import Guard, Policy
from scw_mcp.runtime.results import DEFAULT_BUDGET, dumps
from scw_mcp.runtime.settings import Settings
from scw_mcp.safety import READ, annotation_hints

log = logging.getLogger("scw_mcp")

INSTRUCTIONS = """\
Scaleway cloud tools. Typed tools cover everyday jobs; search_operations, describe_operation \
and call_operation reach every other Scaleway API operation. Zone/region/project default to the \
configured ones. Destructive operations return a preview and a confirm_token first: show the \
preview to the user and repeat the call with the token only if they agree."""

DESCRIPTION_LIMIT = 400  # characters of description per typed tool in tools/list


@dataclass(frozen=True)
class ServerOptions:
    toolsets: tuple[str, ...] = ("core",)
    read_only: bool = False
    confirm_destructive: bool = True
    allow_lockout: bool = False
    policy: Policy = field(default_factory=Policy)
    budget: int = DEFAULT_BUDGET
    log_level: str = "WARNING"


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def mcp_tool(name: str, title: str, description: str, schema: dict[str, Any], safety: str) -> MCPTool:
    return MCPTool.model_construct(
        name=name,
        title=title,
        description=description,
        input_schema=schema,
        annotations=ToolAnnotations.model_construct(title=title, **annotation_hints(safety)),
    )


def entry_tool(entry: Entry) -> MCPTool:
    data = entry.data
    description = data["description"] or data["summary"]
    if entry.safety != READ:
        description = f"[{entry.safety}] {description}"
    schema = data.get("list_schema") or entry.schema  # a stand-in lists its twin's other arguments briefly
    return mcp_tool(entry.name, data["summary"], _short(description, DESCRIPTION_LIMIT), schema, entry.safety)


class ScwServer(MCPServer):
    """MCPServer whose tools come from the catalog and go through one Runner."""

    def __init__(self, settings: Settings, options: ServerOptions, catalog: Catalog | None = None):
        super().__init__(name="scw-mcp", version=__version__, instructions=INSTRUCTIONS, log_level=options.log_level)
        self.catalog = catalog or load_catalog()
        self.options = options
        self.scw_settings = settings
        self.runner = Runner(
            self.catalog,
            settings,
            Guard(read_only=options.read_only, confirm_destructive=options.confirm_destructive, policy=options.policy,
                  allow_lockout=options.allow_lockout),
            budget=options.budget,
        )
        self.served = {
            e.name: e
            for e in self.catalog.toolset(list(options.toolsets), options.read_only)
            if options.policy.permits(e.name)
        }
        self._tools: list[MCPTool] | None = None
        from scw_mcp import resources

        resources.register(self)

    # --- tools/list -------------------------------------------------------------------
    def gateway_tools(self) -> list[MCPTool]:
        tools = []
        for name, spec in gateway.GATEWAY_SCHEMAS.items():
            safety = READ if self.options.read_only else spec["safety"]  # read-only: call_operation runs reads only
            tools.append(mcp_tool(name, name.replace("_", " ").capitalize(), spec["description"], spec["input_schema"], safety))
        return tools

    async def list_tools(self) -> list[MCPTool]:
        if self._tools is None:
            self._tools = self.gateway_tools() + [entry_tool(e) for e in self.served.values()]
        return self._tools

    # --- tools/call -------------------------------------------------------------------
    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        try:
            if name in self.served:
                return self._result(await self.runner.call(self.served[name], arguments, context))
            if name == gateway.SEARCH:
                return self._ok(self._gateway_args(name, arguments, lambda **a: gateway.search(self.catalog, self.options.read_only, **a)))
            if name == gateway.DESCRIBE:
                return self._ok(self._gateway_args(name, arguments, lambda **a: gateway.describe(self.catalog, **a)))
            if name == gateway.CALL:
                args = self._gateway_args(name, arguments, lambda **a: a)
                entry = self.catalog.get(args["name"])
                if entry is None:
                    raise gateway.unknown_operation(self.catalog, args["name"])
                return self._result(await self.runner.call(entry, args.get("arguments") or {}, context))
            raise ToolFailure(f"Unknown tool {name!r}. Use search_operations to find an operation.")
        except ToolFailure as exc:
            return self._error(str(exc))

    def _gateway_args(self, name: str, arguments: dict[str, Any], fn: Any) -> Any:
        entry = Entry({"name": name, "input_schema": gateway.GATEWAY_SCHEMAS[name]["input_schema"], "safety": READ})
        self.runner.validate(entry, arguments)
        return fn(**arguments)

    def _result(self, outcome: Outcome) -> Any:
        if outcome.input_required is not None:
            return outcome.input_required
        if outcome.error is not None:
            return self._error(outcome.error)
        return self._ok(outcome.data or {}, outcome.text)

    @staticmethod
    def _ok(data: dict[str, Any], text: str | None = None) -> CallToolResult:
        return CallToolResult(content=[TextContent(type="text", text=text if text is not None else dumps(data))], structured_content=data)

    def _error(self, message: str) -> CallToolResult:
        return CallToolResult(content=[TextContent(type="text", text=self.scw_settings.redact(message))], is_error=True)


def build_server(settings: Settings, options: ServerOptions) -> ScwServer:
    return ScwServer(settings, options)


def tools_json(server: ScwServer) -> str:
    import anyio

    tools = anyio.run(server.list_tools)
    return json.dumps([t.model_dump(by_alias=True, exclude_none=True) for t in tools])
