"""Object storage operations (botocore's S3 model) at run time.

The executor behind every catalog entry with `"client": "s3"`, the conversions between a tool's
snake_case JSON and boto3's member names (with the client's own model: the one the generator
read), request bodies (`content` + `encoding`), response streams (text or base64, a byte range
at a time, `next_offset` to read on, within the output budget), listing pages (`next`) and the
previews of destructive operations (what they replace, read with the matching Get operation).

Every boto3 call runs in a worker thread with that thread's client for the region.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import inspect
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .context import CallContext
from .errors import ToolFailure, describe
from .results import DEFAULT_BUDGET, ROOM, dumps

MODULE = "scw_mcp.generated.object_storage"
# Room kept in the output budget for a read's metadata (content type, etag, range...).
METADATA_ROOM = 6_000
# Error codes that mean "nothing is set" for the read a preview shows (not a failure).
NOTHING_SET = {
    "NoSuchBucketPolicy",
    "NoSuchCORSConfiguration",
    "NoSuchLifecycleConfiguration",
    "NoSuchTagSet",
    "NoSuchTagSetError",
    "NoSuchWebsiteConfiguration",
    "ObjectLockConfigurationNotFoundError",
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchKey",
    "NotFound",
    "404",
    "NoSuchUpload",
    "NoSuchObjectLockConfiguration",
    "NoSuchVersion",
}
# Arguments that name what an operation acts on (shown apart from what it sets, in previews).
TARGET_ARGUMENTS = ("bucket", "key", "version_id", "upload_id", "region")
PREVIEW_KEYS = 100  # keys of a DeleteObjects preview looked up one by one
_RANGE_RE = re.compile(r"^bytes=(\d+)-(\d*)$")
_CONTENT_RANGE_RE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")


# --- conversions (used by the generated module) ---------------------------------------------


def _snake_members(shape: Any) -> dict[str, str]:
    from botocore import xform_name

    return {xform_name(member): member for member in shape.members}


def to_wire(shape: Any, value: Any) -> Any:
    """A tool's JSON value as boto3 takes it for this shape (snake_case keys -> member names)."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        names = _snake_members(shape)
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ToolFailure(
                f"Invalid arguments: {shape.name} has no field {', '.join(unknown)}; "
                f"its fields are {', '.join(sorted(names))}."
            )
        return {names[k]: to_wire(shape.members[names[k]], v) for k, v in value.items() if v is not None}
    if kind == "list" and isinstance(value, list):
        return [to_wire(shape.member, v) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: to_wire(shape.value, v) for k, v in value.items()}
    if kind == "blob" and isinstance(value, str) and not shape.serialization.get("streaming"):
        return _b64decode(value, shape.name)
    return value


def from_wire(shape: Any, value: Any) -> Any:
    """A boto3 response value as tool JSON: snake_case keys, ISO 8601 datetimes, base64 bytes."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        from botocore import xform_name

        return {xform_name(k): from_wire(shape.members[k], v) for k, v in value.items() if k in shape.members}
    if kind == "list" and isinstance(value, list):
        return [from_wire(shape.member, v) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: from_wire(shape.value, v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return value  # scalars, and a streaming body (read by the executor)


def call(method: Callable[..., Any], **params: Any) -> dict[str, Any]:
    """Call one boto3 S3 client method with member-named parameters (nested values still in
    tool JSON; None means not given) and return its response as tool JSON."""
    client = method.__self__  # type: ignore[attr-defined]
    operation = client.meta.service_model.operation_model(client.meta.method_to_api_mapping[method.__name__])
    members = operation.input_shape.members if operation.input_shape is not None else {}
    wire = {name: to_wire(members[name], value) for name, value in params.items() if value is not None}
    response = method(**wire)
    return from_wire(operation.output_shape, response) if operation.output_shape is not None else {}


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ToolFailure(
            f"{what} is not valid base64. What to do: send base64 text, or encoding='text' for plain text."
        ) from None


def body(content: str | None, encoding: str | None) -> bytes | None:
    """A request body from a tool's `content` (text, or base64 when encoding is base64)."""
    if content is None:
        return None
    if encoding == "base64":
        return _b64decode(content, "content")
    return content.encode("utf-8")


# --- running -------------------------------------------------------------------------------


def function(tool: str) -> Callable[..., dict[str, Any]]:
    """The generated function of an S3 tool (the module is imported on first use)."""
    return importlib.import_module(MODULE).OPERATIONS[tool][1]


def _kwargs(fn: Callable[..., Any], arguments: dict[str, Any]) -> dict[str, Any]:
    """The arguments this function takes (a preview's read takes a subset of the operation's)."""
    params = inspect.signature(fn).parameters
    return {name: value for name, value in arguments.items() if name in params}


def run_sync(ctx: CallContext, tool: str, arguments: dict[str, Any], region: str | None) -> dict[str, Any]:
    """Run one generated S3 operation in the calling (worker) thread, with its client for the region."""
    return function(tool)(ctx.s3(region), **_kwargs(function(tool), arguments))


