"""Load Balancer: lbs with their flexible IP, frontends, backends and Private Network attachments
(backends, frontends and backend servers on the zoned API and the older regional one, which the
lb_* tools use).

Checked against the shared cassette lb-create-lb-simple (to_create, creating, ready over polls;
the IP object with its reverse; DELETE 204 then to_delete then 404 "lbs not Found"; the IP kept
with release_ip=false) and the tf cassettes (frontends and backends read 404 after their lb).
"""

from __future__ import annotations

import random
from typing import Any

from ..engine import fill
from ._base import Call, Engine, Reply, apply_change, behaviour, cls, flag, on_remove, precondition, region_of
from .ipam import book_for, release_for

LB = "/lb/v1/zones/{zone}"
LBS = f"{LB}/lbs"
REGIONAL_LB = "/lb/v1/regions/{region}"  # the older regional API (LbV1API, the lb_* tools): the same resources
IPS = f"{LB}/ips"
RELEASE = "lb_release_ip"  # engine.scratch: lbs deleted with release_ip=true


def _new_ip(engine: Engine, call: Call, body: dict[str, Any]) -> dict[str, Any]:
    a, b = random.randint(0, 255), random.randint(1, 254)
    region = region_of(call.params["zone"])
    return engine.add(
        fill(IPS, call.params),
        engine.new(
            cls("scaleway.lb.v1.types:Ip"),
            params=call.params,
            body=body,
            ip_address=f"51.159.{a}.{b}",
            reverse=body.get("reverse") or f"51-159-{a}-{b}.lb.{region}.scw.cloud",
            lb_id=None,
            region=region,
        ),
    )


@behaviour("POST", IPS)
def create_ip(engine: Engine, call: Call) -> Reply:
    return Reply(200, _new_ip(engine, call, call.body))


@behaviour("DELETE", f"{IPS}/{{ip_id}}")
def release_ip(engine: Engine, call: Call) -> Reply:
    """Only an IP no Load Balancer holds (the message is ours: the refusal was not recorded)."""
    found = engine.fetch(IPS, call.params, call.params["ip_id"])
    if isinstance(found, Reply):
        return found
    if found[1]["lb_id"]:
        return precondition(f"IP is used by Load Balancer {found[1]['lb_id']}")
    engine.remove(*found)
    return Reply(204)


@behaviour("POST", LBS)
def create_lb(engine: Engine, call: Call) -> Reply:
    """With the IPs named (ip_ids, checked by the references table), or a new flexible IP."""
    wanted = [*call.body.get("ip_ids", []), *([call.body["ip_id"]] if call.body.get("ip_id") else [])]
    ips = [engine.find(fill(IPS, call.params), i) for i in wanted] or [_new_ip(engine, call, {"tags": []})]
    taken = [ip["id"] for ip in ips if ip["lb_id"]]
    if taken:
        return precondition(f"IP {taken[0]} is already used by a Load Balancer")
    lb = engine.create(
        call,
        status="to_create",
        ip=ips,
        instances=[],
        type=call.body.get("type") or "lb-s",
        ssl_compatibility_level=call.body.get("ssl_compatibility_level") or "ssl_compatibility_level_intermediate",
        frontend_count=0,
        backend_count=0,
        private_network_count=0,
        route_count=0,
        subscriber=None,
    )
    for ip in ips:
        ip["lb_id"] = lb["id"]
    engine.later(lb, {}, {"status": "creating"}, {"status": "ready"})
    return Reply(200, lb)


@behaviour("DELETE", f"{LBS}/{{lb_id}}")
def delete_lb(engine: Engine, call: Call) -> Reply | None:
    """release_ip=true deletes its IPs with it; else they stay, free."""
    if flag(call, "release_ip"):
        engine.scratch.setdefault(RELEASE, set()).add(call.params["lb_id"])
    return None  # the generic delete: to_delete for a read, then gone


