"""Confirmation tokens for destructive operations.

A token is bound to the tool, a hash of the exact arguments, a fingerprint of the state its
preview showed, an expiry and a random id, and signed with HMAC-SHA256 under one key: the
confirmation secret set with SCW_MCP_CONFIRM_KEY or --confirm-key-file (`load_secret`), so
replicas that share it accept each other's tokens and replicas with another secret refuse
them. Without a secret the key is random per process: tokens are then only accepted by the
process that issued them. Each token works once: the process remembers the ids it has
executed until they expire; another replica does not know them, but the state fingerprint
refuses a replay there once the first use changed what was previewed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import ToolFailure

TOKEN_TTL_SECONDS = 300
KEY_ENV = "SCW_MCP_CONFIRM_KEY"
MIN_SECRET_LENGTH = 16  # an HMAC key short enough to guess from one token would let anyone confirm
_PROCESS_KEY = secrets.token_bytes(32)


class ConfirmKeyError(ValueError):
    """The confirmation secret cannot be used; the message says how to fix it."""


def load_secret(environ: Mapping[str, str], key_file: str | None = None) -> str | None:
    """The confirmation secret from SCW_MCP_CONFIRM_KEY or a file (one of them); None when neither is set."""
    from_env = environ.get(KEY_ENV, "").strip()
    if key_file and from_env:
        raise ConfirmKeyError(f"set {KEY_ENV} or --confirm-key-file, not both")
    if not key_file:
        secret, source = from_env, KEY_ENV
    else:
        try:
            secret, source = Path(key_file).read_text(encoding="utf-8").strip(), f"--confirm-key-file {key_file}"
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise ConfirmKeyError(f"cannot read --confirm-key-file {key_file}: {reason}") from None
        if not secret:
            raise ConfirmKeyError(f"--confirm-key-file {key_file} is empty")
    if secret and len(secret) < MIN_SECRET_LENGTH:
        raise ConfirmKeyError(
            f"the confirmation key from {source} is shorter than {MIN_SECRET_LENGTH} characters "
            "(make one with: openssl rand -hex 32)"
        )
    return secret or None


def signing_key(secret: str | None) -> bytes:
    """The HMAC key of confirmation tokens: derived from the shared secret, else random for this process."""
    if secret:
        return hmac.new(secret.encode(), b"scw-mcp confirmation tokens v1", hashlib.sha256).digest()
    return _PROCESS_KEY


def _arguments_digest(tool: str, arguments: dict[str, Any]) -> str:
    canonical = json.dumps({"tool": tool, "arguments": arguments}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fingerprint(state: Any) -> str:
    """A digest of what a preview showed: the confirm re-reads it and compares."""
    canonical = json.dumps(state, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def make_token(
    key: bytes,
    tool: str,
    arguments: dict[str, Any],
    now: float | None = None,
    ttl: int = TOKEN_TTL_SECONDS,
    state: str = "",
) -> str:
    payload = {
        "t": tool,
        "a": _arguments_digest(tool, arguments),
        "e": int((now or time.time()) + ttl),
        "s": state,
        "n": secrets.token_hex(8),
    }
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signature = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    return f"{body}.{signature}"


def check_token(
    key: bytes, token: str, tool: str, arguments: dict[str, Any], now: float | None = None
) -> dict[str, Any]:
    """The token's payload; ToolFailure unless it was issued for exactly this call and has not expired."""
    try:
        body, signature = token.split(".")
        expected = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
        valid = hmac.compare_digest(signature, expected)
        payload = json.loads(_unb64(body)) if valid else {}
    except (ValueError, TypeError):
        valid, payload = False, {}
    if not valid:
        raise ToolFailure(
            "Confirmation refused: the confirm_token is not valid (a token from another scw-mcp process is "
            f"accepted only when both share {KEY_ENV}). "
            "Call again without confirm_token to get a new preview and token."
        )
    if payload.get("t") != tool or payload.get("a") != _arguments_digest(tool, arguments):
        raise ToolFailure(
            "Confirmation refused: this confirm_token was issued for other arguments. "
            "Call again without confirm_token to preview exactly what you want to run."
        )
    if int(payload.get("e", 0)) < (now or time.time()):
        raise ToolFailure(
            "Confirmation refused: the confirm_token has expired. Call again without confirm_token for a new preview."
        )
    return payload


class UsedTokens:
    """Ids of tokens that have executed in this process, kept until they expire."""

    def __init__(self) -> None:
        self._used: dict[str, int] = {}
        self._lock = threading.Lock()

    def claim(self, payload: dict[str, Any], now: float | None = None) -> None:
        """Mark the token used; ToolFailure if it already was (claimed before the call runs)."""
        now = now or time.time()
        token_id = str(payload.get("n", ""))
        with self._lock:
            self._used = {n: e for n, e in self._used.items() if e >= now}
            if token_id in self._used:
                raise ToolFailure(
                    "Confirmation refused: this confirm_token has already been used. Each token confirms one call; "
                    "call again without confirm_token for a new preview."
                )
            self._used[token_id] = int(payload.get("e", 0))
