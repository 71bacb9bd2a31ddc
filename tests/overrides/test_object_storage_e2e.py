"""Object storage flows through the real mcp client (in memory) against the `object_storage`
toolset and the sandbox's S3 (moto on loopback, driven by boto3); tests/sandbox/test_session.py
runs the same tools over stdio through `scw-mcp --sandbox`.

Every tool here is either generated from botocore's S3 model or a hand-written stand-in named
after the operation; both go through the same runner, safety classes and confirmation.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import anyio
import pytest

from scw_mcp.sandbox import Sandbox
from tests.inmemory import session, text_of

PART = 5 * 1024 * 1024  # S3's minimum size of every part but the last


class Calls:
    def __init__(self, client: Any) -> None:
        self.client = client

    async def ok(self, tool: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        result = await self.client.call_tool(tool, args or {})
        assert not result.is_error, f"{tool}: {text_of(result)}"
        assert json.loads(text_of(result)) == result.structured_content
        return result.structured_content

    async def error(self, tool: str, args: dict[str, Any]) -> str:
        result = await self.client.call_tool(tool, args)
        text = text_of(result)
        assert result.is_error, f"{tool} should fail: {result.structured_content}"
        assert "Traceback" not in text and "Error executing tool" not in text, text
        return text

    async def confirmed(self, tool: str, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """A destructive call: (its preview, the result of the call with the preview's token)."""
        preview = await self.ok(tool, args)
        assert preview["status"] == "confirmation_required" and preview["confirm_token"], preview
        return preview, await self.ok(tool, {**args, "confirm_token": preview["confirm_token"]})


@pytest.fixture(scope="module")
def s3_sandbox() -> Any:
    with Sandbox() as sb:
        yield sb


def run(sb: Sandbox, scenario) -> None:
    async def main() -> None:
        async with session(sb, toolsets=("object_storage",)) as client:
            await scenario(Calls(client))

    anyio.run(main)


@pytest.fixture(scope="module")
def listed_tools(s3_sandbox) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    async def scenario(calls: Calls) -> None:
        found.extend(t.model_dump(by_alias=True, exclude_none=True) for t in (await calls.client.list_tools()).tools)

    run(s3_sandbox, scenario)
    return found


def test_the_toolset_serves_every_supported_operation_once(listed_tools) -> None:
    import yaml

    from tests.conftest import ROOT

    data = yaml.safe_load((ROOT / "scw_mcp" / "data" / "s3_operations.yaml").read_text())
    from botocore import xform_name

    expected = {f"object_storage_{xform_name(op)}" for op in data["supported"]} | {
        "object_storage_generate_presigned_url"
    }
    names = [t["name"] for t in listed_tools]
    assert len(names) == len(set(names))
    assert set(names) - {"search_operations", "describe_operation", "call_operation"} == expected
    by_name = {t["name"]: t for t in listed_tools}
    versioning = by_name["object_storage_put_bucket_versioning"]["inputSchema"]
    assert versioning["required"] == ["bucket", "versioning_configuration"]
    assert versioning["properties"]["versioning_configuration"]["type"] == "object"  # listed as an object
    from scw_mcp.server import served_catalog

    full = served_catalog().get("object_storage_put_bucket_versioning").input_schema  # what describe_operation shows
    assert full["$defs"]["VersioningConfiguration"]["properties"]["status"]["enum"] == ["Enabled", "Suspended"]
    assert by_name["object_storage_put_bucket_policy"]["annotations"]["destructiveHint"] is True
    assert by_name["object_storage_head_object"]["annotations"]["readOnlyHint"] is True
    # tools/list shows a stand-in's own arguments and says it takes its twin's too
    listed = by_name["object_storage_get_object"]["inputSchema"]
    assert {"offset", "max_bytes", "encoding"} <= set(listed["properties"]) and listed["additionalProperties"] is True
    assert "every argument of the operation it stands in for" in by_name["object_storage_get_object"]["description"]


def test_stand_ins_take_every_argument_of_their_operation(s3_sandbox) -> None:
    async def scenario(calls: Calls) -> None:
        described = await calls.ok("describe_operation", {"name": "object_storage_get_object"})
        assert {"range", "version_id", "if_match", "offset", "max_bytes", "encoding"} <= set(
            described["input_schema"]["properties"]
        )
        assert described["input_schema"]["additionalProperties"] is False
        await calls.ok("object_storage_create_bucket", {"bucket": "args", "object_lock_enabled_for_bucket": False})
        put = await calls.ok(
            "object_storage_put_object",
            {
                "bucket": "args",
                "key": "k.json",
                "content": "{}",
                "metadata": {"owner": "me"},
                "cache_control": "no-cache",
            },
        )
        assert put["content_type"] == "application/json" and put["e_tag"]
        head = await calls.ok("object_storage_head_object", {"bucket": "args", "key": "k.json"})
        assert head["metadata"] == {"owner": "me"} and head["cache_control"] == "no-cache"
        got = await calls.ok("object_storage_get_object", {"bucket": "args", "key": "k.json", "if_match": put["e_tag"]})
        assert got["content"] == "{}"
        text = await calls.error(
            "object_storage_get_object", {"bucket": "args", "key": "k.json", "if_match": '"other"'}
        )
        assert "412" in text or "PreconditionFailed" in text
        text = await calls.error("object_storage_get_object", {"bucket": "args", "key": "k.json", "no_such": 1})
        assert "no_such" in text

    run(s3_sandbox, scenario)


def test_versioning_keeps_two_versions(s3_sandbox) -> None:
    async def scenario(calls: Calls) -> None:
        await calls.ok("object_storage_create_bucket", {"bucket": "versions"})
        await calls.ok(
            "object_storage_put_bucket_versioning",
            {"bucket": "versions", "versioning_configuration": {"status": "Enabled"}},
        )
        assert (await calls.ok("object_storage_get_bucket_versioning", {"bucket": "versions"}))["status"] == "Enabled"
        first = await calls.ok("object_storage_put_object", {"bucket": "versions", "key": "a.txt", "content": "one"})
        second = await calls.ok("object_storage_put_object", {"bucket": "versions", "key": "a.txt", "content": "two"})
        assert first["version_id"] and second["version_id"] and first["version_id"] != second["version_id"]
        assert first["e_tag"] and second["size"] == 3
        listed = await calls.ok("object_storage_list_object_versions", {"bucket": "versions"})
        versions = listed["versions"]
        assert sorted(v["version_id"] for v in versions) == sorted([first["version_id"], second["version_id"]])
        assert [v["is_latest"] for v in versions if v["version_id"] == second["version_id"]] == [True]
        old = await calls.ok(
            "object_storage_get_object", {"bucket": "versions", "key": "a.txt", "version_id": first["version_id"]}
        )
        assert old["content"] == "one" and old["encoding"] == "text" and old["next_offset"] is None

    run(s3_sandbox, scenario)


def test_lifecycle_cors_and_tagging_round_trips(s3_sandbox) -> None:
    rules = [{"id": "expire-logs", "status": "Enabled", "filter": {"prefix": "logs/"}, "expiration": {"days": 30}}]
    cors = [{"allowed_methods": ["GET", "PUT"], "allowed_origins": ["https://example.com"], "max_age_seconds": 300}]

    async def scenario(calls: Calls) -> None:
        await calls.ok("object_storage_create_bucket", {"bucket": "rules"})
        await calls.ok("object_storage_put_object", {"bucket": "rules", "key": "logs/1.log", "content": "x"})
        await calls.ok("object_storage_put_object", {"bucket": "rules", "key": "logs/2.log", "content": "y"})
        # Replacing the lifecycle rules is destructive: the preview shows the rules now (none) and
        # how many objects the new expiring rule reaches.
        preview, _ = await calls.confirmed(
            "object_storage_put_bucket_lifecycle_configuration",
            {"bucket": "rules", "lifecycle_configuration": {"rules": rules}},
        )
        target = preview["target"]
        assert target["current"] is None and target["replaced_by"]["lifecycle_configuration"]["rules"] == rules
        assert target["expiring_rules"] == [
            {"rule": "expire-logs", "prefix": "logs/", "objects_now": 2, "more_than_counted": False}
        ]
        got = await calls.ok("object_storage_get_bucket_lifecycle_configuration", {"bucket": "rules"})
        assert got["rules"][0]["id"] == "expire-logs" and got["rules"][0]["expiration"]["days"] == 30
        assert got["rules"][0]["filter"]["prefix"] == "logs/"

        await calls.confirmed(
            "object_storage_put_bucket_cors", {"bucket": "rules", "cors_configuration": {"cors_rules": cors}}
        )
        got = await calls.ok("object_storage_get_bucket_cors", {"bucket": "rules"})
        assert got["cors_rules"][0]["allowed_origins"] == ["https://example.com"]
        assert got["cors_rules"][0]["max_age_seconds"] == 300

        tags = {"tag_set": [{"key": "team", "value": "web"}, {"key": "env", "value": "prod"}]}
        await calls.confirmed("object_storage_put_bucket_tagging", {"bucket": "rules", "tagging": tags})
        got = await calls.ok("object_storage_get_bucket_tagging", {"bucket": "rules"})
        assert sorted((t["key"], t["value"]) for t in got["tag_set"]) == [("env", "prod"), ("team", "web")]
        preview, _ = await calls.confirmed(
            "object_storage_put_object_tagging",
            {"bucket": "rules", "key": "logs/1.log", "tagging": {"tag_set": [{"key": "keep", "value": "no"}]}},
        )
        assert preview["target"]["current"] == {"tag_set": []} or preview["target"]["current"]["tag_set"] == []
        got = await calls.ok("object_storage_get_object_tagging", {"bucket": "rules", "key": "logs/1.log"})
        assert got["tag_set"] == [{"key": "keep", "value": "no"}]

    run(s3_sandbox, scenario)


def test_multipart_upload(s3_sandbox) -> None:
    first = base64.b64encode(b"a" * PART).decode()

    async def scenario(calls: Calls) -> None:
        await calls.ok("object_storage_create_bucket", {"bucket": "big"})
        upload = await calls.ok("object_storage_create_multipart_upload", {"bucket": "big", "key": "video.bin"})
        upload_id = upload["upload_id"]
        assert upload["key"] == "video.bin" and upload_id
        part1 = await calls.ok(
            "object_storage_upload_part",
            {
                "bucket": "big",
                "key": "video.bin",
                "upload_id": upload_id,
                "part_number": 1,
                "content": first,
                "encoding": "base64",
            },
        )
        part2 = await calls.ok(
            "object_storage_upload_part",
            {"bucket": "big", "key": "video.bin", "upload_id": upload_id, "part_number": 2, "content": "the end"},
        )
        parts = await calls.ok(
            "object_storage_list_parts", {"bucket": "big", "key": "video.bin", "upload_id": upload_id}
        )
        assert [p["part_number"] for p in parts["parts"]] == [1, 2]
        done = await calls.ok(
            "object_storage_complete_multipart_upload",
            {
                "bucket": "big",
                "key": "video.bin",
                "upload_id": upload_id,
                "multipart_upload": {
                    "parts": [
                        {"part_number": 1, "e_tag": part1["e_tag"]},
                        {"part_number": 2, "e_tag": part2["e_tag"]},
                    ]
                },
            },
        )
        assert done["key"] == "video.bin" and done["e_tag"]
        head = await calls.ok("object_storage_head_object", {"bucket": "big", "key": "video.bin"})
        assert head["content_length"] == PART + len("the end")
        # Reading it back: one byte range at a time within the output budget.
        chunk = await calls.ok("object_storage_get_object", {"bucket": "big", "key": "video.bin"})
        assert chunk["size"] == PART + 7 and chunk["offset"] == 0 and 0 < chunk["length"] < PART
        assert chunk["next_offset"] == chunk["length"] and chunk["content"] == "a" * chunk["length"]
        tail = await calls.ok("object_storage_get_object", {"bucket": "big", "key": "video.bin", "offset": PART + 4})
        assert tail["content"] == "end" and tail["next_offset"] is None
        ranged = await calls.ok(
            "object_storage_get_object", {"bucket": "big", "key": "video.bin", "range": f"bytes={PART}-{PART + 2}"}
        )
        assert ranged["content"] == "the" and ranged["next_offset"] is None
        # An upload left unfinished can be aborted, which discards its parts: destructive, previewed.
        other = await calls.ok("object_storage_create_multipart_upload", {"bucket": "big", "key": "left.bin"})
        await calls.ok(
            "object_storage_upload_part",
            {
                "bucket": "big",
                "key": "left.bin",
                "upload_id": other["upload_id"],
                "part_number": 1,
                "content": "lost",
            },
        )
        preview, _ = await calls.confirmed(
            "object_storage_abort_multipart_upload",
            {"bucket": "big", "key": "left.bin", "upload_id": other["upload_id"]},
        )
        assert [p["size"] for p in preview["target"]["current"]["parts"]] == [4]
        uploads = await calls.ok("object_storage_list_multipart_uploads", {"bucket": "big"})
        assert not uploads.get("uploads")

    run(s3_sandbox, scenario)


def test_replacing_a_policy_previews_the_current_one(s3_sandbox) -> None:
    def policy(action: str) -> str:
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Id": "p",
                "Statement": [
                    {
                        "Sid": "s",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": action,
                        "Resource": "arn:aws:s3:::guarded/*",
                    }
                ],
            }
        )

    async def scenario(calls: Calls) -> None:
        await calls.ok("object_storage_create_bucket", {"bucket": "guarded"})
        preview, _ = await calls.confirmed(
            "object_storage_put_bucket_policy", {"bucket": "guarded", "policy": policy("s3:GetObject")}
        )
        assert preview["target"]["current"] is None  # no policy yet
        args = {"bucket": "guarded", "policy": policy("s3:PutObject")}
        preview = await calls.ok("object_storage_put_bucket_policy", args)
        assert preview["status"] == "confirmation_required"
        assert json.loads(preview["target"]["current"]["policy"])["Statement"][0]["Action"] == "s3:GetObject"
        assert preview["target"]["replaced_by"] == {"policy": args["policy"]}
        # nothing changed before the confirmation
        now = await calls.ok("object_storage_get_bucket_policy", {"bucket": "guarded"})
        assert json.loads(now["policy"])["Statement"][0]["Action"] == "s3:GetObject"
        await calls.ok("object_storage_put_bucket_policy", {**args, "confirm_token": preview["confirm_token"]})
        now = await calls.ok("object_storage_get_bucket_policy", {"bucket": "guarded"})
        assert json.loads(now["policy"])["Statement"][0]["Action"] == "s3:PutObject"
        # a token binds the exact arguments: another policy needs its own preview
        text = await calls.error(
            "object_storage_put_bucket_policy",
            {"bucket": "guarded", "policy": policy("s3:*"), "confirm_token": preview["confirm_token"]},
        )
        assert "token" in text.lower()

    run(s3_sandbox, scenario)


