"""Confirmation tokens for destructive operations.

A token is bound to the tool, a hash of the exact arguments, a fingerprint of the state its
preview showed, an expiry and a random id, and signed with HMAC-SHA256. The key derives from
the configured secret key (or SCW_MCP_CONFIRM_KEY), so any replica with the same key accepts
it. Each token works once: the process remembers the ids it has executed until they expire
(another replica does not know them; the state fingerprint still refuses a replay there once
the first use changed what was previewed).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from typing import Any

from .errors import ToolFailure

TOKEN_TTL_SECONDS = 300
_PROCESS_KEY = secrets.token_bytes(32)


def signing_key(secret_key: str | None) -> bytes:
    explicit = os.environ.get("SCW_MCP_CONFIRM_KEY")
    if explicit:
        return hashlib.sha256(explicit.encode()).digest()
    if secret_key:
        return hmac.new(secret_key.encode(), b"scw-mcp confirmation tokens v1", hashlib.sha256).digest()
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
    key: bytes, tool: str, arguments: dict[str, Any], now: float | None = None, ttl: int = TOKEN_TTL_SECONDS, state: str = ""
) -> str:
    payload = {"t": tool, "a": _arguments_digest(tool, arguments), "e": int((now or time.time()) + ttl), "s": state,
               "n": secrets.token_hex(8)}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signature = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    return f"{body}.{signature}"


def check_token(key: bytes, token: str, tool: str, arguments: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """The token's payload; ToolFailure unless it was issued for exactly this call and has not expired."""
    try:
        body, signature = token.split(".")
        expected = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
        valid = hmac.compare_digest(signature, expected)
        payload = json.loads(_unb64(body)) if valid else {}
    except (ValueError, TypeError):
        valid, payload = False, {}
    if not valid:
        raise ToolFailure("Confirmation refused: the confirm_token is not valid. Call again without confirm_token to get a new preview and token.")
    if payload.get("t") != tool or payload.get("a") != _arguments_digest(tool, arguments):
        raise ToolFailure(
            "Confirmation refused: this confirm_token was issued for other arguments. "
            "Call again without confirm_token to preview exactly what you want to run."
        )
    if int(payload.get("e", 0)) < (now or time.time()):
        raise ToolFailure("Confirmation refused: the confirm_token has expired. Call again without confirm_token for a new preview.")
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
