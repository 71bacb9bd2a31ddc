"""Kubernetes Kapsule: clusters, pools, scaling, and the kubeconfig (a secret)."""

from __future__ import annotations

import base64
import binascii
import functools
from typing import Annotated, Any, Literal

from pydantic import Field

from scw_mcp.overrides._common import (
    WAIT_DEFAULT,
    OptBool,
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
from scw_mcp.runtime.errors import ToolFailure

RegionArg = Region
MinSize = opt_int(minimum=0, maximum=200)
MaxSize = opt_int(minimum=1, maximum=200)
PoolSize = opt_int(minimum=0, maximum=200)
ClusterId = str


def _api(ctx: CallContext) -> Any:
    from scaleway.k8s.v1 import K8SV1API

    return ctx.api(K8SV1API)


def _cluster_summary(cluster: Any) -> dict[str, Any]:
    c = to_json(cluster)
    keys = (
        "id",
        "name",
        "status",
        "version",
        "cni",
        "type",
        "region",
        "cluster_url",
        "private_network_id",
        "tags",
        "upgrade_available",
        "created_at",
    )
    return {k: c.get(k) for k in keys}


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in name.split("."))


@tool(safety="read", scope="region", paging="page", performs=("k8s_list_clusters",))
async def k8s_list_clusters(
    ctx: CallContext, region: RegionArg = None, page: Page = 1, page_size: PerPage = 50, **arguments: Any
) -> dict[str, Any]:
    """List Kubernetes clusters as compact rows.

    Hand-written: id, name, status, version, CNI, URL, Private Network and tags per cluster
    instead of the whole object."""
    res = await sdk(ctx, "k8s_list_clusters", region=ctx.region(region), page=page, page_size=page_size, **arguments)
    return page_result([_cluster_summary(c) for c in res.clusters], res.total_count, page, page_size)


@tool(safety="read", scope="region", performs=("k8s_get_cluster", "k8s_list_pools"))
async def k8s_get_cluster(
    ctx: CallContext,
    cluster_id: ClusterId,
    region: RegionArg = None,
    wait: Annotated[bool, Field(description="Wait while it is creating, updating or deleting.")] = False,
    timeout_seconds: WaitSeconds = WAIT_DEFAULT,
) -> dict[str, Any]:
    """Get a Kubernetes cluster with its pools.

    Hand-written: the cluster and a summary of each of its node pools in one call; wait=true
    waits until it leaves its transitional states (creating, updating, deleting)."""
    from scaleway.k8s.v1.content import CLUSTER_TRANSIENT_STATUSES

    region = ctx.region(region)
    api = _api(ctx)
    if wait:
        transient = {str(s) for s in CLUSTER_TRANSIENT_STATUSES}
        read = functools.partial(ctx.run, api.get_cluster, cluster_id=cluster_id, region=region)
        cluster = await _wait_status(
            ctx,
            "cluster",
            read,
            cluster_id,
            region,
            timeout_seconds,
            lambda state: state not in transient,
            "settled",
            failed=frozenset(),
        )
    else:
        cluster = await ctx.run(api.get_cluster, cluster_id=cluster_id, region=region)
    pools = await ctx.run(api.list_pools, cluster_id=cluster_id, region=region, page_size=100)
    return {"cluster": cluster, "pools": [_pool_summary(p) for p in pools.pools]}


async def _check_version(ctx: CallContext, version: str | None, region: str) -> str:
    """The exact version to use: given exactly, as a minor (1.x -> newest 1.x.y), or the newest."""
    res = await ctx.run(_api(ctx).list_versions, region=region)
    valid = sorted((v.name for v in res.versions), key=_version_key, reverse=True)
    if not valid:
        raise ToolFailure(f"No Kubernetes versions are available in {region}. What to do: try another region.")
    if version is None:
        return valid[0]
    if version in valid:
        return version
    minor = [v for v in valid if v.startswith(version.rstrip(".") + ".")]
    if minor:
        return minor[0]
    newest_minor = ".".join(valid[0].split(".")[:2])  # a hint that works: the valid list's own
    raise valid_list_error(
        "Kubernetes version", version, valid, f"What to do: pass one of these (or a minor such as {newest_minor})."
    )


def _default_pool(node_type: str, size: int) -> dict[str, Any]:
    return {
        "name": "default",
        "node_type": node_type,
        "size": size,
        "autoscaling": False,
        "container_runtime": "containerd",
        "autohealing": True,
        "root_volume_type": "default_volume_type",
    }


