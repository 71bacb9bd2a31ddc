"""The streamable HTTP transport: bearer token, Host/Origin checks, a full call."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import anyio
import httpx2
import pytest
import requests
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import ROOT
from tests.e2e import clean_env

TOKEN = "test-token-123"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def http_server(tmp_path_factory):
    port = _free_port()
    env = clean_env(str(tmp_path_factory.mktemp("home")), SCW_MCP_HTTP_TOKEN=TOKEN)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scw_mcp.cli", "--sandbox", "--transport", "streamable-http", "--port", str(port)],
        env=env,
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail(f"HTTP server did not start: {proc.stderr.read().decode()[-2000:]}")
    yield f"http://127.0.0.1:{port}/mcp"
    proc.terminate()
    proc.wait(timeout=10)


INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
}
HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


def test_missing_or_wrong_token_is_401(http_server):
    assert requests.post(http_server, json=INIT, headers=HEADERS, timeout=10).status_code == 401
    wrong = {**HEADERS, "Authorization": "Bearer nope"}
    assert requests.post(http_server, json=INIT, headers=wrong, timeout=10).status_code == 401


def test_foreign_host_and_origin_are_rejected(http_server):
    auth = {**HEADERS, "Authorization": f"Bearer {TOKEN}"}
    assert (
        requests.post(http_server, json=INIT, headers={**auth, "Host": "evil.example:80"}, timeout=10).status_code
        == 421
    )
    assert (
        requests.post(http_server, json=INIT, headers={**auth, "Origin": "http://evil.example"}, timeout=10).status_code
        == 403
    )
    assert requests.post(http_server, json=INIT, headers=auth, timeout=10).status_code == 200


def test_full_call_over_http(http_server):
    async def run():
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as http:
            async with Client(streamable_http_client(http_server, http_client=http)) as client:
                tools = await client.list_tools()
                found = await client.call_tool("search_operations", {"query": "list servers"})
                created = await client.call_tool("vpc_create_private_network", {"name": "over-http"})
                listed = await client.call_tool("vpc_list_private_networks", {"name": "over-http"})
                return tools, found, created, listed

    tools, found, created, listed = anyio.run(run)
    assert any(t.name == "call_operation" for t in tools.tools)
    assert not found.is_error
    assert found.structured_content["operations"]
    # A real API call (the server runs with --sandbox): created, then listed.
    network = created.structured_content
    assert [n["id"] for n in listed.structured_content["items"]] == [network["id"]]


def test_refuses_to_start_without_a_token_off_loopback(tmp_path):
    env = clean_env(str(tmp_path))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scw_mcp.cli",
            "--transport",
            "streamable-http",
            "--host",
            "0.0.0.0",
            "--http-no-token",
            "--port",
            str(_free_port()),
        ],
        env=env,
        cwd=str(ROOT),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "SCW_MCP_HTTP_TOKEN" in proc.stderr
