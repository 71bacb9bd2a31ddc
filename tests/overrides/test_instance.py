"""Instance overrides against the sandbox: create from an image label with wait, power
actions, delete with its volumes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from scw_mcp.overrides import _common
from scw_mcp.overrides import instance
from scw_mcp.runtime.context import CallContext
from scw_mcp.runtime.errors import ToolFailure
from scw_mcp.runtime.settings import Settings
from scw_mcp.sandbox import Sandbox

@pytest.fixture(scope="module")
def api() -> Iterator[Sandbox]:
    with Sandbox(s3=False) as sb:
        yield sb


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_common, "POLL_MIN", 0.01)
    monkeypatch.setattr(_common, "POLL_MAX", 0.05)


class Recorder:
    """Stands in for the MCP context: collects progress notifications."""

    def __init__(self) -> None:
        self.progress: list[tuple[float, float | None, str | None]] = []

    async def report_progress(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        self.progress.append((progress, total, message))


@pytest.fixture()
def ctx(api: Any) -> CallContext:
    settings = Settings(access_key=api.access_key, secret_key=api.secret_key, project_id=api.project_id, api_url=api.api_url, s3_endpoint_url="http://127.0.0.1:9")
    return CallContext(settings=settings, tool="instance_test", mcp_context=Recorder())


def run(fn: Any, *args: Any, **kwargs: Any) -> Any:
    return anyio.run(lambda: fn(*args, **kwargs))


def test_create_from_label_and_wait(ctx: CallContext) -> None:
    created = run(instance.server_create, ctx, commercial_type="DEV1-S", image="ubuntu_noble", name="web-1", tags=["t1"], wait=True, timeout_seconds=30)
    server = created["server"]
    assert server["state"] == "running" and server["name"] == "web-1" and server["tags"] == ["t1"]
    assert created["image"]["label"] == "ubuntu_noble" and created["image"]["arch"] == "x86_64"
    assert any(msg and "running" in msg for _, _, msg in ctx.mcp_context.progress)

    got = run(instance.server_get, ctx, server["id"])
    assert got["server"].id == server["id"]
    listed = run(instance.server_list, ctx, name="web-1")
    assert [s["id"] for s in listed["items"]] == [server["id"]]
    everywhere = run(instance.server_list, ctx, zone="all")
    assert server["id"] in [s["id"] for s in everywhere["items"]]

    stopped = run(instance.server_stop, ctx, server["id"], wait=True, timeout_seconds=30)
    assert stopped["server"]["state"] == "stopped"


def test_arm_type_picks_arm_image_and_unknown_label_lists_valid(ctx: CallContext) -> None:
    created = run(instance.server_create, ctx, commercial_type="COPARM1-2C-8G", image="ubuntu_noble")
    assert created["image"]["arch"] == "arm64" and created["server"]["state"] == "stopped"
    assert ctx.notes and "instance_server_start" in ctx.notes[0]
    with pytest.raises(ToolFailure, match="Valid labels.*ubuntu_noble"):
        run(instance.server_create, ctx, image="ubuntu_nobel")
    with pytest.raises(ToolFailure, match="Unknown commercial type 'DEV9-Z'.*DEV1-S"):
        run(instance.server_create, ctx, commercial_type="DEV9-Z")


def test_delete_preview_says_what_stays_then_delete_with_volumes(ctx: CallContext) -> None:
    server = run(instance.server_create, ctx, image="ubuntu_noble", wait=True, timeout_seconds=30)["server"]
    preview = run(instance._delete_preview, ctx, server["id"])
    assert preview["will_keep"] and "keep billing" in preview["warning"] and "powered off first" in preview["note"]
    assert not run(instance._delete_preview, ctx, server["id"], with_volumes=True)["will_keep"]

    done = run(instance.server_delete, ctx, server["id"], with_volumes=True, timeout_seconds=30)
    assert done["deleted_server"] == server["id"] and len(done["deleted_volumes"]) == 1 and not done["kept"]
    with pytest.raises(Exception):
        run(instance.server_get, ctx, server["id"])
