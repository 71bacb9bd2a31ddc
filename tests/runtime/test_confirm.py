import pytest

from scw_mcp.runtime.confirm import check_token, make_token, signing_key
from scw_mcp.runtime.errors import ToolFailure

KEY = signing_key("11111111-2222-3333-4444-555555555555")
ARGS = {"server_id": "abc", "zone": "fr-par-1"}


def test_token_accepts_exactly_the_same_call():
    token = make_token(KEY, "instance_delete_server", ARGS, now=1000)
    check_token(KEY, token, "instance_delete_server", dict(ARGS), now=1100)


@pytest.mark.parametrize(
    "tool, args, now, message",
    [
        ("instance_delete_server", {**ARGS, "server_id": "other"}, 1100, "other arguments"),
        ("instance_delete_volume", ARGS, 1100, "other arguments"),
        ("instance_delete_server", ARGS, 1000 + 301, "expired"),
    ],
)
def test_token_refuses_other_calls_and_expiry(tool, args, now, message):
    token = make_token(KEY, "instance_delete_server", ARGS, now=1000)
    with pytest.raises(ToolFailure, match=message):
        check_token(KEY, token, tool, args, now=now)


def test_forged_or_foreign_tokens_are_refused():
    token = make_token(KEY, "instance_delete_server", ARGS, now=1000)
    body, signature = token.split(".")
    with pytest.raises(ToolFailure, match="not valid"):
        check_token(KEY, f"{body}.{signature[:-2]}xx", "instance_delete_server", ARGS, now=1000)
    other = signing_key("99999999-2222-3333-4444-555555555555")
    with pytest.raises(ToolFailure, match="not valid"):
        check_token(other, token, "instance_delete_server", ARGS, now=1000)
    with pytest.raises(ToolFailure, match="not valid"):
        check_token(KEY, "garbage", "instance_delete_server", ARGS)


def test_replicas_with_the_same_credentials_share_the_key():
    assert signing_key("11111111-2222-3333-4444-555555555555") == KEY
