"""Guards for the calls that would lock the user (or this server) out.

Each guard reads the current state with the SDK and refuses with an explanation; the
`--allow-lockout` switch (SCW_MCP_ALLOW_LOCKOUT) overrides them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace
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
    """The application or user the server's API key belongs to: deleting it deletes the key, locking
    it stops the key working."""
    key = await _own_key(ctx)
    for field, own in (("application_id", key.application_id), ("user_id", key.user_id)):
        if own and arguments.get(field) == own:
            raise ToolFailure(
                f"Refused: {field.removesuffix('_id')} {own} owns the API key this server is using; deleting or "
                f"locking it cuts every further call off. {OVERRIDE_HINT}"
            )


@dataclass(frozen=True)
class _Grants:
    """Where the server's API key gets its permissions: the policies naming its principal (an
    application or a user) and those of the IAM groups the principal belongs to."""

    field: str  # "application_id" or "user_id": how the IAM calls name the principal
    principal: str
    policies: frozenset[str]
    groups: frozenset[str]  # the principal's groups that hold a policy (a group without one grants nothing)


async def _grants(ctx: CallContext) -> _Grants:
    from scaleway.iam.v1alpha1 import IamV1Alpha1API

    api = ctx.api(IamV1Alpha1API)
    key = await _own_key(ctx)
    field, principal = ("application_id", key.application_id) if key.application_id else ("user_id", key.user_id)
    own = await ctx.run(api.list_policies_all, **{f"{field}s": [principal]})
    groups = await ctx.run(api.list_groups_all, **{f"{field}s": [principal]})
    held = await ctx.run(api.list_policies_all, group_ids=[g.id for g in groups]) if groups else []
    return _Grants(
        field, principal, frozenset(p.id for p in [*own, *held]), frozenset(p.group_id for p in held if p.group_id)
    )


async def _own_policy(ctx: CallContext, arguments: dict[str, Any]) -> None:
    if arguments.get("policy_id") in (await _grants(ctx)).policies:
        raise ToolFailure(
            f"Refused: policy {arguments['policy_id']} grants the permissions of the API key this server is using; "
            f"deleting it, replacing its rules or giving it to another principal would lock this server (and "
            f"maybe you) out. {OVERRIDE_HINT}"
        )


async def _own_policy_principal(ctx: CallContext, arguments: dict[str, Any]) -> None:
    """An update of the server's own policy that moves it to another principal (its name may change)."""
    if any(arguments.get(f) is not None for f in ("user_id", "group_id", "application_id", "no_principal")):
        await _own_policy(ctx, arguments)


# Whether a group operation takes the key's principal out of the group: (arguments, field, principal) -> bool.
GroupChange = Callable[[dict[str, Any], str, str], bool]


def _own_group(takes_out: GroupChange) -> LockoutGuard:
    """A guard refusing a change of an IAM group (`takes_out`: whether it removes the server key's
    principal from it, or the group itself) when the group gives the key its permissions."""

    async def guard(ctx: CallContext, arguments: dict[str, Any]) -> None:
        group = arguments.get("group_id")
        grants = await _grants(ctx)
        if group in grants.groups and takes_out(arguments, grants.field, grants.principal):
            raise ToolFailure(
                f"Refused: {grants.field.removesuffix('_id')} {grants.principal}, which owns the API key this "
                f"server is using, gets its permissions from a policy of group {group}; deleting the group or "
                f"taking it out of the group would lock this server (and maybe you) out. {OVERRIDE_HINT}"
            )

    return guard


def _group_deleted(arguments: dict[str, Any], field: str, principal: str) -> bool:
    return True


def _member_removed(arguments: dict[str, Any], field: str, principal: str) -> bool:
    return arguments.get(field) == principal


def _members_set(arguments: dict[str, Any], field: str, principal: str) -> bool:
    return principal not in (arguments.get(f"{field}s") or [])


# --- SSH through a security group ------------------------------------------------------------
# Scaleway evaluates a group's inbound rules in `position` order: the first one matching a packet
# decides (accept or drop); a packet no rule matches gets the group's inbound default policy.


@dataclass(frozen=True)
class _Rule:
    id: str | None
    direction: str
    action: str
    protocol: str
    ip_range: str | None
    dest_port_from: int | None
    dest_port_to: int | None
    position: int
    editable: bool = True


