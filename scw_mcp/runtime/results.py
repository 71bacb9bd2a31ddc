"""Shape operation results: list envelopes, compaction, `query`, and an output budget that never drops data.

The result contract (docs/design.md, "Results"): lists return `items`, `total_count` (an integer)
and, when there is more, `next`: the arguments to add to the same call to get exactly the rest.
A result over the byte budget is cut at an item boundary (`next` resumes right after the last
item returned) or, when one object alone is too big, keeps its identity and state and names the
fields it left out (`elided`), with how to get them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .errors import ToolFailure

DEFAULT_BUDGET = 60_000  # bytes of JSON text returned to the model per call
ROOM = 1_200  # bytes kept for what a cut adds (next, hint, elided)

# Kept by compaction and by elision whatever their value: what a resource is and where.
IDENTITY = frozenset({"id", "name", "status", "state", "zone", "region"})
# The keys of a list envelope, kept as they are by compaction.
ENVELOPE = frozenset({"items", "total_count", "page", "next_page", "next_page_token", "next"})


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _size(value: Any) -> int:
    return len(dumps(value).encode())


def _count(value: Any) -> Any:
    """A count as an integer (the SDK copies X-Total-Count, a string, into some results)."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


# --- list envelopes ---------------------------------------------------------------------


def items_field(data: dict[str, Any]) -> str | None:
    """The field holding a paged response's items when the catalog names none (token lists,
    maps keyed by name): the only list, else the only object of objects."""
    lists = [k for k, v in data.items() if isinstance(v, list)]
    if len(lists) == 1:
        return lists[0]
    maps = [k for k, v in data.items() if isinstance(v, dict) and v and all(isinstance(x, dict) for x in v.values())]
    return maps[0] if not lists and len(maps) == 1 else None


def _as_items(value: Any) -> list[Any]:
    """A list as it is; a map keyed by name (instance server types) as items carrying the key."""
    if isinstance(value, dict):
        return [{"name": k, **v} if "name" not in v else {"key": k, **v} for k, v in value.items()]
    return list(value or [])


def list_page(
    data: dict[str, Any], list_key: str, paging: str, page: int | None, per_page: int | None
) -> dict[str, Any]:
    """A list response as items, total_count, and the next page or token to ask for."""
    items = _as_items(data.get(list_key))
    total = _count(data.get("total_count"))
    total = total if isinstance(total, int) else None
    result: dict[str, Any] = {"items": items, "total_count": total if total is not None else len(items)}
    if paging == "page":
        current = page or 1
        size = per_page or 0
        seen = (current - 1) * size + len(items) if size else len(items)
        has_more = total is not None and seen < total and len(items) > 0
        result["page"] = current
        result["next_page"] = current + 1 if has_more else None
    elif paging == "token":
        result["next_page_token"] = data.get("next_page_token") or None
    extra = {k: v for k, v in data.items() if k not in (list_key, "total_count", "next_page_token")}
    if extra:
        result["extra"] = extra
    return with_next(result)


def with_next(result: dict[str, Any]) -> dict[str, Any]:
    """A list envelope with `next` (from next_page / next_page_token) and an integer total_count."""
    out = dict(result)
    if "total_count" in out:
        out["total_count"] = _count(out["total_count"])
    if "next" not in out:
        if out.get("next_page"):
            out["next"] = {"page": out["next_page"]}
        elif out.get("next_page_token"):
            out["next"] = {"page_token": out["next_page_token"]}
    return out


def is_list(result: Any) -> bool:
    return isinstance(result, dict) and isinstance(result.get("items"), list)


def as_object(data: Any) -> dict[str, Any]:
    """Any JSON result as an object: lists become `items`, scalars `result`; counts are integers."""
    if isinstance(data, dict):
        return {**data, "total_count": _count(data["total_count"])} if "total_count" in data else data
    if isinstance(data, list):
        return {"items": data, "total_count": len(data)}
    return {"result": data}


