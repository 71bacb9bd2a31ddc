"""A small recording fake of the Scaleway VPC API on loopback, for the runtime's e2e tests.

Stateful private networks (create, list with paging and X-Total-Count, get, delete), the
real API's 404 error shape, a record of every request, and fault injection (429 with
Retry-After, 5xx, non-JSON bodies, connection resets) on chosen routes.
"""

from __future__ import annotations

import fnmatch
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

ACCESS_KEY = "SCWTESTTESTTESTTEST1"
SECRET_KEY = "5ec2e7a1-0000-4000-8000-5ec2e7a1c0de"
PROJECT_ID = "11111111-1111-4111-8111-111111111111"
_NETWORKS = "/vpc/v2/regions/{region}/private-networks"


class FakeScaleway:
    def __init__(self) -> None:
        self.networks: dict[str, dict[str, Any]] = {}
        self.requests: list[dict[str, Any]] = []
        self.faults: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.api_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> "FakeScaleway":
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def env(self) -> dict[str, str]:
        return {
            "SCW_API_URL": self.api_url,
            "SCW_ACCESS_KEY": ACCESS_KEY,
            "SCW_SECRET_KEY": SECRET_KEY,
            "SCW_DEFAULT_PROJECT_ID": PROJECT_ID,
            "SCW_DEFAULT_REGION": "fr-par",
            "SCW_DEFAULT_ZONE": "fr-par-1",
        }

    def set_faults(self, faults: list[dict[str, Any]]) -> None:
        with self._lock:
            self.faults = [dict(f) for f in faults]

    def reset_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def _fault(self, method: str, path: str) -> dict[str, Any] | None:
        with self._lock:
            for fault in self.faults:
                if fnmatch.fnmatchcase(f"{method} {path}", fault["route"]) and fault.get("times", 1) != 0:
                    if "times" in fault:
                        fault["times"] -= 1
                    return fault
        return None

    def _handle(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any, dict[str, str]]:
        parts = path.strip("/").split("/")
        if parts[:3] != ["vpc", "v2", "regions"] or len(parts) < 5 or parts[4] != "private-networks":
            return 404, {"message": "route not found", "type": "not_found"}, {}
        region = parts[3]
        if len(parts) == 5 and method == "POST":
            now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            network = {"id": str(uuid.uuid4()), "name": body.get("name") or "pn", "tags": body.get("tags") or [],
                       "project_id": body.get("project_id") or PROJECT_ID, "organization_id": PROJECT_ID,
                       "region": region, "subnets": [], "vpc_id": str(uuid.uuid4()), "dhcp_enabled": True,
                       "created_at": now, "updated_at": now}
            with self._lock:
                self.networks[network["id"]] = network
            return 200, network, {}
        if len(parts) == 5 and method == "GET":
            name = query.get("name", [""])[0]
            items = [n for n in self.networks.values() if name in n["name"] and n["region"] == region]
            page, size = int(query.get("page", ["1"])[0]), int(query.get("page_size", ["50"])[0])
            chosen = items[(page - 1) * size : page * size]
            return 200, {"private_networks": chosen, "total_count": len(items)}, {"X-Total-Count": str(len(items))}
        network = self.networks.get(parts[5]) if len(parts) == 6 else None
        if network is None:
            return 404, {"message": "resource is not found", "resource": "vpc_private_network",
                         "resource_id": parts[-1], "type": "not_found"}, {}
        if method == "GET":
            return 200, network, {}
        if method == "DELETE":
            with self._lock:
                del self.networks[network["id"]]
            return 204, None, {}
        return 405, {"message": "method not allowed", "type": "invalid_request"}, {}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _serve(self) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else {}
                headers = {k.lower(): v for k, v in self.headers.items() if k.lower() != "x-auth-token"}
                with fake._lock:
                    fake.requests.append({"method": self.command, "path": url.path, "query": url.query,
                                          "body": body, "headers": headers})
                fault = fake._fault(self.command, url.path)
                if fault and fault["kind"] == "reset":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if fault and fault["kind"] == "non_json":
                    return self._send(502, b"<html>Bad Gateway</html>", {"Content-Type": "text/html"})
                if fault and fault["kind"] in ("429", "500", "503"):
                    extra = {"Retry-After": str(fault.get("retry_after", 0))} if fault["kind"] == "429" else {}
                    payload = {"message": "rate limited" if fault["kind"] == "429" else "internal error",
                               "type": "too_many_requests" if fault["kind"] == "429" else "internal"}
                    return self._send(int(fault["kind"]), json.dumps(payload).encode(), {"Content-Type": "application/json", **extra})
                status, payload, extra = fake._handle(self.command, url.path, parse_qs(url.query), body)
                data = b"" if payload is None else json.dumps(payload).encode()
                self._send(status, data, {"Content-Type": "application/json", **extra})

            def _send(self, status: int, data: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve

        return Handler
