"""Instance (virtual machines): list across zones, create from an image label, power actions
that wait, and a delete that says what it leaves behind."""

from __future__ import annotations

import json
import secrets
from typing import Annotated, Any

import anyio
from pydantic import Field

from scw_mcp.overrides._common import (
    WAIT_DEFAULT,
    OptStr,
    Page,
    PerPage,
    WaitSeconds,
    Zone,
    is_uuid,
    opt_int,
    page_result,
    poll,
    sdk,
)
from scw_mcp.overrides.declare import tool
from scw_mcp.runtime import options
from scw_mcp.runtime.context import CallContext
from scw_mcp.runtime.convert import to_json
from scw_mcp.runtime.errors import ToolFailure, describe, may_have_been_applied
from scw_mcp.runtime.localities import region_of

ZoneArg = Zone
ServerId = str
POWER_OPERATIONS = ("instance_server_action", "instance_get_server")
Wait = Annotated[bool, Field(description="Wait for the target state.")]
RootSize = opt_int(minimum=10, maximum=10000)
# A delete waits for steps it cannot finish without (power-off, each volume's detach): longer
# than a `wait`'s 45 s default, within the same 30 min bound.
StepSeconds = Annotated[
    int,
    Field(
        ge=1,
        le=options.WAIT_MAX_SECONDS,
        description="Wait at most this long for each step (power-off, volume detach).",
    ),
]


def _api(ctx: CallContext) -> Any:
    from scaleway.instance.v1.custom_api import InstanceUtilsV1API

    return ctx.api(InstanceUtilsV1API)


def summarize(server: Any) -> dict[str, Any]:
    """The fields of a server that matter day to day (the full object is in instance_get_server)."""
    s = to_json(server)
    ips = [
        {"id": ip.get("id"), "address": ip.get("address"), "family": ip.get("family"), "dynamic": ip.get("dynamic")}
        for ip in s.get("public_ips") or []
    ]
    if not ips and s.get("public_ip"):
        ip = s["public_ip"]
        ips = [
            {"id": ip.get("id"), "address": ip.get("address"), "family": ip.get("family"), "dynamic": ip.get("dynamic")}
        ]
    return {
        "id": s.get("id"),
        "name": s.get("name"),
        "state": s.get("state"),
        "commercial_type": s.get("commercial_type"),
        "zone": s.get("zone"),
        "project": s.get("project"),
        "image": (s.get("image") or {}).get("name"),
        "public_ips": ips,
        "private_networks": [n.get("private_network_id") for n in s.get("private_nics") or []],
        "volumes": {
            k: {"id": v.get("id"), "volume_type": v.get("volume_type"), "size": v.get("size")}
            for k, v in (s.get("volumes") or {}).items()
        },
        "tags": s.get("tags"),
        "creation_date": s.get("creation_date"),
    }


async def _get(ctx: CallContext, server_id: str, zone: str) -> Any:
    return (await ctx.run(_api(ctx).get_server, server_id=server_id, zone=zone)).server


async def _wait_state(
    ctx: CallContext, server_id: str, zone: str, target: str, timeout_seconds: int, *, or_fail: bool = False
) -> Any:
    """Poll a server until it is `target`. At the deadline: an error when the tool cannot go on
    without it (or_fail), else the server as it is, and instance_get_server to look again."""

    async def fetch() -> tuple[Any, str]:
        server = await _get(ctx, server_id, zone)
        return server, str(server.state)

    look_again = {"tool": "instance_get_server", "arguments": {"server_id": server_id, "zone": zone}}
    look_again = None if or_fail else look_again
    return await poll(
        ctx,
        fetch,
        {target},
        what=f"server {server_id} to be {target}",
        timeout_seconds=timeout_seconds,
        failed={"locked"},
        continue_with=look_again,
        until=f"(call it until its state is {target})",
    )


# --- list -----------------------------------------------------------------------------


@tool(safety="read", scope="zone", paging="page", performs=("instance_list_servers",))
async def instance_list_servers(
    ctx: CallContext,
    zone: Annotated[OptStr, Field(description='Zone, or "all" for every zone; default: configured zone.')] = None,
    page: Page = 1,
    per_page: PerPage = 50,
    **arguments: Any,
) -> dict[str, Any]:
    """List Instances as compact rows.

    Hand-written: id, name, state, type, image, IPs, private networks, volumes and tags per
    server instead of the whole object (instance_get_server has it); zone="all" lists every zone."""
    res = await sdk(ctx, "instance_list_servers", zone=ctx.zone(zone), page=page, per_page=per_page, **arguments)
    return page_result([summarize(s) for s in res.servers], res.total_count, page, per_page)


# --- create -----------------------------------------------------------------------------


