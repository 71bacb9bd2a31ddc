"""The one redactor: secrets whole, in any case and cut; data, logs, tracebacks and URLs."""

from __future__ import annotations

import logging

import pytest
import requests

from scw_mcp.runtime.errors import describe
from scw_mcp.runtime.redact import MARK, LogRedaction, Redactor, secret_values, traceback_text, without_userinfo
from scw_mcp.runtime.settings import Settings

KEY = "0b9d3c1e-7f2a-4e8b-9c6d-5a1f3e7b2d4c"


def leaks(text: str, secret: str = KEY, piece: int = 12) -> list[str]:
    """Pieces of `piece` characters of the secret found in text, in any case."""
    low = text.lower()
    return [secret[i : i + piece] for i in range(len(secret) - piece + 1) if secret[i : i + piece].lower() in low]


@pytest.mark.parametrize(
    "form", [KEY, KEY.upper(), KEY[:30], KEY[-30:], KEY[5:17], KEY.replace("-", ""), KEY.replace("-", "").upper()[3:20]]
)
def test_every_form_of_the_key_is_removed(form: str) -> None:
    text = f"error: token {form} refused"
    assert Redactor([KEY])(text) == f"error: token {MARK} refused"


def test_short_runs_and_short_secrets_are_left_alone() -> None:
    redact = Redactor([KEY, "abc"])
    assert redact(f"id {KEY[:11]}x") == f"id {KEY[:11]}x"  # 11 characters of it: not taken for it
    assert redact("abc abc") == "abc abc"  # too short to be a secret worth destroying text for
    assert Redactor([None, ""]).secrets == ()


def test_a_passphrase_words_are_not_taken_for_it() -> None:
    redact = Redactor(["shared-confirmation-key-0123456789"])
    assert redact("status confirmation_required") == "status confirmation_required"
    assert redact("SHARED-CONFIRMATION-KEY-0123456789 and n-key-0123456") == f"{MARK} and {MARK}"


def test_a_short_secret_is_removed_whole_only() -> None:
    redact = Redactor(["hunter2!"])
    assert redact("pw HUNTER2! / hunter2") == f"pw {MARK} / hunter2"


def test_adjacent_and_overlapping_forms_become_one_mark() -> None:
    assert Redactor([KEY])(KEY + KEY.upper()) == MARK


def test_data_keys_and_values_at_any_depth() -> None:
    redact = Redactor([KEY]).with_secrets('pa"ss word!')
    data = {"a": [KEY.upper(), {"b": f"x{KEY[:20]}"}], KEY: 1, "n": 3, "q": 'it is pa"ss word! here'}
    assert redact.value(data) == {"a": [MARK, {"b": f"x{MARK}"}], MARK: 1, "n": 3, "q": f"it is {MARK} here"}
    clean = {"a": [1, "two"]}
    assert Redactor([KEY]).value(clean) is clean  # nothing to remove: the same object, no copy


def test_secret_values_are_the_secret_named_arguments() -> None:
    arguments = {
        "name": "db",
        "password": "s3cret-pass",
        "users": [{"user_password": "other-pass"}],
        "secret_id": "x",
        "secret_environment_variables": {"DB_URL": "postgres://u:env-pass@db"},
        "secrets": [{"secret_id": "11111111-2222-4333-8444-555555555555", "region": "fr-par"}],
        "page_token": "cursor-1",
        "confirm_token": "token-1",
        "secret_name": "db-credentials",
    }
    assert sorted(secret_values(arguments)) == ["other-pass", "postgres://u:env-pass@db", "s3cret-pass"]


def test_settings_redact_every_configured_secret() -> None:
    settings = Settings(
        secret_key=KEY,
        confirm_key="c" * 8 + "onfirm-key-0123",
        http_token="http-token-abcdef0123",
        api_url="http://admin:urlpassword99@127.0.0.1:1",
    )
    text = f"{KEY.upper()} {'c' * 8}onfirm-key-0123 HTTP-TOKEN-ABCDEF0123 urlpassword99"
    assert settings.redact(text) == " ".join([MARK] * 4)
    view = settings.public_view()
    assert view["api_url"] == "http://127.0.0.1:1" and "urlpassword99" not in str(view)


def test_urls_lose_their_userinfo() -> None:
    assert without_userinfo("https://u:p@host:8443/path?x=1") == "https://host:8443/path?x=1"
    assert without_userinfo("https://api.scaleway.com") == "https://api.scaleway.com"


def test_errors_redact_before_cutting_a_body() -> None:
    """A non-JSON body is quoted up to 200 characters: cut first, 8 characters of the key would stay."""
    response = requests.Response()
    response.status_code, response._content = 400, ("." * 192 + KEY).encode()
    from scaleway_core.api import ScalewayException

    text = describe(ScalewayException(response), Redactor([KEY]))
    assert "......[redacte'" in text and not leaks(text, piece=8)  # the mark is cut, not the key


def test_tracebacks_keep_frames_and_drop_response_bodies() -> None:
    response = requests.Response()
    response.status_code, response._content = 400, f'{{"message": "bad token {KEY}"}}'.encode()
    from scaleway_core.api import ScalewayException

    try:
        try:
            raise ScalewayException(response)
        except ScalewayException as inner:
            raise RuntimeError(f"wrapped {KEY.upper()}") from inner
    except RuntimeError as exc:
        text = traceback_text(exc, Redactor([KEY]))
    assert "test_tracebacks_keep_frames_and_drop_response_bodies" in text  # the frames are there
    assert "HTTP 400 (response body not logged)" in text and "bad token" not in text
    assert f"wrapped {MARK}" in text and not leaks(text)


def test_the_log_filter_redacts_messages_arguments_tracebacks_and_userinfo() -> None:
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep()
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(LogRedaction(Redactor([KEY])))
    logger = logging.getLogger("test_redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("token %s at %s", KEY.upper(), "http://user:pw123456@host/x")
        try:
            raise ValueError(KEY[:25])
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert records[0] == f"token {MARK} at http://host/x"
    assert "Traceback" in records[1] and "ValueError" in records[1] and not leaks("\n".join(records))
