"""Managed Databases for PostgreSQL and MySQL (rdb): instances, and deletes that show what goes.

Passwords are secrets: they go to the API and never into results, notes or logs.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from scw_mcp.overrides._common import (
    WAIT_DEFAULT,
    OptStr,
    Page,
    PerPage,
    Region,
    WaitSeconds,
    opt_int,
    optional,
    page_result,
    poll,
    sdk,
    valid_list_error,
)
from scw_mcp.overrides.declare import tool
from scw_mcp.runtime.context import CallContext
from scw_mcp.runtime.convert import to_json

RegionArg = Region
InstanceId = str
Password = Annotated[
    str,
    Field(
        min_length=8,
        max_length=128,
        description="Password (secret; never shown back).",
        json_schema_extra={"writeOnly": True},
    ),
]


def _api(ctx: CallContext) -> Any:
    from scaleway.rdb.v1 import RdbV1API

    return ctx.api(RdbV1API)


def endpoints(instance: Any) -> list[dict[str, Any]]:
    """Each way to connect: host (hostname, else IP), port, and whether it is public or private."""
    out = []
    for e in to_json(instance).get("endpoints") or []:
        kind = (
            "private_network"
            if e.get("private_network")
            else "public"
            if e.get("load_balancer") is not None
            else "direct"
        )
        entry = {
            "id": e.get("id"),
            "host": e.get("hostname") or e.get("ip"),
            "ip": e.get("ip"),
            "port": e.get("port"),
            "name": e.get("name"),
            "type": kind,
        }
        if e.get("private_network"):
            entry["private_network_id"] = e["private_network"].get("private_network_id")
        out.append(entry)
    return out


def _summary(instance: Any) -> dict[str, Any]:
    i = to_json(instance)
    return {
        "id": i.get("id"),
        "name": i.get("name"),
        "status": i.get("status"),
        "engine": i.get("engine"),
        "node_type": i.get("node_type"),
        "volume": i.get("volume"),
        "is_ha_cluster": i.get("is_ha_cluster"),
        "region": i.get("region"),
        "tags": i.get("tags"),
        "endpoints": endpoints(instance),
    }


@tool(safety="read", scope="region", paging="page", performs=("rdb_list_instances",))
async def rdb_list_instances(
    ctx: CallContext, region: RegionArg = None, page: Page = 1, page_size: PerPage = 50, **arguments: Any
) -> dict[str, Any]:
    """List Database Instances as compact rows.

    Hand-written: id, name, status, engine, node type, volume, HA, tags and each connection
    endpoint (host, port, public or private) per instance instead of the whole object."""
    res = await sdk(ctx, "rdb_list_instances", region=ctx.region(region), page=page, page_size=page_size, **arguments)
    return page_result([_summary(i) for i in res.instances], res.total_count, page, page_size)


@tool(safety="read", scope="region", performs=("rdb_get_instance",))
async def rdb_get_instance(
    ctx: CallContext,
    instance_id: InstanceId,
    region: RegionArg = None,
    wait: Annotated[bool, Field(description="Wait while it is provisioning, configuring, restarting...")] = False,
    timeout_seconds: WaitSeconds = WAIT_DEFAULT,
) -> dict[str, Any]:
    """Get a Database Instance.

    Hand-written: its connection endpoints (host, port, public or private) first, then the object;
    wait=true waits until it leaves its transitional states (provisioning, configuring...)."""
    from scaleway.rdb.v1.content import INSTANCE_TRANSIENT_STATUSES

    region = ctx.region(region)
    if wait:
        transient = {str(s) for s in INSTANCE_TRANSIENT_STATUSES}
        instance = await _wait_ready(
            ctx, instance_id, region, timeout_seconds, lambda state: state not in transient, failed=()
        )
    else:
        instance = await ctx.run(_api(ctx).get_instance, instance_id=instance_id, region=region)
    return {"endpoints": endpoints(instance), "instance": instance}


async def _engine_versions(ctx: CallContext, region: str) -> list[str]:
    names: list[str] = []
    page = 1
    while True:
        res = await ctx.run(_api(ctx).list_database_engines, region=region, page=page, page_size=100)
        names.extend(v.name for e in res.engines for v in e.versions if not v.disabled)
        if not res.engines or page * 100 >= int(res.total_count or 0):
            return names
        page += 1


@tool(
    safety="mutate",
    scope="region",
    performs=("rdb_list_database_engines", "rdb_create_instance", "rdb_get_instance"),
)
async def rdb_create_instance(
    ctx: CallContext,
    engine: Annotated[str, Field(description="e.g. PostgreSQL-16, MySQL-8.")],
    user_name: Annotated[str, Field(description="Initial admin user.")],
    password: Password,
    node_type: Annotated[str, Field(description="e.g. db-dev-s, db-pro2-xxs.")] = "db-dev-s",
    name: OptStr = None,
    volume_type: Literal["sbs_5k", "sbs_15k", "lssd", "bssd"] = "sbs_5k",
    volume_size_gb: Annotated[int, Field(ge=5, le=10000, description="Ignored for lssd (fixed by node type).")] = 10,
    volume_size: Annotated[opt_int(minimum=1), Field(description="In bytes; overrides volume_size_gb.")] = None,
    is_ha_cluster: bool = False,
    disable_backup: bool = False,
    backup_same_region: bool = False,
    region: RegionArg = None,
    wait: Annotated[bool, Field(description="Wait until the instance is ready (minutes).")] = False,
    timeout_seconds: WaitSeconds = WAIT_DEFAULT,
    **arguments: Any,
) -> dict[str, Any]:
    """Create a Database Instance (PostgreSQL, MySQL).

    Hand-written: the engine is checked against the region's engines (case-insensitive), the
    volume size is given in GB (volume_size in bytes also works), and wait=true waits until ready."""
    region = ctx.region(region)
    valid = await _engine_versions(ctx, region)
    if engine not in valid:
        matches = [v for v in valid if v.lower() == engine.lower()]
        if not matches:
            raise valid_list_error("engine", engine, valid, "What to do: pass one of these exactly.")
        engine = matches[0]
    instance = await sdk(
        ctx,
        "rdb_create_instance",
        region=region,
        engine=engine,
        user_name=user_name,
        password=password,
        node_type=node_type,
        name=name or f"rdb-{engine.lower()}",
        is_ha_cluster=is_ha_cluster,
        disable_backup=disable_backup,
        backup_same_region=backup_same_region,
        volume_type=volume_type,
        volume_size=volume_size or volume_size_gb * 1_000_000_000,
        **arguments,
    )
    ctx.made(f"database instance {instance.id} ({instance.name}; rdb_get_instance)")
    if wait:
        instance = await _wait_ready(ctx, instance.id, region, timeout_seconds)
    else:
        ctx.note("The instance is provisioning (a few minutes); rdb_get_instance shows its status and endpoints.")
    return {"instance": _summary(instance)}


async def _wait_ready(
    ctx: CallContext,
    instance_id: str,
    region: str,
    timeout_seconds: int,
    done: Any = frozenset({"ready"}),
    failed: Any = frozenset({"error", "locked"}),
) -> Any:
    """Poll an instance; at the deadline, rdb_get_instance with wait=true goes on waiting."""

    async def fetch() -> tuple[Any, str]:
        instance = await ctx.run(_api(ctx).get_instance, instance_id=instance_id, region=region)
        return instance, str(instance.status)

    keep_waiting = {
        "tool": "rdb_get_instance",
        "arguments": {"instance_id": instance_id, "region": region, "wait": True},
    }
    return await poll(
        ctx,
        fetch,
        done,
        what=f"database instance {instance_id} to settle",
        timeout_seconds=timeout_seconds,
        failed=failed,
        continue_with=keep_waiting,
    )


async def _instance_delete_preview(ctx: CallContext, instance_id: str, region: OptStr = None) -> dict[str, Any]:
    region = ctx.region(region)
    api = _api(ctx)
    instance = await ctx.run(api.get_instance, instance_id=instance_id, region=region)
    dbs = await optional(
        ctx, "its databases", api.list_databases, instance_id=instance_id, region=region, page_size=100
    )
    backups = await optional(
        ctx, "its backups", api.list_database_backups, instance_id=instance_id, region=region, page_size=100
    )
    return {
        "instance": _summary(instance),
        "databases": [{"name": d.name, "size": d.size, "owner": d.owner} for d in dbs.databases] if dbs else None,
        "backups": [
            {"id": b.id, "name": b.name, "database_name": b.database_name, "status": str(b.status)}
            for b in backups.database_backups
        ]
        if backups
        else None,
        "will_delete": "The instance, every database and all data on it; its endpoints stop answering.",
    }


@tool(
    safety="destructive",
    scope="region",
    preview=_instance_delete_preview,
    performs=("rdb_get_instance", "rdb_list_databases", "rdb_list_database_backups", "rdb_delete_instance"),
)
async def rdb_delete_instance(ctx: CallContext, instance_id: InstanceId, region: RegionArg = None) -> dict[str, Any]:
    """Delete a Database Instance and all its databases.

    Hand-written: its preview lists the databases and backups that go with it."""
    instance = await ctx.run(_api(ctx).delete_instance, instance_id=instance_id, region=ctx.region(region))
    return {"deleted": _summary(instance)}


# --- databases --------------------------------------------------------------------------

DbName = Annotated[str, Field(min_length=1, max_length=63, description="Database name.")]


def _named_preview(kind: str, items: list[Any], name: str, instance_id: str, will_delete: str) -> dict[str, Any]:
    """Preview of deleting the database or user `name` of an instance, from a list filtered by name."""
    found = next((item for item in items if item.name == name), None)
    if found is None:
        return {kind: None, "note": f"No {kind} {name!r} on instance {instance_id}: the delete will fail."}
    return {kind: found, "will_delete": will_delete}


async def _database_delete_preview(
    ctx: CallContext, instance_id: str, name: str, region: OptStr = None
) -> dict[str, Any]:
    res = await ctx.run(_api(ctx).list_databases, instance_id=instance_id, name=name, region=ctx.region(region))
    return _named_preview("database", res.databases, name, instance_id, f"Database {name} and all its data.")


@tool(
    safety="destructive",
    scope="region",
    preview=_database_delete_preview,
    performs=("rdb_list_databases", "rdb_delete_database"),
)
async def rdb_delete_database(
    ctx: CallContext, instance_id: InstanceId, name: DbName, region: RegionArg = None
) -> dict[str, Any]:
    """Delete a database and its data.

    Hand-written: its preview shows the database (size, owner) as listed."""
    await ctx.run(_api(ctx).delete_database, instance_id=instance_id, name=name, region=ctx.region(region))
    return {"deleted_database": name, "instance_id": instance_id}


# --- users ------------------------------------------------------------------------------

UserName = Annotated[str, Field(min_length=1, max_length=63, description="User name.")]


async def _user_delete_preview(ctx: CallContext, instance_id: str, name: str, region: OptStr = None) -> dict[str, Any]:
    res = await ctx.run(_api(ctx).list_users, instance_id=instance_id, name=name, region=ctx.region(region))
    return _named_preview(
        "user", res.users, name, instance_id, f"User {name}: applications logging in as it lose access."
    )


@tool(
    safety="destructive", scope="region", preview=_user_delete_preview, performs=("rdb_list_users", "rdb_delete_user")
)
async def rdb_delete_user(
    ctx: CallContext, instance_id: InstanceId, name: UserName, region: RegionArg = None
) -> dict[str, Any]:
    """Delete a database user.

    Hand-written: its preview shows the user as listed (admin or not)."""
    await ctx.run(_api(ctx).delete_user, instance_id=instance_id, name=name, region=ctx.region(region))
    return {"deleted_user": name, "instance_id": instance_id}
