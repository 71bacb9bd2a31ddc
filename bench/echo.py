"""Secrets against an API that echoes them: how many of the strings a scw-mcp process says hold the key.

One `scw-mcp --toolsets all --log-level DEBUG --audit-log FILE` process over stdio, driven by the
real mcp client against the sandbox with `echo_token` (JSON) then `echo_token_text` (text) faults
on every route: each error quotes the request's X-Auth-Token whole, upper-cased and cut, and the
request body (a call's password). For each channel (tool results, MCP log notifications, stderr
lines, audit lines): how many texts hold the key whole or any 24-character piece of it (any
case), and how many hold the call's password. Nothing leaves the machine.

    python bench/echo.py [SERVER_ROOT]   # SERVER_ROOT: the checkout whose scw_mcp the server runs
                                         # (default: this one; another checkout measures its code)
"""

from __future__ import annotations

import json
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scw_mcp.sandbox import Sandbox  # noqa: E402
from tests.e2e import clean_env, text_of  # noqa: E402
from tests.test_secrets import CALLS, PASSWORD  # noqa: E402

MORE = [
    ("instance_get_server", {"server_id": str(uuid.uuid4())}),
    ("instance_list_volumes", {}),
    ("call_operation", {"name": "lb_list_lbs", "arguments": {}}),
    ("lb_delete_lb", {"lb_id": str(uuid.uuid4())}),
    ("call_operation", {"name": "instance_list_security_groups", "arguments": {"zone": "all"}}),
    ("rdb_list_instances", {}),
    ("k8s_list_clusters", {}),
    ("domain_list_dns_zones", {}),
]


def holds(text: str, secret: str) -> bool:
    low = text.lower()
    return any(secret[i : i + 24].lower() in low for i in range(len(secret) - 23))


def run(kind: str, server_root: str) -> dict[str, dict[str, int]]:
    tmp = Path(tempfile.mkdtemp())
    said: list[str] = []
    logs: list[str] = []

    async def keep(params: Any) -> None:
        logs.append(json.dumps(params.data, default=str))

    with Sandbox(s3=False, faults=[{"kind": kind}]) as sb:
        env = clean_env(str(tmp), **sb.env(), PYTHONDONTWRITEBYTECODE="1")
        args = ["-m", "scw_mcp.cli", "--toolsets", "all", "--audit-log", str(tmp / "audit.log"), "--log-level", "DEBUG"]

        async def main() -> None:
            with (tmp / "stderr").open("w") as errlog:
                params = StdioServerParameters(command=sys.executable, args=args, env=env, cwd=server_root)
                async with Client(
                    stdio_client(params, errlog=errlog),
                    read_timeout_seconds=60,
                    logging_callback=keep,
                    log_level="debug",
                ) as client:
                    for name, arguments in CALLS + MORE:
                        said.append(text_of(await client.call_tool(name, arguments)))

        anyio.run(main)
        secret = sb.secret_key
    channels = {
        "results": said,
        "mcp logs": logs,
        "stderr lines": (tmp / "stderr").read_text().splitlines(),
        "audit lines": (tmp / "audit.log").read_text().splitlines(),
    }
    return {
        name: {
            "texts": len(texts),
            "key": sum(holds(t, secret) for t in texts),
            "password": sum(PASSWORD.lower() in t.lower() for t in texts),
        }
        for name, texts in channels.items()
    }


def main() -> None:
    server_root = sys.argv[1] if len(sys.argv) > 1 else str(ROOT)
    print(f"server code: {server_root}; {len(CALLS + MORE)} calls per fault kind")
    print(f"{'fault':<16} {'channel':<12} {'texts':>5} {'with the key':>12} {'with the password':>17}")
    for kind in ("echo_token", "echo_token_text"):
        for channel, row in run(kind, server_root).items():
            print(f"{kind:<16} {channel:<12} {row['texts']:>5} {row['key']:>12} {row['password']:>17}")


if __name__ == "__main__":
    main()
