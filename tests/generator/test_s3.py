"""The S3 stages: botocore's S3 model and data/s3_operations.yaml -> object_storage tools."""

from __future__ import annotations

import functools
import inspect
import json
import keyword
from dataclasses import replace

import botocore
import botocore.session
import jsonschema
import pytest
import yaml
from botocore import xform_name

from scw_mcp import generated
from scw_mcp.generator import s3
from scw_mcp.generator.config import GeneratorConfig
from scw_mcp.generator.schema import input_schema
from tests.conftest import ROOT
from tests.schema_samples import realistic_call

DATA = ROOT / "scw_mcp" / "data" / "s3_operations.yaml"


@pytest.fixture(scope="module")
def module():
    return s3.build_s3_module(GeneratorConfig())


@pytest.fixture(scope="module")
def ops(module):
    return {op.method: op for op in module.operations}


def test_every_operation_of_the_model_is_supported_or_left_out_with_a_reason():
    data = yaml.safe_load(DATA.read_text())
    model = s3._botocore()[0].operation_names
    assert set(model) <= set(data["supported"]) | set(data["left_out"])
    assert not set(data["supported"]) & set(data["left_out"])
    assert all(isinstance(reason, str) and len(reason) > 10 for reason in data["left_out"].values())
    for source in data["sources"].values():
        assert (
            source["url"].startswith("https://www.scaleway.com/en/docs/")
            and source["read"]
            and source["page_validated"]
        )
    assert {"GetObject", "PutBucketVersioning", "ListObjectVersions", "CreateMultipartUpload"} <= set(data["supported"])


def test_the_model_is_botocores_own_whatever_the_machine_holds(tmp_path, monkeypatch):
    """A newer-looking S3 model on AWS_DATA_PATH (where a session looks first) and a missing profile
    change nothing: generation depends on the botocore pin only."""
    stray = tmp_path / "s3" / "2099-01-01"
    stray.mkdir(parents=True)
    model = {
        "version": "2.0",
        "metadata": {"apiVersion": "2099-01-01", "protocol": "rest-xml", "serviceId": "S3", "endpointPrefix": "s3"},
        "operations": {"Stray": {"name": "Stray", "http": {"method": "GET", "requestUri": "/"}}},
        "shapes": {},
    }
    (stray / "service-2.json").write_text(json.dumps(model))
    (stray / "paginators-1.json").write_text(json.dumps({"pagination": {}}))
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    monkeypatch.setenv("AWS_PROFILE", "not-a-profile")
    assert botocore.session.get_session().get_service_model("s3").api_version == "2099-01-01"  # what a session reads
    service, paginators, version, api_version = s3._botocore.__wrapped__()
    assert (api_version, version) == ("2006-03-01", botocore.__version__)
    assert "Stray" not in service.operation_names and "GetObject" in service.operation_names
    assert paginators.get_paginator("ListObjectsV2")["result_key"] == ["Contents", "CommonPrefixes"]


def test_an_operation_missing_from_the_lists_stops_the_generator(tmp_path):
    data = yaml.safe_load(DATA.read_text())
    del data["left_out"]["SelectObjectContent"]
    path = tmp_path / "s3_operations.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(s3.S3ModelError, match="SelectObjectContent"):
        s3.build_s3_module(replace(GeneratorConfig(), s3_operations=path))


def test_names_arguments_and_types_come_from_the_model(ops):
    versioning = ops["PutBucketVersioning"]
    assert versioning.name == "object_storage_put_bucket_versioning"
    assert versioning.sdk_path == "botocore:s3.PutBucketVersioning"
    assert versioning.scope == "region" and versioning.client == "s3"
    params = {f.name: f for f in versioning.params}
    assert params["bucket"].required and params["versioning_configuration"].required
    assert params["versioning_configuration"].sdk_name == "VersioningConfiguration"
    assert "expected_bucket_owner" not in params and "content_md5" not in params  # omitted members
    definition = {d.name: d for d in versioning.objects}["VersioningConfiguration"]
    status = {f.name: f for f in definition.fields}["status"]
    assert (
        status.type.values == ("Enabled", "Suspended") and status.description == "The versioning state of the bucket."
    )
    assert "mfa_delete" not in {f.name for f in definition.fields}

    complete = {d.name: d for d in ops["CompleteMultipartUpload"].objects}
    assert {f.name for f in complete["CompletedPart"].fields} >= {"part_number", "e_tag"}
    assert ops["ListObjectVersions"].name == "object_storage_list_object_versions"
    assert ops["CreateMultipartUpload"].name == "object_storage_create_multipart_upload"
    schema = input_schema(ops["GetObject"])
    assert schema["properties"]["sse_customer_key"]["writeOnly"] is True  # sensitive in the model
    assert schema["properties"]["if_modified_since"]["format"] == "date-time"


def test_bodies_paging_and_previews(ops):
    put = {f.name: f for f in ops["PutObject"].params}
    assert put["content"].sdk_name == "Body" and put["encoding"].default == "text" and "body" not in put
    assert ops["UploadPart"].s3.body_in and ops["GetObject"].s3.body_out
    listing = ops["ListObjectsV2"].s3
    assert listing.page_size == "max_keys" and listing.default_page_size == 100 and listing.more == "is_truncated"
    assert dict(listing.next) == {"continuation_token": ("next_continuation_token",)}
    assert dict(ops["ListObjects"].s3.next) == {"marker": ("next_marker", "contents[-1].key")}
    assert ops["PutBucketPolicy"].s3.preview == "object_storage_get_bucket_policy"
    assert ops["DeleteBucketLifecycle"].s3.preview == "object_storage_get_bucket_lifecycle_configuration"
    assert ops["AbortMultipartUpload"].s3.preview == "object_storage_list_parts"
    assert ops["PutObject"].s3.preview is None  # not destructive


