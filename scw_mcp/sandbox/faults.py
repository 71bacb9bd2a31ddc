"""Fault injection for tests: chosen routes answer slowly, with 429/5xx, non-JSON, a reset, or
an error that echoes the caller's credentials.

A fault is a dict (JSON in SCW_SANDBOX_FAULTS, or Sandbox(faults=...)/set_faults):

    {"route": "GET /vpc/v2/*", "kind": "429", "retry_after": 1, "times": 1}

route   fnmatch pattern over "VERB /path" (default "*": every request)
kind    latency | 429 | 500 | 502 | 503 | non_json | reset | echo_token | echo_token_text
        echo_token: a 400 whose JSON body quotes the request's X-Auth-Token whole, upper-cased and
        cut (in `message`, `details`, `fields`, `help_message`, `resource_id`) and the request's
        body (passwords...), as a misbehaving proxy or API error might; echo_token_text: the same
        in a non-JSON (text) 400 body
seconds latency only: how long to wait before answering normally (default 1)
retry_after  429 only: the Retry-After header (default 0)
times   how many requests it hits (default -1: every one)
"""

from __future__ import annotations

import fnmatch
import json
import os
import threading
from dataclasses import dataclass
from typing import Any

KINDS = ("latency", "429", "500", "502", "503", "non_json", "reset", "echo_token", "echo_token_text")
ENV = "SCW_SANDBOX_FAULTS"


class FaultError(ValueError):
    """A fault that cannot be understood: names the entry and what is wrong."""


@dataclass
class Fault:
    kind: str
    route: str = "*"
    times: int = -1
    seconds: float = 1.0
    retry_after: int = 0

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Fault:
        unknown = set(raw) - {"kind", "route", "times", "seconds", "retry_after"}
        if unknown or str(raw.get("kind")) not in KINDS:
            raise FaultError(
                f"bad fault {raw!r}: kind must be one of {', '.join(KINDS)}; fields: route, times, seconds, retry_after"
            )
        return cls(
            kind=str(raw["kind"]),
            route=str(raw.get("route", "*")),
            times=int(raw.get("times", -1)),
            seconds=float(raw.get("seconds", 1.0)),
            retry_after=int(raw.get("retry_after", 0)),
        )


class Faults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def set(self, faults: list[dict[str, Any]] | None) -> None:
        parsed = [Fault.parse(f) for f in faults or []]
        with self._lock:
            self._faults = parsed

    def take(self, verb: str, path: str) -> Fault | None:
        """The first fault for this request, counted down."""
        with self._lock:
            for fault in self._faults:
                if fault.times != 0 and fnmatch.fnmatchcase(f"{verb} {path}", fault.route):
                    if fault.times > 0:
                        fault.times -= 1
                    return fault
        return None


def from_environment() -> list[dict[str, Any]]:
    text = os.environ.get(ENV, "").strip()
    if not text:
        return []
    try:
        faults = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FaultError(f"{ENV} is not JSON: {exc}") from None
    return faults if isinstance(faults, list) else [faults]


def echo_forms(token: str) -> tuple[str, str, str, str]:
    """The token as an echoing error quotes it: whole, upper-cased, its first 30 and its last 30 characters."""
    return token, token.upper(), token[:30], token[-30:]


def echo_body(token: str, request: str = "") -> dict[str, object]:
    """The JSON error body of `echo_token`: the token in every field the server's errors quote."""
    whole, upper, head, tail = echo_forms(token)
    return {
        "type": "invalid_request_error",
        "message": f"authentication failed for X-Auth-Token {whole} (request: {request or '-'})",
        "details": [
            {"argument_name": "X-Auth-Token", "reason": f"refused: {upper}"},
            {"argument_name": "token", "help_message": f"starts with {head}"},
        ],
        "fields": {"x_auth_token": [f"ends with {tail}", upper]},
        "help_message": f"check {head}",
        "resource_id": whole,
    }


def echo_text(token: str, request: str = "") -> str:
    """The text body of `echo_token_text`: the token whole at the 200th character (where a message
    quoting the body cuts it, leaving 8 of its characters), then upper-cased and cut, then the request."""
    whole, upper, head, tail = echo_forms(token)
    return f"<html><body>proxy error {'.' * 168}{whole} {upper} {head} {tail} {request}</body></html>"
