"""Run every benchmark, print the table, write bench/results/latest.json (and latest.md).

    python bench/run.py                  # everything, 5 repeats (about 4 minutes on 2 cores)
    python bench/run.py --repeat 3 --only startup,search
    python bench/run.py --only inputs    # seconds: minimal create calls (bench/inputs.py)
    python bench/run.py --only results   # seconds: bytes per item of five lists (bench/results_size.py)
    python bench/run.py --update-readme  # also put the tables into bench/README.md
    python bench/run.py --only search --update-readme   # the search table alone (seconds)

Each figure is measured in the same run as its reference and shown as a ratio next to it:
these machines are noisy, ratios travel better than absolute numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH, machine  # noqa: E402

PARTS = ("startup", "calls", "generator", "search", "inputs", "results")
README = BENCH / "README.md"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
SEARCH_START, SEARCH_END = "<!-- bench:search:start -->", "<!-- bench:search:end -->"


# --- formatting ---------------------------------------------------------------------------
def _s(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f} s"


def _ms(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f} ms"


def _kb(b: int | None) -> str:
    return "n/a" if b is None else f"{b / 1000:.1f} KB"


def _x(a: float | None, b: float | None, fmt: str = "{:.2f}x") -> str:
    return "n/a" if not a or not b else fmt.format(a / b)


def _pf(ok: bool | None) -> str:
    return "" if ok is None else ("PASS" if ok else "FAIL")


def rows(results: dict[str, Any]) -> list[list[str]]:
    """Figure | scw-mcp | reference | ratio | target | pass."""
    out: list[list[str]] = []
    if "startup" in results:
        servers = {r["label"]: r for r in results["startup"]["servers"]}
        peer = next((r for r in servers.values() if r["peer"]), None)
        floor = servers.get("minimal MCPServer (floor)", {})
        peer_ok = peer is not None and not peer.get("error")
        peer_ref = (
            (lambda key, fmt: fmt(peer.get(key)))
            if peer_ok
            else (lambda key, fmt: f"peer could not run: {peer['error']}" if peer else "peer skipped")
        )
        peer_s = peer.get("startup_s") if peer_ok else None
        runs = results["startup"]["servers"][0].get("runs")
        for label, r in servers.items():
            if not label.startswith("scw-mcp"):
                continue
            if r.get("error"):
                out.append([f"start-up: {label}", f"failed: {r['error']}", "", "", "", "FAIL"])
                continue
            target, ok = "", None
            if label.startswith("scw-mcp core"):
                target, ok = ">= 3x faster than peer", (peer_s / r["startup_s"] >= 3) if peer_s else None
            elif "all" in label:
                target, ok = "< 2 s", r["startup_s"] < 2
            out.append(
                [
                    f"start-up (spawn -> tools/list, median of {runs}): {label}",
                    _s(r["startup_s"]),
                    f"peer {peer_ref('startup_s', _s)}",
                    f"{_x(peer_s, r['startup_s'])} faster" if peer_s else "n/a",
                    target,
                    _pf(ok),
                ]
            )
        for label in ("scw-mcp core (default)", "scw-mcp --toolsets all", "scw-mcp --toolsets object_storage"):
            mode = servers.get(label, {})
            before = servers.get("before: " + label, {})
            if mode.get("startup_s") and floor.get("startup_s") and "object_storage" not in label:
                ratio = mode["startup_s"] / floor["startup_s"]
                in_core = label.startswith("scw-mcp core")
                out.append(
                    [
                        f"start-up: {label} vs the floor (minimal MCPServer, same mcp SDK)",
                        _s(mode["startup_s"]),
                        f"floor {_s(floor['startup_s'])}",
                        f"{ratio:.2f}x the floor",
                        "<= 1.15x the floor" if in_core else "",
                        _pf(ratio <= 1.15) if in_core else "",
                    ]
                )
            if mode.get("startup_s") and before.get("startup_s"):
                out.append(
                    [
                        f"start-up and tools/list: {label}, before (--before) vs now",
                        f"{_s(mode['startup_s'])} ({mode['tools']} tools, {_kb(mode['bytes'])})",
                        f"before {_s(before['startup_s'])} ({before['tools']} tools, {_kb(before['bytes'])})",
                        f"{_x(before['startup_s'], mode['startup_s'])} faster",
                        "",
                        "",
                    ]
                )
        for label, r in servers.items():
            if not label.startswith("scw-mcp") or r.get("error"):
                continue
            target, ok = "", None
            if label.startswith("scw-mcp core"):
                target, ok = (
                    "< 40 KB, reaches every operation",
                    r["bytes"] < 40_000 and r["reachable_operations"] >= len_catalog(),
                )
            elif "gateway" in label:
                target, ok = "< 4 KB", r["bytes"] < 4_000
            ours = (
                f"{r['tools']} tools, {_kb(r['bytes'])} (~{r['tokens_estimate']:,} tokens est.), "
                f"reaches {r['reachable_operations']:,} ops, {r['bytes_per_reachable_operation']} B/op"
            )
            ref = (
                (
                    f"peer {peer['tools']} tools, {_kb(peer['bytes'])} (~{peer['tokens_estimate']:,} tokens est.), "
                    f"reaches {peer['reachable_operations']} ops, {peer['bytes_per_reachable_operation']} B/op"
                )
                if peer_ok
                else peer_ref("bytes", _kb)
            )
            ratio = (
                (
                    f"{_x(r['bytes'], peer['bytes'])} the bytes, "
                    f"{_x(peer['bytes_per_reachable_operation'], r['bytes_per_reachable_operation'], '{:.0f}x')}"
                    " less per op"
                )
                if peer_ok
                else "n/a"
            )
            out.append([f"tools/list size: {label}", ours, ref, ratio, target, _pf(ok)])
        for label, r in servers.items():
            if not label.startswith("scw-mcp") or r.get("error"):
                continue
            out.append(
                [
                    f"peak RSS after tools/list: {label}",
                    f"{r['peak_rss_mib']:.0f} MiB" if r.get("peak_rss_mib") else "n/a",
                    f"peer {peer['peak_rss_mib']:.0f} MiB"
                    if peer_ok and peer.get("peak_rss_mib")
                    else peer_ref("peak_rss_mib", str),
                    _x(r.get("peak_rss_mib"), peer.get("peak_rss_mib") if peer_ok else None) + " of peer"
                    if peer_ok
                    else "n/a",
                    "",
                    "",
                ]
            )
    if "calls" in results:
        c = results["calls"]
        if "overhead" in c:
            for _op, r in c["overhead"].items():
                for path, tool in (
                    ("typed_tool", r["typed_tool"]),
                    ("call_operation", f"call_operation({r['operation']})"),
                ):
                    added = r[f"{path}_added_median_ms"]
                    out.append(
                        [
                            f"call {tool} over stdio, {r['calls']} calls: median / p99",
                            f"{_ms(r[f'{path}_median_ms'])} / {_ms(r[f'{path}_p99_ms'])}",
                            f"SDK direct {_ms(r['sdk_median_ms'])} / {_ms(r['sdk_p99_ms'])}",
                            f"+{added:.2f} ms / +{r[f'{path}_added_p99_ms']:.2f} ms added "
                            f"({r[f'{path}_ratio_median']:.2f}x)",
                            "added < 2 ms at the median",
                            _pf(added < 2),
                        ]
                    )
                floor = r["floor_median_ms"]
                out.append(
                    [
                        f"call {r['operation']} over stdio, added median less the transport floor: scw-mcp's own share",
                        f"typed {r['typed_tool_added_median_ms'] - floor:+.2f} ms, "
                        f"call_operation {r['call_operation_added_median_ms'] - floor:+.2f} ms",
                        f"floor: a no-op tool on the minimal MCPServer (same mcp SDK, stdio), interleaved: "
                        f"{_ms(floor)} / {_ms(r['floor_p99_ms'])}",
                        "",
                        "",
                        "",
                    ]
                )
        else:
            out.append(
                ["call overhead", f"failed: {c.get('overhead_error')}", "", "", "added < 2 ms at the median", "FAIL"]
            )
        if "concurrency" in c:
            r = c["concurrency"]
            out.append(
                [
                    f"{r['calls']} concurrent {r['tool']}, one session, API latency {r['api_latency_ms']:.0f} ms",
                    f"{r['concurrent_ms']:.0f} ms",
                    f"{r['calls']} sequential {r['sequential_ms']:.0f} ms (one call {r['one_call_ms']:.0f} ms)",
                    f"{r['speedup']:.1f}x faster",
                    "not serialised (> 4x)",
                    _pf(r["speedup"] > 4),
                ]
            )
        else:
            out.append(["concurrent calls", f"failed: {c.get('concurrency_error')}", "", "", "", "FAIL"])
        if c.get("backend"):
            out.append(["fake Scaleway API used for the calls", c["backend"], "", "", "", ""])
    if "generator" in results:
        g = results["generator"]
        out.append([f"scw-mcp-gen --out <tmpdir> (median of {g['runs']})", _s(g["full_s"]), "", "", "", ""])
        out.append(
            [
                f"scw-mcp-gen --check (median of {g['runs']})",
                _s(g["check_s"]),
                f"full regeneration {_s(g['full_s'])}",
                _x(g["check_s"], g["full_s"]) + " of a regeneration",
                "",
                "",
            ]
            if g["check_exit"] in (0, 1)
            else ["scw-mcp-gen --check", f"exit {g['check_exit']}: {g['check_message']}", "", "", "", "FAIL"]
        )
        if g["check_exit"] == 1:
            out.append(
                [
                    "scw-mcp-gen --check result",
                    "drift: committed scw_mcp/generated/ differs from the installed SDK's output",
                    "",
                    "",
                    "",
                    "",
                ]
            )
    if "inputs" in results:
        i = results["inputs"]
        out.append(
            [
                f"create operations passing with only their schema's required fields ({i['operations']})",
                f"{i['rate']:.0%} ({i['passed']}/{i['operations']}), {i['required_values']} values in all",
                "",
                "",
                "all",
                _pf(i["passed"] == i["operations"]),
            ]
        )
    for r in results.get("results", {}).get("lists", []):
        out.append(
            [
                f"bytes per item, {r['list']} ({r['operation']}, sandbox): compact / with a query",
                f"{r['compact']:,.0f} B / {r['queried']:,.0f} B",
                f"before compaction {r['before']:,.0f} B",
                f"{r['compact'] / r['before']:.2f}x / {r['queried'] / r['before']:.2f}x",
                "",
                "",
            ]
        )
    return out


def search_table(results: dict[str, Any]) -> str:
    """The search table: both halves of bench/search_queries.yaml, the held-out one against the targets."""
    s = results["search"]
    srv = s.get("through_server")
    head = (
        f"Run {results['date']}: `python bench/run.py --only search`; {s['queries']} requests, "
        f"median search {s['median_search_ms']:.2f} ms in process; through the real server (stdio, "
        + (
            f"{srv['hits_top3']}/{srv['checked']} sample requests answered in the top 3)"
            if srv
            else f"failed: {s.get('through_server_error')})"
        )
        + ".\n\n"
    )
    lines = [
        "| Half | Requests | top-1 | top-3 | top-10 (one search_operations page) | Destructive first, harmless request "
        "| Target | |",
        "|---|---|---|---|---|---|---|---|",
    ]
    targets = s["targets"]
    for name, label in (
        ("tune", "tune (the ranking was tuned on it)"),
        ("test", "test (held out)"),
        ("test, third pass", "... of which the third pass (`pass: 3`)"),
    ):
        h = s["halves"][name]
        target = (
            (f"top-1 >= {targets['top1']:.0%}, top-3 >= {targets['top3']:.0%}, {targets['destructive_first']}")
            if name == "test"
            else ""
        )
        verdict = _pf(s["targets_met"]) if name == "test" else ""
        lines.append(
            f"| {label} | {h['queries']} | {h['top1_rate']:.1%} ({h['top1']}) "
            f"| {h['top3_rate']:.1%} ({h['top3']}) | {h['top10_rate']:.1%} ({h['top10']}) "
            f"| {len(h['destructive_first'])} | {target} | {verdict} |"
        )
    return head + "\n".join(lines) + "\n"


def len_catalog() -> int:
    from scw_mcp.runtime.catalog import load_catalog

    return len(load_catalog().entries)


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    head = (
        f"Run {results['date']} on {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM, Python {m['python']}; "
        f"--repeat {results['repeat']}; {results['elapsed_s']:.0f} s in all.\n\n"
    )
    lines = ["| Figure | scw-mcp | Reference (same run) | Ratio | Target | |", "|---|---|---|---|---|---|"]
    for row in rows(results):
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return head + "\n".join(lines) + "\n"


def update_readme(table: str | None, search: str | None) -> None:
    """Write the main table and/or the search table into bench/README.md, each between its markers."""
    text = README.read_text(encoding="utf-8")
    for body, start, end in ((table, START, END), (search, SEARCH_START, SEARCH_END)):
        if body is None:
            continue
        block = f"{start}\n{body}{end}"
        if start in text and end in text:
            text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _, b=block: b, text, flags=re.DOTALL)
        else:
            text += f"\n{block}\n"
    README.write_text(text, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--repeat", type=int, default=5, help="repeats of each spawn/timing; medians are reported (default 5)"
    )
    ap.add_argument(
        "--gen-repeat",
        type=int,
        default=None,
        help="repeats of the generator runs (default: min(repeat, 3); ~35 s each)",
    )
    ap.add_argument(
        "--calls", type=int, default=300, help="calls per path and operation for the call overhead (default 300)"
    )
    ap.add_argument("--only", default=",".join(PARTS), help=f"comma list of parts to run: {', '.join(PARTS)}")
    ap.add_argument("--no-peer", action="store_true", help="do not install/start the reference server scaleway-mcp")
    ap.add_argument(
        "--before",
        metavar="PYTHON",
        help="also start core and all with this interpreter (a virtualenv holding an earlier checkout), same rounds",
    )
    ap.add_argument("--update-readme", action="store_true", help="write the table into bench/README.md")
    ap.add_argument("--out", default=str(BENCH / "results" / "latest.json"), help="JSON results file")
    args = ap.parse_args()
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        ap.error(f"unknown part(s): {', '.join(sorted(unknown))}")

    started = time.perf_counter()
    (BENCH / "results").mkdir(exist_ok=True)
    (BENCH / "results" / "servers.log").write_text("")  # the servers' stderr, this run only
    results: dict[str, Any] = {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "machine": machine(),
        "repeat": args.repeat,
        "parts": parts,
    }
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    if "startup" in parts:
        log("start-up, context cost, memory...")
        import startup

        results["startup"] = startup.run(args.repeat, with_peer=not args.no_peer, log=log, before_python=args.before)
    if "calls" in parts:
        log("call overhead and concurrency...")
        import calls

        results["calls"] = calls.run(args.repeat, calls=args.calls, log=log)
    if "generator" in parts:
        log("generator...")
        import generator

        results["generator"] = generator.run(args.gen_repeat or min(args.repeat, 3), log=log)
    if "search" in parts:
        log("search quality...")
        import search

        results["search"] = search.run(log=log)
    if "inputs" in parts:
        log("inputs...")
        import inputs

        results["inputs"] = inputs.run(log=log)
    if "results" in parts:
        log("result sizes...")
        import results_size

        results["results"] = results_size.run(log=log)
    results["elapsed_s"] = time.perf_counter() - started

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    table = markdown(results) if set(parts) - {"search"} else None
    search_md = search_table(results) if "search" in results else None
    out.with_suffix(".md").write_text("\n".join(t for t in (table, search_md) if t), encoding="utf-8")
    print()
    for text in (table, search_md):
        if text:
            print(text)
    if "search" in results:
        import search

        print(search.report(results["search"]))
    print(f"\nresults: {out}")
    if args.update_readme:
        update_readme(table, search_md)
        print(f"tables written into {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
