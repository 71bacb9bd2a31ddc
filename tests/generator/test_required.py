"""A schema requires only the ids in the URL and the API's must-haves (data/required.yaml);
every other field the SDK has no default for is optional and sent as its zero value."""

from __future__ import annotations

import datetime
import enum
import importlib
import json
import re
from pathlib import Path
from typing import Any, Optional

import pytest
from scaleway.k8s.v1 import types as k8s

from scw_mcp.generator.config import GeneratorConfig
from scw_mcp.generator.required import RequiredTable
from scw_mcp.runtime.convert import or_zero, to_sdk, zero
from tests.conftest import ROOT

TABLE = RequiredTable.load(GeneratorConfig().required_table)


def _path_parameters() -> dict[str, set[str]]:
    data = json.loads((ROOT / "scw_mcp" / "generated" / "routes.json").read_text(encoding="utf-8"))
    out: dict[str, set[str]] = {}
    for route in data["routes"]:
        out.setdefault(route["operation"], set()).update(re.findall(r"\{(\w+)\}", route["path"]))
    return out


def test_a_schema_requires_only_ids_in_the_url_and_the_tables_fields(operations):
    in_path = _path_parameters()
    every_path_parameter = set().union(*in_path.values())
    for name, op in operations.items():
        if op.get("client") == "s3":
            continue  # S3 operations take botocore's required members (tests/generator/test_s3.py)
        schema = op["input_schema"]
        must = set(TABLE.operations.get(name, {}))
        for field in schema.get("required", []):
            assert field in must or field in in_path.get(name, every_path_parameter), f"{name}.{field}"
            assert field not in ("zone", "region"), name  # the runtime fills them from the defaults
        assert must <= set(schema.get("required", [])), name
        for definition in schema.get("$defs", {}).values():
            assert set(definition.get("required", [])) <= set().union(*TABLE.objects.values()), name


def test_list_operations_require_at_most_their_parent_ids(operations):
    for name, op in operations.items():
        if op.get("client") == "s3" or not op["sdk"].rsplit(".", 1)[1].startswith("list"):
            continue
        required = set(op["input_schema"].get("required", []))
        assert all(f.endswith(("_id", "_name")) or f in ("dns_zone", "domain") for f in required), (name, required)


def test_the_issues_examples():
    def required(name: str, definition: str | None = None) -> list[str]:
        from scw_mcp.runtime.catalog import load_catalog

        schema = load_catalog().get(name).schema
        return (schema["$defs"][definition] if definition else schema).get("required", [])

    assert required("k8s_create_cluster") == ["version", "cni"]
    assert required("k8s_create_cluster", "CreateClusterRequestPoolConfig") == ["name", "node_type", "size"]
    assert required("vpc_create_private_network") == []
    assert not {"volume_size", "backup_same_region"} & set(required("rdb_create_instance"))
    assert set(required("domain_update_dns_zone_records", "Record")) == {"data", "type", "ttl"}
    assert required("domain_list_dns_zone_records") == ["dns_zone"]
    assert required("instance_get_server") == ["server_id"]


def test_every_table_entry_has_a_one_line_reason():
    for table in (TABLE.operations, TABLE.objects):
        for owner, fields in table.items():
            for field, reason in fields.items():
                assert isinstance(reason, str) and reason.strip() and "\n" not in reason, f"{owner}.{field}"


def test_a_stale_entry_is_named(tmp_path: Path):
    path = tmp_path / "required.yaml"
    path.write_text(
        "operations:\n  k8s_create_cluster:\n    verison: typo\n  gone_op:\n    x: y\nobjects:\n  a.b:C:\n    d: e\n",
        encoding="utf-8",
    )
    stale = RequiredTable.load(path).stale({"k8s_create_cluster": {"version"}}, {})
    assert stale == ["k8s_create_cluster.verison", "operation gone_op", "class a.b:C"]


class Colour(str, enum.Enum):
    UNKNOWN = "unknown_colour"
    RED = "red"


@pytest.mark.parametrize(
    "hint, expected",
    [
        (str, ""),
        (int, 0),
        (float, 0.0),
        (bool, False),
        (list[str], []),
        (dict[str, str], {}),
        (Colour, None),
        (k8s.MaintenanceWindow, None),
        (datetime.datetime, None),
        (Any, None),
        (Optional[str], None),  # noqa: UP045 - as the SDK writes it
    ],
)
def test_zero_values(hint, expected):
    assert zero(hint) == expected and type(zero(hint)) is type(expected)


def test_or_zero_keeps_what_was_given():
    assert or_zero(None, str) == "" and or_zero("x", str) == "x" and or_zero(False, bool) is False


def test_nested_objects_get_zero_values_for_what_the_caller_left_out():
    (pool,) = to_sdk(
        [{"name": "p", "node_type": "DEV1-M", "size": 1, "taints": [{"key": "k"}]}],
        list[k8s.CreateClusterRequestPoolConfig],
    )
    assert (pool.name, pool.node_type, pool.size) == ("p", "DEV1-M", 1)
    assert pool.tags == [] and pool.kubelet_args == {} and pool.labels == {} and pool.user_data == {}
    assert pool.autoscaling is False and pool.zone == "" and pool.container_runtime is None
    assert pool.taints == [k8s.CoreV1Taint(key="k", value="", effect=None)]


def test_generated_functions_send_zero_values_for_left_out_parameters():
    module = importlib.import_module("scw_mcp.generated.k8s")
    _, create_cluster = module.OPERATIONS["k8s_create_cluster"]

    class Api:
        def create_cluster(self, **kwargs: Any) -> dict[str, Any]:
            return kwargs

    sent = create_cluster(Api(), version="1.35.3", cni="cilium")
    assert sent["type_"] == "" and sent["description"] == "" and sent["version"] == "1.35.3"
    assert sent["pools"] is None and sent["name"] is None  # SDK-optional: the SDK decides (a random name)


def test_the_catalogs_path_parameters_are_the_routes_by_sdk_name_named_as_in_the_schema():
    """Route templates spell the SDK's names ({param_type_} -> {type_}); the catalog lists schema names."""
    from scw_mcp.generator.model import Field, Operation, Route, TypeRef
    from scw_mcp.generator.render import path_params
    from scw_mcp.generator.required import path_parameters

    def field(name: str, sdk_name: str) -> Field:
        return Field(name=name, sdk_name=sdk_name, type=TypeRef("string"), required=False, description="")

    def route(path: str) -> Route:
        return Route("GET", path, "x_get_thing", "get", "", "", None, "", None, "id")

    routes = (route("/x/v1/zones/{zone}/things/{type_}"), route("/x/v1/zones/{zone}/helpers/{helper_id}"))
    op = Operation(
        name="x_get_thing",
        namespace="x",
        product="x",
        version="v1",
        module="x",
        sdk_package="scaleway.x",
        sdk_class="XAPI",
        sdk_class_module="",
        method="get_thing",
        function="get_thing",
        summary="",
        description="",
        safety="read",
        scope="zone",
        params=(field("zone", "zone"), field("type", "type_"), field("name", "name")),
        objects=(),
        one_of=(),
        returns="Thing",
        list_key=None,
        paging="",
        wait=None,
        routes=routes,
    )
    assert path_parameters(routes) == {"zone", "type_", "helper_id"}
    assert path_params(op) == ["type", "zone"]  # helper_id: a helper's, not one of its parameters
