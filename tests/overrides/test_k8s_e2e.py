"""Kubernetes Kapsule end to end: the real scw-mcp over stdio, the real mcp client, the sandbox
in this process. Version validation, cluster and pools, scaling, the kubeconfig (a secret that
reaches the caller and no log), and the confirmed delete."""

from __future__ import annotations

import re
from pathlib import Path

from scw_mcp.sandbox import Sandbox
from tests.overrides.stdio_session import Session, run_session

K8S = "/k8s/v1/regions/fr-par"
PNS = "/vpc/v2/regions/fr-par/private-networks"


def test_cluster_lifecycle(sb: Sandbox, tmp_path: Path) -> None:
    kubeconfig_tokens: list[str] = []

    def nodes_of(cluster_id: str, pool_id: str) -> list[dict]:
        return [n for n in sb.engine.items(f"{K8S}/clusters/{cluster_id}/nodes") if n["pool_id"] == pool_id]

    async def scenario(s: Session) -> None:
        # The version is checked against the region's versions before anything is created.
        wrong = await s.error("k8s_create_cluster", {"name": "c1", "version": "1.20.0"})
        assert "Unknown Kubernetes version '1.20.0'" in wrong and "1.35.3, 1.34.5, 1.33.9" in wrong
        assert s.requests("POST") == []  # not even the cluster's Private Network

        # A minor version picks its newest patch; the cluster gets its own Private Network.
        created = await s.ok("k8s_create_cluster", {"name": "c1", "version": "1.34", "pool_size": 2, "tags": ["web"]})
        cluster = created["cluster"]
        assert cluster["version"] == "1.34.5" and cluster["status"] == "creating" and cluster["cni"] == "cilium"
        assert cluster["type"] == "kapsule" and cluster["tags"] == ["web"]
        assert cluster["cluster_url"].startswith(f"https://{cluster['id']}.api.k8s.fr-par.scw.cloud")
        network = sb.engine.find(PNS, cluster["private_network_id"])
        assert network["name"] == "pn-c1" and "created-along-with-k8s-cluster" in network["tags"]
        assert network["id"] in created["notes"][0]
        (post,) = s.requests("POST", "/clusters")
        assert post["body"]["version"] == "1.34.5" and post["body"]["private_network_id"] == network["id"]
        assert [(p["name"], p["node_type"], p["size"]) for p in post["body"]["pools"]] == [("default", "DEV1-M", 2)]
        cluster_id = cluster["id"]

        listed = await s.ok("k8s_list_clusters", {"name": "c1"})
        assert [c["id"] for c in listed["items"]] == [cluster_id] and listed["total_count"] == 1
        got = await s.ok("k8s_get_cluster", {"cluster_id": cluster_id})
        assert got["cluster"]["status"] == "ready"  # creating -> ready after two reads
        (default_pool,) = got["pools"]
        assert (default_pool["name"], default_pool["size"], default_pool["version"], default_pool["zone"]) == (
            "default",
            2,
            "1.34.5",
            "fr-par-1",
        )
        assert len(nodes_of(cluster_id, default_pool["id"])) == 2

        # Pools: add one, resize it, turn autoscaling on; bad bounds never reach the API.
        pool = (
            await s.ok(
                "k8s_create_pool", {"cluster_id": cluster_id, "name": "workers", "node_type": "DEV1-L", "size": 1}
            )
        )["pool"]
        assert (pool["name"], pool["node_type"], pool["size"], pool["version"]) == ("workers", "DEV1-L", 1, "1.34.5")
        assert len(nodes_of(cluster_id, pool["id"])) == 1
        scaled = (await s.ok("k8s_update_pool", {"pool_id": pool["id"], "size": 3}))["pool"]
        assert scaled["size"] == 3 and s.requests("PATCH")[-1]["body"] == {"size": 3}
        assert len(nodes_of(cluster_id, pool["id"])) == 3
        autoscaled = (
            await s.ok("k8s_update_pool", {"pool_id": pool["id"], "autoscaling": True, "min_size": 1, "max_size": 5})
        )["pool"]
        assert (autoscaled["autoscaling"], autoscaled["min_size"], autoscaled["max_size"], autoscaled["size"]) == (
            True,
            1,
            5,
            3,
        )
        patches = len(s.requests("PATCH"))
        bad = await s.error("k8s_update_pool", {"pool_id": pool["id"], "min_size": 5, "max_size": 2})
        assert "min_size (5) is above max_size (2)" in bad
        nothing = await s.error("k8s_update_pool", {"pool_id": pool["id"]})
        assert "Nothing to change" in nothing and len(s.requests("PATCH")) == patches
        pools = await s.ok("k8s_list_pools", {"cluster_id": cluster_id})
        assert (
            sorted((p["name"], p["size"]) for p in pools["items"]) == [("default", 2), ("workers", 3)]
            and pools["total_count"] == 2
        )

        # The kubeconfig: YAML for kubectl, with the admin token, for the caller only.
        kubeconfig = await s.ok("k8s_get_cluster_kubeconfig", {"cluster_id": cluster_id})
        text = kubeconfig["kubeconfig"]
        assert (
            text.startswith("apiVersion: v1")
            and f"server: {cluster['cluster_url']}" in text
            and "current-context: admin@c1" in text
        )
        assert kubeconfig["file_name"] == "kubeconfig.yaml" and "admin credentials" in kubeconfig["warning"]
        kubeconfig_tokens.extend(re.findall(r"token: (\S+)", text))

        # Delete: the preview lists every pool and node; confirmed, they go with the cluster.
        preview = await s.preview("k8s_delete_cluster", {"cluster_id": cluster_id})
        target = preview["target"]
        assert target["cluster"]["id"] == cluster_id and {p["name"] for p in target["pools"]} == {"default", "workers"}
        assert len(target["nodes"]) == 5 and "Private Network" in target["will_keep"]
        assert sb.engine.find(f"{K8S}/clusters", cluster_id) is not None
        deleted = await s.confirm("k8s_delete_cluster", {"cluster_id": cluster_id}, preview)
        assert deleted["deleted"]["id"] == cluster_id and deleted["deleted"]["status"] == "deleting"
        assert s.requests("DELETE")[-1]["query"]["with_additional_resources"].lower() == "false"
        # As the API does: "deleting" for a poll, then gone with its pools and nodes.
        assert [c["status"] for c in (await s.ok("k8s_list_clusters", {}))["items"]] == ["deleting"]
        assert "404" in await s.error("k8s_get_cluster", {"cluster_id": cluster_id})
        assert (await s.ok("k8s_list_clusters", {}))["items"] == []
        assert sb.engine.items(f"{K8S}/clusters") == []
        assert (
            sb.engine.items(f"{K8S}/clusters/{cluster_id}/pools")
            == sb.engine.items(f"{K8S}/clusters/{cluster_id}/nodes")
            == []
        )
        assert sb.engine.find(PNS, network["id"]) is not None  # kept: with_additional_resources was false

    sb.reset_requests()
    transcript = run_session(sb, tmp_path, scenario)
    (token,) = kubeconfig_tokens
    assert len(token) == 32
    assert (
        "k8s_get_cluster_kubeconfig" in transcript.stderr
    )  # DEBUG logging reached stderr: the check below means something
    assert token not in transcript.stderr and not any(token in m for m in transcript.log_messages)
