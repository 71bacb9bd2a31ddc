"""Call overhead: the same Instance operations directly through the SDK and through scw-mcp.

Both hit the same loopback fake Scaleway API (the project's sandbox, `scw_mcp.sandbox`).
Calls are interleaved (SDK, typed tool, gateway, SDK, ...) so noise
hits each path alike; "added" is the difference of the medians (and of the p99s).

Concurrency: with ~50 ms of latency per API request, 20 calls at once through one client
session (an anyio task group) against the same 20 one after the other; a server that
serialises calls would show a ratio near 1, one that does not, near 20.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anyio
from common import (
    BENCH,
    ServerSpec,
    child_stderr_to,
    clean_env,
    describe,
    list_all_tools,
    median,
    percentile,
    scw_mcp_spec,
    session,
)

ZONE = "fr-par-1"
LATENCY = 0.05
CONCURRENCY = 20


@dataclass
class Backend:
    name: str
    env: dict[str, str]
    server_id: str


def _sdk(env: dict[str, str]) -> Any:
    from scaleway import Client
    from scaleway.instance.v1 import InstanceV1API

    return InstanceV1API(
        Client(
            api_url=env["SCW_API_URL"],
            access_key=env["SCW_ACCESS_KEY"],
            secret_key=env["SCW_SECRET_KEY"],
            default_project_id=env["SCW_DEFAULT_PROJECT_ID"],
            default_zone=ZONE,
            default_region="fr-par",
        )
    )


def _seed_sandbox(env: dict[str, str]) -> str:
    """Ten servers in the sandbox (created through the SDK, as a user would); the first one's id."""
    from scaleway import Client
    from scaleway.instance.v1.custom_api import InstanceUtilsV1API

    utils = InstanceUtilsV1API(
        Client(
            api_url=env["SCW_API_URL"],
            access_key=env["SCW_ACCESS_KEY"],
            secret_key=env["SCW_SECRET_KEY"],
            default_project_id=env["SCW_DEFAULT_PROJECT_ID"],
            default_zone=ZONE,
        )
    )
    for i in range(10):
        utils.create_server(zone=ZONE, commercial_type="DEV1-S", image="ubuntu_noble", name=f"bench-{i:02d}")
    return _sdk(env).list_servers(zone=ZONE).servers[0].id


@contextlib.contextmanager
def backend(latency: float) -> Iterator[Backend]:
    """The sandbox, answering every Instance request after `latency` s."""
    from scw_mcp.sandbox import Sandbox

    faults = [{"route": "* /instance/*", "kind": "latency", "seconds": latency}] if latency else []
    with Sandbox(faults=faults, s3=False) as sb:
        sb.set_faults([])  # no latency while seeding
        env = dict(sb.env())
        server_id = _seed_sandbox(env)
        sb.set_faults(faults)
        yield Backend("scw_mcp.sandbox", env, server_id)


def _text(result: Any) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)


async def _overhead(be: Backend, calls: int, home: str) -> dict[str, Any]:
    api = _sdk(be.env)
    ops = {
        "list_servers": (lambda: api.list_servers(zone=ZONE), "instance_list_servers", {"zone": ZONE}),
        "get_server": (
            lambda: api.get_server(zone=ZONE, server_id=be.server_id),
            "instance_get_server",
            {"zone": ZONE, "server_id": be.server_id},
        ),
    }
    spec = scw_mcp_spec("scw-mcp --toolsets instance", ["--toolsets", "instance"], clean_env(home, **be.env))
    # the floor: a no-op tool on the smallest MCPServer, over the same stdio transport and client
    floor_spec = ServerSpec("minimal MCPServer", sys.executable, [str(BENCH / "minimal_server.py")], clean_env(home))
    out: dict[str, Any] = {}
    async with session(spec) as client, session(floor_spec) as floor_client:
        served = {t.name for t in await list_all_tools(client)}
        for op, (direct, operation, args) in ops.items():
            tool = typed_tool_for(operation, served)
            paths = {
                "sdk": lambda d=direct: _timed_sync(d),
                "typed_tool": lambda t=tool, a=args: _timed_call(client, t, a),
                "call_operation": lambda o=operation, a=args: _timed_call(
                    client, "call_operation", {"name": o, "arguments": a}
                ),
                "floor": lambda: _timed_call(floor_client, "ping", {}),
            }
            for _ in range(15):  # warm-up: imports, connection pools, caches
                for fn in paths.values():
                    await fn()
            times: dict[str, list[float]] = {p: [] for p in paths}
            for _ in range(calls):
                for p, fn in paths.items():
                    times[p].append(await fn())
            sdk_med, sdk_p99 = median(times["sdk"]), percentile(times["sdk"], 99)
            row: dict[str, Any] = {
                "calls": calls,
                "sdk_median_ms": sdk_med * 1e3,
                "sdk_p99_ms": sdk_p99 * 1e3,
                "floor_median_ms": median(times["floor"]) * 1e3,
                "floor_p99_ms": percentile(times["floor"], 99) * 1e3,
            }
            for p in ("typed_tool", "call_operation"):
                med, p99 = median(times[p]), percentile(times[p], 99)
                row.update(
                    {
                        f"{p}_median_ms": med * 1e3,
                        f"{p}_p99_ms": p99 * 1e3,
                        f"{p}_added_median_ms": (med - sdk_med) * 1e3,
                        f"{p}_added_p99_ms": (p99 - sdk_p99) * 1e3,
                        f"{p}_ratio_median": med / sdk_med,
                    }
                )
            row.update({"typed_tool": tool, "operation": operation})
            out[op] = row
    return out