# --- compaction -------------------------------------------------------------------------


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def compact(value: Any, protect: int = 1) -> Any:
    """Without null values and empty strings, lists and objects, at any depth (absent means
    empty). Identity fields (IDENTITY) stay whatever their value in the `protect` outer levels
    of objects: the resource itself (and, for a result such as {"server": {...}}, the one it wraps)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = compact(item, protect - 1)
            if (protect > 0 and key in IDENTITY) or not _empty(item):
                out[key] = item
        return out
    if isinstance(value, list):
        return [compact(item, protect) for item in value]
    return value


def compact_result(result: dict[str, Any], rows_only: bool = False) -> dict[str, Any]:
    """A result compacted; a list envelope's own keys stay as they are. With rows_only (the
    results of hand-written tools), only list items are compacted: the rest is as written."""
    if is_list(result):
        rest = {k: v for k, v in result.items() if k not in ENVELOPE}
        return {
            **{k: v for k, v in result.items() if k in ENVELOPE},
            "items": [compact(item) for item in result["items"]],
            **(rest if rows_only else compact(rest, 2)),
        }
    return result if rows_only else compact(result, 2)


# --- query ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A compiled JMESPath expression (the `query` option)."""

    text: str
    parsed: Any = field(compare=False, repr=False)

    @classmethod
    def compile(cls, text: str, tool: str) -> Query:
        import jmespath
        from jmespath.exceptions import JMESPathError

        try:
            return cls(text, jmespath.compile(text))
        except JMESPathError as exc:
            position = getattr(exc, "lex_position", None)
            where = f" at position {position}" if isinstance(position, int) else ""
            first = str(exc).splitlines()[0].removeprefix("Invalid jmespath expression:").strip().rstrip(":")
            reason = first or "not JMESPath"
            raise ToolFailure(
                f"Invalid arguments for {tool}: query {text!r} is not a valid JMESPath expression{where} ({reason}). "
                "What to do: fix the expression, e.g. items[].{id: id, name: name} or items[?state=='running'].id."
            ) from None

    def apply(self, result: dict[str, Any], tool: str) -> dict[str, Any]:
        """{"result": what the expression selects}, with the list's total_count and next kept beside it."""
        from jmespath.exceptions import JMESPathError

        try:
            value = self.parsed.search(result)
        except JMESPathError as exc:
            raise ToolFailure(
                f"Invalid arguments for {tool}: query {self.text!r} failed on this result: {exc}. "
                "What to do: fix the expression (describe_operation shows the fields)."
            ) from None
        out: dict[str, Any] = {"result": value}
        for key in ("total_count", "next"):
            if key in result:
                out[key] = result[key]
        return out

    def sliced(self, start: int) -> str:
        """The expression that selects what this one does, from element `start` on."""
        return f"({self.text})[{start}:]"


# --- the budget -------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a list result starts, so that a cut can say exactly where to go on."""

    args: dict[str, Any]  # what fetches the page the result starts in: {"page": 2}, {"page_token": ...} or {}
    offset: int = 0  # items of that page before the result's first one
    size: int | None = None  # the page size, when the result spans pages (all_pages)

    def after(self, count: int) -> dict[str, Any]:
        """The arguments that continue right after the first `count` items of the result."""
        position = self.offset + count
        if self.size and "page" in self.args:
            page = self.args["page"] + position // self.size
            position %= self.size
            return {"page": page, "offset": position} if position else {"page": page}
        return {**self.args, "offset": position}


def fit_budget(
    result: Any, budget: int = DEFAULT_BUDGET, cursor: Cursor | None = None, query: Query | None = None
) -> tuple[Any, str]:
    """The result within the budget, and its JSON text (computed once). Nothing is dropped
    without saying exactly how to get it: lists are cut at an item boundary with `next`
    (from `cursor`, else a slice of `query`), objects too big elide their largest fields."""
    text = dumps(result)
    if len(text.encode()) <= budget:
        return result, text
    key = "result" if "result" in result else "items"
    if is_list(result) and cursor is not None:
        cut = _cut_list(result, budget, cursor)
    elif query is not None and isinstance(result.get(key), list) and len(result[key]) > 1:
        cut = _cut_values(result, key, budget, query)
    else:
        cut = elide(result, budget)
    return cut, dumps(cut)


def _largest_prefix(envelope: dict[str, Any], key: str, items: list[Any], budget: int) -> int:
    low, high = 0, len(items)
    while low < high:
        mid = (low + high + 1) // 2
        if _size({**envelope, key: items[:mid]}) <= budget - ROOM:
            low = mid
        else:
            high = mid - 1
    return low