@on_remove(LBS)
def _lb_gone(engine: Engine, collection: str, lb: dict[str, Any]) -> None:
    ips = fill(IPS, {"zone": lb["zone"]})
    release = lb["id"] in engine.scratch.get(RELEASE, set())
    for ip in lb["ip"]:
        if release:
            if ip in engine.items(ips):
                engine.remove(ips, ip)
        else:
            ip["lb_id"] = None


@behaviour("POST", f"{LBS}/{{lb_id}}/frontends", f"{REGIONAL_LB}/lbs/{{lb_id}}/frontends")
def create_frontend(engine: Engine, call: Call) -> Reply:
    lb = engine.parent_item(call)
    api = LB if "zone" in call.params else REGIONAL_LB
    backend = engine.locate(fill(f"{api}/backends", call.params), call.body.get("backend_id") or "")
    return Reply(
        200,
        engine.create(
            call,
            lb=lb,
            backend=backend[1] if backend else None,
            certificate_ids=call.body.get("certificate_ids") or [],
        ),
    )


@behaviour("POST", f"{LBS}/{{lb_id}}/backends", f"{REGIONAL_LB}/lbs/{{lb_id}}/backends")
def create_backend(engine: Engine, call: Call) -> Reply:
    lb = engine.parent_item(call)
    return Reply(200, engine.create(call, lb=lb, pool=list(call.body.get("server_ip") or [])))


def _pool(change: str) -> Any:
    """add / remove / set backend servers: the backend's pool of server IPs."""

    def apply(engine: Engine, call: Call) -> Reply:
        backend = engine.parent_item(call)
        backend["pool"] = apply_change(backend["pool"], list(call.body.get("server_ip") or []), change)
        return Reply(200, backend)

    return apply


SERVERS = (f"{LB}/backends/{{backend_id}}/servers", f"{REGIONAL_LB}/backends/{{backend_id}}/servers")
behaviour("POST", *SERVERS)(_pool("add"))
behaviour("DELETE", *SERVERS)(_pool("remove"))
behaviour("PUT", *SERVERS)(_pool("set"))


@behaviour("POST", f"{LBS}/{{lb_id}}/attach-private-network")
def attach_private_network(engine: Engine, call: Call) -> Reply:
    """The lb joins the network with an IPAM IP (ipam_ids, or one booked for it)."""
    lb = engine.parent_item(call)
    network_id = call.body["private_network_id"]
    collection = f"{fill(LBS, call.params)}/{lb['id']}/private-networks"
    if any(a["private_network_id"] == network_id for a in engine.items(collection)):
        return precondition(f"Load Balancer {lb['id']} is already attached to Private Network {network_id}")
    resource = {"type": "lb_server", "id": lb["id"], "mac_address": None, "name": lb["name"]}
    ips = book_for(engine, call.params["zone"], network_id, resource, call.body.get("ipam_ids") or [])
    if isinstance(ips, Reply):
        return ips
    attachment = engine.add(
        collection,
        engine.new(
            cls("scaleway.lb.v1.types:PrivateNetwork"),
            body=call.body,
            lb=lb,
            status="pending",
            ipam_ids=[ip["id"] for ip in ips if not ip["is_ipv6"]],
        ),
    )
    engine.later(attachment, {"status": "ready"})
    return Reply(200, attachment)


@behaviour("POST", f"{LBS}/{{lb_id}}/detach-private-network")
def detach_private_network(engine: Engine, call: Call) -> Reply:
    found = engine.fetch(
        f"{LBS}/{{lb_id}}/private-networks",
        call.params,
        call.body.get("private_network_id") or "",
        "private_network_id",
        "scaleway.lb.v1.types:PrivateNetwork",
    )
    if isinstance(found, Reply):
        return found
    engine.remove(*found)
    return Reply(204)


@on_remove(f"{LBS}/{{lb_id}}/private-networks")
def _attachment_gone(engine: Engine, collection: str, attachment: dict[str, Any]) -> None:
    lb = attachment["lb"]
    if lb:  # a made-up attachment (unknown_ids="create") has none
        release_for(engine, region_of(lb["zone"]), lb["id"])  # a zoned lb has no region of its own
