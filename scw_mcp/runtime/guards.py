"""Guards for the calls that would lock the user (or this server) out.

Each guard reads the current state with the SDK and refuses with an explanation; the
`--allow-lockout` switch (SCW_MCP_ALLOW_LOCKOUT) overrides them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

from .context import CallContext
from .errors import ToolFailure

LockoutGuard = Callable[[CallContext, dict[str, Any]], Awaitable[None]]
OVERRIDE_HINT = "If you really mean it, restart scw-mcp with --allow-lockout (SCW_MCP_ALLOW_LOCKOUT=1)."


async def _own_key(ctx: CallContext) -> Any:
    from scaleway.iam.v1alpha1 import IamV1Alpha1API

    return await ctx.run(ctx.api(IamV1Alpha1API).get_api_key, access_key=ctx.settings.access_key)


async def _own_api_key(ctx: CallContext, arguments: dict[str, Any]) -> None:
    if arguments.get("access_key") == ctx.settings.access_key:
        raise ToolFailure(
            f"Refused: {arguments['access_key']} is the API key this server is using; deleting it would cut "
            f"every further call off. {OVERRIDE_HINT}"
        )


async def _own_api_key_expiry(ctx: CallContext, arguments: dict[str, Any]) -> None:
    if arguments.get("expires_at") is not None and arguments.get("access_key") == ctx.settings.access_key:
        raise ToolFailure(
            f"Refused: {arguments['access_key']} is the API key this server is using; giving it an expiry date "
            f"would cut every call off once it passes. {OVERRIDE_HINT}"
        )


async def _own_principal(ctx: CallContext, arguments: dict[str, Any]) -> None:
    """The application or user the server's API key belongs to: deleting it deletes the key."""
    key = await _own_key(ctx)
    for field, own in (("application_id", key.application_id), ("user_id", key.user_id)):
        if own and arguments.get(field) == own:
            raise ToolFailure(
                f"Refused: {field.removesuffix('_id')} {own} owns the API key this server is using; deleting it "
                f"deletes the key and cuts every further call off. {OVERRIDE_HINT}"
            )


async def _own_policy(ctx: CallContext, arguments: dict[str, Any]) -> None:
    from scaleway.iam.v1alpha1 import IamV1Alpha1API

    key = await _own_key(ctx)
    principal = {"application_ids": [key.application_id]} if key.application_id else {"user_ids": [key.user_id]}
    policies = await ctx.run(ctx.api(IamV1Alpha1API).list_policies, **principal)
    if any(p.id == arguments.get("policy_id") for p in policies.policies):
        raise ToolFailure(
            f"Refused: policy {arguments['policy_id']} grants the permissions of the API key this server is using; "
            f"deleting it, replacing its rules or giving it to another principal would lock this server (and "
            f"maybe you) out. {OVERRIDE_HINT}"
        )


async def _own_policy_principal(ctx: CallContext, arguments: dict[str, Any]) -> None:
    """An update of the server's own policy that moves it to another principal (its name may change)."""
    if any(arguments.get(f) is not None for f in ("user_id", "group_id", "application_id", "no_principal")):
        await _own_policy(ctx, arguments)


_RULE_FIELDS = ("direction", "action", "protocol", "dest_port_from", "dest_port_to")


def _allows_ssh(rule: Any) -> bool:
    low, high = rule.dest_port_from, rule.dest_port_to or rule.dest_port_from
    return (
        str(rule.direction) == "inbound"
        and str(rule.action) == "accept"
        and str(rule.protocol) in ("TCP", "ANY")
        and (low is None or low <= 22 <= (high or low))
    )


def _without_rule(rules: list[Any], arguments: dict[str, Any]) -> list[Any]:
    return [r for r in rules if r.id != arguments.get("security_group_rule_id")]


def _with_rule_updated(rules: list[Any], arguments: dict[str, Any]) -> list[Any]:
    def updated(rule: Any) -> Any:
        changed = {f: arguments[f] for f in _RULE_FIELDS if arguments.get(f) is not None}
        return SimpleNamespace(id=rule.id, **{f: changed.get(f, getattr(rule, f)) for f in _RULE_FIELDS})

    return [updated(r) if r.id == arguments.get("security_group_rule_id") else r for r in rules]


def _rules_replaced(rules: list[Any], arguments: dict[str, Any]) -> list[Any]:
    return [
        SimpleNamespace(id=rule.get("id"), **{f: rule.get(f) for f in _RULE_FIELDS})
        for rule in arguments.get("rules") or []
        if isinstance(rule, dict)
    ]


def _keeps_ssh(change: Callable[[list[Any], dict[str, Any]], list[Any]]) -> LockoutGuard:
    """A guard refusing a change of a security group's rules (`change`: the rules before -> after) that
    leaves no rule allowing SSH (port 22) where one did, while running servers use the group."""

    async def guard(ctx: CallContext, arguments: dict[str, Any]) -> None:
        from scaleway.instance.v1 import InstanceV1API

        api = ctx.api(InstanceV1API)
        zone, group = arguments.get("zone"), arguments["security_group_id"]
        rules = (await ctx.run(api.list_security_group_rules, security_group_id=group, zone=zone, per_page=100)).rules
        if not any(_allows_ssh(r) for r in rules) or any(_allows_ssh(r) for r in change(rules, arguments)):
            return
        servers = (await ctx.run(api.list_servers, zone=zone, per_page=100)).servers
        running = [
            s.name for s in servers if s.security_group and s.security_group.id == group and str(s.state) == "running"
        ]
        if running:
            raise ToolFailure(
                f"Refused: after this change no rule of security group {group} allows SSH (port 22), and running "
                f"server(s) {', '.join(running)} use it; you would be locked out of them. {OVERRIDE_HINT}"
            )

    return guard


# Operation -> its guard; a tool gets the guard of every operation it performs.
GUARDS: dict[str, LockoutGuard] = {
    "iam_delete_api_key": _own_api_key,
    "iam_update_api_key": _own_api_key_expiry,
    "iam_delete_application": _own_principal,
    "iam_delete_user": _own_principal,
    "iam_delete_policy": _own_policy,
    "iam_set_rules": _own_policy,
    "iam_update_policy": _own_policy_principal,
    "instance_delete_security_group_rule": _keeps_ssh(_without_rule),
    "instance_update_security_group_rule": _keeps_ssh(_with_rule_updated),
    "instance_set_security_group_rules": _keeps_ssh(_rules_replaced),
}


async def check(ctx: CallContext, op: Any, arguments: dict[str, Any]) -> None:
    for performed in op.performs:
        guard = GUARDS.get(performed)
        if guard is not None:
            await guard(ctx, arguments)
