"""Every route of the generated table answers, and its answer unmarshals through the SDK."""

from __future__ import annotations

import importlib
import keyword
import re
from collections.abc import Iterator

import pytest
import requests
from scaleway import Client

from scw_mcp.generator.introspect import defining_function
from scw_mcp.generator.routes import raw_routes
from scw_mcp.sandbox import Sandbox, shapes
from scw_mcp.sandbox.table import load_table
from tests.schema_samples import UUID, realistic_call


@pytest.fixture(scope="module")
def walk_sandbox() -> Iterator[Sandbox]:
    # unknown_ids="create": a GET of an id nobody created answers with a made-up item, so every
    # item route can be walked without first creating its resource.
    with Sandbox(s3=False, unknown_ids="create") as sb:
        yield sb


def _client(sb: Sandbox) -> Client:
    return Client(
        access_key=sb.access_key,
        secret_key=sb.secret_key,
        api_url=sb.api_url,
        default_project_id=sb.project_id,
        default_organization_id=sb.organization_id,
        default_region="fr-par",
        default_zone="fr-par-1",
    )


def test_every_request_of_every_generated_operation_has_a_route(operations) -> None:
    table = {(r.verb, r.path) for r in load_table().routes}
    missing, silent = [], []
    for name, op in operations.items():
        if op.get("client"):  # S3 operations call boto3, not the fake API
            continue
        module = importlib.import_module(f"scw_mcp.generated.{op['module']}")
        api_class, _ = module.OPERATIONS[name]
        method = op["sdk"].rsplit(".", 1)[1]
        requests = raw_routes(api_class, defining_function(api_class, method))
        silent += [] if requests else [name]
        missing += [f"{name}: {r.verb} {r.path}" for r in requests if (r.verb, r.path) not in table]
    assert not missing, missing
    assert not silent, f"operations whose SDK source makes no request: {silent}"


def test_every_route_answers_and_unmarshals(walk_sandbox: Sandbox, operations) -> None:
    client = _client(walk_sandbox)
    engine = walk_sandbox.engine
    # Where the sandbox validates like the real API, the walk passes values it accepts.
    valid = {
        "instance_create_server": {
            "commercial_type": "DEV1-S",
            "image": engine.items("/marketplace/v2/local-images")[0]["id"],
        },
        "instance_server_action": {"action": "backup"},  # allowed in any state
        "k8s_create_cluster": {"version": "1.35.3"},
        "rdb_create_instance": {"engine": "PostgreSQL-16"},
        "vpc_create_private_network": {
            "vpc_id": engine.items("/vpc/v2/regions/fr-par/vpcs")[0]["id"],
            "subnets": ["172.16.8.0/22"],
        },
        "ipam_book_ip": {"source": {"private_network_id": UUID}, "address": None},
        "domain_update_dns_zone_records": {"changes": [{"clear": {}}]},
        "lb_zoned_create_lb": {"ip_ids": None, "ip_id": None},  # an IP of its own (another lb may hold the walk's)
        "lb_zoned_attach_private_network": {"ipam_ids": None},
    }
    # Items the walk's ids name, where a made-up blank would not do: the API deletes only stopped
    # servers and books IPs in a network's subnets.
    engine.add(
        "/instance/v1/zones/fr-par-1/servers",
        engine.new(shapes.load("scaleway.instance.v1.types:Server"), id=UUID, state="stopped", volumes={}),
    )
    network = engine.handle(
        "POST", "/vpc/v2/regions/fr-par/private-networks", {}, {"default_route_propagation_enabled": False}
    ).body
    network["id"] = UUID
    for subnet in network["subnets"]:
        subnet["private_network_id"] = UUID
    failures = []
    for route in load_table().routes:
        if not route.operation:
            continue  # only a private SDK method calls it: see the next test
        op = operations[route.operation]
        module = importlib.import_module(f"scw_mcp.generated.{op['module']}")
        api_class, function = module.OPERATIONS[route.operation]
        args = {k: v for k, v in {**realistic_call(op), **valid.get(route.operation, {})}.items() if v is not None}
        walk_sandbox.reset_requests()
        try:
            function(api_class(client), **{(f"{k}_" if keyword.iskeyword(k) else k): v for k, v in args.items()})
        except Exception as exc:  # noqa: BLE001 - collect every failure, report them all
            failures.append(f"{route.verb} {route.path} ({route.operation}): {type(exc).__name__}: {exc}"[:300])
            continue
        assert walk_sandbox.requests, route.operation
    assert not failures, f"{len(failures)} routes fail:\n" + "\n".join(failures[:40])


def test_routes_of_private_sdk_methods_are_served(walk_sandbox: Sandbox) -> None:
    private = [r for r in load_table().routes if not r.operation]
    assert any(r.path.endswith("/kubeconfig") for r in private)  # k8s_get_cluster_kubeconfig needs it
    for route in private:
        path = re.sub(
            r"\{(\w+)\}", lambda m: {"zone": "fr-par-1", "region": "fr-par"}.get(m.group(1), UUID), route.path
        )
        res = requests.request(route.verb, walk_sandbox.api_url + path, json={}, timeout=10)
        assert "no such route" not in res.text, route.path
