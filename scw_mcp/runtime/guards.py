"""Guards for the calls that would lock the user (or this server) out.

Each guard reads the current state with the SDK and refuses with an explanation; the
`--allow-lockout` switch (SCW_MCP_ALLOW_LOCKOUT) overrides them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .context import CallContext
from .errors import ToolFailure

LockoutGuard = Callable[[CallContext, dict[str, Any]], Awaitable[None]]
OVERRIDE_HINT = "If you really mean it, restart scw-mcp with --allow-lockout (SCW_MCP_ALLOW_LOCKOUT=1)."


async def _own_api_key(ctx: CallContext, arguments: dict[str, Any]) -> None:
    if arguments.get("access_key") == ctx.settings.access_key:
        raise ToolFailure(
            f"Refused: {arguments['access_key']} is the API key this server is using; deleting it would cut "
            f"every further call off. {OVERRIDE_HINT}"
        )


async def _own_policy(ctx: CallContext, arguments: dict[str, Any]) -> None:
    from scaleway.iam.v1alpha1 import IamV1Alpha1API

    api = ctx.api(IamV1Alpha1API)
    key = await ctx.run(api.get_api_key, access_key=ctx.settings.access_key)
    principal = {"application_ids": [key.application_id]} if key.application_id else {"user_ids": [key.user_id]}
    policies = await ctx.run(api.list_policies, **principal)
    if any(p.id == arguments.get("policy_id") for p in policies.policies):
        raise ToolFailure(
            f"Refused: policy {arguments['policy_id']} grants the permissions of the API key this server is using; "
            f"deleting it would lock this server (and maybe you) out. {OVERRIDE_HINT}"
        )


def _allows_ssh(rule: Any) -> bool:
    low, high = rule.dest_port_from, rule.dest_port_to or rule.dest_port_from
    return (
        str(rule.direction) == "inbound"
        and str(rule.action) == "accept"
        and str(rule.protocol) in ("TCP", "ANY")
        and (low is None or low <= 22 <= (high or low))
    )


async def _last_ssh_rule(ctx: CallContext, arguments: dict[str, Any]) -> None:
    from scaleway.instance.v1 import InstanceV1API

    api = ctx.api(InstanceV1API)
    zone, group = arguments.get("zone"), arguments["security_group_id"]
    rules = (await ctx.run(api.list_security_group_rules, security_group_id=group, zone=zone, per_page=100)).rules
    target = next((r for r in rules if r.id == arguments.get("security_group_rule_id")), None)
    if target is None or not _allows_ssh(target):
        return
    if any(_allows_ssh(r) for r in rules if r.id != target.id):
        return
    servers = (await ctx.run(api.list_servers, zone=zone, per_page=100)).servers
    running = [
        s.name for s in servers if s.security_group and s.security_group.id == group and str(s.state) == "running"
    ]
    if running:
        raise ToolFailure(
            f"Refused: rule {target.id} is the last rule allowing SSH (port 22) in security group {group}, used by "
            f"running server(s) {', '.join(running)}; removing it locks you out of them. {OVERRIDE_HINT}"
        )


# Operation -> its guard; a tool gets the guard of every operation it performs.
GUARDS: dict[str, LockoutGuard] = {
    "iam_delete_api_key": _own_api_key,
    "iam_delete_policy": _own_policy,
    "instance_delete_security_group_rule": _last_ssh_rule,
}


async def check(ctx: CallContext, op: Any, arguments: dict[str, Any]) -> None:
    for performed in op.performs:
        guard = GUARDS.get(performed)
        if guard is not None:
            await guard(ctx, arguments)