async def _server_type(ctx: CallContext, commercial_type: str, zone: str) -> Any:
    """The server type's description (arch, volume limits) from list_servers_types."""
    api = _api(ctx)
    names: list[str] = []
    page = 1
    while True:
        res = await ctx.run(api.list_servers_types, zone=zone, page=page, per_page=100)
        if commercial_type in res.servers:
            return res.servers[commercial_type]
        names.extend(res.servers)
        if not res.servers or len(names) >= int(res.total_count or 0) or page >= 10:
            break
        page += 1
    raise ToolFailure(
        f"Unknown commercial type {commercial_type!r} in {zone}. Valid types: {', '.join(sorted(names)) or 'none'}. "
        "What to do: pick one (instance_list_servers_types shows prices)."
    )


async def resolve_image(ctx: CallContext, image: str, commercial_type: str, arch: str, zone: str) -> dict[str, Any]:
    """An image label (ubuntu_noble) -> the zone's local image for this type's architecture."""
    from scaleway.marketplace.v2 import MarketplaceV2API

    if is_uuid(image):
        return {"id": image, "label": None}
    market = ctx.api(MarketplaceV2API)
    # The same call the scw CLI makes: local images of the label in the zone, SBS first.
    res = await ctx.run(
        market.list_local_images, image_label=image, zone=zone, type_="instance_sbs", order_by="type_asc", page_size=100
    )
    candidates = list(res.local_images)
    if not candidates:  # maybe an image only available on local storage
        res = await ctx.run(market.list_local_images, image_label=image, zone=zone, page_size=100)
        candidates = list(res.local_images)
    if not candidates:
        labels = await ctx.run(market.list_images, include_eol=False, page_size=100, arch=arch)
        valid = sorted({i.label for i in labels.images if i.label})
        raise ToolFailure(
            f"Unknown image label {image!r} in {zone}. Valid labels for {arch}: {', '.join(valid) or 'none'}. "
            "What to do: pass one of these labels or an image ID."
        )
    for local in candidates:
        types = list(local.compatible_commercial_types or [])
        if str(local.arch) == arch and (not types or commercial_type in types):
            return {"id": local.id, "label": image, "arch": arch, "type": str(local.type_)}
    archs = sorted({str(c.arch) for c in candidates})
    raise ToolFailure(
        f"Image {image!r} has no {arch} build compatible with {commercial_type} in {zone} "
        f"(available architectures: {', '.join(archs)}). "
        "What to do: choose a commercial type of a matching architecture, or another image."
    )


async def _check_private_network(ctx: CallContext, private_network_id: str, zone: str) -> None:
    """The Private Network is attached once the server exists: read it first, so that a wrong id
    fails before anything is created (a server left behind would bill)."""
    from scaleway_core.api import ScalewayException

    region = region_of(zone)
    try:
        await sdk(ctx, "vpc_get_private_network", private_network_id=private_network_id, region=region)
    except ScalewayException as exc:
        if exc.status_code != 404:
            raise
        raise ToolFailure(
            f"Private Network {private_network_id!r} not found in {region} (the region of zone {zone}); "
            "nothing was created. What to do: pass the id of one of this region's Private Networks "
            "(vpc_list_private_networks lists them), or leave private_network_id out."
        ) from exc


