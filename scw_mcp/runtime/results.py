"""Shape operation results: JSON, list pages, and an output byte budget."""

from __future__ import annotations

import json
from typing import Any

DEFAULT_BUDGET = 60_000  # bytes of JSON text returned to the model per call


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def list_page(data: dict[str, Any], list_key: str, paging: str, page: int | None, per_page: int | None) -> dict[str, Any]:
    """A list response as items, total_count and the next page to ask for."""
    items = data.get(list_key) or []
    total = data.get("total_count")
    try:
        total = int(total) if total is not None else None  # X-Total-Count can arrive as a string
    except (TypeError, ValueError):
        total = None
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
    return result


def as_object(data: Any) -> dict[str, Any]:
    """Any JSON result as an object: lists become `items`, scalars `result`."""
    if isinstance(data, dict):
        return data
    if isinstance(data, list):
        return {"items": data, "total_count": len(data)}
    return {"result": data}


def fit_budget(result: Any, budget: int = DEFAULT_BUDGET) -> tuple[Any, str]:
    """The result cut to the budget, and its JSON text (computed once).

    Lists drop trailing items (with a hint); other values become a truncated preview."""
    text = dumps(result)
    if len(text.encode()) <= budget:
        return result, text
    cut = _cut(result, text, budget)
    return cut, dumps(cut)


def _cut(result: Any, text: str, budget: int) -> Any:
    if isinstance(result, dict) and isinstance(result.get("items"), list):
        items = result["items"]
        low, high = 0, len(items)
        while low < high:  # largest prefix that fits
            mid = (low + high + 1) // 2
            if len(dumps({**result, "items": items[:mid]}).encode()) <= budget - 400:
                low = mid
            else:
                high = mid - 1
        cut = {**result, "items": items[:low], "truncated": True}
        cut["hint"] = (
            f"Output cut to {low} of {len(items)} items to fit {budget} bytes. "
            "Narrow the request (filters such as name, tags, project), or ask for a smaller per_page and page through."
        )
        return cut
    return {
        "truncated": True,
        "preview": text[: budget - 300],
        "hint": f"Output cut to {budget} bytes. Narrow the request (get one resource by id, or filter).",
    }
