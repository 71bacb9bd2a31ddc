"""Bytes per item of five common lists, as the model receives them: before compaction, after it,
and with a typical `query`; and the same on the real server objects of the recorded API traffic.

In process against the sandbox (seeded with 20 items of each through the served tools, as an agent
would create them), each list read with its generated operation (the SDK's whole objects) through
the same `Runner` every tool call goes through:

- before: the operation's items as the executor returns them (what results held before compaction);
- compact: the same call through the runner (nulls and empty values dropped, identity kept);
- query: the same call with a typical `query` (the fields a listing usually needs);
- hand-written: the served tool where one stands in for the list (its own summary rows).

Tokens are estimated as bytes / 4 (as for tools/list in bench/README.md). Also: what the runner's
result options (`query`, `offset`, `timeout_seconds`) add to tools/list in `core` and `all`
(the same list with those properties taken out).

    python bench/results_size.py
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT  # noqa: E402

sys.path.insert(0, str(ROOT))

COUNT = 20
CASSETTES = Path("/work/shared/cassettes")
# (label, generated list operation, page size argument, typical query)
LISTS = (
    (
        "servers",
        "instance_list_servers",
        "per_page",
        "items[].{id: id, name: name, state: state, type: commercial_type}",
    ),
    (
        "private networks",
        "vpc_list_private_networks",
        "page_size",
        "items[].{id: id, name: name, subnets: subnets[].subnet}",
    ),
    (
        "k8s clusters",
        "k8s_list_clusters",
        "page_size",
        "items[].{id: id, name: name, status: status, version: version}",
    ),
    (
        "rdb instances",
        "rdb_list_instances",
        "page_size",
        "items[].{id: id, name: name, status: status, engine: engine}",
    ),
    ("IAM users", "iam_list_users", "page_size", "items[].{id: id, email: email, status: status}"),
)


def _bytes(value: Any) -> int:
    from scw_mcp.runtime.results import dumps

    return len(dumps(value).encode())


async def _seed(server: Any) -> None:
    """20 of each, created through the served tools (hand-written ones fill what an agent leaves out)."""
    runner, served = server.runner, server.catalog

    async def create(name: str, arguments: dict[str, Any]) -> None:
        outcome = await runner.call(served.get(name), arguments)
        if outcome.error:
            raise RuntimeError(f"{name}: {outcome.error}")

    for i in range(COUNT):
        await create("instance_create_server", {"name": f"web-{i:02d}", "tags": ["web", "prod"]})
        await create("vpc_create_private_network", {"name": f"net-{i:02d}", "tags": ["prod"]})
        await create("k8s_create_cluster", {"name": f"k8s-{i:02d}", "tags": ["prod"]})
        await create(
            "rdb_create_instance",
            {"name": f"db-{i:02d}", "engine": "PostgreSQL-16", "user_name": "admin", "password": "Bench-Passw0rd!"},
        )
        await create("iam_create_user", {"email": f"user{i:02d}@example.com"})


async def measure_sandbox() -> list[dict[str, Any]]:
    from scw_mcp.runtime.catalog import load_catalog
    from scw_mcp.runtime.context import CallContext
    from scw_mcp.runtime.settings import load_settings
    from scw_mcp.sandbox import Sandbox
    from scw_mcp.server import ServerOptions, build_server

    rows = []
    with Sandbox(s3=False) as sb:
        server = build_server(load_settings(environ=sb.env()), ServerOptions(toolsets=("all",)))
        await _seed(server)
        sdk_catalog = load_catalog()
        for label, name, size, query in LISTS:
            op = sdk_catalog.get(name)
            args = {size: COUNT}
            ctx = CallContext(settings=server.scw_settings, tool=name)
            before = (await op.executor.execute(op, ctx, dict(args)))["items"]
            compact = (await server.runner.call(op, dict(args))).data["items"]
            queried = (await server.runner.call(op, {**args, "query": query})).data["result"]
            handwritten = served = server.catalog.get(name)
            summary = None
            if served is not None and served.handwritten:
                summary = (await server.runner.call(handwritten, dict(args))).data["items"]
            n = len(before)
            assert n == COUNT == len(compact) == len(queried), (label, n)
            rows.append(
                {
                    "list": label,
                    "operation": name,
                    "items": n,
                    "query": query,
                    "before": _bytes(before) / n,
                    "compact": _bytes(compact) / n,
                    "queried": _bytes(queried) / n,
                    "handwritten": _bytes(summary) / n if summary is not None else None,
                }
            )
    return rows


def measure_recorded() -> dict[str, Any] | None:
    """Server objects of the recorded real API traffic: median bytes before and after compaction."""
    from scw_mcp.runtime.results import compact

    if not CASSETTES.is_dir():
        return None
    sizes, compacted = [], []
    for path in sorted(CASSETTES.glob("instance-*.json")):
        for step in json.loads(path.read_text(encoding="utf-8"))["interactions"]:
            body = step.get("body")
            server = body.get("server") if isinstance(body, dict) else None
            if isinstance(server, dict) and server.get("id"):
                sizes.append(_bytes(server))
                compacted.append(_bytes(compact(server)))
    if not sizes:
        return None
    return {"objects": len(sizes), "before": statistics.median(sizes), "compact": statistics.median(compacted)}


def options_cost() -> list[dict[str, Any]]:
    """Bytes of tools/list (compact JSON, as on the wire) and what each result option adds to it."""
    from scw_mcp.runtime.settings import Settings
    from scw_mcp.server import ServerOptions, build_server

    out = []
    for toolsets in (("core",), ("all",)):
        server = build_server(Settings(), ServerOptions(toolsets=toolsets))
        tools = [t.model_dump(by_alias=True, exclude_none=True) for t in anyio.run(server.list_tools)]
        row = {"toolsets": toolsets[0], "tools": len(tools), "bytes": _bytes(tools)}
        for option in ("query", "offset", "timeout_seconds"):
            stripped = [
                {
                    **t,
                    "inputSchema": {
                        **t["inputSchema"],
                        "properties": {
                            k: v
                            for k, v in t["inputSchema"].get("properties", {}).items()
                            if k != option or t["name"].endswith("_operations")
                        },
                    },
                }
                for t in tools
            ]  # the gateway's search query is not the option
            row[option] = row["bytes"] - _bytes(stripped)
        out.append(row)
    return out


def table(rows: list[dict[str, Any]], recorded: dict[str, Any] | None) -> str:
    def cell(b: float | None) -> str:
        return "—" if b is None else f"{b:,.0f} B (~{b / 4:,.0f} tok)"

    lines = [
        f"| list (sandbox, {COUNT} items) | before | compact | saved "
        "| with a typical query | query | hand-written rows |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        saved = 1 - r["compact"] / r["before"]
        lines.append(
            f"| {r['list']} (`{r['operation']}`) | {cell(r['before'])} | {cell(r['compact'])} | {saved:.0%} | "
            f"{cell(r['queried'])} | `{r['query']}` | {cell(r['handwritten'])} |"
        )
    if recorded:
        saved = 1 - recorded["compact"] / recorded["before"]
        lines.append(
            f"| recorded real server objects ({recorded['objects']}, median) | {cell(recorded['before'])} | "
            f"{cell(recorded['compact'])} | {saved:.0%} | | | |"
        )
    return "\n".join(lines)


def cost_table(costs: list[dict[str, Any]]) -> str:
    lines = [
        "| tools/list | tools | bytes | `query` adds | `offset` adds | `timeout_seconds` adds |",
        "|---|---|---|---|---|---|",
    ]
    for c in costs:
        lines.append(
            f"| `{c['toolsets']}` | {c['tools']} | {c['bytes']:,} | {c['query']:,} B | {c['offset']:,} B | "
            f"{c['timeout_seconds']:,} B |"
        )
    return "\n".join(lines)


def run(log: Any = print) -> dict[str, Any]:
    rows = anyio.run(measure_sandbox)
    recorded = measure_recorded()
    costs = options_cost()
    text = table(rows, recorded) + "\n\n" + cost_table(costs)
    log(text)
    return {"lists": rows, "recorded": recorded, "options_cost": costs, "table": text}


def main() -> int:
    run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
