"""Streamable HTTP transport: stateless (any replica serves any client), bearer token, Host/Origin
checks against DNS rebinding, a health endpoint, limits, and a graceful stop on SIGTERM.

Layers: `middleware.py` (ASGI, per request) and `protocol.py` (per connection, below ASGI).
Running N replicas behind a load balancer: docs/deploy.md.
"""

from __future__ import annotations

import logging
import signal
from dataclasses import dataclass
from typing import Any

import click

log = logging.getLogger("scw_mcp")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class HttpOptions:
    """How one HTTP replica listens and what it holds at most (the CLI's defaults; docs/deploy.md)."""

    host: str = "127.0.0.1"
    port: int = 8080
    token: str | None = None
    allowed_hosts: tuple[str, ...] = ()  # names clients reach this replica by (load balancer, Service)
    max_concurrent_calls: int = 64
    max_connections: int = 256
    max_sse_streams: int = 8
    header_timeout: float = 10.0
    # Longer than the mcp Python client's (httpx) 5 s: the client, not the server, ends an idle connection, so a
    # request never races the server's close of the connection it was sent on.
    keepalive_timeout: float = 15.0
    shutdown_grace: float = 20.0


def _authority(host: str) -> str:
    """A host as a Host header or an origin spells it: an IPv6 address in brackets ([::1]:8080)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def transport_security(options: HttpOptions) -> Any:
    """The Host and Origin headers the server answers (DNS rebinding protection)."""
    from mcp.server.transport_security import TransportSecuritySettings

    host, port = options.host, options.port
    local = {host, "127.0.0.1", "localhost"} if host in LOOPBACK or host in ("0.0.0.0", "::") else {host}
    local, named = {_authority(h) for h in local}, {_authority(h) for h in options.allowed_hosts}
    named_origins = {f"{scheme}://{h}{port_}" for h in named for scheme in ("http", "https") for port_ in ("", ":*")}
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=sorted({f"{h}:{port}" for h in local} | local | named | {f"{h}:*" for h in named}),
        allowed_origins=sorted({f"http://{h}:{port}" for h in local} | {f"https://{h}" for h in local} | named_origins),
    )


def http_app(server: Any, options: HttpOptions) -> Any:
    from .middleware import BearerToken, Health, Limits, RequestLog

    host, security = options.host, transport_security(options)
    app = server.streamable_http_app(stateless_http=True, json_response=True, transport_security=security, host=host)
    limited = Limits(app, options.max_concurrent_calls, options.max_sse_streams)
    redactor = server.scw_settings.redactor.with_secrets(options.token)
    return RequestLog(Health(BearerToken(limited, options.token)), redactor)


def serve_http(server: Any, options: HttpOptions, allow_no_token: bool) -> None:
    if not options.token:
        if not (allow_no_token and options.host in LOOPBACK):
            raise click.ClickException(
                "HTTP transport needs SCW_MCP_HTTP_TOKEN (clients send it as 'Authorization: Bearer <token>'). "
                "Without a token it only runs on loopback with --http-no-token."
            )
        log.warning("serving HTTP without a token on %s (loopback only)", options.host)
    import uvicorn

    from .protocol import protocol_class

    config = uvicorn.Config(
        # log_config=None: uvicorn's loggers go to our stderr handler, whose filter redacts (cli.py)
        http_app(server, options),
        host=options.host,
        port=options.port,
        log_level="warning",
        log_config=None,
        lifespan="on",
        http=protocol_class(options.header_timeout, options.max_connections),
        ws="none",  # MCP has no WebSocket
        timeout_keep_alive=options.keepalive_timeout,  # type: ignore[arg-type]  # a float works
        timeout_graceful_shutdown=options.shutdown_grace,  # type: ignore[arg-type]
    )
    # uvicorn stops gracefully on SIGTERM (no new connections, in-flight requests finish within the
    # grace period), then raises the signal again under the handler it found: with the default one
    # the process would die of SIGTERM (exit -15) after a clean stop. A stop asked for is a success,
    # and the process is on its way out: a repeated SIGTERM is ignored from here on.
    signal.signal(signal.SIGTERM, lambda *_: None)
    uvicorn.Server(config).run()
    log.info("HTTP server stopped")
