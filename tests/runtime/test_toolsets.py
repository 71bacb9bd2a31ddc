"""Toolsets: the curated core list names served tools; namespaces add whole products; no tool twice."""

from __future__ import annotations

from scw_mcp.runtime import toolsets
from scw_mcp.server import served_catalog


def test_every_core_tool_exists_and_core_is_small():
    catalog = served_catalog()
    names = toolsets.core_names()
    assert len(names) == len(set(names)) and len(names) <= 60
    assert [n for n in names if n not in catalog] == []
    assert toolsets.core_spec()["description"]


def test_select_unions_toolsets_without_repeating_a_tool():
    catalog = served_catalog()
    both = [op.name for op in toolsets.select(catalog, ("core", "instance", "core"))]
    assert len(both) == len(set(both))
    assert set(toolsets.core_names()) <= set(both)
    assert {catalog.get(n).product for n in both} >= {"instance", "k8s", "rdb"}
    assert toolsets.select(catalog, ("gateway",)) == []
    assert len(toolsets.select(catalog, ("all",))) == len(catalog.entries)


def test_a_version_namespace_is_a_toolset_of_its_own():
    catalog = served_catalog()
    v2 = {op.namespace for op in toolsets.select(catalog, ("instance_v2alpha1",))}
    assert v2 == {"instance_v2alpha1"}
    assert toolsets.unknown(catalog, ("core", "instance_v2alpha1", "nope")) == ["nope"]
