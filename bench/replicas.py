"""Replicas: N concurrent clients against one HTTP replica, then against two behind a round-robin
"load balancer", all on one standalone sandbox (`scw-mcp sandbox serve`).

    python bench/replicas.py                    # 16 clients, 2,000 calls per round, 3 rounds
    python bench/replicas.py --update-readme    # also write the table into bench/README.md

Every call is one JSON-RPC `tools/call` POST (`call_operation` -> `instance_list_servers`, ten
servers in the sandbox) sent by a bounded pool of asyncio clients in this process; call i goes
to replica i mod R, as a round-robin balancer would send it (the server is stateless, so any
replica serves any call). Rounds alternate one replica / two replicas so noise hits both alike;
calls/s is the median over rounds, p50/p99 pool every call of a setup. An error is anything but
HTTP 200 with a result that is not `isError`. Then a cross-replica check: private networks
created and previewed for deletion on replica 1, confirmed on replica 2 (the replicas share
SCW_MCP_CONFIRM_KEY), each one gone afterwards. Loopback only; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH, ROOT, clean_env, closed_port, machine, median, percentile  # noqa: E402

README = BENCH / "README.md"
START, END = "<!-- bench:replicas:start -->", "<!-- bench:replicas:end -->"
TOKEN = "bench-token-0123456789"
CONFIRM_KEY = "bench-confirm-key-0123456789abcdef"
HEADERS = {
    "Authorization": f"Bearer {TOKEN}",
    "Content-Type": "application/json",
    "Accept": "application/json, text/event-stream",
    "MCP-Protocol-Version": "2025-06-18",
}
CALL = {"name": "call_operation", "arguments": {"name": "instance_list_servers", "arguments": {"zone": "fr-par-1"}}}
MAX_CLIENTS = 64


# --- processes ----------------------------------------------------------------------------
@contextlib.contextmanager
def sandbox(home: str, log: Any) -> Iterator[dict[str, Any]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "scw_mcp.cli", "sandbox", "serve", "--no-s3"],
        cwd=str(ROOT),
        env=clean_env(home),
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"scw-mcp sandbox serve exited with {proc.wait()}")
        yield {**json.loads(line), "pid": proc.pid}
    finally:
        _stop(proc)


@contextlib.contextmanager
def replica(home: str, env: dict[str, str], log: Any) -> Iterator[tuple[str, int]]:
    port = closed_port()
    args = ["--transport", "streamable-http", "--port", str(port), "--max-concurrent-calls", str(MAX_CLIENTS)]
    env = clean_env(home, **env, SCW_MCP_HTTP_TOKEN=TOKEN, SCW_MCP_CONFIRM_KEY=CONFIRM_KEY)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scw_mcp.cli", *args], cwd=str(ROOT), env=env, stdout=subprocess.DEVNULL, stderr=log
    )
    try:
        import requests

        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"replica on port {port} did not start (exit {proc.poll()})")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp", proc.pid
    finally:
        _stop(proc)


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU time of a process (this one when pid is None)."""
    if pid is None:
        return time.process_time()
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- load ---------------------------------------------------------------------------------
async def drive(urls: list[str], clients: int, calls: int) -> dict[str, Any]:
    """`calls` tool calls from `clients` concurrent clients, call i to urls[i % len(urls)]."""
    import httpx2

    numbers = itertools.count()
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx2.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(pools: list[Any]) -> None:
        while (i := next(numbers)) < calls:
            body = {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": CALL}
            started = time.perf_counter()
            try:
                answer = await pools[i % len(urls)].post(urls[i % len(urls)], json=body, headers=HEADERS)
                ok = answer.status_code == 200 and not answer.json().get("result", {}).get("isError", True)
                if not ok:
                    errors.append(f"{answer.status_code}: {answer.text[:200]}")
            except Exception as exc:  # a failed call is counted, the run goes on
                errors.append(f"replica {i % len(urls) + 1}: {type(exc).__name__}: {exc!r}")
            latencies.append(time.perf_counter() - started)

    async with contextlib.AsyncExitStack() as stack:  # a connection pool per replica, as a balancer keeps
        pools = [await stack.enter_async_context(httpx2.AsyncClient(timeout=60, limits=limits)) for _ in urls]
        started = time.perf_counter()
        await asyncio.gather(*(client(pools) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return {
        "calls": calls,
        "seconds": elapsed,
        "calls_per_s": calls / elapsed,
        "latencies": latencies,
        "errors": len(errors),
        "error_samples": errors[:3],
    }


async def cross_replica_confirmations(first: str, second: str, count: int) -> dict[str, Any]:
    """Create and preview deletes on `first`, confirm them on `second`; each network must be gone."""
    import httpx2

    async def call(http: Any, url: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "call_operation", "arguments": {"name": name, "arguments": arguments}},
        }
        answer = await http.post(url, json=body, headers=HEADERS)
        result = answer.json()["result"]
        if result.get("isError"):
            raise RuntimeError(result["content"][0]["text"][:200])
        return result["structuredContent"]

    failures: list[str] = []
    async with httpx2.AsyncClient(timeout=60) as http:
        for n in range(count):
            try:
                network = await call(
                    http,
                    first,
                    "vpc_create_private_network",
                    {"name": f"bench-{n}", "default_route_propagation_enabled": False},
                )
                delete = {"private_network_id": network.get("private_network", network)["id"]}
                preview = await call(http, first, "vpc_delete_private_network", delete)
                confirmed = {**delete, "confirm_token": preview["confirm_token"]}
                await call(http, second, "vpc_delete_private_network", confirmed)
                left = await call(http, first, "vpc_list_private_networks", {"name": f"bench-{n}"})
                if left["items"]:
                    failures.append(f"bench-{n} still listed after its confirmed delete")
            except Exception as exc:
                failures.append(f"bench-{n}: {exc}")
    return {"count": count, "failures": len(failures), "failure_samples": failures[:3]}


def seed_servers(env: dict[str, str]) -> None:
    """Ten servers for instance_list_servers to list (created through the SDK, as a user would)."""
    from scaleway import Client
    from scaleway.instance.v1.custom_api import InstanceUtilsV1API

    client = Client(
        api_url=env["SCW_API_URL"],
        access_key=env["SCW_ACCESS_KEY"],
        secret_key=env["SCW_SECRET_KEY"],
        default_project_id=env["SCW_DEFAULT_PROJECT_ID"],
        default_zone="fr-par-1",
    )
    utils = InstanceUtilsV1API(client)
    for i in range(10):
        utils.create_server(zone="fr-par-1", commercial_type="DEV1-S", image="ubuntu_noble", name=f"bench-{i:02d}")


def run(clients: int, calls: int, rounds: int, confirmations: int, log: Any = print) -> dict[str, Any]:
    clients = max(1, min(clients, MAX_CLIENTS))
    setups: dict[str, list[dict[str, Any]]] = {"one replica": [], "two replicas, round-robin": []}
    with tempfile.TemporaryDirectory() as home, open(BENCH / "results" / "servers.log", "ab") as server_log:
        with sandbox(home, server_log) as info:
            seed_servers(info["env"])
            with (
                replica(home, info["env"], server_log) as (first, pid1),
                replica(home, info["env"], server_log) as (second, pid2),
            ):
                targets = {"one replica": [first], "two replicas, round-robin": [first, second]}
                processes = {"replicas": [pid1, pid2], "sandbox": [info["pid"]], "client": [None]}
                asyncio.run(drive([first, second], clients, min(calls, 200)))  # warm-up: imports, pools, caches
                for n in range(rounds):
                    for label, urls in targets.items():
                        before = {k: sum(cpu_seconds(p) for p in pids) for k, pids in processes.items()}
                        result = asyncio.run(drive(urls, clients, calls))
                        result["cpu_ms_per_call"] = {
                            k: (sum(cpu_seconds(p) for p in pids) - before[k]) / calls * 1e3
                            for k, pids in processes.items()
                        }
                        log(
                            f"  round {n + 1}/{rounds}, {label}: {result['calls_per_s']:.0f} calls/s, "
                            f"{result['errors']} errors"
                        )
                        setups[label].append(result)
                cross = asyncio.run(cross_replica_confirmations(first, second, confirmations))
    summary = {}
    for label, results in setups.items():
        pooled = [x for r in results for x in r["latencies"]]
        summary[label] = {
            "replicas": len(targets[label]),
            "clients": clients,
            "calls_per_round": calls,
            "rounds": rounds,
            "calls_per_s": median([r["calls_per_s"] for r in results]),
            "p50_ms": percentile(pooled, 50) * 1e3,
            "p99_ms": percentile(pooled, 99) * 1e3,
            "errors": sum(r["errors"] for r in results),
            "cpu_ms_per_call": {
                k: median([r["cpu_ms_per_call"][k] for r in results]) for k in results[0]["cpu_ms_per_call"]
            },
            "error_samples": [e for r in results for e in r["error_samples"]][:3],
        }
    return {"setups": summary, "cross_replica": cross}


def markdown(results: dict[str, Any]) -> str:
    m, setups = results["machine"], results["setups"]
    one = setups["one replica"]["calls_per_s"]
    head = (
        f"Run {results['date']} on {m['nproc']} CPUs ({m['cpu']}), Python {m['python']}, load average "
        f"{results['load_average']:.1f} at the start; sandbox, replicas and clients share the machine; "
        f"{results['elapsed_s']:.0f} s in all.\n\n"
    )
    lines = [
        "| Setup | Clients | Calls (rounds) | Calls/s (median) | p50 | p99 | Errors | vs one replica "
        "| CPU ms per call: replicas / sandbox / client | Cores busy |",
        "|---" * 10 + "|",
    ]
    for label, r in setups.items():
        cpu = r["cpu_ms_per_call"]
        cores = sum(cpu.values()) * r["calls_per_s"] / 1000  # of the machine's, the rest went to other jobs
        lines.append(
            f"| {label} | {r['clients']} | {r['calls_per_round']:,} x {r['rounds']} | "
            f"{r['calls_per_s']:.0f} | {r['p50_ms']:.1f} ms | {r['p99_ms']:.1f} ms | {r['errors']} | "
            f"{r['calls_per_s'] / one:.2f}x | {cpu['replicas']:.1f} / {cpu['sandbox']:.1f} / "
            f"{cpu['client']:.1f} | {cores:.2f} of {m['nproc']} |"
        )
    cross = results["cross_replica"]
    lines.append(
        f"\nCross-replica confirmations (create + preview on replica 1, confirm on replica 2, gone on 1): "
        f"{cross['count'] - cross['failures']}/{cross['count']} ok."
    )
    return head + "\n".join(lines) + "\n"


def update_readme(table: str) -> None:
    text = README.read_text(encoding="utf-8")
    block = f"{START}\n{table}{END}"
    if START in text and END in text:
        text = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text += f"\n{block}\n"
    README.write_text(text, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=16, help=f"concurrent clients (at most {MAX_CLIENTS}; default 16)")
    ap.add_argument("--calls", type=int, default=2000, help="calls per round and setup (default 2000)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds, alternating the setups (default 3)")
    ap.add_argument("--confirmations", type=int, default=20, help="cross-replica delete confirmations (default 20)")
    ap.add_argument("--update-readme", action="store_true", help="write the table into bench/README.md")
    args = ap.parse_args()
    (BENCH / "results").mkdir(exist_ok=True)
    started, load = time.perf_counter(), os.getloadavg()[0]
    results = run(args.clients, args.calls, args.rounds, args.confirmations)
    results.update(
        {
            "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "machine": machine(),
            "load_average": load,
            "elapsed_s": time.perf_counter() - started,
        }
    )
    (BENCH / "results" / "replicas.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    table = markdown(results)
    print()
    print(table)
    if args.update_readme:
        update_readme(table)
        print(f"table written into {README}")
    failed = any(r["errors"] for r in results["setups"].values()) or results["cross_replica"]["failures"]
    for r in results["setups"].values():
        for sample in r["error_samples"]:
            print(f"error: {sample}")
    for sample in results["cross_replica"]["failure_samples"]:
        print(f"cross-replica failure: {sample}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