def test_delete_objects_and_bucket_previews(s3_sandbox) -> None:
    async def scenario(calls: Calls) -> None:
        await calls.ok("object_storage_create_bucket", {"bucket": "trash"})
        for key in ("a", "b"):
            await calls.ok("object_storage_put_object", {"bucket": "trash", "key": key, "content": key * 3})
        preview = await calls.ok("object_storage_delete_bucket", {"bucket": "trash"})
        assert preview["target"]["objects"] == 2 and "will_fail" in preview["target"]
        args = {"bucket": "trash", "delete": {"objects": [{"key": "a"}, {"key": "missing"}]}}
        preview, done = await calls.confirmed("object_storage_delete_objects", args)
        assert preview["target"]["current"] == [
            {
                "key": "a",
                "version_id": None,
                "exists": True,
                "size": 3,
                "last_modified": preview["target"]["current"][0]["last_modified"],
            },
            {"key": "missing", "version_id": None, "exists": False},
        ]
        assert sorted(d["key"] for d in done["deleted"]) == ["a", "missing"]
        listed = await calls.ok("object_storage_list_objects_v2", {"bucket": "trash"})
        assert [i["key"] for i in listed["items"]] == ["b"] and listed["summary"]["bytes"] == 3
        _, done = await calls.confirmed("object_storage_delete_bucket", {"bucket": "trash", "empty_first": True})
        assert done == {"deleted_bucket": "trash", "deleted_objects": 1}

    run(s3_sandbox, scenario)