async def perform(ctx: CallContext, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Run one generated S3 operation by tool name: tool JSON in (region included) and out."""
    arguments = dict(arguments)
    region = arguments.pop("region", None)
    return await ctx.run(run_sync, ctx, tool, arguments, region)


# --- response streams ----------------------------------------------------------------------


def _decode_text(data: bytes, cut: bool) -> str | None:
    """UTF-8 text, or None for binary; a cut may split the last character, so allow for that."""
    for trim in range(4 if cut else 1):
        try:
            return data[: len(data) - trim].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return None


def content_limit(budget: int = DEFAULT_BUDGET) -> int:
    """Bytes of object data one result can carry: base64 takes 4/3 of the budget left for it."""
    return max(1, (budget - METADATA_ROOM) * 3 // 4)


def _shape_content(
    result: dict[str, Any], data: bytes, prefer: str, start: int, total: int | None, end: int | None, budget: int
) -> dict[str, Any]:
    """The result with the data as text or base64 instead of the stream, cut to the budget."""
    asked_end = total if end is None else (min(end + 1, total) if total is not None else end + 1)  # exclusive
    while True:
        cut = asked_end is None or start + len(data) < asked_end
        text = None if prefer == "base64" else _decode_text(data, cut)
        if prefer == "text" and text is None:
            raise ToolFailure("The object is not UTF-8 text. What to do: call again with encoding='base64'.")
        length = len(text.encode("utf-8")) if text is not None else len(data)
        stop = start + length
        more = length > 0 and asked_end is not None and stop < asked_end
        out = {
            **{k: v for k, v in result.items() if k != "body"},
            "encoding": "text" if text is not None else "base64",
            "content": text if text is not None else base64.b64encode(data).decode("ascii"),
            "offset": start,
            "length": length,
            "size": total,
            "next_offset": stop if more else None,
        }
        if more:
            out["hint"] = (
                f"Bytes {start}-{stop - 1} of {total if total is not None else 'the object'}: "
                f"call again with offset={stop} (or range='bytes={stop}-') for the rest."
            )
        if len(dumps(out).encode()) <= budget or len(data) <= 1:
            return out
        data = data[: len(data) // 2]  # text full of escapes: send less, the rest comes with next_offset


def read_object(
    ctx: CallContext,
    tool: str,
    arguments: dict[str, Any],
    region: str | None,
    *,
    offset: int | None = None,
    max_bytes: int | None = None,
    prefer: str = "auto",
    budget: int = DEFAULT_BUDGET,
) -> dict[str, Any]:
    """GetObject a byte range at a time (in a worker thread): the range asked for (`range`, or
    `offset` and `max_bytes`), cut to what one result holds, with `next_offset` to read on."""
    limit = min(max_bytes or content_limit(budget), content_limit(budget))
    end: int | None = None
    given = arguments.get("range")
    start = offset or 0
    if offset is None and given:
        match = _RANGE_RE.match(given.strip())
        start = int(match.group(1)) if match else -1  # -1: a suffix range (bytes=-500), asked as it is
        end = int(match.group(2)) if match and match.group(2) else None
    if start >= 0:
        last = start + limit - 1 if end is None else min(end, start + limit - 1)
        arguments = {**arguments, "range": f"bytes={start}-{last}"}
    try:
        result = run_sync(ctx, tool, arguments, region)
    except Exception as exc:
        if error_code(exc) != "InvalidRange" or start != 0:
            raise
        result = run_sync(ctx, tool, {k: v for k, v in arguments.items() if k != "range"}, region)  # an empty object
    stream = result.get("body")
    try:
        data = stream.read(limit) if stream is not None else b""
    finally:
        if stream is not None:
            stream.close()
    match = _CONTENT_RANGE_RE.match(result.get("content_range") or "")
    if match:
        start = int(match.group(1))
        total = None if match.group(3) == "*" else int(match.group(3))
    else:  # the whole object came back
        start, total = 0, int(result.get("content_length") or len(data))
    return _shape_content(result, data, prefer, start, total, end, budget)


# --- previews ------------------------------------------------------------------------------


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def _read(ctx: CallContext, tool: str, arguments: dict[str, Any], region: str | None) -> Any:
    try:
        return run_sync(ctx, tool, arguments, region)
    except Exception as exc:
        if error_code(exc) in NOTHING_SET:
            return None
        return {"unavailable": describe(exc, ctx.redact)}


def _lifecycle_reach(ctx: CallContext, arguments: dict[str, Any], region: str | None) -> list[dict[str, Any]]:
    """For each enabled rule that expires objects: how many objects sit under its prefix now."""
    reach = []
    for rule in (arguments.get("lifecycle_configuration") or {}).get("rules") or []:
        if rule.get("status") != "Enabled" or not (rule.get("expiration") or rule.get("noncurrent_version_expiration")):
            continue
        rule_filter = rule.get("filter") or {}
        prefix = rule_filter.get("prefix") or (rule_filter.get("and") or {}).get("prefix") or rule.get("prefix") or ""
        listed = (
            _read(
                ctx,
                "object_storage_list_objects_v2",
                {"bucket": arguments["bucket"], "prefix": prefix, "max_keys": 1000},
                region,
            )
            or {}
        )
        count = listed.get("key_count") if isinstance(listed, dict) else None
        reach.append(
            {
                "rule": rule.get("id"),
                "prefix": prefix,
                "objects_now": count,
                "more_than_counted": bool(isinstance(listed, dict) and listed.get("is_truncated")),
            }
        )
    return reach


def preview_sync(ctx: CallContext, spec: dict[str, Any], arguments: dict[str, Any]) -> dict[str, Any]:
    arguments = dict(arguments)
    region = arguments.pop("region", None)
    targets = {k: v for k, v in arguments.items() if k in TARGET_ARGUMENTS}
    requested = {k: v for k, v in arguments.items() if k not in TARGET_ARGUMENTS}
    out: dict[str, Any] = {"operation": spec["operation"], **targets}
    read = spec.get("preview")
    if spec["operation"] == "DeleteObjects":
        objects = (arguments.get("delete") or {}).get("objects") or []
        out["objects"] = len(objects)
        out["current"] = [
            {
                "key": o.get("key"),
                "version_id": o.get("version_id"),
                **(_head(ctx, read, {"bucket": arguments.get("bucket"), **o}, region)),
            }
            for o in objects[:PREVIEW_KEYS]
        ]
        if len(objects) > PREVIEW_KEYS:
            out["not_looked_up"] = len(objects) - PREVIEW_KEYS
        return out
    if read:
        out["current"] = _read(ctx, read, arguments, region)
        if out["current"] is None:
            out["current_note"] = "Nothing is set (or the object does not exist) now."
    if requested:
        out["replaced_by" if spec["operation"].startswith("Put") else "with"] = requested
    if spec["operation"] == "PutBucketLifecycleConfiguration":
        out["expiring_rules"] = _lifecycle_reach(ctx, arguments, region)
    return out


def _head(ctx: CallContext, read: str | None, arguments: dict[str, Any], region: str | None) -> dict[str, Any]:
    if not read:
        return {}
    found = _read(ctx, read, arguments, region)
    if found is None:
        return {"exists": False}
    if "unavailable" in found:
        return found
    return {"exists": True, "size": found.get("content_length"), "last_modified": found.get("last_modified")}


# --- the executor --------------------------------------------------------------------------


def _dig(data: Any, path: str) -> Any:
    for part in path.split("."):
        index = None
        if part.endswith("]") and "[" in part:
            part, _, rest = part.partition("[")
            index = int(rest[:-1])
        data = data.get(part) if isinstance(data, dict) else None
        if index is not None:
            data = data[index] if isinstance(data, list) and data else None
    return data


def next_arguments(spec: dict[str, Any], result: dict[str, Any]) -> dict[str, Any] | None:
    """The arguments that resume a listing after this page (the paginator's tokens), or None."""
    if not spec.get("next"):
        return None
    if spec.get("more") and not result.get(spec["more"]):
        return None
    found = {}
    for argument, paths in spec["next"].items():
        value = next((v for v in (_dig(result, p) for p in paths) if v not in (None, "")), None)
        if value is not None:
            found[argument] = value
    return found or None


def _listed(result: dict[str, Any]) -> int:
    return sum(len(v) for v in result.values() if isinstance(v, list))


async def listing_within(fetch: Callable[[int], Any], size: int, budget: int = DEFAULT_BUDGET) -> dict[str, Any]:
    """A listing page that fits the output budget: asked again for fewer keys while it does not.
    S3 resumes exactly after the last entry of a page whatever its size, so `next` stays exact."""
    result = await fetch(size)
    for _ in range(4):
        total, count = len(dumps(result).encode()), _listed(result)
        if total <= budget - ROOM or count <= 1:
            break
        size = max(1, min(count - 1, count * (budget - ROOM) * 9 // (10 * total)))
        result = await fetch(size)
    return result


class S3Executor:
    """How a generated S3 operation runs (the catalog entry's `s3` block is `op.extra["s3"]`)."""

    def __init__(self, budget: int = DEFAULT_BUDGET):
        self.budget = budget

    async def execute(self, op: Any, ctx: CallContext, arguments: dict[str, Any]) -> dict[str, Any]:
        arguments = dict(arguments)
        region = arguments.pop("region", None)
        spec = op.extra["s3"]
        if spec.get("page_size") and arguments.get(spec["page_size"]) is None:
            arguments[spec["page_size"]] = spec["default_page_size"]
        if spec.get("body_out"):
            return await ctx.run(lambda: read_object(ctx, op.name, arguments, region, budget=self.budget))

        async def page(size: int | None) -> dict[str, Any]:
            asked = {**arguments, spec["page_size"]: size} if size else arguments
            result = await ctx.run(run_sync, ctx, op.name, asked, region)
            following = next_arguments(spec, result)
            if following:
                result["next"] = following
            return result

        if spec.get("page_size"):
            return await listing_within(page, arguments[spec["page_size"]], self.budget)
        return await page(None)

    async def preview(self, op: Any, ctx: CallContext, arguments: dict[str, Any]) -> dict[str, Any]:
        return await ctx.run(preview_sync, ctx, op.extra["s3"], arguments)