_RULE_FIELDS = ("direction", "action", "protocol", "ip_range", "dest_port_from", "dest_port_to")


def _rule(source: Any) -> _Rule:
    """A rule from the API's answer (an SDK object) or a call's arguments (a dict). Arguments are
    normalised to the SDK's lower-case spelling ("tcp") and the API answers "TCP": compared in lower case."""
    values = source if isinstance(source, dict) else vars(source)
    return _Rule(
        id=values.get("id"),
        **{f: str(values.get(f) or "").lower() for f in ("direction", "action", "protocol")},
        ip_range=values.get("ip_range"),
        dest_port_from=values.get("dest_port_from"),
        dest_port_to=values.get("dest_port_to"),
        position=values.get("position") or 0,
        editable=values.get("editable") is not False,
    )


@dataclass(frozen=True)
class _SecurityGroup:
    inbound_default_policy: str
    rules: tuple[_Rule, ...]


Network = ipaddress.IPv4Network | ipaddress.IPv6Network
EVERYWHERE: Network = ipaddress.ip_network("0.0.0.0/0")


def _network(rule: _Rule) -> Network:
    try:
        return ipaddress.ip_network(rule.ip_range or "0.0.0.0/0", strict=False)
    except ValueError:  # the API refuses it anyway
        return EVERYWHERE


def _covers(drop: _Rule, network: Network) -> bool:
    """Whether a drop rule shuts all of `network` out (a drop of ::/0 leaves IPv4 as it was)."""
    dropped = _network(drop)
    return drop.action == "drop" and dropped.version == network.version and network.subnet_of(dropped)


def _matches_ssh(rule: _Rule) -> bool:
    """An inbound rule matching TCP port 22 (no port: all ports; no upper bound: that one port)."""
    low = rule.dest_port_from
    return (
        rule.direction == "inbound"
        and rule.protocol in ("tcp", "any")
        and (not low or low <= 22 <= (rule.dest_port_to or low))
    )


def _ssh_families(group: _SecurityGroup) -> frozenset[int]:
    """The address families (4, 6) SSH reaches the group's servers from: where an accept rule on
    port 22 (or the default accept policy) is not covered entirely by the drop rules before it. An
    accept rule whose ip_range is narrowed (to one's own address, say) still counts: restricting SSH
    is a normal setup, not a lock-out. A range covered only by several drops together counts as
    reachable (permissive)."""
    deciding = [r for r in sorted(group.rules, key=lambda r: r.position) if _matches_ssh(r)]
    openings = [(_network(r), deciding[:i]) for i, r in enumerate(deciding) if r.action == "accept"]
    if group.inbound_default_policy == "accept":
        openings.append((EVERYWHERE, deciding))
    return frozenset(network.version for network, before in openings if not any(_covers(r, network) for r in before))


def _locks_out(before: _SecurityGroup, after: _SecurityGroup) -> bool:
    """SSH reached the servers and no longer does: over IPv4 (how most servers are reached), or at all."""
    was, now = _ssh_families(before), _ssh_families(after)
    return bool(was) and (not now or (4 in was and 4 not in now))


def _placed(rules: tuple[_Rule, ...], rule: _Rule, position: int | None) -> tuple[_Rule, ...]:
    """The rules with `rule` at `position` among the editable ones (0 or past the end: last), the
    ones after it moving down: where the API puts a rule created or moved there."""
    fixed = tuple(r for r in rules if not r.editable)
    others = sorted((r for r in rules if r.editable and r.id != rule.id), key=lambda r: r.position)
    index = position - 1 if position and 0 < position <= len(others) + 1 else len(others)
    others.insert(index, rule)
    return fixed + tuple(replace(r, position=i) for i, r in enumerate(others, start=1))


def _without_rule(group: _SecurityGroup, arguments: dict[str, Any]) -> _SecurityGroup:
    return replace(group, rules=tuple(r for r in group.rules if r.id != arguments.get("security_group_rule_id")))


