"""What the per-product end-to-end modules share: one real `scw-mcp` process over stdio, driven
by the real mcp client, against a Sandbox started in the test process (so a test can look at
the requests the fake cloud received and at its state).

The server runs at --log-level DEBUG with its stderr kept in a file, and the client keeps the
MCP log messages and the text of every result: tests assert that secrets appear in none of them.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from mcp.client.stdio import stdio_client

from scw_mcp.sandbox import Sandbox
from tests.e2e import clean_env, server_params, text_of

CHANGES = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class Transcript:
    """Everything the server said: its stderr, its MCP log messages, the text of every result."""

    stderr: str = ""
    log_messages: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)

    def everything(self) -> str:
        return "\n".join([self.stderr, *self.log_messages, *self.results])


class Session:
    """`ok` asserts success; `error` a clean tool error; `preview`/`confirm` the two-step delete."""

    def __init__(self, client: Client, sb: Sandbox, transcript: Transcript, served: set[str]) -> None:
        self.client, self.sb, self.transcript, self.served = client, sb, transcript, served

    async def call(self, tool: str, args: dict[str, Any] | None = None) -> Any:
        """A typed tool of the default toolset, or any other operation through call_operation (as an agent would)."""
        if tool in self.served:
            result = await self.client.call_tool(tool, args or {})
        else:
            result = await self.client.call_tool("call_operation", {"name": tool, "arguments": args or {}})
        self.transcript.results.append(text_of(result))
        return result

    async def ok(self, tool: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        result = await self.call(tool, args)
        assert not result.is_error, f"{tool}: {text_of(result)}"
        assert json.loads(text_of(result)) == result.structured_content  # the same JSON as text
        return result.structured_content

    async def error(self, tool: str, args: dict[str, Any]) -> str:
        result = await self.call(tool, args)
        text = text_of(result)
        assert result.is_error, f"{tool} should fail: {result.structured_content}"
        assert "Traceback" not in text and "Error executing tool" not in text, text  # a message for the user
        return text

    async def preview(self, tool: str, args: dict[str, Any]) -> dict[str, Any]:
        """The first call of a destructive tool: a preview and a token, and nothing changed."""
        before = len(self.sb.requests)
        preview = await self.ok(tool, args)
        assert preview["status"] == "confirmation_required" and preview["confirm_token"], preview
        changed = [f"{r['method']} {r['path']}" for r in self.sb.requests[before:] if r["method"] in CHANGES]
        assert not changed, f"{tool}'s preview changed something: {changed}"
        return preview

    async def confirm(self, tool: str, args: dict[str, Any], preview: dict[str, Any]) -> dict[str, Any]:
        return await self.ok(tool, {**args, "confirm_token": preview["confirm_token"]})

    def requests(self, method: str, path_end: str = "") -> list[dict[str, Any]]:
        return [r for r in self.sb.requests if r["method"] == method and r["path"].endswith(path_end)]


def run_session(sb: Sandbox, tmp_path: Path, scenario: Callable[[Session], Awaitable[None]]) -> Transcript:
    """Run `scenario` against one `scw-mcp --toolsets core` process talking to the sandbox."""
    transcript = Transcript()
    stderr_path = tmp_path / "server-stderr.log"
    env = clean_env(str(tmp_path), **sb.env())
    args = ["--toolsets", "core", "--log-level", "DEBUG"]

    async def keep_log(params: Any) -> None:
        transcript.log_messages.append(json.dumps(params.data, default=str))

    async def main() -> None:
        with stderr_path.open("w") as errlog:
            transport = stdio_client(server_params(args, env), errlog=errlog)
            async with Client(
                transport, read_timeout_seconds=60, logging_callback=keep_log, log_level="debug"
            ) as client:
                served = {t.name for t in (await client.list_tools()).tools}
                await scenario(Session(client, sb, transcript, served))

    anyio.run(main)
    transcript.stderr = stderr_path.read_text()
    return transcript
