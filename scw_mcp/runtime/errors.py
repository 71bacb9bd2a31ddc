"""Every failure becomes one clear message: what went wrong, then what to do.

Never a traceback, never a secret (`describe` takes the call's redactor and applies it before
cutting anything). A request that may have reached the API says so: a non-idempotent one that
timed out or lost its connection after being sent "may have been applied", with the lookup to
run before retrying, never a bare "retry".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Redact = Callable[[str], str]
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # the ones the HTTP stack retries (clients.py)
BODY_SHOWN = 200  # characters of a non-JSON error body quoted in a message


def _as_is(text: str) -> str:
    return text


class ToolFailure(Exception):
    """A failure whose message is meant for the user (and the model) as it is."""


_STATUS_HINTS = {
    400: "check the arguments against describe_operation",
    401: (
        "check the API key this server uses: SCW_ACCESS_KEY/SCW_SECRET_KEY in its environment or, where those "
        "are not set, access_key/secret_key of the profile in the scw config file (the resource scw://config "
        "says which); the key may be revoked or expired"
    ),
    403: "the API key lacks the permission (IAM policy) for this operation or project",
    404: "check the id and the zone/region (resources live in one zone or region)",
    409: "the resource is busy or in the wrong state; get it and retry when it is stable",
    412: "the resource changed or is in the wrong state; get it and retry",
    429: "rate limited: wait a moment and retry",
}


def _with_hint(text: str, hint: str) -> str:
    """The text as one sentence, then what to do (an API message that ends with a period gets no second)."""
    return f"{text.rstrip(' .')}. What to do: {hint}." if hint else text


def _scaleway_error_text(status: int | None, body: Any, redact: Redact = _as_is) -> str:
    parts = [f"Scaleway API error {status}"]
    if isinstance(body, dict):
        if body.get("type"):
            parts.append(f" ({body['type']})")
        message = body.get("message") or body.get("error") or ""
        if message:
            parts.append(f": {message}")
        details = []
        if isinstance(body.get("fields"), dict):
            details.extend(f"{k}: {', '.join(v) if isinstance(v, list) else v}" for k, v in body["fields"].items())
        for detail in body.get("details") or []:
            if isinstance(detail, dict):
                field = detail.get("argument_name") or detail.get("resource") or ""
                reason = detail.get("reason") or detail.get("help_message") or detail.get("message") or ""
                details.append(f"{field} {reason}".strip())
        for key in ("resource", "resource_id", "help_message", "current_state", "quota", "current", "limit"):
            if body.get(key) not in (None, ""):
                details.append(f"{key}={body[key]}")
        if details:
            parts.append(f" [{'; '.join(details)}]")
    elif body:
        parts.append(f": non-JSON response body: {redact(str(body))[:BODY_SHOWN]!r}")  # redacted before cut
    hint = _STATUS_HINTS.get(status or 0) or ("the API is unavailable; retry later" if (status or 0) >= 500 else "")
    return _with_hint("".join(parts), hint)


def _response_body(response: Any) -> Any:
    if response is None:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def describe(exc: BaseException, redact: Redact = _as_is, lookup: str | None = None) -> str:
    """A user-facing message for any exception raised while running an operation, redacted.

    lookup: how to check whether a call that may have been applied was (e.g. the listing of
    what it creates, filtered by name), for the message of an ambiguous failure; given for
    operations that change something."""
    return redact(_describe(exc, redact, lookup))


def _describe(exc: BaseException, redact: Redact, lookup: str | None) -> str:
    import requests
    from scaleway_core.api import ScalewayException

    from .clients import UnsafeUrl
    from .convert import ConversionError
    from .settings import SettingsError

    if isinstance(exc, (ToolFailure, SettingsError)):
        return str(exc)
    if isinstance(exc, ConversionError):
        return f"Invalid argument: {exc}"
    if isinstance(exc, UnsafeUrl):
        return f"Invalid argument: {exc}. What to do: pass the resource's id as the API returned it."
    if isinstance(exc, ScalewayException):
        return _scaleway_error_text(exc.status_code, _response_body(exc.response), redact)
    if isinstance(exc, (requests.exceptions.JSONDecodeError, json.JSONDecodeError)):
        body = " ".join(str(getattr(exc, "doc", "") or "").split())  # the body, e.g. a proxy's HTML error page
        quoted = f": {redact(body)[:BODY_SHOWN]!r}" if body else ""  # redacted before it is cut
        return (
            f"Scaleway API returned a non-JSON response{quoted}. What to do: retry later; if it persists, the "
            "endpoint (SCW_API_URL) may be wrong."
        )
    if isinstance(exc, (requests.exceptions.Timeout, requests.exceptions.ConnectionError)):
        return _transport_text(exc, lookup)
    if isinstance(exc, requests.exceptions.RetryError):
        return "The Scaleway API kept failing after retries (rate limited or unavailable). What to do: wait and retry."
    if isinstance(exc, TimeoutError):
        return f"Timed out: {exc}. What to do: the operation may still be running; check the resource's state."
    if _is_botocore(exc):
        return _botocore_text(exc, lookup)
    return (
        f"Unexpected error ({type(exc).__name__}). What to do: retry; if it persists, report it with the server's log."
    )


def _reason(exc: BaseException) -> BaseException | None:
    """The urllib3 error under a requests one (through MaxRetryError when retries ran out)."""
    import urllib3.exceptions

    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
    if isinstance(inner, urllib3.exceptions.MaxRetryError):
        return inner.reason
    return inner


def was_sent(exc: BaseException) -> bool:
    """Whether a failed request may have reached the API: False only when the connection was never made."""
    import requests
    import urllib3.exceptions

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    reason = _reason(exc)
    return not isinstance(reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError))


def _method(exc: BaseException) -> str:
    return str(getattr(getattr(exc, "request", None), "method", None) or "").upper()


def may_have_been_applied(exc: BaseException) -> bool:
    """A non-idempotent request (POST, PUT, PATCH, DELETE; or one of unknown method) that timed out or
    lost its connection after being sent."""
    import requests

    if not isinstance(exc, (requests.exceptions.Timeout, requests.exceptions.ConnectionError)):
        return False
    return was_sent(exc) and _method(exc) not in IDEMPOTENT_METHODS


def _transport_text(exc: BaseException, lookup: str | None) -> str:
    import requests
    import urllib3.exceptions

    if not was_sent(exc):
        return (
            "Could not connect to the Scaleway API (refused, unreachable or no answer to the connection); the "
            "request was not sent. What to do: check the network and SCW_API_URL, then retry."
        )
    reason = _reason(exc)
    timed_out = isinstance(exc, requests.exceptions.Timeout) or isinstance(reason, urllib3.exceptions.TimeoutError)
    what = "did not answer in time (timed out)" if timed_out else "closed the connection before answering (reset)"
    if may_have_been_applied(exc):
        check = lookup or "get or list what it creates or changes"
        return (
            f"The Scaleway API {what} after the {_method(exc) or 'change'} request was sent: it may have been "
            f"applied. What to do: do not retry yet; first check whether it took effect ({check}), and retry "
            "only if it did not."
        )
    return f"The Scaleway API {what}. What to do: retry; if it persists, check the network or SCW_API_URL."


BUCKET_NAMES = (
    "bucket names are 3-63 characters: lowercase letters, digits, dots and hyphens, starting and ending "
    "with a letter or a digit"
)
_S3_HINTS = {
    "404": "the bucket or object does not exist: check the names, the key and the region",
    "NotFound": "the bucket or object does not exist: check the names, the key and the region",
    "NoSuchBucket": "check the bucket name and the region (object_storage_list_buckets lists a region's buckets)",
    "NoSuchKey": "check the key (object_storage_list_objects_v2 lists a bucket's keys)",
    "BucketAlreadyExists": "bucket names are global: choose another name",
    "BucketAlreadyOwnedByYou": "the bucket exists already and is yours",
    "BucketNotEmpty": "delete its objects first (object_storage_delete_bucket with empty_first=true)",
    "InvalidBucketName": BUCKET_NAMES,
}


def _is_botocore(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("botocore")


def _botocore_text(exc: BaseException, lookup: str | None) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response["Error"]
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        text = f"Object storage error {status} ({error.get('Code')}): {error.get('Message') or ''}".rstrip(": ")
        hint = _S3_HINTS.get(str(error.get("Code"))) or _STATUS_HINTS.get(status or 0)
        return _with_hint(text, hint)
    name = type(exc).__name__
    if name == "ParamValidationError":  # boto3's own checks (bucket name syntax, types), before any request
        report = " ".join(str(getattr(exc, "kwargs", {}).get("report", exc)).split())
        if report.startswith("Invalid bucket name"):
            report = f"{report.split(':')[0]}. What to do: {BUCKET_NAMES}."
        return f"Invalid arguments for object storage: {report}"
    if name in ("EndpointConnectionError", "ConnectTimeoutError"):
        return "Could not reach the object storage endpoint. What to do: check SCW_S3_ENDPOINT_URL and the region."
    if name in ("ReadTimeoutError", "ConnectionClosedError"):
        timed_out = name == "ReadTimeoutError"
        what = "did not answer in time (timed out)" if timed_out else "closed the connection before answering"
        if lookup:  # an operation that changes something: it may have happened
            return (
                f"The object storage endpoint {what} after the request was sent: it may have been applied. "
                f"What to do: do not retry yet; first check whether it took effect ({lookup}), and retry only if "
                "it did not."
            )
        return f"The object storage endpoint {what}. What to do: retry; if it persists, check SCW_S3_ENDPOINT_URL."
    if name in ("NoCredentialsError", "PartialCredentialsError"):
        return "Object storage needs SCW_ACCESS_KEY and SCW_SECRET_KEY."
    return f"Object storage error ({name})."
