"""Instance: servers and their power states, private NICs, security groups and their rules."""

from __future__ import annotations

import random
from typing import Any

from ..engine import fill, invalid_arguments
from ._base import (
    Call,
    Engine,
    Reply,
    behaviour,
    cls,
    error,
    new_id,
    on_remove,
    precondition,
    region_of,
)
from .ipam import book_for, book_public, release_for

INSTANCE = "/instance/v1/zones/{zone}"
SERVERS = f"{INSTANCE}/servers"
GROUPS = f"{INSTANCE}/security_groups"
BLOCK_VOLUMES = "/block/v1alpha1/zones/{zone}/volumes"

# What a server in each state allows (`allowed_actions`, shared cassettes
# instance-create-server-simple-*: stopped, starting, running, stopping). stopped_in_place: not
# recorded; the API documents it as stopped with the hypervisor kept, so it powers on or off.
ALLOWED = {
    "stopped": ["poweron", "backup"],
    "starting": ["stop_in_place", "backup"],
    "running": ["poweroff", "terminate", "reboot", "stop_in_place", "backup"],
    "stopping": ["stop_in_place", "backup"],
    "stopped_in_place": ["poweron", "poweroff", "backup"],
    "locked": [],
}
# action -> (state now, state a poll later)
MOVES = {
    "poweron": ("starting", "running"),
    "poweroff": ("stopping", "stopped"),
    "stop_in_place": ("stopping", "stopped_in_place"),
    "reboot": ("running", "running"),
}

# A security group with enable_default_security holds these non-editable rules: outbound SMTP
# dropped for IPv4 and IPv6 (tf cassette instance/security-group-rules-basic, ids included).
SMTP_PORTS = (25, 465, 587)


def state(name: str) -> dict[str, Any]:
    return {"state": name, "allowed_actions": list(ALLOWED.get(name, []))}


def _public_ip() -> dict[str, Any]:
    return {
        "id": new_id(),
        "address": f"51.15.{random.randint(0, 255)}.{random.randint(1, 254)}",
        "family": "inet",
        "dynamic": True,
        "provisioning_mode": "dhcp",
        "state": "attached",
        "gateway": "62.210.0.1",
        "netmask": "32",
        "tags": [],
        "ipam_id": new_id(),
    }


# --- servers ---------------------------------------------------------------------------------


@behaviour("POST", SERVERS)
def create_server(engine: Engine, call: Call) -> Reply:
    """A stopped server with its image, an SBS root volume, (by default) a dynamic public IP and
    the project's default security group of the zone (shared cassettes)."""
    zone = call.params["zone"]
    body = call.body
    types = {t["name"]: t for t in engine.items(fill(f"{INSTANCE}/products/servers", call.params))}
    server_type = types.get(body.get("commercial_type") or "")
    if server_type is None:
        return error(400, f"commercial type {body.get('commercial_type')!r} is not available in {zone}")
    wanted = body.get("image")
    # An image ID, or (as the API also accepts) a label resolved for the zone and architecture.
    image = next(
        (
            i
            for i in engine.items("/marketplace/v2/local-images")
            if i["id"] == wanted or (i["label"] == wanted and i["zone"] == zone and i["arch"] == server_type["arch"])
        ),
        None,
    )
    if body.get("image") and image is None:
        return engine.not_found("/instance/v1/zones/{zone}/images", str(body.get("image")))
    group = (
        engine.find(fill(GROUPS, call.params), body["security_group"])
        if body.get("security_group")
        else default_security_group(engine, zone)
    )
    volume_id = new_id()
    size = int(((body.get("volumes") or {}).get("0") or {}).get("size") or 10_000_000_000)
    engine.add(
        fill(BLOCK_VOLUMES, call.params),
        engine.new(
            cls("scaleway.block.v1alpha1.types:Volume"),
            params=call.params,
            id=volume_id,
            name=f"{(image or {}).get('name', 'volume')}_sbs_volume_0",
            type="sbs_5k",
            size=size,
            status="in_use",
        ),
    )
    ips = [_public_ip()] if body.get("dynamic_ip_required", True) else []
    server = engine.create(
        call,
        **state("stopped"),
        arch=server_type["arch"],
        image={"id": image["id"], "name": image["name"], "arch": image["arch"], "zone": zone} if image else None,
        volumes={
            "0": {
                "id": volume_id,
                "volume_type": "sbs_volume",
                "boot": False,
                "state": "available",
                "zone": zone,
                "size": size,
            }
        },
        public_ips=ips,
        public_ip=ips[0] if ips else None,
        private_nics=[],
        hostname=body.get("name") or "",
        dynamic_ip_required=bool(ips),
        security_group={"id": group["id"], "name": group["name"]},
    )
    holder = {"type": "instance_server", "id": server["id"], "mac_address": None, "name": None}
    for ip in ips:  # IPAM holds it too
        book_public(engine, zone, ip, holder, server["project"])
    group["servers"].append({"id": server["id"], "name": server["name"]})
    return Reply(201, {"server": server})


