"""Object Storage (S3-compatible; the SDK has no object API): buckets, objects, presigned URLs.

All calls go through boto3 (`ctx.s3(region)`) in worker threads.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from typing import Annotated, Any, Literal

from pydantic import Field

from scw_mcp.overrides._common import OptStr, Region
from scw_mcp.overrides.declare import tool
from scw_mcp.runtime.context import CallContext
from scw_mcp.runtime.errors import ToolFailure

Bucket = Annotated[str, Field(min_length=3, max_length=63)]
Key = Annotated[str, Field(min_length=1, max_length=1024, description="Object key.")]
RegionArg = Region

DEFAULT_MAX_BYTES = 1024 * 1024
TEXT_TYPES = ("application/json", "application/xml", "application/yaml", "application/javascript", "application/x-yaml")


def _is_missing(exc: Exception) -> bool:
    code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound", "NoSuchBucket")


@tool(
    safety="read",
    scope="region",
    product="object_storage",
    performs=("object_storage_list_buckets",),
    sdk=("botocore:s3.ListBuckets",),
)
async def object_storage_list_buckets(ctx: CallContext, region: RegionArg = None) -> dict[str, Any]:
    """List Object Storage buckets."""
    s3 = ctx.s3(region)
    res = await ctx.run(s3.list_buckets)
    items = [{"name": b["Name"], "creation_date": b.get("CreationDate")} for b in res.get("Buckets", [])]
    return {"items": items, "total_count": len(items), "region": ctx.region(region)}


@tool(
    safety="mutate",
    scope="region",
    product="object_storage",
    performs=("object_storage_create_bucket",),
    sdk=("botocore:s3.CreateBucket",),
)
async def object_storage_create_bucket(
    ctx: CallContext,
    bucket: Bucket,
    region: RegionArg = None,
    public_read: Annotated[bool, Field(description="ACL public-read.")] = False,
) -> dict[str, Any]:
    """Create a bucket."""
    region = ctx.region(region)
    s3 = ctx.s3(region)
    kwargs: dict[str, Any] = {"Bucket": bucket, "CreateBucketConfiguration": {"LocationConstraint": region}}
    if public_read:
        kwargs["ACL"] = "public-read"
    await ctx.run(s3.create_bucket, **kwargs)
    return {"bucket": bucket, "region": region, "endpoint": ctx.settings.s3_endpoint(region), "public_read": public_read}


async def _count_objects(ctx: CallContext, bucket: str, region: str | None, limit: int = 10_000) -> tuple[int, int, bool]:
    """(objects, bytes, more) of a bucket, counting at most `limit` objects."""
    s3 = ctx.s3(region)
    count = size = 0
    token = None
    while True:
        kwargs: dict[str, Any] = {"Bucket": bucket, "MaxKeys": 1000}
        if token:
            kwargs["ContinuationToken"] = token
        res = await ctx.run(s3.list_objects_v2, **kwargs)
        for obj in res.get("Contents", []):
            count += 1
            size += int(obj.get("Size") or 0)
        token = res.get("NextContinuationToken")
        if not res.get("IsTruncated") or not token:
            return count, size, False
        if count >= limit:
            return count, size, True


async def _bucket_delete_preview(ctx: CallContext, bucket: str, region: OptStr = None, empty_first: bool = False) -> dict[str, Any]:
    count, size, more = await _count_objects(ctx, bucket, region)
    shown = f"{'at least ' if more else ''}{count} objects ({size} bytes)"
    preview: dict[str, Any] = {"bucket": bucket, "region": ctx.region(region), "objects": count, "bytes": size, "counted_all": not more}
    if count and not empty_first:
        preview["will_fail"] = f"The bucket holds {shown}: the delete will be refused unless empty_first=true."
    elif count:
        preview["will_delete"] = f"All {shown} (and their versions), then the bucket."
    else:
        preview["will_delete"] = "The empty bucket."
    return preview


async def _empty_bucket(ctx: CallContext, bucket: str, region: str | None) -> int:
    s3 = ctx.s3(region)
    deleted = 0
    while True:  # object versions and delete markers cover both versioned and plain buckets
        res = await ctx.run(s3.list_object_versions, Bucket=bucket, MaxKeys=1000)
        batch = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in res.get("Versions", []) + res.get("DeleteMarkers", [])]
        if not batch:
            break
        await ctx.run(s3.delete_objects, Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        deleted += len(batch)
        await ctx.progress(deleted, None, f"deleted {deleted} objects")
    # Some S3 implementations do not list plain objects as versions: sweep those too.
    while True:
        res = await ctx.run(s3.list_objects_v2, Bucket=bucket, MaxKeys=1000)
        batch = [{"Key": o["Key"]} for o in res.get("Contents", [])]
        if not batch:
            return deleted
        await ctx.run(s3.delete_objects, Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        deleted += len(batch)


@tool(
    safety="destructive",
    scope="region",
    product="object_storage",
    preview=_bucket_delete_preview,
    performs=("object_storage_delete_bucket",),
    sdk=("botocore:s3.DeleteBucket",),
)
async def object_storage_delete_bucket(
    ctx: CallContext,
    bucket: Bucket,
    region: RegionArg = None,
    empty_first: Annotated[bool, Field(description="Delete all objects first.")] = False,
) -> dict[str, Any]:
    """Delete a bucket.

    Refused if not empty, unless empty_first=true."""
    s3 = ctx.s3(region)
    deleted = 0
    if empty_first:
        deleted = await _empty_bucket(ctx, bucket, region)
    else:
        res = await ctx.run(s3.list_objects_v2, Bucket=bucket, MaxKeys=1)
        if res.get("KeyCount") or res.get("Contents"):
            raise ToolFailure(f"Bucket {bucket!r} is not empty. What to do: delete its objects, or call again with empty_first=true to delete them all.")
    await ctx.run(s3.delete_bucket, Bucket=bucket)
    return {"deleted_bucket": bucket, "deleted_objects": deleted}


@tool(
    safety="read",
    scope="region",
    product="object_storage",
    performs=("object_storage_list_objects_v2",),
    sdk=("botocore:s3.ListObjectsV2",),
)
async def object_storage_list_objects_v2(
    ctx: CallContext,
    bucket: Bucket,
    prefix: Annotated[OptStr, Field(description="Only keys starting with this.")] = None,
    delimiter: Annotated[OptStr, Field(description='E.g. "/" to list one folder level (see prefixes).')] = None,
    max_keys: Annotated[int, Field(ge=1, le=1000)] = 100,
    continuation_token: Annotated[OptStr, Field(description="From the previous page.")] = None,
    region: RegionArg = None,
) -> dict[str, Any]:
    """List objects in a bucket."""
    s3 = ctx.s3(region)
    kwargs: dict[str, Any] = {"Bucket": bucket, "MaxKeys": max_keys}
    for name, value in (("Prefix", prefix), ("Delimiter", delimiter), ("ContinuationToken", continuation_token)):
        if value:
            kwargs[name] = value
    res = await ctx.run(s3.list_objects_v2, **kwargs)
    items = [
        {"key": o["Key"], "size": o.get("Size"), "last_modified": o.get("LastModified"), "storage_class": o.get("StorageClass")}
        for o in res.get("Contents", [])
    ]
    out: dict[str, Any] = {"items": items, "total_count": len(items), "next_continuation_token": res.get("NextContinuationToken") if res.get("IsTruncated") else None}
    if res.get("CommonPrefixes"):
        out["prefixes"] = [p["Prefix"] for p in res["CommonPrefixes"]]
    return out


def _decode_text(data: bytes, cut: bool) -> str | None:
    """UTF-8 text, or None for binary; a cut may split the last character, so allow for that."""
    for trim in range(4 if cut else 1):
        try:
            return data[: len(data) - trim].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return None


@tool(
    safety="read",
    scope="region",
    product="object_storage",
    performs=("object_storage_get_object",),
    sdk=("botocore:s3.GetObject",),
)
async def object_storage_get_object(
    ctx: CallContext,
    bucket: Bucket,
    key: Key,
    max_bytes: Annotated[int, Field(ge=1, le=10 * 1024 * 1024, description="Read at most this many bytes.")] = DEFAULT_MAX_BYTES,
    encoding: Annotated[Literal["auto", "text", "base64"], Field(description="auto: text if UTF-8, else base64.")] = "auto",
    region: RegionArg = None,
) -> dict[str, Any]:
    """Read an object.

    Text, or base64 if binary; at most max_bytes (says if cut)."""
    s3 = ctx.s3(region)
    res = await ctx.run(s3.get_object, Bucket=bucket, Key=key, Range=f"bytes=0-{max_bytes - 1}")
    body = res["Body"]
    try:
        data = await ctx.run(body.read, max_bytes)
    finally:
        body.close()
    total = int(res.get("ContentRange", "").rpartition("/")[2] or res.get("ContentLength") or len(data)) if res.get("ContentRange") else int(res.get("ContentLength") or len(data))
    cut = total > len(data)
    text = None if encoding == "base64" else _decode_text(data, cut)
    if encoding == "text" and text is None:
        raise ToolFailure(f"Object {key!r} is not UTF-8 text. What to do: call again with encoding='base64'.")
    out: dict[str, Any] = {
        "bucket": bucket,
        "key": key,
        "content_type": res.get("ContentType"),
        "size": total,
        "last_modified": res.get("LastModified"),
        "etag": res.get("ETag"),
        "encoding": "text" if text is not None else "base64",
        "content": text if text is not None else base64.b64encode(data).decode("ascii"),
        "truncated": cut,
    }
    if cut:
        out["hint"] = f"Only the first {len(data)} of {total} bytes are shown. Raise max_bytes, or use object_storage_generate_presigned_url to download it."
    return out


@tool(
    safety="mutate",
    scope="region",
    product="object_storage",
    performs=("object_storage_put_object",),
    sdk=("botocore:s3.PutObject",),
)
async def object_storage_put_object(
    ctx: CallContext,
    bucket: Bucket,
    key: Key,
    content: Annotated[str, Field(description="Text, or base64 if encoding=base64.")],
    encoding: Literal["text", "base64"] = "text",
    content_type: Annotated[OptStr, Field(description="Default: guessed from key.")] = None,
    region: RegionArg = None,
) -> dict[str, Any]:
    """Upload (create or replace) an object."""
    if encoding == "base64":
        try:
            data = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise ToolFailure("content is not valid base64. What to do: send base64 text, or encoding='text' for plain text.") from None
    else:
        data = content.encode("utf-8")
    guessed = mimetypes.guess_type(key)[0]
    content_type = content_type or guessed or ("text/plain; charset=utf-8" if encoding == "text" else "application/octet-stream")
    s3 = ctx.s3(region)
    res = await ctx.run(s3.put_object, Bucket=bucket, Key=key, Body=data, ContentType=content_type)
    return {"bucket": bucket, "key": key, "size": len(data), "content_type": content_type, "etag": res.get("ETag"), "version_id": res.get("VersionId")}


async def _object_delete_preview(ctx: CallContext, bucket: str, key: str, region: OptStr = None) -> dict[str, Any]:
    s3 = ctx.s3(region)
    try:
        head = await ctx.run(s3.head_object, Bucket=bucket, Key=key)
    except Exception as exc:
        if _is_missing(exc):
            return {"bucket": bucket, "key": key, "exists": False, "note": "No such object: the delete will do nothing."}
        raise
    return {
        "bucket": bucket,
        "key": key,
        "exists": True,
        "size": head.get("ContentLength"),
        "content_type": head.get("ContentType"),
        "last_modified": head.get("LastModified"),
        "will_delete": "This object (on a versioned bucket, older versions remain).",
    }


@tool(
    safety="destructive",
    scope="region",
    product="object_storage",
    preview=_object_delete_preview,
    performs=("object_storage_delete_object",),
    sdk=("botocore:s3.DeleteObject",),
)
async def object_storage_delete_object(ctx: CallContext, bucket: Bucket, key: Key, region: RegionArg = None) -> dict[str, Any]:
    """Delete an object."""
    s3 = ctx.s3(region)
    await ctx.run(s3.delete_object, Bucket=bucket, Key=key)
    return {"deleted": {"bucket": bucket, "key": key}}


@tool(
    safety="secret",
    scope="region",
    product="object_storage",
    performs=("object_storage_generate_presigned_url",),
    sdk=("boto3:s3.generate_presigned_url",),
)
async def object_storage_generate_presigned_url(
    ctx: CallContext,
    bucket: Bucket,
    key: Key,
    method: Annotated[Literal["download", "upload"], Field(description="download (GET) or upload (PUT) URL.")] = "download",
    expires_seconds: Annotated[int, Field(ge=1, le=604800)] = 3600,
    content_type: Annotated[OptStr, Field(description="Upload: required Content-Type.")] = None,
    region: RegionArg = None,
) -> dict[str, Any]:
    """Presigned URL for an object.

    Download or upload without credentials; anyone with it can, until expiry."""
    s3 = ctx.s3(region)
    params: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if method == "upload" and content_type:
        params["ContentType"] = content_type
    operation = "get_object" if method == "download" else "put_object"
    url = await ctx.run(s3.generate_presigned_url, operation, Params=params, ExpiresIn=expires_seconds)
    out: dict[str, Any] = {"url": url, "method": "GET" if method == "download" else "PUT", "expires_seconds": expires_seconds}
    if method == "upload" and content_type:
        out["required_headers"] = {"Content-Type": content_type}
    return out
