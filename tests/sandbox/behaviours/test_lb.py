"""Load Balancer: creation over polls with its IP, frontends and backends counted, Private Network
attachments, deletion through to_delete (shared cassette lb-create-lb-simple)."""

from __future__ import annotations

from .conftest import Api, network

LB = "/lb/v1/zones/fr-par-1"


def lb(api: Api, **body) -> dict:
    return api.ok(
        "POST", f"{LB}/lbs", {"name": "front", "description": "", "type": "LB-S", "assign_flexible_ip": True, **body}
    )


def backend(api: Api, lb_id: str, **body) -> dict:
    return api.ok(
        "POST",
        f"{LB}/lbs/{lb_id}/backends",
        {
            "name": "web",
            "forward_protocol": "http",
            "forward_port": 80,
            "forward_port_algorithm": "roundrobin",
            "sticky_sessions": "none",
            "sticky_sessions_cookie_name": "",
            "health_check": {"port": 80, "check_max_retries": 3},
            "server_ip": [],
            **body,
        },
    )


def frontend_body(backend_id: str, **body) -> dict:
    return {
        "name": "http",
        "inbound_port": 80,
        "backend_id": backend_id,
        "enable_http3": False,
        "enable_access_logs": False,
        **body,
    }


def test_a_load_balancer_is_ready_over_polls_with_its_flexible_ip(api: Api) -> None:
    created = lb(api)
    assert created["status"] == "to_create" and created["frontend_count"] == created["backend_count"] == 0
    (ip,) = created["ip"]
    assert ip["lb_id"] == created["id"] and ip["reverse"].endswith(".lb.fr-par.scw.cloud")
    statuses = [api.ok("GET", f"{LB}/lbs/{created['id']}")["status"] for _ in range(3)]
    assert statuses == ["to_create", "creating", "ready"]
    assert api.error("DELETE", f"{LB}/ips/{ip['id']}").status == 412  # held by the lb


def test_an_unknown_ip_named_on_creation_is_the_ips_404(api: Api) -> None:
    for body in ({"ip_id": "0000"}, {"ip_ids": ["0000"]}):
        missing = api.error("POST", f"{LB}/lbs", {"name": "front", "description": "", "type": "LB-S", **body})
        assert (missing.status, missing.body) == (404, {"message": "ips not Found"})
    ip = api.ok("POST", f"{LB}/ips", {"is_ipv6": False})
    assert [i["id"] for i in lb(api, ip_id=ip["id"])["ip"]] == [ip["id"]]


def test_frontends_and_backends_are_counted_and_reference_each_other(api: Api) -> None:
    created = lb(api)
    web = backend(api, created["id"], server_ip=["10.0.0.1"])
    assert web["pool"] == ["10.0.0.1"] and web["lb"]["id"] == created["id"]
    web = api.ok("POST", f"{LB}/backends/{web['id']}/servers", {"server_ip": ["10.0.0.2"]})
    assert web["pool"] == ["10.0.0.1", "10.0.0.2"]
    frontend = api.ok("POST", f"{LB}/lbs/{created['id']}/frontends", frontend_body(web["id"]))
    assert frontend["backend"]["id"] == web["id"] and frontend["lb"]["id"] == created["id"]
    got = api.ok("GET", f"{LB}/lbs/{created['id']}")
    assert (got["frontend_count"], got["backend_count"]) == (1, 1)
    missing = api.error("POST", f"{LB}/lbs/{created['id']}/frontends", frontend_body("0000", inbound_port=81))
    assert missing.status == 404 and missing.body == {"message": "backend not Found"}


def test_attached_private_networks_are_counted_and_keep_the_network_in_use(api: Api) -> None:
    created, pn = lb(api), network(api)
    attached = api.ok("POST", f"{LB}/lbs/{created['id']}/attach-private-network", {"private_network_id": pn["id"]})
    assert attached["private_network_id"] == pn["id"] and len(attached["ipam_ids"]) == 1
    assert api.ok("GET", f"{LB}/lbs/{created['id']}")["private_network_count"] == 1
    assert (
        api.ok("GET", "/ipam/v1/regions/fr-par/ips", resource_id=created["id"])["ips"][0]["resource"]["type"]
        == "lb_server"
    )
    assert api.error("DELETE", f"/vpc/v2/regions/fr-par/private-networks/{pn['id']}").status == 412
    api.ok("POST", f"{LB}/lbs/{created['id']}/detach-private-network", {"private_network_id": pn["id"]})
    assert api.ok("GET", f"{LB}/lbs/{created['id']}")["private_network_count"] == 0
    api.ok("DELETE", f"/vpc/v2/regions/fr-par/private-networks/{pn['id']}")


def test_a_deleted_lb_is_to_delete_for_a_poll_then_gone_with_its_frontends(api: Api) -> None:
    kept, released = lb(api), lb(api)
    frontend = api.ok("POST", f"{LB}/lbs/{kept['id']}/frontends", frontend_body(backend(api, kept["id"])["id"]))
    assert api.call("DELETE", f"{LB}/lbs/{kept['id']}", release_ip=False).status == 204
    assert api.ok("GET", f"{LB}/lbs/{kept['id']}")["status"] == "to_delete"
    assert api.error("GET", f"{LB}/lbs/{kept['id']}").body == {"message": "lbs not Found"}
    assert api.error("GET", f"{LB}/frontends/{frontend['id']}").body == {"message": "frontend not Found"}
    assert api.ok("GET", f"{LB}/ips/{kept['ip'][0]['id']}")["lb_id"] is None  # release_ip=false: kept, free
    api.call("DELETE", f"{LB}/lbs/{released['id']}", release_ip=True)
    api.ok("GET", f"{LB}/lbs/{released['id']}")
    api.error("GET", f"{LB}/lbs/{released['id']}")
    assert api.error("GET", f"{LB}/ips/{released['ip'][0]['id']}").body == {"message": "ips not Found"}


def test_leaving_a_private_network_releases_the_ips_booked_for_the_lb_and_frees_the_named_ones(api: Api) -> None:
    ipam = "/ipam/v1/regions/fr-par/ips"
    detached, deleted, named, pn = lb(api), lb(api), lb(api), network(api)
    booked = api.ok("POST", ipam, {"source": {"private_network_id": pn["id"]}, "is_ipv6": False})
    for created, body in ((detached, {}), (deleted, {}), (named, {"ipam_ids": [booked["id"]]})):
        api.ok("POST", f"{LB}/lbs/{created['id']}/attach-private-network", {"private_network_id": pn["id"], **body})
        assert api.ok("GET", ipam, resource_id=created["id"])["ips"]  # an IPv4 and an IPv6 when booked for it
    api.ok("POST", f"{LB}/lbs/{detached['id']}/detach-private-network", {"private_network_id": pn["id"]})
    assert api.ok("GET", ipam, resource_id=detached["id"])["ips"] == []
    api.call("DELETE", f"{LB}/lbs/{deleted['id']}", release_ip=False)
    api.ok("GET", f"{LB}/lbs/{deleted['id']}")  # to_delete, then gone with its attachment
    api.error("GET", f"{LB}/lbs/{deleted['id']}")
    assert api.ok("GET", ipam, resource_id=deleted["id"])["ips"] == []
    api.ok("POST", f"{LB}/lbs/{named['id']}/detach-private-network", {"private_network_id": pn["id"]})
    assert api.ok("GET", f"{ipam}/{booked['id']}")["resource"] is None  # booked by the user: kept, free
