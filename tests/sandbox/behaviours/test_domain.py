"""DNS zones addressed as subdomain.domain; records through one PATCH; versions (tf cassettes
domain/domain-zone-basic, domain-record-basic, domain-zone-root-zone)."""

from __future__ import annotations

from .conftest import Api

ZONES = "/domain/v2beta1/dns-zones"
APP = f"{ZONES}/app.example.com"


def zone(api: Api, subdomain: str = "app") -> dict:
    return api.ok("POST", ZONES, {"domain": "example.com", "subdomain": subdomain, "project_id": api.engine.project_id})


def change(api: Api, *changes: dict, **options) -> list[dict]:
    return api.ok(
        "PATCH", f"{APP}/records", {"changes": list(changes), "disallow_new_zone_creation": False, **options}
    )["records"]


def a_record(name: str, data: str, ttl: int = 3600) -> dict:
    return {"name": name, "type": "A", "data": data, "ttl": ttl, "priority": 0, "comment": None, "id": ""}


def test_a_zone_is_addressed_as_subdomain_dot_domain(api: Api) -> None:
    created = zone(api)
    assert (created["domain"], created["subdomain"], created["status"]) == ("example.com", "app", "active")
    assert (
        created["ns"] == created["ns_default"] == ["ns0.dom.scw.cloud", "ns1.dom.scw.cloud"]
        and created["ns_master"] == []
    )
    assert api.ok("GET", ZONES, dns_zone="app.example.com")["dns_zones"][0]["subdomain"] == "app"
    assert api.ok("GET", ZONES, domain="example.com")["total_count"] == 1
    assert (
        api.error(
            "POST", ZONES, {"domain": "example.com", "subdomain": "app", "project_id": api.engine.project_id}
        ).status
        == 409
    )
    # a new zone holds its two default name server records
    records = api.ok("GET", f"{APP}/records")["records"]
    assert [(r["type"], r["name"], r["data"], r["ttl"]) for r in records] == [
        ("NS", "", "ns0.dom.scw.cloud.", 1800),
        ("NS", "", "ns1.dom.scw.cloud.", 1800),
    ]
    missing = api.error("GET", f"{ZONES}/www.example.com/records")
    assert missing.status == 404 and missing.body["resource"] == "dns_zone"


def test_records_are_added_set_deleted_and_cleared(api: Api) -> None:
    zone(api)
    (www,) = change(api, {"add": {"records": [a_record("www", "10.0.0.1")]}})
    assert www["id"] and www["data"] == "10.0.0.1" and www["updated_at"]
    change(api, {"add": {"records": [a_record("api", "10.0.0.2"), a_record("api", "10.0.0.3")]}})
    listed = api.ok("GET", f"{APP}/records", name="www", type="A")["records"]
    assert [r["id"] for r in listed] == [www["id"]]  # name is exact: "api" records are not listed
    assert api.ok("GET", f"{APP}/records", name="ww")["records"] == []
    assert api.ok("GET", f"{APP}/records", type="unknown")["total_count"] == 5  # 2 NS, www, 2 api
    # set by id keeps the id; set by name and type replaces all that match
    (moved,) = change(api, {"set": {"id": www["id"], "records": [a_record("www", "10.0.0.9")]}})
    assert (moved["id"], moved["data"]) == (www["id"], "10.0.0.9")
    change(api, {"set": {"id_fields": {"name": "api", "type": "A"}, "records": [a_record("api", "10.0.1.1")]}})
    assert [r["data"] for r in api.ok("GET", f"{APP}/records", name="api")["records"]] == ["10.0.1.1"]
    assert change(api, {"delete": {"id": www["id"]}}) == []
    assert api.ok("GET", f"{APP}/records", name="www")["records"] == []
    gone = api.error(
        "PATCH", f"{APP}/records", {"changes": [{"delete": {"id": www["id"]}}], "disallow_new_zone_creation": False}
    )
    assert gone.status == 404
    everything = change(api, {"clear": {}}, return_all_records=True)
    assert [r["type"] for r in everything] == ["NS", "NS"]  # the default name servers stay
    change(api, {"add": {"records": [a_record("x", "10.0.0.4")]}})
    assert api.ok("DELETE", f"{APP}/records") == {}
    assert api.ok("GET", f"{APP}/records")["total_count"] == 2


