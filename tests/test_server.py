"""The served surface through the in-memory client (tools/list in each mode, annotations,
validation, gateway), plus the few things only a real process shows: stdout carries JSON-RPC
only, and DEBUG logging and the audit log keep secrets out."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import anyio
import pytest

from scw_mcp.runtime.policy import Policy
from scw_mcp.runtime.settings import Settings, load_settings
from scw_mcp.sandbox import Sandbox
from scw_mcp.server import first_sentence, served_catalog
from tests.conftest import ROOT
from tests.e2e import clean_env
from tests.inmemory import calls, server_for, text_of

GATEWAY = {"search_operations", "describe_operation", "call_operation"}
GRAMMAR = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


def _list(**options):
    return anyio.run(server_for(settings=Settings(), **options).list_tools)


def _size(tools) -> int:
    """Bytes of tools/list as the wire carries it (compact JSON)."""
    return len(
        json.dumps(
            [t.model_dump(by_alias=True, exclude_none=True) for t in tools], separators=(",", ":"), ensure_ascii=False
        )
    )


def test_tools_list_in_each_mode():
    catalog = served_catalog()
    core = _list()
    names = {t.name for t in core}
    assert GATEWAY <= names
    assert len(core) <= 60 and _size(core) < 40_000, (len(core), _size(core))  # bench target: < 40 KB

    everything = _list(toolsets=("all",))
    assert len(everything) == len(catalog.entries) + 3

    read_only = _list(toolsets=("all",), read_only=True)
    assert read_only and all(t.annotations.read_only_hint for t in read_only)
    assert {t.name for t in read_only} == {op.name for op in catalog.entries.values() if op.safety == "read"} | GATEWAY

    gateway = _list(toolsets=("gateway",))
    assert {t.name for t in gateway} == GATEWAY and _size(gateway) < 4_000

    namespaces = _list(toolsets=("instance", "k8s"))
    assert {catalog.get(t.name).product for t in namespaces if t.name not in GATEWAY} == {"instance", "k8s"}


def test_read_only_serves_no_write_even_where_a_product_looked_read():
    names = {t.name for t in _list(toolsets=("all",), read_only=True)}
    writes = {
        "audit_trail_create_custom_alert_rule",
        "audit_trail_delete_custom_alert_rule",
        "audit_trail_disable_alert_rules",
        "audit_trail_set_enabled_alert_rules",
        "audit_trail_update_custom_alert_rule",
        "audit_trail_create_export_job",
        "audit_trail_delete_export_job",
        "account_validate_contract_signature",
        "rdb_prepare_instance_logs",
        "iam_validate_user_mfaotp",
    }
    assert not names & writes
    assert {"audit_trail_list_events", "audit_trail_list_export_jobs"} <= names


def test_one_name_grammar_one_tool_per_operation_distinct_descriptions():
    """`scw-mcp --toolsets all tools --json`, as a user reads it."""
    proc = subprocess.run(
        [sys.executable, "-m", "scw_mcp.cli", "--toolsets", "all", "tools", "--json"],
        capture_output=True,
        text=True,
        env=clean_env("/tmp"),
        cwd=str(ROOT),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    tools = json.loads(proc.stdout)
    names = [t["name"] for t in tools]
    assert len(names) == len(set(names))
    assert [n for n in names if not GRAMMAR.match(n) or len(n) > 64] == []
    # each SDK operation is served by one tool: its generated one, or the hand-written one that replaces it
    stands_for = [op for t in tools if not t.get("gateway") for op in (t["replaces"] if t["override"] else [t["name"]])]
    assert len(stands_for) == len(set(stands_for)), "an operation is served twice"
    assert all(t["sdk"] for t in tools if not t.get("gateway")), "every tool names the SDK operations it performs"
    descriptions = [t["description"] for t in tools]
    twins = sorted({d for d in descriptions if descriptions.count(d) > 1})
    assert twins == [], twins[:5]
    for tool in tools:
        assert set(tool) >= {
            "name",
            "description",
            "inputSchema",
            "annotations",
            "safety",
            "sdk",
            "replaces",
            "override",
        }
    hand_written = {t["name"]: t for t in tools if t["override"]}
    assert hand_written["instance_delete_server"]["replaces"] == ["instance_delete_server"]
    assert "scaleway.instance.v1:InstanceV1API.delete_server" in hand_written["instance_delete_server"]["sdk"]
    assert hand_written["instance_stop_server"]["replaces"] == []


def test_parameter_descriptions_read_past_abbreviations_and_drop_placeholders():
    tools = {t.name: t.input_schema["properties"] for t in _list(toolsets=("all",))}
    assert tools["instance_create_server"]["commercial_type"]["description"] == "e.g. DEV1-S, PRO2-S."
    assert tools["rdb_create_instance"]["engine"]["description"].startswith("e.g. PostgreSQL")
    assert tools["k8s_create_pool"]["node_type"]["description"].startswith("e.g. DEV1-M")
    assert "description" not in tools["flexibleip_generate_mac_addr"]["mac_type"]  # the SDK's "TODO."
    listed = [p.get("description", "") for props in tools.values() for p in props.values()]
    cut_at_abbreviation = [d for d in listed if re.search(r"\b(e\.g|i\.e|vs|cf)\.$", d)]
    placeholders = [d for d in listed if re.fullmatch(r"(?i)(todo|fixme|tbd)\W*", d)]
    assert cut_at_abbreviation == placeholders == [], (cut_at_abbreviation[:5], placeholders)


@pytest.mark.parametrize(
    "text, first",
    [
        ("Node type (e.g. DEV1-M). Others follow.", "Node type (e.g. DEV1-M)."),
        ("Either A i.e. The first one. Then B.", "Either A i.e. The first one."),
        ("Tags, names, etc. (all optional). More.", "Tags, names, etc. (all optional)."),
        ("Tags, names, etc. Then more.", "Tags, names, etc."),
        ("Compare A vs. B here. Then more.", "Compare A vs. B here."),
        ("One sentence only", "One sentence only"),
    ],
)
def test_first_sentence(text, first):
    assert first_sentence(text) == first


def test_every_tool_carries_annotations_matching_its_class():
    catalog = served_catalog()
    for tool in _list(toolsets=("all",)):
        op = catalog.get(tool.name)
        if op is None:
            continue
        a = tool.annotations
        assert tool.title and a.open_world_hint is True, tool.name
        assert a.read_only_hint == (op.safety == "read"), tool.name
        assert a.destructive_hint == (op.safety == "destructive"), tool.name


def test_calls_without_credentials_fail_clearly():
    typed, gateway = calls(
        None,
        ("instance_list_servers", {}),
        ("call_operation", {"name": "iam_list_users", "arguments": {}}),
        settings=Settings(),
    )
    for result in (typed, gateway):
        assert result.is_error
        assert "SCW_ACCESS_KEY is not set" in text_of(result) and "SCW_SECRET_KEY" in text_of(result)
        assert "Traceback" not in text_of(result)


def test_malformed_credentials_are_named():
    settings = load_settings(environ={"SCW_ACCESS_KEY": "nope", "SCW_SECRET_KEY": "not-a-uuid-secret"})
    (result,) = calls(None, ("instance_list_servers", {}), settings=settings)
    text = text_of(result)
    assert result.is_error and "SCW_ACCESS_KEY is malformed" in text and "SCW_SECRET_KEY is malformed" in text
    assert "not-a-uuid-secret" not in text


def test_validation_errors_name_the_field_and_accepted_values():
    wrong_type, wrong_enum, unknown, bad_zone, real_zones = calls(
        None,
        ("instance_list_servers", {"per_page": "ten"}),
        ("call_operation", {"name": "vpc_list_private_networks", "arguments": {"order_by": "sideways"}}),
        ("call_operation", {"name": "instance_list_serverz"}),
        ("instance_list_servers", {"zone": "fr-par-9"}),
        ("instance_list_servers", {"zone": "it-mil-1"}),
        settings=Settings(),
    )
    assert wrong_type.is_error and "per_page" in text_of(wrong_type)
    assert wrong_enum.is_error and "created_at_asc" in text_of(wrong_enum)
    assert unknown.is_error and "instance_list_servers" in text_of(unknown)
    assert bad_zone.is_error and "Did you mean" in text_of(bad_zone)
    assert "Unknown zone" not in text_of(real_zones)  # a real zone: only the missing credentials stop it


def test_gateway_search_and_describe():
    found, described = calls(
        None,
        ("search_operations", {"query": "create a private network"}),
        ("describe_operation", {"name": "instance_delete_server"}),
        settings=Settings(),
        toolsets=("gateway",),
    )
    names = [op["name"] for op in found.structured_content["operations"]]
    assert "vpc_create_private_network" in names[:3]
    described = described.structured_content
    assert described["handwritten"] and described["replaces"] == ["instance_delete_server"]
    assert (
        "confirm_token" in described["input_schema"]["properties"]
        and "with_volumes" in described["input_schema"]["properties"]
    )


def test_a_tool_that_is_not_served_says_why_and_what_to_do():
    policy = Policy(deny=("rdb_*",), source="p.yaml")
    (other_toolset,) = calls(None, ("rdb_create_database", {"instance_id": "x", "name": "db"}), settings=Settings())
    (write,) = calls(None, ("instance_create_server", {}), settings=Settings(), read_only=True)
    (denied,) = calls(None, ("rdb_list_instances", {}), settings=Settings(), policy=policy)
    (typo,) = calls(None, ("instance_delete_servr", {}), settings=Settings(), read_only=True)
    text = text_of(other_toolset)
    assert "not served as a typed tool here (toolsets: core)" in text
    assert "call_operation(name='rdb_create_database'" in text and "--toolsets core,rdb" in text
    assert "a mutate operation (a write) and this server runs in read-only mode" in text_of(write)
    assert text_of(denied).startswith("Refused by policy (p.yaml): rdb_list_instances is not allowed")
    assert "Unknown tool 'instance_delete_servr'" in text_of(typo)
    suggested = re.search(r"Did you mean: (.*)\?", text_of(typo)).group(1).split(", ")
    assert suggested and all(served_catalog().get(n).safety == "read" for n in suggested)  # only what it serves
    assert all(r.is_error for r in (other_toolset, write, denied, typo))


def test_search_says_when_the_mode_or_policy_hides_operations():
    read_only, open_, denied = (
        calls(None, ("search_operations", {"query": "delete a server"}), settings=Settings(), **options)[0]
        for options in ({"read_only": True}, {}, {"policy": Policy(deny=("*_delete_*",))})
    )
    assert all(op["safety"] == "read" for op in read_only.structured_content["operations"])
    assert read_only.structured_content["hidden"].endswith(
        "not shown: this server runs in read-only mode (writes are refused)."
    )
    assert "hidden" not in open_.structured_content
    assert denied.structured_content["hidden"].endswith("not shown: the policy does not allow them.")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("list my kubernetes clusters", {"k8s_list_clusters"}),
        ("create a private network", {"vpc_create_private_network"}),
        ("stop a server", {"instance_server_action", "instance_stop_server"}),
        ("delete a bucket", {"object_storage_delete_bucket"}),
    ],
)
def test_search_finds_plain_requests_in_top_3(query, expected):
    top = [op.name for op in served_catalog().search(query, limit=3)]
    assert expected & set(top), (query, top)


def test_stdout_carries_only_json_rpc(tmp_path):
    """Raw stdio: every line the server writes to stdout is a JSON-RPC message."""
    env = clean_env(str(tmp_path), SCW_MCP_LOG_LEVEL="DEBUG")
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {"name": "account_list_projects", "arguments": {}},
        },
        {
            "jsonrpc": "2.0",
            "id": 4,
            "method": "tools/call",
            "params": {"name": "search_operations", "arguments": {"query": "servers"}},
        },
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "scw_mcp.cli"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=str(ROOT),
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


def test_audit_log_and_no_secret_anywhere(tmp_path):
    from mcp import Client
    from mcp.client.stdio import stdio_client as raw_stdio_client

    from tests.e2e import server_params

    audit, stderr_path = tmp_path / "audit.log", tmp_path / "stderr.log"
    sandbox = Sandbox(s3=False).start()
    env = clean_env(str(tmp_path), **sandbox.env())
    args = ["--toolsets", "all", "--audit-log", str(audit), "--log-level", "DEBUG"]

    async def scenario():
        with stderr_path.open("w") as errlog:
            async with Client(
                raw_stdio_client(server_params(args, env), errlog=errlog), read_timeout_seconds=60
            ) as client:
                return [
                    await client.call_tool("vpc_create_private_network", {"name": "audited"}),
                    await client.call_tool("vpc_get_private_network", {"private_network_id": "nope"}),
                ]

    try:
        results = anyio.run(scenario)
    finally:
        sandbox.stop()
    lines = audit.read_text().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0].removeprefix("audit "))
    assert record["operation"] == "vpc_create_private_network" and record["outcome"] == "ok"
    secret = env["SCW_SECRET_KEY"]
    stderr = stderr_path.read_text()
    assert "vpc_get_private_network" in stderr  # DEBUG logging went to stderr
    for text in (audit.read_text(), stderr, *(text_of(r) for r in results)):
        assert secret not in text
