"""Marketplace: local images found by label (what `image: ubuntu_noble` resolves through)."""

from __future__ import annotations

from ._base import Call, Engine, Reply, behaviour


@behaviour("GET", "/marketplace/v2/local-images")
def list_local_images(engine: Engine, call: Call) -> Reply:
    label = call.arg("image_label")
    return engine.list(call, lambda i: not label or i["label"] == label)
