"""The tables of data/sandbox_rules.yaml, applied by the engine to every route: 404 names,
parents of nested routes, references, deleting periods, cascades, counters, shared storage and
authentication (each table names the cassettes or docs it follows)."""

from __future__ import annotations

import pytest

from scw_mcp.sandbox import ACCESS_KEY, ORGANIZATION_ID, PROJECT_ID, SECRET_KEY
from scw_mcp.sandbox.behaviours import BEHAVIOURS, ON_REMOVE, seed
from scw_mcp.sandbox.engine import Engine, Reply, resource_name
from scw_mcp.sandbox.rules import load_rules

RDB = "/rdb/v1/regions/fr-par"
K8S = "/k8s/v1/regions/fr-par"
VPC = "/vpc/v2/regions/fr-par"


@pytest.fixture()
def engine() -> Engine:
    e = Engine(PROJECT_ID, ORGANIZATION_ID, behaviours=BEHAVIOURS, on_remove=ON_REMOVE)
    seed(e, access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    return e


def ok(reply: Reply) -> dict:
    assert reply.status < 300, reply.body
    return reply.body


def rdb_instance(engine: Engine) -> dict:
    return ok(
        engine.handle(
            "POST",
            f"{RDB}/instances",
            {},
            {
                "engine": "PostgreSQL-16",
                "name": "db",
                "node_type": "DB-DEV-S",
                "is_ha_cluster": False,
                "disable_backup": True,
                "user_name": "admin",
                "password": "Pa55word-long-enough",
                "volume_type": "sbs_5k",
                "backup_same_region": False,
                "volume_size": 10_000_000_000,
            },
        )
    )


def test_404_names_follow_the_recorded_bodies() -> None:
    assert resource_name("/vpc/v2/regions/{region}/private-networks") == "private_network"
    assert resource_name("/instance/v1/zones/{zone}/servers") == "instance_server"
    assert resource_name("/k8s/v1/regions/{region}/clusters") == "cluster"
    assert resource_name("/ipam/v1/regions/{region}/ips") == "ip"
    assert load_rules().not_found["/iam/v1alpha1/api-keys"] == "access_key"


def test_an_api_without_the_standard_error_shape_answers_its_own(engine: Engine) -> None:
    reply = engine.handle("GET", "/lb/v1/zones/fr-par-1/lbs/0000", {}, None)
    assert (reply.status, reply.body) == (404, {"message": "lbs not Found"})


def test_nested_lists_and_creates_under_a_missing_parent_are_its_404(engine: Engine) -> None:
    instance = rdb_instance(engine)
    assert ok(engine.handle("GET", f"{RDB}/instances/{instance['id']}/databases", {}, None))["databases"] == []
    missing = engine.handle("GET", f"{RDB}/instances/0000/databases", {}, None)
    assert missing.status == 404 and missing.body["resource"] == "instance" and missing.body["resource_id"] == "0000"
    assert engine.handle("POST", f"{RDB}/instances/0000/databases", {}, {"name": "x"}).status == 404


def test_a_reference_to_a_missing_resource_is_its_404(engine: Engine) -> None:
    reply = engine.handle(
        "POST",
        f"{K8S}/clusters",
        {},
        {
            "type": "kapsule",
            "name": "c",
            "version": "1.35.3",
            "cni": "cilium",
            "description": "",
            "private_network_id": "0000",
        },
    )
    assert reply.status == 404 and reply.body["resource"] == "private_network" and reply.body["resource_id"] == "0000"
    assert engine.items(f"{K8S}/clusters") == []  # refused before anything was made


def test_deletes_that_take_a_while_answer_their_state_for_a_read_then_404(engine: Engine) -> None:
    instance = rdb_instance(engine)
    path = f"{RDB}/instances/{instance['id']}"
    ok(engine.handle("POST", f"{path}/databases", {}, {"name": "orders"}))
    assert ok(engine.handle("DELETE", path, {}, None))["status"] == "deleting"
    assert ok(engine.handle("GET", f"{path}/databases", {}, None))["total_count"] == 1  # still there meanwhile
    assert ok(engine.handle("GET", path, {}, None))["status"] == "deleting"
    assert engine.handle("GET", path, {}, None).status == 404
    # gone with its databases (rules cascades): their list is the instance's 404
    assert engine.items(f"{path}/databases") == []
    assert engine.handle("GET", f"{path}/databases", {}, None).body["resource"] == "instance"


def test_a_pending_ready_step_does_not_undo_a_delete(engine: Engine) -> None:
    instance = rdb_instance(engine)  # provisioning, then ready two reads later
    path = f"{RDB}/instances/{instance['id']}"
    engine.handle("DELETE", path, {}, None)
    assert ok(engine.handle("GET", path, {}, None))["status"] == "deleting"
    assert engine.handle("GET", path, {}, None).status == 404


def test_immediate_deletes_stay_immediate(engine: Engine) -> None:
    network = ok(engine.handle("POST", f"{VPC}/private-networks", {}, {"default_route_propagation_enabled": False}))
    assert engine.handle("DELETE", f"{VPC}/private-networks/{network['id']}", {}, None).status == 204
    assert engine.handle("GET", f"{VPC}/private-networks/{network['id']}", {}, None).status == 404


def test_rdb_backups_outlive_their_instance(engine: Engine) -> None:
    instance = rdb_instance(engine)
    ok(engine.handle("POST", f"{RDB}/instances/{instance['id']}/databases", {}, {"name": "orders"}))
    backup = ok(
        engine.handle(
            "POST", f"{RDB}/backups", {}, {"instance_id": instance["id"], "database_name": "orders", "name": "b"}
        )
    )
    engine.handle("DELETE", f"{RDB}/instances/{instance['id']}", {}, None)
    engine.handle("GET", f"{RDB}/instances/{instance['id']}", {}, None)
    engine.handle("GET", f"{RDB}/instances/{instance['id']}", {}, None)
    assert ok(engine.handle("GET", f"{RDB}/backups/{backup['id']}", {}, None))["name"] == "b"


def test_vpc_private_network_count_is_kept(engine: Engine) -> None:
    vpc = ok(
        engine.handle("POST", f"{VPC}/vpcs", {}, {"name": "v", "enable_routing": True, "enable_transitivity": False})
    )
    assert vpc["private_network_count"] == 0
    network = ok(
        engine.handle(
            "POST", f"{VPC}/private-networks", {}, {"vpc_id": vpc["id"], "default_route_propagation_enabled": False}
        )
    )
    assert ok(engine.handle("GET", f"{VPC}/vpcs/{vpc['id']}", {}, None))["private_network_count"] == 1
    listed = ok(engine.handle("GET", f"{VPC}/vpcs", {}, None))["vpcs"]
    assert {v["id"]: v["private_network_count"] for v in listed}[vpc["id"]] == 1
    engine.handle("DELETE", f"{VPC}/private-networks/{network['id']}", {}, None)
    assert ok(engine.handle("GET", f"{VPC}/vpcs/{vpc['id']}", {}, None))["private_network_count"] == 0


def test_block_v1_and_v1alpha1_share_their_volumes(engine: Engine) -> None:
    volume = ok(
        engine.handle(
            "POST", "/block/v1/zones/fr-par-1/volumes", {}, {"name": "data", "from_empty": {"size": 20_000_000_000}}
        )
    )
    assert (
        ok(engine.handle("GET", f"/block/v1alpha1/zones/fr-par-1/volumes/{volume['id']}", {}, None))["name"] == "data"
    )
    assert [
        v["id"] for v in ok(engine.handle("GET", "/block/v1alpha1/zones/fr-par-1/volumes", {}, None))["volumes"]
    ] == [volume["id"]]


def test_a_token_of_no_live_key_is_refused_like_a_deleted_key(engine: Engine) -> None:
    assert engine.handle("GET", f"{VPC}/vpcs", {}, None, SECRET_KEY).status == 200
    denied = engine.handle("GET", f"{VPC}/vpcs", {}, None, "00000000-0000-4000-8000-000000000000")
    assert (denied.status, denied.body["type"], denied.body["reason"]) == (401, "denied_authentication", "not_found")
    assert engine.handle("DELETE", f"/iam/v1alpha1/api-keys/{ACCESS_KEY}", {}, None, SECRET_KEY).status == 204
    assert engine.handle("GET", f"{VPC}/vpcs", {}, None, SECRET_KEY).status == 401


def test_every_table_names_routes_of_the_table(engine: Engine) -> None:
    rules = engine.rules
    routes = {(r.verb, r.path) for r in engine.table.routes}
    known = {r.collection for r in engine.table.routes} | {r.path for r in engine.table.routes}
    assert {tuple(k.split(" ", 1)) for k in rules.references} <= routes
    for table in (rules.not_found, rules.keys, rules.deleting, rules.cascades, rules.counters):
        assert set(table) <= known, sorted(set(table) - known)
