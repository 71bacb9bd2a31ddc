"""Instance: power actions as allowed_actions say, references checked, security groups with the
default SMTP rules (shared cassettes instance-create-server-simple-*, tf cassette
instance/security-group-rules-basic)."""

from __future__ import annotations

from .conftest import INSTANCE, Api, server

GROUPS = f"{INSTANCE}/security_groups"


def action(api: Api, srv: dict, name: str):
    return api.call("POST", f"{INSTANCE}/servers/{srv['id']}/action", {"action": name})


def state(api: Api, srv: dict) -> str:
    return api.ok("GET", f"{INSTANCE}/servers/{srv['id']}")["server"]["state"]


def test_power_actions_follow_allowed_actions(api: Api) -> None:
    srv = server(api)
    assert (srv["state"], srv["allowed_actions"]) == ("stopped", ["poweron", "backup"])
    assert action(api, srv, "poweroff").status == 400  # already stopped
    assert action(api, srv, "poweron").status == 202
    refused = action(api, srv, "poweron")  # starting: only stop_in_place and backup
    assert (
        refused.status == 400
        and refused.body["type"] == "invalid_request_error"
        and "poweron" in refused.body["message"]
    )
    assert [state(api, srv) for _ in range(2)] == ["starting", "running"]
    running = api.ok("GET", f"{INSTANCE}/servers/{srv['id']}")["server"]
    assert running["allowed_actions"] == ["poweroff", "terminate", "reboot", "stop_in_place", "backup"]
    assert action(api, srv, "poweron").status == 400  # poweron of a running server
    deleting = api.error("DELETE", f"{INSTANCE}/servers/{srv['id']}")
    assert deleting.body["message"] == "server should be stopped"
    assert action(api, srv, "terminate").status == 202  # a running server can be terminated
    assert api.error("GET", f"{INSTANCE}/servers/{srv['id']}").status == 404


def test_a_nic_or_a_server_naming_a_missing_resource_is_refused(api: Api) -> None:
    srv = server(api)
    nic = api.error("POST", f"{INSTANCE}/servers/{srv['id']}/private_nics", {"private_network_id": "0000"})
    assert (nic.status, nic.body["resource"], nic.body["resource_id"]) == (404, "private_network", "0000")
    assert api.ok("GET", f"{INSTANCE}/servers/{srv['id']}/private_nics")["private_nics"] == []
    group = api.error(
        "POST", f"{INSTANCE}/servers", {"name": "x", "commercial_type": "DEV1-S", "security_group": "0000"}
    )
    assert group.body["resource"] == "instance_security_group"
    gone = api.error("GET", f"{INSTANCE}/servers/0000/private_nics")
    assert gone.body["resource"] == "instance_server"


def test_a_server_gets_its_projects_default_security_group(api: Api) -> None:
    first, second = server(api), server(api, name="db")
    assert first["security_group"]["name"] == "Default security group"
    assert first["security_group"]["id"] == second["security_group"]["id"]
    group = api.ok("GET", f"{GROUPS}/{first['security_group']['id']}")["security_group"]
    assert group["project_default"] and [s["id"] for s in group["servers"]] == [first["id"], second["id"]]
    rules = api.ok("GET", f"{GROUPS}/{group['id']}/rules")["rules"]
    assert [(r["direction"], r["action"], r["dest_port_from"], r["ip_range"], r["editable"]) for r in rules] == [
        ("outbound", "drop", port, ip_range, False) for ip_range in ("0.0.0.0/0", "::/0") for port in (25, 465, 587)
    ]


def test_security_group_rules(api: Api) -> None:
    group = api.ok(
        "POST",
        GROUPS,
        {
            "name": "web",
            "description": "",
            "project": api.engine.project_id,
            "stateful": True,
            "inbound_default_policy": "drop",
            "outbound_default_policy": "accept",
            "enable_default_security": False,
        },
    )["security_group"]
    rule = {
        "protocol": "TCP",
        "direction": "inbound",
        "action": "accept",
        "ip_range": "0.0.0.0/0",
        "position": 0,
        "editable": True,
    }
    ssh = api.ok("POST", f"{GROUPS}/{group['id']}/rules", {**rule, "dest_port_from": 22})["rule"]
    assert (ssh["position"], ssh["editable"], ssh["dest_port_from"], ssh["dest_port_to"]) == (1, True, 22, None)
    http = api.ok("POST", f"{GROUPS}/{group['id']}/rules", {**rule, "dest_port_from": 80, "position": 1})["rule"]
    listed = api.ok("GET", f"{GROUPS}/{group['id']}/rules")["rules"]
    assert http["position"] == 1 and {r["dest_port_from"]: r["position"] for r in listed} == {22: 2, 80: 1}
    rules = api.ok(
        "PUT",
        f"{GROUPS}/{group['id']}/rules",
        {
            "rules": [
                {
                    "protocol": "TCP",
                    "direction": "inbound",
                    "action": "accept",
                    "ip_range": "0.0.0.0/0",
                    "dest_port_from": 443,
                }
            ]
        },
    )["rules"]
    assert [(r["dest_port_from"], r["position"]) for r in rules] == [(443, 1)]
    srv = server(api, security_group=group["id"])
    assert srv["security_group"] == {"id": group["id"], "name": "web"}
    assert api.error("DELETE", f"{GROUPS}/{group['id']}").status == 412  # in use
    api.ok("DELETE", f"{INSTANCE}/servers/{srv['id']}")
    api.ok("DELETE", f"{GROUPS}/{group['id']}")
    assert api.engine.items(f"{GROUPS}/{group['id']}/rules") == []


def test_default_rules_cannot_be_deleted(api: Api) -> None:
    group = server(api)["security_group"]
    rule = api.ok("GET", f"{GROUPS}/{group['id']}/rules")["rules"][0]
    assert api.error("DELETE", f"{GROUPS}/{group['id']}/rules/{rule['id']}").status == 400
