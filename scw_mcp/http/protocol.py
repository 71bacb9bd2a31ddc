"""uvicorn's h11 protocol with what it lacks to shed idle work: a request-header deadline and a
cap on open connections.

uvicorn (0.54) times out idle keep-alive connections only: nothing bounds a connection that
opens and says nothing, or sends half its headers, or trickles the body of a request that was
already answered (a 401 without reading it); `timeout_keep_alive` is disarmed by every byte
received. ASGI middleware cannot help: it runs only once the headers are complete. So the
deadline lives here, at the protocol level.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("scw_mcp.http")

# Written before closing a connection over the cap: a load balancer can tell busy from broken.
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\nretry-after: 1\r\n"
    b"content-length: 25\r\nconnection: close\r\n\r\ntoo many open connections"
)
_WARN_EVERY_SECONDS = 10.0


class GuardedH11Protocol(H11Protocol):
    """One per connection. The header deadline runs from the moment a request is owed (the
    connection opened, or the first bytes of the next request on a kept-alive one) until its
    line and headers are complete; and again when we answered before the body was all sent,
    for the client to finish it. When it passes, the connection is closed."""

    header_timeout: float = 10.0
    max_connections: int = 256
    _last_warning: float = 0.0  # class-wide: one warning per burst, not one per connection

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            self._warn(f"refusing connections: {self.max_connections} open is the limit (--max-connections)")
            transport.write(_BUSY)
            transport.close()
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch(data_arrived=True)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch(data_arrived=False)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # --- the deadline ------------------------------------------------------------------
    def _watch(self, data_arrived: bool) -> None:
        if self.transport.is_closing():
            self._disarm()
            return
        theirs, ours = self.conn.their_state, self.conn.our_state
        # IDLE after bytes arrived: a request has started but its headers are not complete.
        # (IDLE without new bytes is a kept-alive connection between requests: timeout_keep_alive's.)
        owed_headers = theirs is h11.IDLE and data_arrived
        # We answered before reading the whole body (401, 413, 421, ...): the rest is only drained.
        draining_body = theirs is h11.SEND_BODY and ours in (h11.DONE, h11.MUST_CLOSE)
        if owed_headers or draining_body:
            if self._deadline is None:
                self._arm()
        else:
            self._disarm()

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(self.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            peer = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
            log.info(
                "closing the connection from %s: no complete request within %.0f s (--http-header-timeout)",
                peer,
                self.header_timeout,
            )
            self.transport.close()

    @classmethod
    def _warn(cls, message: str) -> None:
        now = time.monotonic()
        if now - cls._last_warning >= _WARN_EVERY_SECONDS:
            GuardedH11Protocol._last_warning = now
            log.warning(message)


def protocol_class(header_timeout: float, max_connections: int) -> type[GuardedH11Protocol]:
    """A protocol class carrying this server's numbers (uvicorn instantiates it per connection)."""
    return type(
        "ScwH11Protocol", (GuardedH11Protocol,), {"header_timeout": header_timeout, "max_connections": max_connections}
    )
