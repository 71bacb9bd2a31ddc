import datetime
import enum
import json
from dataclasses import dataclass

import pytest

from scw_mcp.runtime.convert import to_json, to_sdk
from scw_mcp.runtime.errors import ToolFailure
from scw_mcp.runtime.results import (
    Cursor,
    Query,
    as_object,
    compact,
    compact_result,
    dumps,
    elide,
    fit_budget,
    items_field,
    list_page,
    with_next,
)


class Color(str, enum.Enum):
    RED = "red"


@dataclass
class Thing:
    type_: Color
    at: datetime.datetime
    blob: bytes


def test_to_json_uses_wire_names_enum_values_iso_dates_and_base64():
    thing = Thing(type_=Color.RED, at=datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone.utc), blob=b"hi")
    assert to_json(thing) == {"type": "red", "at": "2026-01-02T00:00:00+00:00", "blob": "aGk="}


def test_to_sdk_builds_dataclasses_from_wire_names():
    from scaleway.instance.v1.types import VolumeServerTemplate

    volumes = to_sdk({"0": {"volume_type": "sbs_volume", "size": 20000000000}}, dict[str, VolumeServerTemplate])
    assert isinstance(volumes["0"], VolumeServerTemplate) and volumes["0"].size == 20000000000


# --- list envelopes ---------------------------------------------------------------------


def test_list_page_counts_next_page_and_next():
    data = {"servers": [{"id": 1}, {"id": 2}], "total_count": "5"}  # X-Total-Count copied as a string
    page = list_page(data, "servers", "page", page=1, per_page=2)
    assert page == {"items": [{"id": 1}, {"id": 2}], "total_count": 5, "page": 1, "next_page": 2, "next": {"page": 2}}
    last = list_page(data, "servers", "page", page=3, per_page=2)
    assert last["next_page"] is None and "next" not in last


def test_token_lists_and_maps_are_items_too():
    token = {"servers": [{"id": "a"}], "next_page_token": "t2", "total_count": 3}
    assert items_field(token) == "servers"
    page = list_page(token, "servers", "token", None, None)
    assert page["items"] == [{"id": "a"}] and page["next"] == {"page_token": "t2"}
    types = {"servers": {"DEV1-S": {"ncpus": 2}, "GP1-XS": {"ncpus": 4}}, "total_count": "2"}
    assert items_field(types) == "servers"
    page = list_page(types, "servers", "page", 1, None)
    assert page["items"] == [{"name": "DEV1-S", "ncpus": 2}, {"name": "GP1-XS", "ncpus": 4}]
    assert page["total_count"] == 2


def test_counts_are_integers_in_every_shape():
    assert as_object({"servers": {}, "total_count": "9"})["total_count"] == 9
    assert as_object([1, 2]) == {"items": [1, 2], "total_count": 2}
    assert with_next({"items": [], "total_count": "0"})["total_count"] == 0


# --- compaction -------------------------------------------------------------------------


def test_compaction_drops_empty_values_at_any_depth_but_keeps_identity_and_falsy_scalars():
    server = {
        "id": "s1",
        "name": "",
        "state": None,
        "zone": "fr-par-1",
        "ipv6": None,
        "tags": [],
        "bootscript": {},
        "public_ip": {"address": None, "dynamic": False},
        "volumes": {"0": {"size": 0, "name": None}},
        "arch": "x86",
    }
    compacted = {
        "id": "s1",
        "name": "",
        "state": None,
        "zone": "fr-par-1",
        "public_ip": {"dynamic": False},
        "volumes": {"0": {"size": 0}},
        "arch": "x86",
    }
    assert compact(server) == compacted  # identity kept in the resource itself, not in what it holds
    assert compact_result({"server": server}) == {"server": compacted}  # a result wrapping one resource


