"""A generic, stateful Scaleway API: collections of resources behind the generated route table.

Every route has a kind (from the generator): `create` stores a resource built from the SDK's
type (id, timestamps, defaults, the configured project, the body's fields), `list` filters
and pages a collection, `get`/`update`/`delete` find an item by the path's last parameter,
and `call` (actions, sub-resources) answers with its parent resource or a blank of the type
the SDK expects. Product-specific behaviour (power states, image labels...) lives in
`behaviours.py`; it runs first and may leave the rest to this engine.
"""

from __future__ import annotations

import enum
import re
import secrets
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

from . import shapes
from .table import Route, RouteTable, load_table

_PAGING = ("page", "page_size", "per_page", "order_by", "page_token")
_CREATED = ("created_at", "creation_date")
_UPDATED = ("updated_at", "modification_date")
DEFAULT_PAGE_SIZE = 50


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON value; None -> empty body
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One request, matched to its route."""

    route: Route
    params: dict[str, str]  # path parameters
    query: dict[str, list[str]]
    body: dict[str, Any]
    path: str

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def collection_path(self) -> str:
        return fill(self.route.collection, self.params)


def fill(template: str, params: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: params[m.group(1)], template)


def _singular(path: str) -> str:
    """/vpc/v2/regions/{region}/private-networks -> vpc_private_network (the API's resource name)."""
    parts = [p for p in path.strip("/").split("/") if not p.startswith("{")]
    noun = parts[-1].replace("-", "_")
    noun = noun[:-3] + "y" if noun.endswith("ies") else noun.removesuffix("s")
    return f"{parts[0].replace('-', '_')}_{noun}"


def not_found(collection: str, resource_id: str) -> Reply:
    return Reply(404, {"message": "resource is not found", "resource": _singular(collection),
                       "resource_id": resource_id, "type": "not_found"})


def invalid_arguments(details: list[dict[str, str]]) -> Reply:
    return Reply(400, {"details": details, "message": "invalid argument(s)", "type": "invalid_arguments"})


Behaviour = Callable[["Engine", Call], "Reply | None"]


class Engine:
    def __init__(self, project_id: str, organization_id: str, *, table: RouteTable | None = None,
                 behaviours: dict[tuple[str, str], Behaviour] | None = None, unknown_ids: str = "404") -> None:
        self.table = table or load_table()
        self.project_id = project_id
        self.organization_id = organization_id
        self.behaviours = behaviours or {}
        # "404" answers like the API; "create" makes up a missing item (the route walk test uses it).
        self.unknown_ids = unknown_ids
        self.collections: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.lock = threading.RLock()
        self._steps: dict[int, list[dict[str, Any]]] = {}  # id(item) -> updates applied one per read
        self._resource_of = {r.collection: r.resource for r in self.table.routes if r.kind in ("create", "get")}

    # --- entry point ------------------------------------------------------------------------
    def handle(self, verb: str, path: str, query: dict[str, list[str]], body: Any) -> Reply:
        matched = self.table.match(verb, path)
        if matched is None:
            return Reply(404, {"message": f"no such route: {verb} {path}", "type": "not_found"})
        route, params = matched
        if verb in ("POST", "PUT", "PATCH") and route.request:
            details = shapes.invalid_arguments(body if body is not None else {}, shapes.load(route.request), set(params))
            if details:
                return invalid_arguments(details)
        call = Call(route, params, query, body if isinstance(body, dict) else {}, path)
        with self.lock:
            behaviour = self.behaviours.get((verb, route.path))
            reply = behaviour(self, call) if behaviour else None
            return reply if reply is not None else self.handle_generic(call)

    def handle_generic(self, call: Call) -> Reply:
        """What the route's kind does with no behaviour (behaviours may call it and add to it)."""
        return getattr(self, f"_{call.route.kind}")(call)

    # --- helpers for behaviours -------------------------------------------------------------
    def items(self, collection: str) -> list[dict[str, Any]]:
        return self.collections[collection]

    def find(self, collection: str, value: str, key: str = "id") -> dict[str, Any] | None:
        return next((i for i in self.collections[collection] if str(i.get(key)) == value), None)

    def add(self, collection: str, item: dict[str, Any]) -> dict[str, Any]:
        self.collections[collection].append(item)
        return item

    def remove(self, collection: str, item: dict[str, Any]) -> None:
        self.collections[collection].remove(item)
        self._steps.pop(id(item), None)

    def later(self, item: dict[str, Any], *steps: dict[str, Any]) -> None:
        """Updates the item takes on its next reads, one per read (a resource settling over polls)."""
        self._steps[id(item)] = list(steps)

    def new(self, cls: Any, *, params: dict[str, str] | None = None, body: dict[str, Any] | None = None, **values: Any) -> dict[str, Any]:
        """A fresh resource of an SDK class: blank, the body's fields, defaults, then `values`."""
        item = shapes.skeleton(cls)
        shapes.merge(item, body or {}, cls)
        fields = shapes.hints(cls)
        stamp = shapes.now()
        defaults: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "project_id": self.project_id, "project": self.project_id,
            "organization_id": self.organization_id, "organization": self.organization_id,
            "name": f"{getattr(cls, '__name__', 'item').lower()}-{secrets.token_hex(3)}",
            **{name: stamp for name in _CREATED + _UPDATED},
            **(params or {}),  # zone, region, and parents: cluster_id, instance_id...
        }
        for key, value in defaults.items():
            if key in fields and not item.get(key) and shapes.fits(value, fields[key]):
                item[key] = value
        item.update(values)
        return item

    def read(self, item: dict[str, Any]) -> dict[str, Any]:
        """An item as a GET sees it: one pending step applied."""
        steps = self._steps.get(id(item))
        if steps:
            item.update(steps.pop(0))
            if not steps:
                del self._steps[id(item)]
        return item

    def wrap(self, route: Route, item: Any) -> Any:
        return {route.wrap: item} if route.wrap else item

    def locate(self, collection: str, value: str, key: str = "id") -> tuple[str, dict[str, Any]] | None:
        """Find an item in its collection; by id, also where a nested create put it.

        The API often creates under a parent and reads flat: POST .../clusters/{id}/pools,
        then GET .../pools/{pool_id}. Same product, version, locality and noun is enough.
        """
        item = self.find(collection, value, key)
        if item is not None:
            return collection, item
        if key != "id":
            return None
        scope, noun = collection.split("/")[:5], collection.rsplit("/", 1)[-1]
        for path in list(self.collections):
            if path.split("/")[:5] == scope and path.rsplit("/", 1)[-1] == noun:
                item = self.find(path, value)
                if item is not None:
                    return path, item
        return None

    def lookup(self, call: Call) -> tuple[str, dict[str, Any]] | Reply:
        """The (collection, item) an item route names, or the API's 404."""
        collection = call.collection_path()
        key = call.route.id_field or "id"
        value = call.path.rstrip("/").rsplit("/", 1)[1]
        found = self.locate(collection, value, key)
        if found is None and self.unknown_ids == "create":
            cls = shapes.load(call.route.resource or self._resource_of.get(call.route.collection, ""))
            found = collection, self.add(collection, self.new(cls, params=call.params, **{key: value}))
        return found if found is not None else not_found(call.route.collection, value)

    # --- generic kinds ----------------------------------------------------------------------
    def create(self, call: Call, **values: Any) -> dict[str, Any]:
        cls = shapes.load(call.route.resource)
        return self.add(call.collection_path(), self.new(cls, params=call.params, body=call.body, **values))

    def _create(self, call: Call) -> Reply:
        return Reply(200, self.wrap(call.route, self.create(call)))

    def _list(self, call: Call) -> Reply:
        return self.list(call)

    def list(self, call: Call, keep: Callable[[dict[str, Any]], bool] | None = None) -> Reply:
        """A page of the collection, filtered by the query (and `keep`, for behaviours)."""
        items = [self.read(i) for i in self.collections[call.collection_path()]
                 if _matches(i, call.query) and (keep is None or keep(i))]
        size = int(call.arg("page_size") or call.arg("per_page") or DEFAULT_PAGE_SIZE)
        page = int(call.arg("page") or 1)
        chosen = items[(page - 1) * size : page * size]
        cls = shapes.load(call.route.response)
        key = call.route.list_key or ""
        response = shapes.skeleton(cls)
        if isinstance(response.get(key), dict):  # a few lists are maps (instance products/servers)
            response[key] = {str(i.get("name") or i.get("id")): i for i in chosen}
        else:
            response[key] = chosen
        if "total_count" in response:
            response["total_count"] = len(items)
        return Reply(200, response, {"X-Total-Count": str(len(items))})

    def _get(self, call: Call) -> Reply:
        found = self.lookup(call)
        return found if isinstance(found, Reply) else Reply(200, self.wrap(call.route, self.read(found[1])))

    def _update(self, call: Call) -> Reply:
        found = self.lookup(call)
        if isinstance(found, Reply):
            return found
        item = found[1]
        shapes.merge(item, call.body, shapes.load(call.route.resource))
        for key in _UPDATED:
            if key in item:
                item[key] = shapes.now()
        return Reply(200, self.wrap(call.route, item))

    def _delete(self, call: Call) -> Reply:
        found = self.lookup(call)
        if isinstance(found, Reply):
            return found
        collection, item = found
        self.remove(collection, item)
        if not call.route.response:
            return Reply(204)
        status = shapes.hints(shapes.load(call.route.resource)).get("status")
        if status is not None and "deleting" in _enum_values(status):  # what the API answers
            item["status"] = "deleting"
        return Reply(200, self.wrap(call.route, item))

    def _call(self, call: Call) -> Reply:
        """Actions and sub-resources: the parent resource when that is what the SDK expects."""
        parent = self.parent(call)
        if isinstance(parent, Reply):
            return parent
        if not call.route.response:
            return Reply(204)
        if parent is not None and parent[1] == call.route.resource:
            item = parent[0]
            shapes.merge(item, call.body, shapes.load(call.route.resource))
            return Reply(200, self.wrap(call.route, self.read(item)))
        cls = shapes.load(call.route.resource)
        response = self.new(cls, params=call.params, body=call.body) if cls is not None else {}
        return Reply(200, self.wrap(call.route, response))

    def parent_item(self, call: Call) -> dict[str, Any] | Reply:
        """For behaviours of routes under an item (/servers/{server_id}/action): it, or its 404."""
        found = self.parent(call)
        if found is None:
            raise LookupError(f"{call.route.path} has no parent resource")
        return found if isinstance(found, Reply) else found[0]

    def parent(self, call: Call) -> tuple[dict[str, Any], str] | Reply | None:
        """The nearest resource the path names: (item, its class), its 404, or None (no parent)."""
        segments = call.route.path.strip("/").split("/")
        for end in range(len(segments) - 1, 0, -1):
            if not segments[end - 1].startswith("{"):
                continue
            collection = "/" + "/".join(segments[: end - 1])
            key = self.table.id_fields.get(collection)
            if key is None:
                continue
            value = call.params[segments[end - 1][1:-1]]
            cls = self._resource_of.get(collection, "")
            found = self.locate(fill(collection, call.params), value, key)
            if found is None and self.unknown_ids == "create":
                found = "", self.add(fill(collection, call.params), self.new(shapes.load(cls), params=call.params, **{key: value}))
            if found is None:
                return not_found(collection, value)
            return found[1], cls
        return None


def _enum_values(hint: Any) -> list[str]:
    cls, _ = shapes.unwrap(hint)
    return [str(m.value) for m in cls] if isinstance(cls, type) and issubclass(cls, enum.Enum) else []


def _matches(item: dict[str, Any], query: dict[str, list[str]]) -> bool:
    """List filters: name is a substring, tags must all be present, other fields must be equal."""
    for key, values in query.items():
        if key in _PAGING or key not in item or not values:
            continue
        have = item[key]
        if key == "name":
            if values[0].lower() not in str(have or "").lower():
                return False
        elif key == "tags":
            wanted = [t for v in values for t in v.split(",") if t]
            if not all(t in (have or []) for t in wanted):
                return False
        elif isinstance(have, bool):
            if values[0].lower() != str(have).lower():
                return False
        elif isinstance(have, (str, int)) and str(have) != values[0]:
            return False
    return True
