"""VPC: VPCs, Private Networks with an IPv4 and an IPv6 subnet, and what keeps a network in use."""

from __future__ import annotations

import hashlib
import ipaddress
import random

from ..engine import fill, invalid_arguments
from ._base import Call, Engine, Reply, behaviour, cls, precondition

VPCS = "/vpc/v2/regions/{region}/vpcs"
NETWORKS = "/vpc/v2/regions/{region}/private-networks"


@behaviour("POST", VPCS)
def create_vpc(engine: Engine, call: Call) -> Reply:
    """The request says enable_routing, the VPC answers routing_enabled."""
    vpc = engine.create(
        call, routing_enabled=bool(call.body.get("enable_routing")), is_default=False, private_network_count=0
    )
    return Reply(200, engine.wrap(call.route, vpc))


def _ipv4(used: set[str]) -> str:
    free = [c for c in (f"172.16.{4 * i}.0/22" for i in range(64)) if c not in used]
    return random.choice(free) if free else f"10.{random.randint(0, 255)}.{4 * random.randint(0, 63)}.0/22"


def _ipv6(vpc_id: str, used: set[str]) -> str:
    """A /64 of the VPC's unique local /48 (fd + 40 bits; networks of a VPC share it, as recorded)."""
    prefix = "fd" + hashlib.sha256(vpc_id.encode()).hexdigest()[:10]
    while True:
        cidr = str(ipaddress.ip_network(f"{prefix[:4]}:{prefix[4:8]}:{prefix[8:]}:{random.randint(0, 0xFFFF):x}::/64"))
        if cidr not in used:
            return cidr


@behaviour("POST", NETWORKS)
def create_private_network(engine: Engine, call: Call) -> Reply:
    """In the region's default VPC unless told otherwise, with an IPv4 /22 (the one asked for, or a
    free 172.16.x.0/22) and an IPv6 /64 (rdb-endpoint-create-public shared cassette, tf cassettes
    ipam/ipamip-basic, instance/private-nic-with-ipam: both subnets, IPv6 from the VPC's fdxx /48)."""
    vpcs = engine.items(fill(VPCS, call.params))
    vpc_id = call.body.get("vpc_id") or next((v["id"] for v in vpcs if v["is_default"]), "")
    siblings = [n for n in engine.items(call.collection_path()) if n["vpc_id"] == vpc_id]
    used = {s["subnet"] for n in siblings for s in n["subnets"]}
    cidrs = list(call.body.get("subnets") or [])
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr)
        except ValueError:
            return invalid_arguments(
                [
                    {
                        "argument_name": "subnets",
                        "reason": "constraint",
                        "help_message": f"{cidr} is not a network (CIDR)",
                    }
                ]
            )
    if not any(ipaddress.ip_network(c, strict=False).version == 4 for c in cidrs):
        cidrs.append(_ipv4(used))
    if not any(ipaddress.ip_network(c, strict=False).version == 6 for c in cidrs):
        cidrs.append(_ipv6(vpc_id, used))
    subnet_cls = cls("scaleway.vpc.v2.types:Subnet")
    subnets = [engine.new(subnet_cls, params=call.params, subnet=c, vpc_id=vpc_id) for c in cidrs]
    network = engine.create(call, vpc_id=vpc_id, subnets=subnets, dhcp_enabled=True)
    for subnet in subnets:
        subnet["private_network_id"] = network["id"]
    return Reply(200, network)


@behaviour("GET", "/vpc/v2/regions/{region}/subnets")
def list_subnets(engine: Engine, call: Call) -> Reply:
    """The subnets of the region's Private Networks (filters: vpc_id, subnet_ids)."""
    wanted = set(call.query.get("subnet_ids", []))
    subnets = [
        s
        for n in engine.items(fill(NETWORKS, call.params))
        for s in n["subnets"]
        if (not call.arg("vpc_id") or s["vpc_id"] == call.arg("vpc_id")) and (not wanted or s["id"] in wanted)
    ]
    return Reply(200, {"subnets": subnets, "total_count": len(subnets)}, {"X-Total-Count": str(len(subnets))})


def network_users(engine: Engine, region: str, network_id: str) -> list[str]:
    """What is still attached to a Private Network: Instances' NICs, clusters, database endpoints,
    Load Balancers."""
    users = []
    for path, items in list(engine.collections.items()):
        if path.startswith(f"/instance/v1/zones/{region}-") and path.endswith("/servers"):
            users += [
                f"instance {s['id']}"
                for s in items
                if any(n.get("private_network_id") == network_id for n in s.get("private_nics") or [])
            ]
        if path.startswith(f"/lb/v1/zones/{region}-") and path.endswith("/private-networks"):
            users += [f"lb {a['lb']['id']}" for a in items if a.get("private_network_id") == network_id]
    users += [
        f"k8s cluster {c['id']}"
        for c in engine.items(f"/k8s/v1/regions/{region}/clusters")
        if c.get("private_network_id") == network_id
    ]
    users += [
        f"rdb instance {i['id']}"
        for i in engine.items(f"/rdb/v1/regions/{region}/instances")
        if any(
            (e.get("private_network") or {}).get("private_network_id") == network_id for e in i.get("endpoints") or []
        )
    ]
    return users


@behaviour("DELETE", f"{NETWORKS}/{{private_network_id}}")
def delete_private_network(engine: Engine, call: Call) -> Reply | None:
    """Refused while anything is attached (the API's 412: "Private Network must be empty to be deleted")."""
    if engine.unknown_ids == "create":  # the route walk: made-up items all reference one made-up id
        return None
    if network_users(engine, call.params["region"], call.params["private_network_id"]):
        return precondition("Private Network must be empty to be deleted")
    return None