@tool(
    safety="mutate",
    scope="region",
    performs=("k8s_list_versions", "vpc_create_private_network", "k8s_create_cluster", "k8s_get_cluster"),
)
async def k8s_create_cluster(
    ctx: CallContext,
    name: str,
    version: Annotated[
        OptStr, Field(description="As k8s_list_versions lists it, or major.minor (its newest patch); default: newest.")
    ] = None,
    cni: Literal["cilium", "calico", "kilo", "none", "cilium_native"] = "cilium",
    pool_node_type: Annotated[
        str, Field(description="Node type of the default pool when pools is not given.")
    ] = "DEV1-M",
    pool_size: Annotated[
        int, Field(ge=1, le=100, description="Nodes of the default pool when pools is not given.")
    ] = 1,
    private_network_id: Annotated[OptStr, Field(description="Default: a new one.")] = None,
    type: Annotated[str, Field(description="Cluster type; empty: kapsule.")] = "",
    description: str = "",
    region: RegionArg = None,
    wait: Annotated[bool, Field(description="Wait until the cluster is ready (several minutes).")] = False,
    timeout_seconds: WaitSeconds = WAIT_DEFAULT,
    **arguments: Any,
) -> dict[str, Any]:
    """Create a Kubernetes cluster.

    Hand-written: the version may be a minor (major.minor: its newest patch) or left out (the newest),
    a Private Network is created when none is given, one pool of pool_size pool_node_type nodes
    is made when pools is not given, and wait=true waits until the cluster is ready."""
    region = ctx.region(region)
    version = await _check_version(ctx, version, region)
    if not private_network_id:  # as the scw CLI does: Kapsule nodes live in a Private Network
        pn = await sdk(
            ctx,
            "vpc_create_private_network",
            region=region,
            name=f"pn-{name}",
            project_id=arguments.get("project_id"),
            tags=["created-along-with-k8s-cluster"],
            default_route_propagation_enabled=False,
        )
        private_network_id = pn.id
        ctx.made(f"private network {pn.id} (pn-{name})")
        ctx.note(
            f"Created Private Network {pn.id} (pn-{name}) for the cluster; deleting the cluster keeps it "
            "unless with_additional_resources=true (then it goes if empty)."
        )
    arguments.setdefault("pools", [_default_pool(pool_node_type, pool_size)])
    cluster = await sdk(
        ctx,
        "k8s_create_cluster",
        region=region,
        name=name,
        version=version,
        cni=cni,
        type=type,
        description=description,
        private_network_id=private_network_id,
        **arguments,
    )
    ctx.made(f"cluster {cluster.id} ({name}; k8s_get_cluster)")
    if wait:
        cluster = await _wait_status(
            ctx,
            "cluster",
            lambda: ctx.run(_api(ctx).get_cluster, cluster_id=cluster.id, region=region),
            cluster.id,
            region,
            timeout_seconds,
        )
    else:
        ctx.note(
            "The cluster is being created (several minutes); k8s_get_cluster shows its status; "
            "k8s_get_cluster_kubeconfig gives access once ready."
        )
    return {"cluster": _cluster_summary(cluster)}


async def _wait_status(
    ctx: CallContext,
    what: str,
    read: Any,
    resource_id: str,
    region: str,
    timeout_seconds: int,
    done: Any = frozenset({"ready"}),
    to_be: str = "ready",
    failed: frozenset[str] = frozenset({"error", "locked", "pool_required"}),
) -> Any:
    """Poll a cluster or pool; at the deadline, its k8s_get_* with wait=true goes on waiting."""

    async def fetch() -> tuple[Any, str]:
        obj = await read()
        return obj, str(obj.status)

    keep_waiting = {"tool": f"k8s_get_{what}", "arguments": {f"{what}_id": resource_id, "region": region, "wait": True}}
    return await poll(
        ctx,
        fetch,
        done,
        what=f"{what} {resource_id} to be {to_be}",
        timeout_seconds=timeout_seconds,
        failed=failed,
        continue_with=keep_waiting,
    )


