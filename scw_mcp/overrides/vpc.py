"""VPCs and Private Networks, and attaching Instances to them."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from scw_mcp.overrides._common import OptStr, OptTags, Page, PerPage, Region, Zone, page_result
from scw_mcp.overrides.instance import INSTANCE_ZONES
from scw_mcp.overrides.registry import override
from scw_mcp.runtime.context import CallContext
from scw_mcp.runtime.errors import ToolFailure

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


@override("vpc_list", product="vpc", safety="read", scope="region", replaces=("vpc_list_vpcs",))
async def vpc_list(
    ctx: CallContext, name: OptStr = None, project_id: OptStr = None, region: RegionArg = None, page: Page = 1, per_page: PerPage = 50
) -> dict[str, Any]:
    """List VPCs in a region."""
    res = await ctx.run(_vpc(ctx).list_vp_cs, region=ctx.region(region), name=name, project_id=project_id, page=page, page_size=per_page)
    return page_result(list(res.vpcs), res.total_count, page, per_page)


@override("vpc_create", product="vpc", safety="mutate", scope="region", replaces=("vpc_create_vpc",))
async def vpc_create(
    ctx: CallContext,
    name: str,
    enable_routing: Annotated[bool, Field(description="Route between its networks.")] = True,
    tags: OptTags = None,
    project_id: OptStr = None,
    region: RegionArg = None,
) -> dict[str, Any]:
    """Create a VPC."""
    vpc = await ctx.run(
        _vpc(ctx).create_vpc, region=ctx.region(region), name=name, enable_routing=enable_routing, enable_transitivity=False, tags=tags, project_id=project_id or ctx.project_id
    )
    return {"vpc": vpc}


@override("vpc_private_network_list", product="vpc", safety="read", scope="region", replaces=("vpc_list_private_networks",))
async def private_network_list(
    ctx: CallContext,
    vpc_id: OptStr = None,
    name: OptStr = None,
    project_id: OptStr = None,
    region: RegionArg = None,
    page: Page = 1,
    per_page: PerPage = 50,
) -> dict[str, Any]:
    """List Private Networks."""
    res = await ctx.run(
        _vpc(ctx).list_private_networks, region=ctx.region(region), vpc_id=vpc_id, name=name, project_id=project_id, page=page, page_size=per_page
    )
    return page_result(list(res.private_networks), res.total_count, page, per_page)


@override("vpc_private_network_create", product="vpc", safety="mutate", scope="region", replaces=("vpc_create_private_network",))
async def private_network_create(
    ctx: CallContext,
    name: str,
    vpc_id: Annotated[OptStr, Field(description="Default: default VPC.")] = None,
    subnets: Annotated[OptTags, Field(description="CIDRs; default: auto.")] = None,
    tags: OptTags = None,
    project_id: OptStr = None,
    region: RegionArg = None,
) -> dict[str, Any]:
    """Create a Private Network."""
    pn = await ctx.run(
        _vpc(ctx).create_private_network,
        region=ctx.region(region),
        name=name,
        vpc_id=vpc_id,
        subnets=subnets,
        tags=tags,
        default_route_propagation_enabled=False,
        project_id=project_id or ctx.project_id,
    )
    return {"private_network": pn}


@override("vpc_private_network_update", product="vpc", safety="mutate", scope="region", replaces=("vpc_update_private_network",))
async def private_network_update(
    ctx: CallContext, private_network_id: PnId, name: OptStr = None, tags: OptTags = None, region: RegionArg = None
) -> dict[str, Any]:
    """Rename or retag a Private Network."""
    if name is None and tags is None:
        raise ToolFailure("Nothing to update. What to do: pass name and/or tags.")
    pn = await ctx.run(_vpc(ctx).update_private_network, private_network_id=private_network_id, region=ctx.region(region), name=name, tags=tags)
    return {"private_network": pn}


async def _attached_servers(ctx: CallContext, private_network_id: str, region: str) -> list[dict[str, Any]]:
    """Instances attached to the network, from the region's zones (best effort)."""
    found = []
    for zone in (z for z in INSTANCE_ZONES if z.startswith(region + "-")):
        try:
            res = await ctx.run(_instance(ctx).list_servers, zone=zone, private_network=private_network_id, per_page=100)
        except Exception:  # a zone without Instances in this account must not hide the preview
            continue
        found.extend({"id": s.id, "name": s.name, "zone": zone} for s in res.servers)
    return found


