"""Managed Databases (rdb) end to end: the real scw-mcp over stdio, the real mcp client, the
sandbox in this process. Engine validation, endpoints, databases, users, backups, two-step
deletes, and passwords that go to the API and nowhere else."""

from __future__ import annotations

import datetime
from pathlib import Path

from scw_mcp.runtime.results import compact
from scw_mcp.sandbox import Sandbox
from tests.overrides.stdio_session import Session, run_session

RDB = "/rdb/v1/regions/fr-par"
ADMIN_PASSWORD = "Adm1n-Sandbox-Pa55!"
USER_PASSWORD = "App-User-Pa55word-42"
SHORT_PASSWORD = "Sh0rt!7"


def test_database_lifecycle(sb: Sandbox, tmp_path: Path) -> None:
    async def scenario(s: Session) -> None:
        # The engine is checked against the region's engines before anything is created.
        wrong = await s.error(
            "rdb_create_instance", {"engine": "PostgreSQL-99", "user_name": "admin", "password": ADMIN_PASSWORD}
        )
        assert "Unknown engine 'PostgreSQL-99'" in wrong
        assert all(v in wrong for v in ("PostgreSQL-16", "PostgreSQL-15", "PostgreSQL-14", "MySQL-8"))
        short = await s.error(
            "rdb_create_instance", {"engine": "PostgreSQL-16", "user_name": "admin", "password": SHORT_PASSWORD}
        )
        assert "password" in short and "too short" in short
        assert s.requests("POST") == [] and sb.engine.items(f"{RDB}/instances") == []

        # Engine names are matched without regard to case; endpoints come with the summary.
        created = await s.ok(
            "rdb_create_instance",
            {
                "engine": "postgresql-15",
                "user_name": "admin",
                "password": ADMIN_PASSWORD,
                "name": "orders",
                "tags": ["shop"],
                "volume_size_gb": 20,
            },
        )
        instance = created["instance"]
        assert (
            instance["engine"] == "PostgreSQL-15"
            and instance["status"] == "provisioning"
            and instance["tags"] == ["shop"]
        )
        assert instance["volume"]["size"] == 20_000_000_000
        (endpoint,) = instance["endpoints"]
        assert endpoint["type"] == "public" and endpoint["port"] == 5432 and endpoint["host"] == endpoint["ip"]
        assert "rdb_get_instance" in created["notes"][0]
        (post,) = s.requests("POST", "/instances")
        assert (
            post["body"]["engine"] == "PostgreSQL-15" and post["body"]["password"] == ADMIN_PASSWORD
        )  # to the API only
        assert post["body"]["project_id"] == sb.project_id and post["body"]["volume_size"] == 20_000_000_000
        instance_id = instance["id"]
        (stored,) = sb.engine.items(f"{RDB}/instances")
        assert stored["id"] == instance_id and stored["name"] == "orders"

        got = await s.ok("rdb_get_instance", {"instance_id": instance_id})
        assert got["endpoints"] == [endpoint] and got["instance"]["id"] == instance_id
        listed = await s.ok("rdb_list_instances", {"tags": ["shop"]})
        assert [i["id"] for i in listed["items"]] == [instance_id] and listed["total_count"] == 1
        assert listed["items"][0]["status"] == "ready"  # provisioning -> ready after two reads
        assert listed["items"][0]["endpoints"] == [compact(endpoint, protect=0)]  # rows are compacted
        assert (await s.ok("rdb_list_instances", {"name": "no-such-db"}))["items"] == []

        # Databases.
        for name in ("orders_db", "analytics"):
            assert (await s.ok("rdb_create_database", {"instance_id": instance_id, "name": name}))["name"] == name
        databases = await s.ok("rdb_list_databases", {"instance_id": instance_id})
        assert (
            sorted(d["name"] for d in databases["items"]) == ["analytics", "orders_db"]
            and databases["total_count"] == 2
        )

        # Users: the password goes to the API, never back.
        user = await s.ok("rdb_create_user", {"instance_id": instance_id, "name": "app", "password": USER_PASSWORD})
        assert user == {"name": "app", "is_admin": False}
        assert s.requests("POST", "/users")[-1]["body"]["password"] == USER_PASSWORD
        assert [u["name"] for u in (await s.ok("rdb_list_users", {"instance_id": instance_id}))["items"]] == ["app"]

        # Backups.
        in_a_week = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=7)
        backup = await s.ok(
            "rdb_create_database_backup",
            {
                "instance_id": instance_id,
                "database_name": "orders_db",
                "name": "nightly",
                "expires_at": in_a_week.isoformat(),
            },
        )
        assert (
            backup["name"] == "nightly"
            and backup["database_name"] == "orders_db"
            and backup["instance_id"] == instance_id
        )
        expires = datetime.datetime.fromisoformat(backup["expires_at"])
        assert abs(
            expires - datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=7)
        ) < datetime.timedelta(minutes=5)
        backups = await s.ok("rdb_list_database_backups", {"instance_id": instance_id})
        assert [(b["name"], b["database_name"]) for b in backups["items"]] == [("nightly", "orders_db")]

        # Two-step deletes: the preview names what goes and changes nothing.
        preview = await s.preview("rdb_delete_user", {"instance_id": instance_id, "name": "app"})
        assert preview["target"]["user"]["name"] == "app" and "lose access" in preview["target"]["will_delete"]
        assert [u["name"] for u in sb.engine.items(f"{RDB}/instances/{instance_id}/users")] == ["app"]
        done = await s.confirm("rdb_delete_user", {"instance_id": instance_id, "name": "app"}, preview)
        assert done == {"deleted_user": "app", "instance_id": instance_id}
        assert (await s.ok("rdb_list_users", {"instance_id": instance_id}))["items"] == []

        preview = await s.preview("rdb_delete_database", {"instance_id": instance_id, "name": "analytics"})
        assert preview["target"]["database"]["name"] == "analytics"
        # The token is bound to the exact arguments: it cannot delete another database.
        refused = await s.error(
            "rdb_delete_database",
            {"instance_id": instance_id, "name": "orders_db", "confirm_token": preview["confirm_token"]},
        )
        assert "issued for other arguments" in refused
        await s.confirm("rdb_delete_database", {"instance_id": instance_id, "name": "analytics"}, preview)
        assert [d["name"] for d in sb.engine.items(f"{RDB}/instances/{instance_id}/databases")] == ["orders_db"]

        preview = await s.preview("rdb_delete_instance", {"instance_id": instance_id})
        target = preview["target"]
        assert target["instance"]["name"] == "orders" and target["instance"]["endpoints"] == [endpoint]
        assert [d["name"] for d in target["databases"]] == ["orders_db"] and [b["name"] for b in target["backups"]] == [
            "nightly"
        ]
        assert len(sb.engine.items(f"{RDB}/instances")) == 1
        deleted = await s.confirm("rdb_delete_instance", {"instance_id": instance_id}, preview)
        assert deleted["deleted"]["id"] == instance_id and deleted["deleted"]["status"] == "deleting"
        # As the API does: "deleting" for a poll, then gone with its databases and users.
        assert [i["status"] for i in (await s.ok("rdb_list_instances", {"tags": ["shop"]}))["items"]] == ["deleting"]
        gone = await s.error("rdb_get_instance", {"instance_id": instance_id})
        assert "404" in gone and "not_found" in gone
        assert sb.engine.items(f"{RDB}/instances") == [] == sb.engine.items(f"{RDB}/instances/{instance_id}/databases")
        assert "404" in await s.error("rdb_list_databases", {"instance_id": instance_id})

    sb.reset_requests()
    transcript = run_session(sb, tmp_path, scenario)
    # DEBUG logging reached stderr and MCP log messages reached the client: the check below means something.
    assert "rdb_create_instance" in transcript.stderr and '"rdb_delete_instance: ok"' in transcript.log_messages
    for password in (ADMIN_PASSWORD, USER_PASSWORD, SHORT_PASSWORD):
        assert password not in transcript.everything()
