"""The resources a fresh sandbox holds (scw_mcp/data/sandbox_seed.yaml)."""

from __future__ import annotations

import uuid
from importlib import resources
from typing import Any

import yaml

from ._base import Engine, cls
from .iam import add_api_key, add_policy


def load_seed() -> dict[str, Any]:
    text = resources.files("scw_mcp.data").joinpath("sandbox_seed.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def seed(
    engine: Engine, data: dict[str, Any] | None = None, *, access_key: str | None = None, secret_key: str | None = None
) -> None:
    """Fill a fresh engine. With credentials, they are the API key of the sandbox's application,
    whose policy grants it everything (what the lock-out guards look up)."""
    data = data or load_seed()
    new = engine.new
    engine.add(
        "/account/v3/projects", new(cls("scaleway.account.v3.types:Project"), id=engine.project_id, **data["project"])
    )
    _instance_and_images(engine, data)
    _regional(engine, data)
    _registry(engine, data)
    if access_key and secret_key:
        _iam(engine, data["iam"], access_key, secret_key)


def _instance_and_images(engine: Engine, data: dict[str, Any]) -> None:
    new = engine.new
    market = [
        new(cls("scaleway.marketplace.v2.types:Image"), label=label, name=name, categories=["distribution"])
        for label, name in data["images"].items()
    ]
    for image in market:
        engine.add("/marketplace/v2/images", image)
    local_cls = cls("scaleway.marketplace.v2.types:LocalImage")
    server_type_cls = cls("scaleway.instance.v1.types:ServerType")
    for zone in data["instance_zones"]:
        for name, spec in data["server_types"].items():
            item = new(server_type_cls, **spec)
            item["name"] = name  # products/servers is a map keyed by name (the SDK ignores the extra key)
            engine.add(f"/instance/v1/zones/{zone}/products/servers", item)
        for image in market:
            for arch in ("x86_64", "arm64"):
                types = [n for n, s in data["server_types"].items() if s["arch"] == arch]
                engine.add(
                    "/marketplace/v2/local-images",
                    new(
                        local_cls,
                        zone=zone,
                        arch=arch,
                        label=image["label"],
                        type="instance_sbs",
                        compatible_commercial_types=types,
                        name=image["name"],
                    ),
                )


def _regional(engine: Engine, data: dict[str, Any]) -> None:
    new = engine.new
    vpc_cls = cls("scaleway.vpc.v2.types:VPC")
    version_cls = cls("scaleway.k8s.v1.types:Version")
    engine_cls = cls("scaleway.rdb.v1.types:DatabaseEngine")
    node_cls = cls("scaleway.rdb.v1.types:NodeType")
    for region in data["regions"]:
        engine.add(
            f"/vpc/v2/regions/{region}/vpcs",
            new(vpc_cls, region=region, name="default", is_default=True, routing_enabled=True),
        )
        for version in data["k8s_versions"]:
            engine.add(
                f"/k8s/v1/regions/{region}/versions",
                new(
                    version_cls,
                    name=version,
                    label=f"Kubernetes {version}",
                    region=region,
                    available_cnis=data["k8s_cnis"],
                ),
            )
        for name, versions in data["rdb_engines"].items():
            engine.add(
                f"/rdb/v1/regions/{region}/database-engines",
                new(
                    engine_cls,
                    name=name,
                    region=region,
                    versions=[
                        {
                            "version": v,
                            "name": f"{name}-{v}",
                            "disabled": False,
                            "beta": False,
                            "available_settings": [],
                            "available_init_settings": [],
                            "end_of_life": None,
                        }
                        for v in versions
                    ],
                ),
            )
        for name in data["rdb_node_types"]:
            engine.add(
                f"/rdb/v1/regions/{region}/node-types",
                new(node_cls, name=name, region=region, stock_status="available", description=name, disabled=False),
            )


def _registry(engine: Engine, data: dict[str, Any]) -> None:
    new = engine.new
    registry = data["registry"]
    region = data["regions"][0]
    namespace = engine.add(
        f"/registry/v1/regions/{region}/namespaces",
        new(
            cls("scaleway.registry.v1.types:Namespace"),
            region=region,
            name=registry["namespace"],
            status="ready",
            endpoint=f"rg.{region}.scw.cloud/{registry['namespace']}",
        ),
    )
    image = engine.add(
        f"/registry/v1/regions/{region}/images",
        new(
            cls("scaleway.registry.v1.types:Image"),
            name=registry["image"],
            namespace_id=namespace["id"],
            status="ready",
            visibility="inherit",
            size=3_000_000,
            tags=[registry["tag"]],
        ),
    )
    engine.add(
        f"/registry/v1/regions/{region}/images/{image['id']}/tags",
        new(
            cls("scaleway.registry.v1.types:Tag"),
            name=registry["tag"],
            image_id=image["id"],
            status="ready",
            digest="sha256:" + uuid.uuid4().hex * 2,
        ),
    )


def _iam(engine: Engine, iam: dict[str, Any], access_key: str, secret_key: str) -> None:
    new = engine.new
    engine.add(
        "/iam/v1alpha1/organizations",
        new(
            cls("scaleway.iam.v1alpha1.types:Organization"),
            id=engine.organization_id,
            name=iam["organization"],
            alias="",
        ),
    )
    engine.add(
        "/iam/v1alpha1/users",
        new(
            cls("scaleway.iam.v1alpha1.types:User"),
            email=iam["owner"],
            username=iam["owner"],
            type="owner",
            status="activated",
            locale="en_US",
            deletable=False,
            mfa=False,
            locked=False,
            account_root_user_id="",
            last_login_at=None,
        ),
    )
    application = engine.add(
        "/iam/v1alpha1/applications",
        new(
            cls("scaleway.iam.v1alpha1.types:Application"),
            name=iam["application"],
            description=iam["description"],
            editable=True,
            deletable=True,
            managed=False,
        ),
    )
    add_api_key(
        engine,
        bearer={"application_id": application["id"]},
        description=iam["description"],
        key=access_key,
        secret=secret_key,
    )
    engine.authenticating = True
    add_policy(
        engine,
        {
            "name": iam["policy"],
            "description": iam["description"],
            "organization_id": engine.organization_id,
            "application_id": application["id"],
            "rules": [{"permission_set_names": iam["permission_sets"], "organization_id": engine.organization_id}],
        },
    )
