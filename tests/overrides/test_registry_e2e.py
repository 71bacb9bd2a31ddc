"""Container Registry end to end: the real scw-mcp over stdio, the real mcp client, the sandbox
in this process (seeded with namespace "sandbox" holding hello-world:latest in fr-par).
Namespaces and images, their tags, and confirmed deletes that take the contents with them."""

from __future__ import annotations

from pathlib import Path

from scw_mcp.sandbox import Sandbox
from tests.overrides.stdio_session import Session, run_session

REGISTRY = "/registry/v1/regions/fr-par"


def test_namespaces_and_images(sb: Sandbox, tmp_path: Path) -> None:
    async def scenario(s: Session) -> None:
        namespaces = await s.ok("registry_list_namespaces", {})
        (namespace,) = namespaces["items"]
        assert namespace["name"] == "sandbox" and namespace["status"] == "ready" and namespaces["total_count"] == 1
        namespace_id = namespace["id"]
        got = await s.ok("registry_get_namespace", {"namespace_id": namespace_id})
        assert got["endpoint"] == "rg.fr-par.scw.cloud/sandbox" and got["image_count"] == 1 and not got["is_public"]
        assert (await s.ok("registry_list_namespaces", {"region": "nl-ams"}))["items"] == []

        images = await s.ok("registry_list_images", {"namespace_id": namespace_id})
        (image,) = images["items"]
        assert (image["name"], image["tags"], image["namespace_id"]) == ("hello-world", ["latest"], namespace_id)
        assert [i["id"] for i in (await s.ok("registry_list_images", {"name": "hello"}))["items"]] == [image["id"]]
        assert (await s.ok("registry_list_images", {"name": "nginx"}))["items"] == []
        detail = await s.ok("registry_get_image", {"image_id": image["id"]})
        assert detail["name"] == "hello-world"
        (tag,) = (await s.ok("registry_list_tags", {"image_id": image["id"]}))["items"]
        assert tag["name"] == "latest" and tag["status"] == "ready" and tag["digest"].startswith("sha256:")

        # Namespace delete, previewed only: it names the images that would go with it.
        preview = await s.preview("registry_delete_namespace", {"namespace_id": namespace_id})
        assert preview["target"]["image_count"] == 1  # a number, though the SDK reads it from X-Total-Count
        assert preview["target"]["images"] == [
            {"id": image["id"], "name": "hello-world", "tags": ["latest"], "size": image["size"]}
        ]

        # Image delete: previewed with its tags, then confirmed; its tags go with it.
        preview = await s.preview("registry_delete_image", {"image_id": image["id"]})
        assert preview["target"]["image"]["id"] == image["id"] and [t["name"] for t in preview["target"]["tags"]] == [
            "latest"
        ]
        assert "pulls of them will fail" in preview["target"]["will_delete"]
        assert len(sb.engine.items(f"{REGISTRY}/images")) == 1
        deleted = await s.confirm("registry_delete_image", {"image_id": image["id"]}, preview)
        assert deleted["deleted"]["id"] == image["id"] and deleted["deleted"]["status"] == "deleting"
        assert s.requests("DELETE")[-1]["path"] == f"{REGISTRY}/images/{image['id']}"
        assert (
            sb.engine.items(f"{REGISTRY}/images") == []
            and sb.engine.items(f"{REGISTRY}/images/{image['id']}/tags") == []
        )
        assert (await s.ok("registry_list_images", {"namespace_id": namespace_id}))["items"] == []
        missing = await s.error("registry_get_image", {"image_id": image["id"]})
        assert "404" in missing and "Image was not found" in missing and "What to do" in missing
        assert (await s.ok("registry_get_namespace", {"namespace_id": namespace_id}))["image_count"] == 0

        # Namespace delete, confirmed.
        preview = await s.preview("registry_delete_namespace", {"namespace_id": namespace_id})
        assert preview["target"]["images"] == [] and preview["target"]["image_count"] == 0
        deleted = await s.confirm("registry_delete_namespace", {"namespace_id": namespace_id}, preview)
        assert deleted["deleted"]["name"] == "sandbox" and deleted["deleted"]["status"] == "deleting"
        assert [n["status"] for n in (await s.ok("registry_list_namespaces", {}))["items"]] == [
            "deleting"
        ]  # for a poll
        assert "Namespace was not found" in await s.error("registry_get_namespace", {"namespace_id": namespace_id})
        assert sb.engine.items(f"{REGISTRY}/namespaces") == []

    sb.reset_requests()
    transcript = run_session(sb, tmp_path, scenario)
    assert sb.secret_key not in transcript.everything()


def test_deleting_a_namespace_takes_its_images(tmp_path: Path) -> None:
    """The seed's namespace deleted while it still holds hello-world: image and tag go too."""
    with Sandbox(s3=False) as sb:
        (namespace,) = sb.engine.items(f"{REGISTRY}/namespaces")
        (image,) = sb.engine.items(f"{REGISTRY}/images")

        async def scenario(s: Session) -> None:
            preview = await s.preview("registry_delete_namespace", {"namespace_id": namespace["id"]})
            assert [i["name"] for i in preview["target"]["images"]] == ["hello-world"]
            await s.confirm("registry_delete_namespace", {"namespace_id": namespace["id"]}, preview)
            # "deleting" for a poll (as the API), then gone with its images
            assert [n["status"] for n in (await s.ok("registry_list_namespaces", {}))["items"]] == ["deleting"]
            assert "404" in await s.error("registry_get_image", {"image_id": image["id"]})
            assert (await s.ok("registry_list_images", {}))["items"] == []

        run_session(sb, tmp_path, scenario)
        assert (
            sb.engine.items(f"{REGISTRY}/images") == []
            and sb.engine.items(f"{REGISTRY}/images/{image['id']}/tags") == []
        )
