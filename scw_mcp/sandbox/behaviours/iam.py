"""IAM: users, applications, groups, policies and their rules, API keys with real secrets.

Checked against the tf cassettes iam/api-key-with-application (an access key "SCW" + 17
characters, the secret key answered once at creation and null after, creation_ip,
default_project_id), iam/application-basic and iam/group-users-and-applications (editable and
deletable true, nb_api_keys, PUT members), iam/policy-basic (rules, PUT /rules answering the
policy's rules with permission_sets_scope_type), iam/user-member (a member user's shape), and the
cli cassettes' 401 for an unknown key ("authentication is denied", reason not_found).
"""

from __future__ import annotations

import secrets
import string
import uuid
from typing import Any

from ._base import Call, Engine, Reply, apply_change, behaviour, cls, on_remove

IAM = "/iam/v1alpha1"
KEYS = f"{IAM}/api-keys"
APPLICATIONS = f"{IAM}/applications"
USERS = f"{IAM}/users"
GROUPS = f"{IAM}/groups"
POLICIES = f"{IAM}/policies"
PRINCIPALS = ("user_id", "group_id", "application_id", "no_principal")
OWNED = {"editable": True, "deletable": True, "managed": False}  # what a user-made IAM resource answers


def access_key() -> str:
    return "SCW" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(17))


def add_api_key(
    engine: Engine,
    *,
    bearer: dict[str, str],
    description: str = "",
    project_id: str | None = None,
    expires_at: str | None = None,
    key: str | None = None,
    secret: str | None = None,
) -> dict[str, Any]:
    """Store a key (its secret is kept apart: only the creation answer shows it)."""
    values = {"application_id": None, "user_id": None, **OWNED, **bearer}
    item = engine.add(
        KEYS,
        engine.new(
            cls("scaleway.iam.v1alpha1.types:APIKey"),
            access_key=key or access_key(),
            description=description,
            default_project_id=project_id or engine.project_id,
            creation_ip="127.0.0.1",
            secret_key=None,
            expires_at=expires_at,
            **values,
        ),
    )
    engine.secrets[item["access_key"]] = secret or str(uuid.uuid4())
    return item


def _caller(engine: Engine, call: Call) -> dict[str, str]:
    """The bearer of the key that signed the request: a key made without one is the caller's."""
    access = next((k for k, s in engine.secrets.items() if s == call.token), None)
    key = engine.find(KEYS, access or "", "access_key")
    if key is not None:
        return {"application_id": key["application_id"]} if key["application_id"] else {"user_id": key["user_id"]}
    application = next(iter(engine.items(APPLICATIONS)), None)
    return {"application_id": application["id"]} if application else {}


@behaviour("POST", KEYS)
def create_api_key(engine: Engine, call: Call) -> Reply:
    body = call.body
    bearer = (
        {"application_id": body["application_id"]}
        if body.get("application_id")
        else {"user_id": body["user_id"]}
        if body.get("user_id")
        else _caller(engine, call)
    )
    key = add_api_key(
        engine,
        bearer=bearer,
        description=body.get("description") or "",
        project_id=body.get("default_project_id"),
        expires_at=body.get("expires_at"),
    )
    return Reply(200, {**key, "secret_key": engine.secrets[key["access_key"]]})


@on_remove(KEYS)
def _key_gone(engine: Engine, collection: str, key: dict[str, Any]) -> None:
    engine.secrets.pop(key["access_key"], None)  # requests signed with it are refused from now on


@behaviour("GET", KEYS)
def list_api_keys(engine: Engine, call: Call) -> Reply:
    bearer, many = call.arg("bearer_id"), set(call.query.get("access_keys", []))
    return engine.list(
        call,
        lambda k: (
            (not bearer or bearer in (k["application_id"], k["user_id"])) and (not many or k["access_key"] in many)
        ),
    )


@behaviour("POST", APPLICATIONS)
def create_application(engine: Engine, call: Call) -> Reply:
    return Reply(200, engine.create(call, nb_api_keys=0, **OWNED))


