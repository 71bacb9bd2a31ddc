"""Search quality: top-1 / top-3 of search_operations on bench/search_queries.yaml, per half.

The requests are split in two (`split_of`): the ranking is tuned on the `tune` half only, and
the `test` half is held out; both are reported, and only the tune half's misses are printed.
Every request runs in process on the served surface (the SDK catalog joined with the
hand-written tools, with the same `SearchIndex` that `search_operations` uses); a sample also
runs through the real server over stdio (`--toolsets gateway`).

    python bench/search.py           # the figures and the tune half's misses, without the server
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
from typing import Any

import anyio
import yaml
from common import (
    BENCH,
    FAKE_CREDENTIALS,
    child_stderr_to,
    clean_env,
    closed_port,
    describe,
    median,
    scw_mcp_spec,
    session,
)

QUERIES = BENCH / "search_queries.yaml"
HALVES = ("tune", "test")
THIRD_PASS = "test, third pass"  # the held-out half's requests of the third pass (`pass: 3`), also reported alone
PAGE = 10  # search_operations' default limit: what an agent reads before it picks
THROUGH_SERVER = 8  # requests also checked through the real server
TARGETS = {"top1": 0.85, "top3": 0.97, "destructive_first": 0}  # on the held-out half (issue 14)


def split_of(item: dict[str, Any]) -> str:
    """`tune` or `test`: pinned by the item, else by a hash of the request (stable, unchosen)."""
    return item.get("split") or ("test" if hashlib.sha256(item["q"].encode()).digest()[0] & 1 else "tune")


def load_queries() -> list[dict[str, Any]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    items = yaml.load(QUERIES.read_text(encoding="utf-8"), Loader=loader)["queries"]
    return [
        {"q": item["q"], "accept": list(item["expect"]), "split": split_of(item), "pass": item.get("pass", 1)}
        for item in items
    ]


def destructive_request_words() -> set[str]:
    """The words by which a request asks to destroy: data/search.yaml's list and the safety table's verbs."""
    from importlib import resources

    from scw_mcp.safety import DESTRUCTIVE, load_rules

    data = yaml.safe_load(resources.files("scw_mcp").joinpath("data/search.yaml").read_text(encoding="utf-8"))
    return set(data["destructive_words"]) | {v for v, cls in load_rules().verbs.items() if cls == DESTRUCTIVE}


def asks_to_destroy(query: str, destroy_words: set[str]) -> bool:
    return any(w in destroy_words or w.rstrip("s") in destroy_words for w in re.findall(r"[a-z]+", query.lower()))


def evaluate(queries: list[dict[str, Any]]) -> dict[str, Any]:
    """Figures per half, on the served surface."""
    from scw_mcp.runtime.catalog import search_doc
    from scw_mcp.runtime.search import SearchIndex
    from scw_mcp.server import served_catalog

    docs = [search_doc(op) for op in served_catalog().entries.values()]
    index = SearchIndex(docs)
    safety = {d.name: d.safety for d in docs}
    known = set(safety)
    destroy_words = destructive_request_words()
    index.search("warm up the index")
    halves: dict[str, dict[str, Any]] = {
        h: {"queries": 0, "top1": 0, "top3": 0, "top10": 0, "destructive_first": []} for h in (*HALVES, THIRD_PASS)
    }
    misses, times = [], []
    for item in queries:
        start = time.perf_counter()
        page = index.search(item["q"], limit=PAGE)
        times.append(time.perf_counter() - start)
        found = page[:3]
        groups = [item["split"]] + ([THIRD_PASS] if item["split"] == "test" and item["pass"] == 3 else [])
        for half in (halves[g] for g in groups):
            half["queries"] += 1
            half["top1"] += bool(found) and found[0] in item["accept"]
            half["top3"] += any(n in item["accept"] for n in found)
            half["top10"] += any(n in item["accept"] for n in page)
            if found and safety[found[0]] == "destructive" and not asks_to_destroy(item["q"], destroy_words):
                half["destructive_first"].append({"q": item["q"], "first": found[0]})
        if item["split"] == "tune" and (not found or found[0] not in item["accept"]):
            misses.append(
                {
                    "q": item["q"],
                    "accept": item["accept"],
                    "top3": found,
                    "hit3": any(n in item["accept"] for n in found),
                }
            )
    for half in halves.values():
        n = half["queries"] or 1
        half["top1_rate"], half["top3_rate"], half["top10_rate"] = half["top1"] / n, half["top3"] / n, half["top10"] / n
    test = halves["test"]
    return {
        "halves": halves,
        "queries": len(queries),
        "median_search_ms": median(times) * 1e3,
        "unknown_expected_names": sorted({n for item in queries for n in item["accept"] if n not in known}),
        "tune_misses": misses,
        "targets": TARGETS,
        "targets_met": test["top1_rate"] >= TARGETS["top1"]
        and test["top3_rate"] >= TARGETS["top3"]
        and len(test["destructive_first"]) <= TARGETS["destructive_first"],
    }


async def _through_server(sample: list[dict[str, Any]], home: str) -> list[list[str]]:
    env = clean_env(home, **FAKE_CREDENTIALS, SCW_API_URL=f"http://127.0.0.1:{closed_port()}")
    spec = scw_mcp_spec("scw-mcp --toolsets gateway", ["--toolsets", "gateway"], env)
    out = []
    async with session(spec) as client:
        for item in sample:
            result = await client.call_tool("search_operations", {"query": item["q"], "limit": 3})
            names = [op["name"] for op in (result.structured_content or {}).get("operations", [])]
            out.append(list(dict.fromkeys(names)))
    return out


def run(log=print) -> dict[str, Any]:
    from scw_mcp.runtime.catalog import load_catalog

    load_catalog.cache_clear()  # the catalog on disk now, as the server will read it
    queries = load_queries()
    result = evaluate(queries)
    tune = [q for q in queries if q["split"] == "tune"]
    step = max(1, len(tune) // THROUGH_SERVER)
    sample = tune[::step][:THROUGH_SERVER]
    try:
        with child_stderr_to(BENCH / "results" / "servers.log"):
            served = anyio.run(_through_server, sample, tempfile.mkdtemp(prefix="scw-bench-home-"))
        result["through_server"] = {
            "checked": len(sample),
            "hits_top3": sum(
                1 for item, names in zip(sample, served, strict=False) if any(n in item["accept"] for n in names)
            ),
        }
    except Exception as exc:  # noqa: BLE001
        result["through_server_error"] = describe(exc)
    log("  search done")
    return result


def report(result: dict[str, Any]) -> str:
    lines = []
    for name, half in result["halves"].items():
        lines.append(
            f"{name}: {half['queries']} requests, top-1 {half['top1_rate']:.1%} ({half['top1']}), "
            f"top-3 {half['top3_rate']:.1%} ({half['top3']}), top-{PAGE} {half['top10_rate']:.1%} ({half['top10']}), "
            "destructive first on a harmless request: "
            f"{len(half['destructive_first'])}"
        )
    lines.append(f"median search {result['median_search_ms']:.2f} ms; held-out targets met: {result['targets_met']}")
    if result["unknown_expected_names"]:
        lines.append(f"WARNING: expected names not on the surface: {result['unknown_expected_names']}")
    lines.append("tune-half misses (top-1; * = also missed in top-3):")
    lines += [
        f"  {' ' if m['hit3'] else '*'} {m['q']!r}: wanted {m['accept']}, got {m['top3']}"
        for m in result["tune_misses"]
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(evaluate(load_queries())))
