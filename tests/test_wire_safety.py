"""Safety as a hostile prompt would test it, through the real client against the sandbox: ids
that try to leave their URL segment, policies that try to be read as spellings, tokens used
twice or after the previewed state changed, and previews whose side reads fail. Each test checks
what reached the (fake) API."""

from __future__ import annotations

import subprocess
import sys
import uuid

import anyio
import pytest

from scw_mcp.runtime.clients import UnsafeUrl, check_url
from scw_mcp.runtime.localities import ZONE_RE
from scw_mcp.runtime.policy import Gate, Policy
from scw_mcp.sandbox import Sandbox
from scw_mcp.server import served_catalog
from tests.conftest import ROOT
from tests.e2e import clean_env
from tests.inmemory import calls, ok, session, text_of
from tests.schema_samples import sample

SERVER = "11111111-2222-4333-8444-555555555555"
HOSTILE = ["../x", "a/b", "x?y=1", "x#y", "%2e%2e", "..", ".", "", "x\ny"]
ALL = {"toolsets": ("all",)}


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as sb:
        yield sb


def _changes(sb):
    return [f"{r['method']} {r['path']}" for r in sb.requests if r["method"] in ("POST", "PUT", "PATCH", "DELETE")]


# --- ids stay in their segment --------------------------------------------------------------


def _hostile_calls():
    """One call per operation that puts a parameter in a URL path, that parameter hostile."""
    out = []
    for i, op in enumerate(op for op in served_catalog().entries.values() if op.path_params):
        target = next((p for p in op.path_params if p not in ("zone", "region")), None)
        if target is None:
            continue
        schema = op.input_schema
        defs = schema.get("$defs", {})
        arguments = {key: sample(schema["properties"][key], defs, key) for key in schema.get("required", [])}
        arguments[target] = HOSTILE[i % len(HOSTILE)]
        out.append((op.name, target, arguments))
    return out


def test_no_id_can_leave_its_path_segment_in_any_operation(sb):
    hostile = _hostile_calls()
    assert len(hostile) > 900 and any(served_catalog().get(name).handwritten for name, _, _ in hostile)
    results = calls(sb, *[("call_operation", {"name": name, "arguments": args}) for name, _, args in hostile], **ALL)
    wrong = [
        f"{name} ({target}={args[target]!r}): {text_of(r)[:160]}"
        for (name, target, args), r in zip(hostile, results, strict=False)
        if not (r.is_error and "Invalid arguments" in text_of(r) and target in text_of(r))
    ]
    assert not wrong, f"{len(wrong)} calls were not refused by validation:\n" + "\n".join(wrong[:15])
    assert sb.requests == []  # nothing reached the API


def test_the_traversals_of_the_issue_send_nothing(sb):
    key_list = "../../../../../../../iam/v1alpha1/api-keys"
    server = f"../../../../../instance/v1/zones/fr-par-1/servers/{SERVER}"
    read_only = calls(
        sb,
        ("call_operation", {"name": "instance_get_server_user_data", "arguments": {"server_id": "x", "key": key_list}}),
        read_only=True,
        **ALL,
    )
    writes = calls(
        sb,
        ("audit_trail_delete_custom_alert_rule", {"custom_alert_rule_id": server}),
        ("baremetal_stop_bmc_access", {"server_id": server}),
        ("rdb_prepare_instance_logs", {"instance_id": "../../../../../iam/v1alpha1/api-keys#"}),
        ("instance_delete_server", {"server_id": f"../../nl-ams-1/servers/{SERVER}"}),
        ("call_operation", {"name": "instance_get_server", "arguments": {"zone": "all", "server_id": SERVER}}),
        **ALL,
    )
    for result in [*read_only, *writes]:
        assert result.is_error and "Invalid arguments" in text_of(result), text_of(result)
    assert sb.requests == []


