"""The sandbox's S3 refuses the bucket names Scaleway's endpoint refuses, with its error code."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from scw_mcp.sandbox import Sandbox
from scw_mcp.sandbox.s3 import valid_bucket_name


@pytest.mark.parametrize("name", ["site", "my-bucket.v2", "a1b", "x" * 63])
def test_valid_names(name: str) -> None:
    assert valid_bucket_name(name)


@pytest.mark.parametrize(
    "name", ["Bad_Bucket", "UPPER", "ab", "x" * 64, "-dash", "dash-", "a..b", "192.168.1.1", "sp ace"]
)
def test_invalid_names(name: str) -> None:
    assert not valid_bucket_name(name)


def client(sb: Sandbox):
    return boto3.client(
        "s3",
        endpoint_url=sb.s3_endpoint_url,
        region_name="fr-par",
        aws_access_key_id=sb.access_key,
        aws_secret_access_key=sb.secret_key,
        config=Config(s3={"addressing_style": "path"}),
    )


def test_the_endpoint_answers_invalid_bucket_name_and_creates_nothing() -> None:
    with Sandbox() as sb:
        s3 = client(sb)
        with pytest.raises(ClientError) as refused:
            s3.create_bucket(Bucket="Bad_Bucket", CreateBucketConfiguration={"LocationConstraint": "fr-par"})
        assert refused.value.response["Error"]["Code"] == "InvalidBucketName"
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        s3.create_bucket(Bucket="good-bucket", CreateBucketConfiguration={"LocationConstraint": "fr-par"})
        s3.put_object(Bucket="good-bucket", Key="a/b.txt", Body=b"hi")  # keys are not bucket names
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["good-bucket"]


def test_the_endpoint_logs_each_request_unless_told_not_to() -> None:
    with Sandbox() as sb:
        s3 = client(sb)
        s3.create_bucket(Bucket="logged", CreateBucketConfiguration={"LocationConstraint": "fr-par"})
        s3.delete_objects(Bucket="logged", Delete={"Objects": [{"Key": "a/b"}], "Quiet": True})
        assert sb.s3_requests == [
            {"method": "PUT", "path": "/logged", "query": {}},
            {"method": "POST", "path": "/logged", "query": {"delete": ""}},
        ]
        sb.reset_requests()
        s3.list_objects_v2(Bucket="logged", MaxKeys=1)
        [listed] = sb.s3_requests
        assert listed["method"] == "GET" and {"list-type": "2", "max-keys": "1"}.items() <= listed["query"].items()
    with Sandbox(record=False) as sb:
        client(sb).list_buckets()
        assert sb.s3_requests == []
