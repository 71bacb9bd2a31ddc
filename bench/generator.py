"""Generator: full regeneration (`scw-mcp-gen --out <tmpdir>`) and the drift check (`--check`).

Both run as a user runs them (the console script, a fresh process each time). The drift
check's reference is the full regeneration: it does the same work and diffs instead of writing.
Its exit status is recorded (1 = the committed tree differs from what the installed SDK gives).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import ROOT, median

GEN = Path(sys.executable).with_name("scw-mcp-gen")


def _cmd(*args: str) -> list[str]:
    if GEN.exists():
        return [str(GEN), *args]
    return [sys.executable, "-c", "from scw_mcp.generator.cli import main; main()", *args]


def _timed(args: list[str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(_cmd(*args), cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
    return elapsed, proc.returncode, (tail[-1] if tail else "")


def run(repeat: int, log=print) -> dict[str, Any]:
    full, check = [], []
    full_rc = check_rc = 0
    full_msg = check_msg = ""
    for i in range(repeat):
        out = tempfile.mkdtemp(prefix="scw-bench-gen-")
        try:
            t, full_rc, full_msg = _timed(["--out", out])
            full.append(t)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        t, check_rc, check_msg = _timed(["--check"])
        check.append(t)
        log(f"  generator round {i + 1}/{repeat} done")
    return {
        "runs": repeat,
        "full_s": median(full),
        "full_samples_s": [round(x, 3) for x in full],
        "full_exit": full_rc,
        "full_message": full_msg,
        "check_s": median(check),
        "check_samples_s": [round(x, 3) for x in check],
        "check_exit": check_rc,
        "check_message": check_msg if check_rc else "no drift",
    }
