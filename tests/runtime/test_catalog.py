"""The catalog at run time: catalog.json read lazily gives exactly what decoding it whole gives."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from scw_mcp.runtime import toolsets
from scw_mcp.runtime.catalog import catalog_from_bytes


def _blob() -> bytes:
    return resources.files("scw_mcp").joinpath("generated/catalog.json").read_bytes()


def test_entries_read_lazily_are_the_whole_decode_entry_for_entry():
    blob = _blob()
    whole = json.loads(blob)
    catalog = catalog_from_bytes(blob)
    assert catalog.meta == {k: v for k, v in whole.items() if k != "operations"}
    raw = catalog.entries._raw
    assert list(raw) == [op["name"] for op in whole["operations"]]
    assert all(raw[op["name"]] == op for op in whole["operations"])


def test_start_up_decodes_only_what_it_serves():
    catalog = catalog_from_bytes(_blob())
    decoded = catalog.entries._raw._decoded
    assert toolsets.unknown(catalog, ("core", "all", "gateway")) == []
    assert decoded == {}
    served = toolsets.select(catalog, ("core",))
    assert served and len(decoded) == len(served) < 60
    assert toolsets.unknown(catalog, ("instance", "no_such_product")) == ["no_such_product"]


def test_a_catalog_written_in_another_layout_is_refused_not_misread():
    blob = json.dumps({"generator": "x", "operations": [{"sdk": "a:b.c", "name": "a_b"}]}, indent=1).encode()
    with pytest.raises(ValueError, match="does not start with its name"):
        catalog_from_bytes(blob)
