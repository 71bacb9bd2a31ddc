"""A generic, stateful Scaleway API: collections of resources behind the generated route table.

Every route has a kind (from the generator): `create` stores a resource built from the SDK's
type (id, timestamps, defaults, the configured project, the body's fields), `list` filters
and pages a collection, `get`/`update`/`delete` find an item by the path's last parameter,
and `call` (actions, sub-resources) answers with its parent resource or a blank of the type
the SDK expects. The tables of `data/sandbox_rules.yaml` (`rules.py`) apply to every route:
404 names, references checked before acting, parents of nested routes, deleting periods,
cascades and counters. Product-specific behaviour (power states, IPAM addresses, DNS records...)
lives in `behaviours/`; it runs first and may leave the rest to this engine.
"""

from __future__ import annotations

import enum
import re
import secrets
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import shapes
from .rules import Related, Rules, load_rules
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
    token: str | None = None  # the X-Auth-Token (the caller's secret key), if any
    # The nearest resource the path names, (collection, item, its class): set by Engine.check
    # for list, create and call routes (it answers the 404 of a missing one).
    parent: tuple[str, dict[str, Any], str] | None = None

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def collection_path(self) -> str:
        return fill(self.route.collection, self.params)


def region_of(zone: str) -> str:
    """fr-par-1 -> fr-par."""
    return zone.rsplit("-", 1)[0]


def fill(template: str, params: dict[str, str]) -> str:
    """A path template with its parameters; {region} of a zoned path is its zone's region."""

    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        return params[name] if name in params or name != "region" else region_of(params["zone"])

    return re.sub(r"\{(\w+)\}", value, template)


def resource_name(collection: str) -> str:
    """The 404's `resource` by default: the singular noun, instance_-prefixed for the Instance API."""
    parts = [p for p in collection.strip("/").split("/") if not p.startswith("{")]
    noun = parts[-1].replace("-", "_")
    noun = noun[:-3] + "y" if noun.endswith("ies") else noun.removesuffix("s")
    return f"instance_{noun}" if parts[0] == "instance" else noun


def _not_found_reply(collection: str, resource_id: str, rules: Rules) -> Reply:
    named = rules.not_found.get(collection, resource_name(collection))
    if isinstance(named, dict):  # an API without the standard error shape
        return Reply(404, dict(named))
    return Reply(
        404, {"message": "resource is not found", "resource": named, "resource_id": resource_id, "type": "not_found"}
    )


def invalid_arguments(details: list[dict[str, str]]) -> Reply:
    return Reply(400, {"details": details, "message": "invalid argument(s)", "type": "invalid_arguments"})


Behaviour = Callable[["Engine", Call], "Reply | None"]
Remover = Callable[["Engine", str, dict[str, Any]], None]  # (engine, collection, item) once it is gone

# What the API answers a request signed with a key that does not exist (cli cassettes).
DENIED = {
    "message": "authentication is denied",
    "method": "api_key",
    "reason": "not_found",
    "type": "denied_authentication",
}