@behaviour("PATCH", f"{SERVERS}/{{server_id}}")
def update_server(engine: Engine, call: Call) -> Reply:
    """The generic update, keeping the security groups' server lists in step."""
    before = engine.find(fill(SERVERS, call.params), call.params["server_id"])
    old = ((before or {}).get("security_group") or {}).get("id")
    reply = engine.handle_generic(call)
    wanted = (call.body.get("security_group") or {}).get("id")
    if reply.status == 200 and wanted and wanted != old:
        server = reply.body["server"]
        _leave_group(engine, call.params["zone"], server)
        group = engine.find(fill(GROUPS, call.params), wanted)
        server["security_group"] = {"id": group["id"], "name": group["name"]}
        group["servers"].append({"id": server["id"], "name": server["name"]})
    return reply


@behaviour("POST", f"{SERVERS}/{{server_id}}/action")
def server_action(engine: Engine, call: Call) -> Reply:
    """poweron: starting, then running on a later poll; poweroff: stopping, then stopped. An action
    the server's state does not allow is refused (its `allowed_actions`)."""
    server = engine.parent_item(call)
    action = call.body.get("action") or "poweron"
    if action not in (*MOVES, "terminate", "backup", "enable_routed_ip"):
        return invalid_arguments(
            [{"argument_name": "action", "reason": "constraint", "help_message": f"unknown action {action}"}]
        )
    allowed = ALLOWED.get(server["state"], [])
    if action not in allowed and action != "enable_routed_ip":
        return error(
            400, f"server is {server['state']}: action {action} is not allowed (allowed actions: {', '.join(allowed)})"
        )
    if action == "terminate":  # the server, its volumes and NICs go (a running server: no poweroff first)
        engine.remove(fill(SERVERS, call.params), server)
        for volume in server["volumes"].values():
            found = engine.find(fill(BLOCK_VOLUMES, call.params), volume["id"])
            if found is not None:
                engine.remove(fill(BLOCK_VOLUMES, call.params), found)
    elif action in MOVES:
        now, then = MOVES[action]
        server.update(state(now))
        engine.later(server, {}, state(then))
    task = engine.new(
        cls("scaleway.instance.v1.types:Task"),
        params=call.params,
        description=f"server_{action}",
        status="pending",
        href_from=f"/servers/{server['id']}/action",
        progress=0,
    )
    return Reply(202, {"task": task})


@behaviour("DELETE", f"{SERVERS}/{{server_id}}")
def delete_server(engine: Engine, call: Call) -> Reply:
    """Only a stopped server can be deleted; its volumes stay, detached (available)."""
    found = engine.lookup(call)
    if isinstance(found, Reply):
        return found
    collection, server = found
    if server["state"] not in ("stopped", "stopped_in_place"):
        return error(400, "server should be stopped")
    engine.remove(collection, server)
    for volume in server["volumes"].values():
        found = engine.find(fill(BLOCK_VOLUMES, call.params), volume["id"])
        if found is not None:
            found["status"] = "available"
    return Reply(204)


