"""IAM: users, applications, groups, policies with rules, API keys whose secret is shown once
(tf cassettes iam/api-key-with-application, application-basic, group-users-and-applications,
policy-basic, user-member)."""

from __future__ import annotations

import re

from scw_mcp.sandbox import ACCESS_KEY, SECRET_KEY

from .conftest import Api

IAM = "/iam/v1alpha1"


def application(api: Api, name: str = "ci") -> dict:
    return api.ok(
        "POST", f"{IAM}/applications", {"name": name, "organization_id": api.engine.organization_id, "description": ""}
    )


def test_a_new_api_key_has_both_keys_and_the_secret_is_shown_once(api: Api) -> None:
    app = application(api)
    assert (app["editable"], app["deletable"], app["managed"], app["nb_api_keys"]) == (True, True, False, 0)
    key = api.ok("POST", f"{IAM}/api-keys", {"application_id": app["id"], "description": "ci key"})
    assert re.fullmatch(r"SCW[A-Z0-9]{17}", key["access_key"]) and re.fullmatch(r"[0-9a-f-]{36}", key["secret_key"])
    assert (
        key["application_id"] == app["id"] and key["default_project_id"] == api.engine.project_id and key["creation_ip"]
    )
    again = api.ok("GET", f"{IAM}/api-keys/{key['access_key']}")
    assert again["secret_key"] is None and again["description"] == "ci key"
    assert all(k["secret_key"] is None for k in api.ok("GET", f"{IAM}/api-keys")["api_keys"])
    assert api.ok("GET", f"{IAM}/applications/{app['id']}")["nb_api_keys"] == 1
    assert [k["access_key"] for k in api.ok("GET", f"{IAM}/api-keys", application_id=app["id"])["api_keys"]] == [
        key["access_key"]
    ]
    # the new secret signs requests; deleted, it no longer does
    assert api.engine.handle("GET", f"{IAM}/users", {}, None, key["secret_key"]).status == 200
    api.ok("DELETE", f"{IAM}/api-keys/{key['access_key']}")
    assert api.engine.handle("GET", f"{IAM}/users", {}, None, key["secret_key"]).status == 401
    assert api.error("GET", f"{IAM}/api-keys/{key['access_key']}").body["resource"] == "access_key"


def test_a_key_without_a_bearer_is_the_callers_and_bearers_must_exist(api: Api) -> None:
    (sandbox_app,) = [a for a in api.ok("GET", f"{IAM}/applications")["applications"] if a["name"] == "scw-mcp sandbox"]
    key = api.ok("POST", f"{IAM}/api-keys", {"description": "mine"})  # signed with the sandbox's secret
    assert key["application_id"] == sandbox_app["id"]
    missing = api.error("POST", f"{IAM}/api-keys", {"application_id": "0000", "description": ""})
    assert missing.status == 404 and missing.body["resource"] == "application"


def test_deleting_an_application_deletes_its_api_keys(api: Api) -> None:
    app = application(api)
    key = api.ok("POST", f"{IAM}/api-keys", {"application_id": app["id"], "description": ""})
    api.ok("DELETE", f"{IAM}/applications/{app['id']}")
    assert api.error("GET", f"{IAM}/api-keys/{key['access_key']}").status == 404


def test_users_and_group_membership(api: Api) -> None:
    user = api.ok(
        "POST",
        f"{IAM}/users",
        {
            "organization_id": api.engine.organization_id,
            "member": {
                "email": "dev@example.com",
                "username": "dev",
                "password": "Firstaccesspsw123",
                "send_password_email": False,
                "send_welcome_email": False,
                "first_name": "Dev",
                "last_name": "Eloper",
                "phone_number": "",
                "locale": "en_US",
            },
        },
    )
    assert (user["type"], user["status"], user["username"], user["email"]) == (
        "member",
        "activated",
        "dev",
        "dev@example.com",
    )
    app = application(api)
    group = api.ok(
        "POST", f"{IAM}/groups", {"name": "devs", "organization_id": api.engine.organization_id, "description": ""}
    )
    assert (group["user_ids"], group["application_ids"], group["editable"]) == ([], [], True)
    group = api.ok(
        "PUT", f"{IAM}/groups/{group['id']}/members", {"user_ids": [user["id"]], "application_ids": [app["id"]]}
    )
    assert (group["user_ids"], group["application_ids"]) == ([user["id"]], [app["id"]])
    group = api.ok("POST", f"{IAM}/groups/{group['id']}/remove-member", {"application_id": app["id"]})
    assert group["application_ids"] == []
    assert [g["id"] for g in api.ok("GET", f"{IAM}/groups", user_ids=user["id"])["groups"]] == [group["id"]]
    missing = api.error("POST", f"{IAM}/groups/{group['id']}/add-member", {"user_id": "0000"})
    assert missing.status == 404 and missing.body["resource"] == "user"
    api.ok("DELETE", f"{IAM}/users/{user['id']}")
    assert api.ok("GET", f"{IAM}/groups/{group['id']}")["user_ids"] == []


def test_policies_hold_rules_and_are_listed_by_principal(api: Api) -> None:
    app = application(api)
    org = api.engine.organization_id
    policy = api.ok(
        "POST",
        f"{IAM}/policies",
        {
            "name": "ci",
            "description": "",
            "organization_id": org,
            "application_id": app["id"],
            "rules": [
                {
                    "permission_set_names": ["InstancesFullAccess", "VPCFullAccess"],
                    "project_ids": [api.engine.project_id],
                }
            ],
        },
    )
    assert (policy["application_id"], policy["nb_rules"], policy["nb_permission_sets"], policy["editable"]) == (
        app["id"],
        1,
        2,
        True,
    )
    (rule,) = api.ok("GET", f"{IAM}/rules", policy_id=policy["id"])["rules"]
    assert (
        rule["permission_set_names"] == ["InstancesFullAccess", "VPCFullAccess"]
        and rule["permission_sets_scope_type"] == "projects"
    )
    listed = api.ok("GET", f"{IAM}/policies", application_ids=app["id"])["policies"]
    assert [p["id"] for p in listed] == [policy["id"]]  # the guard looks the server's own policies up this way
    rules = api.ok(
        "PUT",
        f"{IAM}/rules",
        {
            "policy_id": policy["id"],
            "rules": [{"permission_set_names": ["AllProductsFullAccess"], "organization_id": org}],
        },
    )["rules"]
    assert [r["permission_set_names"] for r in rules] == [["AllProductsFullAccess"]]
    copy = api.ok("POST", f"{IAM}/policies/{policy['id']}/clone")
    assert copy["id"] != policy["id"] and copy["nb_rules"] == 1 and copy["application_id"] == app["id"]
    api.ok("DELETE", f"{IAM}/policies/{policy['id']}")
    assert api.error("GET", f"{IAM}/rules", policy_id=policy["id"]).body["resource"] == "policy"


def test_the_seed_holds_the_sandboxs_own_key_and_policy(api: Api) -> None:
    key = api.ok("GET", f"{IAM}/api-keys/{ACCESS_KEY}")
    assert key["application_id"] and key["secret_key"] is None
    (policy,) = api.ok("GET", f"{IAM}/policies", application_ids=key["application_id"])["policies"]
    assert policy["nb_rules"] == 1
    assert api.engine.secrets[ACCESS_KEY] == SECRET_KEY
    assert api.ok("GET", f"{IAM}/organizations/{api.engine.organization_id}")["id"] == api.engine.organization_id
