"""A tiny stand-in for the Instance, Marketplace and Block APIs on loopback.

Used only when the project sandbox (scw_mcp.sandbox) is not available. Response bodies are
taken from the recorded cassettes (/work/shared/cassettes) so the SDK unmarshals real shapes.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

CASSETTES = Path(__file__).resolve().parents[3] / "shared" / "cassettes"  # shared/ beside the clone


def _cassette(name: str) -> list[dict[str, Any]]:
    return json.loads((CASSETTES / name).read_text(encoding="utf-8"))["interactions"]


class FakeInstanceApi:
    """Servers start stopped; an action moves them through starting/stopping on the next GET."""

    def __init__(self) -> None:
        create = _cassette("instance-create-server-simple-default.json")
        self.server_types = {**create[0]["body"]["servers"], **create[1]["body"]["servers"]}
        self.local_images = copy.deepcopy(create[2]["body"]["local_images"])
        for image in self.local_images:
            image["label"] = "ubuntu_noble"
        self.server_template = _cassette("instance-server-delete-with-all-volumes.json")[7]["body"]["server"]
        self.task_template = _cassette("instance-create-server-simple-with-start.json")[5]["body"]["task"]
        self.servers: dict[str, dict[str, Any]] = {}
        self.pending: dict[str, str] = {}  # server id -> state reached on the next GET
        self.block_volumes: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, Any]] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> "FakeInstanceApi":
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # --- behaviour --------------------------------------------------------------------
    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        self.requests.append((method, path, body))
        m = re.match(r"^/instance/v1/zones/([^/]+)/(.*)$", path)
        if path.startswith("/marketplace/v2/local-images"):
            items = [i for i in self.local_images if i["label"] == query.get("image_label") and (not query.get("type") or i["type"] == query["type"])]
            return 200, {"local_images": items, "total_count": len(items)}
        if path.startswith("/marketplace/v2/images"):
            return 200, {"images": [{"id": str(uuid.uuid4()), "name": "Ubuntu 24.04", "label": "ubuntu_noble", "description": "", "logo": "", "categories": [], "valid_until": None, "created_at": None, "updated_at": None}], "total_count": 1}
        b = re.match(r"^/block/v1alpha1/zones/([^/]+)/volumes/([^/]+)$", path)
        if b:
            volume = self.block_volumes.get(b.group(2))
            if volume is None:
                return 404, {"message": "resource is not found", "type": "not_found"}
            if method == "DELETE":
                del self.block_volumes[b.group(2)]
                return 204, None
            return 200, volume
        if not m:
            return 404, {"message": f"no route {path}", "type": "not_found"}
        zone, rest = m.groups()
        if rest == "products/servers":
            return 200, {"servers": self.server_types}
        if rest == "servers" and method == "GET":
            items = [s for s in self.servers.values() if s["zone"] == zone and (not query.get("name") or query["name"] in s["name"])]
            return 200, {"servers": items}
        if rest == "servers" and method == "POST":
            return 201, {"server": self._create(zone, body)}
        s = re.match(r"^servers/([^/]+)(/action|/private_nics)?$", rest)
        if s:
            server = self.servers.get(s.group(1))
            if server is None:
                return 404, {"message": "resource is not found", "type": "unknown_resource"}
            if s.group(2) == "/action":
                action = body["action"]
                server["state"] = {"poweron": "starting", "poweroff": "stopping", "reboot": "running"}[action]
                self.pending[server["id"]] = "stopped" if action == "poweroff" else "running"
                return 202, {"task": {**self.task_template, "description": f"server_{action}"}}
            if s.group(2) == "/private_nics":
                nic = {"id": str(uuid.uuid4()), "server_id": server["id"], "private_network_id": body["private_network_id"], "mac_address": "02:00:00:00:00:01", "state": "syncing", "tags": [], "creation_date": None, "zone": zone}
                server["private_nics"].append(nic)
                return 201, {"private_nic": nic}
            if method == "DELETE":
                if server["state"] != "stopped":
                    return 400, {"message": "server should be stopped", "type": "invalid_request_error"}
                del self.servers[server["id"]]
                for volume in server["volumes"].values():  # detached: available for deletion
                    if volume["id"] in self.block_volumes:
                        self.block_volumes[volume["id"]]["status"] = "available"
                return 204, None
            if server["id"] in self.pending:  # one poll later the transition is done
                server["state"] = self.pending.pop(server["id"])
            return 200, {"server": server}
        ip = re.match(r"^ips/([^/]+)$", rest)
        if ip and method == "DELETE":
            return 204, None
        return 404, {"message": f"no route {path}", "type": "not_found"}

    def _create(self, zone: str, body: dict[str, Any]) -> dict[str, Any]:
        server = copy.deepcopy(self.server_template)
        server.update(id=str(uuid.uuid4()), name=body["name"], commercial_type=body["commercial_type"], zone=zone, state="stopped", tags=body.get("tags") or [])
        server["image"]["id"] = body["image"]
        root = str(uuid.uuid4())
        server["volumes"] = {"0": {"boot": False, "volume_type": "sbs_volume", "id": root, "state": "available", "zone": zone}}
        self.block_volumes[root] = {"id": root, "name": "root", "type": "sbs_5k", "size": 10_000_000_000, "project_id": body.get("project"), "zone": zone, "status": "in_use", "references": [], "tags": [], "specs": None, "parent_snapshot_id": None, "created_at": None, "updated_at": None, "last_detached_at": None}
        self.servers[server["id"]] = server
        return server

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                status, payload = api.handle(self.command, url.path, query, body)
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if isinstance(payload, dict):
                    for key in ("servers", "local_images", "images"):
                        if isinstance(payload.get(key), (list, dict)):
                            self.send_header("X-Total-Count", str(len(payload[key])))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = do_PATCH = _serve

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

        return Handler