def _with_rule_updated(group: _SecurityGroup, arguments: dict[str, Any]) -> _SecurityGroup:
    wanted = arguments.get("security_group_rule_id")
    rule = next((r for r in group.rules if r.id == wanted), None)
    if rule is None:
        return group
    rule = _rule({**asdict(rule), **{f: arguments[f] for f in _RULE_FIELDS if arguments.get(f) is not None}})
    if arguments.get("position") is None:
        return replace(group, rules=tuple(rule if r.id == wanted else r for r in group.rules))
    return replace(group, rules=_placed(group.rules, rule, arguments["position"]))


def _with_rule_created(group: _SecurityGroup, arguments: dict[str, Any]) -> _SecurityGroup:
    return replace(group, rules=_placed(group.rules, _rule({**arguments, "id": None}), arguments.get("position")))


def _rules_replaced(group: _SecurityGroup, arguments: dict[str, Any]) -> _SecurityGroup:
    """The editable rules become the call's (in their positions, else their order); the default ones stay."""
    given = [r for r in arguments.get("rules") or [] if isinstance(r, dict)]
    rules = [_rule({**r, "position": r.get("position") or i}) for i, r in enumerate(given, start=1)]
    return replace(group, rules=tuple(r for r in group.rules if not r.editable) + tuple(rules))


def _with_group_updated(group: _SecurityGroup, arguments: dict[str, Any]) -> _SecurityGroup:
    policy = arguments.get("inbound_default_policy")
    return replace(group, inbound_default_policy=str(policy).lower()) if policy is not None else group


SecurityGroupChange = Callable[[_SecurityGroup, dict[str, Any]], _SecurityGroup]


def _keeps_ssh(change: SecurityGroupChange) -> LockoutGuard:
    """A guard refusing a change of a security group (`change`: the group before -> after) that
    makes SSH (port 22) unreachable where it was reachable, while running servers use the group."""

    async def guard(ctx: CallContext, arguments: dict[str, Any]) -> None:
        from scaleway.instance.v1 import InstanceV1API

        api = ctx.api(InstanceV1API)
        zone, group_id = arguments.get("zone"), arguments["security_group_id"]
        found = (await ctx.run(api.get_security_group, security_group_id=group_id, zone=zone)).security_group
        rules = await ctx.run(api.list_security_group_rules_all, security_group_id=group_id, zone=zone)
        group = _SecurityGroup(str(found.inbound_default_policy).lower(), tuple(_rule(r) for r in rules))
        if not found.servers or not _locks_out(group, change(group, arguments)):
            return
        servers = await ctx.run(api.list_servers_all, zone=zone)
        running = [
            s.name
            for s in servers
            if s.security_group and s.security_group.id == group_id and str(s.state) == "running"
        ]
        if running:
            raise ToolFailure(
                f"Refused: after this change SSH (port 22) no longer reaches the servers of security group "
                f"{group_id} (its rules, in position order, then its inbound default policy), and running "
                f"server(s) {', '.join(running)} use it; you would be locked out of them. {OVERRIDE_HINT}"
            )

    return guard


# Operation -> its guard; a tool gets the guard of every operation it performs.
GUARDS: dict[str, LockoutGuard] = {
    "iam_delete_api_key": _own_api_key,
    "iam_update_api_key": _own_api_key_expiry,
    "iam_delete_application": _own_principal,
    "iam_delete_user": _own_principal,
    "iam_lock_user": _own_principal,  # "a locked member cannot log in or use API keys"
    "iam_delete_policy": _own_policy,
    "iam_set_rules": _own_policy,
    "iam_update_policy": _own_policy_principal,
    "iam_delete_group": _own_group(_group_deleted),
    "iam_remove_group_member": _own_group(_member_removed),
    "iam_set_group_members": _own_group(_members_set),
    "instance_delete_security_group_rule": _keeps_ssh(_without_rule),
    "instance_update_security_group_rule": _keeps_ssh(_with_rule_updated),
    "instance_set_security_group_rules": _keeps_ssh(_rules_replaced),
    "instance_create_security_group_rule": _keeps_ssh(_with_rule_created),
    "instance_update_security_group": _keeps_ssh(_with_group_updated),
}


async def check(ctx: CallContext, op: Any, arguments: dict[str, Any]) -> None:
    for performed in op.performs:
        guard = GUARDS.get(performed)
        if guard is not None:
            await guard(ctx, arguments)