def test_a_preview_reads_with_checked_ids_and_only_through_reads(sb):
    """The value a destructive call sends in its body can be its getter's path segment; and a
    "get" that sends PATCH (dedibox_get_service) or returns credentials (baremetal_get_bmc_access)
    is no preview."""
    bent, patched, secret = calls(
        sb,
        ("interlink_detach_routing_policy", {"link_id": SERVER, "routing_policy_id": "abc/def"}),
        ("dedibox_delete_service", {"service_id": 1}),
        ("baremetal_stop_bmc_access", {"server_id": SERVER}),
        **ALL,
    )
    # The detach itself sends the value in its body; its preview's getter would put it in the
    # URL: that read is refused (the preview says so) and nothing is sent.
    assert "routing_policy_id" in text_of(bent) and "Invalid arguments" in text_of(bent), text_of(bent)
    for previewed in (bent, patched, secret):
        assert not previewed.is_error and "confirm_token" in text_of(previewed), text_of(previewed)
    assert [r for r in sb.requests if r["method"] != "GET" or "routing" in r["path"] or "bmc" in r["path"]] == []


def test_zone_all_fans_out_over_real_zones_only(sb):
    (listed,) = calls(sb, ("call_operation", {"name": "instance_list_ips", "arguments": {"zone": "all"}}), **ALL)
    assert ok(listed)["total_count"] == 0 and "it-mil-1" in ok(listed)["zones"]
    zones = {r["path"].split("/")[4] for r in sb.requests}
    assert "all" not in zones and all(ZONE_RE.match(z) for z in zones)


def test_zone_all_never_repeats_a_write_per_zone(sb):
    """A region-scoped create whose body has a `zone` (a pool's, a VPN gateway's) is no listing:
    "all" is refused, not run once per zone."""
    (cluster,) = calls(sb, ("k8s_create_cluster", {"name": "z", "version": "1.34", "cni": "cilium"}), **ALL)
    cluster_id = ok(cluster)["cluster"]["id"]
    sb.reset_requests()
    pool = {"cluster_id": cluster_id, "name": "p", "node_type": "DEV1-M", "size": 1, "zone": "all"}
    results = calls(
        sb,
        ("k8s_create_pool", pool),
        ("call_operation", {"name": "k8s_create_pool", "arguments": pool}),
        ("s2s_vpn_create_vpn_gateway", {"name": "g", "gateway_type": "VGW-S", "zone": "all"}),
        **ALL,
    )
    for result in results:
        assert result.is_error and '"all" only works for listings' in text_of(result), text_of(result)
    assert _changes(sb) == []


def test_a_zone_allowlist_holds_for_zone_all_and_ids(sb):
    policy = Policy(zones=("fr-par-1",))
    listed, escaped = calls(
        sb,
        ("instance_list_servers", {"zone": "all"}),
        ("instance_delete_server", {"server_id": f"../../nl-ams-1/servers/{SERVER}"}),
        policy=policy,
    )
    assert list(ok(listed)["zones"]) == ["fr-par-1"]
    assert escaped.is_error
    assert {r["path"].split("/")[4] for r in sb.requests} == {"fr-par-1"}


def test_keys_the_sdk_puts_in_the_url_stay_in_their_segment(sb):
    """instance_set_all_server_user_data sends one PATCH .../user_data/{key} per key of its map."""
    (server,) = calls(
        sb, ("instance_create_server", {"name": "ud", "commercial_type": "DEV1-S", "image": "ubuntu_noble"}), **ALL
    )
    server_id = ok(server)["server"]["id"]
    sb.reset_requests()
    results = calls(
        sb,
        *[
            ("instance_set_all_server_user_data", {"server_id": server_id, "user_data": {key: "eA=="}})
            for key in ("a/b/c", "", "..", "x?y", "q#r")
        ],
        confirm=False,
        **ALL,
    )
    for result in results:
        assert result.is_error and "segment of the request's URL" in text_of(result), text_of(result)
    assert _changes(sb) == []


