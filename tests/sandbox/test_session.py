"""A whole session through the real mcp stdio client against `scw-mcp --sandbox`.

The server starts the sandbox in its own process: nothing but the command line and the
environment is shared with the test, as for a newcomer trying scw-mcp without an account.
"""

from __future__ import annotations

import json
import subprocess
import sys

import anyio

from tests.conftest import ROOT
from tests.e2e import clean_env, stdio_client, text_of


def _ok(result) -> dict:
    assert not result.is_error, text_of(result)
    return result.structured_content


def test_a_full_session_against_the_sandbox(tmp_path) -> None:
    env = clean_env(str(tmp_path))

    async def session() -> None:
        async with stdio_client(["--sandbox"], env) as client:
            call = client.call_tool
            pn = _ok(await call("vpc_create_private_network", {"name": "app-net"}))
            assert pn["vpc_id"] and pn["subnets"]

            created = _ok(
                await call(
                    "instance_create_server",
                    {
                        "name": "web-1",
                        "commercial_type": "DEV1-S",
                        "image": "ubuntu_noble",
                        "wait": True,
                        "private_network_id": pn["id"],
                        "tags": ["demo"],
                    },
                )
            )
            server = created["server"]
            assert server["state"] == "running" and created["image"]["label"] == "ubuntu_noble"
            assert server["private_networks"] == [pn["id"]]

            listed = _ok(await call("instance_list_servers", {"tags": ["demo"]}))
            assert [s["id"] for s in listed["items"]] == [server["id"]] and listed["total_count"] == 1

            stopped = _ok(await call("instance_stop_server", {"server_id": server["id"], "wait": True}))
            assert stopped["server"]["state"] == "stopped"
            started = _ok(await call("instance_start_server", {"server_id": server["id"]}))
            assert started["server"]["state"] == "starting"  # no wait: the API is still on it
            refused = await call("instance_reboot_server", {"server_id": server["id"]})
            assert refused.is_error and "reboot is not allowed" in text_of(refused)  # as allowed_actions says
            for _ in range(3):  # a few polls: running
                if _ok(await call("instance_get_server", {"server_id": server["id"]}))["server"]["state"] == "running":
                    break
            rebooted = _ok(await call("instance_reboot_server", {"server_id": server["id"], "wait": True}))
            assert rebooted["action"] == "reboot" and rebooted["server"]["state"] == "running"

            # Delete a running server: it is powered off first, as the preview says.
            preview = _ok(await call("instance_delete_server", {"server_id": server["id"], "with_volumes": True}))
            assert preview["status"] == "confirmation_required" and "powered off first" in json.dumps(preview)
            deleted = _ok(
                await call(
                    "instance_delete_server",
                    {"server_id": server["id"], "with_volumes": True, "confirm_token": preview["confirm_token"]},
                )
            )
            assert deleted["deleted_server"] == server["id"] and len(deleted["deleted_volumes"]) == 1
            gone = await call("instance_get_server", {"server_id": server["id"]})
            assert gone.is_error and "404" in text_of(gone)

            # Object storage: moto in server mode, through boto3.
            _ok(await call("object_storage_create_bucket", {"bucket": "site"}))
            _ok(
                await call(
                    "object_storage_put_object",
                    {"bucket": "site", "key": "index.html", "content": "<h1>hi</h1>", "content_type": "text/html"},
                )
            )
            objects = _ok(await call("object_storage_list_objects_v2", {"bucket": "site"}))["items"]
            assert [o["key"] for o in objects] == ["index.html"]
            got = _ok(await call("object_storage_get_object", {"bucket": "site", "key": "index.html"}))
            assert got["content"] == "<h1>hi</h1>" and got["content_type"] == "text/html"
            ask = _ok(await call("object_storage_delete_object", {"bucket": "site", "key": "index.html"}))
            _ok(
                await call(
                    "object_storage_delete_object",
                    {"bucket": "site", "key": "index.html", "confirm_token": ask["confirm_token"]},
                )
            )
            ask = _ok(await call("object_storage_delete_bucket", {"bucket": "site"}))
            _ok(await call("object_storage_delete_bucket", {"bucket": "site", "confirm_token": ask["confirm_token"]}))
            buckets = _ok(await call("object_storage_list_buckets", {}))["items"]
            assert "site" not in [b["name"] for b in buckets]

    anyio.run(session)


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scw_mcp.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_sandbox_call_and_faults_from_the_environment(tmp_path) -> None:
    env = clean_env(str(tmp_path))
    done = _cli("--sandbox", "call", "k8s_list_clusters", "{}", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["items"] == []
    assert "nothing leaves this machine" in done.stderr

    faulty = clean_env(str(tmp_path), SCW_SANDBOX_FAULTS=json.dumps([{"route": "GET /k8s/*", "kind": "500"}]))
    failed = _cli("--sandbox", "call", "k8s_list_clusters", "{}", env=faulty)
    assert failed.returncode == 1 and "Scaleway API error 500" in failed.stdout

    wrong = _cli("--sandbox", "tools", env=clean_env(str(tmp_path), SCW_SANDBOX_FAULTS='[{"kind": "teapot"}]'))
    assert (
        wrong.returncode == 1 and "kind must be one of latency, 429" in wrong.stderr and "Traceback" not in wrong.stderr
    )


def test_the_demo_runs_and_refuses_to_run_outside_the_sandbox(tmp_path) -> None:
    env = clean_env(str(tmp_path))
    demo = _cli("--sandbox", "demo", env=env)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert '"state": "running"' in demo.stdout and "Hello from scw-mcp" in demo.stdout
    refused = _cli("demo", env=env)
    assert refused.returncode == 2 and "--sandbox" in refused.stderr