def deletes_sent(sb: Sandbox, bucket: str) -> tuple[int, int]:
    """(DeleteObjects, DeleteBucket) requests the sandbox's S3 received for this bucket."""
    objects = [
        r for r in sb.s3_requests if r["method"] == "POST" and r["path"] == f"/{bucket}" and "delete" in r["query"]
    ]
    buckets = [r for r in sb.s3_requests if r["method"] == "DELETE" and r["path"] == f"/{bucket}"]
    return len(objects), len(buckets)


def test_empty_first_stops_at_objects_it_cannot_delete(s3_sandbox) -> None:
    """DeleteObjects answers 200 and names the locked ones under `errors`: the tool stops there and
    says so, instead of listing and deleting the same versions for ever."""

    async def scenario(calls: Calls) -> None:
        await calls.ok("object_storage_create_bucket", {"bucket": "locked", "object_lock_enabled_for_bucket": True})
        held = await calls.ok(
            "object_storage_put_object",
            {"bucket": "locked", "key": "held.txt", "content": "keep", "object_lock_legal_hold_status": "ON"},
        )
        await calls.ok("object_storage_put_object", {"bucket": "locked", "key": "free.txt", "content": "go"})
        args = {"bucket": "locked", "empty_first": True}
        preview = await calls.ok("object_storage_delete_bucket", args)
        assert preview["target"]["versions"] == 2 and "Every version" in preview["target"]["will_delete"]
        s3_sandbox.reset_requests()
        with anyio.fail_after(60):  # the old loop never ended
            text = await calls.error(
                "object_storage_delete_bucket", {**args, "confirm_token": preview["confirm_token"]}
            )
        assert text.startswith("1 objects in bucket 'locked' could not be deleted (e.g. 'held.txt': AccessDenied"), text
        assert "1 were deleted and the bucket is kept" in text and "What to do: lift" in text
        assert deletes_sent(s3_sandbox, "locked") == (1, 0)  # one DeleteObjects, no DeleteBucket
        left = await calls.ok("object_storage_list_object_versions", {"bucket": "locked"})
        assert [(v["key"], v["version_id"]) for v in left["versions"]] == [("held.txt", held["version_id"])]
        # Once the hold is lifted, the same call empties and deletes the bucket.
        await calls.confirmed(
            "object_storage_put_object_legal_hold",
            {
                "bucket": "locked",
                "key": "held.txt",
                "version_id": held["version_id"],
                "legal_hold": {"status": "OFF"},
            },
        )
        _, done = await calls.confirmed("object_storage_delete_bucket", args)
        assert done == {"deleted_bucket": "locked", "deleted_objects": 1}

    run(s3_sandbox, scenario)


