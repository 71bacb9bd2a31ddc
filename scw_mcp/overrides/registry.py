"""Container Registry: deletes whose previews list what goes with them (images, tags)."""

from __future__ import annotations

from typing import Any

from scw_mcp.overrides._common import OptStr, Region, optional
from scw_mcp.overrides.declare import tool
from scw_mcp.runtime.context import CallContext

RegionArg = Region
NamespaceId = str
ImageId = str


def _api(ctx: CallContext) -> Any:
    from scaleway.registry.v1 import RegistryV1API

    return ctx.api(RegistryV1API)


async def _namespace_delete_preview(ctx: CallContext, namespace_id: str, region: OptStr = None) -> dict[str, Any]:
    region = ctx.region(region)
    api = _api(ctx)
    namespace = await ctx.run(api.get_namespace, namespace_id=namespace_id, region=region)
    images = await optional(ctx, "its images", api.list_images, namespace_id=namespace_id, region=region, page_size=100)
    return {
        "namespace": namespace,
        "images": [{"id": i.id, "name": i.name, "tags": i.tags, "size": i.size} for i in images.images]
        if images
        else None,
        "image_count": int(images.total_count or 0) if images else None,  # the SDK reads X-Total-Count: a string
        "will_delete": "The namespace and every image and tag in it; pulls from its endpoint will fail.",
    }


@tool(
    safety="destructive",
    scope="region",
    preview=_namespace_delete_preview,
    performs=("registry_get_namespace", "registry_list_images", "registry_delete_namespace"),
)
async def registry_delete_namespace(
    ctx: CallContext, namespace_id: NamespaceId, region: RegionArg = None
) -> dict[str, Any]:
    """Delete a registry namespace and its images.

    Hand-written: its preview lists the images and tags that go with it."""
    return {"deleted": await ctx.run(_api(ctx).delete_namespace, namespace_id=namespace_id, region=ctx.region(region))}


async def _image_delete_preview(ctx: CallContext, image_id: str, region: OptStr = None) -> dict[str, Any]:
    region = ctx.region(region)
    api = _api(ctx)
    image = await ctx.run(api.get_image, image_id=image_id, region=region)
    tags = await optional(ctx, "its tags", api.list_tags, image_id=image_id, region=region, page_size=100)
    return {
        "image": image,
        "tags": [{"id": t.id, "name": t.name, "digest": t.digest, "status": str(t.status)} for t in tags.tags]
        if tags
        else None,
        "will_delete": "The image and all its tags; pulls of them will fail.",
    }


@tool(
    safety="destructive",
    scope="region",
    preview=_image_delete_preview,
    performs=("registry_get_image", "registry_list_tags", "registry_delete_image"),
)
async def registry_delete_image(ctx: CallContext, image_id: ImageId, region: RegionArg = None) -> dict[str, Any]:
    """Delete a container image and its tags.

    Hand-written: its preview lists the tags that go with it."""
    return {"deleted": await ctx.run(_api(ctx).delete_image, image_id=image_id, region=ctx.region(region))}
