"""MCP resources (catalog per product, effective configuration) and prompts for common jobs."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any


def register(server: Any, catalog: Any, settings: Any, options: Any, served: int) -> None:
    """Add the resources and prompts to an MCPServer (catalog: the served operations)."""

    @server.resource(
        "scw://config",
        name="configuration",
        mime_type="application/json",
        description="Effective configuration: profile, project, zone, region, toolsets, read-only (never a secret).",
    )
    def configuration() -> str:
        view = settings.public_view()
        view.update(
            {
                "toolsets": list(options.toolsets),
                "read_only": options.read_only,
                "confirm_destructive": options.confirm_destructive,
                "policy": options.policy.source or None,
                "typed_tools": served,
            }
        )
        return settings.redact(json.dumps(view, indent=1))  # URLs without userinfo; nothing secret either way

    @server.resource(
        "scw://catalog",
        name="catalog",
        mime_type="application/json",
        description="Products and how many operations each has; read scw://catalog/{product} for one.",
    )
    def catalog_index() -> str:
        counts = Counter(op.product for op in catalog.entries.values())
        return json.dumps({"meta": catalog.meta, "products": dict(sorted(counts.items()))}, indent=1)

    @server.resource(
        "scw://catalog/{product}",
        name="product catalog",
        mime_type="application/json",
        description="Every operation of one product: name, summary, safety class.",
    )
    def product_catalog(product: str) -> str:
        ops = [
            {"name": op.name, "summary": op.summary, "safety": op.safety}
            for op in sorted(catalog.entries.values(), key=lambda op: op.name)
            if op.product == product
        ]
        if not ops:
            raise ValueError(f"unknown product {product!r}")
        return json.dumps({"product": product, "operations": ops}, indent=1)

    @server.prompt(name="review_public_exposure", description="Review what a project exposes to the Internet.")
    def review_public_exposure(project_id: str = "") -> str:
        scope = f"project {project_id}" if project_id else "the configured project"
        return (
            f"Review the public exposure of {scope} on Scaleway. "
            "List instances (instance_list_servers with zone='all') "
            "and their public IPs, security groups and their inbound rules (instance_list_security_groups, "
            "then call_operation instance_list_security_group_rules), load balancers and their frontends, "
            "database instances with public endpoints (rdb_list_instances) and their ACLs, and buckets "
            "(object_storage_list_buckets). Report each exposed resource, what port is open to 0.0.0.0/0, "
            "and a concrete fix. Do not change anything."
        )

    @server.prompt(name="inventory_and_costs", description="Inventory of resources and a cost overview.")
    def inventory_and_costs(zone: str = "all") -> str:
        return (
            f"Build an inventory of my Scaleway resources (zone: {zone}): instances with their commercial types and "
            "state, volumes, flexible IPs, Kubernetes clusters and pools, database instances, buckets, registry "
            "namespaces. Then use search_operations for billing consumption and summarise the monthly cost by "
            "product. Point out idle resources that still bill (stopped instances with volumes, unattached IPs)."
        )

    @server.prompt(name="deploy_web_server", description="Deploy a web server on a new instance.")
    def deploy_web_server(name: str = "web-1", zone: str = "", commercial_type: str = "DEV1-S") -> str:
        where = f" in zone {zone}" if zone else ""
        return (
            f"Deploy a web server named {name}{where}: create an instance (instance_create_server, "
            f"commercial_type {commercial_type}, image ubuntu_noble, wait=true), make sure its security group "
            "allows inbound TCP 80 and 443 and SSH only from my address, then report its public IP and how "
            "to connect. Ask before anything destructive."
        )