@on_remove(SERVERS)
def _server_gone(engine: Engine, collection: str, server: dict[str, Any]) -> None:
    """Its NICs (and their IPs), its public IPs and its place in its security group go with it."""
    nics = f"{collection}/{server['id']}/private_nics"
    for nic in list(engine.items(nics)):
        engine.remove(nics, nic)
    release_for(engine, region_of(server["zone"]), server["id"])
    _leave_group(engine, server["zone"], server)


def _leave_group(engine: Engine, zone: str, server: dict[str, Any]) -> None:
    group = engine.find(fill(GROUPS, {"zone": zone}), ((server.get("security_group") or {}).get("id")) or "")
    if group is not None:
        group["servers"] = [s for s in group["servers"] if s["id"] != server["id"]]


@behaviour("GET", SERVERS)
def list_servers(engine: Engine, call: Call) -> Reply:
    """Also filters by private_network (servers with a NIC in it) and state."""
    network = call.arg("private_network")
    return engine.list(
        call, lambda s: not network or any(n["private_network_id"] == network for n in s["private_nics"])
    )


# --- private NICs ----------------------------------------------------------------------------


@behaviour("POST", f"{SERVERS}/{{server_id}}/private_nics")
def create_private_nic(engine: Engine, call: Call) -> Reply:
    """A NIC on an existing Private Network (checked by the references table), with its IPs from
    IPAM: the booked ones named in ipam_ip_ids, else an IPv4 and an IPv6 of the network's subnets
    (tf cassettes ipam/data-source-ipamip-instance, instance/private-nic-with-ipam)."""
    server = engine.parent_item(call)
    mac = f"02:00:00:{random.randint(0, 255):02x}:{random.randint(0, 255):02x}:{random.randint(0, 255):02x}"
    nic = engine.new(
        cls("scaleway.instance.v1.types:PrivateNIC"),
        params=call.params,
        body=call.body,
        state="available",
        mac_address=mac,
        server_id=server["id"],
    )
    resource = {"type": "instance_private_nic", "id": nic["id"], "mac_address": mac.upper(), "name": server["name"]}
    booked = book_for(
        engine, call.params["zone"], call.body["private_network_id"], resource, call.body.get("ipam_ip_ids") or []
    )
    if isinstance(booked, Reply):
        return booked
    engine.add(call.collection_path(), nic)
    server["private_nics"].append(nic)  # the same object: the server shows it, deletes reach both
    return Reply(201, {"private_nic": nic})


@on_remove(f"{SERVERS}/{{server_id}}/private_nics")
def _nic_gone(engine: Engine, collection: str, nic: dict[str, Any]) -> None:
    server = engine.find(collection.rsplit("/", 2)[0], nic["server_id"])
    if server is not None:
        server["private_nics"] = [n for n in server["private_nics"] if n["id"] != nic["id"]]
    release_for(engine, region_of(nic["zone"]), nic["id"])


# --- security groups -------------------------------------------------------------------------


def default_security_group(engine: Engine, zone: str) -> dict[str, Any]:
    """The project's default group of the zone, made on first use like the API does."""
    collection = fill(GROUPS, {"zone": zone})
    group = next((g for g in engine.items(collection) if g.get("project_default")), None)
    return group or _new_group(engine, zone, {"name": "Default security group", "project_default": True})


