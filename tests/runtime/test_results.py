import datetime
import enum
from dataclasses import dataclass

from scw_mcp.runtime.convert import to_json, to_sdk
from scw_mcp.runtime.results import dumps, fit_budget, list_page


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


def test_list_page_counts_and_next_page():
    data = {"servers": [{"id": 1}, {"id": 2}], "total_count": "5"}
    page = list_page(data, "servers", "page", page=1, per_page=2)
    assert page == {"items": [{"id": 1}, {"id": 2}], "total_count": 5, "page": 1, "next_page": 2}
    assert list_page(data, "servers", "page", page=3, per_page=2)["next_page"] is None


def test_budget_cuts_lists_with_a_hint():
    result = {"items": [{"name": "x" * 100} for _ in range(1000)], "total_count": 1000}
    cut, text = fit_budget(result, budget=5_000)
    assert cut["truncated"] and 0 < len(cut["items"]) < 1000 and "Narrow" in cut["hint"]
    assert text == dumps(cut) and len(text.encode()) <= 5_000
    small = {"items": [1, 2]}
    assert fit_budget(small) == (small, dumps(small))  # within the budget: unchanged, serialised once
