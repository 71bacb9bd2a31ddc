"""The runtime end to end: the real scw-mcp over stdio against the sandbox (fake API on loopback)."""

from __future__ import annotations

import json

import anyio
import pytest
from mcp_types import ElicitResult

from scw_mcp.sandbox import Sandbox, shapes
from tests.e2e import clean_env, stdio_client, text_of


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(s3=False) as sb:
        yield sb


@pytest.fixture
def sb(sandbox):
    sandbox.set_faults([])
    sandbox.reset_requests()
    yield sandbox
    sandbox.set_faults([])


@pytest.fixture
def env(sb, tmp_path):
    return clean_env(str(tmp_path), **sb.env())


def _requests(sb, method=None, contains=""):
    return [r for r in sb.requests if (method is None or r["method"] == method) and contains in r["path"]]


async def _calls(args, env, calls, **client_kwargs):
    results = []
    async with stdio_client(args, env, **client_kwargs) as client:
        for name, arguments in calls:
            results.append(await client.call_tool(name, arguments))
    return results


def run(args, env, *calls, **client_kwargs):
    return anyio.run(lambda: _calls(args, env, list(calls), **client_kwargs))


def _create_network(env, name):
    (result,) = run(["--toolsets", "all"], env, ("vpc_create_private_network", {"name": name, "default_route_propagation_enabled": False}))
    assert not result.is_error, text_of(result)
    return result.structured_content


def test_typed_call_and_call_operation_give_the_same_result(env):
    _create_network(env, "same-result")
    typed, gateway = run(
        ["--toolsets", "all"], env,
        ("vpc_list_private_networks", {"name": "same-result"}),
        ("call_operation", {"name": "vpc_list_private_networks", "arguments": {"name": "same-result"}}),
    )
    assert not typed.is_error, text_of(typed)
    assert typed.structured_content == gateway.structured_content
    assert typed.structured_content["items"][0]["name"] == "same-result"
    assert json.loads(text_of(typed)) == typed.structured_content


def test_pagination(sb, env):
    for i in range(5):  # straight into the sandbox: one server spawn is enough for this test
        sb.engine.handle("POST", "/vpc/v2/regions/fr-par/private-networks", {},
                         {"name": f"page-net-{i}", "default_route_propagation_enabled": False})
    first, last, everything = run(
        ["--toolsets", "all"], env,
        ("vpc_list_private_networks", {"name": "page-net", "page_size": 2}),
        ("vpc_list_private_networks", {"name": "page-net", "page_size": 2, "page": 3}),
        ("vpc_list_private_networks", {"name": "page-net", "all_pages": True}),
    )
    assert first.structured_content["total_count"] == 5
    assert len(first.structured_content["items"]) == 2 and first.structured_content["next_page"] == 2
    assert len(last.structured_content["items"]) == 1 and last.structured_content["next_page"] is None
    assert len(everything.structured_content["items"]) == 5


def test_scaleway_errors_are_clean(env):
    (missing,) = run(["--toolsets", "all"], env, ("vpc_get_private_network", {"private_network_id": "00000000-0000-0000-0000-000000000000"}))
    assert missing.is_error
    text = text_of(missing)
    assert text.startswith("Scaleway API error 404") and "What to do" in text and "Traceback" not in text


@pytest.mark.parametrize(
    "fault, expected",
    [
        ({"kind": "non_json"}, "non-JSON"),
        ({"kind": "reset"}, "Could not reach the Scaleway API"),
        ({"kind": "500"}, "Scaleway API error 500"),
        ({"kind": "503"}, "Scaleway API error 503"),
    ],
)
def test_transport_faults_are_clean_errors(sb, env, fault, expected):
    sb.set_faults([{"route": "GET /vpc/*", **fault}])
    (result,) = run(["--toolsets", "all"], env, ("vpc_list_private_networks", {}))
    assert result.is_error and expected in text_of(result), text_of(result)


def test_rate_limits_are_retried(sb, env):
    sb.set_faults([{"route": "GET /vpc/*", "kind": "429", "times": 2, "retry_after": 0}])
    (result,) = run(["--toolsets", "all"], env, ("vpc_list_private_networks", {}))
    assert not result.is_error, text_of(result)
    assert len(_requests(sb, "GET", "/vpc/")) == 3


def test_latency_and_a_passing_server_error_are_absorbed(sb, env):
    async def scenario():
        async with stdio_client(["--toolsets", "all"], env) as client:
            sb.set_faults([{"route": "GET /vpc/*", "kind": "latency", "seconds": 0.5, "times": 1}])
            started = anyio.current_time()
            slow = await client.call_tool("vpc_list_private_networks", {})
            elapsed = anyio.current_time() - started
            sb.set_faults([{"route": "GET /vpc/*", "kind": "503", "times": 1}])
            flaky = await client.call_tool("vpc_list_private_networks", {})
            return slow, elapsed, flaky

    slow, elapsed, flaky = anyio.run(scenario)
    assert not slow.is_error and elapsed >= 0.5, text_of(slow)
    assert not flaky.is_error, text_of(flaky)  # a 503 on a GET is retried once by the HTTP stack


