"""Fault injection for tests: chosen routes answer slowly, with 429/5xx, non-JSON, or a reset.

A fault is a dict (JSON in SCW_SANDBOX_FAULTS, or Sandbox(faults=...)/set_faults):

    {"route": "GET /vpc/v2/*", "kind": "429", "retry_after": 1, "times": 1}

route   fnmatch pattern over "VERB /path" (default "*": every request)
kind    latency | 429 | 500 | 502 | 503 | non_json | reset
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

KINDS = ("latency", "429", "500", "502", "503", "non_json", "reset")
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
    def parse(cls, raw: dict[str, Any]) -> "Fault":
        unknown = set(raw) - {"kind", "route", "times", "seconds", "retry_after"}
        if unknown or str(raw.get("kind")) not in KINDS:
            raise FaultError(f"bad fault {raw!r}: kind must be one of {', '.join(KINDS)}; fields: route, times, seconds, retry_after")
        return cls(kind=str(raw["kind"]), route=str(raw.get("route", "*")), times=int(raw.get("times", -1)),
                   seconds=float(raw.get("seconds", 1.0)), retry_after=int(raw.get("retry_after", 0)))


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
