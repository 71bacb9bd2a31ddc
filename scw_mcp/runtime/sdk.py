"""How a generated operation runs: its generated function calls the SDK method in a worker thread.

The preview of a generated destructive operation is the resource it targets, read with its
`get_*` twin, or found in its `list_*` twin's first page where the API has no getter.
"""

from __future__ import annotations

import keyword
from functools import cache
from importlib import resources
from typing import Any

from scw_mcp.safety import READ

from . import options, waiting
from .convert import to_json
from .errors import describe
from .operation import Operation, load_object
from .results import as_object, items_field, list_page
from .validation import check_path_params


def python_kwargs(arguments: dict[str, Any]) -> dict[str, Any]:
    """Wire names -> the SDK's Python names (`type` -> `type_`)."""
    return {(f"{k}_" if keyword.iskeyword(k) else k): v for k, v in arguments.items()}


def param_wire(name: str) -> str:
    """The SDK's Python name of a parameter -> its wire name (`type_` -> `type`)."""
    return name[:-1] if name.endswith("_") and keyword.iskeyword(name[:-1]) else name


def page_size_param(op: Operation) -> str:
    """The SDK names the page size per_page or page_size depending on the product."""
    return "page_size" if "page_size" in op.schema.get("properties", {}) else "per_page"


def _dig(data: Any, path: str) -> Any:
    for part in path.split(".") if path else []:
        data = data.get(part) if isinstance(data, dict) else getattr(data, part, None)
    return data


class SdkExecutor:
    """Runs `scw_mcp.generated.<module>.OPERATIONS[name]`."""

    def __init__(self, module: str, catalog: Any):
        self.module = module
        self.catalog = catalog  # the SDK catalog it belongs to: where its get/list twins are

    def function(self, op: Operation) -> tuple[type, Any]:
        """(API class, generated call function); imports the product module on first use."""
        return load_object(f"scw_mcp.generated.{self.module}:OPERATIONS")[op.name]

    async def call(self, op: Operation, ctx: Any, arguments: dict[str, Any]) -> Any:
        """The SDK's own result (typed objects). Every SDK call passes here (a call, a preview's read,
        a hand-written tool's steps), so the ids going into its URL are checked here too."""
        check_path_params(op.name, op.path_params, arguments)
        api_class, function = self.function(op)
        return await ctx.run(function, ctx.api(api_class), **python_kwargs(arguments))

    async def execute(self, op: Operation, ctx: Any, arguments: dict[str, Any]) -> Any:
        arguments = dict(arguments)
        wait = op.extra.get("wait") and arguments.pop(options.WAIT, False)
        seconds = (
            arguments.pop(options.WAIT_SECONDS, None) if "wait" in op.extra else None
        ) or options.WAIT_DEFAULT_SECONDS
        if wait and op.safety == READ:  # a get that waits: its first poll is the read itself
            result = await self._wait(op, ctx, arguments, None, seconds)
        else:
            result = await self.call(op, ctx, arguments)
            if wait:
                made = _created(op, result)
                if made:
                    ctx.made(made)  # if the wait fails, the error names it
                result = await self._wait(op, ctx, arguments, result, seconds)
        data = to_json(result)
        if isinstance(data, dict) and op.paging:
            key = op.list_key or items_field(data)
            if key:
                return list_page(data, key, op.paging, arguments.get("page"), arguments.get(page_size_param(op)))
        return as_object(data)

    async def _wait(self, op: Operation, ctx: Any, arguments: dict[str, Any], result: Any, seconds: float) -> Any:
        """Poll the resource with the waiter's getter until it leaves its transient states or the deadline."""
        spec = op.extra["wait"]
        kwargs = {}
        for param, source in spec["args"].items():
            kind, _, path = source.partition(":")
            value = arguments.get(param_wire(path)) if kind == "arg" else _dig(result, path)
            if value is not None:
                kwargs[param] = value
        api_class, _ = self.function(op)
        get = getattr(ctx.api(api_class), spec["get"])
        transient = set(spec["transient"])

        async def fetch() -> tuple[Any, str]:
            obj = await ctx.run(get, **kwargs)
            state = _dig(obj, spec["field"])
            return obj, str(getattr(state, "value", state))

        what = spec["method"].removeprefix("wait_for_").replace("_", " ")
        waited = await waiting.poll(ctx, fetch, lambda state: state not in transient, what=what, seconds=seconds)
        if not waited.done:
            getter = self.getter(op, spec["get"])
            again = {param_wire(k): v for k, v in kwargs.items()}
            ctx.waited = waiting.pending(
                waited,
                f"the {what}'s change",
                {"tool": getter or spec["get"], "arguments": {**again, options.WAIT: True}},
            )
        return waited.obj

    def getter(self, op: Operation, method: str) -> str | None:
        """The name of the operation that performs the SDK getter `method` of this operation's class."""
        package, _, path = op.sdk[0].partition(":")
        wanted = f"{package}:{path.rsplit('.', 1)[0]}.{method}"
        named = self.catalog.get(f"{op.namespace}_{method}")  # the usual case: no need to build every operation
        if named is not None and named.sdk and named.sdk[0] == wanted:
            return named.name
        found = [o.name for o in self.catalog.entries.values() if o.sdk and o.sdk[0] == wanted]
        found = found or [
            o.name
            for o in self.catalog.entries.values()
            if o.sdk and o.sdk[0].startswith(package + ":") and o.sdk[0].endswith("." + method)
        ]
        return found[0] if found else None

    async def preview(self, op: Operation, ctx: Any, arguments: dict[str, Any]) -> Any:
        """The targeted resource as it is now (None where nothing can read it)."""
        getter = twin(self.catalog, op, "get", arguments)
        if getter is not None:
            try:
                return to_json(await getter.executor.call(getter, ctx, own_arguments(getter, arguments)))
            except Exception as exc:  # a preview degrades, it does not block the confirmation
                return {"unavailable": describe(exc, ctx.redact)}
        lister = twin(self.catalog, op, "list", arguments)
        if lister is not None and lister.list_key:
            try:
                listing = to_json(await lister.executor.call(lister, ctx, own_arguments(lister, arguments)))
            except Exception as exc:
                return {"unavailable": describe(exc, ctx.redact)}
            return _matching_item(listing.get(lister.list_key) or [], arguments)
        owner = self._owner_getter(op, arguments)
        if owner is not None:  # lb_detach_private_network changes the load balancer its lb_id names
            try:
                return to_json(await owner.executor.call(owner, ctx, own_arguments(owner, arguments)))
            except Exception as exc:
                return {"unavailable": describe(exc, ctx.redact)}
        return None

    def _owner_getter(self, op: Operation, arguments: dict[str, Any]) -> Operation | None:
        """The getter of the resource an id in the URL names, for an operation with no twin of its own:
        what it changes belongs to that resource."""
        for param in reversed(op.path_params):  # the innermost id first: a pool's before its cluster's
            if not param.endswith("_id") or param in ("project_id", "organization_id") or not arguments.get(param):
                continue
            for getter in readers_of(self.catalog, op, param):  # its own API's: what it changes is there
                if getter.name.startswith(f"{name_prefix(op)}_") and set(getter.schema.get("required", [])) <= set(
                    arguments
                ):
                    return getter
        return None


