"""Kubernetes Kapsule: clusters, pools, scaling, and the kubeconfig (a secret)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal

from pydantic import Field

from scw_mcp.overrides._common import OptBool, OptStr, OptTags, Page, PerPage, Region, opt_int, page_result, valid_list_error
from scw_mcp.overrides.registry import override
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
    keys = ("id", "name", "status", "version", "cni", "type", "region", "cluster_url", "private_network_id", "tags", "upgrade_available", "created_at")
    return {k: c.get(k) for k in keys}


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in name.split("."))


@override("k8s_cluster_list", product="k8s", safety="read", scope="region", replaces=("k8s_list_clusters",))
async def cluster_list(
    ctx: CallContext, name: OptStr = None, project_id: OptStr = None, region: RegionArg = None, page: Page = 1, per_page: PerPage = 50
) -> dict[str, Any]:
    """List Kubernetes clusters: id, name, status, version, URL."""
    res = await ctx.run(_api(ctx).list_clusters, region=ctx.region(region), name=name, project_id=project_id, page=page, page_size=per_page)
    return page_result([_cluster_summary(c) for c in res.clusters], res.total_count, page, per_page)


@override("k8s_cluster_get", product="k8s", safety="read", scope="region", replaces=("k8s_get_cluster",))
async def cluster_get(ctx: CallContext, cluster_id: ClusterId, region: RegionArg = None) -> dict[str, Any]:
    """Get a Kubernetes cluster with its pools."""
    region = ctx.region(region)
    api = _api(ctx)
    cluster = await ctx.run(api.get_cluster, cluster_id=cluster_id, region=region)
    pools = await ctx.run(api.list_pools, cluster_id=cluster_id, region=region, page_size=100)
    return {"cluster": cluster, "pools": [_pool_summary(p) for p in pools.pools]}


async def _check_version(ctx: CallContext, version: str | None, region: str) -> str:
    """The exact version to use: given exactly, as a minor (1.31 -> newest 1.31.x), or the newest."""
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
    raise valid_list_error("Kubernetes version", version, valid, "What to do: pass one of these (or a minor such as 1.31).")


@override("k8s_cluster_create", product="k8s", safety="mutate", scope="region", replaces=("k8s_create_cluster",))
async def cluster_create(
    ctx: CallContext,
    name: str,
    version: Annotated[OptStr, Field(description="e.g. 1.31.2 or 1.31; default: newest.")] = None,
    pool_node_type: Annotated[str, Field(description="e.g. DEV1-M, PRO2-S.")] = "DEV1-M",
    pool_size: Annotated[int, Field(ge=1, le=100)] = 1,
    cni: Literal["cilium", "calico", "kilo", "none"] = "cilium",
    private_network_id: Annotated[OptStr, Field(description="Default: a new one.")] = None,
    tags: OptTags = None,
    project_id: OptStr = None,
    region: RegionArg = None,
) -> dict[str, Any]:
    """Create a Kubernetes cluster.

    Kapsule, with one node pool."""
    from scaleway.k8s.v1 import CreateClusterRequestPoolConfig
    from scaleway.vpc.v2 import VpcV2API

    region = ctx.region(region)
    version = await _check_version(ctx, version, region)
    project_id = project_id or ctx.project_id
    if not private_network_id:  # as the scw CLI does: Kapsule nodes live in a Private Network
        pn = await ctx.run(
            ctx.api(VpcV2API).create_private_network,
            region=region,
            name=f"pn-{name}",
            project_id=project_id,
            tags=["created-along-with-k8s-cluster"],
            default_route_propagation_enabled=False,
        )
        private_network_id = pn.id
        ctx.note(f"Created Private Network {pn.id} (pn-{name}) for the cluster; deleting the cluster keeps it unless with_additional_resources=true (then it goes if empty).")
    pool = CreateClusterRequestPoolConfig(
        name="default",
        node_type=pool_node_type,
        autoscaling=False,
        size=pool_size,
        container_runtime="containerd",
        autohealing=True,
        tags=[],
        kubelet_args={},
        zone="",  # empty: the API picks the region's default zone
        root_volume_type="default_volume_type",
        public_ip_disabled=False,
        labels={},
        taints=[],
        startup_taints=[],
        user_data={},
        min_size=None,
        max_size=None,
        root_volume_size=None,
    )
    cluster = await ctx.run(
        _api(ctx).create_cluster,
        region=region,
        type_="",
        description="",
        name=name,
        version=version,
        cni=cni,
        pools=[pool],
        tags=tags,
        project_id=project_id,
        private_network_id=private_network_id,
    )
    ctx.note("The cluster is being created (several minutes); k8s_cluster_get shows its status; k8s_kubeconfig_get gives access once ready.")
    return {"cluster": _cluster_summary(cluster)}


async def _cluster_delete_preview(ctx: CallContext, cluster_id: str, with_additional_resources: bool = False, region: OptStr = None) -> dict[str, Any]:
    region = ctx.region(region)
    api = _api(ctx)
    cluster = await ctx.run(api.get_cluster, cluster_id=cluster_id, region=region)
    pools = await ctx.run(api.list_pools, cluster_id=cluster_id, region=region, page_size=100)
    nodes = await ctx.run(api.list_nodes, cluster_id=cluster_id, region=region, page_size=100)
    preview: dict[str, Any] = {
        "cluster": _cluster_summary(cluster),
        "pools": [_pool_summary(p) for p in pools.pools],
        "nodes": [{"name": n.name, "pool_id": n.pool_id, "status": str(n.status)} for n in nodes.nodes],
        "will_delete": "The cluster, all its pools and nodes, and every workload running on them.",
    }
    if with_additional_resources:
        preview["also_deleted"] = "Volumes and Load Balancers the cluster created (PersistentVolumes, Services of type LoadBalancer), and its Private Network if nothing else is attached to it."
    else:
        preview["will_keep"] = "Volumes and Load Balancers the cluster created stay and keep billing, and so does its Private Network (with_additional_resources=true deletes them)."
    return preview


@override("k8s_cluster_delete", product="k8s", safety="destructive", scope="region", replaces=("k8s_delete_cluster",), preview=_cluster_delete_preview)
async def cluster_delete(
    ctx: CallContext,
    cluster_id: ClusterId,
    with_additional_resources: Annotated[bool, Field(description="Also delete its volumes and Load Balancers.")] = False,
    region: RegionArg = None,
) -> dict[str, Any]:
    """Delete a Kubernetes cluster with all its pools and nodes."""
    cluster = await ctx.run(_api(ctx).delete_cluster, cluster_id=cluster_id, with_additional_resources=with_additional_resources, region=ctx.region(region))
    return {"deleted": _cluster_summary(cluster)}


# --- pools ------------------------------------------------------------------------------


def _pool_summary(pool: Any) -> dict[str, Any]:
    p = to_json(pool)
    keys = ("id", "name", "status", "node_type", "size", "autoscaling", "min_size", "max_size", "autohealing", "zone", "version")
    return {k: p.get(k) for k in keys}


@override("k8s_pool_list", product="k8s", safety="read", scope="region", replaces=("k8s_list_pools",))
async def pool_list(ctx: CallContext, cluster_id: ClusterId, region: RegionArg = None, page: Page = 1, per_page: PerPage = 50) -> dict[str, Any]:
    """List a cluster's node pools."""
    res = await ctx.run(_api(ctx).list_pools, cluster_id=cluster_id, region=ctx.region(region), page=page, page_size=per_page)
    return page_result([_pool_summary(p) for p in res.pools], res.total_count, page, per_page)


