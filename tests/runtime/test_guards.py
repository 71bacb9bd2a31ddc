from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from scw_mcp.runtime import guards
from scw_mcp.runtime.context import CallContext
from scw_mcp.runtime.errors import ToolFailure
from scw_mcp.runtime.settings import Settings
from scw_mcp.sandbox import ACCESS_KEY, Sandbox
from tests.inmemory import ok, session, text_of
from tests.runtime.ops import make_op

DELETE_KEY = make_op("iam_delete_api_key", "destructive")


def test_deleting_the_servers_own_api_key_is_refused():
    ctx = CallContext(settings=Settings(access_key="SCWTESTTESTTESTTEST1"), tool="iam_delete_api_key")
    with pytest.raises(ToolFailure, match="API key this server is using"):
        anyio.run(guards.check, ctx, DELETE_KEY, {"access_key": "SCWTESTTESTTESTTEST1"})
    anyio.run(guards.check, ctx, DELETE_KEY, {"access_key": "SCWOTHEROTHEROTHER12"})
    # a tool that performs the guarded operation gets its guard too, whatever it is called
    wrapper = make_op("iam_rotate_keys", "destructive", performs=("iam_create_api_key", "iam_delete_api_key"))
    with pytest.raises(ToolFailure, match="API key this server is using"):
        anyio.run(guards.check, ctx, wrapper, {"access_key": "SCWTESTTESTTESTTEST1"})


def _rule(port=22, action="accept", position=1, ip_range="0.0.0.0/0", protocol="TCP", direction="inbound", **more):
    return guards._rule(
        {
            "id": f"r{position}",
            "direction": direction,
            "action": action,
            "protocol": protocol,
            "ip_range": ip_range,
            "dest_port_from": port,
            "position": position,
            **more,
        }
    )


def _reachable(default: str, *rules: guards._Rule) -> bool:
    return bool(guards._ssh_families(guards._SecurityGroup(default, rules)))


def test_ssh_reachability_follows_rule_order_then_the_default_policy():
    assert _reachable("drop", _rule(22)) and _reachable("drop", _rule(None, protocol="any"))
    assert _reachable("drop", _rule(20, dest_port_to=30)) and _reachable("drop", _rule(22, protocol="tcp"))
    assert not _reachable("drop", _rule(443)) and not _reachable("drop", _rule(22, protocol="udp"))
    assert not _reachable("drop", _rule(22, direction="outbound"))
    assert _reachable("accept") and not _reachable("drop")
    # the first rule matching port 22 decides; the default only when none does
    assert not _reachable("drop", _rule(22, "drop", 1), _rule(22, "accept", 2))
    assert _reachable("drop", _rule(22, "accept", 1), _rule(22, "drop", 2))
    assert not _reachable("drop", _rule(22, "accept", 2), _rule(None, "drop", 1, protocol="ANY"))
    assert not _reachable("accept", _rule(22, "drop", 1)) and _reachable("accept", _rule(443, "drop", 1))
    # a narrowed accept still opens SSH (to one's own address: a normal setup), a narrow drop shuts only its range
    assert _reachable("drop", _rule(22, ip_range="198.51.100.7/32"))
    assert _reachable("accept", _rule(22, "drop", 1, ip_range="203.0.113.0/24"))
    assert _reachable("drop", _rule(22, "drop", 1, ip_range="203.0.113.0/24"), _rule(22, "accept", 2))
    assert not _reachable("drop", _rule(22, "drop", 1, ip_range="10.0.0.0/8"), _rule(22, "accept", 2, "10.1.2.3"))
    # a drop shuts its own address family only: dropping IPv6 leaves IPv4 SSH as it was
    assert _reachable("accept", _rule(22, "drop", 1, ip_range="::/0"))
    assert not _reachable("accept", _rule(22, "drop", 1, ip_range="0.0.0.0/0"))
    ipv4_and_6 = guards._SecurityGroup("drop", (_rule(22, "accept", 1), _rule(22, "accept", 2, ip_range="::/0")))
    ipv6_only = guards._SecurityGroup("drop", (_rule(22, "accept", 2, ip_range="::/0"),))
    assert guards._locks_out(ipv4_and_6, ipv6_only)  # IPv4, how most servers are reached, is gone
    assert not guards._locks_out(ipv4_and_6, guards._SecurityGroup("drop", (_rule(22, "accept", 1),)))


def test_security_group_changes_place_rules_as_the_api_does():
    group = guards._SecurityGroup("drop", (_rule(22, "accept", 1), _rule(80, "accept", 2)))
    created = guards._with_rule_created(group, {"action": "drop", "protocol": "tcp", "dest_port_from": 22})
    assert [(r.dest_port_from, r.action, r.position) for r in sorted(created.rules, key=lambda r: r.position)] == [
        (22, "accept", 1),
        (80, "accept", 2),
        (22, "drop", 3),  # no position: last
    ]
    first = guards._with_rule_created(
        group, {"direction": "inbound", "action": "drop", "protocol": "tcp", "position": 1}
    )
    assert not guards._ssh_families(first)
    moved = guards._with_rule_updated(first, {"security_group_rule_id": "r1", "position": 1})
    assert guards._ssh_families(moved)
    assert guards._with_group_updated(group, {"inbound_default_policy": "ACCEPT"}).inbound_default_policy == "accept"


