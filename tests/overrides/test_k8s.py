"""Kubernetes' hand-written tools against the sandbox, through the in-memory client: a pool's
size is checked against the autoscaling bounds it will have (its own, merged with the call's)
before anything is sent; a wrong version's hint names a minor that exists."""

from __future__ import annotations

import re
from typing import Any

from scw_mcp.sandbox import Sandbox
from tests.inmemory import calls, ok, text_of

K8S = "/k8s/v1/regions/fr-par"
TOOLSETS = ("core", "k8s")


def _patches(sb: Sandbox) -> list[dict[str, Any]]:
    return [r["body"] for r in sb.requests if r["method"] == "PATCH" and "/pools/" in r["path"]]


def test_update_pool_checks_size_against_the_pools_bounds(sb: Sandbox) -> None:
    _, pool = calls(
        sb,
        ("k8s_create_cluster", {"name": "bounds", "pool_size": 1}),
        (
            "k8s_create_pool",
            {
                "cluster_id": "{cluster}",
                "name": "auto",
                "node_type": "DEV1-M",
                "size": 2,
                "autoscaling": True,
                "min_size": 1,
                "max_size": 5,
            },
        ),
        chain=lambda results: {"cluster": ok(results[0])["cluster"]["id"]},
        toolsets=TOOLSETS,
    )
    pool_id = ok(pool)["pool"]["id"]
    sb.reset_requests()
    above, below, low_min, within, wider, fixed = calls(
        sb,
        ("k8s_update_pool", {"pool_id": pool_id, "size": 10}),
        ("k8s_update_pool", {"pool_id": pool_id, "size": 0}),
        ("k8s_update_pool", {"pool_id": pool_id, "min_size": 7}),  # above the pool's max_size 5
        ("k8s_update_pool", {"pool_id": pool_id, "size": 4}),
        ("k8s_update_pool", {"pool_id": pool_id, "size": 8, "max_size": 10}),  # the call's new bound counts
        ("k8s_update_pool", {"pool_id": pool_id, "size": 20, "autoscaling": False}),  # fixed size: no bounds
        toolsets=TOOLSETS,
    )
    assert above.is_error and "size 10 is outside the autoscaling bounds min_size..max_size (1..5)" in text_of(above)
    assert below.is_error and "size 0 is outside the autoscaling bounds" in text_of(below)
    assert low_min.is_error and "min_size (7) is above max_size (5)" in text_of(low_min)
    assert ok(within)["pool"]["size"] == 4
    assert (ok(wider)["pool"]["size"], ok(wider)["pool"]["max_size"]) == (8, 10)
    assert (ok(fixed)["pool"]["size"], ok(fixed)["pool"]["autoscaling"]) == (20, False)
    # The refused ones never reached the API; each call read the pool first.
    assert _patches(sb) == [{"size": 4}, {"size": 8, "max_size": 10}, {"size": 20, "autoscaling": False}]
    reads = [r for r in sb.requests if r["method"] == "GET" and r["path"] == f"{K8S}/pools/{pool_id}"]
    assert len(reads) == 6


def test_unknown_version_hints_a_minor_that_works(sb: Sandbox) -> None:
    sb.reset_requests()
    (wrong,) = calls(sb, ("k8s_create_cluster", {"name": "old", "version": "1.31"}), toolsets=TOOLSETS)
    assert wrong.is_error and "Unknown Kubernetes version '1.31'" in text_of(wrong)
    hinted = re.search(r"a minor such as (\S+)\)", text_of(wrong))
    assert hinted is not None and hinted.group(1) == "1.35"  # the newest minor the region offers
    assert [r for r in sb.requests if r["method"] == "POST"] == []  # not even the Private Network
    (followed,) = calls(sb, ("k8s_create_cluster", {"name": "hinted", "version": hinted.group(1)}), toolsets=TOOLSETS)
    assert ok(followed)["cluster"]["version"] == "1.35.3"
    (post,) = [r for r in sb.requests if r["method"] == "POST" and r["path"] == f"{K8S}/clusters"]
    assert post["body"]["version"] == "1.35.3"