class Engine:
    def __init__(
        self,
        project_id: str,
        organization_id: str,
        *,
        table: RouteTable | None = None,
        behaviours: dict[tuple[str, str], Behaviour] | None = None,
        on_remove: dict[str, Remover] | None = None,
        rules: Rules | None = None,
        unknown_ids: str = "404",
    ) -> None:
        self.table = table or load_table()
        self.rules = rules or load_rules()
        self.project_id = project_id
        self.organization_id = organization_id
        self.behaviours = behaviours or {}
        self.on_remove = on_remove or {}  # collection template -> what else goes with a removed item
        # "404" answers like the API; "create" makes up a missing item (the route walk test uses it).
        self.unknown_ids = unknown_ids
        self.collections: dict[str, list[dict[str, Any]]] = defaultdict(list)
        # Secret keys of the live API keys (access key -> secret). Once the seed has given the
        # engine its credentials, a request whose token is none of them is refused like the API
        # refuses a deleted key (requests without a token are let through: the route tests).
        self.secrets: dict[str, str] = {}
        self.authenticating = False
        self.scratch: dict[str, Any] = {}  # behaviours' own state, that no route shows
        self.lock = threading.RLock()
        self._steps: dict[int, list[dict[str, Any]]] = {}  # id(item) -> updates applied one per read
        self._doomed: dict[int, list[Any]] = {}  # id(item) -> [collection, item, reads left] (deleting)
        self._templates: dict[str, str] = {}
        self._resource_of = {r.collection: r.resource for r in self.table.routes if r.kind in ("create", "get")}

    # --- entry point ------------------------------------------------------------------------
    def handle(self, verb: str, path: str, query: dict[str, list[str]], body: Any, token: str | None = None) -> Reply:
        matched = self.table.match(verb, path)
        if matched is None:
            return Reply(404, {"message": f"no such route: {verb} {path}", "type": "not_found"})
        route, params = matched
        if token is not None and self.authenticating and token not in self.secrets.values():
            return Reply(401, dict(DENIED))
        if verb in ("POST", "PUT", "PATCH") and route.request:
            details = shapes.invalid_arguments(
                body if body is not None else {}, shapes.load(route.request), set(params)
            )
            if details:
                return invalid_arguments(details)
        call = Call(route, params, query, body if isinstance(body, dict) else {}, path, token)
        with self.lock:
            self._sweep()
            checked = self.check(call)
            if checked is not None:
                return checked
            behaviour = self.behaviours.get((verb, route.path))
            reply = behaviour(self, call) if behaviour else None
            return reply if reply is not None else self.handle_generic(call)

    def check(self, call: Call) -> Reply | None:
        """What the API refuses before acting: a missing parent (nested routes), a missing reference.
        Sets call.parent, for the routes that work on it."""
        if call.route.kind in ("list", "create", "call"):
            parent = self.parent(call)
            if isinstance(parent, Reply):
                return parent
            call.parent = parent
        for name, target in self.rules.references.get(f"{call.route.verb} {call.route.path}", {}).items():
            for value in _values(call.body, name):
                found = self.fetch(target, call.params, value)
                if isinstance(found, Reply):
                    return found
        return None

    def handle_generic(self, call: Call) -> Reply:
        """What the route's kind does with no behaviour (behaviours may call it and add to it)."""
        return getattr(self, f"_{call.route.kind}")(call)

    # --- helpers for behaviours -------------------------------------------------------------
    def store(self, collection: str) -> str:
        """Where a collection is kept (two API versions may share one: rules `storage`)."""
        for prefix, shared in self.rules.storage.items():
            if collection.startswith(prefix):
                return shared + collection[len(prefix) :]
        return collection

    def template_of(self, collection: str) -> str:
        """/k8s/v1/regions/fr-par/clusters/ID/pools -> /k8s/v1/regions/{region}/clusters/{cluster_id}/pools."""
        collection = self.store(collection)
        found = self._templates.get(collection)
        if found is None:
            matched = self.table.match("GET", collection) or self.table.match("POST", collection)
            found = self._templates[collection] = matched[0].path if matched else collection
        return found

    def key_of(self, collection: str, item: dict[str, Any]) -> str:
        """How the API addresses an item of a collection: its id, or the fields of rules `keys`."""
        fields = self.rules.keys.get(self.template_of(collection))
        if fields is None:
            return str(item.get("id"))
        return ".".join(str(item.get(f)) for f in fields if item.get(f))

    def not_found(self, collection: str, resource_id: str) -> Reply:
        return _not_found_reply(collection, resource_id, self.rules)

    def items(self, collection: str) -> list[dict[str, Any]]:
        return self.collections[self.store(collection)]

    def find(self, collection: str, value: str, key: str = "id") -> dict[str, Any] | None:
        if key == "id" and self.template_of(collection) in self.rules.keys:
            return next((i for i in self.items(collection) if self.key_of(collection, i) == value), None)
        return next((i for i in self.items(collection) if str(i.get(key)) == value), None)

    def add(self, collection: str, item: dict[str, Any]) -> dict[str, Any]:
        self.items(collection).append(item)
        return item

    def remove(self, collection: str, item: dict[str, Any]) -> None:
        """Remove an item now, with what goes with it (rules `cascades`, then `on_remove` hooks)."""
        items = self.items(collection)
        if item in items:
            items.remove(item)
        self._steps.pop(id(item), None)
        self._doomed.pop(id(item), None)
        template = self.template_of(collection)
        related = self.rules.cascades.get(template)
        if related is not None:
            for child_collection, child in self.related(collection, item, related):
                self.remove(child_collection, child)
        hook = self.on_remove.get(template)
        if hook is not None:
            hook(self, collection, item)

    def related(self, collection: str, item: dict[str, Any], related: Related) -> list[tuple[str, dict[str, Any]]]:
        """The items nested under an item, and those of sibling collections naming it."""
        found = []
        for noun in related.nested:
            child = f"{self.store(collection)}/{self.key_of(collection, item)}/{noun}"
            found += [(child, i) for i in self.items(child)]
        for noun, field_name in related.linked:
            sibling = f"{self.store(collection).rsplit('/', 1)[0]}/{noun}"
            found += [(sibling, i) for i in self.items(sibling) if i.get(field_name) == item.get("id")]
        return found

    def delete(self, collection: str, item: dict[str, Any]) -> None:
        """Delete as the API does: at once, or through its deleting state (rules `deleting`)."""
        rule = self.rules.deleting.get(self.template_of(collection))
        if rule is None or self.unknown_ids == "create":
            return self.remove(collection, item)
        self._steps.pop(id(item), None)  # a pending "ready" must not undo the delete
        item[rule.field] = rule.value
        self._doomed[id(item)] = [collection, item, rule.reads]

    def _sweep(self) -> None:
        """Items whose deleting period is over are gone."""
        for collection, item, reads in list(self._doomed.values()):
            if reads <= 0:
                self.remove(collection, item)

    def later(self, item: dict[str, Any], *steps: dict[str, Any]) -> None:
        """Updates the item takes on its next reads, one per read (a resource settling over polls)."""
        self._steps[id(item)] = list(steps)

    def new(
        self, cls: Any, *, params: dict[str, str] | None = None, body: dict[str, Any] | None = None, **values: Any
    ) -> dict[str, Any]:
        """A fresh resource of an SDK class: blank, the body's fields, defaults, then `values`."""
        item = shapes.skeleton(cls)
        shapes.merge(item, body or {}, cls)
        fields = shapes.hints(cls)
        stamp = shapes.now()
        defaults: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "project_id": self.project_id,
            "project": self.project_id,
            "organization_id": self.organization_id,
            "organization": self.organization_id,
            "name": f"{getattr(cls, '__name__', 'item').lower()}-{secrets.token_hex(3)}",
            **{name: stamp for name in _CREATED + _UPDATED},
            **(params or {}),  # zone, region, and parents: cluster_id, instance_id...
        }
        for key, value in defaults.items():
            if key in fields and not item.get(key) and shapes.fits(value, fields[key]):
                item[key] = value
        item.update(values)
        return item

    def read(self, item: dict[str, Any], collection: str | None = None) -> dict[str, Any]:
        """An item as a GET sees it: one pending step applied, counters of its collection computed."""
        steps = self._steps.get(id(item))
        if steps:
            item.update(steps.pop(0))
            if not steps:
                del self._steps[id(item)]
        doomed = self._doomed.get(id(item))
        if doomed is not None:
            doomed[2] -= 1
        if collection is not None:
            for name, counter in self.rules.counters.get(self.template_of(collection), {}).items():
                children = [i for _, i in self.related(collection, item, counter.related)]
                item[name] = sum(i.get(counter.sum) or 0 for i in children) if counter.sum else len(children)
        return item

    def wrap(self, route: Route, item: Any) -> Any:
        return {route.wrap: item} if route.wrap else item

    def locate(self, collection: str, value: str, key: str = "id") -> tuple[str, dict[str, Any]] | None:
        """Find an item in its collection; by id, also where a nested create put it.

        The API often creates under a parent and reads flat: POST .../clusters/{id}/pools,
        then GET .../pools/{pool_id}. Same product, version, locality and noun is enough.
        """
        collection = self.store(collection)
        item = self.find(collection, value, key)
        if item is not None:
            return collection, item
        if key != "id":
            return None
        scope, noun = collection.split("/")[:5], collection.rsplit("/", 1)[-1]
        for path in [p for p in self.collections if self.collections[p]]:
            if path.split("/")[:5] == scope and path.rsplit("/", 1)[-1] == noun:
                item = self.find(path, value)
                if item is not None:
                    return path, item
        return None

    def lookup(self, call: Call) -> tuple[str, dict[str, Any]] | Reply:
        """The (collection, item) an item route names, or the API's 404."""
        value = call.path.rstrip("/").rsplit("/", 1)[1]
        return self.fetch(call.route.collection, call.params, value, call.route.id_field or "id", call.route.resource)

    def fetch(
        self, template: str, params: dict[str, str], value: str, key: str = "id", resource: str = ""
    ) -> tuple[str, dict[str, Any]] | Reply:
        """The (collection, item) of a collection template with this key, or the API's 404
        (with unknown_ids="create", a made-up item)."""
        collection = fill(template, params)
        found = self.locate(collection, value, key)
        if found is None and self.unknown_ids == "create":
            cls = shapes.load(self._resource_of.get(template) or resource)
            made_up = self.new(cls, params=params, **self._made_up_key(collection, key, value))
            found = collection, self.add(collection, made_up)
        return found if found is not None else self.not_found(template, value)

    def _made_up_key(self, collection: str, key: str, value: str) -> dict[str, str]:
        fields = self.rules.keys.get(self.template_of(collection))
        return {fields[0]: value} if fields else {key: value}

    # --- generic kinds ----------------------------------------------------------------------
    def create(self, call: Call, **values: Any) -> dict[str, Any]:
        cls = shapes.load(call.route.resource)
        return self.add(call.collection_path(), self.new(cls, params=call.params, body=call.body, **values))

    def _create(self, call: Call) -> Reply:
        return Reply(200, self.wrap(call.route, self.create(call)))

    def _list(self, call: Call) -> Reply:
        return self.list(call)

    def list(
        self, call: Call, keep: Callable[[dict[str, Any]], bool] | None = None, collection: str | None = None
    ) -> Reply:
        """A page of the collection, filtered by the query (and `keep`, for behaviours)."""
        collection = collection or call.collection_path()
        items = [
            self.read(i, collection)
            for i in list(self.items(collection))
            if _matches(i, call.query) and (keep is None or keep(i))
        ]
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
        return found if isinstance(found, Reply) else Reply(200, self.wrap(call.route, self.read(found[1], found[0])))

    def _update(self, call: Call) -> Reply:
        found = self.lookup(call)
        if isinstance(found, Reply):
            return found
        item = found[1]
        shapes.merge(item, call.body, shapes.load(call.route.resource))
        for key in _UPDATED:
            if key in item:
                item[key] = shapes.now()
        return Reply(200, self.wrap(call.route, self.read(item, found[0])))

    def _delete(self, call: Call) -> Reply:
        found = self.lookup(call)
        if isinstance(found, Reply):
            return found
        collection, item = found
        self.delete(collection, item)
        if not call.route.response:
            return Reply(204)
        status = shapes.hints(shapes.load(call.route.resource)).get("status")
        if status is not None and "deleting" in _enum_values(status):  # what the API answers
            item["status"] = "deleting"
        return Reply(200, self.wrap(call.route, item))

    def _call(self, call: Call) -> Reply:
        """Actions and sub-resources: the parent resource when that is what the SDK expects."""
        parent = call.parent
        if not call.route.response:
            return Reply(204)
        if parent is not None and parent[2] == call.route.resource:
            collection, item, _ = parent
            shapes.merge(item, call.body, shapes.load(call.route.resource))
            return Reply(200, self.wrap(call.route, self.read(item, collection)))
        cls = shapes.load(call.route.resource)
        response = self.new(cls, params=call.params, body=call.body) if cls is not None else {}
        return Reply(200, self.wrap(call.route, response))

    def parent_item(self, call: Call) -> dict[str, Any]:
        """For behaviours of create and call routes under an item (/servers/{server_id}/action):
        the item (check() has answered the 404 of a missing one)."""
        if call.parent is None:
            raise LookupError(f"{call.route.path} has no parent resource")
        return call.parent[1]

    def parent(self, call: Call) -> tuple[str, dict[str, Any], str] | Reply | None:
        """The nearest resource the path names: (collection, item, its class), its 404, or None."""
        segments = call.route.path.strip("/").split("/")
        for end in range(len(segments) - 1, 0, -1):
            if not segments[end - 1].startswith("{"):
                continue
            collection = "/" + "/".join(segments[: end - 1])
            key = self.table.id_fields.get(collection)
            if key is None:
                continue
            value = call.params[segments[end - 1][1:-1]]
            found = self.fetch(collection, call.params, value, key)
            if isinstance(found, Reply):
                return found
            return found[0], found[1], self._resource_of.get(collection, "")
        return None


def _values(body: Any, name: str) -> list[str]:
    """The ids a body names at `a.b` (nested) or `a[]` (a list of ids)."""
    head, _, rest = name.partition(".")
    many = head.endswith("[]")
    value = body.get(head.removesuffix("[]")) if isinstance(body, dict) else None
    if rest:
        return _values(value, rest)
    values = value if many and isinstance(value, list) else [value]
    return [str(v) for v in values if isinstance(v, str) and v]


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
