"""A seeded engine per test, driven straight (no HTTP): the behaviours' own tests."""

from __future__ import annotations

from typing import Any

import pytest

from scw_mcp.sandbox import ACCESS_KEY, ORGANIZATION_ID, PROJECT_ID, SECRET_KEY
from scw_mcp.sandbox.behaviours import BEHAVIOURS, ON_REMOVE, seed
from scw_mcp.sandbox.engine import Engine, Reply


class Api:
    """engine.handle with short verbs; `ok` asserts a 2xx and gives the body."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def call(self, verb: str, path: str, body: Any = None, **query: Any) -> Reply:
        q = {
            k: [str(x).lower() if isinstance(x, bool) else str(x) for x in (v if isinstance(v, list) else [v])]
            for k, v in query.items()
            if v is not None
        }
        return self.engine.handle(verb, path, q, body, SECRET_KEY)

    def ok(self, verb: str, path: str, body: Any = None, **query: Any) -> Any:
        reply = self.call(verb, path, body, **query)
        assert reply.status < 300, (reply.status, reply.body)
        return reply.body

    def error(self, verb: str, path: str, body: Any = None, **query: Any) -> Reply:
        reply = self.call(verb, path, body, **query)
        assert reply.status >= 400, (reply.status, reply.body)
        return reply


@pytest.fixture()
def api() -> Api:
    engine = Engine(PROJECT_ID, ORGANIZATION_ID, behaviours=BEHAVIOURS, on_remove=ON_REMOVE)
    seed(engine, access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    return Api(engine)


VPC = "/vpc/v2/regions/fr-par"
INSTANCE = "/instance/v1/zones/fr-par-1"


def network(api: Api, **body: Any) -> dict[str, Any]:
    return api.ok("POST", f"{VPC}/private-networks", {"default_route_propagation_enabled": False, **body})


def server(api: Api, **body: Any) -> dict[str, Any]:
    image = next(
        i["id"]
        for i in api.engine.items("/marketplace/v2/local-images")
        if i["zone"] == "fr-par-1" and i["arch"] == "x86_64"
    )
    return api.ok("POST", f"{INSTANCE}/servers", {"name": "web", "commercial_type": "DEV1-S", "image": image, **body})[
        "server"
    ]
