"""Managed Databases for PostgreSQL and MySQL (rdb): instances, databases, users, backups.

Passwords are secrets: they go to the API and never into results, notes or logs.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from scw_mcp.overrides._common import OptStr, OptTags, Page, PerPage, Region, opt_int, page_result, valid_list_error
from scw_mcp.overrides.registry import override
from scw_mcp.runtime.context import CallContext
from scw_mcp.runtime.convert import to_json

RegionArg = Region
ExpiryDays = opt_int(minimum=1, maximum=365)
InstanceId = str
Password = Annotated[str, Field(min_length=8, max_length=128, description="Password (secret; never shown back).", json_schema_extra={"writeOnly": True})]


def _api(ctx: CallContext) -> Any:
    from scaleway.rdb.v1 import RdbV1API

    return ctx.api(RdbV1API)


def endpoints(instance: Any) -> list[dict[str, Any]]:
    """Each way to connect: host (hostname, else IP), port, and whether it is public or private."""
    out = []
    for e in to_json(instance).get("endpoints") or []:
        kind = "private_network" if e.get("private_network") else "public" if e.get("load_balancer") is not None else "direct"
        entry = {"id": e.get("id"), "host": e.get("hostname") or e.get("ip"), "ip": e.get("ip"), "port": e.get("port"), "name": e.get("name"), "type": kind}
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


@override("rdb_instance_list", product="rdb", safety="read", scope="region", replaces=("rdb_list_instances",))
async def instance_list(
    ctx: CallContext,
    name: Annotated[OptStr, Field(description="Name contains.")] = None,
    tags: OptTags = None,
    project_id: OptStr = None,
    region: RegionArg = None,
    page: Page = 1,
    per_page: PerPage = 50,
) -> dict[str, Any]:
    """List Database Instances."""
    res = await ctx.run(_api(ctx).list_instances, region=ctx.region(region), name=name, tags=tags, project_id=project_id, page=page, page_size=per_page)
    return page_result([_summary(i) for i in res.instances], res.total_count, page, per_page)


@override("rdb_instance_get", product="rdb", safety="read", scope="region", replaces=("rdb_get_instance",))
async def instance_get(ctx: CallContext, instance_id: InstanceId, region: RegionArg = None) -> dict[str, Any]:
    """Get a Database Instance.

    Connection endpoints (host, port) first."""
    instance = await ctx.run(_api(ctx).get_instance, instance_id=instance_id, region=ctx.region(region))
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


@override("rdb_instance_create", product="rdb", safety="mutate", scope="region", replaces=("rdb_create_instance",))
async def instance_create(
    ctx: CallContext,
    engine: Annotated[str, Field(description="e.g. PostgreSQL-16, MySQL-8.")],
    user_name: Annotated[str, Field(description="Initial admin user.")],
    password: Password,
    node_type: Annotated[str, Field(description="e.g. db-dev-s, db-pro2-xxs.")] = "db-dev-s",
    name: OptStr = None,
    volume_type: Literal["sbs_5k", "sbs_15k", "lssd", "bssd"] = "sbs_5k",
    volume_size_gb: Annotated[int, Field(ge=5, le=10000, description="Ignored for lssd (fixed by node type).")] = 10,
    is_ha_cluster: bool = False,
    disable_backup: bool = False,
    tags: OptTags = None,
    project_id: OptStr = None,
    region: RegionArg = None,
) -> dict[str, Any]:
    """Create a Database Instance (PostgreSQL, MySQL)."""
    region = ctx.region(region)
    valid = await _engine_versions(ctx, region)
    if engine not in valid:
        matches = [v for v in valid if v.lower() == engine.lower()]
        if not matches:
            raise valid_list_error("engine", engine, valid, "What to do: pass one of these exactly.")
        engine = matches[0]
    instance = await ctx.run(
        _api(ctx).create_instance,
        region=region,
        engine=engine,
        user_name=user_name,
        password=password,
        node_type=node_type,
        name=name or f"rdb-{engine.lower()}",
        is_ha_cluster=is_ha_cluster,
        disable_backup=disable_backup,
        volume_type=volume_type,
        volume_size=volume_size_gb * 1_000_000_000,
        backup_same_region=False,
        tags=tags,
        project_id=project_id or ctx.project_id,
    )
    ctx.note("The instance is provisioning (a few minutes); rdb_instance_get shows its status and endpoints.")
    return {"instance": _summary(instance)}


async def _instance_delete_preview(ctx: CallContext, instance_id: str, region: OptStr = None) -> dict[str, Any]:
    region = ctx.region(region)
    api = _api(ctx)
    instance = await ctx.run(api.get_instance, instance_id=instance_id, region=region)
    dbs = await ctx.run(api.list_databases, instance_id=instance_id, region=region, page_size=100)
    backups = await ctx.run(api.list_database_backups, instance_id=instance_id, region=region, page_size=100)
    return {
        "instance": _summary(instance),
        "databases": [{"name": d.name, "size": d.size, "owner": d.owner} for d in dbs.databases],
        "backups": [{"id": b.id, "name": b.name, "database_name": b.database_name, "status": str(b.status)} for b in backups.database_backups],
        "will_delete": "The instance, every database and all data on it; its endpoints stop answering.",
    }


@override("rdb_instance_delete", product="rdb", safety="destructive", scope="region", replaces=("rdb_delete_instance",), preview=_instance_delete_preview)
async def instance_delete(ctx: CallContext, instance_id: InstanceId, region: RegionArg = None) -> dict[str, Any]:
    """Delete a Database Instance and all its databases."""
    instance = await ctx.run(_api(ctx).delete_instance, instance_id=instance_id, region=ctx.region(region))
    return {"deleted": _summary(instance)}


# --- databases --------------------------------------------------------------------------

DbName = Annotated[str, Field(min_length=1, max_length=63, description="Database name.")]


@override("rdb_database_list", product="rdb", safety="read", scope="region", replaces=("rdb_list_databases",))
async def database_list(ctx: CallContext, instance_id: InstanceId, region: RegionArg = None, page: Page = 1, per_page: PerPage = 50) -> dict[str, Any]:
    """List databases of a Database Instance."""
    res = await ctx.run(_api(ctx).list_databases, instance_id=instance_id, region=ctx.region(region), page=page, page_size=per_page)
    return page_result(list(res.databases), res.total_count, page, per_page)


@override("rdb_database_create", product="rdb", safety="mutate", scope="region", replaces=("rdb_create_database",))
async def database_create(ctx: CallContext, instance_id: InstanceId, name: DbName, region: RegionArg = None) -> dict[str, Any]:
    """Create a database."""
    return {"database": await ctx.run(_api(ctx).create_database, instance_id=instance_id, name=name, region=ctx.region(region))}


def _named_preview(kind: str, items: list[Any], name: str, instance_id: str, will_delete: str) -> dict[str, Any]:
    """Preview of deleting the database or user `name` of an instance, from a list filtered by name."""
    found = next((item for item in items if item.name == name), None)
    if found is None:
        return {kind: None, "note": f"No {kind} {name!r} on instance {instance_id}: the delete will fail."}
    return {kind: found, "will_delete": will_delete}


async def _database_delete_preview(ctx: CallContext, instance_id: str, name: str, region: OptStr = None) -> dict[str, Any]:
    res = await ctx.run(_api(ctx).list_databases, instance_id=instance_id, name=name, region=ctx.region(region))
    return _named_preview("database", res.databases, name, instance_id, f"Database {name} and all its data.")


@override("rdb_database_delete", product="rdb", safety="destructive", scope="region", replaces=("rdb_delete_database",), preview=_database_delete_preview)
async def database_delete(ctx: CallContext, instance_id: InstanceId, name: DbName, region: RegionArg = None) -> dict[str, Any]:
    """Delete a database and its data."""
    await ctx.run(_api(ctx).delete_database, instance_id=instance_id, name=name, region=ctx.region(region))
    return {"deleted_database": name, "instance_id": instance_id}


# --- users ------------------------------------------------------------------------------

UserName = Annotated[str, Field(min_length=1, max_length=63, description="User name.")]


@override("rdb_user_list", product="rdb", safety="read", scope="region", replaces=("rdb_list_users",))
async def user_list(ctx: CallContext, instance_id: InstanceId, region: RegionArg = None, page: Page = 1, per_page: PerPage = 50) -> dict[str, Any]:
    """List database users."""
    res = await ctx.run(_api(ctx).list_users, instance_id=instance_id, region=ctx.region(region), page=page, page_size=per_page)
    return page_result(list(res.users), res.total_count, page, per_page)


@override("rdb_user_create", product="rdb", safety="mutate", scope="region", replaces=("rdb_create_user",))
async def user_create(
    ctx: CallContext, instance_id: InstanceId, name: UserName, password: Password, is_admin: bool = False, region: RegionArg = None
) -> dict[str, Any]:
    """Create a database user."""
    user = await ctx.run(_api(ctx).create_user, instance_id=instance_id, name=name, password=password, is_admin=is_admin, region=ctx.region(region))
    return {"user": user}


async def _user_delete_preview(ctx: CallContext, instance_id: str, name: str, region: OptStr = None) -> dict[str, Any]:
    res = await ctx.run(_api(ctx).list_users, instance_id=instance_id, name=name, region=ctx.region(region))
    return _named_preview("user", res.users, name, instance_id, f"User {name}: applications logging in as it lose access.")


@override("rdb_user_delete", product="rdb", safety="destructive", scope="region", replaces=("rdb_delete_user",), preview=_user_delete_preview)
async def user_delete(ctx: CallContext, instance_id: InstanceId, name: UserName, region: RegionArg = None) -> dict[str, Any]:
    """Delete a database user."""
    await ctx.run(_api(ctx).delete_user, instance_id=instance_id, name=name, region=ctx.region(region))
    return {"deleted_user": name, "instance_id": instance_id}


# --- backups ----------------------------------------------------------------------------


@override("rdb_backup_list", product="rdb", safety="read", scope="region", replaces=("rdb_list_database_backups",))
async def backup_list(
    ctx: CallContext,
    instance_id: Annotated[OptStr, Field(description="Instance filter.")] = None,
    project_id: OptStr = None,
    region: RegionArg = None,
    page: Page = 1,
    per_page: PerPage = 50,
) -> dict[str, Any]:
    """List database backups."""
    res = await ctx.run(
        _api(ctx).list_database_backups, instance_id=instance_id, project_id=project_id, region=ctx.region(region), page=page, page_size=per_page
    )
    return page_result(list(res.database_backups), res.total_count, page, per_page)


@override("rdb_backup_create", product="rdb", safety="mutate", scope="region", replaces=("rdb_create_database_backup",))
async def backup_create(
    ctx: CallContext,
    instance_id: InstanceId,
    database_name: DbName,
    name: OptStr = None,
    expires_in_days: Annotated[ExpiryDays, Field(description="Delete the backup after this many days.")] = None,
    region: RegionArg = None,
) -> dict[str, Any]:
    """Back up a database now."""
    expires_at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=expires_in_days) if expires_in_days else None
    backup = await ctx.run(
        _api(ctx).create_database_backup,
        instance_id=instance_id,
        database_name=database_name,
        name=name or f"{database_name}-{datetime.datetime.now(datetime.timezone.utc):%Y%m%d-%H%M%S}",
        expires_at=expires_at,
        region=ctx.region(region),
    )
    return {"backup": backup}