# --- through the real client (in memory) against the sandbox -----------------------------------
# Confirmation off: a call the guard lets through reaches the API at once (the guards run either way).
NO_SSH = "SSH (port 22) no longer reaches"
OWN_GROUP = "gets its permissions from a policy of group"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(s3=False) as sandbox:
        yield sandbox


def _changes(sb: Sandbox) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in sb.requests if r["method"] != "GET"]


async def _refused(client: Any, sb: Sandbox, tool: str, args: dict[str, Any], reason: str) -> None:
    sb.reset_requests()
    result = await client.call_tool(tool, args)
    assert result.is_error and reason in text_of(result), (tool, args, text_of(result))
    assert "--allow-lockout" in text_of(result)
    assert _changes(sb) == [], (tool, args)  # refused before anything but reads reached the API


async def _allowed(client: Any, sb: Sandbox, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    sb.reset_requests()
    done = ok(await client.call_tool(tool, args))
    assert _changes(sb), (tool, args)
    return done


def _ssh(action: str = "accept", port: int | None = 22, **more: Any) -> dict[str, Any]:
    rule = {"protocol": "tcp", "direction": "inbound", "action": action, "ip_range": "0.0.0.0/0"}
    return {**rule, **({"dest_port_from": port} if port else {}), **more}


async def _group_in_use(client: Any, default: str, *rules: dict[str, Any]) -> tuple[str, list[str]]:
    """A security group (its inbound default policy, its rules) that a running server uses."""
    created = await client.call_tool(
        "instance_create_security_group",
        {
            "name": "g",
            "description": "",
            "stateful": True,
            "inbound_default_policy": default,
            "outbound_default_policy": "accept",
            "enable_default_security": False,
        },
    )
    group = ok(created)["security_group"]["id"]
    ids = []
    for rule in rules:
        args = {"security_group_id": group, "position": 0, "editable": True, **rule}
        ids.append(ok(await client.call_tool("instance_create_security_group_rule", args))["rule"]["id"])
    server = ok(await client.call_tool("instance_create_server", {"name": "s", "security_group": group, "wait": True}))
    assert server["server"]["state"] == "running"
    return group, ids


def test_ssh_guard_refuses_each_change_that_shuts_ssh_out_and_lets_the_others_through(sb: Sandbox) -> None:
    async def scenario() -> None:
        async with session(sb, toolsets=("all",), confirm=False) as client:
            group, (rule,) = await _group_in_use(client, "drop", _ssh())
            g, r = {"security_group_id": group}, {"security_group_id": group, "security_group_rule_id": rule}
            for tool, args in [
                ("instance_delete_security_group_rule", r),
                ("instance_update_security_group_rule", {**r, "action": "drop"}),
                ("instance_update_security_group_rule", {**r, "dest_port_from": 2222}),
                ("instance_set_security_group_rules", {**g, "rules": []}),
                ("instance_set_security_group_rules", {**g, "rules": [_ssh("drop", position=1), _ssh(position=2)]}),
                ("instance_create_security_group_rule", {**g, **_ssh("drop"), "position": 1, "editable": True}),
                (
                    "instance_create_security_group_rule",
                    {**g, **_ssh("drop", None, protocol="ANY"), "position": 1, "editable": True},
                ),
            ]:
                await _refused(client, sb, tool, args, NO_SSH)
            # the hostile review's false refusals: protocols as the API spells them ("TCP") match too
            await _allowed(
                client, sb, "instance_update_security_group_rule", {**r, "protocol": "TCP", "dest_port_to": 23}
            )
            # restricting SSH to one's own address, a drop after the accept or of a narrow range before it
            await _allowed(client, sb, "instance_update_security_group_rule", {**r, "ip_range": "198.51.100.7/32"})
            await _allowed(
                client,
                sb,
                "instance_create_security_group_rule",
                {**g, **_ssh("drop"), "position": 0, "editable": True},
            )
            await _allowed(
                client,
                sb,
                "instance_create_security_group_rule",
                {**g, **_ssh("drop", ip_range="203.0.113.0/24"), "position": 1, "editable": True},
            )
            await _allowed(client, sb, "instance_update_security_group", {**g, "inbound_default_policy": "drop"})
            https = [_ssh(), _ssh(port=443)]
            await _allowed(client, sb, "instance_set_security_group_rules", {**g, "rules": https})
            rules = ok(await client.call_tool("instance_list_security_group_rules", g))["items"]
            same = [{k: x[k] for k in (*_ssh(), "position", "dest_port_to")} for x in rules]
            await _allowed(client, sb, "instance_set_security_group_rules", {**g, "rules": same})  # set back as read

            # SSH through the default accept policy: dropping it, or a drop on port 22 first, shuts it out
            group, _ = await _group_in_use(client, "accept", _ssh(port=443))
            g = {"security_group_id": group}
            await _refused(
                client, sb, "instance_update_security_group", {**g, "inbound_default_policy": "drop"}, NO_SSH
            )
            await _refused(client, sb, "instance_set_security_group_rules", {**g, "rules": [_ssh("drop")]}, NO_SSH)
            await _refused(
                client,
                sb,
                "instance_create_security_group_rule",
                {**g, **_ssh("drop"), "position": 1, "editable": True},
                NO_SSH,
            )
            await _allowed(client, sb, "instance_update_security_group", {**g, "name": "renamed"})
            # once a rule opens port 22, the default may become drop
            await _allowed(
                client, sb, "instance_create_security_group_rule", {**g, **_ssh(), "position": 0, "editable": True}
            )
            await _allowed(client, sb, "instance_update_security_group", {**g, "inbound_default_policy": "drop"})

    anyio.run(scenario)


def test_a_policy_held_through_a_group_is_guarded_like_the_servers_own(sb: Sandbox) -> None:
    async def scenario() -> None:
        async with session(sb, toolsets=("all",), confirm=False) as client:
            own = ok(await client.call_tool("iam_get_api_key", {"access_key": ACCESS_KEY}))["application_id"]
            other = ok(await client.call_tool("iam_create_application", {"name": "other"}))["id"]
            group = ok(await client.call_tool("iam_create_group", {"name": "admins", "description": ""}))["id"]
            bare = ok(await client.call_tool("iam_create_group", {"name": "no-policy", "description": ""}))["id"]
            for g in (group, bare):
                ok(await client.call_tool("iam_add_group_members", {"group_id": g, "application_ids": [own, other]}))
            rules = [{"permission_set_names": ["AllProductsFullAccess"], "organization_id": sb.engine.organization_id}]
            created = await client.call_tool(
                "iam_create_policy", {"name": "via-group", "group_id": group, "rules": rules}
            )
            policy = ok(created)["id"]
            p, gr = {"policy_id": policy}, {"group_id": group}
            for tool, args, reason in [
                ("iam_set_rules", {**p, "rules": []}, "grants the permissions"),
                ("iam_delete_policy", p, "grants the permissions"),
                ("iam_update_policy", {**p, "no_principal": True}, "grants the permissions"),
                ("iam_remove_group_member", {**gr, "application_id": own}, OWN_GROUP),
                ("iam_set_group_members", {**gr, "user_ids": [], "application_ids": [other]}, OWN_GROUP),
                ("iam_delete_group", gr, OWN_GROUP),
            ]:
                await _refused(client, sb, tool, args, reason)
            # what leaves the server its permissions goes through
            await _allowed(client, sb, "iam_remove_group_member", {**gr, "application_id": other})
            members = {**gr, "user_ids": [], "application_ids": [own, other]}
            await _allowed(client, sb, "iam_set_group_members", members)
            await _allowed(client, sb, "iam_update_policy", {**p, "description": "still ours"})
            await _allowed(client, sb, "iam_update_group", {**gr, "description": "still ours"})
            # a group without a policy grants nothing: leaving or deleting it locks nobody out
            await _allowed(client, sb, "iam_remove_group_member", {"group_id": bare, "application_id": own})
            await _allowed(client, sb, "iam_delete_group", {"group_id": bare})

    anyio.run(scenario)


def test_the_user_owning_the_servers_key_is_neither_deleted_nor_locked():
    """A locked member cannot use API keys: locking the key's user is the same lock-out as deleting it."""
    import anyio
    from mcp import Client

    from scw_mcp.runtime.settings import load_settings
    from scw_mcp.sandbox import Sandbox
    from scw_mcp.sandbox.behaviours.iam import add_api_key
    from tests.inmemory import server_for, text_of

    with Sandbox(s3=False) as sb:
        user = sb.engine.items("/iam/v1alpha1/users")[0]
        key, secret = "SCWUSERKEYXXXXXXXXXX", "7b3c1d2e-1111-4222-8333-944455566677"
        add_api_key(sb.engine, bearer={"user_id": user["id"]}, key=key, secret=secret)
        settings = load_settings(environ={**sb.env(), "SCW_ACCESS_KEY": key, "SCW_SECRET_KEY": secret})

        async def refused() -> list[str]:
            async with Client(server_for(sb, settings=settings, toolsets=("all",), confirm=False)) as client:
                return [
                    text_of(await client.call_tool(tool, {"user_id": user["id"]}))
                    for tool in ("iam_delete_user", "iam_lock_user")
                ]

        sb.reset_requests()
        for text in anyio.run(refused):
            assert "owns the API key this server is using" in text, text
        assert [r for r in sb.requests if r["method"] != "GET"] == []