def test_compaction_keeps_the_envelope_and_hand_written_results():
    page = {"items": [{"id": 1, "tags": []}], "total_count": 1, "page": 1, "next_page": None, "extra": {"x": None}}
    assert compact_result(page) == {"items": [{"id": 1}], "total_count": 1, "page": 1, "next_page": None}
    empty = {"items": [], "total_count": 0}
    assert compact_result(empty) == empty
    report = {"deleted_server": "s1", "deleted_ips": [], "kept": []}  # a hand-written tool's own result
    assert compact_result(report, rows_only=True) == report
    rows = {"items": [{"id": 1, "image": None}], "total_count": 1, "warning": ""}
    assert compact_result(rows, rows_only=True) == {"items": [{"id": 1}], "total_count": 1, "warning": ""}


# --- query ------------------------------------------------------------------------------


def test_query_selects_and_keeps_the_continuation():
    items = [{"id": i, "name": f"n{i}", "state": "running" if i % 2 else "stopped", "arch": "x"} for i in range(4)]
    page = {"items": items, "total_count": 10, "page": 1, "next": {"page": 2}}
    shaped = Query.compile("items[].{id: id, name: name, state: state}", "t").apply(page, "t")
    assert [set(row) for row in shaped["result"]] == [{"id", "name", "state"}] * 4
    assert shaped["total_count"] == 10 and shaped["next"] == {"page": 2}
    assert Query.compile("items[?state=='running'].id", "t").apply(page, "t")["result"] == [1, 3]


def test_a_malformed_query_is_a_clean_error_naming_query_and_position():
    with pytest.raises(ToolFailure) as err:
        Query.compile("items[].{id: id", "instance_list_servers")
    text = str(err.value)
    assert text.startswith("Invalid arguments for instance_list_servers: query 'items[].{id: id'")
    assert "position 15" in text and "What to do" in text
    with pytest.raises(ToolFailure, match="query 'length\\(total\\)' failed on this result"):
        Query.compile("length(total)", "t").apply({"total": 5}, "t")


# --- the budget -------------------------------------------------------------------------


def _pages(items, size):
    """A fake paged API: the arguments of one call -> its list envelope (as the runner shapes it)."""

    def call(args):
        page, offset = args.get("page", 1), args.get("offset", 0)
        chosen = items[(page - 1) * size : page * size]
        more = page * size < len(items)
        out = {
            "items": chosen[offset:],
            "total_count": len(items),
            "page": page,
            "next_page": page + 1 if more else None,
        }
        return with_next(out), Cursor({"page": page}, offset)

    return call


def test_paging_through_cut_pages_sees_every_item_exactly_once():
    items = [{"id": f"s{i}", "name": f"srv-{i}", "tags": ["x" * 300] * (3 if i % 7 else 12)} for i in range(120)]
    items[37]["tags"] = [f"tag-{j}-" + "y" * 120 for j in range(600)]  # ~80 KB on its own
    call, args, seen, calls = _pages(items, 50), {}, [], 0
    while True:
        result, cursor = call(args)
        cut, text = fit_budget(result, 20_000, cursor)
        assert len(text.encode()) <= 20_000 and json.loads(text) == cut
        seen += [item["id"] for item in cut["items"]]
        calls += 1
        if "next" not in cut:
            break
        args = cut["next"]
    assert seen == [item["id"] for item in items] and calls < 40


def test_an_item_too_big_alone_is_returned_elided_with_its_identity():
    big = {
        "id": "pg",
        "name": "PostgreSQL",
        "region": "fr-par",
        "logo_url": "u",
        "versions": [{"version": str(v), "notes": "n" * 2000} for v in range(60)],
    }
    result = {"items": [big, {"id": "my", "name": "MySQL"}], "total_count": 2, "page": 1, "next_page": None}
    cut, text = fit_budget(result, 20_000, Cursor({"page": 1}))
    assert len(text.encode()) <= 20_000
    (item,) = cut["items"]
    assert item == {"id": "pg", "name": "PostgreSQL", "region": "fr-par", "logo_url": "u"}
    assert cut["elided"] == {"items[0].versions": "60 items, 121.7 KB"}
    assert cut["next"] == {"page": 1, "offset": 1} and "query" in cut["hint"]


