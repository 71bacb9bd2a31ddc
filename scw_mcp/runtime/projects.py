"""A projects allowlist, as the API sees it: where each resource a call touches belongs.

Under `projects:` (runtime/policy.py), a call may only touch resources of the listed projects.
What a call touches is named by ids: in its URL (`server_id`), in its body (`gateway_id`,
`ip_ids`, a nested `snapshot_id`, Instance's bare `security_group`), and what it reads comes
back with a project. Each is placed by reading it with the SDK's getters: the resource's own
`project`/`project_id`, else its parent's, up to two steps (a registry tag -> its image -> its
namespace). Getters are found by name (`<prefix>_get_<resource>`), among the operations a
hand-written tool performs, or in data/references.yaml where the name does not say.

- A write fails closed: it is refused when it acts on an existing resource (ids in its URL) of
  which none can be placed, when any id it holds is placed outside the list, and, for a
  destructive one, when an id in its body cannot be placed (those are what it destroys).
- A read that can filter by project and names none reads an allowed one; a read under a parent
  (`k8s_list_pools` of a cluster) is refused when the parent is placed outside the list; what a
  read returns of another project stays out of its result (items placed by their parents too).
- A public resource (an image) and an organization-wide one (an IAM user: no project, no parent
  that has one) belong to no project and pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scw_mcp.safety import DESTRUCTIVE, READ

from .context import CallContext
from .convert import to_json
from .errors import ToolFailure
from .localities import region_of
from .operation import Operation
from .preview import project_of
from .results import is_list
from .sdk import name_prefix, readers_of, references

PUBLIC = "(public)"  # a public resource (an image): anyone may use it, whoever owns it
NO_PROJECT = "(no project)"  # read, and belongs to no project: an organization-wide resource (an IAM user)
MAX_IDS = 20  # ids of one list a write may hold under an allowlist (each is one read)
_NOT_IDS = frozenset({"project_id", "organization_id", "zone", "region"})


def fields(resource: Any) -> dict[str, Any]:
    """A resource's fields as read, unwrapped ({"image": {...}} -> {...}); {} for anything else."""
    if not isinstance(resource, dict):
        return {}
    inner = next((v for v in resource.values() if isinstance(v, dict)), None) if len(resource) == 1 else None
    return inner if inner is not None else resource


