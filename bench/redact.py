"""What the one redactor costs a result: every answer passes it (runtime/redact.py), twice
(the call's redactor before the output budget cuts, the configured one at the server's edge).

A listing of realistic items filling the output budget (60 KB of JSON), redacted with the
redactor of a call (secret key, confirmation key, HTTP token, a call's password), when no
secret is in it (the common case) and when one item quotes the key; next to the reference
measured in the same run: serialising the same data once (`results.dumps`, which every
answer pays anyway). Medians of --repeat runs. Nothing leaves the process.

    python bench/redact.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scw_mcp.runtime.redact import Redactor  # noqa: E402
from scw_mcp.runtime.results import DEFAULT_BUDGET, dumps  # noqa: E402

KEY = str(uuid.uuid4())


def listing() -> dict[str, Any]:
    """Servers as instance_list_servers returns them, until the JSON fills the output budget."""
    items: list[dict[str, Any]] = []
    while len(dumps({"items": items})) < DEFAULT_BUDGET:
        n = len(items)
        items.append(
            {
                "id": str(uuid.uuid4()),
                "name": f"web-{n}",
                "state": "running",
                "commercial_type": "DEV1-S",
                "zone": "fr-par-1",
                "project": str(uuid.uuid4()),
                "tags": ["web", f"team-{n % 7}"],
                "public_ips": [{"id": str(uuid.uuid4()), "address": f"51.15.{n % 250}.{n % 200}"}],
                "image": {"id": str(uuid.uuid4()), "name": "Ubuntu 24.04 Noble Numbat"},
                "created_at": "2026-11-30T10:00:00+00:00",
            }
        )
    return {"items": items, "total_count": len(items)}


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    redactor = Redactor([KEY, uuid.uuid4().hex * 2, uuid.uuid4().hex]).with_secrets("Call-Passw0rd-123")
    clean = listing()
    quoted = listing()
    quoted["items"][len(quoted["items"]) // 2]["name"] = f"token {KEY.upper()}"
    size = len(dumps(clean).encode())
    reference = median_ms(lambda: dumps(clean), args.repeat)
    rows = [
        ("serialise once (reference)", reference),
        ("redact data, no secret in it", median_ms(lambda: redactor.value(clean), args.repeat)),
        ("redact data, the key quoted once", median_ms(lambda: redactor.value(quoted), args.repeat)),
        ("redact its text, no secret in it", median_ms(lambda: redactor(dumps(clean)), args.repeat)),
    ]
    print(
        f"{len(clean['items'])} items, {size:,} bytes of JSON, {len(redactor.secrets)} secret forms; "
        f"medians of {args.repeat}"
    )
    for label, ms in rows:
        print(f"  {label:<36} {ms:7.2f} ms   {ms / reference:5.1f}x the reference")


if __name__ == "__main__":
    main()