async def _pn_delete_preview(ctx: CallContext, private_network_id: str, region: OptStr = None) -> dict[str, Any]:
    region = ctx.region(region)
    pn = await ctx.run(_vpc(ctx).get_private_network, private_network_id=private_network_id, region=region)
    servers = await _attached_servers(ctx, private_network_id, region)
    preview: dict[str, Any] = {"private_network": pn, "attached_servers": servers, "will_delete": "The Private Network and its subnets."}
    if servers:
        preview["will_fail"] = "Resources are still attached: detach them first (vpc_private_network_detach)."
    return preview


@override("vpc_private_network_delete", product="vpc", safety="destructive", scope="region", replaces=("vpc_delete_private_network",), preview=_pn_delete_preview)
async def private_network_delete(ctx: CallContext, private_network_id: PnId, region: RegionArg = None) -> dict[str, Any]:
    """Delete a Private Network."""
    await ctx.run(_vpc(ctx).delete_private_network, private_network_id=private_network_id, region=ctx.region(region))
    return {"deleted_private_network": private_network_id}


@override("vpc_private_network_attach", product="vpc", safety="mutate", scope="zone", replaces=("instance_create_private_nic",))
async def private_network_attach(ctx: CallContext, server_id: ServerId, private_network_id: PnId, zone: ZoneArg = None) -> dict[str, Any]:
    """Attach an Instance to a Private Network."""
    zone = ctx.zone(zone)
    existing = await _nic_in(ctx, server_id, private_network_id, zone)
    if existing is not None:  # retried calls must not stack NICs (the API refuses a second one anyway)
        ctx.note(f"Server {server_id} was already attached to Private Network {private_network_id}: nothing changed.")
        return {"private_nic": existing, "already_attached": True}
    res = await ctx.run(_instance(ctx).create_private_nic, server_id=server_id, private_network_id=private_network_id, zone=zone)
    return {"private_nic": res.private_nic}


async def _nic_in(ctx: CallContext, server_id: str, private_network_id: str, zone: str) -> Any:
    """The server's private NIC on the network, or None."""
    res = await ctx.run(_instance(ctx).list_private_ni_cs, server_id=server_id, zone=zone, per_page=100)
    return next((nic for nic in res.private_nics if nic.private_network_id == private_network_id), None)


async def _find_nic(ctx: CallContext, server_id: str, private_network_id: str, zone: str) -> Any:
    nic = await _nic_in(ctx, server_id, private_network_id, zone)
    if nic is not None:
        return nic
    raise ToolFailure(f"Server {server_id} is not attached to Private Network {private_network_id} in {zone}. What to do: check the ids and zone (instance_server_get lists its private NICs).")


async def _detach_preview(ctx: CallContext, server_id: str, private_network_id: str, zone: OptStr = None) -> dict[str, Any]:
    nic = await _find_nic(ctx, server_id, private_network_id, ctx.zone(zone))
    return {"private_nic": nic, "will_delete": "This private NIC: the server loses its address on the network."}


@override("vpc_private_network_detach", product="vpc", safety="destructive", scope="zone", replaces=("instance_delete_private_nic",), preview=_detach_preview)
async def private_network_detach(ctx: CallContext, server_id: ServerId, private_network_id: PnId, zone: ZoneArg = None) -> dict[str, Any]:
    """Detach an Instance from a Private Network."""
    zone = ctx.zone(zone)
    nic = await _find_nic(ctx, server_id, private_network_id, zone)
    await ctx.run(_instance(ctx).delete_private_nic, server_id=server_id, private_nic_id=nic.id, zone=zone)
    return {"detached": {"server_id": server_id, "private_network_id": private_network_id, "private_nic_id": nic.id}}
