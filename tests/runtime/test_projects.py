"""A projects allowlist (runtime/projects.py) through the real in-memory client against the
sandbox, as a hostile prompt would try it: another project's resources named in the body, nested,
under a bare Instance field, listed by their parent or returned by an organization-wide listing.
Each checks what reached the fake API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from scw_mcp.runtime.policy import Policy
from scw_mcp.sandbox import Sandbox
from tests.inmemory import calls, ok, text_of

OTHER = "99999999-9999-4999-8999-999999999999"
ALL = {"toolsets": ("all",), "confirm": False}
REFUSED = f"project {OTHER} is not in the allowed projects"
IP = {"region": "fr-par", "is_ipv6": False, "source": None, "resource": None, "tags": []}  # as IPAM keeps one


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(s3=False) as sb:
        yield sb


def _made(sb: Sandbox, *created: tuple[str, dict]) -> list[dict]:
    results = calls(sb, *created, **ALL)
    for result in results:
        assert not result.is_error, text_of(result)
    return [ok(result) for result in results]


def _writes(sb: Sandbox) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in sb.requests if r["method"] != "GET"]


def test_writes_naming_another_projects_resource_anywhere_are_refused(sb: Sandbox) -> None:
    server, network, ip, lb = _made(
        sb,
        (
            "instance_create_server",
            {"name": "theirs", "commercial_type": "DEV1-S", "image": "ubuntu_noble", "project": OTHER},
        ),
        ("vpc_create_private_network", {"name": "theirs", "project_id": OTHER}),
        ("instance_create_ip", {"type": "routed_ipv4"}),
        ("lb_create_lb", {"name": "ours", "type": "LB-S"}),
    )
    snapshot = sb.engine.add(
        "/block/v1/zones/fr-par-1/snapshots",
        {"id": str(uuid.uuid4()), "name": "theirs", "project_id": OTHER, "status": "available", "zone": "fr-par-1"},
    )
    ips = "/ipam/v1/regions/fr-par/ips"
    ours = [
        sb.engine.add(ips, {"id": str(uuid.uuid4()), "address": f"10.9.0.{i}/32", "project_id": sb.project_id, **IP})[
            "id"
        ]
        for i in range(21)
    ]
    sb.reset_requests()
    results = calls(
        sb,
        ("instance_update_ip", {"ip": ip["ip"]["id"], "server": server["server"]["id"]}),  # a bare Instance field
        ("lb_attach_private_network", {"lb_id": lb["id"], "private_network_id": network["id"]}),  # 2nd path id
        ("block_create_volume", {"name": "copy", "from_snapshot": {"snapshot_id": snapshot["id"]}}),  # nested
        ("k8s_create_cluster", {"name": "c", "version": "1.34", "cni": "cilium", "private_network_id": network["id"]}),
        ("ipam_release_ip_set", {"ip_ids": ours}),  # more ids than are checked: refused, not trimmed
        ("instance_v2alpha1_delete_security_group_rules", {"security_group_rule_ids": [str(uuid.uuid4())]}),
        policy=Policy(projects=(sb.project_id,)),
        **ALL,
    )
    for result in results[:4]:
        assert result.is_error and REFUSED in text_of(result), text_of(result)
    assert results[4].is_error and "more than 20 ids" in text_of(results[4])
    assert results[5].is_error and "could not be read" in text_of(results[5])  # what a destructive call destroys
    assert _writes(sb) == []


def test_an_own_reference_is_not_refused(sb: Sandbox) -> None:
    (network,) = _made(sb, ("vpc_create_private_network", {"name": "ours"}))
    sb.reset_requests()
    (server,) = calls(
        sb,
        ("instance_create_server", {"name": "on-ours", "private_network_id": network["id"]}),
        policy=Policy(projects=(sb.project_id,)),
        **ALL,
    )
    assert ok(server)["private_nic"]["private_network_id"] == network["id"]


def test_reads_under_another_projects_parent_or_listed_across_projects_show_nothing_of_it(sb: Sandbox) -> None:
    cluster, gateway = _made(
        sb,
        ("k8s_create_cluster", {"name": "theirs", "version": "1.34", "cni": "cilium", "project_id": OTHER}),
        ("vpcgw_create_gateway", {"name": "theirs", "project_id": OTHER}),
    )
    _made(
        sb,
        ("k8s_create_pool", {"cluster_id": cluster["cluster"]["id"], "name": "p", "node_type": "DEV1-M", "size": 1}),
        (
            "vpcgw_create_pat_rule",
            {"gateway_id": gateway["id"], "public_port": 2222, "private_ip": "10.0.0.5", "private_port": 22},
        ),
    )
    public = sb.engine.add(
        "/instance/v1/zones/fr-par-1/images",
        {"id": str(uuid.uuid4()), "name": "public", "public": True, "project": OTHER, "zone": "fr-par-1"},
    )
    sb.reset_requests()
    pools, rules, everywhere, image = calls(
        sb,
        ("k8s_list_pools", {"cluster_id": cluster["cluster"]["id"]}),  # under another project's parent
        ("vpcgw_list_pat_rules", {}),  # no project filter: items placed by their gateway
        ("vpcgw_list_pat_rules", {"zone": "all"}),
        ("instance_get_image", {"image_id": public["id"]}),  # public: anyone's
        policy=Policy(projects=(sb.project_id,)),
        read_only=True,
        **ALL,
    )
    assert pools.is_error and REFUSED in text_of(pools)
    assert not any(r["path"].endswith("/pools") for r in sb.requests)  # refused before the listing
    for listed in (rules, everywhere):
        assert ok(listed)["items"] == [] and "left out" in ok(listed)["notes"][0], text_of(listed)
    assert ok(image)["image"]["id"] == public["id"]


def test_what_a_write_changes_is_its_owners_and_references_are_not_targets(sb: Sandbox) -> None:
    """A public image is anyone's to use, not to delete; a write that merely refers to something
    (an SBS volume it detaches, an OS it installs) is not refused for it; runner options such as
    `wait` never reach the reads that place a resource."""
    server, volume = _made(
        sb,
        ("instance_create_server", {"name": "a", "commercial_type": "DEV1-S", "image": "ubuntu_noble"}),
        ("block_create_volume", {"name": "data", "perf_iops": 5000, "from_empty": {"size": 10_000_000_000}}),
    )
    server_id = server["server"]["id"]
    _made(sb, ("instance_attach_server_volume", {"server_id": server_id, "volume_id": volume["id"]}))
    image = sb.engine.add(
        "/instance/v1/zones/fr-par-1/images",
        {"id": str(uuid.uuid4()), "name": "public", "public": True, "project": OTHER, "zone": "fr-par-1"},
    )
    operating_system = sb.engine.add("/baremetal/v1/zones/fr-par-1/os", {"id": str(uuid.uuid4()), "name": "Ubuntu"})
    metal = sb.engine.add(
        "/baremetal/v1/zones/fr-par-1/servers",
        {"id": str(uuid.uuid4()), "name": "bm", "project_id": sb.project_id, "status": "ready", "zone": "fr-par-1"},
    )
    sb.reset_requests()
    deleted, detached, installed, renamed = calls(
        sb,
        ("instance_delete_image", {"image_id": image["id"]}),
        ("instance_detach_server_volume", {"server_id": server_id, "volume_id": volume["id"]}),
        ("baremetal_install_server", {"server_id": metal["id"], "os_id": operating_system["id"], "hostname": "bm"}),
        ("block_update_volume", {"volume_id": volume["id"], "name": "renamed", "wait": True}),
        policy=Policy(projects=(sb.project_id,)),
        **ALL,
    )
    assert deleted.is_error and REFUSED in text_of(deleted)
    for result in (detached, installed, renamed):
        assert not result.is_error, text_of(result)
    assert not any(image["id"] in w for w in _writes(sb))


def test_ids_deep_in_the_body_and_resources_placed_another_way(sb: Sandbox) -> None:
    """Ids nested in objects, lists and maps (`volumes: {"1": {id}}`, `endpoint_spec.private_network`)
    are placed too; a resource read under another name (a flexible IP's fip_id) or only listed
    (a DNS zone) is placed, so an own one is not refused."""
    theirs_network, theirs_volume, ours_db = _made(
        sb,
        ("vpc_create_private_network", {"name": "theirs", "project_id": OTHER}),
        (
            "block_create_volume",
            {"name": "theirs", "perf_iops": 5000, "from_empty": {"size": 10**10}, "project_id": OTHER},
        ),
        (
            "rdb_create_instance",
            {
                "engine": "PostgreSQL-15",
                "user_name": "a",
                "password": "Sup3r-secret!!x",
                "node_type": "db-dev-s",
                "name": "db",
            },
        ),
    )
    _made(sb, ("domain_create_dns_zone", {"domain": "example.com", "subdomain": "app"}))
    fip = sb.engine.add(
        "/flexible-ip/v1alpha1/zones/fr-par-1/fips",
        {
            "id": str(uuid.uuid4()),
            "project_id": sb.project_id,
            "ip_address": "51.1.1.1/32",
            "status": "ready",
            "tags": [],
        },
    )
    sb.reset_requests()
    endpoint = {"private_network": {"private_network_id": theirs_network["id"], "ipam_config": {}}}
    volume, nested, described, record = calls(
        sb,
        (
            "instance_create_server",
            {"name": "x", "volumes": {"1": {"id": theirs_volume["id"], "volume_type": "sbs_volume"}}},
        ),
        ("rdb_create_endpoint", {"instance_id": ours_db["instance"]["id"], "endpoint_spec": endpoint}),
        ("flexibleip_update_flexible_ip", {"fip_id": fip["id"], "description": "ours"}),
        (
            "domain_update_dns_zone_records",
            {
                "dns_zone": "app.example.com",
                "changes": [{"add": {"records": [{"name": "www", "type": "A", "data": "1.2.3.4", "ttl": 300}]}}],
            },
        ),
        policy=Policy(projects=(sb.project_id,)),
        **ALL,
    )
    for result in (volume, nested):
        assert result.is_error and REFUSED in text_of(result), text_of(result)
    for result in (described, record):
        assert not result.is_error, text_of(result)
    assert not any(theirs_volume["id"] in w or "endpoints" in w for w in _writes(sb))


def test_a_load_balancers_backend_is_placed_by_its_load_balancer(sb: Sandbox) -> None:
    """A backend names no project: the API returns its `lb`, whose project places it (the sandbox
    answers the regional API, which the lb_* tools use, as it answers the zoned one)."""
    (lb,) = _made(sb, ("lb_create_lb", {"name": "front", "type": "LB-S"}))
    health = {"port": 80, "check_max_retries": 3}
    backend = {"name": "b", "forward_protocol": "tcp", "forward_port": 80, "forward_port_algorithm": "roundrobin"}
    (created,) = _made(
        sb, ("lb_create_backend", {"lb_id": lb["id"], **backend, "sticky_sessions": "none", "health_check": health})
    )
    assert created["lb"]["id"] == lb["id"]
    (added,) = calls(
        sb,
        ("lb_add_backend_servers", {"backend_id": created["id"], "server_ip": ["10.0.0.1"]}),
        policy=Policy(projects=(sb.project_id,)),
        **ALL,
    )
    assert ok(added)["pool"] == ["10.0.0.1"]