def test_safety_classes_follow_the_rules(ops):
    safety = {op.method: op.safety for op in ops.values()}
    assert {safety[o] for o in ops if o.startswith(("Get", "Head", "List"))} == {"read"}
    assert {safety[o] for o in ops if o.startswith("Delete")} == {"destructive"}
    for name in (
        "PutBucketAcl",
        "PutObjectAcl",
        "PutBucketPolicy",
        "PutBucketLifecycleConfiguration",
        "PutObjectLockConfiguration",
        "PutBucketCors",
        "PutBucketTagging",
        "AbortMultipartUpload",
    ):
        assert safety[name] == "destructive", name
    for name in ("PutObject", "PutBucketVersioning", "CreateBucket", "UploadPart", "RestoreObject", "CopyObject"):
        assert safety[name] == "mutate", name


def test_descriptions_are_plain_text_about_the_operation(ops):
    for op in ops.values():
        assert op.summary and "<" not in op.summary and "Amazon Web Services" not in op.description, op.name
        assert not op.summary.startswith(("End of support", "This operation is not supported")), op.name
    assert ops["PutObject"].summary == "Adds an object to a bucket"
    assert ops["AbortMultipartUpload"].summary == "Aborts a multipart upload"


@functools.cache
def _model_client():
    """A real botocore S3 client, made once (it takes a quarter of a second): only its model is used."""
    return botocore.session.get_session().create_client(
        "s3", region_name="fr-par", aws_access_key_id="x", aws_secret_access_key="y"
    )


class RecordingS3:
    """Stands in for a boto3 S3 client: the real model and method names, no network."""

    def __init__(self):
        self._client = _model_client()
        self.meta = self._client.meta
        self.calls = []

    def __getattr__(self, method):
        def record(**kwargs):
            self.calls.append((method, kwargs))
            return {"ResponseMetadata": {}, "ETag": '"abc"'}

        record.__name__ = method
        record.__self__ = self
        return record


def test_generated_functions_call_boto3_with_member_names(catalog):
    module = __import__("scw_mcp.generated.object_storage", fromlist=["OPERATIONS"])
    assert generated.S3_MODULES == ("object_storage",) and generated.BOTOCORE_VERSION == botocore.__version__
    assert f"from botocore {botocore.__version__}" in inspect.getsource(module).splitlines()[0]
    entries = {e["name"]: e for e in catalog["operations"]}
    for tool, (client, function) in module.OPERATIONS.items():
        assert client == "s3"
        entry = entries[tool]
        op_name = (entry.get("stands_in_for") or entry["sdk"]).rsplit(".", 1)[-1]
        recorder = RecordingS3()
        sample = realistic_call({"input_schema": entry["input_schema"], "name": tool})
        args = {k: v for k, v in sample.items() if k in inspect.signature(function).parameters}
        if "encoding" in args:
            args["encoding"] = "text"
        result = function(recorder, **{(f"{k}_" if keyword.iskeyword(k) else k): v for k, v in args.items()})
        ((method, kwargs),) = recorder.calls
        assert recorder.meta.method_to_api_mapping[method] == op_name, tool
        members = recorder.meta.service_model.operation_model(op_name).input_shape.members
        assert set(kwargs) <= set(members), tool
        assert "ResponseMetadata" not in result and ("e_tag" in result or not result), tool


def test_stand_ins_take_every_argument_of_their_twin(module):
    """(The rule holds for every hand-written tool: tests/overrides/test_declared.py; here, S3's.)"""
    from scw_mcp.server import served_catalog

    twins = {op.name: op for op in module.operations}
    stand_ins = [op for op in served_catalog().entries.values() if op.handwritten and op.name in twins]
    assert {op.name for op in stand_ins} == {
        "object_storage_list_buckets",
        "object_storage_create_bucket",
        "object_storage_delete_bucket",
        "object_storage_list_objects_v2",
        "object_storage_get_object",
        "object_storage_put_object",
        "object_storage_delete_object",
    }
    for op in stand_ins:
        assert op.replaces == (op.name,)
        assert {p.name for p in twins[op.name].params} <= set(op.schema["properties"]), op.name
        jsonschema.Draft202012Validator.check_schema(op.input_schema)
        assert twins[op.name].sdk_path in op.sdk


def test_snake_case_round_trip_uses_the_clients_model():
    from scw_mcp.runtime.s3 import from_wire, to_wire

    model = botocore.session.get_session().get_service_model("s3")
    shape = model.operation_model("PutBucketLifecycleConfiguration").input_shape.members["LifecycleConfiguration"]
    tool_json = {
        "rules": [
            {
                "id": "r",
                "status": "Enabled",
                "filter": {"and": {"prefix": "p/", "tags": [{"key": "k", "value": "v"}]}},
                "expiration": {"days": 3},
            }
        ]
    }
    wire = to_wire(shape, tool_json)
    assert wire == {
        "Rules": [
            {
                "ID": "r",
                "Status": "Enabled",
                "Filter": {"And": {"Prefix": "p/", "Tags": [{"Key": "k", "Value": "v"}]}},
                "Expiration": {"Days": 3},
            }
        ]
    }
    assert from_wire(shape, wire) == tool_json
    metadata = model.operation_model("HeadObject").output_shape
    assert from_wire(metadata, {"Metadata": {"Owner-Key": "x"}, "ETag": "e", "ResponseMetadata": {}}) == {
        "metadata": {"Owner-Key": "x"},
        "e_tag": "e",
    }  # map keys are data: left alone
    assert xform_name("ETag") == "e_tag"
