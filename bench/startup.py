"""Start-up, context cost and memory of each server mode, side by side with the references.

One spawn gives three figures:
  1. start-up: wall time from spawning the process to a complete tools/list answer,
     through the real mcp stdio client (initialize included);
  2. context cost: the tools/list array in bytes (compact JSON, UTF-8, as on the wire) and
     an *estimate* of tokens (bytes / 4), and bytes per operation the server can reach;
  4. memory: peak RSS (VmHWM) of the server process right after tools/list.
Servers are started round-robin (one of each per repeat) so machine noise hits all alike.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from typing import Any

import anyio
from common import (
    BENCH,
    FAKE_CREDENTIALS,
    ServerSpec,
    child_stderr_to,
    clean_env,
    closed_port,
    describe,
    list_all_tools,
    median,
    peak_rss_mb,
    scw_mcp_spec,
    server_pid,
    session,
    tools_bytes,
)
from peer import ensure_peer, peer_spec

MODES = [  # label, scw-mcp arguments
    ("scw-mcp core (default)", []),
    ("scw-mcp --toolsets all", ["--toolsets", "all"]),
    ("scw-mcp --read-only", ["--read-only"]),
    ("scw-mcp --toolsets gateway", ["--toolsets", "gateway"]),
    ("scw-mcp --toolsets object_storage", ["--toolsets", "object_storage"]),
]
FLOOR = "minimal MCPServer (floor)"
BEFORE = "before: "  # label prefix of the modes spawned with an earlier checkout's interpreter
BEFORE_MODES = [MODES[0], MODES[1], MODES[4]]  # core, all, object_storage: what the targets compare


def specs(
    home: str, with_peer: bool, log=print, before_python: str | None = None
) -> tuple[list[ServerSpec], str | None]:
    env = clean_env(home, **FAKE_CREDENTIALS, SCW_API_URL=f"http://127.0.0.1:{closed_port()}")
    out = [scw_mcp_spec(label, args, env) for label, args in MODES]
    if before_python:  # a virtualenv with an earlier checkout installed; -P: not the one in the working directory
        out += [
            ServerSpec(BEFORE + label, before_python, ["-P", "-m", "scw_mcp.cli", *args], env)
            for label, args in BEFORE_MODES
        ]
    out.append(ServerSpec(FLOOR, sys.executable, [str(BENCH / "minimal_server.py")], env))
    peer_problem = None
    if with_peer:
        peer_problem = ensure_peer(log)
        if peer_problem is None:
            out.append(peer_spec(home))
    else:
        peer_problem = "skipped (--no-peer)"
    return out, peer_problem


async def _one(spec: ServerSpec) -> dict[str, Any]:
    with anyio.fail_after(180):
        start = time.perf_counter()
        async with session(spec) as client:
            tools = await list_all_tools(client)
            elapsed = time.perf_counter() - start
            pid = server_pid(spec)
            rss = peak_rss_mb(pid) if pid else None
    return {"seconds": elapsed, "tools": len(tools), "bytes": tools_bytes(tools), "peak_rss_mib": rss}


def reachable(label: str, tools: int) -> int:
    """Operations a client can run through this server (typed tools or the gateway)."""
    from scw_mcp.runtime.catalog import load_catalog

    if not label.startswith("scw-mcp"):
        return tools  # the peer, the floor, and an earlier checkout (its catalog is not this one)
    entries = load_catalog().entries.values()
    if "--read-only" in label:  # call_operation runs read operations only
        return sum(1 for e in entries if e.safety == "read")
    return len(entries)


def precompile(python: str) -> None:
    """Write scw_mcp's bytecode, as installing a wheel does: an editable checkout run with
    PYTHONDONTWRITEBYTECODE (set on these machines) would otherwise compile every module at
    every start, while mcp and the peer, installed from wheels, start from bytecode."""
    where = subprocess.run(
        [python, "-P", "-c", "import os, scw_mcp; print(os.path.dirname(scw_mcp.__file__))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run([python, "-m", "compileall", "-q", where], check=True)


def run(repeat: int, with_peer: bool = True, log=print, before_python: str | None = None) -> dict[str, Any]:
    home = tempfile.mkdtemp(prefix="scw-bench-home-")
    servers, peer_problem = specs(home, with_peer, log, before_python)
    for python in {sys.executable, before_python} - {None}:
        precompile(python)
    samples: dict[str, list[dict[str, Any]]] = {s.label: [] for s in servers}
    errors: dict[str, str] = {}
    with child_stderr_to(BENCH / "results" / "servers.log"):
        for i in range(repeat):
            for spec in servers:
                if spec.label in errors:
                    continue
                try:
                    samples[spec.label].append(anyio.run(_one, spec))
                except BaseException as exc:  # noqa: BLE001 - a server that cannot start is a result
                    if isinstance(exc, KeyboardInterrupt):
                        raise
                    errors[spec.label] = describe(exc, 300)
            log(f"  start-up round {i + 1}/{repeat} done")
    rows = []
    for spec in servers:
        got = samples[spec.label]
        row: dict[str, Any] = {
            "label": spec.label,
            "peer": spec.peer,
            "runs": len(got),
            "error": errors.get(spec.label),
        }
        if got:
            row.update(
                {
                    "startup_s": median([g["seconds"] for g in got]),
                    "startup_samples_s": [round(g["seconds"], 4) for g in got],
                    "tools": got[-1]["tools"],
                    "bytes": got[-1]["bytes"],
                    "tokens_estimate": got[-1]["bytes"] // 4,
                    "peak_rss_mib": median([g["peak_rss_mib"] for g in got if g["peak_rss_mib"] is not None]),
                }
            )
            row["reachable_operations"] = reachable(spec.label, row["tools"])
            row["bytes_per_reachable_operation"] = round(row["bytes"] / row["reachable_operations"], 1)
        rows.append(row)
    if with_peer and peer_problem:
        rows.append({"label": "scaleway-mcp 0.1.0 (peer)", "peer": True, "runs": 0, "error": peer_problem})
    return {"servers": rows}
