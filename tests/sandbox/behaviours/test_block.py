"""Block Storage: volumes and snapshots settling over polls; in-use volumes kept; sizes only grow
(shared cassette instance-server-delete-with-all-volumes, SDK docstrings)."""

from __future__ import annotations

from .conftest import Api, server

BLOCK = "/block/v1alpha1/zones/fr-par-1"


def test_volumes_and_snapshots(api: Api) -> None:
    volume = api.ok(
        "POST", f"{BLOCK}/volumes", {"name": "data", "perf_iops": 15000, "from_empty": {"size": 20_000_000_000}}
    )
    assert (volume["status"], volume["type"], volume["size"]) == ("creating", "sbs_15k", 20_000_000_000)
    assert [api.ok("GET", f"{BLOCK}/volumes/{volume['id']}")["status"] for _ in range(2)] == ["creating", "available"]
    snapshot = api.ok("POST", f"{BLOCK}/snapshots", {"volume_id": volume["id"], "name": "s"})
    assert snapshot["parent_volume"]["id"] == volume["id"] and snapshot["size"] == volume["size"]
    copy = api.ok("POST", f"{BLOCK}/volumes", {"name": "copy", "from_snapshot": {"snapshot_id": snapshot["id"]}})
    assert copy["parent_snapshot_id"] == snapshot["id"] and copy["size"] == 20_000_000_000
    assert api.error("PATCH", f"{BLOCK}/volumes/{volume['id']}", {"size": 10_000_000_000}).status == 400
    assert api.ok("PATCH", f"{BLOCK}/volumes/{volume['id']}", {"size": 30_000_000_000})["size"] == 30_000_000_000
    missing = api.error("POST", f"{BLOCK}/snapshots", {"volume_id": "0000", "name": "s"})
    assert missing.status == 404 and missing.body["resource"] == "volume"


def test_a_volume_in_use_is_not_deleted(api: Api) -> None:
    root = server(api)["volumes"]["0"]["id"]
    assert api.ok("GET", f"{BLOCK}/volumes/{root}")["status"] == "in_use"
    assert api.error("DELETE", f"{BLOCK}/volumes/{root}").status == 412
