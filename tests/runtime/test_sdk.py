"""Generated operations' previews through the in-memory client against the sandbox: what a
destructive call shows before its confirmation, read with the getter of what it targets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scw_mcp.runtime import waiting
from scw_mcp.runtime.catalog import load_catalog
from scw_mcp.runtime.sdk import twin
from scw_mcp.sandbox import Sandbox
from tests.inmemory import calls, ok, text_of

SERVERS = "/instance/v1/zones/fr-par-1/servers"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(s3=False) as sandbox:
        yield sandbox


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(waiting, "POLL_MIN", 0.01)
    monkeypatch.setattr(waiting, "POLL_MAX", 0.05)


def test_an_action_is_previewed_with_the_getter_of_what_it_acts_on() -> None:
    """`server_action` has no verb in its name: it acts on the server its server_id names."""
    catalog = load_catalog()
    action = catalog.get("instance_server_action")
    getter = twin(catalog, action, "get", {"server_id": "x", "action": "terminate"})
    assert getter is not None and getter.name == "instance_get_server"
    assert twin(catalog, action, "get", {"action": "terminate"}) is None  # no server_id: nothing to read


def test_terminate_preview_shows_the_server_before_anything_is_done(sb: Sandbox) -> None:
    started = {"name": "doomed", "root_volume_size_gb": 20, "wait": True, "timeout_seconds": 30}
    (created,) = calls(sb, ("instance_create_server", started))  # terminate: a running server's action
    server_id = ok(created)["server"]["id"]
    sb.reset_requests()
    args = {"server_id": server_id, "action": "terminate"}
    (preview,) = calls(sb, ("instance_server_action", args), toolsets=("instance",))
    shown = ok(preview)
    assert shown["status"] == "confirmation_required"
    server = shown["target"]["server"]
    assert (server["id"], server["name"], server["state"]) == (server_id, "doomed", "running")
    assert [v["size"] for v in server["volumes"].values()] == [20_000_000_000]
    # The preview read the server and did nothing else.
    assert [(r["method"], r["path"]) for r in sb.requests] == [("GET", f"{SERVERS}/{server_id}")]

    done, gone = calls(
        sb,
        ("instance_server_action", {**args, "confirm_token": shown["confirm_token"]}),
        ("instance_get_server", {"server_id": server_id}),
        toolsets=("instance",),
    )
    ok(done)
    (action,) = [r for r in sb.requests if r["method"] == "POST"]
    assert action["path"] == f"{SERVERS}/{server_id}/action" and action["body"]["action"] == "terminate"
    assert gone.is_error and "404" in text_of(gone)


def test_a_change_under_a_resource_previews_that_resource(sb: Sandbox) -> None:
    """An operation with no getter of its own (detaching a private network from a load balancer)
    shows the resource its URL's id names; the zoned API's twins are its own (lb_zoned_get_lb)."""
    regional_lb, zoned_lb = (
        ok(result)
        for result in calls(
            sb,
            ("lb_create_lb", {"name": "front", "type": "LB-S"}),
            ("lb_zoned_create_lb", {"name": "front", "type": "LB-S", "zone": "fr-par-1"}),
            toolsets=("all",),
        )
    )
    sb.reset_requests()
    network = "11111111-1111-4111-8111-111111111111"
    regional, zoned = calls(
        sb,
        ("lb_detach_private_network", {"lb_id": regional_lb["id"], "private_network_id": network}),
        ("lb_zoned_delete_lb", {"lb_id": zoned_lb["id"], "zone": "fr-par-1"}),
        toolsets=("all",),
    )
    for preview in (regional, zoned):
        assert ok(preview)["status"] == "confirmation_required", text_of(preview)
        assert ok(preview)["target"]["name"] == "front", text_of(preview)
    assert [(r["method"], r["path"]) for r in sb.requests] == [
        ("GET", f"/lb/v1/regions/fr-par/lbs/{regional_lb['id']}"),
        ("GET", f"/lb/v1/zones/fr-par-1/lbs/{zoned_lb['id']}"),
    ]
