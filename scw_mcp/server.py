"""Build the MCP server: catalog-backed typed tools, gateway tools, resources and prompts.

The served operations are the SDK catalog (generated/catalog.json) joined with the
hand-written ones (overrides/declared.json): both are read from JSON at start-up, and a
product module is imported only when one of its operations is called.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from mcp_types import Tool as MCPTool

from scw_mcp import __version__, overrides
from scw_mcp.runtime import gateway, options, toolsets
from scw_mcp.runtime.catalog import Catalog, load_catalog
from scw_mcp.runtime.errors import ToolFailure, describe
from scw_mcp.runtime.operation import Operation
from scw_mcp.runtime.options import option_schemas
from scw_mcp.runtime.policy import Gate, Policy
from scw_mcp.runtime.redact import traceback_text
from scw_mcp.runtime.results import DEFAULT_BUDGET, dumps
from scw_mcp.runtime.runner import Outcome, Runner
from scw_mcp.runtime.settings import Settings
from scw_mcp.runtime.validation import validate
from scw_mcp.safety import READ, annotation_hints

log = logging.getLogger("scw_mcp")

INSTRUCTIONS = """\
Scaleway cloud tools. Typed tools cover everyday jobs; search_operations, describe_operation \
and call_operation reach every other Scaleway API operation. Zone/region/project default to the \
configured ones. Destructive operations return a preview and a confirm_token first: show the \
preview to the user and repeat the call with the token only if they agree. Results leave out null and \
empty fields (absent means empty). Lists return items, total_count and, when there is more, next: \
add its arguments to the same call for the rest. Reads take query, a JMESPath expression applied \
to the result (e.g. items[].{id: id, name: name})."""

DESCRIPTION_LIMIT = 400  # characters of description per typed tool in tools/list
PARAMETER_LIMIT = 100  # characters of description per parameter in tools/list
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
_NEVER_ENDS = frozenset({"e.g.", "i.e.", "vs.", "cf."})  # abbreviations that never end a sentence


@dataclass(frozen=True)
class ServerOptions:
    toolsets: tuple[str, ...] = ("core",)
    read_only: bool = False
    confirm_destructive: bool = True
    allow_lockout: bool = False
    policy: Policy = field(default_factory=Policy)
    budget: int = DEFAULT_BUDGET
    log_level: str = "WARNING"


def served_catalog() -> Catalog:
    """Every operation the server can run: the SDK's, with hand-written ones standing in."""
    return load_catalog().joined(overrides.operations())


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def mcp_tool(name: str, title: str, description: str, schema: dict[str, Any], safety: str) -> MCPTool:
    return MCPTool.model_construct(
        name=name,
        title=title,
        description=description,
        input_schema=schema,
        annotations=ToolAnnotations.model_construct(**annotation_hints(safety)),  # the title is the tool's own
    )


def first_sentence(text: str) -> str:
    """The text up to its first sentence end, read past "e.g. X", "i.e. Y", "vs. Z" and "etc. (…)"."""
    text = " ".join(text.split())
    for end in _SENTENCE_END.finditer(text):
        word = text[: end.start()].rsplit(" ", 1)[-1].lstrip("([\"'`").lower()
        if word in _NEVER_ENDS or (word == "etc." and text[end.end()] == "("):
            continue
        return text[: end.start()]
    return text


def _is_description(key: str, value: Any) -> bool:
    return key == "description" and isinstance(value, str)  # not a property named "description"


def _listed(node: Any) -> Any:
    """A parameter's schema as tools/list shows it, in one pass: nested descriptions dropped,
    nested object definitions ($ref) listed as plain objects."""
    if isinstance(node, dict):
        if "$ref" in node:
            return {"type": "object"}
        all_of = node.get("allOf")
        if all_of and len(all_of) == 1 and "$ref" in all_of[0]:
            kept = {k: _listed(v) for k, v in node.items() if k != "allOf" and not _is_description(k, v)}
            return {**kept, "type": "object"}
        return {k: _listed(v) for k, v in node.items() if not _is_description(k, v)}
    if isinstance(node, list):
        return [_listed(v) for v in node]
    return node