@tool(
    safety="mutate",
    scope="zone",
    performs=(
        "instance_list_servers_types",
        "marketplace_list_local_images",
        "marketplace_list_images",
        "vpc_get_private_network",
        "instance_create_server",
        "instance_create_private_nic",
        "instance_server_action",
        "instance_get_server",
    ),
)
async def instance_create_server(
    ctx: CallContext,
    commercial_type: Annotated[str, Field(description="e.g. DEV1-S, PRO2-S.")] = "DEV1-S",
    image: Annotated[str, Field(description="Image label (ubuntu_noble, debian_bookworm...) or ID.")] = "ubuntu_noble",
    name: OptStr = None,
    root_volume_size_gb: Annotated[RootSize, Field(description="Root volume size in GB.")] = None,
    private_network_id: Annotated[OptStr, Field(description="Private Network to attach.")] = None,
    dynamic_ip_required: Annotated[bool, Field(description="Give the server a public IP.")] = True,
    zone: ZoneArg = None,
    wait: Annotated[bool, Field(description="Power on and wait until running.")] = False,
    timeout_seconds: WaitSeconds = WAIT_DEFAULT,
    **arguments: Any,
) -> dict[str, Any]:
    """Create an Instance.

    Hand-written: takes an image label or ID (checked against the type's architecture), a root
    volume size in GB and a Private Network to attach (checked before anything is created); stays
    stopped unless wait=true, which powers it on and waits until it runs."""
    zone = ctx.zone(zone)
    if root_volume_size_gb and arguments.get("volumes"):
        raise ToolFailure("Pass root_volume_size_gb or volumes, not both. What to do: drop one of them.")
    server_type = await _server_type(ctx, commercial_type, zone)
    arch = str(server_type.arch)
    resolved = await resolve_image(ctx, image, commercial_type, arch, zone)
    if private_network_id:
        await _check_private_network(ctx, private_network_id, zone)
    if root_volume_size_gb:
        arguments["volumes"] = {"0": {"volume_type": "sbs_volume", "size": root_volume_size_gb * 1_000_000_000}}
    name = name or f"srv-{secrets.token_hex(4)}"
    await ctx.progress(1, None, f"creating server {name}")
    try:
        created = await sdk(
            ctx,
            "instance_create_server",
            zone=zone,
            commercial_type=commercial_type,
            name=name,
            image=resolved["id"],
            dynamic_ip_required=dynamic_ip_required,
            **arguments,
        )
    except Exception as exc:
        if may_have_been_applied(exc):  # the name may be generated: the lookup must say it
            lookup = f"instance_list_servers {json.dumps({'name': name, 'zone': zone})}"
            raise ToolFailure(describe(exc, ctx.redact, lookup)) from exc
        raise
    server = created.server
    ctx.made(f"server {server.id} ({name}; instance_get_server)")  # a later failure names it: no second server
    result: dict[str, Any] = {"image": resolved}
    if private_network_id:
        await ctx.progress(2, None, f"attaching private network {private_network_id}")
        nic = await ctx.run(
            _api(ctx).create_private_nic, server_id=server.id, private_network_id=private_network_id, zone=zone
        )
        result["private_nic"] = nic.private_nic
    if wait:
        await ctx.run(_api(ctx).server_action, server_id=server.id, zone=zone, action="poweron")
        server = await _wait_state(ctx, server.id, zone, "running", timeout_seconds)
    else:
        server = await _get(ctx, server.id, zone)
        ctx.note("The server is stopped (powered off volumes still bill). Start it with instance_start_server.")
    result["server"] = summarize(server)
    return result


# --- power actions ----------------------------------------------------------------------


async def _power(
    ctx: CallContext, server_id: str, zone: str | None, action: str, target: str, wait: bool, timeout_seconds: int
) -> dict[str, Any]:
    zone = ctx.zone(zone)
    res = await ctx.run(_api(ctx).server_action, server_id=server_id, zone=zone, action=action)
    out: dict[str, Any] = {"action": action, "task": res.task}
    if wait:
        if action == "reboot":
            await anyio.sleep(1)  # a reboot keeps state "running": give the API a moment to begin it
        out["server"] = summarize(await _wait_state(ctx, server_id, zone, target, timeout_seconds))
    else:
        out["server"] = summarize(await _get(ctx, server_id, zone))
    return out


@tool(safety="mutate", scope="zone", performs=POWER_OPERATIONS)
async def instance_start_server(
    ctx: CallContext,
    server_id: ServerId,
    zone: ZoneArg = None,
    wait: Wait = False,
    timeout_seconds: WaitSeconds = WAIT_DEFAULT,
) -> dict[str, Any]:
    """Start (power on) an Instance.

    Hand-written: instance_server_action's poweron, with wait until it runs."""
    return await _power(ctx, server_id, zone, "poweron", "running", wait, timeout_seconds)


@tool(safety="mutate", scope="zone", performs=POWER_OPERATIONS)
async def instance_stop_server(
    ctx: CallContext,
    server_id: ServerId,
    zone: ZoneArg = None,
    wait: Wait = False,
    timeout_seconds: WaitSeconds = WAIT_DEFAULT,
) -> dict[str, Any]:
    """Stop (power off) an Instance.

    Hand-written: instance_server_action's poweroff, with wait until it is stopped. Its volumes
    and flexible IPs still bill."""
    return await _power(ctx, server_id, zone, "poweroff", "stopped", wait, timeout_seconds)


@tool(safety="mutate", scope="zone", performs=POWER_OPERATIONS)
async def instance_reboot_server(
    ctx: CallContext,
    server_id: ServerId,
    zone: ZoneArg = None,
    wait: Wait = False,
    timeout_seconds: WaitSeconds = WAIT_DEFAULT,
) -> dict[str, Any]:
    """Reboot an Instance.

    Hand-written: instance_server_action's reboot, with wait until it runs again."""
    return await _power(ctx, server_id, zone, "reboot", "running", wait, timeout_seconds)


# --- delete -----------------------------------------------------------------------------


