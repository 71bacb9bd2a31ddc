"""The sandbox's HTTP front: a threaded loopback server over the engine, with faults and a log."""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from .engine import Engine, Reply
from .faults import Faults, echo_body, echo_text

log = logging.getLogger("scw_mcp.sandbox")
_HIDDEN_HEADERS = ("x-auth-token",)  # never kept in the request log


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class ApiServer:
    def __init__(
        self, engine: Engine, faults: Faults, host: str = "127.0.0.1", port: int = 0, record: bool = True
    ) -> None:
        self.engine = engine
        self.faults = faults
        self.requests: list[dict[str, Any]] = []
        self.record = record  # a long-running standalone sandbox keeps no log nobody can read
        self._lock = threading.Lock()
        self._httpd = _Server((host, port), self._handler())
        self.url = f"http://{host}:{self._httpd.server_address[1]}"
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="scw-sandbox-api", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _record(self, entry: dict[str, Any]) -> None:
        if not self.record:
            return
        with self._lock:
            self.requests.append(entry)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle on, a keep-alive client waits
            # for the delayed ACK (~40 ms) on every response.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:  # stdout/stderr stay clean
                pass

            def _serve(self) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body: Any = None
                if raw and "json" in (self.headers.get("Content-Type") or "application/json"):
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        body = _INVALID
                elif raw:  # a few routes take raw content (instance user data)
                    body = raw.decode("utf-8", "replace")
                headers = {k.lower(): v for k, v in self.headers.items() if k.lower() not in _HIDDEN_HEADERS}
                query = parse_qs(url.query)
                api._record(
                    {
                        "method": self.command,
                        "path": url.path,
                        "query": {k: v if len(v) > 1 else v[0] for k, v in query.items()},
                        "body": None if body is _INVALID else body,
                        "headers": headers,
                    }
                )
                fault = api.faults.take(self.command, url.path)
                if fault is not None:
                    if fault.kind == "latency":
                        time.sleep(fault.seconds)
                    elif fault.kind == "reset":
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    elif fault.kind == "non_json":
                        return self._send(502, b"<html><body>502 Bad Gateway</body></html>", "text/html")
                    elif fault.kind in ("echo_token", "echo_token_text"):
                        token, sent = self.headers.get("X-Auth-Token") or "", raw.decode("utf-8", "replace")
                        if fault.kind == "echo_token":
                            return self._reply(Reply(400, echo_body(token, sent)))
                        return self._send(400, echo_text(token, sent).encode(), "text/html")
                    else:
                        return self._reply(_fault_reply(fault.kind, fault.retry_after))
                if body is _INVALID:
                    return self._reply(Reply(400, {"message": "invalid JSON body", "type": "invalid_request_error"}))
                try:
                    reply = api.engine.handle(self.command, url.path, query, body, self.headers.get("X-Auth-Token"))
                except Exception as exc:  # a sandbox bug: say so like the API would, keep serving
                    log.exception("sandbox: %s %s failed", self.command, url.path)
                    reply = Reply(
                        500, {"message": f"sandbox error: {type(exc).__name__}: {exc}", "type": "internal_error"}
                    )
                self._reply(reply)

            def _reply(self, reply: Reply) -> None:
                data = b"" if reply.body is None else json.dumps(reply.body).encode()
                self._send(reply.status, data, "application/json", reply.headers)

            def _send(self, status: int, data: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", content_type)
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        return Handler


_INVALID = object()


def _fault_reply(kind: str, retry_after: int) -> Reply:
    if kind == "429":
        return Reply(
            429,
            {"message": "quota exceeded: too many requests", "type": "too_many_requests"},
            {"Retry-After": str(retry_after)},
        )
    return Reply(int(kind), {"message": "internal server error", "type": "internal_error"})
