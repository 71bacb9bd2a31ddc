"""The audit line of every call that changes something (logger scw_mcp.audit)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

audit_log = logging.getLogger("scw_mcp.audit")


def record(
    op: Any,
    arguments: dict[str, Any],
    status: str,
    error: str | None,
    seconds: float,
    project: str | None,
    redact: Callable[[str], str],
) -> None:
    targets = {k: v for k, v in arguments.items() if (k == "id" or k.endswith("_id")) and isinstance(v, str)}
    entry = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "operation": op.name,
        "safety": op.safety,
        "targets": targets,
        "zone": arguments.get("zone"),
        "region": arguments.get("region"),
        "project_id": project,
        "outcome": status,
        "seconds": round(seconds, 3),
    }
    if error:
        entry["error"] = redact(error)[:200]  # redacted before it is cut
    audit_log.info(redact(json.dumps(entry, sort_keys=True)))