@dataclass
class Placement:
    """Places resources for one call (reads are cached per call: a parent named twice is read once)."""

    gate: Any  # runtime.policy.Gate
    catalog: Any  # the SDK catalog (runtime.catalog.Catalog)
    default_project: str | None
    _cache: dict[tuple[str, str, int, bool], Any] = field(default_factory=dict)

    @property
    def allowed(self) -> tuple[str, ...]:
        return tuple(self.gate.policy.projects or ())

    # --- reads that place -----------------------------------------------------------------
    async def _call(self, reader: Operation, ctx: CallContext, given: dict[str, Any]) -> Any:
        """What a read operation returns; None on an API error (not found, forbidden) or an id it refuses."""
        from scaleway_core.api import ScalewayException

        try:
            return to_json(await reader.executor.call(reader, ctx, given))
        except (ScalewayException, ToolFailure):
            return None

    def _outside_first(self, projects: list[Any]) -> Any:
        """Of the projects found, one outside the list if any (it decides a refusal), else the first."""
        real = [p for p in projects if p not in (None, PUBLIC, NO_PROJECT)]
        return next((p for p in real if p not in self.allowed), real[0] if real else None)

    async def _read(self, getter: Operation, ctx: CallContext, arguments: dict[str, Any], key: str, value: str) -> Any:
        """What a getter reads of `key=value` (with the call's zone/region, nothing else of the call:
        no runner option such as `wait`); None when it cannot (a missing id, an API error)."""
        ids = [p for p in getter.path_params if p not in _NOT_IDS]
        target = key if key in ids else (ids[-1] if ids else key)  # a rule's getter: the rule id, not the group's
        given = {k: arguments[k] for k in ("zone", "region", *ids) if arguments.get(k) is not None}
        given[target] = value
        params = getter.schema.get("properties", {})
        if "region" in params and "region" not in given and given.get("zone"):
            given["region"] = region_of(given["zone"])  # a zoned call's regional reference
        given = {k: v for k, v in given.items() if k in params}
        if not set(getter.schema.get("required", [])) <= set(given):
            return None
        return await self._call(getter, ctx, given)

    async def place_id(
        self,
        op: Operation,
        ctx: CallContext,
        arguments: dict[str, Any],
        key: str,
        value: str,
        up: int = 2,
        public: bool = True,
    ) -> Any:
        """The project of what `key=value` names: a project id, PUBLIC, NO_PROJECT (read, belongs to no
        project: organization-wide), or None (no getter reads it)."""
        for getter in readers_of(self.catalog, op, key):
            cached = (getter.name, value, up, public)
            if cached not in self._cache:
                read = await self._read(getter, ctx, arguments, key, value)
                self._cache[cached] = None if read is None else await self.place(op, ctx, arguments, read, up, public)
            if self._cache[cached] is not None:
                return self._cache[cached]
        return await self._place_listed(op, ctx, arguments, key, value)

    async def _place_listed(
        self, op: Operation, ctx: CallContext, arguments: dict[str, Any], key: str, value: str
    ) -> Any:
        """What no getter reads but a listing filters by (a DNS zone: `domain_list_dns_zones(dns_zone=)`):
        the project of what it lists, one outside the list first."""
        name = key.removesuffix("_ids").removesuffix("_id")
        lister = self.catalog.get(f"{name_prefix(op)}_list_{name}s")
        if lister is None or lister.safety != READ or not lister.list_key or key not in lister.schema["properties"]:
            return None
        given = {k: arguments[k] for k in ("zone", "region") if arguments.get(k) and k in lister.schema["properties"]}
        listed = await self._call(lister, ctx, {**given, key: value})
        return self._outside_first([project_of(item) for item in (listed or {}).get(lister.list_key) or []])

    async def place(
        self,
        op: Operation,
        ctx: CallContext,
        arguments: dict[str, Any],
        resource: Any,
        up: int = 2,
        public: bool = True,
    ) -> Any:
        """The project of a resource as read (PUBLIC for a public one, anyone may use it, unless `public`
        is False: what a write changes is its owner's), else of the parents its `*_id` fields name (at
        most `up` steps; one outside the list wins), else NO_PROJECT."""
        data = fields(resource)
        if public and data.get("public") is True:
            return PUBLIC
        found = project_of(resource)
        if found is not None:
            return found
        placed = []
        where = {k: data[k] for k in ("zone", "region") if isinstance(data.get(k), str)}  # a listed item's own
        for key, value in ids_in(data, top_level_only=True) if up > 0 else ():
            placed.append(await self.place_id(op, ctx, {**arguments, **where}, key, value, up - 1))
            if placed[-1] not in (None, PUBLIC, NO_PROJECT, *self.allowed):
                break  # one outside the list decides: no need to read further parents
        return self._outside_first(placed) or NO_PROJECT

    def _check(self, op: Operation, project: Any, what: str) -> None:
        if project not in (None, PUBLIC, NO_PROJECT):
            self.gate.check_project(op, project, what=what)

    # --- writes -------------------------------------------------------------------------
    async def check_write(self, op: Operation, ctx: CallContext, arguments: dict[str, Any], state: Any) -> None:
        """Every id a write holds, placed: none outside the list; an existing target placed somewhere."""
        if not self.allowed:
            return
        path_ids = [(p, arguments[p]) for p in op.path_params if p not in _NOT_IDS and arguments.get(p)]
        if "project_id" in op.path_params and arguments.get("project_id"):  # a project's own call
            self._check(op, arguments["project_id"], f"project_id={arguments['project_id']}")
            path_ids = []
        # what it changes is placed by its owner (a public image is still someone's), and must be placed
        placed_any = False
        if state is not None:  # the previewed target, as read for the preview: not read again
            project = await self.place(op, ctx, arguments, state, public=False)
            self._check(op, project, "what it acts on")
            placed_any = project in self.allowed
            path_ids = [(k, v) for k, v in path_ids if not (placed_any and fields(state).get("id") == v)]
        for key, value in path_ids:
            project = await self.place_id(op, ctx, arguments, key, value, public=False)
            self._check(op, project, f"{key}={value}")
            placed_any = placed_any or project in self.allowed
        if path_ids and not placed_any:
            raise self.gate.refuse(
                f"{op.name} acts on {', '.join(f'{k}={v}' for k, v in path_ids)}, whose project could not be "
                f"read, and only projects {', '.join(self.allowed)} are allowed."
            )
        body = [(k, v) for k, v in ids_in(arguments) if k not in op.path_params]
        lists: dict[str, int] = {}
        for key, _ in body:
            lists[key] = lists.get(key, 0) + 1
        crowded = [k for k, n in lists.items() if n > MAX_IDS]
        if crowded:
            raise self.gate.refuse(
                f"{op.name} holds more than {MAX_IDS} ids in {', '.join(crowded)}; under a projects allowlist each "
                f"is checked, so send at most {MAX_IDS} per call."
            )
        for key, value in body:
            project = await self.place_id(op, ctx, arguments, key, value)
            if project in (None, NO_PROJECT) and op.safety == DESTRUCTIVE and _destroyed(op, key):
                raise self.gate.refuse(
                    f"{op.name} destroys {key}={value}, whose project could not be read, and only projects "
                    f"{', '.join(self.allowed)} are allowed."
                )
            self._check(op, project, f"{key}={value}")  # a reference no getter reads (an OS, an offer) passes

    # --- reads --------------------------------------------------------------------------
    def fill_project(self, op: Operation, arguments: dict[str, Any]) -> None:
        """A read that can filter by project and names none reads an allowed one: the configured
        default when allowed, else the only one listed (with several, the call must name one)."""
        if not self.allowed or op.safety != READ:
            return
        props = op.schema.get("properties", {})
        name = next((n for n in ("project_id", "project") if n in props), None)
        if name is None or arguments.get(name) or arguments.get("project_ids"):
            return
        if self.default_project in self.allowed:
            arguments[name] = self.default_project
        elif len(self.allowed) == 1:
            arguments[name] = self.allowed[0]
        else:
            raise self.gate.refuse(
                f"{op.name} would read every project, and only projects {', '.join(self.allowed)} are allowed. "
                f"What to do: name one of them in {name}."
            )

    async def check_read(self, op: Operation, ctx: CallContext, arguments: dict[str, Any]) -> None:
        """A read under a parent (`k8s_list_pools` of a cluster_id) reads the parent first: another
        project's is refused. (The resource a get names is checked on its result: `confine`.)"""
        if not self.allowed or op.safety != READ:
            return
        for key in op.path_params:
            if key in _NOT_IDS or not arguments.get(key):
                continue
            self._check(op, await self.place_id(op, ctx, arguments, key, arguments[key]), f"{key}={arguments[key]}")

    async def confine(self, op: Operation, data: Any, ctx: CallContext, arguments: dict[str, Any]) -> Any:
        """What a read returned of other projects stays out: list items (placed by their parents where
        they name no project), or the whole result of a get."""
        if not self.allowed or op.safety != READ or not isinstance(data, dict):
            return data
        if is_list(data):
            kept = []
            for item in data["items"]:
                project = await self.place(op, ctx, arguments, item)
                if project in (None, PUBLIC, NO_PROJECT) or project in self.allowed:
                    kept.append(item)
            hidden = len(data["items"]) - len(kept)
            if hidden:
                ctx.note(f"{hidden} item(s) of projects outside the allowed ones ({', '.join(self.allowed)}) left out.")
                data = {**data, "items": kept}
            return data
        self._check(op, await self.place(op, ctx, arguments, data), "what it read")
        return data