def listing_schema(op: Operation, hidden: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The schema as tools/list shows it, to keep the default list small: each parameter with
    its first sentence, nested objects as plain objects, and of a hand-written tool standing in
    for an operation only its own and the required parameters (it takes the others too).
    describe_operation shows the whole schema, and validation always uses the whole schema."""
    schema = op.input_schema
    listed = op.extra.get("listed")
    keep = None if listed is None else {*listed, *schema.get("required", ()), *option_schemas(op)}
    properties, left_out = {}, False
    for name, prop in schema.get("properties", {}).items():
        if name in hidden:  # not an option this server offers for it
            continue
        if keep is not None and name not in keep:
            left_out = True
            continue
        listed = _listed(prop)
        if prop.get("description"):
            listed["description"] = _short(first_sentence(prop["description"]), PARAMETER_LIMIT)
        properties[name] = listed
    listed = {k: v for k, v in {**schema, "properties": properties}.items() if k != "$defs"}
    if left_out:
        listed["additionalProperties"] = True  # the rest are accepted: describe_operation lists them
    return listed


def tool_description(op: Operation) -> str:
    """Its class when not read, its product (and version when not the default one), its text."""
    where = f"{op.product} {op.version}" if op.namespace != op.product else op.product
    description = f"({where}) {op.description or op.summary}"
    if op.safety != READ:
        description = f"[{op.safety}] {description}"
    if op.extra.get("listed"):
        note = f" Also takes every argument of the operation it stands in for: describe_operation('{op.name}')."
    else:
        note = " Nested objects' fields: describe_operation." if "$defs" in op.schema else ""
    return _short(description, DESCRIPTION_LIMIT - len(note)) + note


def operation_tools(ops: list[Operation], asks_to_confirm: Callable[[Operation], bool]) -> list[MCPTool]:
    """The typed tools; where two SDK docstrings are the same, each says which SDK method it is.
    A write lists `confirm_token` only where this server may ask for a confirmation."""
    descriptions = [tool_description(op) for op in ops]
    seen = Counter(descriptions)
    no_token = frozenset({options.CONFIRM_TOKEN})
    return [
        mcp_tool(
            op.name,
            op.summary,
            text if seen[text] == 1 else f"{text} [{op.sdk[0]}]",
            listing_schema(op, frozenset() if asks_to_confirm(op) else no_token),
            op.safety,
        )
        for op, text in zip(ops, descriptions, strict=False)
    ]


class ScwServer(MCPServer):
    """MCPServer whose tools come from the catalog and go through one Runner."""

    def __init__(self, settings: Settings, options: ServerOptions, catalog: Catalog | None = None):
        super().__init__(name="scw-mcp", version=__version__, instructions=INSTRUCTIONS, log_level=options.log_level)
        self.catalog = catalog or served_catalog()
        self.options = options
        self.scw_settings = settings
        self.gate = Gate(
            read_only=options.read_only,
            confirm_destructive=options.confirm_destructive,
            policy=options.policy,
            allow_lockout=options.allow_lockout,
        )
        self.runner = Runner(settings, self.gate, budget=options.budget, catalog=self.catalog)
        self.served = {op.name: op for op in toolsets.select(self.catalog, options.toolsets) if self.gate.serves(op)}
        self._tools: list[MCPTool] | None = None

    def reach(self) -> str:
        """What the gateway tools reach here, in one sentence: read-only mode and the policy hide operations."""
        total = len(self.catalog.entries)
        reached = sum(1 for op in self.catalog.entries.values() if self.gate.serves(op))
        if reached == total:
            return f"every one of {total} operations is reachable through the gateway tools."
        which = "the read ones" if self.options.read_only else "those"
        if self.options.policy.allow or self.options.policy.deny:
            which += " the policy permits"
        else:
            which += " (read-only mode)"
        return f"the gateway tools reach {reached} of {total} operations: {which}."

    # --- tools/list -------------------------------------------------------------------
    def gateway_safety(self, name: str) -> str:
        """A gateway tool's class here: read-only, call_operation runs reads only."""
        return READ if self.options.read_only else gateway.GATEWAY_SCHEMAS[name]["safety"]

    def gateway_tools(self) -> list[MCPTool]:
        return [
            mcp_tool(
                name,
                name.replace("_", " ").capitalize(),
                spec["description"],
                spec["input_schema"],
                self.gateway_safety(name),
            )
            for name, spec in gateway.GATEWAY_SCHEMAS.items()
        ]

    async def list_tools(self) -> list[MCPTool]:
        if self._tools is None:
            self._tools = self.gateway_tools() + operation_tools(list(self.served.values()), self.gate.may_confirm)
        return self._tools

    # --- tools/call -------------------------------------------------------------------
    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        try:
            if name in self.served:
                return self._result(await self.runner.call(self.served[name], arguments, context))
            if name == gateway.SEARCH:
                args = self._gateway_args(name, arguments)
                return self._ok(gateway.search(self.catalog, self.gate, **args))
            if name == gateway.DESCRIBE:
                return self._ok(gateway.describe(self.catalog, **self._gateway_args(name, arguments)))
            if name == gateway.CALL:
                args = self._gateway_args(name, arguments)
                op = self.catalog.get(args["name"])
                if op is None:
                    raise gateway.unknown_operation(self.catalog, args["name"])
                return self._result(await self.runner.call(op, args.get("arguments") or {}, context))
            op = self.catalog.get(name)
            if op is None:
                raise gateway.unknown_operation(self.catalog, name, kind="tool", gate=self.gate)
            raise gateway.not_served(op, self.gate, self.options.toolsets)
        except ToolFailure as exc:
            return self._error(str(exc))
        except Exception as exc:  # a gateway tool's bug: still a clean message, the frames in the log
            log.warning("%s failed\n%s", name, traceback_text(exc, self.scw_settings.redactor))
            return self._error(describe(exc))

    def _gateway_args(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        validate(gateway.GATEWAY_OPERATIONS[name], arguments)
        return arguments

    def _result(self, outcome: Outcome) -> Any:
        if outcome.input_required is not None:
            return outcome.input_required
        if outcome.error is not None:
            return self._error(outcome.error)
        return self._ok(outcome.data or {}, outcome.text)

    # Every answer passes the configured secrets' redactor. A call's outcome has already passed its own
    # (these plus the call's passwords, before any cut: runner.py); this one also covers the gateway tools.
    def _ok(self, data: dict[str, Any], text: str | None = None) -> CallToolResult:
        redacted = self.scw_settings.redactor.value(data)  # data itself when there is nothing to remove
        if text is None or redacted is not data:
            text = dumps(redacted)
        return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=redacted)

    def _error(self, message: str) -> CallToolResult:
        return CallToolResult(content=[TextContent(type="text", text=self.scw_settings.redact(message))], is_error=True)


def build_server(settings: Settings, options: ServerOptions, catalog: Catalog | None = None) -> ScwServer:
    from scw_mcp import resources

    server = ScwServer(settings, options, catalog)
    resources.register(server, server.catalog, settings, options, served=len(server.served))
    return server


def tools_json(server: ScwServer) -> str:
    """The served surface, machine-readable: MCP fields plus safety, sdk, replaces, override."""
    import anyio

    rows = []
    for tool in anyio.run(server.list_tools):
        row = tool.model_dump(by_alias=True, exclude_none=True)
        op = server.served.get(tool.name)
        if op is not None:
            row.update(safety=op.safety, sdk=list(op.sdk), replaces=list(op.replaces), override=op.handwritten)
        else:
            row.update(safety=server.gateway_safety(tool.name), sdk=[], replaces=[], override=False, gateway=True)
        rows.append(row)
    return json.dumps(rows)
