"""Object storage overrides against a real S3 endpoint on loopback (the sandbox's moto server)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator

import anyio
import pytest

from scw_mcp.overrides import object_storage as obj
from scw_mcp.runtime.context import CallContext
from scw_mcp.runtime.errors import ToolFailure
from scw_mcp.runtime.settings import Settings
from scw_mcp.sandbox import Sandbox

ACCESS_KEY = "SCWXXXXXXXXXXXXXXXXX"
SECRET_KEY = "11111111-2222-3333-4444-555555555555"


@pytest.fixture(scope="module")
def s3_sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


@pytest.fixture(scope="module")
def s3_endpoint(s3_sandbox: Sandbox) -> str:
    return s3_sandbox.s3_endpoint_url


@pytest.fixture()
def ctx(s3_endpoint: str) -> CallContext:
    settings = Settings(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        project_id=str(uuid.uuid4()),
        api_url="http://127.0.0.1:9",  # never used by object storage
        s3_endpoint_url=s3_endpoint,
    )
    return CallContext(settings=settings, tool="object_storage_test")


def run(fn, *args, **kwargs):
    return anyio.run(lambda: fn(*args, **kwargs))


def test_round_trip(ctx: CallContext) -> None:
    bucket = f"b-{uuid.uuid4().hex[:12]}"
    assert run(obj.object_storage_create_bucket, ctx, bucket)["bucket"] == bucket
    assert bucket in [b["name"] for b in run(obj.object_storage_list_buckets, ctx)["items"]]

    put = run(obj.object_storage_put_object, ctx, bucket, "docs/hello.txt", "héllo world")
    assert put["size"] == len("héllo world".encode()) and put["content_type"].startswith("text/plain")
    binary = bytes(range(256))
    run(obj.object_storage_put_object, ctx, bucket, "bin/blob", base64.b64encode(binary).decode(), encoding="base64")

    listed = run(obj.object_storage_list_objects_v2, ctx, bucket)
    assert sorted(i["key"] for i in listed["items"]) == ["bin/blob", "docs/hello.txt"]
    assert run(obj.object_storage_list_objects_v2, ctx, bucket, prefix="docs/")["total_count"] == 1
    folders = run(obj.object_storage_list_objects_v2, ctx, bucket, delimiter="/")
    assert folders["prefixes"] == ["bin/", "docs/"] and folders["items"] == []
    page = run(obj.object_storage_list_objects_v2, ctx, bucket, max_keys=1)
    assert page["next_continuation_token"]
    rest = run(
        obj.object_storage_list_objects_v2, ctx, bucket, max_keys=1, continuation_token=page["next_continuation_token"]
    )
    assert rest["items"][0]["key"] != page["items"][0]["key"]

    text = run(obj.object_storage_get_object, ctx, bucket, "docs/hello.txt")
    assert text["content"] == "héllo world" and text["encoding"] == "text" and text["next_offset"] is None
    blob = run(obj.object_storage_get_object, ctx, bucket, "bin/blob")
    assert blob["encoding"] == "base64" and base64.b64decode(blob["content"]) == binary
    cut = run(obj.object_storage_get_object, ctx, bucket, "docs/hello.txt", max_bytes=2)  # cuts inside "é"
    assert cut["next_offset"] == 1 and cut["size"] == 12 and cut["content"] == "h" and "hint" in cut
    rest = run(obj.object_storage_get_object, ctx, bucket, "docs/hello.txt", offset=cut["next_offset"])
    assert rest["content"] == "éllo world" and rest["next_offset"] is None

    url = run(obj.object_storage_generate_presigned_url, ctx, bucket, "docs/hello.txt", expires_seconds=60)
    assert url["method"] == "GET" and bucket in url["url"] and "Signature" in url["url"]

    preview = anyio.run(lambda: obj._delete_object_preview(ctx, bucket, "docs/hello.txt"))
    assert preview["exists"] and preview["size"] == 12
    run(obj.object_storage_delete_object, ctx, bucket, "docs/hello.txt")
    assert not anyio.run(lambda: obj._delete_object_preview(ctx, bucket, "docs/hello.txt"))["exists"]

    # A non-empty bucket is refused unless empty_first.
    preview = anyio.run(lambda: obj._delete_bucket_preview(ctx, bucket))
    assert preview["objects"] == 1 and "will_fail" in preview
    with pytest.raises(ToolFailure, match="not empty"):
        run(obj.object_storage_delete_bucket, ctx, bucket)
    assert run(obj.object_storage_delete_bucket, ctx, bucket, empty_first=True)["deleted_objects"] == 1
    assert bucket not in [b["name"] for b in run(obj.object_storage_list_buckets, ctx)["items"]]


def test_empty_bucket_delete_and_bad_base64(ctx: CallContext) -> None:
    bucket = f"b-{uuid.uuid4().hex[:12]}"
    run(obj.object_storage_create_bucket, ctx, bucket)
    with pytest.raises(ToolFailure, match="base64"):
        run(obj.object_storage_put_object, ctx, bucket, "k", "not base64!!", encoding="base64")
    assert run(obj.object_storage_delete_bucket, ctx, bucket) == {"deleted_bucket": bucket, "deleted_objects": 0}


def test_versions_and_delete_markers_are_counted_page_by_page(ctx: CallContext, s3_sandbox: Sandbox) -> None:
    bucket = f"b-{uuid.uuid4().hex[:12]}"
    run(obj.object_storage_create_bucket, ctx, bucket)
    s3 = ctx.s3(None)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for content in ("1", "22", "333"):
        s3.put_object(Bucket=bucket, Key="a", Body=content.encode())
    s3.delete_object(Bucket=bucket, Key="a")  # a delete marker: no current object left
    s3.put_object(Bucket=bucket, Key="b", Body=b"4444")
    s3_sandbox.reset_requests()
    assert run(obj._count_versions, ctx, bucket, None, page=2) == (5, False)
    pages = [r["query"] for r in s3_sandbox.s3_requests]
    assert [p.get("max-keys") for p in pages] == ["2", "2", "2"]
    assert "key-marker" not in pages[0] and all(p["key-marker"] and p["version-id-marker"] for p in pages[1:])
    assert run(obj._count_versions, ctx, bucket, None, limit=3, page=2) == (4, True)  # capped
    assert run(obj._count_objects, ctx, bucket, None, page=1) == (1, 4, False)
    held = run(obj._contents, ctx, bucket, None)
    assert (held.objects, held.bytes, held.versions, held.empty) == (1, 4, 5, False)