def _new_group(engine: Engine, zone: str, body: dict[str, Any]) -> dict[str, Any]:
    collection = fill(GROUPS, {"zone": zone})
    group = engine.add(
        collection,
        engine.new(
            cls("scaleway.instance.v1.types:SecurityGroup"),
            params={"zone": zone},
            body=body,
            servers=[],
            state="available",
            stateful=body.get("stateful", True),
            inbound_default_policy=body.get("inbound_default_policy") or "accept",
            outbound_default_policy=body.get("outbound_default_policy") or "accept",
            enable_default_security=body.get("enable_default_security", True),
            description=body.get("description"),
        ),
    )
    if group["enable_default_security"]:
        rules = f"{collection}/{group['id']}/rules"
        for index, (ip_range, port) in enumerate((r, p) for r in ("0.0.0.0/0", "::/0") for p in SMTP_PORTS):
            engine.add(
                rules,
                _rule(
                    engine,
                    zone,
                    {
                        "protocol": "TCP",
                        "direction": "outbound",
                        "action": "drop",
                        "ip_range": ip_range,
                        "dest_port_from": port,
                    },
                    index + 1,
                    editable=False,
                ),
            )
    return group


def _rule(engine: Engine, zone: str, body: dict[str, Any], position: int, editable: bool = True) -> dict[str, Any]:
    """The API answers protocols in capitals ("TCP": tf cassettes) whatever the case sent (the
    Python SDK's values are lower case); directions and actions stay lower case."""
    fields = {k: v for k, v in body.items() if k not in ("id", "position", "editable", "zone")}
    return engine.new(
        cls("scaleway.instance.v1.types:SecurityGroupRule"),
        params={"zone": zone},
        body=fields,
        protocol=str(body.get("protocol") or "TCP").upper(),
        position=position,
        editable=editable,
        dest_ip_range=body.get("dest_ip_range"),
        dest_port_to=body.get("dest_port_to"),
    )


@behaviour("POST", GROUPS)
def create_security_group(engine: Engine, call: Call) -> Reply:
    return Reply(201, {"security_group": _new_group(engine, call.params["zone"], call.body)})


@behaviour("DELETE", f"{GROUPS}/{{security_group_id}}")
def delete_security_group(engine: Engine, call: Call) -> Reply | None:
    """Refused while servers use it (the message is ours: the refusal was not recorded)."""
    found = engine.lookup(call)
    if not isinstance(found, Reply) and found[1]["servers"]:
        return precondition(f"security group is used by {len(found[1]['servers'])} server(s)")
    return None


def _editable(engine: Engine, call: Call) -> list[dict[str, Any]]:
    return [r for r in engine.items(call.collection_path()) if r["editable"]]


@behaviour("POST", f"{GROUPS}/{{security_group_id}}/rules")
def create_rule(engine: Engine, call: Call) -> Reply:
    """A rule at its position among the editable ones (positions count editable rules only; 0 or
    past the end: last), the ones after it moving down."""
    editable = _editable(engine, call)
    position = call.body.get("position") or 0
    position = position if 0 < position <= len(editable) else len(editable) + 1
    for rule in editable:
        if rule["position"] >= position:
            rule["position"] += 1
    rule = engine.add(call.collection_path(), _rule(engine, call.params["zone"], call.body, position))
    return Reply(201, {"rule": rule})


@behaviour("PUT", f"{GROUPS}/{{security_group_id}}/rules")
def set_rules(engine: Engine, call: Call) -> Reply:
    """The editable rules become the body's; the default ones stay (tf cassette security-group-rules-basic)."""
    collection = call.collection_path()
    for rule in _editable(engine, call):
        engine.remove(collection, rule)
    for position, body in enumerate(call.body.get("rules") or [], start=1):
        engine.add(collection, _rule(engine, call.params["zone"], body, position))
    return Reply(200, {"rules": list(engine.items(collection))})


@behaviour("DELETE", f"{GROUPS}/{{security_group_id}}/rules/{{security_group_rule_id}}")
def delete_rule(engine: Engine, call: Call) -> Reply | None:
    """The default (non-editable) rules cannot be removed (the message is ours)."""
    found = engine.lookup(call)
    if not isinstance(found, Reply) and not found[1]["editable"] and engine.unknown_ids != "create":
        return error(400, "this rule is not editable (enable_default_security)")
    return None
