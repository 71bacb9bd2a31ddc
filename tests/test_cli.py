"""`scw-mcp` as a user runs it (a subprocess: the CLI sets up logging for the whole process)."""

from __future__ import annotations

import json
import subprocess
import sys

from scw_mcp.runtime.policy import Policy
from scw_mcp.runtime.settings import Settings
from scw_mcp.sandbox import Sandbox
from scw_mcp.server import served_catalog
from tests.conftest import ROOT
from tests.e2e import clean_env
from tests.inmemory import server_for


def _cli(*args: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scw_mcp.cli", *args],
        env=clean_env(str(tmp_path), **env),
        cwd=str(ROOT),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_tools_header_says_what_the_gateway_reaches_in_each_mode(tmp_path):
    catalog = served_catalog()
    total = len(catalog.entries)
    reads = sum(1 for op in catalog.entries.values() if op.safety == "read")
    no_deletes = sum(1 for op in catalog.entries.values() if "_delete_" not in " ".join((op.name, *op.performs)))

    def reach(**options):
        return server_for(settings=Settings(), **options).reach()

    assert reach() == f"every one of {total} operations is reachable through the gateway tools."
    assert (
        reach(read_only=True)
        == f"the gateway tools reach {reads} of {total} operations: the read ones (read-only mode)."
    )
    denied = Policy(deny=("*_delete_*",), source="p.yaml")
    assert (
        reach(policy=denied) == f"the gateway tools reach {no_deletes} of {total} operations: those the policy permits."
    )

    policy = tmp_path / "policy.yaml"
    policy.write_text('deny: ["*_delete_*"]\n')
    done = _cli("--read-only", "--policy", str(policy), "tools", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    header = done.stdout.splitlines()[0]
    assert header.split(" ", 2)[2].startswith(f"(core, read-only, policy {policy});"), header
    assert f"reach {reads} of {total} operations: the read ones the policy permits." in header
    assert "every one" not in header


def test_a_second_call_process_confirms_only_with_a_shared_confirm_key(tmp_path):
    assert "SCW_MCP_CONFIRM_KEY" in _cli("call", "--help", tmp_path=tmp_path).stdout
    with Sandbox(s3=False) as sb:
        body = {"name": "pn", "project_id": sb.project_id, "default_route_propagation_enabled": False}
        pn = sb.engine.handle("POST", "/vpc/v2/regions/fr-par/private-networks", {}, body).body["id"]
        arguments = {"private_network_id": pn}

        def call(key: str = "", **extra):
            env = {**sb.env(), **({"SCW_MCP_CONFIRM_KEY": key} if key else {})}
            done = _cli(
                "call", "vpc_delete_private_network", json.dumps({**arguments, **extra}), tmp_path=tmp_path, **env
            )
            return done.returncode, json.loads(done.stdout)

        _, preview = call()
        refused, answer = call(confirm_token=preview["confirm_token"])
        assert refused == 1 and "accepted only when both share SCW_MCP_CONFIRM_KEY" in answer["error"]
        key = "k" * 32
        _, preview = call(key)
        done, answer = call(key, confirm_token=preview["confirm_token"])
        assert done == 0 and answer == {"deleted_private_network": pn}
        assert sb.engine.items("/vpc/v2/regions/fr-par/private-networks") == []
