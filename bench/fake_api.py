"""A tiny stdlib fake of the Scaleway Instance API on 127.0.0.1 (fallback for scw_mcp.sandbox).

Answers GET /instance/v1/zones/{zone}/servers and /instance/v1/zones/{zone}/servers/{id}
with realistic JSON (the shape the SDK unmarshals), optionally after a fixed latency.
Same interface as the sandbox as far as the benchmarks need it: a context manager with
`.env()` (SCW_API_URL and well-formed throw-away credentials) and `.url`.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ACCESS_KEY = "SCWXXXXXXXXXXXXXXXXX"
SECRET_KEY = "11111111-2222-4333-8444-555555555555"
PROJECT_ID = "66666666-7777-4888-9999-aaaaaaaaaaaa"
ZONE = "fr-par-1"


def _server(i: int, zone: str) -> dict[str, Any]:
    sid = str(uuid.UUID(int=0x5E5E << 96 | i))
    vid = str(uuid.UUID(int=0xB01 << 96 | i))
    return {
        "id": sid,
        "name": f"web-{i:02d}",
        "organization": PROJECT_ID,
        "project": PROJECT_ID,
        "allowed_actions": ["poweroff", "terminate", "reboot", "stop_in_place", "backup"],
        "tags": ["bench", "web"],
        "commercial_type": "DEV1-S",
        "creation_date": "2025-01-15T10:20:30.123456+00:00",
        "modification_date": "2025-03-02T08:00:00.000000+00:00",
        "dynamic_ip_required": True,
        "routed_ip_enabled": True,
        "enable_ipv6": False,
        "hostname": f"web-{i:02d}",
        "image": {
            "id": "8b2f7ad8-0000-4000-8000-000000000001", "name": "Ubuntu 24.04 Noble Numbat", "arch": "x86_64",
            "extra_volumes": {}, "from_server": "", "organization": PROJECT_ID, "project": PROJECT_ID,
            "creation_date": "2024-05-01T00:00:00+00:00", "modification_date": "2024-05-01T00:00:00+00:00",
            "default_bootscript": None, "public": True, "state": "available", "tags": [], "zone": zone,
            "root_volume": {"id": "8b2f7ad8-0000-4000-8000-000000000002", "name": "ubuntu_noble", "size": 10000000000,
                            "volume_type": "sbs_snapshot"},
        },
        "protected": False,
        "private_ip": None,
        "public_ip": {"id": str(uuid.UUID(int=0x1B << 96 | i)), "address": f"51.15.{i // 250}.{i % 250 + 1}",
                      "gateway": "62.210.0.1", "netmask": "32", "family": "inet", "dynamic": False,
                      "provisioning_mode": "dhcp", "tags": [], "ipam_id": str(uuid.UUID(int=0x1C << 96 | i)), "state": "attached"},
        "public_ips": [{"id": str(uuid.UUID(int=0x1B << 96 | i)), "address": f"51.15.{i // 250}.{i % 250 + 1}",
                        "gateway": "62.210.0.1", "netmask": "32", "family": "inet", "dynamic": False,
                        "provisioning_mode": "dhcp", "tags": [], "ipam_id": str(uuid.UUID(int=0x1C << 96 | i)), "state": "attached"}],
        "mac_address": f"de:00:00:00:{i // 256:02x}:{i % 256:02x}",
        "state": "running",
        "boot_type": "local",
        "volumes": {"0": {"id": vid, "name": f"web-{i:02d}-root", "size": 20000000000, "volume_type": "sbs_volume",
                          "state": "in_use", "zone": zone, "boot": False,
                          "server": {"id": sid, "name": f"web-{i:02d}"}}},
        "maintenances": [],
        "state_detail": "booted",
        "arch": "x86_64",
        "private_nics": [],
        "filesystems": [],
        "zone": zone,
        "end_of_service": False,
        "location": {"cluster_id": "12", "hypervisor_id": "301", "node_id": "7", "platform_id": "14", "zone_id": "par1"},
        "ipv6": None,
        "security_group": {"id": "5c5c5c5c-0000-4000-8000-000000000001", "name": "Default security group"},
        "placement_group": None,
        "admin_password_encryption_ssh_key_id": None,
        "admin_password_encrypted_value": None,
    }


class FakeInstanceAPI:
    """Context manager: a threaded HTTP server answering the two Instance routes above."""

    SERVERS_RE = re.compile(r"^/instance/v1/zones/([a-z0-9-]+)/servers(?:/([0-9a-f-]+))?$")

    def __init__(self, servers: int = 10, latency: float = 0.0):
        self.count = servers
        self.latency = latency
        self.requests = 0
        self._httpd: ThreadingHTTPServer | None = None

    def __enter__(self) -> "FakeInstanceAPI":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # keep-alive clients would otherwise wait ~40 ms per answer

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:  # noqa: N802
                fake.requests += 1
                length = int(self.headers.get("Content-Length") or 0)
                if length:  # the SDK may send a body with GET; drain it or keep-alive breaks
                    self.rfile.read(length)
                if fake.latency:
                    time.sleep(fake.latency)
                path = self.path.split("?", 1)[0]
                m = FakeInstanceAPI.SERVERS_RE.match(path)
                if not m:
                    self._send(404, {"type": "not_found", "message": f"no route {path}"})
                    return
                zone, sid = m.groups()
                servers = [_server(i, zone) for i in range(fake.count)]
                if sid is None:
                    self._send(200, {"servers": servers}, {"X-Total-Count": str(len(servers))})
                    return
                for s in servers:
                    if s["id"] == sid:
                        self._send(200, {"server": s})
                        return
                self._send(404, {"type": "unknown_resource", "message": '"instance_server" not found',
                                 "resource": "instance_server", "resource_id": sid})

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def server_ids(self) -> list[str]:
        return [_server(i, ZONE)["id"] for i in range(self.count)]

    def env(self) -> dict[str, str]:
        return {"SCW_API_URL": self.url, "SCW_ACCESS_KEY": ACCESS_KEY, "SCW_SECRET_KEY": SECRET_KEY,
                "SCW_DEFAULT_PROJECT_ID": PROJECT_ID, "SCW_DEFAULT_ORGANIZATION_ID": PROJECT_ID,
                "SCW_DEFAULT_ZONE": ZONE, "SCW_DEFAULT_REGION": "fr-par"}
