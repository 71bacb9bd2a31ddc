"""What a new user tries off the main paths, through the real mcp client against
`scw-mcp --sandbox` over stdio (the sandbox in the server's own process): the sandbox answers as
the API does (issue 17's list). Generated tools under their SDK names (`--toolsets all`)."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import anyio

from tests.e2e import clean_env, stdio_client, text_of

MISSING = "00000000-0000-4000-8000-000000000404"


class Calls:
    def __init__(self, client: Any) -> None:
        self.client = client

    async def ok(self, tool: str, args: dict[str, Any]) -> Any:
        result = await self.client.call_tool(tool, args)
        assert not result.is_error, f"{tool}: {text_of(result)}"
        return result.structured_content

    async def error(self, tool: str, args: dict[str, Any]) -> str:
        result = await self.client.call_tool(tool, args)
        assert result.is_error, f"{tool} should fail: {result.structured_content}"
        return text_of(result)

    async def confirmed(self, tool: str, args: dict[str, Any]) -> Any:
        preview = await self.ok(tool, args)
        for _ in range(3):  # a resource still settling changes between preview and confirm: confirm its new state
            assert preview["status"] == "confirmation_required", preview
            done = await self.ok(tool, {**args, "confirm_token": preview["confirm_token"]})
            if "refused" not in done:
                return done
            preview = done
        raise AssertionError(f"{tool}: the previewed state kept changing")


def test_what_a_new_user_tries_answers_like_the_api(tmp_path) -> None:
    env = clean_env(str(tmp_path))

    async def session() -> None:
        async with stdio_client(["--sandbox", "--toolsets", "all"], env) as client:
            s = Calls(client)
            pn = await s.ok(
                "vpc_create_private_network", {"name": "app-net", "default_route_propagation_enabled": False}
            )
            ipv4 = next(n["subnet"] for n in pn["subnets"] if "." in n["subnet"])

            # IPAM: a booked IP has an address in the network's subnet, and is listed
            ip = await s.ok("ipam_book_ip", {"source": {"private_network_id": pn["id"]}, "is_ipv6": False})
            assert ipaddress.ip_interface(ip["address"]).network == ipaddress.ip_network(ipv4)
            listed = await s.ok("ipam_list_ips", {"private_network_id": pn["id"]})
            assert [i["id"] for i in listed["items"]] == [ip["id"]]

            # DNS: a record added to app.example.com is listed
            await s.ok("domain_create_dns_zone", {"domain": "example.com", "subdomain": "app"})
            await s.ok(
                "domain_update_dns_zone_records",
                {
                    "dns_zone": "app.example.com",
                    "disallow_new_zone_creation": False,
                    "changes": [
                        {
                            "add": {
                                "records": [
                                    {
                                        "name": "www",
                                        "type": "a",
                                        "data": "10.0.0.1",
                                        "ttl": 3600,
                                        "priority": 0,
                                        "id": "",
                                    }
                                ]
                            }
                        }
                    ],
                },
            )
            records = await s.ok("domain_list_dns_zone_records", {"dns_zone": "app.example.com", "name": "www"})
            assert [(r["name"], r["type"], r["data"]) for r in records["items"]] == [("www", "A", "10.0.0.1")]

            # IAM: a new API key has both keys
            key = await s.ok("iam_create_api_key", {"description": "ci"})
            assert re.fullmatch(r"SCW[A-Z0-9]{17}", key["access_key"]) and key["secret_key"]

            # Instance: a NIC on a missing Private Network and a poweron of a running server are refused
            server = (await s.ok("instance_create_server", {"name": "web", "image": "ubuntu_noble", "wait": True}))[
                "server"
            ]
            assert server["state"] == "running"
            missing_pn = await s.error(
                "instance_create_private_nic", {"server_id": server["id"], "private_network_id": MISSING}
            )
            assert "404" in missing_pn and "private_network" in missing_pn and MISSING in missing_pn
            poweron = await s.error("instance_server_action", {"server_id": server["id"], "action": "poweron"})
            assert "400" in poweron and "poweron is not allowed" in poweron

            # Databases of a deleted instance: the instance's 404, once its "deleting" poll is over
            instance = await s.ok(
                "rdb_create_instance",
                {
                    "engine": "PostgreSQL-16",
                    "name": "db",
                    "node_type": "DB-DEV-S",
                    "is_ha_cluster": False,
                    "disable_backup": True,
                    "user_name": "admin",
                    "password": "Pa55word-long-enough",
                    "volume_type": "sbs_5k",
                    "volume_size": 10_000_000_000,
                    "backup_same_region": False,
                },
            )
            instance = instance["instance"]  # the hand-written create returns a summary
            await s.ok("rdb_create_database", {"instance_id": instance["id"], "name": "orders"})
            deleted = await s.confirmed("rdb_delete_instance", {"instance_id": instance["id"]})
            assert deleted["deleted"]["status"] == "deleting"
            assert (await s.ok("rdb_get_instance", {"instance_id": instance["id"]}))["instance"]["status"] == "deleting"
            gone = await s.error("rdb_list_databases", {"instance_id": instance["id"]})
            assert "404" in gone and "instance" in gone

            # Object Storage: bucket names as the endpoint validates them
            bad = await s.error("object_storage_create_bucket", {"bucket": "Bad_Bucket"})
            assert "does not match the pattern" in bad  # the tool checks Scaleway's rule before sending
            # (the endpoint's own InvalidBucketName: tests/sandbox/test_s3.py)

    anyio.run(session)
