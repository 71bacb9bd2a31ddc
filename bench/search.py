"""Search quality: top-1 / top-3 hit rates of search_operations on bench/search_queries.yaml.

Every query runs in process (`load_catalog().search(query, limit=3)`, what the gateway tool
calls); a sample also runs through the real server over stdio (`--toolsets gateway`) to show
both give the same ranking.
"""

from __future__ import annotations

import tempfile
import time
from typing import Any

import anyio
import yaml

from common import BENCH, FAKE_CREDENTIALS, child_stderr_to, clean_env, closed_port, describe, median, scw_mcp_spec, session

QUERIES = BENCH / "search_queries.yaml"
THROUGH_SERVER = 8  # queries also checked through the real server


def load_queries() -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """(queries with their acceptable names, unknown `expect` names, override names not in the catalog yet)."""
    from scw_mcp.runtime.catalog import load_catalog

    catalog = load_catalog()
    data = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]
    unknown, pending = [], []
    products = sorted(catalog.products() | {"object_storage"}, key=len, reverse=True)
    queries = []
    for item in data:
        expect = list(item.get("expect") or [])
        overrides = list(item.get("override") or [])
        unknown += [n for n in expect if catalog.get(n) is None]
        pending += [n for n in overrides if catalog.get(n) is None]
        # a hand-written tool that stands in for an expected operation is the same answer
        overrides += [e.name for e in catalog.entries.values()
                      if e.is_override and set(e.data.get("replaces") or []) & set(expect) and e.name not in overrides]
        queries.append({"q": item["q"], "accept": [n for n in expect + overrides if catalog.get(n) is not None],
                        "product": _product((expect + overrides)[0], products) if expect + overrides else "?"})
    return queries, sorted(set(unknown)), sorted(set(pending))


def _product(name: str, products: list[str]) -> str:
    return next((p for p in products if name.startswith(p + "_")), name.split("_")[0])


async def _through_server(sample: list[dict[str, Any]], home: str) -> list[list[str]]:
    env = clean_env(home, **FAKE_CREDENTIALS, SCW_API_URL=f"http://127.0.0.1:{closed_port()}")
    spec = scw_mcp_spec("scw-mcp --toolsets gateway", ["--toolsets", "gateway"], env)
    out = []
    async with session(spec) as client:
        for item in sample:
            result = await client.call_tool("search_operations", {"query": item["q"], "limit": 3})
            out.append([op["name"] for op in (result.structured_content or {}).get("operations", [])])
    return out


def run(log=print) -> dict[str, Any]:
    from scw_mcp.runtime.catalog import load_catalog

    load_catalog.cache_clear()  # the catalog on disk now, as the server will read it
    catalog = load_catalog()
    queries, unknown, pending = load_queries()
    catalog.search("warm up the index")
    top1 = top3 = 0
    misses, times = [], []
    per_product: dict[str, list[int]] = {}
    for item in queries:
        start = time.perf_counter()
        found = [e.name for e in catalog.search(item["q"], limit=3)]
        times.append(time.perf_counter() - start)
        item["found"] = found
        hit1 = bool(found[:1]) and found[0] in item["accept"]
        hit3 = any(n in item["accept"] for n in found[:3])
        top1 += hit1
        top3 += hit3
        stats = per_product.setdefault(item["product"], [0, 0])
        stats[0] += hit3
        stats[1] += 1
        if not hit3:
            misses.append({"q": item["q"], "accept": item["accept"], "top3": found})
    result: dict[str, Any] = {
        "queries": len(queries), "top1": top1, "top3": top3,
        "top1_rate": top1 / len(queries), "top3_rate": top3 / len(queries),
        "median_search_ms": median(times) * 1e3,
        "unknown_expected_names": unknown, "overrides_not_in_catalog_yet": pending,
        "unanswerable_now": sum(1 for q in queries if not q["accept"]),
        "per_product_top3": {p: f"{h}/{n}" for p, (h, n) in sorted(per_product.items())},
        "misses": misses,
    }
    # the same ranking through the real server, for a spread-out sample
    step = max(1, len(queries) // THROUGH_SERVER)
    sample = queries[::step][:THROUGH_SERVER]
    try:
        with child_stderr_to(BENCH / "results" / "servers.log"):
            served = anyio.run(_through_server, sample, tempfile.mkdtemp(prefix="scw-bench-home-"))
        same = sum(1 for item, names in zip(sample, served) if names == item["found"])
        result["through_server"] = {"checked": len(sample), "same_top3_as_in_process": same,
                                    "hits_top3": sum(1 for item, names in zip(sample, served)
                                                     if any(n in item["accept"] for n in names)),
                                    "different": [{"q": item["q"], "in_process": item["found"], "server": names}
                                                  for item, names in zip(sample, served) if names != item["found"]]}
    except Exception as exc:  # noqa: BLE001
        result["through_server_error"] = describe(exc)
    log("  search done")
    return result
