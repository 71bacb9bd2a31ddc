"""The ASGI layers in front of the MCP app, outermost first:

RequestLog   one stderr line per request: request id, JSON-RPC method, tool, status, duration
Health       GET /healthz: 200 with no token and nothing about the configuration
BearerToken  401 without `Authorization: Bearer <token>`
Limits       GET /mcp 405 (no standalone SSE stream in stateless mode), a cap on open
             `subscriptions/listen` streams (429) and on concurrent MCP requests (503)

The MCP app itself answers 413 (body too large), 421 (foreign Host) and 403 (foreign Origin).
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import Iterable
from typing import Any

from scw_mcp.runtime.redact import Redactor
from scw_mcp.runtime.secrets import is_secret_name

MCP_PATH = "/mcp"
HEALTH_PATH = "/healthz"
HIDDEN = "(hidden)"
MAX_INSPECTED_BODY = 1 << 20  # larger bodies are not parsed again just to name the method in the log
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")  # a load balancer's id is kept if it looks like one
_PLAIN = re.compile(r"^[A-Za-z0-9_./:-]{1,80}$")

request_log = logging.getLogger("scw_mcp.requests")
Header = tuple[bytes, bytes]


async def respond(send: Any, status: int, payload: dict[str, Any], headers: Iterable[Header] = ()) -> None:
    body = json.dumps(payload).encode()
    start = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": body})


def _header(scope: dict[str, Any], name: bytes) -> bytes | None:
    return next((value for key, value in scope.get("headers") or [] if key == name), None)


class BearerToken:
    """Reject HTTP requests without `Authorization: Bearer <token>` (401)."""

    def __init__(self, app: Any, token: str | None):
        self.app = app
        self.expected = f"Bearer {token}".encode() if token else None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.expected is not None:
            given = _header(scope, b"authorization") or b""
            if not hmac.compare_digest(given, self.expected):
                await respond(
                    send,
                    401,
                    {"error": "unauthorized", "message": "missing or wrong bearer token"},
                    [(b"www-authenticate", b'Bearer realm="scw-mcp"')],
                )
                return
        await self.app(scope, receive, send)


class Health:
    """`GET /healthz` for load balancers and probes: no token, no configuration in the answer."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == HEALTH_PATH:
            if scope["method"] not in ("GET", "HEAD"):
                await respond(send, 405, {"error": "method not allowed"}, [(b"allow", b"GET, HEAD")])
                return
            await respond(send, 200, {"status": "ok"})
            return
        await self.app(scope, receive, send)


class Limits:
    """Bounds on what one replica holds at once. Counters need no lock: one event loop runs them."""

    def __init__(self, app: Any, max_calls: int, max_streams: int):
        self.app = app
        self.max_calls = max_calls
        self.max_streams = max_streams
        self.calls = 0
        self.streams = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != MCP_PATH:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "GET":
            # Stateless: each POST is served by a fresh transport, so a standalone GET stream
            # would only hold a connection open with nothing ever sent on it. The spec's answer
            # for a server that offers none is 405.
            payload = {"error": "method not allowed", "message": "this server offers no GET stream; POST to /mcp"}
            await respond(send, 405, payload, [(b"allow", b"POST")])
            return
        # The one long-lived request: a subscription stream. The SDK requires this header to match
        # the body's method, so it is enough to tell a stream from a call.
        if _header(scope, b"mcp-method") == b"subscriptions/listen":
            if self.streams >= self.max_streams:
                message = f"{self.max_streams} open subscription streams is the limit (--max-sse-streams)"
                await respond(send, 429, {"error": "too many streams", "message": message}, [(b"retry-after", b"5")])
                return
            self.streams += 1
            try:
                await self.app(scope, receive, send)
            finally:
                self.streams -= 1
            return
        if self.calls >= self.max_calls:
            message = f"{self.max_calls} requests in flight is the limit (--max-concurrent-calls); retry"
            await respond(send, 503, {"error": "busy", "message": message}, [(b"retry-after", b"1")])
            return
        self.calls += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.calls -= 1


class RequestLog:
    """Writes `id=... method=... tool=... status=... ms=...` for every request but health checks,
    and echoes the id as `x-request-id`. Arguments are shown with secret-named values hidden,
    the configured secrets redacted and long strings cut (in that order); the body is read only
    as the app reads it."""

    def __init__(self, app: Any, redactor: Redactor | None = None):
        self.app = app
        self.redactor = redactor or Redactor()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] == HEALTH_PATH:
            await self.app(scope, receive, send)
            return
        given = (_header(scope, b"x-request-id") or b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex[:16]
        started = time.perf_counter()
        body = bytearray()
        status = 500  # what uvicorn answers when the app fails before answering

        async def receive_and_keep() -> dict[str, Any]:
            message = await receive()
            if message["type"] == "http.request" and len(body) <= MAX_INSPECTED_BODY:
                body.extend(message.get("body", b""))
            return message

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive_and_keep, send_with_id)
        finally:
            method, tool, arguments = describe(bytes(body), self.redactor)
            line = (
                f"id={request_id} method={method} tool={tool} status={status} "
                f"ms={(time.perf_counter() - started) * 1000:.1f} http={scope['method']}"
            )
            request_log.info(line + (f" args={arguments}" if arguments else ""))


def describe(body: bytes, redact: Redactor | None = None) -> tuple[str, str, str]:
    """JSON-RPC method, tool name and loggable arguments of a request body ('-' where none)."""
    if not body or len(body) > MAX_INSPECTED_BODY:
        return ("-" if not body else "?"), "-", ""
    try:
        message = json.loads(body)
    except ValueError:
        return "?", "-", ""
    if not isinstance(message, dict):
        return "batch" if isinstance(message, list) else "?", "-", ""
    method = _plain(message.get("method", "response" if "result" in message or "error" in message else "?"))
    params = message.get("params") if isinstance(message.get("params"), dict) else {}
    if method != "tools/call":
        return method, "-", ""
    arguments = params.get("arguments")
    shown = json.dumps(loggable(arguments, redact=redact), separators=(",", ":"), default=str) if arguments else ""
    return method, _plain(params.get("name", "?")), shown[:400] + ("…" if len(shown) > 400 else "")


def loggable(value: Any, depth: int = 0, redact: Redactor | None = None) -> Any:
    """Arguments as the log shows them: secret-named values hidden at any depth, the configured
    secrets redacted, then strings cut at 64."""
    if depth > 6:
        return "…"
    if isinstance(value, dict):
        return {
            str(k): HIDDEN if is_secret_name(str(k)) and v is not None else loggable(v, depth + 1, redact)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [loggable(v, depth + 1, redact) for v in value[:10]] + (["…"] if len(value) > 10 else [])
    if isinstance(value, str):
        value = redact(value) if redact is not None else value
        return value[:64] + "…" if len(value) > 64 else value
    return value


def _plain(value: Any) -> str:
    """A client-given name as one log token: as is when plain, else quoted (no forged log lines)."""
    text = str(value)
    return text if _PLAIN.match(text) else json.dumps(text[:80])
