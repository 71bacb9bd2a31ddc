"""JSON <-> SDK values: arguments become the SDK's types, results become JSON as on the wire."""

from __future__ import annotations

import datetime
import enum

import pytest
from scaleway.instance.v1 import VolumeServerTemplate
from scaleway.vpc.v2 import PrivateNetwork

from scw_mcp.runtime.convert import ConversionError, to_json, to_sdk


def test_arguments_become_sdk_types():
    when = to_sdk("2026-01-31T12:00:00Z", datetime.datetime)
    assert when == datetime.datetime(2026, 1, 31, 12, tzinfo=datetime.timezone.utc)
    assert to_sdk("aGk=", bytes) == b"hi"
    volume = to_sdk({"volume_type": "sbs_volume", "size": 10}, VolumeServerTemplate)
    assert isinstance(volume, VolumeServerTemplate) and volume.size == 10
    volumes = to_sdk({"0": {"size": 5}}, dict[str, VolumeServerTemplate])
    assert isinstance(volumes["0"], VolumeServerTemplate)
    assert to_sdk(None, VolumeServerTemplate) is None


@pytest.mark.parametrize(
    "value, hint", [("yesterday", datetime.datetime), ("not base64!", bytes), ("x", VolumeServerTemplate)]
)
def test_bad_values_are_conversion_errors(value, hint):
    with pytest.raises(ConversionError):
        to_sdk(value, hint)


def test_results_become_json_as_on_the_wire():
    class Color(str, enum.Enum):
        RED = "red"

    now = datetime.datetime(2026, 1, 31, tzinfo=datetime.timezone.utc)
    assert to_json({"c": Color.RED, "t": now, "b": b"hi", "n": None}) == {
        "c": "red",
        "t": now.isoformat(),
        "b": "aGk=",
        "n": None,
    }
    network = to_json(
        PrivateNetwork(
            id="p",
            name="n",
            organization_id="o",
            project_id="p",
            region="fr-par",
            tags=[],
            created_at=now,
            updated_at=None,
            subnets=[],
            vpc_id="v",
            dhcp_enabled=True,
            default_route_propagation_enabled=False,
            has_object_storage_private_access=False,
        )
    )
    assert network["name"] == "n" and network["created_at"] == now.isoformat() and network["region"] == "fr-par"
