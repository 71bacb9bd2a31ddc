"""Nothing secret leaves in any form, against an API that echoes the credentials in every error.

The sandbox's `echo_token` faults answer errors quoting the request's X-Auth-Token (the secret
key) whole, upper-cased and cut, and the request body (a call's password), in JSON fields or
in a non-JSON body. The real server is driven through the real mcp client (in memory, and over
stdio for stderr at DEBUG and the audit log); every string it sends back must be free of them.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import anyio
import pytest

from scw_mcp.runtime.redact import MARK
from scw_mcp.runtime.settings import load_settings
from scw_mcp.sandbox import Sandbox
from tests.e2e import clean_env, server_params, text_of
from tests.inmemory import server_for

PASSWORD = "Echoed-Passw0rd-7f3a9c"  # a call's secret-named argument, echoed in the request body
PIECE = 12  # the redactor removes any run this long; the issue asks for none of 24


def leaks(text: str, secrets: tuple[str, ...]) -> list[str]:
    """Pieces of PIECE characters of any secret found in text, in any case."""
    low = text.lower()
    return [s[i : i + PIECE] for s in secrets for i in range(len(s) - PIECE + 1) if s[i : i + PIECE].lower() in low]


NOWHERE = str(uuid.uuid4())
# A broad set: typed and gateway tools, reads and writes, a destructive preview whose target read
# fails, zone "all" listings (per-zone errors), hand-written tools, a call with a password.
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("vpc_list_private_networks", {}),
    ("vpc_create_private_network", {"name": "echo-net"}),
    ("call_operation", {"name": "vpc_get_private_network", "arguments": {"private_network_id": NOWHERE}}),
    ("instance_delete_ip", {"ip": NOWHERE}),
    ("call_operation", {"name": "instance_list_ips", "arguments": {"zone": "all"}}),
    ("instance_list_servers", {"zone": "all"}),
    ("instance_create_server", {"name": "echo-srv", "commercial_type": "DEV1-S"}),
    ("vpc_delete_private_network", {"private_network_id": NOWHERE}),
    ("k8s_get_cluster", {"cluster_id": NOWHERE}),
    ("rdb_create_user", {"instance_id": NOWHERE, "name": "echo", "password": PASSWORD, "is_admin": False}),
    ("iam_list_api_keys", {}),
]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(s3=False) as sb:
        yield sb


@pytest.mark.parametrize("kind", ["echo_token", "echo_token_text"])
def test_nothing_secret_in_results_previews_or_mcp_notifications(sandbox, kind):
    sandbox.set_faults([{"kind": kind}])
    said: list[str] = []  # every string the server sent: results, log and progress notifications

    async def keep_log(params: Any) -> None:
        said.append(json.dumps(params.data, default=str))

    async def keep_progress(progress: float, total: float | None, message: str | None) -> None:
        said.append(message or "")

    async def scenario() -> list[Any]:
        from mcp import Client

        server = server_for(sandbox, toolsets=("all",))
        async with Client(server, logging_callback=keep_log, log_level="debug") as client:
            results = [await client.call_tool(name, args, progress_callback=keep_progress) for name, args in CALLS]
            config = await client.read_resource("scw://config")
        said.extend(c.text for c in config.contents)
        return results

    try:
        results = anyio.run(scenario)
    finally:
        sandbox.set_faults([])
    for (name, _), result in zip(CALLS, results, strict=True):
        said.extend([text_of(result), json.dumps(result.structured_content)])
        text = text_of(result)
        assert "Unexpected error" not in text and "Traceback" not in text, (name, text)
        assert MARK[:8] in text, (name, text)  # the echo reached the answer, redacted (maybe then cut)
    preview = results[3].structured_content
    assert preview["status"] == "confirmation_required" and MARK[:8] in preview["target"]["unavailable"]
    assert MARK[:8] in json.dumps(results[4].structured_content["errors"])  # zone "all": one error per zone
    assert any("vpc_create_private_network" in s for s in said)  # an MCP log notification was checked
    assert not leaks("\n".join(said), (sandbox.secret_key, PASSWORD))


def test_scw_config_shows_urls_without_userinfo(sandbox):
    env = {**sandbox.env(), "SCW_API_URL": sandbox.api_url.replace("http://", "http://admin:url-password-0042@")}

    async def scenario() -> str:
        from mcp import Client

        async with Client(server_for(settings=load_settings(environ=env))) as client:
            return "".join(c.text for c in (await client.read_resource("scw://config")).contents)

    text = anyio.run(scenario)
    assert json.loads(text)["api_url"] == sandbox.api_url
    assert "admin" not in text and "url-password" not in text and sandbox.secret_key not in text


def test_stderr_at_debug_and_the_audit_log_hold_nothing_secret(tmp_path: Path):
    """One `scw-mcp` process at DEBUG with an audit file: failing reads log their traceback, failing
    writes their audit line, against an API that echoes the key in every error."""
    from mcp import Client
    from mcp.client.stdio import stdio_client

    audit, stderr_path = tmp_path / "audit.log", tmp_path / "stderr.log"
    said: list[str] = []

    async def keep_log(params: Any) -> None:
        said.append(json.dumps(params.data, default=str))

    with Sandbox(s3=False, faults=[{"route": "GET *", "kind": "echo_token"}, {"kind": "echo_token_text"}]) as sb:
        env = clean_env(str(tmp_path), **sb.env())
        args = ["--toolsets", "all", "--audit-log", str(audit), "--log-level", "DEBUG"]

        async def scenario() -> None:
            with stderr_path.open("w") as errlog:
                transport = stdio_client(server_params(args, env), errlog=errlog)
                async with Client(transport, read_timeout_seconds=60, logging_callback=keep_log) as client:
                    for name, arguments in CALLS:
                        said.append(text_of(await client.call_tool(name, arguments)))

        anyio.run(scenario)
        secrets = (sb.secret_key, PASSWORD)
    stderr, audited = stderr_path.read_text(), audit.read_text()
    assert "Traceback (most recent call last)" in stderr and "response body not logged" in stderr  # DEBUG frames
    assert MARK in audited and '"operation": "rdb_create_user"' in audited
    assert not leaks("\n".join([stderr, audited, *said]), secrets), leaks(stderr, secrets)


def test_the_http_request_log_redacts_arguments_before_cutting_them():
    from scw_mcp.http.middleware import describe
    from scw_mcp.runtime.redact import Redactor

    key = "0b9d3c1e-7f2a-4e8b-9c6d-5a1f3e7b2d4c"
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "vpc_create_private_network", "arguments": {"name": "." * 56 + key}},
    }
    _, _, shown = describe(json.dumps(body).encode(), Redactor([key]))
    assert "........[redacte" in shown and key[:8] not in shown  # the mark is cut, not the key
