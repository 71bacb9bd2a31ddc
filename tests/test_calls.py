"""Calls end to end through the in-memory mcp client against the sandbox (fake API on loopback):
results, errors, faults, confirmation, read-only mode and policy as a user meets them."""

from __future__ import annotations

import json

import anyio
import pytest
from mcp_types import ElicitResult

from scw_mcp.runtime.policy import load_policy
from scw_mcp.sandbox import Sandbox, shapes
from tests.inmemory import calls, session, text_of


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(s3=False) as sb:
        yield sb


def _requests(sb, method=None, contains=""):
    return [r for r in sb.requests if (method is None or r["method"] == method) and contains in r["path"]]


ALL = {"toolsets": ("all",)}


def _create_network(sb, name):
    (result,) = calls(sb, ("vpc_create_private_network", {"name": name}), **ALL)
    assert not result.is_error, text_of(result)
    return result.structured_content


def test_typed_call_and_call_operation_give_the_same_result(sb):
    _create_network(sb, "same-result")
    typed, gateway = calls(
        sb,
        ("vpc_list_private_networks", {"name": "same-result"}),
        ("call_operation", {"name": "vpc_list_private_networks", "arguments": {"name": "same-result"}}),
    )
    assert not typed.is_error, text_of(typed)
    assert typed.structured_content == gateway.structured_content
    assert typed.structured_content["items"][0]["name"] == "same-result"
    assert json.loads(text_of(typed)) == typed.structured_content


def test_pagination(sb):
    for i in range(5):  # straight into the sandbox
        sb.engine.handle(
            "POST",
            "/vpc/v2/regions/fr-par/private-networks",
            {},
            {"name": f"page-net-{i}", "default_route_propagation_enabled": False},
        )  # as the SDK sends it
    first, last, everything = calls(
        sb,
        ("vpc_list_private_networks", {"name": "page-net", "page_size": 2}),
        ("vpc_list_private_networks", {"name": "page-net", "page_size": 2, "page": 3}),
        ("vpc_list_private_networks", {"name": "page-net", "all_pages": True}),
    )
    assert first.structured_content["total_count"] == 5
    assert len(first.structured_content["items"]) == 2 and first.structured_content["next_page"] == 2
    assert len(last.structured_content["items"]) == 1 and last.structured_content["next_page"] is None
    assert len(everything.structured_content["items"]) == 5


def test_scaleway_errors_are_clean(sb):
    (missing,) = calls(
        sb, ("vpc_get_private_network", {"private_network_id": "00000000-0000-0000-0000-000000000000"}), **ALL
    )
    assert missing.is_error
    text = text_of(missing)
    assert text.startswith("Scaleway API error 404") and "What to do" in text and "Traceback" not in text


@pytest.mark.parametrize(
    "fault, expected",
    [
        ({"kind": "non_json"}, "non-JSON"),
        ({"kind": "reset"}, "The Scaleway API closed the connection before answering"),
        ({"kind": "500"}, "Scaleway API error 500"),
        ({"kind": "503"}, "Scaleway API error 503"),
    ],
)
def test_transport_faults_are_clean_errors(sb, fault, expected):
    sb.set_faults([{"route": "GET /vpc/*", **fault}])
    (result,) = calls(sb, ("vpc_list_private_networks", {}))
    assert result.is_error and expected in text_of(result), text_of(result)


def test_rate_limits_are_retried(sb):
    sb.set_faults([{"route": "GET /vpc/*", "kind": "429", "times": 2, "retry_after": 0}])
    (result,) = calls(sb, ("vpc_list_private_networks", {}))
    assert not result.is_error, text_of(result)
    assert len(_requests(sb, "GET", "/vpc/")) == 3


def test_latency_and_a_passing_server_error_are_absorbed(sb):
    async def scenario():
        async with session(sb, **ALL) as client:
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


