"""The search documents of the served surface after the tool rename, for the search bench and test.

TEMPORARY, ONE PLACE: until the lead's rename lands in main, today's hand-written tools are
searched under the names they will be served as (`{product}[_{version}]_{verb}_{noun}`): a
hand-written tool takes its new name and replaces the generated operation of that name (keeping
that operation's arguments too: the renamed tool accepts them all); hand-written tools with no
generated twin (instance_start/stop/reboot_server, k8s_get_cluster_kubeconfig, the object storage
tools) are added. Delete RENAMES (and `served_name`) when merging the rename: the catalog will then
hold these names itself, and `surface_docs` becomes `[search_doc(e) for e in catalog.entries.values()]`.
"""

from __future__ import annotations

from typing import Any

# old hand-written name -> the name it is served as after the rename (brief, "What the lead is changing")
RENAMES = {
    "instance_server_list": "instance_list_servers",
    "instance_server_get": "instance_get_server",
    "instance_server_create": "instance_create_server",
    "instance_server_delete": "instance_delete_server",
    "instance_server_start": "instance_start_server",
    "instance_server_stop": "instance_stop_server",
    "instance_server_reboot": "instance_reboot_server",
    "vpc_private_network_attach": "instance_create_private_nic",
    "vpc_private_network_detach": "instance_delete_private_nic",
    "vpc_list": "vpc_list_vpcs",
    "vpc_create": "vpc_create_vpc",
    "vpc_private_network_list": "vpc_list_private_networks",
    "vpc_private_network_create": "vpc_create_private_network",
    "vpc_private_network_update": "vpc_update_private_network",
    "vpc_private_network_delete": "vpc_delete_private_network",
    "k8s_cluster_list": "k8s_list_clusters",
    "k8s_cluster_get": "k8s_get_cluster",
    "k8s_cluster_create": "k8s_create_cluster",
    "k8s_cluster_delete": "k8s_delete_cluster",
    "k8s_pool_list": "k8s_list_pools",
    "k8s_pool_create": "k8s_create_pool",
    "k8s_pool_scale": "k8s_update_pool",
    "k8s_kubeconfig_get": "k8s_get_cluster_kubeconfig",
    "rdb_instance_list": "rdb_list_instances",
    "rdb_instance_get": "rdb_get_instance",
    "rdb_instance_create": "rdb_create_instance",
    "rdb_instance_delete": "rdb_delete_instance",
    "rdb_database_list": "rdb_list_databases",
    "rdb_database_create": "rdb_create_database",
    "rdb_database_delete": "rdb_delete_database",
    "rdb_user_list": "rdb_list_users",
    "rdb_user_create": "rdb_create_user",
    "rdb_user_delete": "rdb_delete_user",
    "rdb_backup_list": "rdb_list_database_backups",
    "rdb_backup_create": "rdb_create_database_backup",
    "registry_namespace_list": "registry_list_namespaces",
    "registry_namespace_get": "registry_get_namespace",
    "registry_namespace_delete": "registry_delete_namespace",
    "registry_image_list": "registry_list_images",
    "registry_image_get": "registry_get_image",
    "registry_image_delete": "registry_delete_image",
    "object_storage_bucket_list": "object_storage_list_buckets",
    "object_storage_bucket_create": "object_storage_create_bucket",
    "object_storage_bucket_delete": "object_storage_delete_bucket",
    "object_storage_object_list": "object_storage_list_objects_v2",
    "object_storage_object_get": "object_storage_get_object",
    "object_storage_object_put": "object_storage_put_object",
    "object_storage_object_delete": "object_storage_delete_object",
    "object_storage_presign": "object_storage_generate_presigned_url",
}


def served_name(name: str) -> str:
    return RENAMES.get(name, name)


def surface_docs(catalog: Any) -> list[Any]:
    """One SearchDoc per tool of the served surface (renamed hand-written tools in place of their twins)."""
    from dataclasses import replace

    from scw_mcp.runtime.catalog import search_doc

    docs = {name: search_doc(e) for name, e in catalog.entries.items() if not e.is_override}
    for entry in catalog.entries.values():
        if not entry.is_override:
            continue
        new = served_name(entry.name)
        doc = search_doc(entry)
        twin = docs.get(new)
        if twin is not None:  # takes the twin's place, product and arguments
            doc = replace(doc, product=twin.product, namespace=twin.namespace,
                          params=tuple(dict.fromkeys(doc.params + twin.params)))
        else:
            doc = replace(doc, product=_product_of(new, doc.product))
        docs[new] = replace(doc, name=new)
    return list(docs.values())


def _product_of(name: str, product: str) -> str:
    # vpc_private_network_attach/detach become instance_* tools: the product follows the name
    return product if name.startswith(product + "_") else name.split("_")[0]
