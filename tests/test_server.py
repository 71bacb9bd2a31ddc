"""The server as a user runs it: spawned over stdio, driven by the real mcp client."""

from __future__ import annotations

import json
import subprocess
import sys

import anyio
import pytest

from scw_mcp.runtime.catalog import load_catalog
from tests.conftest import ROOT
from tests.e2e import clean_env, stdio_client, text_of


async def _list(args, env):
    async with stdio_client(args, env) as client:
        return (await client.list_tools()).tools


def _size(tools) -> int:
    return len(json.dumps([t.model_dump(by_alias=True, exclude_none=True) for t in tools]))


@pytest.fixture
def env(tmp_path):
    return clean_env(str(tmp_path))


def test_tools_list_in_each_mode(env):
    catalog = load_catalog()
    core = anyio.run(_list, [], env)
    names = {t.name for t in core}
    assert {"search_operations", "describe_operation", "call_operation"} <= names
    assert len(core) <= 63 and _size(core) < 40_000, (len(core), _size(core))

    everything = anyio.run(_list, ["--toolsets", "all"], env)
    assert len(everything) == len(catalog.entries) + 3

    read_only = anyio.run(_list, ["--toolsets", "all", "--read-only"], env)
    assert read_only and all(t.annotations.read_only_hint for t in read_only)
    assert {t.name for t in read_only} == {e.name for e in catalog.entries.values() if e.safety == "read"} | {
        "search_operations", "describe_operation", "call_operation"}

    gateway = anyio.run(_list, ["--toolsets", "gateway"], env)
    assert [t.name for t in gateway] == ["search_operations", "describe_operation", "call_operation"]
    assert _size(gateway) < 4_000

    namespaces = anyio.run(_list, ["--toolsets", "instance,k8s"], env)
    products = {catalog.get(t.name).data["product"] for t in namespaces if catalog.get(t.name)}
    assert products == {"instance", "k8s"}


def test_every_tool_carries_annotations_matching_its_class(env):
    catalog = load_catalog()
    for tool in anyio.run(_list, ["--toolsets", "all"], env):
        entry = catalog.get(tool.name)
        if entry is None:
            continue
        a = tool.annotations
        assert a.title and a.open_world_hint is True, tool.name
        assert a.read_only_hint == (entry.safety == "read"), tool.name
        assert a.destructive_hint == (entry.safety == "destructive"), tool.name


def test_calls_without_credentials_fail_clearly(env):
    async def run():
        async with stdio_client([], env) as client:
            typed = await client.call_tool("account_list_projects", {})
            gateway = await client.call_tool("call_operation", {"name": "instance_list_servers", "arguments": {}})
            return typed, gateway

    typed, gateway = anyio.run(run)
    for result in (typed, gateway):
        assert result.is_error
        assert "SCW_ACCESS_KEY is not set" in text_of(result) and "SCW_SECRET_KEY" in text_of(result)
        assert "Traceback" not in text_of(result)


def test_malformed_credentials_are_named(tmp_path):
    env = clean_env(str(tmp_path), SCW_ACCESS_KEY="nope", SCW_SECRET_KEY="not-a-uuid-secret")

    async def run():
        async with stdio_client([], env) as client:
            return await client.call_tool("account_list_projects", {})

    result = anyio.run(run)
    assert result.is_error
    text = text_of(result)
    assert "SCW_ACCESS_KEY is malformed" in text and "SCW_SECRET_KEY is malformed" in text
    assert "not-a-uuid-secret" not in text


def test_validation_errors_name_the_field_and_accepted_values(env):
    async def run():
        async with stdio_client(["--toolsets", "all"], env) as client:
            wrong_type = await client.call_tool("instance_list_servers", {"per_page": "ten"})
            wrong_enum = await client.call_tool("instance_list_servers", {"order": "sideways"})
            unknown = await client.call_tool("call_operation", {"name": "instance_list_serverz"})
            bad_zone = await client.call_tool("instance_list_servers", {"zone": "fr-par-9"})
            return wrong_type, wrong_enum, unknown, bad_zone

    wrong_type, wrong_enum, unknown, bad_zone = anyio.run(run)
    assert wrong_type.is_error and "per_page" in text_of(wrong_type)
    assert wrong_enum.is_error and "creation_date_desc" in text_of(wrong_enum)
    assert unknown.is_error and "instance_list_servers" in text_of(unknown)
    assert bad_zone.is_error and "Did you mean" in text_of(bad_zone)


def test_gateway_search_and_describe(env):
    async def run():
        async with stdio_client(["--toolsets", "gateway"], env) as client:
            found = await client.call_tool("search_operations", {"query": "create a private network"})
            described = await client.call_tool("describe_operation", {"name": "vpc_create_private_network"})
            return found, described

    found, described = anyio.run(run)
    names = [op["name"] for op in found.structured_content["operations"]]
    assert {"vpc_create_private_network", "vpc_private_network_create"} & set(names[:3])
    assert described.structured_content["input_schema"]["type"] == "object"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("list my kubernetes clusters", {"k8s_list_clusters", "k8s_cluster_list"}),
        ("create a private network", {"vpc_create_private_network", "vpc_private_network_create"}),
        ("stop a server", {"instance_server_action", "instance_server_stop"}),
        ("delete a bucket", {"object_storage_delete_bucket"}),
    ],
)
def test_search_finds_plain_requests_in_top_3(query, expected):
    top = [e.name for e in load_catalog().search(query, limit=3)]
    assert expected & set(top), (query, top)


def test_stdout_carries_only_json_rpc(tmp_path):
    """Raw stdio: every line the server writes to stdout is a JSON-RPC message."""
    env = clean_env(str(tmp_path), SCW_MCP_LOG_LEVEL="DEBUG")
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "account_list_projects", "arguments": {}}},
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "search_operations", "arguments": {"query": "servers"}}},
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "scw_mcp.cli"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=env, cwd=str(ROOT),
    )
    proc.stdin.write("".join(json.dumps(m) + "\n" for m in messages))
    proc.stdin.flush()
    ids = set()
    lines = 0
    while not {1, 2, 3, 4} <= ids:
        line = proc.stdout.readline()
        assert line, f"server closed stdout; stderr: {proc.stderr.read()[-2000:]}"
        message = json.loads(line)  # any non-JSON line on stdout fails here
        assert message["jsonrpc"] == "2.0"
        ids.add(message.get("id"))
        lines += 1
    proc.stdin.close()
    rest, stderr = proc.stdout.read(), proc.stderr.read()
    proc.wait(timeout=30)
    for line in rest.splitlines():
        if line.strip():
            assert json.loads(line)["jsonrpc"] == "2.0"
    assert "WARNING" in stderr  # logging went to stderr