def test_old_versions_and_delete_markers_keep_a_bucket_from_being_empty(s3_sandbox) -> None:
    async def scenario(calls: Calls) -> None:
        await calls.ok("object_storage_create_bucket", {"bucket": "history"})
        await calls.ok(
            "object_storage_put_bucket_versioning",
            {"bucket": "history", "versioning_configuration": {"status": "Enabled"}},
        )
        await calls.ok("object_storage_put_object", {"bucket": "history", "key": "a.txt", "content": "one"})
        await calls.confirmed("object_storage_delete_object", {"bucket": "history", "key": "a.txt"})  # a marker
        preview = await calls.ok("object_storage_delete_bucket", {"bucket": "history"})
        target = preview["target"]
        assert (target["objects"], target["bytes"], target["versions"], target["counted_all"]) == (0, 0, 2, True)
        assert target["will_fail"] == (
            "The bucket holds 0 objects (0 bytes); 2 versions and delete markers in all: "
            "the delete will be refused unless empty_first=true."
        )
        s3_sandbox.reset_requests()
        text = await calls.error(
            "object_storage_delete_bucket", {"bucket": "history", "confirm_token": preview["confirm_token"]}
        )
        assert "Bucket 'history' is not empty: it holds 0 objects (0 bytes); 2 versions and delete markers" in text
        assert "What to do:" in text
        assert deletes_sent(s3_sandbox, "history") == (0, 0)  # refused before any delete was sent
        preview = await calls.ok("object_storage_delete_bucket", {"bucket": "history", "empty_first": True})
        assert preview["target"]["will_delete"].startswith("Every version and delete marker (0 objects (0 bytes); 2")
        s3_sandbox.reset_requests()
        done = await calls.ok(
            "object_storage_delete_bucket",
            {"bucket": "history", "empty_first": True, "confirm_token": preview["confirm_token"]},
        )
        assert done == {"deleted_bucket": "history", "deleted_objects": 2}
        assert deletes_sent(s3_sandbox, "history") == (1, 1)
        buckets = await calls.ok("object_storage_list_buckets")
        assert "history" not in [b["name"] for b in buckets["items"]]

    run(s3_sandbox, scenario)


