"""Real `scw-mcp` processes for the HTTP tests: `scw-mcp sandbox serve` and HTTP replicas.

Their stderr goes to files (a pipe nobody drains would block a busy server on its request log).
"""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import requests
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import ROOT
from tests.e2e import clean_env

TOKEN = "test-token-123"
CLI = [sys.executable, "-m", "scw_mcp.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Process:
    proc: subprocess.Popen
    stderr_path: Path

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then the exit code (killed, and a failure, if it does not stop in time)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"did not stop within {timeout} s after SIGTERM:\n{self.stderr[-2000:]}") from None


@dataclass
class SandboxProcess(Process):
    info: dict[str, Any]


@dataclass
class Replica(Process):
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/mcp"


def start_sandbox(tmp: Path, *args: str) -> SandboxProcess:
    err = tmp / f"sandbox-{time.monotonic_ns()}.log"
    proc = subprocess.Popen(
        [*CLI, "sandbox", "serve", *args],
        env=clean_env(str(tmp)),
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=err.open("wb"),
        text=True,
    )
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=10)
        raise AssertionError(f"sandbox serve printed nothing (exit {proc.returncode}):\n{err.read_text()[-2000:]}")
    return SandboxProcess(proc, err, json.loads(line))


def start_replica(tmp: Path, env: dict[str, str], *args: str, token: str | None = TOKEN) -> Replica:
    """An HTTP replica on a free port, returned once /healthz answers."""
    port = free_port()
    err = tmp / f"replica-{port}.log"
    extra = {**env, **({"SCW_MCP_HTTP_TOKEN": token} if token else {})}
    proc = subprocess.Popen(
        [*CLI, "--transport", "streamable-http", "--port", str(port), *args],
        cwd=str(ROOT),
        env=clean_env(str(tmp), **extra),
        stdout=subprocess.DEVNULL,
        stderr=err.open("wb"),
    )
    replica = Replica(proc, err, port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"replica exited with {proc.returncode}:\n{replica.stderr[-2000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{replica.base}/healthz", timeout=1).status_code == 200:
                return replica
        time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"replica did not answer /healthz within 60 s:\n{replica.stderr[-2000:]}")


@contextlib.asynccontextmanager
async def mcp_client(replica: Replica, token: str = TOKEN) -> Any:
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        async with Client(streamable_http_client(replica.url, http_client=http)) as client:
            yield client


def call(replica: Replica, tool: str, arguments: dict[str, Any]) -> Any:
    """One tool call through the real mcp client over HTTP."""

    async def run() -> Any:
        async with mcp_client(replica) as client:
            return await client.call_tool(tool, arguments)

    return anyio.run(run)


@contextlib.contextmanager
def stopped_at_exit(*processes: Process) -> Iterator[None]:
    try:
        yield
    finally:
        for process in processes:
            if process.proc.poll() is None:
                process.proc.kill()
                process.proc.wait()
