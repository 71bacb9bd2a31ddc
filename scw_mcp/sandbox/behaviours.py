"""What the generic engine cannot know: hand-written behaviour for a few routes, and the seed.

Each behaviour is registered for one route of the table (verb + path template) and returns a
Reply, or None to let the generic engine answer. Keep this file to behaviour a user sees:
power states settling over polls, image labels, kubeconfig, database status.
"""

from __future__ import annotations

import base64
import random
import uuid
from importlib import resources
from typing import Any, Callable

import yaml

from . import shapes
from .engine import Behaviour, Call, Engine, Reply, fill, invalid_arguments, not_found

BEHAVIOURS: dict[tuple[str, str], Behaviour] = {}

_INSTANCE = "/instance/v1/zones/{zone}"
_BLOCK_VOLUMES = "/block/v1alpha1/zones/{zone}/volumes"
_K8S = "/k8s/v1/regions/{region}"
_RDB = "/rdb/v1/regions/{region}"


def behaviour(verb: str, path: str) -> Callable[[Behaviour], Behaviour]:
    def register(fn: Behaviour) -> Behaviour:
        BEHAVIOURS[(verb, path)] = fn
        return fn

    return register


def load_seed() -> dict[str, Any]:
    text = resources.files("scw_mcp.data").joinpath("sandbox_seed.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _cls(python: str) -> Any:
    return shapes.load(python)


def _public_ip(zone: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "address": f"51.15.{random.randint(0, 255)}.{random.randint(1, 254)}",
            "family": "inet", "dynamic": True, "provisioning_mode": "dhcp", "state": "attached",
            "gateway": "62.210.0.1", "netmask": "32", "tags": [], "ipam_id": str(uuid.uuid4())}


# --- instance --------------------------------------------------------------------------------


@behaviour("POST", f"{_INSTANCE}/servers")
def create_server(engine: Engine, call: Call) -> Reply:
    """A stopped server with its image, an SBS root volume and (by default) a dynamic public IP."""
    zone = call.params["zone"]
    body = call.body
    types = {t["name"]: t for t in engine.items(fill(f"{_INSTANCE}/products/servers", call.params))}
    server_type = types.get(body.get("commercial_type") or "")
    if server_type is None:
        return Reply(400, {"message": f"commercial type {body.get('commercial_type')!r} is not available in {zone}",
                           "type": "invalid_request_error"})
    wanted = body.get("image")
    # An image ID, or (as the API also accepts) a label resolved for the zone and architecture.
    image = next((i for i in engine.items("/marketplace/v2/local-images") if i["id"] == wanted
                  or (i["label"] == wanted and i["zone"] == zone and i["arch"] == server_type["arch"])), None)
    if body.get("image") and image is None:
        return not_found("/instance/v1/zones/{zone}/images", str(body.get("image")))
    volume_id = str(uuid.uuid4())
    size = int(((body.get("volumes") or {}).get("0") or {}).get("size") or 10_000_000_000)
    engine.add(fill(_BLOCK_VOLUMES, call.params), engine.new(
        _cls("scaleway.block.v1alpha1.types:Volume"), params=call.params, id=volume_id,
        name=f"{(image or {}).get('name', 'volume')}_sbs_volume_0", type="sbs_5k", size=size, status="in_use"))
    ips = [_public_ip(zone)] if body.get("dynamic_ip_required", True) else []
    server = engine.create(
        call,
        state="stopped",
        arch=server_type["arch"],
        image={"id": image["id"], "name": image["name"], "arch": image["arch"], "zone": zone} if image else None,
        volumes={"0": {"id": volume_id, "volume_type": "sbs_volume", "boot": False, "state": "available", "zone": zone, "size": size}},
        public_ips=ips,
        public_ip=ips[0] if ips else None,
        private_nics=[],
        hostname=body.get("name") or "",
        dynamic_ip_required=bool(ips),
    )
    return Reply(201, {"server": server})


@behaviour("POST", f"{_INSTANCE}/servers/{{server_id}}/action")
def server_action(engine: Engine, call: Call) -> Reply:
    """poweron: starting, then running on a later poll; poweroff: stopping, then stopped."""
    collection = fill(f"{_INSTANCE}/servers", call.params)
    server = engine.parent_item(call)
    if isinstance(server, Reply):
        return server
    action = call.body.get("action") or "poweron"
    moves = {"poweron": ("starting", "running"), "poweroff": ("stopping", "stopped"),
             "stop_in_place": ("stopping", "stopped_in_place"), "reboot": ("running", "running")}
    if action == "terminate":
        engine.remove(collection, server)
        for volume in server["volumes"].values():
            found = engine.find(fill(_BLOCK_VOLUMES, call.params), volume["id"])
            if found is not None:
                engine.remove(fill(_BLOCK_VOLUMES, call.params), found)
    elif action in moves:
        now, then = moves[action]
        server["state"] = now
        engine.later(server, {}, {"state": then})
    else:
        return invalid_arguments([{"argument_name": "action", "reason": "constraint", "help_message": f"unknown action {action}"}])
    task = engine.new(_cls("scaleway.instance.v1.types:Task"), params=call.params, description=f"server_{action}",
                      status="pending", href_from=f"/servers/{server['id']}/action", progress=0)
    return Reply(202, {"task": task})


@behaviour("DELETE", f"{_INSTANCE}/servers/{{server_id}}")
def delete_server(engine: Engine, call: Call) -> Reply:
    """Only a stopped server can be deleted; its volumes stay, detached (available)."""
    found = engine.lookup(call)
    if isinstance(found, Reply):
        return found
    collection, server = found
    if server["state"] not in ("stopped", "stopped_in_place"):
        return Reply(400, {"message": "server should be stopped", "type": "invalid_request_error"})
    engine.remove(collection, server)
    for volume in server["volumes"].values():
        found = engine.find(fill(_BLOCK_VOLUMES, call.params), volume["id"])
        if found is not None:
            found["status"] = "available"
    return Reply(204)


@behaviour("GET", f"{_INSTANCE}/servers")
def list_servers(engine: Engine, call: Call) -> Reply:
    """Also filters by private_network (servers with a NIC in it) and state."""
    network = call.arg("private_network")
    return engine.list(call, lambda s: not network or any(n["private_network_id"] == network for n in s["private_nics"]))


@behaviour("POST", f"{_INSTANCE}/servers/{{server_id}}/private_nics")
def create_private_nic(engine: Engine, call: Call) -> Reply:
    server = engine.parent_item(call)
    if isinstance(server, Reply):
        return server
    nic = engine.create(call, state="available", mac_address=f"02:00:00:{random.randint(0, 255):02x}:{random.randint(0, 255):02x}:01")
    server["private_nics"].append(nic)  # the same object: the server shows it, deletes reach both
    return Reply(201, {"private_nic": nic})


@behaviour("DELETE", f"{_INSTANCE}/servers/{{server_id}}/private_nics/{{private_nic_id}}")
def delete_private_nic(engine: Engine, call: Call) -> Reply | None:
    server = engine.find(fill(f"{_INSTANCE}/servers", call.params), call.params["server_id"])
    if server is not None:
        server["private_nics"] = [n for n in server["private_nics"] if n["id"] != call.params["private_nic_id"]]
    return None  # the generic delete removes it from the collection (or answers 404)


# --- vpc -----------------------------------------------------------------------------------


@behaviour("POST", "/vpc/v2/regions/{region}/vpcs")
def create_vpc(engine: Engine, call: Call) -> Reply:
    """The request says enable_routing, the VPC answers routing_enabled."""
    vpc = engine.create(call, routing_enabled=bool(call.body.get("enable_routing")), is_default=False)
    return Reply(200, engine.wrap(call.route, vpc))


@behaviour("POST", "/vpc/v2/regions/{region}/private-networks")
def create_private_network(engine: Engine, call: Call) -> Reply:
    """In the region's default VPC unless told otherwise, with an IPv4 subnet."""
    vpcs = engine.items(fill("/vpc/v2/regions/{region}/vpcs", call.params))
    vpc_id = call.body.get("vpc_id") or next((v["id"] for v in vpcs if v["is_default"]), "")
    if call.body.get("vpc_id") and not any(v["id"] == vpc_id for v in vpcs):
        return not_found("/vpc/v2/regions/{region}/vpcs", vpc_id)
    cidr = (call.body.get("subnets") or [f"172.16.{4 * random.randint(0, 63)}.0/22"])[0]
    subnet = engine.new(_cls("scaleway.vpc.v2.types:Subnet"), params=call.params, subnet=cidr, vpc_id=vpc_id)
    network = engine.create(call, vpc_id=vpc_id, subnets=[subnet], dhcp_enabled=True)
    subnet["private_network_id"] = network["id"]
    return Reply(200, network)


def _private_network_users(engine: Engine, region: str, network_id: str) -> list[str]:
    """What is still attached to a Private Network: Instances' NICs, clusters, database endpoints."""
    users = []
    for path, items in list(engine.collections.items()):
        if path.startswith(f"/instance/v1/zones/{region}-") and path.endswith("/servers"):
            users += [f"instance {s['id']}" for s in items if any(n.get("private_network_id") == network_id for n in s.get("private_nics") or [])]
    users += [f"k8s cluster {c['id']}" for c in engine.items(f"/k8s/v1/regions/{region}/clusters") if c.get("private_network_id") == network_id]
    users += [f"rdb instance {i['id']}" for i in engine.items(f"/rdb/v1/regions/{region}/instances")
              if any((e.get("private_network") or {}).get("private_network_id") == network_id for e in i.get("endpoints") or [])]
    return users


@behaviour("DELETE", "/vpc/v2/regions/{region}/private-networks/{private_network_id}")
def delete_private_network(engine: Engine, call: Call) -> Reply | None:
    """Refused while anything is attached (the API's 412: "Private Network must be empty to be deleted")."""
    if engine.unknown_ids == "create":  # the route walk: made-up items all reference one made-up id
        return None
    if _private_network_users(engine, call.params["region"], call.params["private_network_id"]):
        return Reply(412, {"message": "precondition is not respected", "precondition": "resource_still_in_use",
                           "help_message": "Private Network must be empty to be deleted", "type": "precondition_failed"})
    return None


# --- marketplace -----------------------------------------------------------------------------


@behaviour("GET", "/marketplace/v2/local-images")
def list_local_images(engine: Engine, call: Call) -> Reply:
    label = call.arg("image_label")
    return engine.list(call, lambda i: not label or i["label"] == label)


# --- kubernetes ------------------------------------------------------------------------------


@behaviour("POST", f"{_K8S}/clusters")
def create_cluster(engine: Engine, call: Call) -> Reply:
    """Validated version; "creating", then "ready" two polls later; its pools are created with it."""
    versions = [v["name"] for v in engine.items(fill(f"{_K8S}/versions", call.params))]
    if call.body.get("version") not in versions:
        return invalid_arguments([{"argument_name": "version", "reason": "constraint",
                                   "help_message": f"version must be one of {', '.join(versions)}"}])
    cluster_id = str(uuid.uuid4())
    region = call.params["region"]
    cluster = engine.create(call, id=cluster_id, status="creating", type=call.body.get("type") or "kapsule",
                            cluster_url=f"https://{cluster_id}.api.k8s.{region}.scw.cloud:6443",
                            dns_wildcard=f"*.{cluster_id}.nodes.k8s.{region}.scw.cloud")
    engine.later(cluster, {}, {"status": "ready"})
    pool_cls = _cls("scaleway.k8s.v1.types:Pool")
    for spec in call.body.get("pools") or []:
        pool = engine.add(f"/k8s/v1/regions/{region}/clusters/{cluster_id}/pools",
                          engine.new(pool_cls, params={"region": region, "cluster_id": cluster_id}, body=spec, status="ready"))
        _pool_defaults(pool, cluster)
        _size_nodes(engine, pool)
    return Reply(200, cluster)


def _pool_defaults(pool: dict[str, Any], cluster: dict[str, Any]) -> None:
    """As the API answers: the cluster's version, and the region's first zone when none was asked."""
    pool["version"] = pool.get("version") or cluster.get("version") or ""
    pool["zone"] = pool.get("zone") or f"{cluster['region']}-1"


@behaviour("DELETE", f"{_K8S}/clusters/{{cluster_id}}")
def delete_cluster(engine: Engine, call: Call) -> Reply:
    """Its pools and nodes go with it."""
    reply = engine.handle_generic(call)
    if reply.status == 200:
        for noun in ("pools", "nodes"):
            collection = fill(f"{_K8S}/clusters/{{cluster_id}}/{noun}", call.params)
            for item in list(engine.items(collection)):
                engine.remove(collection, item)
    return reply


def _size_nodes(engine: Engine, pool: dict[str, Any]) -> None:
    """A pool's nodes follow its size (what the delete preview of a cluster lists)."""
    collection = f"/k8s/v1/regions/{pool['region']}/clusters/{pool['cluster_id']}/nodes"
    nodes = [n for n in engine.items(collection) if n["pool_id"] == pool["id"]]
    for node in nodes[pool["size"]:]:
        engine.remove(collection, node)
    node_cls = _cls("scaleway.k8s.v1.types:Node")
    for index in range(len(nodes), pool["size"]):
        engine.add(collection, engine.new(node_cls, params={"region": pool["region"]}, pool_id=pool["id"],
                                          cluster_id=pool["cluster_id"], status="ready",
                                          name=f"scw-{pool['name']}-{index}-{uuid.uuid4().hex[:6]}"))


@behaviour("POST", f"{_K8S}/clusters/{{cluster_id}}/pools")
def create_pool(engine: Engine, call: Call) -> Reply:
    cluster = engine.parent_item(call)
    if isinstance(cluster, Reply):
        return cluster
    pool = engine.create(call, status="ready")
    _pool_defaults(pool, cluster)
    _size_nodes(engine, pool)
    return Reply(200, pool)


@behaviour("PATCH", f"{_K8S}/pools/{{pool_id}}")
def update_pool(engine: Engine, call: Call) -> Reply:
    reply = engine.handle_generic(call)
    if reply.status == 200:
        _size_nodes(engine, reply.body)
    return reply


@behaviour("GET", f"{_K8S}/clusters/{{cluster_id}}/kubeconfig")
def kubeconfig(engine: Engine, call: Call) -> Reply:
    cluster = engine.parent_item(call)
    if isinstance(cluster, Reply):
        return cluster
    token = "" if call.arg("redacted") == "true" else uuid.uuid4().hex
    config = (
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: {cluster['name']}\n  cluster:\n    server: {cluster['cluster_url']}\n"
        f"contexts:\n- name: admin@{cluster['name']}\n  context:\n    cluster: {cluster['name']}\n    user: admin\n"
        f"current-context: admin@{cluster['name']}\n"
        f"users:\n- name: admin\n  user:\n    token: {token}\n"
    )
    return Reply(200, {"name": "kubeconfig.yaml", "content_type": "application/octet-stream",
                       "content": base64.b64encode(config.encode()).decode()})


# --- databases -------------------------------------------------------------------------------


@behaviour("POST", f"{_RDB}/instances")
def create_database_instance(engine: Engine, call: Call) -> Reply:
    """"provisioning", then "ready" two polls later, with a public endpoint."""
    engines = {f"{e['name']}-{v['version']}" for e in engine.items(fill(f"{_RDB}/database-engines", call.params)) for v in e["versions"]}
    if call.body.get("engine") not in engines:
        return invalid_arguments([{"argument_name": "engine", "reason": "constraint",
                                   "help_message": f"engine must be one of {', '.join(sorted(engines))}"}])
    port = 5432 if str(call.body.get("engine")).startswith("PostgreSQL") else 3306
    endpoint = {"id": str(uuid.uuid4()), "ip": f"51.159.{random.randint(0, 255)}.{random.randint(1, 254)}",
                "port": port, "name": None, "load_balancer": {}, "hostname": None}
    instance = engine.create(call, status="provisioning", endpoints=[endpoint], endpoint=endpoint,
                             volume={"type": call.body.get("volume_type") or "sbs_5k", "size": call.body.get("volume_size") or 10_000_000_000, "class": "sbs"})
    engine.later(instance, {}, {"status": "ready"})
    return Reply(200, instance)


# --- registry --------------------------------------------------------------------------------

_REGISTRY = "/registry/v1/regions/{region}"


def _remove_image(engine: Engine, region: str, image: dict[str, Any]) -> None:
    tags = f"/registry/v1/regions/{region}/images/{image['id']}/tags"
    for tag in list(engine.items(tags)):
        engine.remove(tags, tag)
    found = engine.locate(f"/registry/v1/regions/{region}/images", image["id"])
    if found is not None:
        engine.remove(*found)


@behaviour("DELETE", f"{_REGISTRY}/images/{{image_id}}")
def delete_image(engine: Engine, call: Call) -> Reply:
    """Its tags go with it, and its namespace counts one image less."""
    reply = engine.handle_generic(call)
    if reply.status == 200:
        _remove_image(engine, call.params["region"], reply.body)
        namespace = engine.find(fill(f"{_REGISTRY}/namespaces", call.params), str(reply.body.get("namespace_id")))
        if namespace is not None:
            namespace["image_count"] = max(0, (namespace.get("image_count") or 0) - 1)
            namespace["size"] = max(0, (namespace.get("size") or 0) - (reply.body.get("size") or 0))
    return reply


@behaviour("DELETE", f"{_REGISTRY}/namespaces/{{namespace_id}}")
def delete_namespace(engine: Engine, call: Call) -> Reply:
    """Every image (and tag) in it goes with it."""
    reply = engine.handle_generic(call)
    if reply.status == 200:
        images = fill(f"{_REGISTRY}/images", call.params)
        for image in [i for i in engine.items(images) if i.get("namespace_id") == call.params["namespace_id"]]:
            _remove_image(engine, call.params["region"], image)
    return reply


# --- seed ------------------------------------------------------------------------------------


def seed(engine: Engine, data: dict[str, Any] | None = None) -> None:
    """The resources a fresh sandbox holds (scw_mcp/data/sandbox_seed.yaml)."""
    data = data or load_seed()
    new = engine.new
    engine.add("/account/v3/projects", new(_cls("scaleway.account.v3.types:Project"), id=engine.project_id, **data["project"]))

    market = [new(_cls("scaleway.marketplace.v2.types:Image"), label=label, name=name, categories=["distribution"])
              for label, name in data["images"].items()]
    for image in market:
        engine.add("/marketplace/v2/images", image)
    local_cls = _cls("scaleway.marketplace.v2.types:LocalImage")
    server_type_cls = _cls("scaleway.instance.v1.types:ServerType")
    for zone in data["instance_zones"]:
        for name, spec in data["server_types"].items():
            item = new(server_type_cls, **spec)
            item["name"] = name  # products/servers is a map keyed by name (the SDK ignores the extra key)
            engine.add(f"/instance/v1/zones/{zone}/products/servers", item)
        for image in market:
            for arch in ("x86_64", "arm64"):
                types = [n for n, s in data["server_types"].items() if s["arch"] == arch]
                engine.add("/marketplace/v2/local-images", new(
                    local_cls, zone=zone, arch=arch, label=image["label"], type="instance_sbs",
                    compatible_commercial_types=types, name=image["name"]))

    vpc_cls = _cls("scaleway.vpc.v2.types:VPC")
    for region in data["regions"]:
        engine.add(f"/vpc/v2/regions/{region}/vpcs", new(vpc_cls, region=region, name="default", is_default=True, routing_enabled=True))

    version_cls = _cls("scaleway.k8s.v1.types:Version")
    engine_cls = _cls("scaleway.rdb.v1.types:DatabaseEngine")
    node_cls = _cls("scaleway.rdb.v1.types:NodeType")
    for region in data["regions"]:
        for version in data["k8s_versions"]:
            engine.add(f"/k8s/v1/regions/{region}/versions", new(
                version_cls, name=version, label=f"Kubernetes {version}", region=region, available_cnis=data["k8s_cnis"]))
        for name, versions in data["rdb_engines"].items():
            engine.add(f"/rdb/v1/regions/{region}/database-engines", new(
                engine_cls, name=name, region=region,
                versions=[{"version": v, "name": f"{name}-{v}", "disabled": False, "beta": False,
                           "available_settings": [], "available_init_settings": [], "end_of_life": None} for v in versions]))
        for name in data["rdb_node_types"]:
            engine.add(f"/rdb/v1/regions/{region}/node-types", new(
                node_cls, name=name, region=region, stock_status="available", description=name, disabled=False))

    registry = data["registry"]
    region = data["regions"][0]
    namespace = engine.add(f"/registry/v1/regions/{region}/namespaces", new(
        _cls("scaleway.registry.v1.types:Namespace"), region=region, name=registry["namespace"], status="ready",
        endpoint=f"rg.{region}.scw.cloud/{registry['namespace']}", image_count=1, size=3_000_000))
    image = engine.add(f"/registry/v1/regions/{region}/images", new(
        _cls("scaleway.registry.v1.types:Image"), name=registry["image"], namespace_id=namespace["id"],
        status="ready", visibility="inherit", size=3_000_000, tags=[registry["tag"]]))
    engine.add(f"/registry/v1/regions/{region}/images/{image['id']}/tags", new(
        _cls("scaleway.registry.v1.types:Tag"), name=registry["tag"], image_id=image["id"], status="ready",
        digest="sha256:" + uuid.uuid4().hex * 2))