def test_destructive_call_needs_a_token_bound_to_its_arguments(sb, env):
    network = _create_network(env, "doomed")
    other = _create_network(env, "bystander")
    sb.reset_requests()
    args = {"private_network_id": network["id"]}

    async def scenario():
        async with stdio_client(["--toolsets", "all"], env) as client:
            preview = await client.call_tool("vpc_delete_private_network", args)
            assert not preview.is_error, text_of(preview)
            assert preview.structured_content["status"] == "confirmation_required"
            assert preview.structured_content["target"]["name"] == "doomed"
            assert not _requests(sb, "DELETE")
            token = preview.structured_content["confirm_token"]
            reused = await client.call_tool(
                "vpc_delete_private_network", {"private_network_id": other["id"], "confirm_token": token})
            assert reused.is_error and "other arguments" in text_of(reused)
            assert not _requests(sb, "DELETE")
            gateway = await client.call_tool(
                "call_operation", {"name": "vpc_delete_private_network", "arguments": {**args, "confirm_token": token}})
            assert not gateway.is_error, text_of(gateway)
            assert len(_requests(sb, "DELETE")) == 1

    anyio.run(scenario)


def test_elicitation_confirms_where_the_client_supports_it(sb, env):
    accepted_net = _create_network(env, "elicit-yes")
    declined_net = _create_network(env, "elicit-no")
    sb.reset_requests()
    asked = []

    def answer(value):
        async def callback(context, params):
            asked.append(params.message)
            return ElicitResult(action="accept", content={"confirm": value})
        return callback

    (yes,) = run(["--toolsets", "all"], env, ("vpc_delete_private_network", {"private_network_id": accepted_net["id"]}),
                 elicitation_callback=answer(True))
    assert not yes.is_error and len(_requests(sb, "DELETE")) == 1, text_of(yes)
    (no,) = run(["--toolsets", "all"], env, ("vpc_delete_private_network", {"private_network_id": declined_net["id"]}),
                elicitation_callback=answer(False))
    assert no.structured_content["status"] == "cancelled" and len(_requests(sb, "DELETE")) == 1
    assert asked and "vpc_delete_private_network" in asked[0]


def test_read_only_mode_refuses_before_any_request(sb, env):
    (result,) = run(["--read-only", "--toolsets", "all"], env,
                    ("call_operation", {"name": "vpc_create_private_network", "arguments": {"name": "x", "default_route_propagation_enabled": False}}))
    assert result.is_error and "read-only" in text_of(result)
    assert sb.requests == []


def test_policy_file_applies_to_typed_tools_and_gateway(sb, env, tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text('deny: ["vpc_create_*"]\nregions: [fr-par]\n')
    typed, gateway, region = run(
        ["--toolsets", "all", "--policy", str(policy)], env,
        ("vpc_create_private_network", {"name": "x", "default_route_propagation_enabled": False}),
        ("call_operation", {"name": "vpc_create_private_network", "arguments": {"name": "x", "default_route_propagation_enabled": False}}),
        ("vpc_list_private_networks", {"region": "nl-ams"}),
    )
    assert typed.is_error and "not allowed" in text_of(typed) or "Unknown tool" in text_of(typed)
    assert gateway.is_error and "not allowed" in text_of(gateway)
    assert region.is_error and "region nl-ams is not allowed" in text_of(region)
    assert sb.requests == []


def test_audit_log_and_no_secret_anywhere(sb, env, tmp_path):
    from mcp import Client
    from mcp.client.stdio import stdio_client as raw_stdio_client

    from tests.e2e import server_params

    audit, stderr_path = tmp_path / "audit.log", tmp_path / "stderr.log"
    args = ["--toolsets", "all", "--audit-log", str(audit), "--log-level", "DEBUG"]

    async def scenario():
        with stderr_path.open("w") as errlog:
            async with Client(raw_stdio_client(server_params(args, env), errlog=errlog), read_timeout_seconds=60) as client:
                return [
                    await client.call_tool("vpc_create_private_network", {"name": "audited", "default_route_propagation_enabled": False}),
                    await client.call_tool("vpc_get_private_network", {"private_network_id": "nope"}),
                ]

    results = anyio.run(scenario)
    lines = audit.read_text().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0].removeprefix("audit "))
    assert record["operation"] == "vpc_create_private_network" and record["outcome"] == "ok"
    secret = env["SCW_SECRET_KEY"]
    stderr = stderr_path.read_text()
    assert "vpc_get_private_network" in stderr  # DEBUG logging went to stderr
    for text in (audit.read_text(), stderr, *(text_of(r) for r in results)):
        assert secret not in text


def test_destructive_previews_hide_secret_arguments(sb, env):
    args = {"server_id": "11111111-2222-4333-8444-555555555555", "os_id": "11111111-2222-4333-8444-666666666666",
            "hostname": "db-1", "ssh_key_ids": [], "password": "Pr3view-S3cret!", "service_password": "Svc-S3cret!"}
    server_cls = shapes.load("scaleway.baremetal.v1.types:Server")
    sb.engine.add("/baremetal/v1/zones/fr-par-1/servers", sb.engine.new(server_cls, id=args["server_id"], name="db-1"))

    async def scenario():
        async with stdio_client(["--toolsets", "baremetal"], env) as client:
            preview = await client.call_tool("baremetal_install_server", args)
            done = await client.call_tool("baremetal_install_server", {**args, "confirm_token": preview.structured_content["confirm_token"]})
            return preview, done

    preview, done = anyio.run(scenario)
    shown = preview.structured_content["arguments"]
    assert shown["password"] == shown["service_password"] == "(hidden)" and shown["hostname"] == "db-1"
    assert "S3cret" not in text_of(preview)
    assert not done.is_error, text_of(done)  # the token binds the real arguments, which the caller still has
    (install,) = _requests(sb, "POST", "/install")
    assert install["body"]["password"] == "Pr3view-S3cret!"  # sent to the API only