def test_every_change_is_a_version_that_can_be_read_diffed_and_restored(api: Api) -> None:
    zone(api)
    change(api, {"add": {"records": [a_record("www", "10.0.0.1")]}})
    change(api, {"clear": {}})
    versions = api.ok("GET", f"{APP}/versions")["versions"]
    assert len(versions) == 3  # creation, add, clear
    with_www = versions[1]["id"]
    assert [r["name"] for r in api.ok("GET", f"{ZONES}/version/{with_www}")["records"]] == ["", "", "www"]
    diff = api.ok("GET", f"{ZONES}/version/{with_www}/diff")["changes"]
    assert [r["name"] for r in diff[0]["add"]["records"]] == ["www"]
    api.ok("POST", f"{ZONES}/version/{with_www}/restore")
    assert [r["name"] for r in api.ok("GET", f"{APP}/records", name="www")["records"]] == ["www"]
    assert len(api.ok("GET", f"{APP}/versions")["versions"]) == 4


def test_a_change_leaves_the_zone_pending_for_a_read(api: Api) -> None:
    zone(api)
    change(api, {"add": {"records": [a_record("www", "10.0.0.1")]}})
    statuses = [api.ok("GET", ZONES, dns_zone="app.example.com")["dns_zones"][0]["status"] for _ in range(2)]
    assert statuses == ["pending", "active"]


def test_deleting_a_zone_takes_its_records_and_a_root_zone_stays(api: Api) -> None:
    zone(api)
    change(api, {"add": {"records": [a_record("www", "10.0.0.1")]}})
    assert api.ok("DELETE", APP) == {}
    assert api.ok("GET", ZONES, dns_zone="app.example.com")["dns_zones"] == []
    assert api.error("GET", f"{APP}/records").status == 404 and api.engine.items(f"{APP}/records") == []
    api.ok("POST", ZONES, {"domain": "example.com", "subdomain": "", "project_id": api.engine.project_id})
    root = api.error("DELETE", f"{ZONES}/example.com")
    assert (root.status, root.body) == (403, {"message": "root zone can't be deleted"})


def test_a_zone_is_renamed_with_its_records(api: Api) -> None:
    zone(api)
    change(api, {"add": {"records": [a_record("www", "10.0.0.1")]}})
    renamed = api.ok("PATCH", APP, {"new_dns_zone": "shop.example.com", "project_id": api.engine.project_id})
    assert renamed["subdomain"] == "shop"
    assert [r["name"] for r in api.ok("GET", f"{ZONES}/shop.example.com/records", name="www")["records"]] == ["www"]
    assert api.error("GET", f"{APP}/records").status == 404


def test_versions_made_before_a_rename_are_still_read_diffed_and_restored(api: Api) -> None:
    zone(api)
    change(api, {"add": {"records": [a_record("www", "10.0.0.1")]}})
    change(api, {"clear": {}})
    api.ok("PATCH", APP, {"new_dns_zone": "shop.example.com", "project_id": api.engine.project_id})
    shop = f"{ZONES}/shop.example.com"
    with_www = api.ok("GET", f"{shop}/versions")["versions"][1]["id"]
    assert [r["name"] for r in api.ok("GET", f"{ZONES}/version/{with_www}")["records"]] == ["", "", "www"]
    diff = api.ok("GET", f"{ZONES}/version/{with_www}/diff")["changes"]
    assert [r["name"] for r in diff[0]["add"]["records"]] == ["www"]
    api.ok("POST", f"{ZONES}/version/{with_www}/restore")
    assert [r["name"] for r in api.ok("GET", f"{shop}/records", name="www")["records"]] == ["www"]
    assert len(api.ok("GET", f"{shop}/versions")["versions"]) == 4
