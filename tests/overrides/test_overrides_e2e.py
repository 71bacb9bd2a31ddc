"""Each override module end to end: the real scw-mcp over stdio, the real mcp client, and the
sandbox on loopback (started here, so the test can look at the requests it received)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from scw_mcp.sandbox import Sandbox
from tests.e2e import clean_env, stdio_client, text_of


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(s3=False) as sb:
        yield sb


class Session:
    """One server process; `ok` asserts success, `confirmed` runs a destructive call in two steps."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def ok(self, tool: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        result = await self.client.call_tool(tool, args or {})
        assert not result.is_error, f"{tool}: {text_of(result)}"
        return result.structured_content

    async def error(self, tool: str, args: dict[str, Any]) -> str:
        result = await self.client.call_tool(tool, args)
        assert result.is_error, f"{tool} should fail: {result.structured_content}"
        return text_of(result)

    async def confirmed(self, tool: str, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        preview = await self.ok(tool, args)
        assert preview["status"] == "confirmation_required", preview
        return preview, await self.ok(tool, {**args, "confirm_token": preview["confirm_token"]})


def run_session(sb: Sandbox, tmp_path: Any, scenario: Any) -> None:
    async def main() -> None:
        async with stdio_client(["--toolsets", "core"], clean_env(str(tmp_path), **sb.env())) as client:
            await scenario(Session(client))

    anyio.run(main)


def test_rdb(sandbox: Sandbox, tmp_path: Any) -> None:
    password = "Sandbox-Pa55word!"

    async def scenario(s: Session) -> None:
        wrong = await s.error("rdb_instance_create", {"engine": "PostgreSQL-99", "user_name": "admin", "password": password})
        assert "PostgreSQL-16" in wrong
        created = await s.ok("rdb_instance_create", {"engine": "PostgreSQL-16", "user_name": "admin", "password": password,
                                                     "node_type": "DB-DEV-S", "name": "orders", "tags": ["shop"]})
        assert password not in json.dumps(created)
        instance_id = created["instance"]["id"]
        got = await s.ok("rdb_instance_get", {"instance_id": instance_id})
        assert got["instance"]["endpoints"][0]["port"] == 5432
        listed = await s.ok("rdb_instance_list", {"tags": ["shop"]})
        assert [i["id"] for i in listed["items"]] == [instance_id]

        await s.ok("rdb_database_create", {"instance_id": instance_id, "name": "orders_db"})
        assert [d["name"] for d in (await s.ok("rdb_database_list", {"instance_id": instance_id}))["items"]] == ["orders_db"]
        await s.ok("rdb_user_create", {"instance_id": instance_id, "name": "app", "password": password})
        assert "app" in [u["name"] for u in (await s.ok("rdb_user_list", {"instance_id": instance_id}))["items"]]
        backup = await s.ok("rdb_backup_create", {"instance_id": instance_id, "database_name": "orders_db", "name": "nightly"})
        assert backup
        backups = await s.ok("rdb_backup_list", {"instance_id": instance_id})
        assert [b["name"] for b in backups["items"]] == ["nightly"]

        await s.confirmed("rdb_user_delete", {"instance_id": instance_id, "name": "app"})
        await s.confirmed("rdb_database_delete", {"instance_id": instance_id, "name": "orders_db"})
        assert (await s.ok("rdb_database_list", {"instance_id": instance_id}))["items"] == []
        preview, _ = await s.confirmed("rdb_instance_delete", {"instance_id": instance_id})
        assert "orders" in json.dumps(preview)
        assert (await s.ok("rdb_instance_list", {"tags": ["shop"]}))["items"] == []

    sandbox.reset_requests()
    run_session(sandbox, tmp_path, scenario)
    create = next(r for r in sandbox.requests if r["method"] == "POST" and r["path"].endswith("/instances"))
    assert create["body"]["engine"] == "PostgreSQL-16" and create["body"]["password"] == password  # sent to the API only


def test_vpc_and_attaching_a_server(sandbox: Sandbox, tmp_path: Any) -> None:
    async def scenario(s: Session) -> None:
        vpc = await s.ok("vpc_create", {"name": "prod", "tags": ["p"]})
        vpc_id = vpc["vpc"]["id"]
        assert vpc_id in [v["id"] for v in (await s.ok("vpc_list", {"name": "prod"}))["items"]]
        pn = (await s.ok("vpc_private_network_create", {"name": "backend", "vpc_id": vpc_id, "subnets": ["10.1.0.0/24"]}))["private_network"]
        assert pn["vpc_id"] == vpc_id and pn["subnets"][0]["subnet"] == "10.1.0.0/24"
        renamed = await s.ok("vpc_private_network_update", {"private_network_id": pn["id"], "name": "backend-2", "tags": ["x"]})
        assert renamed["private_network"]["name"] == "backend-2"
        assert [p["id"] for p in (await s.ok("vpc_private_network_list", {"vpc_id": vpc_id}))["items"]] == [pn["id"]]

        server = (await s.ok("instance_server_create", {"name": "api", "image": "ubuntu_noble"}))["server"]
        nic = await s.ok("vpc_private_network_attach", {"server_id": server["id"], "private_network_id": pn["id"]})
        assert nic["private_nic"]["private_network_id"] == pn["id"]
        preview = await s.ok("vpc_private_network_delete", {"private_network_id": pn["id"]})
        assert server["id"] in json.dumps(preview)  # the preview names what is still attached
        await s.confirmed("vpc_private_network_detach", {"server_id": server["id"], "private_network_id": pn["id"]})
        assert (await s.ok("instance_server_get", {"server_id": server["id"]}))["server"].get("private_nics") == []
        await s.confirmed("vpc_private_network_delete", {"private_network_id": pn["id"]})
        assert (await s.ok("vpc_private_network_list", {"vpc_id": vpc_id}))["items"] == []

    run_session(sandbox, tmp_path, scenario)


def test_k8s(sandbox: Sandbox, tmp_path: Any, capfd: Any) -> None:
    async def scenario(s: Session) -> None:
        wrong = await s.error("k8s_cluster_create", {"name": "c1", "version": "1.20.0"})
        assert "1.35.3" in wrong
        cluster = (await s.ok("k8s_cluster_create", {"name": "c1", "version": "1.35.3", "pool_size": 2}))["cluster"]
        assert cluster["status"] in ("creating", "ready")
        listed = await s.ok("k8s_cluster_list", {"name": "c1"})
        assert [c["id"] for c in listed["items"]] == [cluster["id"]]
        got = await s.ok("k8s_cluster_get", {"cluster_id": cluster["id"]})
        assert [p["size"] for p in got["pools"]] == [2]

        pool = (await s.ok("k8s_pool_create", {"cluster_id": cluster["id"], "name": "gpu", "node_type": "DEV1-M", "size": 1}))["pool"]
        scaled = await s.ok("k8s_pool_scale", {"pool_id": pool["id"], "size": 3})
        assert scaled["pool"]["size"] == 3
        pools = await s.ok("k8s_pool_list", {"cluster_id": cluster["id"]})
        assert sorted(p["size"] for p in pools["items"]) == [2, 3]

        kubeconfig = await s.ok("k8s_kubeconfig_get", {"cluster_id": cluster["id"]})
        text = json.dumps(kubeconfig)
        assert "apiVersion: v1" in text and cluster["id"] in text
        s.token = text.split("token: ")[1].split("\\n")[0]
        preview, _ = await s.confirmed("k8s_cluster_delete", {"cluster_id": cluster["id"]})
        assert len(preview["target"]["nodes"]) == 5  # the preview lists every node of both pools (2 + 3)

    session_holder: dict[str, Any] = {}

    async def keep(s: Session) -> None:
        session_holder["s"] = s
        await scenario(s)

    run_session(sandbox, tmp_path, keep)
    token = session_holder["s"].token
    assert len(token) == 32 and token not in capfd.readouterr().err  # never logged


def test_registry(sandbox: Sandbox, tmp_path: Any) -> None:
    async def scenario(s: Session) -> None:
        namespaces = (await s.ok("registry_namespace_list", {}))["items"]
        (namespace,) = [n for n in namespaces if n["name"] == "sandbox"]
        assert (await s.ok("registry_namespace_get", {"namespace_id": namespace["id"]}))["namespace"]["endpoint"].endswith("/sandbox")
        (image,) = (await s.ok("registry_image_list", {"namespace_id": namespace["id"]}))["items"]
        got = await s.ok("registry_image_get", {"image_id": image["id"]})
        assert "latest" in json.dumps(got)
        await s.confirmed("registry_image_delete", {"image_id": image["id"]})
        assert (await s.ok("registry_image_list", {"namespace_id": namespace["id"]}))["items"] == []
        await s.confirmed("registry_namespace_delete", {"namespace_id": namespace["id"]})
        assert (await s.ok("registry_namespace_list", {"name": "sandbox"}))["items"] == []

    run_session(sandbox, tmp_path, scenario)
