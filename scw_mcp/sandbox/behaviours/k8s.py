"""Kubernetes: version check, clusters ready over polls with their pools, pool nodes, kubeconfig.

A cluster's pools and nodes go with it and deletes go through "deleting" (rules `cascades` and
`deleting`; SDK delete_cluster docstring, shared cassette k8s-pool-remove-startup-taint-remove-existing).
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from ..engine import fill, invalid_arguments
from ._base import Call, Engine, Reply, behaviour, cls, flag, on_remove

K8S = "/k8s/v1/regions/{region}"


@behaviour("POST", f"{K8S}/clusters")
def create_cluster(engine: Engine, call: Call) -> Reply:
    """Validated version; "creating", then "ready" two polls later; its pools are created with it."""
    versions = [v["name"] for v in engine.items(fill(f"{K8S}/versions", call.params))]
    if call.body.get("version") not in versions:
        return invalid_arguments(
            [
                {
                    "argument_name": "version",
                    "reason": "constraint",
                    "help_message": f"version must be one of {', '.join(versions)}",
                }
            ]
        )
    cluster_id = str(uuid.uuid4())
    region = call.params["region"]
    cluster = engine.create(
        call,
        id=cluster_id,
        status="creating",
        type=call.body.get("type") or "kapsule",
        cluster_url=f"https://{cluster_id}.api.k8s.{region}.scw.cloud:6443",
        dns_wildcard=f"*.{cluster_id}.nodes.k8s.{region}.scw.cloud",
    )
    engine.later(cluster, {}, {"status": "ready"})
    pool_cls = cls("scaleway.k8s.v1.types:Pool")
    for spec in call.body.get("pools") or []:
        pool = engine.add(
            f"/k8s/v1/regions/{region}/clusters/{cluster_id}/pools",
            engine.new(pool_cls, params={"region": region, "cluster_id": cluster_id}, body=spec, status="ready"),
        )
        _pool_defaults(pool, cluster)
        _size_nodes(engine, pool)
    return Reply(200, cluster)


def _pool_defaults(pool: dict[str, Any], cluster: dict[str, Any]) -> None:
    """As the API answers: the cluster's version, and the region's first zone when none was asked."""
    pool["version"] = pool.get("version") or cluster.get("version") or ""
    pool["zone"] = pool.get("zone") or f"{cluster['region']}-1"


def _nodes(pool: dict[str, Any]) -> str:
    return f"/k8s/v1/regions/{pool['region']}/clusters/{pool['cluster_id']}/nodes"


def _size_nodes(engine: Engine, pool: dict[str, Any]) -> None:
    """A pool's nodes follow its size (what the delete preview of a cluster lists)."""
    collection = _nodes(pool)
    nodes = [n for n in engine.items(collection) if n["pool_id"] == pool["id"]]
    for node in nodes[pool["size"] :]:
        engine.remove(collection, node)
    node_cls = cls("scaleway.k8s.v1.types:Node")
    for index in range(len(nodes), pool["size"]):
        engine.add(
            collection,
            engine.new(
                node_cls,
                params={"region": pool["region"]},
                pool_id=pool["id"],
                cluster_id=pool["cluster_id"],
                status="ready",
                name=f"scw-{pool['name']}-{index}-{uuid.uuid4().hex[:6]}",
            ),
        )


@on_remove(f"{K8S}/clusters/{{cluster_id}}/pools")
def _pool_gone(engine: Engine, collection: str, pool: dict[str, Any]) -> None:
    for node in [n for n in engine.items(_nodes(pool)) if n["pool_id"] == pool["id"]]:
        engine.remove(_nodes(pool), node)


@behaviour("POST", f"{K8S}/clusters/{{cluster_id}}/pools")
def create_pool(engine: Engine, call: Call) -> Reply:
    cluster = engine.parent_item(call)
    pool = engine.create(call, status="ready")
    _pool_defaults(pool, cluster)
    _size_nodes(engine, pool)
    return Reply(200, pool)


@behaviour("PATCH", f"{K8S}/pools/{{pool_id}}")
def update_pool(engine: Engine, call: Call) -> Reply:
    reply = engine.handle_generic(call)
    if reply.status == 200:
        _size_nodes(engine, reply.body)
    return reply


@behaviour("GET", f"{K8S}/clusters/{{cluster_id}}/kubeconfig")
def kubeconfig(engine: Engine, call: Call) -> Reply:
    cluster = engine.parent_item(call)
    token = "" if flag(call, "redacted") else uuid.uuid4().hex
    config = (
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: {cluster['name']}\n  cluster:\n    server: {cluster['cluster_url']}\n"
        f"contexts:\n- name: admin@{cluster['name']}\n  context:\n    cluster: {cluster['name']}\n    user: admin\n"
        f"current-context: admin@{cluster['name']}\n"
        f"users:\n- name: admin\n  user:\n    token: {token}\n"
    )
    return Reply(
        200,
        {
            "name": "kubeconfig.yaml",
            "content_type": "application/octet-stream",
            "content": base64.b64encode(config.encode()).decode(),
        },
    )
