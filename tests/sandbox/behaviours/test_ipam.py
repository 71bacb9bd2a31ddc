"""IPAM: addresses from the network's subnets, listed and filtered, held by the NICs using them
(tf cassettes ipam/ipamip-basic, ipamip-with-standalone-address, data-source-ipamip-instance)."""

from __future__ import annotations

import ipaddress

from .conftest import INSTANCE, Api, network, server

IPS = "/ipam/v1/regions/fr-par/ips"


def book(api: Api, pn: dict, **body) -> dict:
    return api.ok("POST", IPS, {"source": {"private_network_id": pn["id"]}, "is_ipv6": False, **body})


def test_booking_from_a_private_network(api: Api) -> None:
    pn = network(api, subnets=["172.16.32.0/22"])
    first, second = book(api, pn), book(api, pn, tags=["db"])
    # the subnet's .2 first (.0 and .1 are not usable), with the subnet's prefix length
    assert (first["address"], second["address"]) == ("172.16.32.2/22", "172.16.32.3/22")
    assert (
        first["source"] == {"subnet_id": pn["subnets"][0]["id"]} and first["resource"] is None and not first["is_ipv6"]
    )
    assert second["tags"] == ["db"] and first["project_id"] == pn["project_id"] and first["region"] == "fr-par"
    v6 = book(api, pn, is_ipv6=True)
    assert v6["is_ipv6"] and ipaddress.ip_interface(v6["address"]).network == ipaddress.ip_network(
        pn["subnets"][1]["subnet"]
    )
    listed = api.ok("GET", IPS, private_network_id=pn["id"])
    assert [i["id"] for i in listed["ips"]] == [first["id"], second["id"], v6["id"]] and listed["total_count"] == 3
    assert [i["id"] for i in api.ok("GET", IPS, private_network_id=pn["id"], is_ipv6=True)["ips"]] == [v6["id"]]
    assert [i["id"] for i in api.ok("GET", IPS, tags="db")["ips"]] == [second["id"]]
    assert api.ok("GET", f"{IPS}/{first['id']}")["address"] == "172.16.32.2/22"
    assert api.ok("PATCH", f"{IPS}/{first['id']}", {"tags": ["web"]})["tags"] == ["web"]


def test_chosen_addresses_must_be_free_and_usable(api: Api) -> None:
    pn = network(api, subnets=["172.16.32.0/22"])
    assert book(api, pn, address="172.16.32.7")["address"] == "172.16.32.7/22"
    taken = api.error(
        "POST", IPS, {"source": {"private_network_id": pn["id"]}, "is_ipv6": False, "address": "172.16.32.7"}
    )
    assert taken.status == 409 and taken.body["type"] == "already_exists"
    for wrong in ("172.16.32.1", "172.16.35.255", "10.0.0.2", "nope"):  # reserved, outside, not an address
        refused = api.error(
            "POST", IPS, {"source": {"private_network_id": pn["id"]}, "is_ipv6": False, "address": wrong}
        )
        assert refused.status == 400 and refused.body["details"][0]["argument_name"] == "address"
    # the next free one skips the chosen address
    assert [book(api, pn)["address"] for _ in range(6)][-1] == "172.16.32.8/22"


def test_only_private_networks_that_exist_are_sources(api: Api) -> None:
    missing = api.error("POST", IPS, {"source": {"private_network_id": "0000"}, "is_ipv6": False})
    assert missing.status == 404 and missing.body["resource"] == "private_network"
    public = api.error("POST", IPS, {"source": {"zonal": "fr-par-1"}, "is_ipv6": False})
    assert public.status == 400 and public.body["details"][0]["argument_name"] == "source"


def test_a_nic_holds_an_ipv4_and_an_ipv6_of_its_network_released_with_it(api: Api) -> None:
    pn, srv = network(api), server(api)
    nic = api.ok("POST", f"{INSTANCE}/servers/{srv['id']}/private_nics", {"private_network_id": pn["id"]})[
        "private_nic"
    ]
    held = api.ok("GET", IPS, resource_id=nic["id"], resource_type="instance_private_nic")["ips"]
    assert sorted(i["is_ipv6"] for i in held) == [False, True]
    assert {i["resource"]["name"] for i in held} == {"web"} and held[0]["resource"]["mac_address"] == nic[
        "mac_address"
    ].upper()
    by_mac = api.ok("GET", IPS, mac_address=nic["mac_address"], is_ipv6=False)["ips"]
    assert [i["address"] for i in by_mac] == [i["address"] for i in held if not i["is_ipv6"]]
    assert api.ok("GET", IPS, attached=True, private_network_id=pn["id"])["total_count"] == 2
    refused = api.error("DELETE", f"{IPS}/{held[0]['id']}")
    assert refused.status == 412  # "Release an IP not currently attached to a resource"
    api.ok("DELETE", f"{INSTANCE}/servers/{srv['id']}/private_nics/{nic['id']}")
    assert api.ok("GET", IPS, private_network_id=pn["id"])["ips"] == []


def test_a_nic_can_use_booked_ips_which_stay_booked_after_it(api: Api) -> None:
    pn, srv = network(api), server(api)
    ip = book(api, pn)
    nic = api.ok(
        "POST",
        f"{INSTANCE}/servers/{srv['id']}/private_nics",
        {"private_network_id": pn["id"], "ipam_ip_ids": [ip["id"]]},
    )["private_nic"]
    assert api.ok("GET", f"{IPS}/{ip['id']}")["resource"]["id"] == nic["id"]
    assert api.ok("GET", IPS, resource_id=nic["id"])["total_count"] == 1  # no other was booked
    api.ok("DELETE", f"{INSTANCE}/servers/{srv['id']}/private_nics/{nic['id']}")
    assert api.ok("GET", f"{IPS}/{ip['id']}")["resource"] is None  # detached, still booked
    api.ok("DELETE", f"{IPS}/{ip['id']}")
    assert api.error("GET", f"{IPS}/{ip['id']}").body["resource"] == "ip"


def test_a_deleted_server_releases_its_nics_ips(api: Api) -> None:
    pn, srv = network(api), server(api)
    api.ok("POST", f"{INSTANCE}/servers/{srv['id']}/private_nics", {"private_network_id": pn["id"]})
    api.ok("DELETE", f"{INSTANCE}/servers/{srv['id']}")
    assert api.ok("GET", IPS, private_network_id=pn["id"])["ips"] == []


def test_a_servers_public_ip_is_in_ipam_until_the_server_goes(api: Api) -> None:
    srv = server(api)
    (public,) = api.ok("GET", IPS, zonal="fr-par-1")["ips"]
    assert public["id"] == srv["public_ip"]["ipam_id"] and public["address"] == f"{srv['public_ip']['address']}/32"
    assert public["resource"] == {"type": "instance_server", "id": srv["id"], "mac_address": None, "name": None}
    assert api.ok("GET", IPS, resource_id=srv["id"], resource_type="instance_server")["total_count"] == 1
    api.ok("DELETE", f"{INSTANCE}/servers/{srv['id']}")
    assert api.ok("GET", IPS, zonal="fr-par-1")["ips"] == []
