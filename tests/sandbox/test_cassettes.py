"""The route table against real recorded Scaleway traffic (../shared/cassettes): every recorded
request is a route of the table, and each answer is shaped the way the table expects."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from scw_mcp.sandbox import shapes
from scw_mcp.sandbox.table import load_table
from tests.conftest import ROOT

CASSETTES = ROOT.parent / "shared" / "cassettes"
FILES = sorted(CASSETTES.glob("*.json"))


@pytest.mark.skipif(not FILES, reason=f"no cassettes in {CASSETTES}")
@pytest.mark.parametrize("cassette", FILES, ids=lambda p: p.stem)
def test_recorded_requests_are_routes_with_the_recorded_shapes(cassette: Path) -> None:
    table = load_table()
    for interaction in json.loads(cassette.read_text(encoding="utf-8"))["interactions"]:
        method, path = interaction["method"], urlparse(interaction["url"]).path
        matched = table.match(method, path)
        assert matched, f"{method} {path} is not in the route table"
        route, _ = matched
        body = interaction["body"]
        if interaction["status"] >= 300 or not isinstance(body, dict) or not route.response:
            continue
        if route.kind == "list":
            assert route.list_key in body, f"{method} {path}: list key {route.list_key!r}, recorded {sorted(body)}"
        elif route.wrap:
            assert set(body) == {route.wrap}, f"{method} {path}: wrapped in {route.wrap!r}, recorded {sorted(body)}"
        else:  # the resource itself: the fields the SDK knows are the ones the API sends
            known = set(shapes.hints(shapes.load(route.response)))
            assert known & set(body), f"{method} {path}: no field of {route.response} in {sorted(body)}"
