"""Tune search_operations on the tune half of bench/search_queries.yaml only, with cross-validation.

It never loads the held-out half: the requests are filtered to `tune` before anything runs.

    python bench/search_tune.py                      # tune-half figures and misses
    python bench/search_tune.py --cv other_product=0.3,0.5 --cv verbs.manage.list=0.8,1
        # 5-fold cross-validation on the tune half (folds by a second hash of the request):
        # for each fold, the grid point best on the other four folds is scored on the held fold.
        # A change is kept only when its out-of-fold figures beat the current weights'.

Figures: top-1 and top-3 hits; the grid is ranked by top-1 + top-3 / 2.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
from typing import Any

from search import load_queries

FOLDS = 5


def fold_of(query: str) -> int:
    """A second hash of the request (another byte than the split's), so folds cut across the halves' hash."""
    return hashlib.sha256(query.encode()).digest()[1] % FOLDS


def tune_queries() -> list[dict[str, Any]]:
    return [q for q in load_queries() if q["split"] == "tune"]


def docs() -> list:
    from scw_mcp.runtime.catalog import search_doc
    from scw_mcp.server import served_catalog

    return [search_doc(op) for op in served_catalog().entries.values()]


def hits(queries: list[dict[str, Any]], overrides: dict[str, float], all_docs: list) -> list[tuple[bool, bool, list]]:
    """(top-1 hit, top-3 hit, top 3) per request, with `overrides` laid over data/search.yaml's weights."""
    from scw_mcp.runtime.search import SearchIndex, words

    weights, verbs = words().weights, words().verbs
    saved, saved_verbs = dict(weights), {word: dict(targets) for word, targets in verbs.items()}
    for key, value in overrides.items():
        if key.startswith("verbs."):  # verbs.WORD.VERB: a verb group's weight ("verbs.manage.list")
            _, word, verb = key.split(".")
            verbs.setdefault(word, {})[verb] = value
        else:
            weights[key] = value
    try:
        index = SearchIndex(all_docs)
        out = []
        for q in queries:
            found = index.search(q["q"], limit=3)
            out.append((bool(found) and found[0] in q["accept"], any(n in q["accept"] for n in found), found))
        return out
    finally:
        weights.clear()
        weights.update(saved)
        verbs.clear()
        verbs.update(saved_verbs)


def score(results: list[tuple[bool, bool, list]]) -> float:
    return sum(h1 + h3 / 2 for h1, h3, _ in results)


def cross_validate(queries: list[dict[str, Any]], grid: dict[str, list[float]], all_docs: list) -> None:
    folds = [fold_of(q["q"]) for q in queries]
    points = [dict(zip(grid, values, strict=False)) for values in itertools.product(*grid.values())]
    per_point = [hits(queries, point, all_docs) for point in points]
    base = hits(queries, {}, all_docs)
    out_of_fold: list[tuple[bool, bool, list]] = [None] * len(queries)  # type: ignore[list-item]
    chosen = []
    for k in range(FOLDS):
        train = [i for i, f in enumerate(folds) if f != k]
        best = max(range(len(points)), key=lambda p: score([per_point[p][i] for i in train]))
        chosen.append(points[best])
        for i, f in enumerate(folds):
            if f == k:
                out_of_fold[i] = per_point[best][i]
    n = len(queries)
    for label, res in (("current weights", base), ("cross-validated", out_of_fold)):
        print(f"{label:16s}: top-1 {sum(r[0] for r in res)}/{n}, top-3 {sum(r[1] for r in res)}/{n}")
    print("chosen per fold:", chosen)
    best_all = max(range(len(points)), key=lambda p: score(per_point[p]))
    print(
        "best on the whole tune half:",
        points[best_all],
        f"top-1 {sum(r[0] for r in per_point[best_all])}, top-3 {sum(r[1] for r in per_point[best_all])}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cv", action="append", default=[], metavar="WEIGHT=V1,V2,...")
    parser.add_argument("--quiet", action="store_true", help="figures only, no misses")
    args = parser.parse_args()
    queries, all_docs = tune_queries(), docs()
    if args.cv:
        grid = {}
        for item in args.cv:
            name, _, values = item.partition("=")
            grid[name] = [float(v) for v in values.split(",")]
        cross_validate(queries, grid, all_docs)
        return
    results = hits(queries, {}, all_docs)
    if not args.quiet:
        for q, (h1, h3, found) in zip(queries, results, strict=False):
            if not h1:
                print(f"  {' ' if h3 else '*'} {q['q']!r}: wanted {q['accept']}, got {found}")
    n = len(queries)
    print(
        f"tune: {n} requests, top-1 {sum(r[0] for r in results)} ({sum(r[0] for r in results) / n:.1%}), "
        f"top-3 {sum(r[1] for r in results)} ({sum(r[1] for r in results) / n:.1%})"
    )


if __name__ == "__main__":
    main()
