"""The runner's options: which operations take them, and how they leave the operation's arguments."""

from scw_mcp.runtime import options
from scw_mcp.runtime.catalog import load_catalog
from tests.runtime.ops import make_op


def test_reads_take_query_and_pages_take_offset():
    catalog = load_catalog()
    lister = catalog.get("instance_list_servers").input_schema["properties"]
    assert lister["query"] == options.QUERY_SCHEMA and lister["offset"] == options.OFFSET_SCHEMA
    assert "query" in catalog.get("instance_get_server").input_schema["properties"]
    assert "query" not in catalog.get("instance_create_server").input_schema["properties"]  # reads only
    assert "offset" in catalog.get("instance_v2alpha1_list_servers").input_schema["properties"]  # token lists too
    creates = catalog.get("k8s_create_cluster").input_schema["properties"]
    assert creates["timeout_seconds"]["maximum"] == options.WAIT_MAX_SECONDS and "wait" in creates
    assert "wait" in catalog.get("k8s_get_cluster").input_schema["properties"]  # a get goes on waiting


def test_an_operation_parameter_named_like_an_option_stays_the_operations():
    search = load_catalog().get("search_search_resources")
    assert search.input_schema["properties"]["query"] != options.QUERY_SCHEMA
    own, opts = options.split({"query": "my-server", "page_size": 5}, search)
    assert own == {"query": "my-server", "page_size": 5} and opts == {}
    op = make_op("x_list_things", paging="page", list_key="things")
    own, opts = options.split({"query": "items[].id", "offset": 3, "page": 2}, op)
    assert own == {"page": 2} and opts == {"query": "items[].id", "offset": 3}
