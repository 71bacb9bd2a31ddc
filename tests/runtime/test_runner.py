"""The runner with operations that record what reaches them (no API behind them): each step of
validate -> policy -> confirm -> execute -> shape, once each."""

from __future__ import annotations

import logging

import anyio
import pytest

from scw_mcp.runtime.policy import Gate, Policy
from scw_mcp.runtime.runner import Runner
from scw_mcp.runtime.settings import Settings
from tests.runtime.ops import Recorded, make_op

SETTINGS = Settings(project_id="11111111-2222-4333-8444-555555555555", confirm_key="k" * 32)
ID = {"type": "string"}


def call(runner, op, arguments):
    return anyio.run(runner.call, op, arguments)


def test_invalid_arguments_never_reach_the_operation():
    op = make_op(
        "vpc_get_private_network",
        properties={"private_network_id": ID},
        required=("private_network_id",),
        path_params=("private_network_id",),
    )
    for bad in ({}, {"private_network_id": 3}, {"private_network_id": "../x"}, {"nope": 1}):
        outcome = call(Runner(SETTINGS), op, bad)
        assert outcome.error and outcome.error.startswith("Invalid arguments for vpc_get_private_network"), bad
    assert op.executor.calls == []


def test_null_means_not_set_and_the_runners_options_stay_with_the_runner():
    op = make_op(
        "vpc_list_private_networks",
        properties={"name": ID, "page": {"type": "integer"}},
        list_key="private_networks",
        paging="page",
    )
    outcome = call(Runner(SETTINGS), op, {"name": None, "all_pages": None})
    assert outcome.error is None and op.executor.calls == [{}]


def test_all_pages_follows_next_page_and_joins_the_items():
    pages = {1: ["a", "b"], 2: ["c", "d"], 3: ["e"]}

    def page(arguments):
        n = arguments["page"]
        return {"items": pages[n], "total_count": 5, "page": n, "next_page": n + 1 if n < 3 else None}

    op = make_op(
        "x_list_things",
        properties={"page": {"type": "integer"}, "per_page": {"type": "integer"}},
        executor=Recorded(page),
        list_key="things",
        paging="page",
    )
    outcome = call(Runner(SETTINGS), op, {"all_pages": True})
    assert outcome.data["items"] == ["a", "b", "c", "d", "e"] and outcome.data["total_count"] == 5
    assert [c["page"] for c in op.executor.calls] == [1, 2, 3] and all(c["per_page"] == 100 for c in op.executor.calls)


def test_a_destructive_call_previews_then_runs_once_with_its_token():
    state = {"id": "pn-1", "name": "doomed"}
    op = make_op(
        "vpc_delete_private_network",
        "destructive",
        properties={"private_network_id": ID},
        executor=Recorded({"deleted": True}, state=lambda: dict(state)),
    )
    runner = Runner(SETTINGS)
    preview = call(runner, op, {"private_network_id": "pn-1"}).data
    assert preview["status"] == "confirmation_required" and preview["target"] == state and op.executor.calls == []
    token = preview["confirm_token"]
    assert call(runner, op, {"private_network_id": "pn-2", "confirm_token": token}).error.startswith(
        "Confirmation refused"
    )
    done = call(runner, op, {"private_network_id": "pn-1", "confirm_token": token})
    assert done.data == {"deleted": True} and op.executor.calls == [{"private_network_id": "pn-1"}]
    replay = call(runner, op, {"private_network_id": "pn-1", "confirm_token": token})
    assert "already been used" in replay.error and len(op.executor.calls) == 1


def test_a_token_is_refused_with_a_fresh_preview_when_the_state_moved():
    state = {"name": "before"}
    op = make_op(
        "vpc_delete_private_network",
        "destructive",
        properties={"private_network_id": ID},
        executor=Recorded(state=lambda: dict(state)),
    )
    runner = Runner(SETTINGS)
    token = call(runner, op, {"private_network_id": "pn-1"}).data["confirm_token"]
    state["name"] = "after"
    refused = call(runner, op, {"private_network_id": "pn-1", "confirm_token": token}).data
    assert refused["refused"] and refused["target"] == {"name": "after"} and op.executor.calls == []
    assert call(runner, op, {"private_network_id": "pn-1", "confirm_token": refused["confirm_token"]}).error is None


def test_replicas_sharing_a_key_share_tokens_and_others_refuse_them():
    op = make_op(
        "vpc_delete_private_network",
        "destructive",
        properties={"private_network_id": ID},
        executor=Recorded(state={"name": "x"}),
    )
    token = call(Runner(SETTINGS), op, {"private_network_id": "p"}).data["confirm_token"]
    other = Settings(project_id=SETTINGS.project_id, confirm_key="z" * 32)
    assert "not valid" in call(Runner(other), op, {"private_network_id": "p", "confirm_token": token}).error
    assert call(Runner(SETTINGS), op, {"private_network_id": "p", "confirm_token": token}).error is None


def test_read_only_and_policy_refuse_before_anything_runs():
    op = make_op("vpc_create_private_network", "mutate", properties={"name": ID})
    assert "read-only" in call(Runner(SETTINGS, Gate(read_only=True)), op, {"name": "x"}).error
    assert "not allowed" in call(Runner(SETTINGS, Gate(policy=Policy(deny=("vpc_*",)))), op, {"name": "x"}).error
    assert op.executor.calls == []


def test_zone_all_fans_out_to_allowed_zones_and_only_for_listings():
    lister = make_op(
        "instance_list_ips",
        scope="zone",
        list_key="ips",
        paging="page",
        executor=Recorded(lambda a: {"items": [a["zone"]], "total_count": 1}),
    )
    gate = Gate(policy=Policy(regions=("fr-par",)))
    out = call(Runner(SETTINGS, gate), lister, {"zone": "all"}).data
    assert sorted(out["items"]) == ["fr-par-1", "fr-par-2", "fr-par-3"] and out["total_count"] == 3
    getter = make_op("instance_get_ip", scope="zone", properties={"ip": ID})
    assert '"all" only works for listings' in call(Runner(SETTINGS), getter, {"zone": "all", "ip": "x"}).error
    assert getter.executor.calls == []


def test_well_formed_new_zones_pass_and_typos_get_a_suggestion():
    op = make_op(
        "instance_list_ips",
        scope="zone",
        list_key="ips",
        paging="page",
        executor=Recorded({"items": [], "total_count": 0}),
    )
    assert call(Runner(SETTINGS), op, {"zone": "it-mil-1"}).error is None
    assert "Did you mean 'fr-par-" in call(Runner(SETTINGS), op, {"zone": "fr-par-9"}).error


def test_every_change_leaves_one_audit_line(caplog):
    op = make_op("vpc_create_private_network", "mutate", properties={"name": ID})
    reader = make_op("vpc_list_private_networks")
    with caplog.at_level(logging.INFO, logger="scw_mcp.audit"):
        call(Runner(SETTINGS), op, {"name": "x"})
        call(Runner(SETTINGS), reader, {})
    lines = [r.getMessage() for r in caplog.records if r.name == "scw_mcp.audit"]
    assert len(lines) == 1 and '"operation": "vpc_create_private_network"' in lines[0] and '"outcome": "ok"' in lines[0]


@pytest.mark.parametrize("failure", [RuntimeError("boom"), KeyError("x"), ValueError("")])
def test_any_failure_is_a_clean_message(failure):
    class Failing(Recorded):
        async def execute(self, op, ctx, arguments):
            raise failure

    outcome = call(Runner(SETTINGS), make_op("x_get_thing", executor=Failing()), {})
    assert outcome.error and "Traceback" not in outcome.error
