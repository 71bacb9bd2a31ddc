"""Private Networks: a delete that names what is attached, and attaching Instances to them."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from pydantic import Field

from scw_mcp.overrides._common import OptStr, Region, Zone, sdk
from scw_mcp.overrides.declare import tool
from scw_mcp.runtime.context import CallContext
from scw_mcp.runtime.errors import ToolFailure
from scw_mcp.runtime.localities import zones_of

RegionArg = Region
ZoneArg = Zone
PnId = str
ServerId = str


def _vpc(ctx: CallContext) -> Any:
    from scaleway.vpc.v2 import VpcV2API

    return ctx.api(VpcV2API)


def _instance(ctx: CallContext) -> Any:
    from scaleway.instance.v1 import InstanceV1API

    return ctx.api(InstanceV1API)


async def _attached_servers(ctx: CallContext, private_network_id: str, region: str) -> list[dict[str, Any]]:
    """Instances attached to the network, from the region's zones at once (best effort)."""
    zones = zones_of(region)
    found: dict[str, list[dict[str, Any]]] = {}

    async def one(zone: str) -> None:
        try:
            res = await ctx.run(
                _instance(ctx).list_servers, zone=zone, private_network=private_network_id, per_page=100
            )
        except Exception:  # a zone without Instances in this account must not hide the preview
            return
        found[zone] = [{"id": s.id, "name": s.name, "zone": zone} for s in res.servers]

    async with anyio.create_task_group() as group:
        for zone in zones:
            group.start_soon(one, zone)
    return [server for zone in zones for server in found.get(zone, [])]


async def _pn_delete_preview(
    ctx: CallContext, private_network_id: str, region: OptStr = None, **_: Any
) -> dict[str, Any]:
    region = ctx.region(region)
    pn = await ctx.run(_vpc(ctx).get_private_network, private_network_id=private_network_id, region=region)
    servers = await _attached_servers(ctx, private_network_id, region)
    preview: dict[str, Any] = {
        "private_network": pn,
        "attached_servers": servers,
        "will_delete": "The Private Network and its subnets.",
    }
    if servers:
        preview["will_fail"] = "Resources are still attached: detach them first (instance_delete_private_nic)."
    return preview


@tool(
    safety="destructive",
    scope="region",
    preview=_pn_delete_preview,
    performs=("vpc_get_private_network", "instance_list_servers", "vpc_delete_private_network"),
)
async def vpc_delete_private_network(
    ctx: CallContext, private_network_id: PnId, region: RegionArg = None
) -> dict[str, Any]:
    """Delete a Private Network.

    Hand-written: its preview names the servers still attached (the API refuses the delete
    while anything is attached)."""
    await ctx.run(_vpc(ctx).delete_private_network, private_network_id=private_network_id, region=ctx.region(region))
    return {"deleted_private_network": private_network_id}


@tool(safety="mutate", scope="zone", performs=("instance_list_private_nics", "instance_create_private_nic"))
async def instance_create_private_nic(
    ctx: CallContext, server_id: ServerId, private_network_id: PnId, zone: ZoneArg = None, **arguments: Any
) -> dict[str, Any]:
    """Attach an Instance to a Private Network (create its private NIC).

    Hand-written: idempotent; a server already attached to the network gets its existing NIC
    back (already_attached) instead of an error."""
    zone = ctx.zone(zone)
    existing = await _nic_in(ctx, server_id, private_network_id, zone)
    if existing is not None:  # retried calls must not stack NICs (the API refuses a second one anyway)
        ctx.note(f"Server {server_id} was already attached to Private Network {private_network_id}: nothing changed.")
        return {"private_nic": existing, "already_attached": True}
    res = await sdk(
        ctx,
        "instance_create_private_nic",
        server_id=server_id,
        private_network_id=private_network_id,
        zone=zone,
        **arguments,
    )
    return {"private_nic": res.private_nic}


async def _nic_in(ctx: CallContext, server_id: str, private_network_id: str, zone: str) -> Any:
    """The server's private NIC on the network, or None."""
    res = await ctx.run(_instance(ctx).list_private_ni_cs, server_id=server_id, zone=zone, per_page=100)
    return next((nic for nic in res.private_nics if nic.private_network_id == private_network_id), None)


async def _find_nic(
    ctx: CallContext, server_id: str, private_nic_id: str | None, private_network_id: str | None, zone: str
) -> Any:
    """The NIC to detach: by its id, or the server's NIC on the network."""
    if bool(private_nic_id) == bool(private_network_id):
        raise ToolFailure(
            "Pass private_nic_id or private_network_id (exactly one). What to do: name the NIC or its network."
        )
    if private_nic_id:
        return (
            await ctx.run(_instance(ctx).get_private_nic, server_id=server_id, private_nic_id=private_nic_id, zone=zone)
        ).private_nic
    nic = await _nic_in(ctx, server_id, str(private_network_id), zone)
    if nic is not None:
        return nic
    raise ToolFailure(
        f"Server {server_id} is not attached to Private Network {private_network_id} in {zone}. "
        "What to do: check the ids and zone (instance_get_server lists its private NICs)."
    )


async def _detach_preview(
    ctx: CallContext,
    server_id: str,
    private_nic_id: OptStr = None,
    private_network_id: OptStr = None,
    zone: OptStr = None,
) -> dict[str, Any]:
    nic = await _find_nic(ctx, server_id, private_nic_id, private_network_id, ctx.zone(zone))
    return {"private_nic": nic, "will_delete": "This private NIC: the server loses its address on the network."}


@tool(
    safety="destructive",
    scope="zone",
    preview=_detach_preview,
    performs=("instance_get_private_nic", "instance_list_private_nics", "instance_delete_private_nic"),
)
async def instance_delete_private_nic(
    ctx: CallContext,
    server_id: ServerId,
    private_nic_id: Annotated[OptStr, Field(description="The NIC; or give private_network_id.")] = None,
    private_network_id: Annotated[OptStr, Field(description="Detach the server from this network.")] = None,
    zone: ZoneArg = None,
) -> dict[str, Any]:
    """Detach an Instance from a Private Network (delete its private NIC).

    Hand-written: the NIC can be named by its Private Network instead of its id."""
    zone = ctx.zone(zone)
    nic = await _find_nic(ctx, server_id, private_nic_id, private_network_id, zone)
    await ctx.run(_instance(ctx).delete_private_nic, server_id=server_id, private_nic_id=nic.id, zone=zone)
    return {
        "detached": {"server_id": server_id, "private_network_id": nic.private_network_id, "private_nic_id": nic.id}
    }
