"""Shared helpers: environments, spawning servers through the real mcp stdio client, stats."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcp import Client, StdioServerParameters

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PEER_VENV = BENCH / ".peer-venv"
PEER_PACKAGE = "scaleway-mcp==0.1.0"

# Throw-away but well-formed credentials: nothing here is a real key.
FAKE_CREDENTIALS = {
    "SCW_ACCESS_KEY": "SCWXXXXXXXXXXXXXXXXX",
    "SCW_SECRET_KEY": str(uuid.UUID(int=0x1111_2222_4333_8444_5555_5555_5555)),
    "SCW_DEFAULT_PROJECT_ID": str(uuid.UUID(int=0x6666_7777_4888_9999_AAAA_AAAA_AAAA)),
    "SCW_DEFAULT_ORGANIZATION_ID": str(uuid.UUID(int=0x6666_7777_4888_9999_AAAA_AAAA_AAAA)),
    "SCW_DEFAULT_ZONE": "fr-par-1",
    "SCW_DEFAULT_REGION": "fr-par",
}


def closed_port() -> int:
    """A loopback port nobody listens on (bound then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(home: str, **extra: str) -> dict[str, str]:
    """This process's environment without Scaleway/AWS settings, a throw-away HOME, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCW_", "AWS_"))}
    env.update({"HOME": home, "XDG_CONFIG_HOME": os.path.join(home, ".config"), "PYTHONUNBUFFERED": "1"})
    # Belt and braces: anything that tries to leave the machine over HTTP(S) hits a closed port.
    blackhole = f"http://127.0.0.1:{closed_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env[name] = blackhole
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update(extra)
    return env


@dataclass
class ServerSpec:
    """One server to start: a label for the table and how to spawn it."""

    label: str
    command: str
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    peer: bool = False

    def params(self) -> StdioServerParameters:
        return StdioServerParameters(command=self.command, args=self.args, env=self.env, cwd=str(ROOT))


def scw_mcp_spec(label: str, args: list[str], env: dict[str, str]) -> ServerSpec:
    return ServerSpec(label, sys.executable, ["-m", "scw_mcp.cli", *args], env)


@contextlib.asynccontextmanager
async def session(spec: ServerSpec, timeout: float = 120) -> AsyncIterator[Client]:
    """Spawn the server over stdio and initialize (entering the context does both)."""
    async with Client(spec.params(), read_timeout_seconds=timeout) as client:
        yield client


async def list_all_tools(client: Client) -> list[Any]:
    tools: list[Any] = []
    cursor = None
    while True:
        page = await client.list_tools(cursor=cursor, cache_mode="bypass")
        tools.extend(page.tools)
        cursor = page.next_cursor
        if not cursor:
            return tools


def tools_bytes(tools: list[Any]) -> int:
    """Size of the tools array as it travels (compact JSON, UTF-8)."""
    data = [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]
    return len(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode())


# --- the spawned process ----------------------------------------------------------------
def _ppid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def child_pids(parent: int | None = None) -> list[int]:
    parent = parent or os.getpid()
    try:
        import psutil  # type: ignore[import-not-found]

        return [p.pid for p in psutil.Process(parent).children()]
    except ImportError:
        pass
    return [int(d) for d in os.listdir("/proc") if d.isdigit() and _ppid(int(d)) == parent]


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def server_pid(spec: ServerSpec) -> int | None:
    """The pid of the child this process spawned for `spec` (matched on its command line)."""
    needle = " ".join(spec.args) if spec.args else os.path.basename(spec.command)
    matching = [pid for pid in child_pids() if needle in cmdline(pid)]
    return max(matching, key=_start_time, default=None)  # the newest, should an old one linger


def _start_time(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return 0


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM (peak resident set size) of a live process, in MiB."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --- statistics -------------------------------------------------------------------------
def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


# --- the machine ------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram_gib = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    ram_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "ram_gib": ram_gib,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


@contextlib.contextmanager
def child_stderr_to(path: Path):
    """Send fd 2 (which the stdio client hands to the servers it spawns) to a log file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def describe(exc: BaseException, limit: int = 400) -> str:
    """One line for a failure, looking inside exception groups for the first real cause."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:  # noqa: F821 (a builtin from Python 3.11)
        exc = exc.exceptions[0]
    return f"{type(exc).__name__}: {exc}"[:limit]
