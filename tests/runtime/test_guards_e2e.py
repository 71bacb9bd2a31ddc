"""The lock-out guards end to end: the real scw-mcp over stdio, the real mcp client, the sandbox
answering as the API (its own API key, the policy granting it, security groups and servers).
Each guard refuses before anything reaches the API; with --allow-lockout the call goes through
(and deleting the server's own key does lock it out: the API refuses the next request)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio

from scw_mcp.sandbox import ACCESS_KEY, Sandbox
from tests.e2e import clean_env, stdio_client, text_of

ZONE = "/instance/v1/zones/fr-par-1"


async def _ok(client: Any, tool: str, args: dict[str, Any]) -> Any:
    result = await client.call_tool(tool, args)
    assert not result.is_error, f"{tool}: {text_of(result)}"
    return result.structured_content


async def _confirmed(client: Any, tool: str, args: dict[str, Any]) -> Any:
    preview = await _ok(client, tool, args)
    assert preview["status"] == "confirmation_required", preview
    return await _ok(client, tool, {**args, "confirm_token": preview["confirm_token"]})


def _deletes(sb: Sandbox) -> list[str]:
    return [r["path"] for r in sb.requests if r["method"] == "DELETE"]


def _changes(sb: Sandbox) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in sb.requests if r["method"] != "GET"]


def test_each_guard_refuses_and_allow_lockout_lets_it_through(tmp_path: Path) -> None:
    with Sandbox(s3=False) as sb:
        env = clean_env(str(tmp_path), **sb.env())

        async def guarded() -> dict[str, str]:
            async with stdio_client(["--toolsets", "all"], env) as client:
                group = (
                    await _ok(
                        client,
                        "instance_create_security_group",
                        {
                            "name": "ssh-only",
                            "description": "",
                            "stateful": True,
                            "inbound_default_policy": "drop",
                            "outbound_default_policy": "accept",
                            "enable_default_security": False,
                        },
                    )
                )["security_group"]
                rule = (
                    await _ok(
                        client,
                        "instance_create_security_group_rule",
                        {
                            "security_group_id": group["id"],
                            "protocol": "tcp",
                            "direction": "inbound",
                            "action": "accept",
                            "ip_range": "0.0.0.0/0",
                            "dest_port_from": 22,
                            "position": 0,
                            "editable": True,
                        },
                    )
                )["rule"]
                server = await _ok(
                    client,
                    "instance_create_server",
                    {"name": "bastion", "security_group": group["id"], "wait": True},
                )
                assert server["server"]["state"] == "running"
                key = await _ok(client, "iam_get_api_key", {"access_key": ACCESS_KEY})
                policies = await _ok(client, "iam_list_policies", {"application_ids": [key["application_id"]]})
                (policy,) = policies["items"]

                sb.reset_requests()
                ssh = {"security_group_id": group["id"], "security_group_rule_id": rule["id"]}
                no_ssh, owns_key = "SSH (port 22) no longer reaches", "the API key this server is using"
                refusals = [  # every way to the same lock-out, not only the delete
                    ("instance_delete_security_group_rule", ssh, no_ssh),
                    ("instance_update_security_group_rule", {**ssh, "dest_port_from": 2222}, no_ssh),
                    ("instance_update_security_group_rule", {**ssh, "action": "drop"}, no_ssh),
                    ("instance_set_security_group_rules", {"security_group_id": group["id"], "rules": []}, no_ssh),
                    ("iam_delete_policy", {"policy_id": policy["id"]}, "grants the permissions of " + owns_key),
                    ("iam_set_rules", {"policy_id": policy["id"], "rules": []}, "grants the permissions"),
                    ("iam_update_policy", {"policy_id": policy["id"], "no_principal": True}, "grants the permissions"),
                    ("iam_delete_api_key", {"access_key": ACCESS_KEY}, "is " + owns_key),
                    ("iam_update_api_key", {"access_key": ACCESS_KEY, "expires_at": "2000-01-01T00:00:00Z"}, "expiry"),
                    ("iam_delete_application", {"application_id": key["application_id"]}, "owns " + owns_key),
                ]
                for tool, args, reason in refusals:
                    refused = await client.call_tool(tool, args)
                    assert refused.is_error and reason in text_of(refused) and "--allow-lockout" in text_of(refused), (
                        tool,
                        text_of(refused),
                    )
                assert _changes(sb) == []  # refused before anything reached the API
                # what does not lock out goes through: a new description, a rule moved that still opens port 22
                await _ok(client, "iam_update_policy", {"policy_id": policy["id"], "description": "still ours"})
                await _ok(client, "instance_update_security_group_rule", {**ssh, "position": 1})
                return {"group": group["id"], "rule": rule["id"], "policy": policy["id"]}

        ids = anyio.run(guarded)

        async def allowed() -> None:
            async with stdio_client(["--toolsets", "all", "--allow-lockout"], env) as client:
                sb.reset_requests()
                await _confirmed(
                    client,
                    "instance_delete_security_group_rule",
                    {"security_group_id": ids["group"], "security_group_rule_id": ids["rule"]},
                )
                await _confirmed(client, "iam_delete_policy", {"policy_id": ids["policy"]})
                await _confirmed(client, "iam_delete_api_key", {"access_key": ACCESS_KEY})
                assert _deletes(sb) == [
                    f"{ZONE}/security_groups/{ids['group']}/rules/{ids['rule']}",
                    f"/iam/v1alpha1/policies/{ids['policy']}",
                    f"/iam/v1alpha1/api-keys/{ACCESS_KEY}",
                ]
                # the lock-out the guard was about: the API now refuses this server's requests
                locked_out = await client.call_tool("vpc_list_vpcs", {})
                assert (
                    locked_out.is_error
                    and "401" in text_of(locked_out)
                    and "denied_authentication" in text_of(locked_out)
                )

        anyio.run(allowed)