def test_destructive_call_needs_a_token_bound_to_its_arguments(sb):
    network = _create_network(sb, "doomed")
    other = _create_network(sb, "bystander")
    sb.reset_requests()
    args = {"private_network_id": network["id"]}

    async def scenario():
        async with session(sb, **ALL) as client:
            preview = await client.call_tool("vpc_delete_private_network", args)
            assert not preview.is_error, text_of(preview)
            assert preview.structured_content["status"] == "confirmation_required"
            assert preview.structured_content["target"]["private_network"]["name"] == "doomed"
            assert not _requests(sb, "DELETE")
            token = preview.structured_content["confirm_token"]
            reused = await client.call_tool(
                "vpc_delete_private_network", {"private_network_id": other["id"], "confirm_token": token}
            )
            assert reused.is_error and "other arguments" in text_of(reused)
            assert not _requests(sb, "DELETE")
            gateway = await client.call_tool(
                "call_operation", {"name": "vpc_delete_private_network", "arguments": {**args, "confirm_token": token}}
            )
            assert not gateway.is_error, text_of(gateway)
            assert len(_requests(sb, "DELETE")) == 1

    anyio.run(scenario)


def test_elicitation_confirms_where_the_client_supports_it(sb):
    accepted_net = _create_network(sb, "elicit-yes")
    declined_net = _create_network(sb, "elicit-no")
    sb.reset_requests()
    asked = []

    def answer(value):
        async def callback(context, params):
            asked.append(params.message)
            return ElicitResult(action="accept", content={"confirm": value})

        return callback

    (yes,) = calls(
        sb,
        ("vpc_delete_private_network", {"private_network_id": accepted_net["id"]}),
        client_kwargs={"elicitation_callback": answer(True)},
    )
    assert not yes.is_error and len(_requests(sb, "DELETE")) == 1, text_of(yes)
    (no,) = calls(
        sb,
        ("vpc_delete_private_network", {"private_network_id": declined_net["id"]}),
        client_kwargs={"elicitation_callback": answer(False)},
    )
    assert no.structured_content["status"] == "cancelled" and len(_requests(sb, "DELETE")) == 1
    assert asked and "vpc_delete_private_network" in asked[0]
    assert "It acts on:" in asked[0] and "elicit-yes" in asked[0]  # the person sees what the agent's preview shows


def test_read_only_mode_refuses_before_any_request(sb):
    (result,) = calls(
        sb,
        ("call_operation", {"name": "vpc_create_private_network", "arguments": {"name": "x"}}),
        read_only=True,
        **ALL,
    )
    assert result.is_error and "read-only" in text_of(result)
    assert sb.requests == []


def test_policy_file_applies_to_typed_tools_and_gateway(sb, tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text('deny: ["vpc_create_*"]\nregions: [fr-par]\n')
    typed, gateway, region = calls(
        sb,
        ("vpc_create_private_network", {"name": "x"}),
        ("call_operation", {"name": "vpc_create_private_network", "arguments": {"name": "x"}}),
        ("vpc_list_private_networks", {"region": "nl-ams"}),
        policy=load_policy(str(policy)),
        **ALL,
    )
    assert typed.is_error and "not allowed" in text_of(typed) or "Unknown tool" in text_of(typed)
    assert gateway.is_error and "not allowed" in text_of(gateway)
    assert region.is_error and "region nl-ams is not allowed" in text_of(region)
    assert sb.requests == []


def test_destructive_previews_hide_secret_arguments(sb):
    args = {
        "server_id": "11111111-2222-4333-8444-555555555555",
        "os_id": "11111111-2222-4333-8444-666666666666",
        "hostname": "db-1",
        "ssh_key_ids": [],
        "password": "Pr3view-S3cret!",
        "service_password": "Svc-S3cret!",
    }
    server_cls = shapes.load("scaleway.baremetal.v1.types:Server")
    sb.engine.add("/baremetal/v1/zones/fr-par-1/servers", sb.engine.new(server_cls, id=args["server_id"], name="db-1"))

    async def scenario():
        async with session(sb, toolsets=("baremetal",)) as client:
            preview = await client.call_tool("baremetal_install_server", args)
            done = await client.call_tool(
                "baremetal_install_server", {**args, "confirm_token": preview.structured_content["confirm_token"]}
            )
            return preview, done

    preview, done = anyio.run(scenario)
    shown = preview.structured_content["arguments"]
    assert shown["password"] == shown["service_password"] == "(hidden)" and shown["hostname"] == "db-1"
    assert "S3cret" not in text_of(preview)
    assert not done.is_error, text_of(done)  # the token binds the real arguments, which the caller still has
    (install,) = _requests(sb, "POST", "/install")
    assert install["body"]["password"] == "Pr3view-S3cret!"  # sent to the API only
