"""Streamable HTTP transport: stateless (any replica serves any client), bearer token,
Host/Origin checks against DNS rebinding."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

import click

log = logging.getLogger("scw_mcp")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class BearerTokenMiddleware:
    """Reject HTTP requests without `Authorization: Bearer <token>` (401)."""

    def __init__(self, app: Any, token: str | None):
        self.app = app
        self.expected = f"Bearer {token}".encode() if token else None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.expected is not None:
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                body = json.dumps({"error": "unauthorized", "message": "missing or wrong bearer token"}).encode()
                await send({"type": "http.response.start", "status": 401, "headers": [
                    (b"content-type", b"application/json"), (b"www-authenticate", b'Bearer realm="scw-mcp"')]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def http_app(server: Any, host: str, port: int, token: str | None) -> Any:
    from mcp.server.transport_security import TransportSecuritySettings

    hosts = {host, "127.0.0.1", "localhost"} if host in LOOPBACK or host in ("0.0.0.0", "::") else {host}
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=sorted({f"{h}:{port}" for h in hosts} | hosts),
        allowed_origins=sorted({f"http://{h}:{port}" for h in hosts} | {f"https://{h}" for h in hosts}),
    )
    app = server.streamable_http_app(stateless_http=True, json_response=True, transport_security=security, host=host)
    return BearerTokenMiddleware(app, token)


def serve_http(server: Any, host: str, port: int, token: str | None, allow_no_token: bool) -> None:
    if not token:
        if not (allow_no_token and host in LOOPBACK):
            raise click.ClickException(
                "HTTP transport needs SCW_MCP_HTTP_TOKEN (clients send it as 'Authorization: Bearer <token>'). "
                "Without a token it only runs on loopback with --http-no-token."
            )
        log.warning("serving HTTP without a token on %s (loopback only)", host)
    import uvicorn

    uvicorn.run(http_app(server, host, port, token), host=host, port=port, log_level="warning")
