"""VPCs and Private Networks end to end: the real scw-mcp over stdio, the real mcp client, the
sandbox in this process. Create, list, update, attach an Instance (idempotently), detach it,
and deletes that need confirmation and fail cleanly while something is attached."""

from __future__ import annotations

from pathlib import Path

from scw_mcp.sandbox import Sandbox
from tests.overrides.stdio_session import Session, run_session

VPCS = "/vpc/v2/regions/fr-par/vpcs"
PNS = "/vpc/v2/regions/fr-par/private-networks"
SERVERS = "/instance/v1/zones/fr-par-1/servers"


def test_networks_and_attaching_a_server(sb: Sandbox, tmp_path: Path) -> None:
    def stored_server(server_id: str) -> dict:
        return sb.engine.find(SERVERS, server_id)

    async def scenario(s: Session) -> None:
        # VPCs: the region's default one is there; a new one routes between its networks.
        (default,) = (await s.ok("vpc_list_vpcs", {}))["items"]
        assert default["is_default"] and default["region"] == "fr-par"
        vpc = await s.ok("vpc_create_vpc", {"name": "prod", "tags": ["team-a"], "enable_routing": True})
        assert vpc["name"] == "prod" and vpc["tags"] == ["team-a"] and vpc["routing_enabled"] and not vpc["is_default"]
        assert s.requests("POST", "/vpcs")[0]["body"]["enable_routing"] is True
        assert [v["id"] for v in (await s.ok("vpc_list_vpcs", {"name": "prod"}))["items"]] == [vpc["id"]]
        assert len(sb.engine.items(VPCS)) == 2

        # Private Networks: in the given VPC with the given subnet, or in the default VPC.
        pn = await s.ok(
            "vpc_create_private_network",
            {
                "name": "backend",
                "vpc_id": vpc["id"],
                "subnets": ["10.1.0.0/24"],
                "default_route_propagation_enabled": False,
            },
        )
        assert pn["vpc_id"] == vpc["id"] and pn["project_id"] == sb.project_id
        # the IPv4 subnet asked for, and an IPv6 /64 the API adds (tf cassette ipam/ipamip-basic)
        (ipv4, ipv6) = pn["subnets"]
        assert (ipv4["subnet"], ipv4["private_network_id"]) == ("10.1.0.0/24", pn["id"]) and ipv6["subnet"].endswith(
            "::/64"
        )
        scratch = await s.ok("vpc_create_private_network", {"name": "scratch"})
        assert scratch["vpc_id"] == default["id"] and scratch["subnets"][0]["subnet"].startswith("172.16.")

        renamed = await s.ok(
            "vpc_update_private_network", {"private_network_id": pn["id"], "name": "backend-2", "tags": ["x"]}
        )
        assert renamed["name"] == "backend-2" and renamed["tags"] == ["x"] and renamed["subnets"] == pn["subnets"]
        assert s.requests("PATCH")[-1]["body"] == {"name": "backend-2", "tags": ["x"]}
        assert sb.engine.find(PNS, pn["id"])["name"] == "backend-2"

        in_vpc = await s.ok("vpc_list_private_networks", {"vpc_id": vpc["id"]})
        assert [p["name"] for p in in_vpc["items"]] == ["backend-2"] and in_vpc["total_count"] == 1
        assert {p["name"] for p in (await s.ok("vpc_list_private_networks", {}))["items"]} == {"backend-2", "scratch"}

        # Attach an Instance; attaching again changes nothing.
        server = (await s.ok("instance_create_server", {"name": "api", "image": "ubuntu_noble"}))["server"]
        attached = await s.ok(
            "instance_create_private_nic", {"server_id": server["id"], "private_network_id": pn["id"]}
        )
        nic = attached["private_nic"]
        assert (
            nic["private_network_id"] == pn["id"]
            and nic["server_id"] == server["id"]
            and "already_attached" not in attached
        )
        assert [n["id"] for n in stored_server(server["id"])["private_nics"]] == [nic["id"]]
        again = await s.ok("instance_create_private_nic", {"server_id": server["id"], "private_network_id": pn["id"]})
        assert (
            again["already_attached"]
            and again["private_nic"]["id"] == nic["id"]
            and "already attached" in again["notes"][0]
        )
        assert len(s.requests("POST", "/private_nics")) == 1 and len(stored_server(server["id"])["private_nics"]) == 1
        got = (await s.ok("instance_get_server", {"server_id": server["id"]}))["server"]
        assert [n["private_network_id"] for n in got["private_nics"]] == [pn["id"]]

        # Deleting the network while the server is attached: the preview says so, the API refuses.
        preview = await s.preview("vpc_delete_private_network", {"private_network_id": pn["id"]})
        assert preview["target"]["attached_servers"] == [{"id": server["id"], "name": "api", "zone": "fr-par-1"}]
        assert "detach them first" in preview["target"]["will_fail"]
        refused = await s.error(
            "vpc_delete_private_network", {"private_network_id": pn["id"], "confirm_token": preview["confirm_token"]}
        )
        assert "412" in refused and "must be empty" in refused
        assert sb.engine.find(PNS, pn["id"]) is not None

        # Detach (destructive: the server loses its address on the network).
        preview = await s.preview(
            "instance_delete_private_nic", {"server_id": server["id"], "private_network_id": pn["id"]}
        )
        assert preview["target"]["private_nic"]["id"] == nic["id"]
        assert len(stored_server(server["id"])["private_nics"]) == 1
        detached = await s.confirm(
            "instance_delete_private_nic", {"server_id": server["id"], "private_network_id": pn["id"]}, preview
        )
        assert detached["detached"] == {
            "server_id": server["id"],
            "private_network_id": pn["id"],
            "private_nic_id": nic["id"],
        }
        assert stored_server(server["id"])["private_nics"] == []
        assert s.requests("DELETE")[-1]["path"] == f"{SERVERS}/{server['id']}/private_nics/{nic['id']}"
        not_attached = await s.error(
            "instance_delete_private_nic", {"server_id": server["id"], "private_network_id": pn["id"]}
        )
        assert "is not attached" in not_attached

        # Now the network is empty: the delete goes through.
        preview = await s.preview("vpc_delete_private_network", {"private_network_id": pn["id"]})
        assert preview["target"]["attached_servers"] == [] and "will_fail" not in preview["target"]
        assert preview["target"]["private_network"]["name"] == "backend-2"
        deleted = await s.confirm("vpc_delete_private_network", {"private_network_id": pn["id"]}, preview)
        assert deleted == {"deleted_private_network": pn["id"]}
        assert sb.engine.find(PNS, pn["id"]) is None
        assert (await s.ok("vpc_list_private_networks", {"vpc_id": vpc["id"]}))["items"] == []

    sb.reset_requests()
    transcript = run_session(sb, tmp_path, scenario)
    assert sb.secret_key not in transcript.everything()
