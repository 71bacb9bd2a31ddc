"""What tools return, through the real (in-memory) mcp client against the sandbox: lists paged
with their continuations, items and results too big for the budget, counts, `query`, compaction,
zones, waits (progress per poll, deadline, cancellation) and `scw-mcp call`."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import anyio
import pytest

from scw_mcp.runtime import waiting
from scw_mcp.runtime.results import IDENTITY
from scw_mcp.sandbox import Sandbox, shapes
from tests.conftest import ROOT
from tests.e2e import clean_env
from tests.inmemory import ok, session, text_of

BUDGET = 60_000
LONG_TAGS = [f"tag-{j:03d}-" + "x" * 120 for j in range(600)]  # 78.6 KB: more than the budget on its own


@pytest.fixture(scope="module")
def sb():
    with Sandbox(s3=False) as sandbox:
        yield sandbox


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(waiting, "POLL_MIN", 0.05)
    monkeypatch.setattr(waiting, "POLL_MAX", 0.05)


def _run(sb: Any, scenario: Any, **options: Any) -> Any:
    async def main() -> Any:
        async with session(sb, **options) as client:
            return await scenario(client)

    return anyio.run(main)


async def _call(client: Any, tool: str, args: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, args, **kwargs)
    assert len(text_of(result).encode()) <= BUDGET
    return ok(result)


def _seed_servers(sb: Sandbox, prefix: str, count: int, big: int | None = None) -> None:
    for i in range(count):  # straight into the sandbox, as the API would have them
        tags = LONG_TAGS if i == big else [f"n{i}"]
        reply = sb.engine.handle(
            "POST",
            "/instance/v1/zones/fr-par-1/servers",
            {},
            {"name": f"{prefix}-{i:03d}", "commercial_type": "DEV1-S", "image": "ubuntu_noble", "tags": tags},
        )
        assert reply.status == 201


def _empties(value: Any, path: str = "") -> list[str]:
    """Paths of null or empty values that are not identity fields."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in IDENTITY and (item is None or item in ("", [], {})):
                found.append(f"{path}.{key}")
            found += _empties(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _empties(item, f"{path}[{i}]")
    return found


# --- lists and the budget -------------------------------------------------------------------


def test_120_servers_paged_with_their_continuations_are_each_seen_once(sb):
    _seed_servers(sb, "bulk", 120, big=37)

    async def scenario(client):
        seen, args, elided = [], {}, []
        for _ in range(20):
            page = await _call(client, "instance_list_servers", {"name": "bulk-", **args})
            assert page["total_count"] == 120
            seen += [item["name"] for item in page["items"]]
            elided += [(item, page["elided"]) for item in page["items"] if page.get("elided")]
            if "next" not in page:
                return seen, elided
            args = page["next"]
        raise AssertionError("no end")

    seen, elided = _run(sb, scenario)
    assert seen == [f"bulk-{i:03d}" for i in range(120)]  # all, once, in order
    ((item, what),) = elided
    assert item["name"] == "bulk-037" and item["id"] and item["state"] == "stopped" and item["zone"] == "fr-par-1"
    assert what == {"items[0].tags": "600 items, 78.6 KB"}


def test_a_token_list_cut_by_the_budget_goes_on_with_its_offset(sb):
    cls = shapes.load("scaleway.instance.v2alpha1.types:Server")
    for i in range(30):  # about 3.5 KB each: a page of 30 does not fit
        sb.engine.add(
            "/instance/v2alpha1/zones/nl-ams-2/servers",
            sb.engine.new(cls, params={"zone": "nl-ams-2"}, name=f"v2-{i:02d}", tags=[f"{i}-" + "t" * 100] * 30),
        )

    async def scenario(client):
        seen, args, nexts = [], {}, []
        while True:
            page = await _call(
                client,
                "call_operation",
                {"name": "instance_v2alpha1_list_servers", "arguments": {"zone": "nl-ams-2", **args}},
            )
            seen += [item["name"] for item in page["items"]]
            if "next" not in page:
                return seen, nexts
            args = page["next"]
            nexts.append(args)

    seen, nexts = _run(sb, scenario)
    assert seen == [f"v2-{i:02d}" for i in range(30)] and nexts and list(nexts[0]) == ["offset"]


def test_a_create_too_big_for_the_budget_still_returns_the_new_id(sb):
    async def scenario(client):
        return await _call(client, "instance_create_server", {"name": "many-tags", "tags": LONG_TAGS})

    created = _run(sb, scenario)
    server = created["server"]
    assert server["name"] == "many-tags" and server["state"] == "stopped"
    assert created["elided"] == {"server.tags": "600 items, 78.6 KB"} and "query" in created["hint"]
    stored = sb.engine.find("/instance/v1/zones/fr-par-1/servers", server["id"])
    assert stored is not None and len(stored["tags"]) == 600


def test_a_list_with_one_oversized_item_returns_it_elided(sb):
    engines = sb.engine.items("/rdb/v1/regions/fr-par/database-engines")
    postgres = next(e for e in engines if e["name"] == "PostgreSQL")
    setting = {
        "default_value": "1",
        "hot_configurable": True,
        "property_type": "int",
        "unit": "MB",
        "string_constraint": None,
        "int_min": 0,
        "int_max": 100,
        "float_min": None,
        "float_max": None,
    }
    for version in postgres["versions"]:  # as recorded: PostgreSQL's engine is about 112 KB
        version["available_settings"] = [
            {**setting, "name": f"setting_{i}", "description": "d" * 150} for i in range(200)
        ]

    async def scenario(client):
        call = {"name": "rdb_list_database_engines", "arguments": {}}
        first = await _call(client, "call_operation", call)
        rest = await _call(client, "call_operation", {**call, "arguments": first["next"]})
        part = await _call(
            client,
            "call_operation",
            {
                **call,
                "arguments": {
                    **first["next"],
                    "offset": 0,
                    "query": "items[0].versions[0].available_settings[0:3].name",
                },
            },
        )
        return first, rest, part

    first, rest, part = _run(sb, scenario)
    assert first["total_count"] == 2 and first["next"] == {"page": 1, "offset": 1}
    (pg,) = first["items"]
    assert pg["name"] == "PostgreSQL"
    assert [v["name"] for v in pg["versions"]] == ["PostgreSQL-16", "PostgreSQL-15", "PostgreSQL-14"]
    assert set(first["elided"]) == {f"items[0].versions[{i}].available_settings" for i in range(3)}
    assert [e["name"] for e in rest["items"]] == ["MySQL"] and "next" not in rest
    assert part["result"] == ["setting_0", "setting_1", "setting_2"]


def test_total_count_is_an_integer_in_every_list_shape(sb):
    async def scenario(client):
        gateway = "call_operation"
        return [
            await _call(client, "instance_list_servers", {"per_page": 2}),  # hand-written rows
            await _call(client, "vpc_list_private_networks", {}),  # generated, page numbers
            await _call(client, gateway, {"name": "instance_list_servers_types", "arguments": {}}),  # a map by name
            await _call(client, gateway, {"name": "instance_v2alpha1_list_servers", "arguments": {}}),  # page tokens
            await _call(client, "instance_list_servers", {"zone": "all", "per_page": 2}),  # every zone
            await _call(client, "instance_list_servers", {"per_page": 2, "query": "items[].id"}),  # a query
        ]

    shapes_seen = _run(sb, scenario)
    assert all(type(r["total_count"]) is int for r in shapes_seen), [r.get("total_count") for r in shapes_seen]
    servers_types = shapes_seen[2]
    assert servers_types["items"][0]["name"] == "DEV1-S" and servers_types["total_count"] == len(servers_types["items"])
    assert shapes_seen[0]["next"] == {"page": 2} and shapes_seen[4]["next"] == {"page": 2}


def test_every_zone_is_every_zone_the_product_exists_in(sb):
    sb.reset_requests()

    async def scenario(client):
        return await _call(client, "instance_list_servers", {"zone": "all", "per_page": 1})

    everywhere = _run(sb, scenario)
    asked = {r["path"].split("/")[4] for r in sb.requests if r["path"].endswith("/servers")}
    assert {"it-mil-1", "pl-waw-3", "fr-par-1"} <= asked == set(everywhere["zones"])
    assert everywhere["total_count"] == sum(everywhere["zones"].values())


# --- query and compaction ---------------------------------------------------------------------


def test_query_through_call_operation_and_a_malformed_one(sb):
    _seed_servers(sb, "q", 25)

    async def scenario(client):
        good = await client.call_tool(
            "call_operation",
            {
                "name": "instance_list_servers",
                "arguments": {"per_page": 20, "name": "q-", "query": "items[].{id: id, name: name, state: state}"},
            },
        )
        sb.reset_requests()
        bad = await client.call_tool(
            "call_operation",
            {"name": "instance_list_servers", "arguments": {"per_page": 20, "query": "items[?state=='running'"}},
        )
        return good, bad

    good, bad = _run(sb, scenario)
    rows = ok(good)["result"]
    assert len(rows) == 20 and all(set(row) == {"id", "name", "state"} for row in rows)
    assert ok(good)["total_count"] == 25 and ok(good)["next"] == {"page": 2}
    assert bad.is_error and text_of(bad).startswith("Invalid arguments for instance_list_servers: query ")
    assert "position" in text_of(bad) and sb.requests == []


def test_default_list_items_hold_no_null_or_empty_values(sb):
    async def scenario(client):
        await _call(client, "vpc_create_private_network", {"name": "compact-net"})
        return [
            await _call(client, "instance_list_servers", {"per_page": 5}),
            await _call(client, "vpc_list_private_networks", {}),
            await _call(client, "call_operation", {"name": "iam_list_users", "arguments": {}}),
        ]

    for listing in _run(sb, scenario):
        assert listing["items"] and _empties(listing["items"]) == []


# --- zones --------------------------------------------------------------------------------------


def test_todays_zones_and_regions_are_accepted_and_typos_get_a_suggestion(sb):
    async def scenario(client):
        return [
            await client.call_tool(tool, args)
            for tool, args in (
                ("instance_list_servers", {"zone": "it-mil-1"}),
                ("instance_list_servers", {"zone": "pl-waw-3"}),
                ("vpc_list_private_networks", {"region": "it-mil"}),
                ("instance_list_servers", {"zone": "fr-pra-1"}),
            )
        ]

    *accepted, typo = _run(sb, scenario)
    assert all(not r.is_error for r in accepted), [text_of(r) for r in accepted]
    assert typo.is_error and "Did you mean 'fr-par-1'?" in text_of(typo)


# --- waits ----------------------------------------------------------------------------------------


class Progress:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.event = anyio.Event()
        self.stop_after = 0

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.messages.append(message or "")
        if self.stop_after and len(self.messages) >= self.stop_after:
            self.event.set()


def _gets(sb: Sandbox, path_end: str) -> int:
    return len([r for r in sb.requests if r["method"] == "GET" and r["path"].endswith(path_end)])


def test_a_wait_sends_one_progress_notification_per_poll(sb):
    async def scenario(client):
        generated, handwritten = Progress(), Progress()
        lb = await _call(
            client,
            "call_operation",
            {
                "name": "lb_zoned_create_lb",
                "arguments": {"name": "waited-lb", "description": "", "type": "LB-S", "wait": True},
            },
            progress_callback=generated,
        )
        lb_gets = _gets(sb, f"/lbs/{lb['id']}")
        cluster = await _call(
            client, "k8s_create_cluster", {"name": "waited", "wait": True}, progress_callback=handwritten
        )
        return lb, lb_gets, generated, cluster["cluster"], handwritten

    sb.reset_requests()
    lb, lb_gets, generated, cluster, handwritten = _run(sb, scenario)
    assert lb["status"] == "ready" and lb_gets == len(generated.messages) == 3  # to_create, creating, ready
    assert generated.messages[0].startswith("lb: to_create after ") and generated.messages[-1].startswith("lb: ready")
    assert cluster["status"] == "ready" and _gets(sb, f"/clusters/{cluster['id']}") == len(handwritten.messages) >= 2


def _stuck_cluster(sb: Sandbox, name: str) -> dict[str, Any]:
    """A cluster that stays "creating" until the test says otherwise."""
    cls = shapes.load("scaleway.k8s.v1.types:Cluster")
    collection = "/k8s/v1/regions/fr-par/clusters"
    return sb.engine.add(
        collection,
        sb.engine.new(
            cls,
            params={"region": "fr-par"},
            name=name,
            status="creating",
            version="1.34.5",
            cni="cilium",
            type="kapsule",
        ),
    )


def test_a_wait_at_its_deadline_returns_the_state_and_how_to_keep_waiting(sb):
    cluster = _stuck_cluster(sb, "slow")

    async def scenario(client):
        args = {"cluster_id": cluster["id"], "wait": True, "timeout_seconds": 1}
        first = await _call(client, "k8s_get_cluster", args)
        cluster["status"] = "ready"
        go_on = first["wait"]["continue_with"]
        then = await _call(client, "call_operation", {"name": go_on["tool"], "arguments": go_on["arguments"]})
        return first, then

    first, then = _run(sb, scenario)
    assert first["cluster"]["status"] == "creating" and first["wait"]["done"] is False
    assert first["wait"]["state"] == "creating" and first["wait"]["elapsed_seconds"] <= 2
    assert first["wait"]["continue_with"] == {
        "tool": "k8s_get_cluster",
        "arguments": {"cluster_id": cluster["id"], "region": "fr-par", "wait": True},
    }
    assert then["cluster"]["status"] == "ready" and "wait" not in then


def test_a_one_second_wait_waits_its_second_and_says_so(sb, monkeypatch):
    monkeypatch.setattr(waiting, "POLL_MIN", 1.0)  # the real first delay: as long as the whole deadline
    cluster = _stuck_cluster(sb, "one-second")

    async def scenario(client):
        return await _call(client, "k8s_get_cluster", {"cluster_id": cluster["id"], "wait": True, "timeout_seconds": 1})

    waited = _run(sb, scenario)["wait"]
    assert waited["polls"] == 2 and 1.0 <= waited["elapsed_seconds"] < 2, waited
    assert waited["hint"].startswith(f"Still creating after {waited['elapsed_seconds']} s"), waited["hint"]


def test_a_generated_wait_at_its_deadline_goes_on_with_the_getter(sb):
    cls = shapes.load("scaleway.block.v1alpha1.types:Volume")
    volume = sb.engine.add(
        "/block/v1alpha1/zones/fr-par-1/volumes",
        sb.engine.new(cls, params={"zone": "fr-par-1"}, status="creating", name="slow-volume"),
    )

    async def scenario(client):
        return await _call(
            client,
            "call_operation",
            {
                "name": "block_update_volume",
                "arguments": {"volume_id": volume["id"], "name": "renamed", "wait": True, "timeout_seconds": 1},
            },
        )

    updated = _run(sb, scenario)
    assert updated["name"] == "renamed" and updated["wait"]["state"] == "creating"
    assert updated["wait"]["continue_with"] == {
        "tool": "block_get_volume",
        "arguments": {"volume_id": volume["id"], "zone": "fr-par-1", "wait": True},
    }


def test_a_cancelled_wait_stops_polling(sb):
    cluster = _stuck_cluster(sb, "never-ready")
    path = f"/clusters/{cluster['id']}"

    async def scenario(client):
        progress = Progress()
        progress.stop_after = 3
        args = {"cluster_id": cluster["id"], "wait": True, "timeout_seconds": 600}
        with anyio.move_on_after(30):
            async with anyio.create_task_group() as group:
                group.start_soon(lambda: client.call_tool("k8s_get_cluster", args, progress_callback=progress))
                await progress.event.wait()
                group.cancel_scope.cancel()  # the client gives up: notifications/cancelled
        at_cancel = _gets(sb, path)
        await anyio.sleep(1)  # 20 poll intervals
        after = _gets(sb, path)
        still = await _call(client, "k8s_get_cluster", {"cluster_id": cluster["id"]})  # the server goes on serving
        return at_cancel, after, still

    sb.reset_requests()
    at_cancel, after, still = _run(sb, scenario)
    assert at_cancel >= 3 and after <= at_cancel + 1  # at most the read that was in flight
    assert still["cluster"]["status"] == "creating"


# --- the command line ----------------------------------------------------------------------------


def test_cli_call_reaches_an_operation_outside_the_default_toolset(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "scw_mcp.cli", "--sandbox", "call", "iam_list_users", "{}"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(ROOT),
        env=clean_env(str(tmp_path)),
    )
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert type(listed["total_count"]) is int and listed["items"][0]["id"]


# --- objects ------------------------------------------------------------------------------------


def test_a_260_kb_object_reads_back_whole_in_ranges():
    text = "".join(f"line {i:06d}: café ünïcode ✓\n" for i in range(8_000))  # multi-byte characters across cuts
    assert len(text.encode()) > 260_000

    async def scenario(client):
        await _call(client, "object_storage_create_bucket", {"bucket": "ranges"})
        await _call(client, "object_storage_put_object", {"bucket": "ranges", "key": "big.txt", "content": text})
        listed = await _call(client, "object_storage_list_objects_v2", {"bucket": "ranges"})
        parts, offset = [], 0
        while offset is not None:
            args = {"bucket": "ranges", "key": "big.txt", "offset": offset}
            part = await _call(client, "object_storage_get_object", args)
            assert part["encoding"] == "text" and part["offset"] == offset
            parts.append(part["content"])
            offset = part["next_offset"]
        await _call(client, "object_storage_delete_bucket", {"bucket": "ranges", "empty_first": True})
        return listed, parts

    with Sandbox() as s3:  # moto's state is the process's: the bucket goes at the end
        listed, parts = _run(s3, scenario, confirm=False)
    assert "".join(parts) == text and len(parts) >= 5
    assert type(listed["total_count"]) is int and listed["items"][0]["key"] == "big.txt"