def _cut_list(result: dict[str, Any], budget: int, cursor: Cursor) -> dict[str, Any]:
    items = result["items"]
    envelope = {k: v for k, v in result.items() if k not in ("next", "next_page", "next_page_token")}
    kept = _largest_prefix(envelope, "items", items, budget)
    elided: dict[str, str] = {}
    if kept == 0:  # the first item alone is too big: return it elided
        room = budget - ROOM - _size({**envelope, "items": []})
        items = [_shrink(items[0], room, "items[0]", elided)]
        kept = 1
    cut = {**envelope, "items": items[:kept], "next": cursor.after(kept)}
    more = f" {len(items) - kept} more of this page and" if len(items) > kept else ""
    cut["hint"] = (
        f"Cut to {kept} item(s) to fit {budget} bytes:{more} the rest come with `next` "
        "(add its arguments to the same call)."
    )
    if elided:
        cut["elided"] = elided
        cut["hint"] += " " + _elided_hint(elided)
    return cut


def _cut_values(result: dict[str, Any], key: str, budget: int, query: Query) -> dict[str, Any]:
    """A list selected by a query (or a list without paging) cut; `next` is the query's slice after it."""
    values = result[key]
    envelope = {k: v for k, v in result.items() if k != "next"}
    kept = max(1, _largest_prefix(envelope, key, values, budget))
    cut = {**envelope, key: values[:kept], "next": {"query": query.sliced(kept)}}
    if kept == 1 and _size(cut) > budget:
        return elide(cut, budget)
    cut["hint"] = f"Cut to {kept} of {len(values)} values to fit {budget} bytes: `next` selects the rest."
    if "next" in result:
        cut["then"] = result["next"]  # where the list goes on once the slices are read
    return cut


def elide(result: dict[str, Any], budget: int) -> dict[str, Any]:
    """An object within the budget: its largest fields left out (identity kept), each named in
    `elided` with its size, and how to get them."""
    elided: dict[str, str] = {}
    out = _shrink(result, budget - ROOM, "", elided)
    if elided:
        out = {**out, "elided": elided, "hint": _elided_hint(elided)}
    return out


def _describe(value: Any) -> str:
    size = _size(value)
    amount = f"{size / 1000:.1f} KB" if size >= 1000 else f"{size} B"
    if isinstance(value, list):
        return f"{len(value)} items, {amount}"
    if isinstance(value, dict):
        return f"object of {len(value)} fields, {amount}"
    if isinstance(value, str):
        return f"text, {amount}"
    return amount


def _path(parent: str, key: str) -> str:
    name = key if key.isidentifier() else json.dumps(key)
    return f"{parent}.{name}" if parent else name


def _shrink(value: Any, target: int, path: str, elided: dict[str, str]) -> Any:
    """`value` (an object) with its largest non-identity fields left out until it takes at most
    `target` bytes; objects are shrunk inside rather than dropped whole, so nested ids stay."""
    if not isinstance(value, dict) or _size(value) <= target:
        return value
    out = dict(value)
    for key in sorted((k for k in out if k not in IDENTITY), key=lambda k: _size(out[k]), reverse=True):
        excess = _size(out) - target
        if excess <= 0:
            break
        child = out[key]
        if isinstance(child, dict) and (IDENTITY & set(child) or len(child) <= 50):  # a resource, not a big map
            out[key] = _shrink(child, max(_size(child) - excess, 100), _path(path, key), elided)
            continue
        if isinstance(child, list) and 0 < len(child) <= 20 and all(isinstance(x, dict) for x in child):
            share = max((_size(child) - excess) // len(child), 100)  # a few resources (engine versions): each shrunk
            out[key] = [_shrink(x, share, f"{_path(path, key)}[{i}]", elided) for i, x in enumerate(child)]
            if _size(out) <= target:
                break
            out[key] = child  # shrinking each did not do: the list goes whole
            for name in [p for p in elided if p.startswith(f"{_path(path, key)}[")]:
                del elided[name]
        elided[_path(path, key)] = _describe(child)
        del out[key]
    return out


def _elided_hint(elided: dict[str, str]) -> str:
    first = next(iter(elided))
    example = f"{first}[0:50]" if "items" in elided[first].split(",")[0] else first
    return (
        f"Fields too big for one result were left out (elided: path and size). Get one with the same call and "
        f"query selecting it, a part at a time for a long list (e.g. query {example!r}), or with the get "
        "operation of that resource."
    )
