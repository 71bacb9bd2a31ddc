"""The route table the generator emits (scw_mcp/generated/routes.json), and path matching."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Route:
    verb: str
    path: str  # template: /vpc/v2/regions/{region}/private-networks/{private_network_id}
    operation: str
    kind: str  # list, create, get, update, delete, call
    request: str  # "module:Class" or ""
    response: str
    wrap: str | None
    resource: str
    list_key: str | None
    id_field: str | None

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.path.strip("/").split("/"))

    @property
    def collection(self) -> str:
        """Template of the collection this route works on (items: the path without its last part)."""
        return self.path.rsplit("/", 1)[0] if self.kind in ("get", "update", "delete") else self.path


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


class RouteTable:
    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes
        self._by_shape: dict[tuple[str, int], list[Route]] = defaultdict(list)
        for route in routes:
            self._by_shape[(route.verb, len(route.segments))].append(route)
        # Collection template -> the field its items are looked up by ({server_id} -> id).
        self.id_fields = {r.collection: r.id_field for r in routes if r.id_field}

    def match(self, verb: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route for a request, literal segments winning over parameters."""
        parts = path.strip("/").split("/")
        best: tuple[int, Route, dict[str, str]] | None = None
        for route in self._by_shape.get((verb, len(parts)), ()):
            params: dict[str, str] = {}
            literal = 0
            for template, actual in zip(route.segments, parts, strict=False):
                if _is_param(template):
                    params[template[1:-1]] = actual
                elif template == actual:
                    literal += 1
                else:
                    break
            else:
                if best is None or literal > best[0]:
                    best = (literal, route, params)
        return (best[1], best[2]) if best else None


@lru_cache(maxsize=1)
def load_table() -> RouteTable:
    text = resources.files("scw_mcp.generated").joinpath("routes.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return RouteTable([Route(**r) for r in data["routes"]])