async def _cluster_delete_preview(
    ctx: CallContext, cluster_id: str, with_additional_resources: bool = False, region: OptStr = None
) -> dict[str, Any]:
    region = ctx.region(region)
    api = _api(ctx)
    cluster = await ctx.run(api.get_cluster, cluster_id=cluster_id, region=region)
    pools = await optional(ctx, "its pools", api.list_pools, cluster_id=cluster_id, region=region, page_size=100)
    nodes = await optional(ctx, "its nodes", api.list_nodes, cluster_id=cluster_id, region=region, page_size=100)
    preview: dict[str, Any] = {
        "cluster": _cluster_summary(cluster),
        "pools": [_pool_summary(p) for p in pools.pools] if pools else None,
        "nodes": [{"name": n.name, "pool_id": n.pool_id, "status": str(n.status)} for n in nodes.nodes]
        if nodes
        else None,
        "will_delete": "The cluster, all its pools and nodes, and every workload running on them.",
    }
    if with_additional_resources:
        preview["also_deleted"] = (
            "Volumes and Load Balancers the cluster created (PersistentVolumes, Services of type "
            "LoadBalancer), and its Private Network if nothing else is attached to it."
        )
    else:
        preview["will_keep"] = (
            "Volumes and Load Balancers the cluster created stay and keep billing, and so does its "
            "Private Network (with_additional_resources=true deletes them)."
        )
    return preview


@tool(
    safety="destructive",
    scope="region",
    preview=_cluster_delete_preview,
    performs=("k8s_get_cluster", "k8s_list_pools", "k8s_list_nodes", "k8s_delete_cluster"),
)
async def k8s_delete_cluster(
    ctx: CallContext,
    cluster_id: ClusterId,
    with_additional_resources: Annotated[
        bool, Field(description="Also delete its volumes and Load Balancers.")
    ] = False,
    region: RegionArg = None,
) -> dict[str, Any]:
    """Delete a Kubernetes cluster with all its pools and nodes.

    Hand-written: its preview lists the pools and nodes that go, and what with_additional_resources adds."""
    cluster = await ctx.run(
        _api(ctx).delete_cluster,
        cluster_id=cluster_id,
        with_additional_resources=with_additional_resources,
        region=ctx.region(region),
    )
    return {"deleted": _cluster_summary(cluster)}


# --- pools ------------------------------------------------------------------------------


def _pool_summary(pool: Any) -> dict[str, Any]:
    p = to_json(pool)
    keys = (
        "id",
        "name",
        "status",
        "node_type",
        "size",
        "autoscaling",
        "min_size",
        "max_size",
        "autohealing",
        "zone",
        "version",
    )
    return {k: p.get(k) for k in keys}


@tool(safety="read", scope="region", paging="page", performs=("k8s_list_pools",))
async def k8s_list_pools(
    ctx: CallContext,
    cluster_id: ClusterId,
    region: RegionArg = None,
    page: Page = 1,
    page_size: PerPage = 50,
    **arguments: Any,
) -> dict[str, Any]:
    """List a cluster's node pools as compact rows.

    Hand-written: id, name, status, node type, size, autoscaling bounds, zone and version per pool."""
    res = await sdk(
        ctx,
        "k8s_list_pools",
        cluster_id=cluster_id,
        region=ctx.region(region),
        page=page,
        page_size=page_size,
        **arguments,
    )
    return page_result([_pool_summary(p) for p in res.pools], res.total_count, page, page_size)


@tool(safety="mutate", scope="region", performs=("k8s_create_pool", "k8s_get_pool"))
async def k8s_create_pool(
    ctx: CallContext,
    cluster_id: ClusterId,
    name: str,
    node_type: Annotated[str, Field(description="e.g. DEV1-M, PRO2-S.")],
    size: Annotated[int, Field(ge=0, le=200)] = 1,
    autoscaling: bool = False,
    min_size: MinSize = None,
    max_size: MaxSize = None,
    autohealing: bool = True,
    public_ip_disabled: bool = False,
    region: RegionArg = None,
    wait: Annotated[bool, Field(description="Wait until the pool is ready.")] = False,
    timeout_seconds: WaitSeconds = WAIT_DEFAULT,
    **arguments: Any,
) -> dict[str, Any]:
    """Add a node pool to a cluster.

    Hand-written: the size is checked against the autoscaling bounds, and wait=true waits until ready."""
    _check_bounds(size, autoscaling, min_size, max_size)
    region = ctx.region(region)
    pool = await sdk(
        ctx,
        "k8s_create_pool",
        cluster_id=cluster_id,
        region=region,
        name=name,
        node_type=node_type,
        size=size,
        autoscaling=autoscaling,
        min_size=min_size,
        max_size=max_size,
        autohealing=autohealing,
        public_ip_disabled=public_ip_disabled,
        **arguments,
    )
    if wait:
        pool = await _wait_pool(ctx, pool.id, region, timeout_seconds)
    return {"pool": _pool_summary(pool)}


