"""Instance's hand-written tools against the sandbox, through the in-memory client: create from
an image label with wait, power actions, list across zones, delete with its volumes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scw_mcp.runtime import waiting
from scw_mcp.sandbox import Sandbox
from tests.inmemory import calls, ok, text_of


@pytest.fixture(scope="module")
def api() -> Iterator[Sandbox]:
    with Sandbox(s3=False) as sb:
        yield sb


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(waiting, "POLL_MIN", 0.01)
    monkeypatch.setattr(waiting, "POLL_MAX", 0.05)


def test_create_from_label_and_wait(api: Sandbox) -> None:
    created, got, listed, everywhere, stopped = calls(
        api,
        (
            "instance_create_server",
            {
                "commercial_type": "DEV1-S",
                "image": "ubuntu_noble",
                "name": "web-1",
                "tags": ["t1"],
                "wait": True,
                "timeout_seconds": 30,
            },
        ),
        ("instance_get_server", {"server_id": "{id}"}),
        ("instance_list_servers", {"name": "web-1"}),
        ("instance_list_servers", {"zone": "all"}),
        ("instance_stop_server", {"server_id": "{id}", "wait": True, "timeout_seconds": 30}),
        chain=lambda results: {"id": ok(results[0])["server"]["id"]},
    )
    server = ok(created)["server"]
    assert server["state"] == "running" and server["name"] == "web-1" and server["tags"] == ["t1"]
    assert ok(created)["image"]["label"] == "ubuntu_noble" and ok(created)["image"]["arch"] == "x86_64"
    assert ok(got)["server"]["id"] == server["id"]
    assert [s["id"] for s in ok(listed)["items"]] == [server["id"]]
    assert server["id"] in [s["id"] for s in ok(everywhere)["items"]] and "fr-par-1" in ok(everywhere)["zones"]
    assert ok(stopped)["server"]["state"] == "stopped"


def test_arm_type_picks_arm_image_and_unknown_label_lists_valid(api: Sandbox) -> None:
    created, bad_label, bad_type = calls(
        api,
        ("instance_create_server", {"commercial_type": "COPARM1-2C-8G", "image": "ubuntu_noble"}),
        ("instance_create_server", {"image": "ubuntu_nobel"}),
        ("instance_create_server", {"commercial_type": "DEV9-Z"}),
    )
    assert ok(created)["image"]["arch"] == "arm64" and ok(created)["server"]["state"] == "stopped"
    assert "instance_start_server" in ok(created)["notes"][0]
    assert bad_label.is_error and "Valid labels" in text_of(bad_label) and "ubuntu_noble" in text_of(bad_label)
    assert (
        bad_type.is_error and "Unknown commercial type 'DEV9-Z'" in text_of(bad_type) and "DEV1-S" in text_of(bad_type)
    )


def test_generated_arguments_pass_through(api: Sandbox) -> None:
    """The hand-written create takes every argument of the generated one (here: protected, boot_type)."""
    api.reset_requests()
    created, listed = calls(
        api,
        (
            "instance_create_server",
            {"name": "pass-through", "protected": True, "boot_type": "local", "project": api.project_id},
        ),
        ("instance_list_servers", {"commercial_type": "DEV1-S", "per_page": 5}),
    )
    ok(created)
    (post,) = [r for r in api.requests if r["method"] == "POST" and r["path"].endswith("/servers")]
    assert (
        post["body"]["protected"] is True
        and post["body"]["boot_type"] == "local"
        and post["body"]["project"] == api.project_id
    )
    (get,) = [
        r
        for r in api.requests
        if r["method"] == "GET" and r["path"].endswith("/servers") and r["query"].get("commercial_type")
    ]
    assert get["query"]["commercial_type"] in ("DEV1-S", ["DEV1-S"])
    assert ok(listed)["items"]


def test_delete_preview_says_what_stays_then_delete_with_volumes(api: Sandbox) -> None:
    (created,) = calls(api, ("instance_create_server", {"image": "ubuntu_noble", "wait": True, "timeout_seconds": 30}))
    server_id = ok(created)["server"]["id"]
    keep, purge = calls(
        api,
        ("instance_delete_server", {"server_id": server_id}),
        ("instance_delete_server", {"server_id": server_id, "with_volumes": True}),
    )
    target = ok(keep)["target"]
    assert target["will_keep"] and "keep billing" in target["warning"] and "powered off first" in target["note"]
    assert not ok(purge)["target"]["will_keep"]
    done, gone = calls(
        api,
        (
            "instance_delete_server",
            {"server_id": server_id, "with_volumes": True, "confirm_token": ok(purge)["confirm_token"]},
        ),
        ("instance_get_server", {"server_id": server_id}),
    )
    assert ok(done)["deleted_server"] == server_id and len(ok(done)["deleted_volumes"]) == 1 and not ok(done)["kept"]
    assert gone.is_error and "404" in text_of(gone)


MISSING_PN = "11111111-1111-4111-8111-111111111111"


def test_private_network_is_checked_before_the_server_is_created(api: Sandbox) -> None:
    """A wrong private_network_id fails before anything exists (the NIC is attached after the
    server is created: without the check, the server would be left behind, billing)."""
    api.reset_requests()
    (missing,) = calls(api, ("instance_create_server", {"name": "pn-missing", "private_network_id": MISSING_PN}))
    assert missing.is_error
    message = text_of(missing)
    assert f"Private Network '{MISSING_PN}' not found in fr-par" in message and "nothing was created" in message
    assert "Already created" not in message and "vpc_list_private_networks" in message
    assert [r["path"] for r in api.requests if r["method"] == "GET" and MISSING_PN in r["path"]] == [
        f"/vpc/v2/regions/fr-par/private-networks/{MISSING_PN}"
    ]
    assert [r for r in api.requests if r["method"] != "GET"] == []  # no server, no NIC
    assert all(s["name"] != "pn-missing" for s in api.engine.items("/instance/v1/zones/fr-par-1/servers"))


def test_private_network_that_exists_is_attached(api: Sandbox) -> None:
    (network,) = calls(api, ("vpc_create_private_network", {"name": "pn-ok"}))
    pn_id = ok(network)["id"]
    api.reset_requests()
    (created,) = calls(api, ("instance_create_server", {"name": "pn-ok-1", "private_network_id": pn_id}))
    server = ok(created)["server"]
    assert server["private_networks"] == [pn_id] and ok(created)["private_nic"]["private_network_id"] == pn_id
    steps = [(r["method"], r["path"]) for r in api.requests if pn_id in r["path"] or r["method"] == "POST"]
    assert steps == [
        ("GET", f"/vpc/v2/regions/fr-par/private-networks/{pn_id}"),  # read first
        ("POST", "/instance/v1/zones/fr-par-1/servers"),
        ("POST", f"/instance/v1/zones/fr-par-1/servers/{server['id']}/private_nics"),
    ]