@override("k8s_pool_create", product="k8s", safety="mutate", scope="region", replaces=("k8s_create_pool",))
async def pool_create(
    ctx: CallContext,
    cluster_id: ClusterId,
    name: str,
    node_type: Annotated[str, Field(description="e.g. DEV1-M, PRO2-S.")],
    size: Annotated[int, Field(ge=0, le=200)] = 1,
    autoscaling: bool = False,
    min_size: MinSize = None,
    max_size: MaxSize = None,
    region: RegionArg = None,
) -> dict[str, Any]:
    """Add a node pool to a cluster."""
    _check_bounds(size, autoscaling, min_size, max_size)
    pool = await ctx.run(
        _api(ctx).create_pool,
        cluster_id=cluster_id,
        region=ctx.region(region),
        name=name,
        node_type=node_type,
        size=size,
        autoscaling=autoscaling,
        min_size=min_size,
        max_size=max_size,
        autohealing=True,
        public_ip_disabled=False,
    )
    return {"pool": _pool_summary(pool)}


def _check_bounds(size: int | None, autoscaling: bool | None, min_size: int | None, max_size: int | None) -> None:
    if min_size is not None and max_size is not None and min_size > max_size:
        raise ToolFailure(f"min_size ({min_size}) is above max_size ({max_size}). What to do: swap or fix them.")
    if autoscaling and size is not None and ((min_size is not None and size < min_size) or (max_size is not None and size > max_size)):
        raise ToolFailure(f"size {size} is outside min_size..max_size. What to do: pick a size within the bounds.")


@override("k8s_pool_scale", product="k8s", safety="mutate", scope="region", replaces=("k8s_update_pool",))
async def pool_scale(
    ctx: CallContext,
    pool_id: str,
    size: Annotated[PoolSize, Field(description="Node count (fixed-size pools).")] = None,
    autoscaling: Annotated[OptBool, Field(description="Turn autoscaling on or off.")] = None,
    min_size: MinSize = None,
    max_size: MaxSize = None,
    region: RegionArg = None,
) -> dict[str, Any]:
    """Resize a node pool.

    Or set autoscaling bounds. Scaling down drains nodes."""
    if size is None and autoscaling is None and min_size is None and max_size is None:
        raise ToolFailure("Nothing to change. What to do: pass size, or autoscaling with min_size/max_size.")
    _check_bounds(size, autoscaling, min_size, max_size)
    pool = await ctx.run(
        _api(ctx).update_pool, pool_id=pool_id, region=ctx.region(region), size=size, autoscaling=autoscaling, min_size=min_size, max_size=max_size
    )
    return {"pool": _pool_summary(pool)}


@override("k8s_kubeconfig_get", product="k8s", safety="secret", scope="region")
async def kubeconfig_get(ctx: CallContext, cluster_id: ClusterId, region: RegionArg = None) -> dict[str, Any]:
    """Get a cluster's kubeconfig.

    Admin credentials (YAML for kubectl): a secret."""
    file = await ctx.run(_api(ctx)._get_cluster_kube_config, cluster_id=cluster_id, region=ctx.region(region))
    content = file.content or ""
    try:  # the API returns it base64-encoded
        text = base64.b64decode(content, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        text = content
    return {"cluster_id": cluster_id, "file_name": file.name, "kubeconfig": text, "warning": "Contains admin credentials: do not share or log it."}