def _created(op: Operation, result: Any) -> str | None:
    """ "server <id>" for what a create_* call returned, else None."""
    method = op.name[len(op.namespace) + 1 :]
    if not method.startswith("create_"):
        return None
    data = to_json(result)
    for item in (data, *(data.values() if isinstance(data, dict) else ())):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            return f"{method.removeprefix('create_').replace('_', ' ')} {item['id']}"
    return None


def own_arguments(op: Operation, arguments: dict[str, Any]) -> dict[str, Any]:
    """The arguments that are parameters of `op` (a twin's, out of another operation's)."""
    params = op.schema.get("properties", {})
    return {k: v for k, v in arguments.items() if k in params}


def name_prefix(op: Operation) -> str:
    """What an operation's name holds before its SDK method: `lb_zoned` for lb_zoned_detach_private_network
    (LbV1ZonedAPI.detach_private_network), `instance_v2alpha1`, else its namespace."""
    method = op.sdk[0].rsplit(".", 1)[-1] if op.sdk else ""
    return op.name.removesuffix(f"_{method}") if method and op.name.endswith(f"_{method}") else op.namespace


@cache
def references() -> dict[str, dict[str, Any]]:
    """data/references.yaml: prefix ("*" for any) -> field -> the getter (or getters) of what it names."""
    import yaml

    text = resources.files("scw_mcp").joinpath("data/references.yaml").read_text(encoding="utf-8")
    return {str(p): dict(table) for p, table in (yaml.safe_load(text) or {}).items()}


def readers_of(catalog: Any, op: Operation, key: str) -> list[Operation]:
    """The read operations that may get what an argument or field `key` of `op` names, best first:
    data/references.yaml where the name does not say (a volume id may be an Instance volume or a
    Block Storage one), `<prefix>_get_<resource>` (and shorter endings: `delete_volume_ids` -> volume),
    then the reads a hand-written tool performs."""
    name = key.removesuffix("_ids").removesuffix("_id")
    prefix = name_prefix(op)
    table = {**references().get("*", {}), **references().get(prefix, {}), **references().get(op.namespace, {})}
    listed = table.get(key) or table.get(name) or []
    parts = name.split("_")
    candidates = [*([listed] if isinstance(listed, str) else listed)]
    candidates += [f"{prefix}_get_{'_'.join(parts[i:])}" for i in range(len(parts))]
    candidates += [p for p in op.performs if p.endswith(f"_get_{name}")]
    found = [catalog.get(c) for c in dict.fromkeys(candidates)]
    return [g for g in found if g is not None and g.safety == READ and g.name != op.name]


def twin(catalog: Any, op: Operation, verb: str, arguments: dict[str, Any]) -> Operation | None:
    """The `get_*` (or `list_*`) operation of the resource an operation targets or creates, if the
    arguments hold what it requires: a destructive call's preview, an ambiguous failure's lookup.
    A method is `{verb}_{resource}`, except `{resource}_action` (instance's `server_action`: it acts
    on the server its `server_id` names)."""
    prefix = name_prefix(op)
    method = op.name[len(prefix) + 1 :]
    if method.endswith("_action"):
        resource = method.removesuffix("_action")
    else:
        _, _, resource = method.partition("_")
    parts = resource.split("_")
    candidates = [resource] + ["_".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]
    candidates += ["_".join(parts[i:]) for i in range(1, len(parts))]
    for candidate in candidates:
        name = f"{prefix}_{verb}_{candidate}" + ("s" if verb == "list" else "")
        found = catalog.get(name)
        # Only a read: a "get" that sends PATCH, or one that returns credentials, must not run
        # before the confirmation (nor be suggested as a harmless lookup).
        if found is not None and found.safety == READ and set(found.schema.get("required", [])) <= set(arguments):
            return found
    return None


def _matching_item(items: list[Any], arguments: dict[str, Any]) -> Any:
    """The listed item an operation's arguments name (by id or name), or None."""
    wanted = {v for k, v in arguments.items() if isinstance(v, str) and (k.endswith("_id") or k in ("name", "id"))}
    for item in items:
        if isinstance(item, dict) and wanted & {item.get("id"), item.get("name")}:
            return item
    return None