@behaviour("GET", APPLICATIONS)
def list_applications(engine: Engine, call: Call) -> Reply:
    wanted = set(call.query.get("application_ids", []))
    return engine.list(call, lambda a: not wanted or a["id"] in wanted)


@behaviour("POST", USERS)
def create_user(engine: Engine, call: Call) -> Reply:
    """A member (the body's `member`) or an invited guest (its `email`)."""
    member = call.body.get("member") or {}
    email = member.get("email") or call.body.get("email") or ""
    user = engine.create(
        call,
        email=email,
        username=member.get("username") or email,
        type="member" if member else "guest",
        status="activated" if member else "invitation_pending",
        first_name=member.get("first_name") or "",
        last_name=member.get("last_name") or "",
        phone_number=member.get("phone_number") or "",
        locale=member.get("locale") or "en_US",
        mfa=False,
        locked=False,
        deletable=True,
        two_factor_enabled=False,
        account_root_user_id="",
        last_login_at=None,
    )
    return Reply(200, user)


@behaviour("GET", USERS)
def list_users(engine: Engine, call: Call) -> Reply:
    wanted = set(call.query.get("user_ids", []))
    return engine.list(call, lambda u: not wanted or u["id"] in wanted)


def _user_flag(name: str, value: bool) -> Any:
    def set_flag(engine: Engine, call: Call) -> Reply:
        user = engine.parent_item(call)
        user[name] = value
        return Reply(200, user)

    return set_flag


behaviour("POST", f"{USERS}/{{user_id}}/lock")(_user_flag("locked", True))
behaviour("POST", f"{USERS}/{{user_id}}/unlock")(_user_flag("locked", False))


@on_remove(USERS, APPLICATIONS)
def _member_gone(engine: Engine, collection: str, member: dict[str, Any]) -> None:
    """It leaves its groups; policies attached to it stay, orphaned (SDK delete_user docstring)."""
    for group in engine.items(GROUPS):
        group["user_ids"] = [i for i in group["user_ids"] if i != member["id"]]
        group["application_ids"] = [i for i in group["application_ids"] if i != member["id"]]


# --- groups ----------------------------------------------------------------------------------


@behaviour("POST", GROUPS)
def create_group(engine: Engine, call: Call) -> Reply:
    return Reply(200, engine.create(call, user_ids=[], application_ids=[], **OWNED))


@behaviour("GET", GROUPS)
def list_groups(engine: Engine, call: Call) -> Reply:
    groups, users, apps = (set(call.query.get(n, [])) for n in ("group_ids", "user_ids", "application_ids"))
    return engine.list(
        call,
        lambda g: (
            (not groups or g["id"] in groups)
            and (not users or users & set(g["user_ids"]))
            and (not apps or apps & set(g["application_ids"]))
        ),
    )


def _members(change: str) -> Any:
    """add-member(s), remove-member, PUT members: the group's user_ids and application_ids."""

    def apply(engine: Engine, call: Call) -> Reply:
        group = engine.parent_item(call)
        body = call.body
        for field, one in (("user_ids", "user_id"), ("application_ids", "application_id")):
            named = list(body.get(field) or []) + ([body[one]] if body.get(one) else [])
            group[field] = apply_change(group[field], named, change)
        return Reply(200, group)

    return apply


behaviour("POST", f"{GROUPS}/{{group_id}}/add-member", f"{GROUPS}/{{group_id}}/add-members")(_members("add"))
behaviour("POST", f"{GROUPS}/{{group_id}}/remove-member")(_members("remove"))
behaviour("PUT", f"{GROUPS}/{{group_id}}/members")(_members("set"))


# --- policies and rules ------------------------------------------------------------------------


def _rules(policy_id: str) -> str:
    return f"{POLICIES}/{policy_id}/rules"


