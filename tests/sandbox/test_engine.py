"""The generic engine: create/get/list/update/delete, filters, pages, the API's error shapes."""

from __future__ import annotations

import pytest
import requests

from scw_mcp.sandbox import Sandbox
from scw_mcp.sandbox.behaviours import BEHAVIOURS, ON_REMOVE, seed
from scw_mcp.sandbox.engine import Engine

PNS = "/vpc/v2/regions/fr-par/private-networks"


@pytest.fixture()
def engine() -> Engine:
    e = Engine("project-1", "org-1", behaviours=BEHAVIOURS, on_remove=ON_REMOVE)
    seed(e)
    return e


def create_pn(engine: Engine, **body) -> dict:
    reply = engine.handle("POST", PNS, {}, {"default_route_propagation_enabled": False, **body})
    assert reply.status == 200, reply.body
    return reply.body


def test_create_fills_id_timestamps_project_and_locality(engine: Engine) -> None:
    pn = create_pn(engine, name="web", tags=["a"])
    assert pn["name"] == "web" and pn["tags"] == ["a"]
    assert len(pn["id"]) == 36 and pn["created_at"] and pn["updated_at"]
    assert pn["project_id"] == "project-1" and pn["organization_id"] == "org-1" and pn["region"] == "fr-par"
    assert pn["vpc_id"]  # the region's default VPC, as the API does


def test_list_filters_and_pages_with_total_count(engine: Engine) -> None:
    for i in range(5):
        create_pn(engine, name=f"app-{i}", tags=["prod" if i % 2 else "dev"])
    create_pn(engine, name="other")
    page = engine.handle("GET", PNS, {"name": ["app"], "page": ["2"], "page_size": ["2"]}, None)
    assert page.headers["X-Total-Count"] == "5" and page.body["total_count"] == 5
    assert [p["name"] for p in page.body["private_networks"]] == ["app-2", "app-3"]
    tagged = engine.handle("GET", PNS, {"tags": ["prod"]}, None).body
    assert sorted(p["name"] for p in tagged["private_networks"]) == ["app-1", "app-3"]
    assert engine.handle("GET", PNS, {"project_id": ["someone-else"]}, None).body["total_count"] == 0
    assert engine.handle("GET", "/vpc/v2/regions/nl-ams/private-networks", {}, None).body["total_count"] == 0


def test_get_update_delete_and_the_real_404_shape(engine: Engine) -> None:
    pn = create_pn(engine, name="a")
    assert engine.handle("GET", f"{PNS}/{pn['id']}", {}, None).body["name"] == "a"
    updated = engine.handle("PATCH", f"{PNS}/{pn['id']}", {}, {"name": "b", "tags": ["x"]}).body
    assert updated["name"] == "b" and updated["tags"] == ["x"] and updated["id"] == pn["id"]
    assert engine.handle("DELETE", f"{PNS}/{pn['id']}", {}, None).status == 204
    missing = engine.handle("GET", f"{PNS}/{pn['id']}", {}, None)
    assert missing.status == 404
    # the body a real 404 of the VPC API has (tf cassettes: "resource": "private_network")
    assert missing.body == {
        "message": "resource is not found",
        "resource": "private_network",
        "resource_id": pn["id"],
        "type": "not_found",
    }


def test_invalid_bodies_get_the_real_400_shape(engine: Engine) -> None:
    reply = engine.handle("POST", PNS, {}, {"name": 5})
    assert reply.status == 400 and reply.body["type"] == "invalid_arguments"
    assert {(d["argument_name"], d["reason"]) for d in reply.body["details"]} == {
        ("default_route_propagation_enabled", "required"),
        ("name", "constraint"),
    }


def test_nested_create_is_found_by_the_flat_route(engine: Engine) -> None:
    cluster = engine.handle(
        "POST",
        "/k8s/v1/regions/fr-par/clusters",
        {},
        {
            "type": "kapsule",
            "name": "c",
            "version": "1.35.3",
            "cni": "cilium",
            "description": "",
            "pools": [
                {
                    "name": "default",
                    "node_type": "DEV1-M",
                    "size": 2,
                    "autoscaling": False,
                    "autohealing": True,
                    "container_runtime": "containerd",
                    "root_volume_type": "default_volume_type",
                    "public_ip_disabled": False,
                }
            ],
        },
    ).body
    assert cluster["status"] == "creating"
    pools = engine.handle("GET", f"/k8s/v1/regions/fr-par/clusters/{cluster['id']}/pools", {}, None).body["pools"]
    assert [p["size"] for p in pools] == [2] and pools[0]["cluster_id"] == cluster["id"]
    scaled = engine.handle("PATCH", f"/k8s/v1/regions/fr-par/pools/{pools[0]['id']}", {}, {"size": 3}).body
    assert scaled["size"] == 3
    statuses = [
        engine.handle("GET", f"/k8s/v1/regions/fr-par/clusters/{cluster['id']}", {}, None).body["status"]
        for _ in range(3)
    ]
    assert statuses == ["creating", "ready", "ready"]  # settles over polls
    assert (
        engine.handle("DELETE", f"/k8s/v1/regions/fr-par/clusters/{cluster['id']}", {}, None).body["status"]
        == "deleting"
    )


def test_unknown_routes_and_unknown_ids_of_actions(engine: Engine) -> None:
    assert engine.handle("GET", "/nothing/v1/here", {}, None).status == 404
    reply = engine.handle("POST", "/instance/v1/zones/fr-par-1/servers/0000/action", {}, {"action": "poweron"})
    assert reply.status == 404 and reply.body["resource"] == "instance_server"


def test_over_http_requests_are_recorded_without_the_token() -> None:
    with Sandbox(s3=False) as sb:
        res = requests.get(f"{sb.api_url}{PNS}", headers={"X-Auth-Token": sb.secret_key}, timeout=5)
        assert res.status_code == 200 and res.headers["X-Total-Count"] == "0"
        bad = requests.post(
            f"{sb.api_url}{PNS}", data=b"{not json", headers={"Content-Type": "application/json"}, timeout=5
        )
        assert bad.status_code == 400 and bad.json()["type"] == "invalid_request_error"
        (first, second) = sb.requests
        assert first["method"] == "GET" and first["path"] == PNS and "x-auth-token" not in first["headers"]
        assert sb.secret_key not in repr(sb.requests)


def test_every_seeded_collection_is_served_by_a_route(engine: Engine) -> None:
    for path, items in [(p, i) for p, i in engine.collections.items() if i]:
        matched = engine.table.match("GET", path)
        if matched is None:  # no list route (IAM organizations): each item is read by its get route
            assert all(engine.handle("GET", f"{path}/{i['id']}", {}, None).status == 200 for i in items), path
            continue
        assert matched[0].kind == "list", f"seed fills {path}, which no list route serves"
        assert engine.handle("GET", path, {}, None).body[matched[0].list_key], path


def test_every_behaviour_is_registered_on_a_route_of_the_table(engine: Engine) -> None:
    routes = {(r.verb, r.path) for r in engine.table.routes}
    assert set(BEHAVIOURS) <= routes, sorted(set(BEHAVIOURS) - routes)
