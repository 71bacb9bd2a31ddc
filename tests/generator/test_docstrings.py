"""The SDK's docstrings as the generator reads them."""

from __future__ import annotations

import pytest

from scw_mcp.generator.docstrings import meaningful, parse_docstring


@pytest.mark.parametrize("text", ["TODO.", "todo", " FIXME: ", "TBD", "XXX!"])
def test_a_placeholder_is_no_description(text):
    assert meaningful(text) == ""


def test_a_description_that_mentions_a_placeholder_word_stays():
    assert meaningful("TODO list of the hub.") == "TODO list of the hub."


def test_placeholder_parameter_docs_are_dropped():
    doc = parse_docstring("Generate a MAC address.\n:param mac_type: TODO.\n:param zone: Zone to target.\n")
    assert doc.params == {"mac_type": "", "zone": "Zone to target."}
    assert doc.summary == "Generate a MAC address."
