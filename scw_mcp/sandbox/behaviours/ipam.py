"""IPAM: private IPs booked from a Private Network's subnets, and attached to what uses them.

Checked against the tf cassettes ipam/ipamip-basic (the first free IPv4 is the subnet's .2, the
address carries the subnet's prefix length, `source` names the subnet), ipam/ipamip-with-
standalone-address (a chosen address), ipam/data-source-ipamip-instance (an Instance NIC holds an
IPv4 and an IPv6, `resource` names the NIC, its upper-case MAC and the server's name; filters by
private_network_id, resource_id/type, mac_address) and the docs' concepts page: "the first two
and last two [addresses] in the block" cannot be reserved.
"""

from __future__ import annotations

import ipaddress
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
    flag,
    on_remove,
    precondition,
    region_of,
)
from .vpc import NETWORKS

IPS = "/ipam/v1/regions/{region}/ips"
AUTO = "ipam_booked_for_resources"  # engine.scratch: ids of IPs booked on a resource's behalf


def _networks(engine: Engine, region: str) -> list[dict[str, Any]]:
    return engine.items(fill(NETWORKS, {"region": region}))


def subnet(engine: Engine, region: str, subnet_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(private network, subnet) of a subnet id."""
    return next(((n, s) for n in _networks(engine, region) for s in n["subnets"] if s["id"] == subnet_id), None)


def _subnet_ids(engine: Engine, region: str, keep: Any) -> set[str]:
    return {s["id"] for n in _networks(engine, region) if keep(n) for s in n["subnets"]}


def _taken(engine: Engine, region: str, subnet_id: str) -> set[str]:
    return {
        i["address"].split("/")[0]
        for i in engine.items(fill(IPS, {"region": region}))
        if (i["source"] or {}).get("subnet_id") == subnet_id
    }


def _allocate(engine: Engine, region: str, sub: dict[str, Any], wanted: str | None) -> str | Reply:
    """A free address of the subnet (the wanted one, if free), with the subnet's prefix length."""
    network = ipaddress.ip_network(sub["subnet"])
    taken = _taken(engine, region, sub["id"])
    usable = range(2, network.num_addresses - 2)  # not the first two nor the last two
    if wanted:
        try:
            address = ipaddress.ip_address(wanted)
        except ValueError:
            address = None
        if address is None or address not in network or int(address) - int(network.network_address) not in usable:
            return invalid_arguments(
                [
                    {
                        "argument_name": "address",
                        "reason": "constraint",
                        "help_message": f"{wanted} is not a usable address of {sub['subnet']}",
                    }
                ]
            )
        if str(address) in taken:
            return error(409, "resource already exists", "already_exists", resource="ip", resource_id=str(address))
        return f"{address}/{network.prefixlen}"
    if network.version == 4:
        offset = next((o for o in usable if str(network[o]) not in taken), None)
    else:  # IPv6 hosts are spread over the /64, as the API's are
        offset = next(
            o
            for o in iter(lambda: random.randrange(2, network.num_addresses - 2), None)
            if str(network[o]) not in taken
        )
    if offset is None:
        return error(409, f"no free address left in {sub['subnet']}", "out_of_stock")
    return f"{network[offset]}/{network.prefixlen}"


def book(
    engine: Engine,
    region: str,
    sub: dict[str, Any],
    project_id: str,
    *,
    address: str | None = None,
    tags: list[str] | None = None,
    resource: dict[str, Any] | None = None,
) -> dict[str, Any] | Reply:
    allocated = _allocate(engine, region, sub, address)
    if isinstance(allocated, Reply):
        return allocated
    network = ipaddress.ip_network(sub["subnet"])
    return engine.add(
        fill(IPS, {"region": region}),
        engine.new(
            cls("scaleway.ipam.v1.types:IP"),
            params={"region": region},
            address=allocated,
            project_id=project_id,
            is_ipv6=network.version == 6,
            source={"subnet_id": sub["id"]},
            resource=resource,
            tags=list(tags or []),
            reverses=[],
            zone=None,
        ),
    )


def book_for(
    engine: Engine, zone: str, network_id: str, resource: dict[str, Any], ip_ids: list[str]
) -> list[dict[str, Any]] | Reply:
    """The IPs of a resource joining a Private Network: the booked ones it names (they must be free
    and in the network), else an address of each of the network's subnets, booked for it."""
    region = region_of(zone)
    found = engine.fetch(NETWORKS, {"region": region}, network_id)
    if isinstance(found, Reply):
        return found
    network = found[1]
    if ip_ids:
        chosen = []
        for ip_id in ip_ids:
            ip = engine.fetch(IPS, {"region": region}, ip_id)
            if isinstance(ip, Reply):
                return ip
            chosen.append(ip[1])
        subnets = {s["id"] for s in network["subnets"]}
        for ip_id, ip in zip(ip_ids, chosen, strict=False):
            if (ip["source"] or {}).get("subnet_id") not in subnets and engine.unknown_ids != "create":
                return invalid_arguments(
                    [
                        {
                            "argument_name": "ipam_ip_ids",
                            "reason": "constraint",
                            "help_message": f"IP {ip_id} is not in Private Network {network_id}",
                        }
                    ]
                )
            if ip["resource"]:
                return precondition(f"IP {ip_id} is already attached to a resource")
        for ip in chosen:
            ip["resource"] = dict(resource)
        return chosen
    booked = []
    for sub in network["subnets"]:
        ip = book(engine, region, sub, network["project_id"], resource=dict(resource))
        if isinstance(ip, Reply):
            return ip
        engine.scratch.setdefault(AUTO, set()).add(ip["id"])
        booked.append(ip)
    return booked


def book_public(engine: Engine, zone: str, ip: dict[str, Any], resource: dict[str, Any], project_id: str) -> None:
    """A server's public IP, as IPAM lists it: the Instance IP's ipam_id, a zonal source, the
    server as resource (tf cassette ipam/ipamip-reverse-dns-basic)."""
    region = region_of(zone)
    booked = engine.new(
        cls("scaleway.ipam.v1.types:IP"),
        params={"region": region},
        id=ip["ipam_id"],
        address=f"{ip['address']}/32",
        project_id=project_id,
        is_ipv6=False,
        source={"zonal": zone},
        resource=resource,
        tags=[],
        reverses=[],
        zone=zone,
    )
    engine.add(fill(IPS, {"region": region}), booked)
    engine.scratch.setdefault(AUTO, set()).add(booked["id"])


def release_for(engine: Engine, region: str, resource_id: str) -> None:
    """A resource leaves its network: IPs booked for it are released, the others detached."""
    ips = fill(IPS, {"region": region})
    auto = engine.scratch.get(AUTO, set())
    for ip in [i for i in engine.items(ips) if (i.get("resource") or {}).get("id") == resource_id]:
        if ip["id"] in auto:
            auto.discard(ip["id"])
            engine.remove(ips, ip)
        else:
            ip["resource"] = None


@behaviour("POST", IPS)
def book_ip(engine: Engine, call: Call) -> Reply:
    """Only Private Network sources can be booked ("Currently IPs can only be reserved from a
    Private Network", SDK book_ip docstring); a network holds an IPv4 and an IPv6 subnet."""
    region = call.params["region"]
    source = call.body.get("source") or {}
    is_ipv6 = bool(call.body.get("is_ipv6"))
    if source.get("subnet_id"):
        found = subnet(engine, region, source["subnet_id"])
        if found is None:
            return engine.not_found("/vpc/v2/regions/{region}/subnets", source["subnet_id"])
        network, sub = found
    elif source.get("private_network_id"):
        network = engine.find(fill(NETWORKS, call.params), source["private_network_id"])
        family = 6 if is_ipv6 else 4
        sub = next((s for s in network["subnets"] if ipaddress.ip_network(s["subnet"]).version == family), None)
        if sub is None:
            return invalid_arguments(
                [
                    {
                        "argument_name": "is_ipv6",
                        "reason": "constraint",
                        "help_message": f"Private Network {network['id']} has no IPv{family} subnet",
                    }
                ]
            )
    else:
        return invalid_arguments(
            [
                {
                    "argument_name": "source",
                    "reason": "constraint",
                    "help_message": "IPs can only be reserved from a Private Network (private_network_id or subnet_id)",
                }
            ]
        )
    resource = call.body.get("resource")
    ip = book(
        engine,
        region,
        sub,
        call.body.get("project_id") or network["project_id"],
        address=call.body.get("address"),
        tags=call.body.get("tags"),
        resource=_custom(resource) if resource else None,
    )
    return ip if isinstance(ip, Reply) else Reply(200, ip)


def _custom(resource: dict[str, Any]) -> dict[str, Any]:
    return {"type": "custom", "id": "", "mac_address": resource.get("mac_address"), "name": resource.get("name")}


@behaviour("GET", IPS)
def list_ips(engine: Engine, call: Call) -> Reply:
    """The API's filters on top of the generic ones (project, is_ipv6, tags)."""
    region = call.params["region"]
    arg = call.arg
    types = {
        t for t in call.query.get("resource_types", []) + call.query.get("resource_type", []) if t != "unknown_type"
    }
    resource_ids = set(call.query.get("resource_ids", []) + call.query.get("resource_id", []))
    ip_ids = set(call.query.get("ip_ids", []))
    subnets = None
    if arg("private_network_id"):
        subnets = _subnet_ids(engine, region, lambda n: n["id"] == arg("private_network_id"))
    elif arg("vpc_id") or arg("source_vpc_id"):
        subnets = _subnet_ids(engine, region, lambda n: n["vpc_id"] in (arg("vpc_id"), arg("source_vpc_id")))
    elif arg("subnet_id"):
        subnets = {arg("subnet_id")}
    zonal, regional = arg("zonal"), flag(call, "regional")  # public IPs: servers' ones are zonal
    attached = flag(call, "attached")

    def keep(ip: dict[str, Any]) -> bool:
        res = ip.get("resource") or {}
        return (
            (not zonal or (ip["source"] or {}).get("zonal") == zonal)
            and not regional
            and (subnets is None or (ip["source"] or {}).get("subnet_id") in subnets)
            and (attached is None or attached == bool(res))
            and (not types or res.get("type") in types)
            and (not resource_ids or res.get("id") in resource_ids)
            and (not arg("resource_name") or res.get("name") == arg("resource_name"))
            and (not arg("mac_address") or str(res.get("mac_address") or "").lower() == arg("mac_address", "").lower())
            and (not ip_ids or ip["id"] in ip_ids)
        )

    return engine.list(call, keep)


def _ip(engine: Engine, call: Call) -> tuple[str, dict[str, Any]] | Reply:
    return engine.fetch(IPS, call.params, call.params["ip_id"])


@behaviour("DELETE", f"{IPS}/{{ip_id}}")
def release_ip(engine: Engine, call: Call) -> Reply:
    """ "Release an IP not currently attached to a resource" (SDK release_ip docstring)."""
    found = _ip(engine, call)
    if isinstance(found, Reply):
        return found
    if found[1]["resource"] and found[1]["resource"].get("type") != "custom":
        return precondition(f"IP is attached to {found[1]['resource']['type']} {found[1]['resource']['id']}")
    engine.remove(*found)
    return Reply(204)


@behaviour("POST", "/ipam/v1/regions/{region}/ip-sets/release")
def release_ip_set(engine: Engine, call: Call) -> Reply:
    collection = fill(IPS, call.params)
    for ip_id in call.body.get("ip_ids") or []:
        ip = engine.find(collection, ip_id)
        if ip is not None and not ip["resource"]:
            engine.remove(collection, ip)
    return Reply(204)


@behaviour("POST", f"{IPS}/{{ip_id}}/attach")
def attach_ip(engine: Engine, call: Call) -> Reply:
    found = _ip(engine, call)
    if isinstance(found, Reply):
        return found
    if found[1]["resource"]:
        return precondition("IP is already attached to a resource")
    found[1]["resource"] = _custom(call.body.get("resource") or {})
    return Reply(200, found[1])


@behaviour("POST", f"{IPS}/{{ip_id}}/detach")
def detach_ip(engine: Engine, call: Call) -> Reply:
    found = _ip(engine, call)
    if isinstance(found, Reply):
        return found
    found[1]["resource"] = None
    return Reply(200, found[1])


@behaviour("POST", f"{IPS}/{{ip_id}}/move")
def move_ip(engine: Engine, call: Call) -> Reply:
    found = _ip(engine, call)
    if isinstance(found, Reply):
        return found
    target = call.body.get("to_resource")
    found[1]["resource"] = _custom(target) if target else None
    return Reply(200, found[1])


@on_remove(NETWORKS)
def _network_gone(engine: Engine, collection: str, network: dict[str, Any]) -> None:
    """The IPs booked in its subnets are released with it."""
    ips = fill(IPS, {"region": network["region"]})
    subnets = {s["id"] for s in network["subnets"]}
    for ip in [i for i in engine.items(ips) if (i["source"] or {}).get("subnet_id") in subnets]:
        engine.remove(ips, ip)
