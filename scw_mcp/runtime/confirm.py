"""Stateless confirmation tokens for destructive operations.

A token is bound to the tool, a hash of the exact arguments, and an expiry, and signed with
HMAC-SHA256. The key derives from the configured secret key (or SCW_MCP_CONFIRM_KEY), so any
replica with the same credentials accepts it; no server-side state is kept.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
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


def make_token(key: bytes, tool: str, arguments: dict[str, Any], now: float | None = None, ttl: int = TOKEN_TTL_SECONDS) -> str:
    payload = {"t": tool, "a": _arguments_digest(tool, arguments), "e": int((now or time.time()) + ttl)}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signature = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    return f"{body}.{signature}"


def check_token(key: bytes, token: str, tool: str, arguments: dict[str, Any], now: float | None = None) -> None:
    """Raise ToolFailure unless the token was issued for exactly this call and has not expired."""
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