def _set_rules(engine: Engine, policy: dict[str, Any], specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A policy's rules become these; its counts follow."""
    collection = _rules(policy["id"])
    for rule in list(engine.items(collection)):
        engine.remove(collection, rule)
    rule_cls = cls("scaleway.iam.v1alpha1.types:Rule")
    for spec in specs:
        engine.add(
            collection,
            engine.new(
                rule_cls,
                body=spec,
                permission_sets_scope_type="projects",
                condition=spec.get("condition") or "",
                organization_id=spec.get("organization_id"),
                project_ids=spec.get("project_ids"),
                account_root_user_id=None,
            ),
        )
    rules = engine.items(collection)
    policy["nb_rules"] = len(rules)
    policy["nb_scopes"] = len({(r["organization_id"], tuple(r["project_ids"] or ())) for r in rules})
    policy["nb_permission_sets"] = len({n for r in rules for n in r["permission_set_names"] or []})
    return list(rules)


def add_policy(engine: Engine, body: dict[str, Any], **values: Any) -> dict[str, Any]:
    principal = {k: body.get(k) for k in PRINCIPALS}
    policy = engine.add(
        POLICIES,
        engine.new(
            cls("scaleway.iam.v1alpha1.types:Policy"),
            body={k: v for k, v in body.items() if k != "rules"},
            **{**OWNED, **principal, **values},
        ),
    )
    _set_rules(engine, policy, body.get("rules") or [])
    return policy


@behaviour("POST", POLICIES)
def create_policy(engine: Engine, call: Call) -> Reply:
    return Reply(200, add_policy(engine, call.body))


@behaviour("PATCH", f"{POLICIES}/{{policy_id}}")
def update_policy(engine: Engine, call: Call) -> Reply:
    """A new principal replaces the old one (a policy has one)."""
    if any(call.body.get(k) is not None for k in PRINCIPALS):
        policy = engine.find(POLICIES, call.params["policy_id"])
        if policy is not None:
            policy.update({k: None for k in PRINCIPALS})
    return engine.handle_generic(call)


@behaviour("GET", POLICIES)
def list_policies(engine: Engine, call: Call) -> Reply:
    """The guard against deleting this server's own policy lists them by application_ids."""
    wanted = {f: set(call.query.get(f"{f}s", [])) for f in ("user_id", "group_id", "application_id")}
    ids, name, tag = set(call.query.get("policy_ids", [])), call.arg("policy_name"), call.arg("tag")
    return engine.list(
        call,
        lambda p: (
            all(not want or p[f] in want for f, want in wanted.items())
            and (not ids or p["id"] in ids)
            and (not name or name in p["name"])
            and (not tag or tag in p["tags"])
        ),
    )


@behaviour("POST", f"{POLICIES}/{{policy_id}}/clone")
def clone_policy(engine: Engine, call: Call) -> Reply:
    source = engine.parent_item(call)
    rules = [
        {k: r[k] for k in ("permission_set_names", "condition", "organization_id", "project_ids")}
        for r in engine.items(_rules(source["id"]))
    ]
    body = {k: source[k] for k in ("description", "tags", "organization_id", *PRINCIPALS)}
    return Reply(200, add_policy(engine, {**body, "rules": rules}, name=f"{source['name']}-copy"))


def _policy(engine: Engine, policy_id: str | None) -> dict[str, Any] | Reply:
    policy = engine.find(POLICIES, policy_id or "")
    return policy if policy is not None else engine.not_found(POLICIES, str(policy_id))


@behaviour("GET", f"{IAM}/rules")
def list_rules(engine: Engine, call: Call) -> Reply:
    policy = _policy(engine, call.arg("policy_id"))
    if isinstance(policy, Reply):
        return policy
    return engine.list(call, collection=_rules(policy["id"]))


@behaviour("PUT", f"{IAM}/rules")
def set_rules(engine: Engine, call: Call) -> Reply:
    policy = _policy(engine, call.body.get("policy_id"))
    if isinstance(policy, Reply):
        return policy
    return Reply(200, {"rules": _set_rules(engine, policy, call.body.get("rules") or [])})