def ids_in(value: Any, top_level_only: bool = False) -> list[tuple[str, str]]:
    """The (field, id) pairs a call's arguments or a resource hold: `*_id` strings, `*_ids` lists,
    the bare reference fields of data/references.yaml, and (unless top_level_only) the same in
    objects, lists and maps of objects down to four levels, where an `id` is named after the field
    that holds it (`private_network: {id}` -> private_network_id, `volumes: {"1": {id}}` -> volume_id)."""
    bare = {f for table in references().values() for f in table if not f.endswith(("_id", "_ids"))}
    out: list[tuple[str, str]] = []

    def scan(obj: dict[str, Any], holder: str, depth: int) -> None:
        for key, item in obj.items():
            if key in _NOT_IDS:
                continue
            field = f"{holder.removesuffix('s')}_id" if key == "id" and holder else key
            if isinstance(item, str) and item and (field.endswith("_id") or field in bare):
                out.append((field, item))
            elif isinstance(item, list) and field.endswith("_ids"):
                out.extend((field, v) for v in item if isinstance(v, str) and v)
            elif depth < 4 and not top_level_only:
                inner = holder if key.isdigit() else key  # a map keyed by index: {"1": {...}} keeps its field
                for element in item if isinstance(item, list) else [item]:
                    if isinstance(element, dict):
                        scan(element, inner, depth + 1)

    if isinstance(value, dict):
        scan(value, "", 0)
    return out


def _destroyed(op: Operation, key: str) -> bool:
    """Whether a body list names what a destructive call acts on (`security_group_rule_ids`,
    `delete_volume_ids`, the `fips_ids` it detaches): a destructive call's lists of ids are its
    targets; single ids may be mere references (an OS it installs)."""
    return key.endswith("_ids")
