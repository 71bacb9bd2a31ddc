"""Container Registry: namespaces and images.

(Named registry_tools because overrides/registry.py is the override machinery.)
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from scw_mcp.overrides._common import OptStr, Page, PerPage, Region, page_result
from scw_mcp.overrides.registry import override
from scw_mcp.runtime.context import CallContext

RegionArg = Region
NamespaceId = str
ImageId = str


def _api(ctx: CallContext) -> Any:
    from scaleway.registry.v1 import RegistryV1API

    return ctx.api(RegistryV1API)


@override("registry_namespace_list", product="registry", safety="read", scope="region", replaces=("registry_list_namespaces",))
async def namespace_list(
    ctx: CallContext, name: OptStr = None, project_id: OptStr = None, region: RegionArg = None, page: Page = 1, per_page: PerPage = 50
) -> dict[str, Any]:
    """List registry namespaces."""
    res = await ctx.run(_api(ctx).list_namespaces, region=ctx.region(region), name=name, project_id=project_id, page=page, page_size=per_page)
    return page_result(list(res.namespaces), res.total_count, page, per_page)


@override("registry_namespace_get", product="registry", safety="read", scope="region", replaces=("registry_get_namespace",))
async def namespace_get(ctx: CallContext, namespace_id: NamespaceId, region: RegionArg = None) -> dict[str, Any]:
    """Get a registry namespace (docker endpoint)."""
    return {"namespace": await ctx.run(_api(ctx).get_namespace, namespace_id=namespace_id, region=ctx.region(region))}


async def _namespace_delete_preview(ctx: CallContext, namespace_id: str, region: OptStr = None) -> dict[str, Any]:
    region = ctx.region(region)
    api = _api(ctx)
    namespace = await ctx.run(api.get_namespace, namespace_id=namespace_id, region=region)
    images = await ctx.run(api.list_images, namespace_id=namespace_id, region=region, page_size=100)
    return {
        "namespace": namespace,
        "images": [{"id": i.id, "name": i.name, "tags": i.tags, "size": i.size} for i in images.images],
        "image_count": int(images.total_count or 0),  # the SDK takes it from X-Total-Count: a string
        "will_delete": "The namespace and every image and tag in it; pulls from its endpoint will fail.",
    }


@override("registry_namespace_delete", product="registry", safety="destructive", scope="region", replaces=("registry_delete_namespace",), preview=_namespace_delete_preview)
async def namespace_delete(ctx: CallContext, namespace_id: NamespaceId, region: RegionArg = None) -> dict[str, Any]:
    """Delete a registry namespace and its images."""
    return {"deleted": await ctx.run(_api(ctx).delete_namespace, namespace_id=namespace_id, region=ctx.region(region))}


@override("registry_image_list", product="registry", safety="read", scope="region", replaces=("registry_list_images",))
async def image_list(
    ctx: CallContext,
    namespace_id: Annotated[OptStr, Field(description="Namespace filter.")] = None,
    name: OptStr = None,
    project_id: OptStr = None,
    region: RegionArg = None,
    page: Page = 1,
    per_page: PerPage = 50,
) -> dict[str, Any]:
    """List container images."""
    res = await ctx.run(
        _api(ctx).list_images, region=ctx.region(region), namespace_id=namespace_id, name=name, project_id=project_id, page=page, page_size=per_page
    )
    return page_result(list(res.images), res.total_count, page, per_page)


@override("registry_image_get", product="registry", safety="read", scope="region", replaces=("registry_get_image",))
async def image_get(ctx: CallContext, image_id: ImageId, region: RegionArg = None) -> dict[str, Any]:
    """Get a container image with its tags."""
    region = ctx.region(region)
    api = _api(ctx)
    image = await ctx.run(api.get_image, image_id=image_id, region=region)
    tags = await ctx.run(api.list_tags, image_id=image_id, region=region, page_size=100)
    return {"image": image, "tags": [{"id": t.id, "name": t.name, "digest": t.digest, "status": str(t.status)} for t in tags.tags]}


async def _image_delete_preview(ctx: CallContext, image_id: str, region: OptStr = None) -> dict[str, Any]:
    result = await image_get(ctx, image_id, region)
    return {**result, "will_delete": "The image and all its tags; pulls of them will fail."}


@override("registry_image_delete", product="registry", safety="destructive", scope="region", replaces=("registry_delete_image",), preview=_image_delete_preview)
async def image_delete(ctx: CallContext, image_id: ImageId, region: RegionArg = None) -> dict[str, Any]:
    """Delete a container image and its tags."""
    return {"deleted": await ctx.run(_api(ctx).delete_image, image_id=image_id, region=ctx.region(region))}