def test_a_big_object_keeps_nested_ids_and_names_what_it_left_out():
    created = {
        "image": {"id": "img", "label": "ubuntu_noble"},
        "server": {
            "id": "srv-1",
            "name": "big",
            "state": "stopped",
            "zone": "fr-par-1",
            "tags": [f"tag-{j}-" + "x" * 120 for j in range(600)],
            "commercial_type": "DEV1-S",
        },
    }
    cut, text = fit_budget(created, 60_000)
    assert len(text.encode()) <= 60_000 and "preview" not in cut and "truncated" not in cut
    assert cut["server"]["id"] == "srv-1" and cut["server"]["commercial_type"] == "DEV1-S"
    assert cut["image"]["id"] == "img"
    assert list(cut["elided"]) == ["server.tags"] and cut["elided"]["server.tags"].startswith("600 items")


def test_elision_of_strings_and_big_maps():
    out = elide({"id": "x", "user_data": "u" * 5000, "meta": {str(i): i for i in range(500)}}, 3_000)
    assert out["id"] == "x" and set(out["elided"]) == {"user_data", "meta"}
    assert out["elided"]["user_data"].startswith("text, 5.0 KB")


def test_a_query_result_too_big_goes_on_with_a_slice_of_the_query():
    data = {"items": [{"id": f"{i:04d}", "blob": "z" * 200} for i in range(600)], "total_count": 600}
    query = Query.compile("items[].{id: id, blob: blob}", "t")
    shaped = query.apply(data, "t")
    cut, text = fit_budget(shaped, 20_000, None, query)
    assert len(text.encode()) <= 20_000 and cut["next"]["query"].startswith("(items[].{id: id, blob: blob})[")
    rest = Query.compile(cut["next"]["query"], "t").apply(data, "t")["result"]
    assert [r["id"] for r in cut["result"] + rest] == [f"{i:04d}" for i in range(600)]


def test_cursor_continues_across_pages_when_a_result_spans_them():
    assert Cursor({"page": 1}).after(30) == {"page": 1, "offset": 30}
    assert Cursor({"page": 2}, offset=10, size=100).after(250) == {"page": 4, "offset": 60}
    assert Cursor({"page": 1}, size=100).after(200) == {"page": 3}
    assert Cursor({"page_token": "t"}, 5).after(3) == {"page_token": "t", "offset": 8}


def test_small_results_are_unchanged_and_serialised_once():
    small = {"items": [1, 2]}
    assert fit_budget(small) == (small, dumps(small))


class _Paged:
    """An executor serving `items` in pages, as the SDK executor shapes them."""

    def __init__(self, items):
        self.items = items

    async def execute(self, op, ctx, arguments):
        page, size = arguments.get("page") or 1, arguments.get("per_page") or 50
        chosen = self.items[(page - 1) * size : page * size]
        return list_page({"things": chosen, "total_count": len(self.items)}, "things", "page", page, size)

    async def preview(self, op, ctx, arguments):
        return None


def test_all_pages_cut_by_the_budget_goes_on_exactly_with_all_pages():
    import anyio

    from scw_mcp.runtime.runner import Runner
    from scw_mcp.runtime.settings import Settings
    from tests.runtime.ops import make_op

    items = [{"id": f"t{i:03d}", "name": "x" * 150} for i in range(450)]
    op = make_op(
        "x_list_things",
        paging="page",
        list_key="things",
        executor=_Paged(items),
        properties={"page": {"type": "integer"}, "per_page": {"type": "integer"}},
    )
    runner = Runner(Settings(), budget=20_000)

    async def scenario():
        seen, args, calls = [], {}, 0
        while True:
            outcome = await runner.call(op, {"all_pages": True, **args})
            assert outcome.error is None and len(outcome.text.encode()) <= 20_000
            seen += [item["id"] for item in outcome.data["items"]]
            calls += 1
            if "next" not in outcome.data:
                return seen, calls
            args = outcome.data["next"]

    seen, calls = anyio.run(scenario)
    assert seen == [item["id"] for item in items] and 3 < calls < 10
