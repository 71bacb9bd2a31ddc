"""Object Storage's everyday tools, standing in for the S3 operations they are named after.

Each one takes every argument of its generated twin (botocore's model, `generated/object_storage.py`;
the extra ones arrive in `**arguments` and go to the same S3 call) plus its conveniences: a
compact listing with a summary, text or base64 reads and writes with a guessed content type, a
bucket delete that can empty the bucket first, and presigned URLs (no S3 operation: boto3 signs
them locally). The S3 calls go through `scw_mcp.runtime.s3`, in worker threads.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field

from scw_mcp.overrides._common import OptStr, Region, opt_int
from scw_mcp.overrides.declare import tool
from scw_mcp.runtime import s3
from scw_mcp.runtime.context import CallContext
from scw_mcp.runtime.errors import ToolFailure

Bucket = Annotated[str, Field(min_length=3, max_length=63)]
# Scaleway's naming rules, checked before a bucket is created (existing names are taken as they are).
NewBucket = Annotated[
    str, Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", description="Lowercase letters, digits, dots, hyphens.")
]
Key = Annotated[str, Field(min_length=1, max_length=1024, description="Object key.")]
PRODUCT = "object_storage"
TEXT_TYPES = (
    "application/json",
    "application/xml",
    "application/yaml",
    "application/javascript",
    "application/x-yaml",
)


def _is_missing(exc: Exception) -> bool:
    return s3.error_code(exc) in ("404", "NoSuchKey", "NotFound", "NoSuchBucket")


@tool(
    safety="read",
    scope="region",
    product=PRODUCT,
    performs=("object_storage_list_buckets",),
)
async def object_storage_list_buckets(ctx: CallContext, region: Region = None, **arguments: Any) -> dict[str, Any]:
    """List Object Storage buckets of a region."""
    res = await s3.perform(ctx, "object_storage_list_buckets", {**arguments, "region": region})
    items = [{"name": b.get("name"), "creation_date": b.get("creation_date")} for b in res.get("buckets") or []]
    out: dict[str, Any] = {"items": items, "total_count": len(items), "region": ctx.region(region)}
    if res.get("continuation_token"):
        out["next"] = {"continuation_token": res["continuation_token"]}
    return out


@tool(
    safety="mutate",
    scope="region",
    product=PRODUCT,
    performs=("object_storage_create_bucket",),
)
async def object_storage_create_bucket(
    ctx: CallContext,
    bucket: NewBucket,
    region: Region = None,
    public_read: Annotated[bool, Field(description="ACL public-read.")] = False,
    **arguments: Any,
) -> dict[str, Any]:
    """Create a bucket."""
    region = ctx.region(region)
    arguments.setdefault("create_bucket_configuration", {"location_constraint": region})
    if public_read:
        arguments["acl"] = "public-read"
    res = await s3.perform(ctx, "object_storage_create_bucket", {**arguments, "bucket": bucket, "region": region})
    return {
        "bucket": bucket,
        "region": region,
        "endpoint": ctx.settings.s3_endpoint(region),
        "public_read": arguments.get("acl") == "public-read",
        "location": res.get("location"),
    }


async def _count_objects(
    ctx: CallContext, bucket: str, region: str | None, limit: int = 10_000, page: int = 1000
) -> tuple[int, int, bool]:
    """(objects, bytes, more) of a bucket, counting at most `limit` objects, `page` at a time."""
    count = size = 0
    token = None
    while True:
        args = {"bucket": bucket, "max_keys": min(limit, page), "region": region, "continuation_token": token}
        res = await s3.perform(ctx, "object_storage_list_objects_v2", args)
        for obj in res.get("contents") or []:
            count += 1
            size += int(obj.get("size") or 0)
        token = res.get("next_continuation_token")
        if not res.get("is_truncated") or not token:
            return count, size, False
        if count >= limit:
            return count, size, True


async def _count_versions(
    ctx: CallContext, bucket: str, region: str | None, limit: int = 10_000, page: int = 1000
) -> tuple[int, bool]:
    """(versions and delete markers, more) of a bucket, counting at most `limit`, `page` at a time:
    what empty_first deletes. A versioned bucket can hold them with no current object left."""
    count = 0
    markers: dict[str, Any] = {}
    while True:
        args = {"bucket": bucket, "max_keys": min(limit, page), "region": region, **markers}
        res = await s3.perform(ctx, "object_storage_list_object_versions", args)
        count += len(res.get("versions") or []) + len(res.get("delete_markers") or [])
        markers = {"key_marker": res.get("next_key_marker"), "version_id_marker": res.get("next_version_id_marker")}
        if not res.get("is_truncated") or not markers["key_marker"]:
            return count, False
        if count >= limit:
            return count, True


@dataclass(frozen=True)
class _Contents:
    """What a bucket holds, each count capped (`*_more`: there are more than counted)."""

    objects: int
    bytes: int
    objects_more: bool
    versions: int  # and delete markers; a plain bucket lists each object as one version
    versions_more: bool

    @property
    def empty(self) -> bool:
        return not (self.objects or self.versions)

    def shown(self) -> str:
        objects = f"{'at least ' if self.objects_more else ''}{self.objects} objects ({self.bytes} bytes)"
        versions = f"{'at least ' if self.versions_more else ''}{self.versions} versions and delete markers"
        return f"{objects}; {versions} in all"


async def _contents(ctx: CallContext, bucket: str, region: str | None, limit: int = 10_000) -> _Contents:
    objects, size, objects_more = await _count_objects(ctx, bucket, region, limit)
    versions, versions_more = await _count_versions(ctx, bucket, region, limit)
    return _Contents(objects, size, objects_more, versions, versions_more)


async def _delete_bucket_preview(
    ctx: CallContext, bucket: str, region: OptStr = None, empty_first: bool = False, **_: Any
) -> dict[str, Any]:
    held = await _contents(ctx, bucket, region)
    preview: dict[str, Any] = {
        "bucket": bucket,
        "region": ctx.region(region),
        "objects": held.objects,
        "bytes": held.bytes,
        "versions": held.versions,
        "counted_all": not (held.objects_more or held.versions_more),
    }
    if not held.empty and not empty_first:
        preview["will_fail"] = f"The bucket holds {held.shown()}: the delete will be refused unless empty_first=true."
    elif not held.empty:
        preview["will_delete"] = f"Every version and delete marker ({held.shown()}), then the bucket."
    else:
        preview["will_delete"] = "The empty bucket."
    return preview


async def _empty_bucket(ctx: CallContext, bucket: str, region: str | None) -> int:
    deleted = 0
    for listing, key in (
        ("object_storage_list_object_versions", None),
        ("object_storage_list_objects_v2", "contents"),
    ):
        # Versions and delete markers cover versioned and plain buckets; some S3 implementations
        # do not list plain objects as versions, so sweep those too.
        while True:
            res = await s3.perform(ctx, listing, {"bucket": bucket, "max_keys": 1000, "region": region})
            if key is None:
                batch = [
                    {"key": v["key"], "version_id": v.get("version_id")}
                    for v in (res.get("versions") or []) + (res.get("delete_markers") or [])
                ]
            else:
                batch = [{"key": o["key"]} for o in res.get(key) or []]
            if not batch:
                break
            res = await s3.perform(
                ctx,
                "object_storage_delete_objects",
                {"bucket": bucket, "delete": {"objects": batch, "quiet": True}, "region": region},
            )
            # Quiet: S3 answers only what it could not delete (object lock, access denied); those
            # would be listed again, and deleted again, for ever.
            errors = res.get("errors") or []
            deleted += len(batch) - len(errors)
            if errors:
                first = errors[0]
                raise ToolFailure(
                    f"{len(errors)} objects in bucket {bucket!r} could not be deleted (e.g. {first.get('key')!r}: "
                    f"{first.get('code')}, {first.get('message')}); {deleted} were deleted and the bucket is kept. "
                    "What to do: lift what protects them (object lock retention or legal hold, a bucket policy, "
                    "the key's permissions) or delete the others yourself, then call again."
                )
            await ctx.progress(deleted, None, f"deleted {deleted} objects")
    return deleted


@tool(
    safety="destructive",
    scope="region",
    product=PRODUCT,
    preview=_delete_bucket_preview,
    performs=(
        "object_storage_list_objects_v2",
        "object_storage_list_object_versions",
        "object_storage_delete_objects",
        "object_storage_delete_bucket",
    ),
)
async def object_storage_delete_bucket(
    ctx: CallContext,
    bucket: Bucket,
    region: Region = None,
    empty_first: Annotated[bool, Field(description="Delete every object, version and delete marker first.")] = False,
    **arguments: Any,
) -> dict[str, Any]:
    """Delete a bucket.

    Refused if not empty (old versions and delete markers count), unless empty_first=true."""
    deleted = 0
    if empty_first:
        deleted = await _empty_bucket(ctx, bucket, region)
    else:
        held = await _contents(ctx, bucket, region, limit=1000)  # one listing of each
        if not held.empty:
            raise ToolFailure(
                f"Bucket {bucket!r} is not empty: it holds {held.shown()}. What to do: delete them "
                "(object_storage_list_object_versions lists every version and delete marker), "
                "or call again with empty_first=true to delete them all."
            )
    await s3.perform(ctx, "object_storage_delete_bucket", {**arguments, "bucket": bucket, "region": region})
    return {"deleted_bucket": bucket, "deleted_objects": deleted}


@tool(
    safety="read",
    scope="region",
    product=PRODUCT,
    performs=("object_storage_list_objects_v2",),
)
async def object_storage_list_objects_v2(
    ctx: CallContext,
    bucket: Bucket,
    prefix: Annotated[OptStr, Field(description="Only keys starting with this.")] = None,
    delimiter: Annotated[OptStr, Field(description='E.g. "/" to list one folder level (see prefixes).')] = None,
    max_keys: Annotated[int, Field(ge=1, le=1000)] = 100,
    continuation_token: Annotated[OptStr, Field(description="From the previous page.")] = None,
    region: Region = None,
    **arguments: Any,
) -> dict[str, Any]:
    """List objects in a bucket, with a summary."""
    args = {
        **arguments,
        "bucket": bucket,
        "prefix": prefix,
        "delimiter": delimiter,
        "continuation_token": continuation_token,
        "region": region,
    }

    async def page(size: int) -> dict[str, Any]:
        return _objects_page(await s3.perform(ctx, "object_storage_list_objects_v2", {**args, "max_keys": size}))

    return await s3.listing_within(page, max_keys)


def _objects_page(res: dict[str, Any]) -> dict[str, Any]:
    items = [
        {
            "key": o.get("key"),
            "size": o.get("size"),
            "last_modified": o.get("last_modified"),
            "storage_class": o.get("storage_class"),
        }
        for o in res.get("contents") or []
    ]
    token = res.get("next_continuation_token") if res.get("is_truncated") else None
    out: dict[str, Any] = {
        "items": items,
        "total_count": len(items),
        "summary": {
            "objects": len(items),
            "bytes": sum(int(i["size"] or 0) for i in items),
            "folders": len(res.get("common_prefixes") or []),
            "more": token is not None,
        },
        "next_continuation_token": token,
    }
    if token:
        out["next"] = {"continuation_token": token}
    if res.get("common_prefixes"):
        out["prefixes"] = [p.get("prefix") for p in res["common_prefixes"]]
    return out


@tool(
    safety="read",
    scope="region",
    product=PRODUCT,
    performs=("object_storage_get_object",),
)
async def object_storage_get_object(
    ctx: CallContext,
    bucket: Bucket,
    key: Key,
    offset: opt_int(minimum=0, description="First byte (next_offset of the last call).") = None,  # type: ignore
    max_bytes: opt_int(minimum=1) = None,  # type: ignore[valid-type]
    encoding: Annotated[
        Literal["auto", "text", "base64"], Field(description="auto: text if UTF-8, else base64.")
    ] = "auto",
    region: Region = None,
    **arguments: Any,
) -> dict[str, Any]:
    """Read an object: text, or base64 if binary.

    A byte range at a time; next_offset says where to go on."""
    args = {**arguments, "bucket": bucket, "key": key}
    return await ctx.run(
        lambda: s3.read_object(
            ctx, "object_storage_get_object", args, region, offset=offset, max_bytes=max_bytes, prefer=encoding
        )
    )


@tool(
    safety="mutate",
    scope="region",
    product=PRODUCT,
    performs=("object_storage_put_object",),
)
async def object_storage_put_object(
    ctx: CallContext,
    bucket: Bucket,
    key: Key,
    content: Annotated[str, Field(description="Text, or base64 if encoding=base64.")],
    encoding: Literal["text", "base64"] = "text",
    content_type: Annotated[OptStr, Field(description="Default: guessed from key.")] = None,
    region: Region = None,
    **arguments: Any,
) -> dict[str, Any]:
    """Upload (create or replace) an object."""
    data = s3.body(content, encoding) or b""
    guessed = mimetypes.guess_type(key)[0]
    content_type = (
        content_type or guessed or ("text/plain; charset=utf-8" if encoding == "text" else "application/octet-stream")
    )
    args = {
        **arguments,
        "bucket": bucket,
        "key": key,
        "content": content,
        "encoding": encoding,
        "content_type": content_type,
        "region": region,
    }
    res = await s3.perform(ctx, "object_storage_put_object", args)
    return {"bucket": bucket, "key": key, "size": len(data), "content_type": content_type, **res}


async def _delete_object_preview(
    ctx: CallContext, bucket: str, key: str, region: OptStr = None, **arguments: Any
) -> dict[str, Any]:
    version = arguments.get("version_id")
    try:
        head = await s3.perform(
            ctx, "object_storage_head_object", {"bucket": bucket, "key": key, "version_id": version, "region": region}
        )
    except Exception as exc:
        if _is_missing(exc):
            return {
                "bucket": bucket,
                "key": key,
                "exists": False,
                "note": "No such object: the delete will do nothing.",
            }
        raise
    return {
        "bucket": bucket,
        "key": key,
        "version_id": head.get("version_id"),
        "exists": True,
        "size": head.get("content_length"),
        "content_type": head.get("content_type"),
        "last_modified": head.get("last_modified"),
        "will_delete": "This version, for good."
        if version
        else "This object (on a versioned bucket a delete marker hides it; older versions remain).",
    }


@tool(
    safety="destructive",
    scope="region",
    product=PRODUCT,
    preview=_delete_object_preview,
    performs=("object_storage_head_object", "object_storage_delete_object"),
)
async def object_storage_delete_object(
    ctx: CallContext, bucket: Bucket, key: Key, region: Region = None, **arguments: Any
) -> dict[str, Any]:
    """Delete an object."""
    res = await s3.perform(
        ctx, "object_storage_delete_object", {**arguments, "bucket": bucket, "key": key, "region": region}
    )
    return {"deleted": {"bucket": bucket, "key": key, **res}}


@tool(
    safety="secret",
    scope="region",
    product=PRODUCT,
    performs=("object_storage_generate_presigned_url", "object_storage_get_object", "object_storage_put_object"),
    sdk=("boto3:s3.generate_presigned_url",),
)
async def object_storage_generate_presigned_url(
    ctx: CallContext,
    bucket: Bucket,
    key: Key,
    method: Annotated[
        Literal["download", "upload"], Field(description="download (GET) or upload (PUT) URL.")
    ] = "download",
    expires_seconds: Annotated[int, Field(ge=1, le=604800)] = 3600,
    content_type: Annotated[OptStr, Field(description="Upload: required Content-Type.")] = None,
    version_id: Annotated[OptStr, Field(description="Download: this version.")] = None,
    region: Region = None,
) -> dict[str, Any]:
    """Presigned URL for an object.

    Download or upload without credentials; anyone with it can, until expiry."""
    params: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if method == "upload" and content_type:
        params["ContentType"] = content_type
    if method == "download" and version_id:
        params["VersionId"] = version_id
    operation = "get_object" if method == "download" else "put_object"
    url = await ctx.run(
        lambda: ctx.s3(region).generate_presigned_url(operation, Params=params, ExpiresIn=expires_seconds)
    )
    out: dict[str, Any] = {
        "url": url,
        "method": "GET" if method == "download" else "PUT",
        "expires_seconds": expires_seconds,
    }
    if method == "upload" and content_type:
        out["required_headers"] = {"Content-Type": content_type}
    return out