def _flexible_ips(server: dict[str, Any]) -> list[dict[str, Any]]:
    """Public IPs that outlive the server (dynamic ones are released with it)."""
    ips = list(server.get("public_ips") or [])
    if not ips and server.get("public_ip"):
        ips = [server["public_ip"]]
    return [{"id": ip.get("id"), "address": ip.get("address")} for ip in ips if not ip.get("dynamic")]


def _volumes(server: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"id": v.get("id"), "name": v.get("name"), "volume_type": v.get("volume_type"), "size": v.get("size")}
        for _, v in sorted((server.get("volumes") or {}).items())
    ]


async def _delete_preview(
    ctx: CallContext, server_id: str, zone: OptStr = None, with_volumes: bool = False, with_ip: bool = False, **_: Any
) -> dict[str, Any]:
    server = to_json(await _get(ctx, server_id, ctx.zone(zone)))
    volumes, ips = _volumes(server), _flexible_ips(server)
    deleted = [
        f"server {server.get('name')} ({server_id}, {server.get('commercial_type')}, state {server.get('state')})"
    ]
    kept = []
    (deleted if with_volumes else kept).extend(
        f"volume {v['id']} ({v['volume_type']}, {v['size']} bytes)" for v in volumes
    )
    (deleted if with_ip else kept).extend(f"flexible IP {ip['address']} ({ip['id']})" for ip in ips)
    preview: dict[str, Any] = {"server": summarize(server), "will_delete": deleted, "will_keep": kept}
    if server.get("state") not in ("stopped", "stopped_in_place"):
        preview["note"] = "The server is not stopped: it will be powered off first (running workloads stop abruptly)."
    if kept:
        preview["warning"] = (
            "Kept volumes and flexible IPs stay in the project and keep billing; "
            "pass with_volumes/with_ip to delete them too."
        )
    return preview


@tool(
    safety="destructive",
    scope="zone",
    preview=_delete_preview,
    performs=(
        "instance_get_server",
        "instance_server_action",
        "instance_delete_server",
        "instance_delete_ip",
        "block_get_volume",
        "block_delete_volume",
        "instance_delete_volume",
    ),
)
async def instance_delete_server(
    ctx: CallContext,
    server_id: ServerId,
    zone: ZoneArg = None,
    with_volumes: Annotated[bool, Field(description="Also delete its volumes (else they stay and bill).")] = False,
    with_ip: Annotated[bool, Field(description="Also delete its flexible IPs (else they stay and bill).")] = False,
    timeout_seconds: StepSeconds = 600,
) -> dict[str, Any]:
    """Delete an Instance.

    Hand-written: powers it off first (the API refuses to delete a running server), and with
    with_volumes / with_ip also deletes its volumes and flexible IPs, which otherwise stay and bill."""
    from scaleway.block.v1alpha1 import BlockV1Alpha1API

    zone = ctx.zone(zone)
    api = _api(ctx)
    server = to_json(await _get(ctx, server_id, zone))
    if server.get("state") not in ("stopped", "stopped_in_place"):
        if server.get("state") != "stopping":
            await ctx.run(api.server_action, server_id=server_id, zone=zone, action="poweroff")
        await _wait_state(ctx, server_id, zone, "stopped", timeout_seconds, or_fail=True)
    await ctx.run(api.delete_server, server_id=server_id, zone=zone)
    out: dict[str, Any] = {"deleted_server": server_id, "deleted_ips": [], "deleted_volumes": [], "kept": []}
    for ip in _flexible_ips(server):
        if with_ip:
            await ctx.run(api.delete_ip, ip=ip["id"], zone=zone)
            out["deleted_ips"].append(ip["address"])
        else:
            out["kept"].append(f"flexible IP {ip['address']} ({ip['id']})")
    block = ctx.api(BlockV1Alpha1API)
    for volume in _volumes(server):
        if not with_volumes:
            out["kept"].append(f"volume {volume['id']} ({volume['volume_type']})")
            continue
        if volume["volume_type"] == "sbs_volume":
            # A block volume detaches asynchronously after the server goes; delete once available.
            async def fetch(volume_id: str = volume["id"]) -> tuple[Any, str]:
                v = await ctx.run(block.get_volume, volume_id=volume_id, zone=zone)
                return v, str(v.status)

            await poll(
                ctx,
                fetch,
                {"available", "error"},
                what=f"volume {volume['id']} to detach",
                timeout_seconds=timeout_seconds,
            )
            await ctx.run(block.delete_volume, volume_id=volume["id"], zone=zone)
        else:
            await ctx.run(api.delete_volume, volume_id=volume["id"], zone=zone)
        out["deleted_volumes"].append(volume["id"])
    if out["kept"]:
        ctx.note("Kept resources still bill: " + "; ".join(out["kept"]) + ".")
    return out
