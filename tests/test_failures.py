"""Failures that say what happened, through the real client against the sandbox: a change that may
have been applied says so (with the lookup to run first, and is never retried), a read that timed
out says "timed out" after one retry, what a failed call created is named, and hostile inputs get
clean messages, never "Unexpected error"."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from scw_mcp.runtime import clients
from scw_mcp.runtime.settings import load_settings
from scw_mcp.sandbox import Sandbox
from tests.inmemory import calls, ok, text_of

ALL = {"toolsets": ("all",)}


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as sb:  # with S3 (moto): the hostile inputs reach object storage too
        yield sb


@pytest.fixture
def short_read_timeout(monkeypatch):
    monkeypatch.setattr(clients, "READ_TIMEOUT", 0.5)


def _sent(sb: Sandbox, method: str, path_part: str) -> int:
    return len([r for r in sb.requests if r["method"] == method and path_part in r["path"]])


def test_a_create_that_times_out_may_have_been_applied(sb, short_read_timeout):
    sb.set_faults([{"route": "POST /vpc/*", "kind": "latency", "seconds": 1.5, "times": 1}])
    (created,) = calls(sb, ("vpc_create_private_network", {"name": "slow-net"}), **ALL)
    text = text_of(created)
    assert created.is_error and "timed out" in text and "it may have been applied" in text, text
    assert 'vpc_list_private_networks {"name": "slow-net"' in text and "What to do: retry" not in text, text
    assert _sent(sb, "POST", "/private-networks") == 1  # never retried once sent
    time.sleep(1.5)  # the slow API finishes the create after the client gave up
    (listed,) = calls(sb, ("vpc_list_private_networks", {"name": "slow-net"}), **ALL)
    assert ok(listed)["total_count"] == 1  # it was applied: the lookup the message names finds it


def test_a_change_whose_connection_drops_may_have_been_applied(sb):
    sb.set_faults([{"route": "POST /vpc/*", "kind": "reset", "times": 1}])
    (created,) = calls(sb, ("vpc_create_private_network", {"name": "reset-net"}), **ALL)
    text = text_of(created)
    assert created.is_error and "closed the connection" in text and "may have been applied" in text, text
    assert _sent(sb, "POST", "/private-networks") == 1


def test_a_read_that_times_out_says_so_after_one_retry(sb, short_read_timeout):
    sb.set_faults([{"route": "GET /vpc/*", "kind": "latency", "seconds": 1.5}])
    (listed,) = calls(sb, ("vpc_list_private_networks", {}), **ALL)
    text = text_of(listed)
    assert listed.is_error and "did not answer in time (timed out)" in text and "What to do: retry" in text, text
    assert _sent(sb, "GET", "/private-networks") == 2


def test_a_request_never_sent_says_so():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Sandbox(s3=False) as sb:
        settings = load_settings(environ={**sb.env(), "SCW_API_URL": f"http://127.0.0.1:{port}"})
    (created,) = calls(None, ("vpc_create_private_network", {"name": "never"}), settings=settings, **ALL)
    text = text_of(created)
    assert created.is_error and "the request was not sent" in text and "may have been applied" not in text, text


def test_the_create_of_a_server_that_times_out_names_the_lookup_with_its_generated_name(sb, short_read_timeout):
    sb.set_faults([{"route": "POST /instance/v1/zones/*/servers", "kind": "latency", "seconds": 1.5, "times": 1}])
    (created,) = calls(sb, ("instance_create_server", {"commercial_type": "DEV1-S"}))
    text = text_of(created)
    assert "may have been applied" in text and 'instance_list_servers {"name": "srv-' in text, text


def test_a_failure_after_a_create_names_what_was_created(sb):
    sb.set_faults([{"route": "POST /instance/v1/zones/*/servers/*/action", "kind": "500"}])
    (created,) = calls(sb, ("instance_create_server", {"name": "half-made", "wait": True, "timeout_seconds": 30}))
    text = text_of(created)
    (server,) = [s for s in sb.engine.items("/instance/v1/zones/fr-par-1/servers") if s["name"] == "half-made"]
    assert created.is_error and f"Already created by this call: server {server['id']}" in text, text
    assert "do not run instance_create_server again" in text


def test_a_generated_create_whose_wait_fails_names_what_it_created(sb):
    sb.set_faults([{"route": "GET /block/v1/zones/*/volumes/*", "kind": "500"}])
    (created,) = calls(
        sb,
        (
            "block_create_volume",
            {"name": "wait-fails", "perf_iops": 5000, "from_empty": {"size": 10_000_000_000}, "wait": True},
        ),
        **ALL,
    )
    text = text_of(created)
    assert created.is_error and "Already created by this call: volume " in text, text
    volume_id = text.split("Already created by this call: volume ")[1].split(".")[0]
    sb.set_faults([])
    (got,) = calls(sb, ("block_get_volume", {"volume_id": volume_id}), **ALL)
    assert ok(got)["name"] == "wait-fails"


# --- hostile inputs -------------------------------------------------------------------------
HOSTILE: list[Any] = [
    "",
    " ",
    "..",
    "../",
    "../../iam/v1alpha1/api-keys",
    "a/../b",
    "?x=1",
    "#top",
    "%2e%2e",
    "%2F",
    "ü-ñ-日本-🙂",
    "x" * 5000,
    "\x00",
    "\n",
    -1,
    1.5,
    True,
    None,
    [],
    {"a": "../"},
]
TOOLS: list[tuple[str, dict[str, Any]]] = [
    ("instance_get_server", {"server_id": "11111111-1111-4111-8111-111111111111"}),
    ("instance_delete_server", {"server_id": "11111111-1111-4111-8111-111111111111"}),
    ("instance_create_server", {"name": "fuzz", "commercial_type": "DEV1-S", "image": "ubuntu_noble"}),
    ("instance_list_servers", {"zone": "fr-par-1", "name": "x"}),
    ("vpc_get_private_network", {"private_network_id": "11111111-1111-4111-8111-111111111111"}),
    ("k8s_get_cluster", {"cluster_id": "11111111-1111-4111-8111-111111111111"}),
    ("rdb_create_user", {"instance_id": "11111111-1111-4111-8111-111111111111", "name": "u", "password": "Pa55word!x"}),
    ("iam_delete_api_key", {"access_key": "SCWAAAAAAAAAAAAAAAAA"}),
    ("domain_delete_dns_zone", {"dns_zone": "example.com"}),
    ("object_storage_get_object", {"bucket": "fuzz-bucket", "key": "a.txt"}),
    ("call_operation", {"name": "vpc_get_private_network", "arguments": {}}),
    ("describe_operation", {"name": "vpc_get_private_network"}),
    ("search_operations", {"query": "list servers"}),
]


def test_a_401_says_where_the_key_is_read(sb):
    wrong = load_settings(environ={**sb.env(), "SCW_SECRET_KEY": "11111111-1111-4111-8111-111111111111"})
    (denied,) = calls(sb, ("vpc_list_private_networks", {}), settings=wrong)
    text = text_of(denied)
    assert denied.is_error and "Scaleway API error 401" in text
    assert "SCW_ACCESS_KEY/SCW_SECRET_KEY in its environment" in text and "the scw config file" in text
    assert "scw://config" in text


def test_an_api_message_that_ends_with_a_period_gets_no_second(sb):
    bucket = {"bucket": "twice-made"}
    first, again = calls(sb, ("object_storage_create_bucket", bucket), ("object_storage_create_bucket", bucket), **ALL)
    ok(first)
    assert "you already own it. What to do: the bucket exists already" in text_of(again), text_of(again)
    assert ".." not in text_of(again)


def test_hostile_inputs_get_clean_messages(sb):
    """Every parameter of a sample of tools (typed, hand-written, S3, gateway) set to each hostile value:
    each call answers (a result or a tool error), and no error is "Unexpected error" or a traceback."""
    cases = [(tool, {**base, name: value}) for tool, base in TOOLS for name in base for value in HOSTILE]
    results = calls(sb, *cases, confirm=False, **ALL)
    bad = [
        (tool, args, text_of(r)[:300])
        for (tool, args), r in zip(cases, results, strict=True)
        if any(s in text_of(r) for s in ("Unexpected error", "Traceback", "Error executing tool"))
    ]
    assert not bad, bad[:5]
    assert sum(r.is_error for r in results) > len(cases) / 2  # most are refused, cleanly
