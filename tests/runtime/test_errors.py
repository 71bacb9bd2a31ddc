"""Every failure is one message: what went wrong, then what to do; never a traceback."""

from __future__ import annotations

import requests
from scaleway_core.api import ScalewayException

from scw_mcp.runtime.errors import ToolFailure, describe


def _scaleway(status: int, body: object) -> ScalewayException:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else __import__("json").dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    return ScalewayException(response)


def test_scaleway_errors_name_the_status_type_fields_and_what_to_do():
    text = describe(
        _scaleway(
            404,
            {
                "type": "not_found",
                "message": "resource is not found",
                "resource": "instance_server",
                "resource_id": "abc",
            },
        )
    )
    assert text.startswith("Scaleway API error 404 (not_found): resource is not found")
    assert "resource=instance_server" in text and "resource_id=abc" in text and "What to do: check the id" in text
    invalid = describe(
        _scaleway(
            400,
            {
                "type": "invalid_arguments",
                "message": "invalid argument(s)",
                "details": [{"argument_name": "name", "reason": "required"}],
            },
        )
    )
    assert "[name required]" in invalid
    assert "non-JSON" in describe(_scaleway(502, b"<html>bad gateway</html>"))


def test_tool_failures_pass_through_and_unknown_ones_stay_clean():
    assert describe(ToolFailure("Refused: no.")) == "Refused: no."
    text = describe(KeyError("internal"))
    assert text.startswith("Unexpected error (KeyError)") and "Traceback" not in text