@pytest.mark.parametrize(
    "url",
    [
        "https://api.scaleway.com/instance/v1/zones/fr-par-1/servers/../../../iam/v1alpha1/api-keys",
        "https://api.scaleway.com/instance/v1/zones/fr-par-1/servers/x?y=1",
        "https://api.scaleway.com/instance/v1/zones/fr-par-1/servers/x#y",
        "https://api.scaleway.com/instance/v1/zones/fr-par-1/servers/%2e%2e/action",
        "https://api.scaleway.com/instance/v1/zones/fr-par-1/servers//action",
        "https://api.scaleway.com/instance/v1/zones/fr-par-1/servers/x/user_data/",
    ],
)
def test_the_transport_refuses_a_bent_url(url):
    """The last line: whatever built the URL, a bent one is not sent."""
    with pytest.raises(UnsafeUrl):
        check_url(url)
    check_url("https://api.scaleway.com/domain/v2beta1/dns-zones/app.example.com/records")


# --- rules act on operations ----------------------------------------------------------------


def test_every_tool_is_refused_by_the_deny_rule_of_each_operation_it_performs():
    for op in served_catalog().entries.values():
        for performed in op.performs:
            assert not Policy(deny=(performed,)).permits(op), (op.name, performed)
    # a presigned upload URL is a write: a policy that denies S3 writes refuses it
    presign = served_catalog().entries["object_storage_generate_presigned_url"]
    assert not Policy(deny=("object_storage_put_*",)).permits(presign)
    assert not Policy(allow=("object_storage_get_*", "object_storage_generate_presigned_url")).permits(presign)


def test_deny_delete_refuses_every_served_delete_tool(sb):
    policy = Policy(deny=("*_delete_*",))
    gate = Gate(policy=policy)
    served = [op for op in served_catalog().entries.values() if gate.serves(op)]
    assert not [op.name for op in served if "_delete_" in op.name]
    refused = calls(
        sb,
        ("call_operation", {"name": "instance_delete_server", "arguments": {"server_id": SERVER}}),
        ("call_operation", {"name": "object_storage_delete_bucket", "arguments": {"bucket": "b-1"}}),
        ("call_operation", {"name": "k8s_delete_cluster", "arguments": {"cluster_id": SERVER}}),
        ("call_operation", {"name": "rdb_delete_instance", "arguments": {"instance_id": SERVER}}),
        (
            "call_operation",
            {"name": "instance_server_action", "arguments": {"server_id": SERVER, "action": "terminate"}},
        ),
        policy=Policy(deny=("*_delete_*", "instance_server_action")),
        **ALL,
    )
    for result in refused:
        assert result.is_error and "not allowed" in text_of(result), text_of(result)
    assert sb.requests == []


