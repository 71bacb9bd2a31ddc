"""Block Storage (v1 and v1alpha1 share their volumes and snapshots: rules `storage`).

Checked against the shared cassette instance-server-delete-with-all-volumes (a new volume answers
"creating", then reads "available"; an Instance's root volume is "in_use" until the server goes)
and the SDK docstrings: "The volume must not be in the `in_use` status" to be deleted, "You can
only resize a volume to a larger size".
"""

from __future__ import annotations

from ..engine import fill, invalid_arguments
from ._base import Call, Engine, Reply, behaviour, precondition

VOLUMES = ("/block/v1alpha1/zones/{zone}/volumes", "/block/v1/zones/{zone}/volumes")
SNAPSHOTS = ("/block/v1alpha1/zones/{zone}/snapshots", "/block/v1/zones/{zone}/snapshots")


def _volume_type(iops: int | None) -> str:
    return "sbs_15k" if (iops or 5000) >= 15000 else "sbs_5k"


@behaviour("POST", *VOLUMES)
def create_volume(engine: Engine, call: Call) -> Reply:
    """Empty (from_empty.size) or from a snapshot (its size unless a larger one is asked)."""
    body = call.body
    source = body.get("from_snapshot")
    parent = None
    if source:
        parent = engine.find(fill(SNAPSHOTS[0], call.params), source.get("snapshot_id") or "")
        size = source.get("size") or parent["size"]
        if size < parent["size"]:
            return invalid_arguments(
                [
                    {
                        "argument_name": "size",
                        "reason": "constraint",
                        "help_message": "a volume from a snapshot is at least the snapshot's size",
                    }
                ]
            )
    else:
        size = (body.get("from_empty") or {}).get("size")
        if not size:
            return invalid_arguments(
                [
                    {
                        "argument_name": "from_empty.size",
                        "reason": "required",
                        "help_message": "required key not provided",
                    }
                ]
            )
    iops = body.get("perf_iops")
    volume = engine.create(
        call,
        status="creating",
        size=size,
        type=_volume_type(iops),
        references=[],
        parent_snapshot_id=parent["id"] if parent else None,
        specs={"perf_iops": iops or 5000, "class": "sbs"},
        last_detached_at=None,
    )
    engine.later(volume, {}, {"status": "available"})
    return Reply(200, volume)


@behaviour("PATCH", *(f"{v}/{{volume_id}}" for v in VOLUMES))
def update_volume(engine: Engine, call: Call) -> Reply | None:
    volume = engine.find(fill(VOLUMES[0], call.params), call.params["volume_id"])
    if volume is not None and call.body.get("size") is not None and call.body["size"] < volume["size"]:
        return invalid_arguments(
            [{"argument_name": "size", "reason": "constraint", "help_message": "a volume can only grow"}]
        )
    if volume is not None and call.body.get("perf_iops"):
        volume["type"] = _volume_type(call.body["perf_iops"])
        volume["specs"] = {**(volume.get("specs") or {}), "perf_iops": call.body["perf_iops"]}
    return None


@behaviour("DELETE", *(f"{v}/{{volume_id}}" for v in VOLUMES))
def delete_volume(engine: Engine, call: Call) -> Reply | None:
    volume = engine.find(fill(VOLUMES[0], call.params), call.params["volume_id"])
    if volume is not None and volume["status"] == "in_use":
        return precondition("the volume is in use: detach it (or delete its server) first")
    return None


@behaviour("POST", *SNAPSHOTS)
def create_snapshot(engine: Engine, call: Call) -> Reply:
    volume = engine.find(fill(VOLUMES[0], call.params), call.body["volume_id"])
    snapshot = engine.create(
        call,
        status="creating",
        size=volume["size"],
        references=[],
        **{"class": "sbs"},
        parent_volume={"id": volume["id"], "name": volume["name"], "type": volume["type"], "status": volume["status"]},
    )
    engine.later(snapshot, {}, {"status": "available"})
    return Reply(200, snapshot)
