import pytest

from scw_mcp.runtime.confirm import ConfirmKeyError, check_token, load_secret, make_token, signing_key
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


def test_replicas_with_the_same_secret_share_the_key_and_without_one_it_is_per_process():
    assert signing_key("11111111-2222-3333-4444-555555555555") == KEY
    assert signing_key(None) == signing_key(None) != KEY


def test_the_secret_comes_from_the_environment_or_a_file(tmp_path):
    secret = "s" * 32
    assert load_secret({}) is None
    assert load_secret({"SCW_MCP_CONFIRM_KEY": f" {secret}\n"}) == secret
    key_file = tmp_path / "confirm-key"
    key_file.write_text(secret + "\n")
    assert load_secret({}, str(key_file)) == secret


@pytest.mark.parametrize(
    "environ, file_text, message",
    [
        ({"SCW_MCP_CONFIRM_KEY": "s" * 32}, "s" * 32, "not both"),
        ({}, "\n", "is empty"),
        ({}, "short", "shorter than 16"),
        ({"SCW_MCP_CONFIRM_KEY": "short"}, None, "shorter than 16"),
    ],
)
def test_unusable_secrets_are_refused(tmp_path, environ, file_text, message):
    key_file = tmp_path / "confirm-key"
    if file_text is not None:
        key_file.write_text(file_text)
    with pytest.raises(ConfirmKeyError, match=message):
        load_secret(environ, str(key_file) if file_text is not None else None)
    with pytest.raises(ConfirmKeyError, match="cannot read"):
        load_secret({}, str(tmp_path / "missing"))