def test_a_policy_value_of_the_wrong_type_stops_the_server(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text('allow: "instance_*"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "scw_mcp.cli", "--policy", str(policy), "tools"],
        capture_output=True,
        text=True,
        env=clean_env(str(tmp_path)),
        cwd=str(ROOT),
        timeout=120,
    )
    assert proc.returncode != 0 and "allow must be a list of strings" in proc.stderr and proc.stdout == ""


def test_a_project_allowlist_checks_the_resource_as_read(sb):
    other = "99999999-9999-4999-8999-999999999999"
    pn = sb.engine.handle(
        "POST",
        "/vpc/v2/regions/fr-par/private-networks",
        {},
        {"name": "elsewhere", "project_id": other, "default_route_propagation_enabled": False},
    ).body
    sb.reset_requests()
    deleted, renamed = calls(
        sb,
        ("vpc_delete_private_network", {"private_network_id": pn["id"]}),
        (
            "call_operation",
            {"name": "vpc_update_private_network", "arguments": {"private_network_id": pn["id"], "name": "x"}},
        ),
        policy=Policy(projects=(sb.project_id,)),
    )
    for result in (deleted, renamed):
        assert result.is_error and f"project {other} is not in the allowed projects" in text_of(result), text_of(result)
    assert _changes(sb) == []


def test_a_project_allowlist_holds_for_hand_written_tools_and_fails_closed(sb):
    other = "99999999-9999-4999-8999-999999999999"

    made = calls(
        sb,
        *[
            ("k8s_create_cluster", {"name": "c", "version": "1.34", "cni": "cilium", "project_id": p})
            for p in (other, sb.project_id)
        ],
    )
    theirs, ours = (ok(result)["cluster"]["id"] for result in made)
    images, namespaces = "/registry/v1/regions/fr-par/images", "/registry/v1/regions/fr-par/namespaces"
    (image,) = sb.engine.items(images)  # an image names no project: its namespace's counts
    (namespace,) = sb.engine.items(namespaces)
    their_namespace = sb.engine.add(namespaces, {**namespace, "id": str(uuid.uuid4()), "project_id": other})
    their_image = sb.engine.add(images, {**image, "id": str(uuid.uuid4()), "namespace_id": their_namespace["id"]})
    lost_image = sb.engine.add(images, {**image, "id": str(uuid.uuid4()), "namespace_id": str(uuid.uuid4())})
    sb.reset_requests()
    pool = {"name": "w", "node_type": "DEV1-M", "size": 1}
    project = {"project_id": sb.project_id, "description": "ours"}
    (tag,) = sb.engine.items(f"{images}/{image['id']}/tags")
    deleted, pooled, removed, unknown, previewed, untagged, allowed, described = calls(
        sb,
        ("k8s_delete_cluster", {"cluster_id": theirs}),  # its preview shows no project: read by id
        ("k8s_create_pool", {"cluster_id": theirs, **pool}),  # a write under another project's parent
        ("registry_delete_image", {"image_id": their_image["id"]}),  # placed by its namespace: refused
        ("registry_delete_image", {"image_id": lost_image["id"]}),  # its namespace is gone: refused
        ("registry_delete_image", {"image_id": image["id"]}),  # in an allowed project's namespace
        ("registry_delete_tag", {"tag_id": tag["id"]}),  # two steps up: its image's namespace
        ("k8s_create_pool", {"cluster_id": ours, **pool}),
        ("account_update_project", project),  # the project is the id in the path
        policy=Policy(projects=(sb.project_id,)),
        **ALL,
    )
    for result in (deleted, pooled, removed):
        assert result.is_error and f"project {other} is not in the allowed projects" in text_of(result), text_of(result)
    assert unknown.is_error and "could not be read" in text_of(unknown), text_of(unknown)
    for result in (previewed, untagged):  # allowed: the preview of a destructive call
        assert ok(result)["confirm_token"]
    ok(allowed), ok(described)
    touched = (theirs, their_image["id"], lost_image["id"], image["id"], tag["id"])
    assert [c for c in _changes(sb) if any(i in c for i in touched)] == []
    assert any(c.startswith("POST") and ours in c for c in _changes(sb))


def test_a_project_allowlist_holds_for_ids_in_the_body(sb):
    """A write whose target is named in its body (a PAT rule's gateway_id), not in its URL, is
    checked too: a resource of another project cannot be changed through it, nor previewed."""
    other = "99999999-9999-4999-8999-999999999999"
    theirs, ours = (
        ok(result)["id"]
        for result in calls(
            sb,
            *[("vpcgw_create_gateway", {"name": f"gw-{p[:4]}", "project_id": p}) for p in (other, sb.project_id)],
            **ALL,
        )
    )
    sb.reset_requests()
    rule = {"public_port": 2222, "private_ip": "10.0.0.5", "private_port": 22, "protocol": "tcp"}
    added, emptied, allowed = calls(
        sb,
        ("vpcgw_create_pat_rule", {"gateway_id": theirs, **rule}),
        ("vpcgw_set_pat_rules", {"gateway_id": theirs, "pat_rules": []}),  # destructive: refused at its preview
        ("vpcgw_create_pat_rule", {"gateway_id": ours, **rule}),
        policy=Policy(projects=(sb.project_id,)),
        **ALL,
    )
    for result in (added, emptied):
        assert result.is_error and f"project {other} is not in the allowed projects" in text_of(result), text_of(result)
    assert ok(allowed)["gateway_id"] == ours
    assert [c for c in _changes(sb) if "pat-rules" in c] == ["POST /vpc-gw/v2/zones/fr-par-1/pat-rules"]


def test_a_project_allowlist_confines_reads(sb):
    """A read-only assistant for one project reads that project only: a list that names none is
    filtered by it, a get of another project's resource returns nothing of it."""
    other = "99999999-9999-4999-8999-999999999999"
    server = {"commercial_type": "DEV1-S", "image": "ubuntu_noble"}
    mine, theirs = (
        ok(result)["server"]["id"]
        for result in calls(
            sb,
            ("instance_create_server", {**server, "name": "default-project"}),
            ("instance_create_server", {**server, "name": "allowed-project", "project": other}),
            **ALL,
        )
    )
    sb.reset_requests()
    listed, through_gateway, allowed, outside = calls(
        sb,
        ("instance_list_servers", {}),
        ("call_operation", {"name": "instance_list_servers", "arguments": {}}),
        ("instance_get_server", {"server_id": theirs}),
        ("instance_get_server", {"server_id": mine}),
        policy=Policy(projects=(other,)),
        read_only=True,
        **ALL,
    )
    for result in (listed, through_gateway):
        assert [s["id"] for s in ok(result)["items"]] == [theirs]
    assert ok(allowed)["server"]["id"] == theirs
    assert outside.is_error and "not in the allowed projects" in text_of(outside)
    assert "default-project" not in text_of(outside)  # nothing of what was read
    lists = [r for r in sb.requests if r["path"].endswith("/servers")]
    assert lists and all(r["query"].get("project") == other for r in lists)
    (several,) = calls(
        sb, ("vpc_list_private_networks", {}), policy=Policy(projects=(other, "88888888-8888-4888-8888-888888888888"))
    )
    assert several.is_error and "name one of them in project_id" in text_of(several), text_of(several)


def test_a_project_allowlist_holds_for_reads_naming_several_projects(sb):
    other = "99999999-9999-4999-8999-999999999999"
    results = calls(
        sb,
        ("search_search_resources", {"query": "web", "project_ids": [sb.project_id, other]}),
        ("billing_v2beta1_list_charges", {"project_ids": [other]}),
        policy=Policy(projects=(sb.project_id,)),
        read_only=True,
        **ALL,
    )
    for result in results:
        assert result.is_error and f"project {other} is not in the allowed projects" in text_of(result), text_of(result)
    assert sb.requests == []


# --- tokens: bound to what was previewed, used once -----------------------------------------


def test_a_token_works_once_even_for_a_look_alike(sb):
    instance = sb.engine.handle(
        "POST",
        "/rdb/v1/regions/fr-par/instances",
        {},
        {
            "engine": "PostgreSQL-16",
            "user_name": "admin",
            "password": "Adm1n-Pa55word!",
            "node_type": "db-dev-s",
            "name": "db",
            "is_ha_cluster": False,
            "disable_backup": True,
            "volume_size": 10_000_000_000,
            "backup_same_region": False,
        },
    ).body
    user = {"instance_id": instance["id"], "name": "app"}
    create = ("rdb_create_user", {**user, "password": "App-Pa55word-42"})
    created, preview = calls(sb, create, ("rdb_delete_user", user))
    ok(created)
    token = ok(preview)["confirm_token"]
    assert ok(preview)["target"]["user"]["name"] == "app"
    done, again, replay = calls(
        sb,
        ("rdb_delete_user", {**user, "confirm_token": token}),
        create,
        ("rdb_delete_user", {**user, "confirm_token": token}),
    )
    ok(done), ok(again)
    assert replay.is_error and "already been used" in text_of(replay)
    assert [u["name"] for u in sb.engine.items(f"/rdb/v1/regions/fr-par/instances/{instance['id']}/users")] == ["app"]


def test_a_write_the_policy_asks_to_confirm_takes_its_token(sb):
    policy = Policy(confirm=("vpc_update_*",))
    (created,) = calls(sb, ("vpc_create_private_network", {"name": "before"}))
    update = ("vpc_update_private_network", {"private_network_id": ok(created)["id"], "name": "after"})
    (preview,) = calls(sb, update, policy=policy, **ALL)
    assert ok(preview)["status"] == "confirmation_required" and not [c for c in _changes(sb) if "PATCH" in c]
    assert "policy asks for a confirmation" in ok(preview)["warning"]  # it is no destructive operation
    (done,) = calls(sb, (update[0], {**update[1], "confirm_token": ok(preview)["confirm_token"]}), policy=policy, **ALL)
    assert ok(done)["name"] == "after" and len([c for c in _changes(sb) if c.startswith("PATCH")]) == 1

    async def listed(**options):
        async with session(sb, **options, **ALL) as client:
            return {t.name: t.input_schema["properties"] for t in (await client.list_tools()).tools}

    with_policy, without = anyio.run(lambda: listed(policy=policy)), anyio.run(listed)
    assert "confirm_token" in with_policy["vpc_update_private_network"]
    assert "confirm_token" not in without["vpc_update_private_network"]
    assert "confirm_token" not in with_policy["vpc_create_private_network"]
    assert "confirm_token" in without["vpc_delete_private_network"]


def test_a_token_is_refused_when_what_it_previewed_changed(sb):
    (created,) = calls(sb, ("vpc_create_private_network", {"name": "before"}))
    network = ok(created)["id"]
    (preview,) = calls(sb, ("vpc_delete_private_network", {"private_network_id": network}))
    calls(
        sb,
        (
            "call_operation",
            {"name": "vpc_update_private_network", "arguments": {"private_network_id": network, "name": "after"}},
        ),
    )
    (refused,) = calls(
        sb,
        ("vpc_delete_private_network", {"private_network_id": network, "confirm_token": ok(preview)["confirm_token"]}),
    )
    fresh = ok(refused)
    assert "refused" in fresh and fresh["target"]["private_network"]["name"] == "after" and fresh["confirm_token"]
    assert not [r for r in sb.requests if r["method"] == "DELETE"]
    (done,) = calls(
        sb, ("vpc_delete_private_network", {"private_network_id": network, "confirm_token": fresh["confirm_token"]})
    )
    assert ok(done) == {"deleted_private_network": network}


def test_a_preview_degrades_when_a_side_read_fails(sb):
    instance = sb.engine.handle(
        "POST",
        "/rdb/v1/regions/fr-par/instances",
        {},
        {
            "engine": "PostgreSQL-16",
            "user_name": "admin",
            "password": "Adm1n-Pa55word!",
            "node_type": "db-dev-s",
            "name": "degrade",
            "is_ha_cluster": False,
            "disable_backup": True,
            "volume_size": 10_000_000_000,
            "backup_same_region": False,
        },
    ).body
    for _ in range(3):  # let it settle (provisioning -> ready) so the state does not move under the token
        sb.engine.handle("GET", f"/rdb/v1/regions/fr-par/instances/{instance['id']}", {}, None)
    sb.set_faults([{"route": "GET /rdb/v1/regions/*/backups", "kind": "500"}])
    (preview,) = calls(sb, ("rdb_delete_instance", {"instance_id": instance["id"]}))
    shown = ok(preview)
    assert shown["target"]["instance"]["name"] == "degrade" and shown["target"]["backups"] is None
    assert any("Could not read its backups" in note for note in shown["notes"])
    (done,) = calls(
        sb, ("rdb_delete_instance", {"instance_id": instance["id"], "confirm_token": shown["confirm_token"]})
    )
    assert ok(done)["deleted"]["id"] == instance["id"]
