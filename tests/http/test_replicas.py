"""Replicas as one server: one standalone sandbox, three HTTP replicas (two sharing a confirmation
key), a delete previewed on one and confirmed on another; health; a graceful stop on SIGTERM."""

from __future__ import annotations

import json
import signal
import threading
import time

import pytest
import requests

from tests.e2e import text_of
from tests.http.servers import TOKEN, call, start_replica, start_sandbox, stopped_at_exit

SHARED_KEY = "shared-confirmation-key-0123456789"
OTHER_KEY = "another-confirmation-key-9876543210"
SLOW_ROUTE = "GET /iam/v1alpha1/users"  # only the graceful-stop test lists IAM users
SLOW_SECONDS = 4
JSONRPC_HEADERS = {
    "Authorization": f"Bearer {TOKEN}",
    "Content-Type": "application/json",
    "Accept": "application/json, text/event-stream",
    "MCP-Protocol-Version": "2025-06-18",
}


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("replicas")
    faults = json.dumps([{"route": SLOW_ROUTE, "kind": "latency", "seconds": SLOW_SECONDS}])
    sandbox = start_sandbox(tmp, "--no-s3", "--faults", faults)
    with stopped_at_exit(sandbox):
        yield tmp, sandbox
        assert sandbox.stop() == 0, sandbox.stderr[-2000:]


@pytest.fixture(scope="module")
def replicas(cloud):
    tmp, sandbox = cloud
    key_file = tmp / "confirm-key"
    key_file.write_text(SHARED_KEY + "\n")
    env = sandbox.info["env"]
    first = start_replica(tmp, {**env, "SCW_MCP_CONFIRM_KEY": SHARED_KEY})
    second = start_replica(tmp, env, "--confirm-key-file", str(key_file))
    third = start_replica(tmp, {**env, "SCW_MCP_CONFIRM_KEY": OTHER_KEY})
    with stopped_at_exit(first, second, third):
        yield first, second, third
        for replica in (first, second, third):
            assert replica.stop() == 0, replica.stderr[-2000:]


def test_sandbox_serve_prints_one_json_line(cloud):
    info = cloud[1].info
    assert {"api_url", "s3_endpoint_url", "access_key", "secret_key", "project_id", "organization_id"} <= set(info)
    assert info["api_url"].startswith("http://127.0.0.1:") and info["s3_endpoint_url"] is None  # --no-s3
    assert info["env"]["SCW_API_URL"] == info["api_url"]


def test_healthz_answers_without_a_token_and_shows_no_secret(replicas):
    for replica in replicas:
        answer = requests.get(f"{replica.base}/healthz", timeout=10)
        assert answer.status_code == 200 and answer.json() == {"status": "ok"}
        for secret in ("test-token", SHARED_KEY, OTHER_KEY, "5a2db0c5"):
            assert secret not in answer.text
        assert requests.post(replica.url, json={}, timeout=10).status_code == 401  # /mcp still needs the token


def test_a_delete_previewed_on_one_replica_is_confirmed_on_another_sharing_the_key(replicas):
    first, second, third = replicas
    created = call(
        first,
        "call_operation",
        {
            "name": "vpc_create_private_network",
            "arguments": {"name": "replicated", "default_route_propagation_enabled": False},
        },
    )
    assert not created.is_error, text_of(created)
    network = created.structured_content
    network_id = network.get("private_network", network)["id"]  # the hand-written tool wraps it (after the rename)
    delete = {"name": "vpc_delete_private_network", "arguments": {"private_network_id": network_id}}

    preview = call(first, "call_operation", delete)
    assert preview.structured_content["status"] == "confirmation_required", text_of(preview)
    token = preview.structured_content["confirm_token"]
    confirmed = {**delete, "arguments": {**delete["arguments"], "confirm_token": token}}

    refused = call(third, "call_operation", confirmed)  # another key: the token is not valid there
    assert refused.is_error and "not valid" in text_of(refused)
    assert _network_ids(first) == [network_id]

    done = call(second, "call_operation", confirmed)  # the same key, another process
    assert not done.is_error, text_of(done)
    assert _network_ids(first) == []


def _network_ids(replica) -> list[str]:
    listed = call(replica, "call_operation", {"name": "vpc_list_private_networks", "arguments": {"name": "replicated"}})
    assert not listed.is_error, text_of(listed)
    return [n["id"] for n in listed.structured_content["items"]]


def test_without_a_key_a_replica_warns_and_sigterm_lets_a_slow_call_finish(cloud):
    tmp, sandbox = cloud
    replica = start_replica(tmp, sandbox.info["env"], "--shutdown-grace", "20")
    with stopped_at_exit(replica):
        assert "cannot be confirmed on another" in replica.stderr
        outcome: dict = {}

        def slow_call() -> None:  # one plain JSON-RPC POST: nothing else reaches the stopping server
            started = time.monotonic()
            arguments = {"name": "iam_list_users", "arguments": {}}
            body = {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "tools/call",
                "params": {"name": "call_operation", "arguments": arguments},
            }
            outcome["answer"] = requests.post(replica.url, headers=JSONRPC_HEADERS, json=body, timeout=60)
            outcome["seconds"] = time.monotonic() - started

        caller = threading.Thread(target=slow_call)
        caller.start()
        time.sleep(1.5)  # the call is now waiting on the sandbox's latency
        stopping = time.monotonic()
        replica.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        with pytest.raises(requests.ConnectionError):  # no longer accepting
            requests.get(f"{replica.base}/healthz", timeout=2)
        caller.join(timeout=60)
        assert replica.proc.wait(timeout=30) == 0, replica.stderr[-2000:]
        answer = outcome["answer"]
        assert answer.status_code == 200 and not answer.json()["result"].get("isError"), answer.text[:500]
        assert outcome["seconds"] >= SLOW_SECONDS and time.monotonic() - stopping < 20
        assert "method=tools/call tool=call_operation status=200" in replica.stderr