async def _wait_pool(ctx: CallContext, pool_id: str, region: str, timeout_seconds: int) -> Any:
    read = functools.partial(ctx.run, _api(ctx).get_pool, pool_id=pool_id, region=region)
    return await _wait_status(ctx, "pool", read, pool_id, region, timeout_seconds)


def _check_bounds(size: int | None, autoscaling: bool | None, min_size: int | None, max_size: int | None) -> None:
    """The pool's settings as they will be (a create's, or an update's merged with the pool's)."""
    if min_size is not None and max_size is not None and min_size > max_size:
        raise ToolFailure(f"min_size ({min_size}) is above max_size ({max_size}). What to do: swap or fix them.")
    if not autoscaling or size is None:
        return  # a fixed-size pool has no bounds
    if (min_size is not None and size < min_size) or (max_size is not None and size > max_size):
        raise ToolFailure(
            f"size {size} is outside the autoscaling bounds min_size..max_size ({min_size}..{max_size}). "
            "What to do: pick a size within them, or change min_size/max_size (or autoscaling) in the same call."
        )


def _merged(new: Any, current: Any) -> Any:
    return current if new is None else new


@tool(safety="mutate", scope="region", performs=("k8s_update_pool", "k8s_get_pool"))
async def k8s_update_pool(
    ctx: CallContext,
    pool_id: str,
    size: Annotated[PoolSize, Field(description="Node count (fixed-size pools).")] = None,
    autoscaling: Annotated[OptBool, Field(description="Turn autoscaling on or off.")] = None,
    min_size: MinSize = None,
    max_size: MaxSize = None,
    region: RegionArg = None,
    wait: Annotated[bool, Field(description="Wait until the pool is ready again.")] = False,
    timeout_seconds: WaitSeconds = WAIT_DEFAULT,
    **arguments: Any,
) -> dict[str, Any]:
    """Resize a node pool, set its autoscaling bounds, or change its settings.

    Hand-written: refuses an empty change, and a size outside the autoscaling bounds (the pool's,
    or those passed with it); scaling down drains nodes."""
    if (
        size is None
        and autoscaling is None
        and min_size is None
        and max_size is None
        and not any(v is not None for v in arguments.values())
    ):
        raise ToolFailure(
            "Nothing to change. What to do: pass size, or autoscaling with min_size/max_size, or another setting."
        )
    region = ctx.region(region)
    if size is not None or autoscaling is not None or min_size is not None or max_size is not None:
        # The bounds a size must fit are the pool's, unless this call changes them.
        current = await sdk(ctx, "k8s_get_pool", pool_id=pool_id, region=region)
        _check_bounds(
            size,
            _merged(autoscaling, current.autoscaling),
            _merged(min_size, current.min_size),
            _merged(max_size, current.max_size),
        )
    pool = await sdk(
        ctx,
        "k8s_update_pool",
        pool_id=pool_id,
        region=region,
        size=size,
        autoscaling=autoscaling,
        min_size=min_size,
        max_size=max_size,
        **arguments,
    )
    if wait:
        pool = await _wait_pool(ctx, pool_id, region, timeout_seconds)
    return {"pool": _pool_summary(pool)}


@tool(
    safety="secret",
    scope="region",
    product="k8s",
    performs=("k8s_get_cluster_kubeconfig",),
    sdk=("scaleway.k8s.v1:K8SV1API._get_cluster_kube_config",),
    path_params=("cluster_id", "region"),
)
async def k8s_get_cluster_kubeconfig(
    ctx: CallContext, cluster_id: ClusterId, region: RegionArg = None
) -> dict[str, Any]:
    """Get a cluster's kubeconfig.

    Hand-written (the SDK's download is private): admin credentials as YAML for kubectl, a secret."""
    file = await ctx.run(_api(ctx)._get_cluster_kube_config, cluster_id=cluster_id, region=ctx.region(region))
    content = file.content or ""
    try:  # the API returns it base64-encoded
        text = base64.b64decode(content, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        text = content
    return {
        "cluster_id": cluster_id,
        "file_name": file.name,
        "kubeconfig": text,
        "warning": "Contains admin credentials: do not share or log it.",
    }