def test_bad_input_gives_clean_errors(s3_sandbox) -> None:
    async def scenario(calls: Calls) -> None:
        text = await calls.error("object_storage_list_objects_v2", {"bucket": "no-such-bucket"})
        assert "NoSuchBucket" in text and "What to do" in text
        text = await calls.error("object_storage_get_bucket_versioning", {"bucket": "no-such-bucket"})
        assert "404" in text and "NoSuchBucket" in text
        text = await calls.error("object_storage_head_bucket", {"bucket": "Not_A_Valid_Bucket!"})
        assert "Invalid bucket name" in text and "lowercase letters" in text and "arn:" not in text
        text = await calls.error("object_storage_create_bucket", {"bucket": "Bad_Name"})
        assert text.startswith("Invalid arguments for object_storage_create_bucket: bucket:") and "Bad_Name" in text
        text = await calls.error("object_storage_head_bucket", {"bucket": "no-such-bucket"})
        assert "404" in text and "does not exist" in text
        text = await calls.error(
            "object_storage_put_bucket_versioning",
            {"bucket": "x-bucket", "versioning_configuration": {"status": "On"}},
        )
        assert "'On' is not one of the accepted values: Enabled, Suspended" in text
        text = await calls.error(
            "object_storage_upload_part",
            {
                "bucket": "x-bucket",
                "key": "k",
                "upload_id": "u",
                "part_number": 1,
                "content": "%%%",
                "encoding": "base64",
            },
        )
        assert "not valid base64" in text

    run(s3_sandbox, scenario)
