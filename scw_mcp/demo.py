"""`scw-mcp --sandbox demo`: a short, real session through the MCP client, for newcomers.

Drives the server in process with the real `mcp` client, against whatever the environment
points at (with --sandbox: the embedded fake cloud), and prints each step's result.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

Step = tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]]]


def _steps() -> list[Step]:
    state: dict[str, Any] = {}

    def keep(key: str, path: str) -> Callable[[dict[str, Any]], None]:
        def store(result: dict[str, Any]) -> None:
            value: Any = result
            for part in path.split("."):
                value = value[part]
            state[key] = value

        return store

    steps: list[tuple[str, str, Callable[[], dict[str, Any]], Callable[[dict[str, Any]], None] | None]] = [
        ("Create a private network", "vpc_create_private_network", lambda: {"name": "demo-net"}, keep("pn", "id")),
        (
            "Create a server from an image label and wait until it runs",
            "instance_create_server",
            lambda: {
                "name": "demo-web",
                "commercial_type": "DEV1-S",
                "image": "ubuntu_noble",
                "wait": True,
                "private_network_id": state["pn"],
            },
            keep("server", "server.id"),
        ),
        ("List servers", "instance_list_servers", lambda: {}, None),
        ("Stop it", "instance_stop_server", lambda: {"server_id": state["server"], "wait": True}, None),
        (
            "Delete it: first call returns a preview and a token",
            "instance_delete_server",
            lambda: {"server_id": state["server"], "with_volumes": True},
            keep("token", "confirm_token"),
        ),
        (
            "Delete it: second call with the token",
            "instance_delete_server",
            lambda: {"server_id": state["server"], "with_volumes": True, "confirm_token": state["token"]},
            None,
        ),
        ("Create a bucket", "object_storage_create_bucket", lambda: {"bucket": "demo-bucket"}, None),
        (
            "Put an object",
            "object_storage_put_object",
            lambda: {
                "bucket": "demo-bucket",
                "key": "hello.txt",
                "content": "Hello from scw-mcp",
                "content_type": "text/plain",
            },
            None,
        ),
        ("Get it back", "object_storage_get_object", lambda: {"bucket": "demo-bucket", "key": "hello.txt"}, None),
        ("List the bucket", "object_storage_list_objects_v2", lambda: {"bucket": "demo-bucket"}, None),
    ]
    return steps  # type: ignore[return-value]


def _summary(data: Any, limit: int = 600) -> str:
    text = json.dumps(data, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def run_demo(server: Any) -> int:
    from mcp import Client

    failures = 0
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
        click.echo(f"scw-mcp serves {len(tools)} tools; {server.reach()}\n")
        for title, tool, make_args, after in _steps():
            args = make_args()
            click.echo(f"== {title}\n   {tool} {_summary(args, 200)}")
            result = await client.call_tool(tool, args)
            if result.is_error:
                failures += 1
                click.echo("   ERROR: " + "".join(getattr(c, "text", "") for c in result.content) + "\n")
                break
            click.echo(f"   -> {_summary(result.structured_content)}\n")
            if after:
                after(result.structured_content)
    return failures
