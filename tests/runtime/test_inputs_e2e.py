"""Inputs as agents write them, through the real mcp client (in memory) against the sandbox:
null for "not set" in every list operation, a Kubernetes cluster from the few fields the API
needs, enum values as the API, the CLI and the Go SDK spell them, and limits in messages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from mcp import Client

from scw_mcp.runtime.settings import load_settings
from scw_mcp.sandbox import Sandbox
from scw_mcp.server import ServerOptions, build_server, served_catalog
from tests.schema_samples import sample


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    # unknown_ids="create": the parent ids of nested lists (a cluster's pools...) answer as if
    # they existed, so every list can be called without first creating its parent.
    with Sandbox(s3=False, unknown_ids="create") as sandbox:
        yield sandbox


def _calls(sb: Sandbox, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """call_operation(name, arguments) for each call, through one in-memory client session."""
    server = build_server(load_settings(environ=sb.env()), ServerOptions(toolsets=("gateway",)))

    async def run() -> list[Any]:
        async with Client(server) as client:
            return [
                await client.call_tool("call_operation", {"name": name, "arguments": arguments})
                for name, arguments in calls
            ]

    return anyio.run(run)


def _text(result: Any) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)


def test_every_list_operation_accepts_null_for_each_optional_field(sb: Sandbox) -> None:
    """Generated and hand-written alike, the runner's options included."""
    lists = [e for e in served_catalog().entries.values() if e.name[len(e.namespace) + 1 :].startswith("list")]
    assert len(lists) > 300 and any(e.handwritten for e in lists)
    calls = []
    for entry in lists:
        schema = entry.input_schema
        required = set(schema.get("required", []))
        defs = schema.get("$defs", {})
        calls.append(
            (
                entry.name,
                {
                    key: sample(prop, defs, key) if key in required else None
                    for key, prop in schema["properties"].items()
                },
            )
        )
    assert (
        sum(
            len(args) - len(entry.input_schema.get("required", []))
            for entry, (_, args) in zip(lists, calls, strict=False)
        )
        > 1500
    )
    results = _calls(sb, calls)
    failures = [
        f"{name}: {_text(result)[:200]}"
        for (name, _), result in zip(calls, results, strict=False)
        if result.is_error and "Invalid arguments" in _text(result)
    ]
    assert not failures, f"{len(failures)} list operations refuse null:\n" + "\n".join(failures[:20])


def test_a_cluster_from_name_version_cni_and_pools_of_name_node_type_size(sb: Sandbox) -> None:
    sb.reset_requests()
    (created,) = _calls(
        sb,
        [
            (
                "k8s_create_cluster",
                {
                    "name": "shop",
                    "version": "1.35.3",
                    "cni": "Cilium",
                    "description": None,
                    "pools": [
                        {
                            "name": "default",
                            "node_type": "DEV1-M",
                            "size": 2,
                            "tags": None,
                            "taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}],
                        }
                    ],
                },
            )
        ],
    )
    assert not created.is_error, _text(created)
    cluster = created.structured_content["cluster"]  # the hand-written create: a summary
    assert cluster["name"] == "shop" and cluster["version"] == "1.35.3" and cluster["cni"] == "cilium"
    (post,) = [r for r in sb.requests if r["method"] == "POST" and r["path"].endswith("/clusters")]
    body = post["body"]
    assert body["cni"] == "cilium" and body["type"] == "" and body["description"] == ""  # zero: "not set"
    (pool,) = body["pools"]
    assert (pool["name"], pool["node_type"], pool["size"]) == ("default", "DEV1-M", 2)
    assert pool["taints"] == [{"key": "dedicated", "value": "gpu", "effect": "no_schedule"}]
    assert pool["tags"] == [] and pool["autoscaling"] is False and "container_runtime" not in pool
    pools = [p for p in sb.engine.items(f"/k8s/v1/regions/fr-par/clusters/{cluster['id']}/pools")]
    assert [p["name"] for p in pools] == ["default"]


def test_dns_record_type_a_is_sent_as_the_sdk_spells_it(sb: Sandbox) -> None:
    sb.reset_requests()
    record = {"name": "www", "data": "192.0.2.1", "type": "A", "ttl": 3600, "priority": None, "id": None}
    updated, listed = _calls(
        sb,
        [
            (
                "domain_update_dns_zone_records",
                {"dns_zone": "example.com", "changes": [{"add": {"records": [record]}}]},
            ),
            ("domain_list_dns_zone_records", {"dns_zone": "example.com", "type": "AAAA", "name": None}),
        ],
    )
    assert not updated.is_error and not listed.is_error, (_text(updated), _text(listed))
    patch, get = sb.requests
    assert patch["body"]["changes"][0]["add"]["records"][0]["type"] == "a"
    assert get["query"]["type"] == "aaaa" and "name" not in get["query"]


def test_zones_and_regions_in_any_case_and_a_region_for_a_zone(sb: Sandbox) -> None:
    sb.reset_requests()
    upper, region_case, region_for_zone = _calls(
        sb,
        [
            ("instance_list_servers", {"zone": "FR-PAR-1"}),
            ("vpc_list_private_networks", {"region": "Fr-Par"}),
            ("instance_list_servers", {"zone": "fr-par"}),
        ],
    )
    assert not upper.is_error and not region_case.is_error, (_text(upper), _text(region_case))
    assert [r["path"] for r in sb.requests] == [
        "/instance/v1/zones/fr-par-1/servers",
        "/vpc/v2/regions/fr-par/private-networks",
    ]
    assert region_for_zone.is_error and "'fr-par' is a region. Did you mean 'fr-par-1'?" in _text(region_for_zone)


def test_messages_give_the_limit_and_never_the_secret(sb: Sandbox) -> None:
    # rdb_create_instance: the hand-written tool, whose password has a minimum length.
    short, wrong_enum, null_required = _calls(
        sb,
        [
            ("rdb_create_instance", {"engine": "PostgreSQL-16", "user_name": "admin", "password": "Sh0rt!7"}),
            ("k8s_create_cluster", {"version": "1.35.3", "cni": "weave"}),
            ("k8s_get_cluster", {"cluster_id": None}),
        ],
    )
    assert "password: the value is too short: at least 8 characters" in _text(short) and "Sh0rt!7" not in _text(short)
    assert "'weave' is not one of the accepted values: cilium, calico" in _text(wrong_enum)
    assert "cluster_id: null is not accepted here: give a string" in _text(null_required)


def test_a_null_confirm_token_asks_for_confirmation(sb: Sandbox) -> None:
    (preview,) = _calls(
        sb,
        [
            (
                "k8s_delete_cluster",
                {
                    "cluster_id": "11111111-2222-3333-4444-555555555555",
                    "with_additional_resources": None,
                    "confirm_token": None,
                },
            )
        ],
    )
    assert not preview.is_error, _text(preview)
    assert preview.structured_content["status"] == "confirmation_required"