def typed_tool_for(operation: str, served: set[str]) -> str:
    """The typed tool a client would call for `operation`: itself, or the hand-written tool
    that stands in for it in the toolset (catalog `replaces`)."""
    from scw_mcp.runtime.catalog import load_catalog

    if operation in served:
        return operation
    for entry in load_catalog().entries.values():
        if entry.is_override and entry.name in served and operation in (entry.data.get("replaces") or []):
            return entry.name
    raise RuntimeError(f"no typed tool serves {operation} with --toolsets instance")


async def _timed_sync(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


async def _timed_call(client: Any, tool: str, args: dict[str, Any]) -> float:
    start = time.perf_counter()
    result = await client.call_tool(tool, args)
    elapsed = time.perf_counter() - start
    if result.is_error:
        raise RuntimeError(f"{tool} failed: {_text(result)[:300]}")
    return elapsed


async def _concurrency(be: Backend, repeat: int, home: str) -> dict[str, Any]:
    spec = scw_mcp_spec("scw-mcp --toolsets instance", ["--toolsets", "instance"], clean_env(home, **be.env))
    args = {"zone": ZONE, "server_id": be.server_id}
    one, seq, conc = [], [], []
    async with session(spec) as client:
        tool = typed_tool_for("instance_get_server", {t.name for t in await list_all_tools(client)})
        for _ in range(3):
            await _timed_call(client, tool, args)
        for _ in range(repeat):
            one.append(await _timed_call(client, tool, args))
            start = time.perf_counter()
            for _ in range(CONCURRENCY):
                await _timed_call(client, tool, args)
            seq.append(time.perf_counter() - start)
            start = time.perf_counter()
            async with anyio.create_task_group() as tg:
                for _ in range(CONCURRENCY):
                    tg.start_soon(_timed_call, client, tool, args)
            conc.append(time.perf_counter() - start)
    s, c = median(seq), median(conc)
    return {
        "calls": CONCURRENCY,
        "tool": tool,
        "api_latency_ms": LATENCY * 1e3,
        "one_call_ms": median(one) * 1e3,
        "sequential_ms": s * 1e3,
        "concurrent_ms": c * 1e3,
        "speedup": s / c,
    }


def run(repeat: int, calls: int = 300, log=print) -> dict[str, Any]:
    home = tempfile.mkdtemp(prefix="scw-bench-home-")
    result: dict[str, Any] = {}
    with child_stderr_to(BENCH / "results" / "servers.log"):
        try:
            with backend(0.0) as be:
                result["backend"] = be.name
                result["overhead"] = anyio.run(_overhead, be, calls, home)
            log("  call overhead done")
        except Exception as exc:  # noqa: BLE001
            result["overhead_error"] = describe(exc)
        try:
            with backend(LATENCY) as be:
                result["concurrency"] = anyio.run(_concurrency, be, repeat, home)
            log("  concurrency done")
        except Exception as exc:  # noqa: BLE001
            result["concurrency_error"] = describe(exc)
    return result
