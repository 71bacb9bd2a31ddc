"""The reference server: the PyPI package `scaleway-mcp` 0.1.0 (another project), in its own venv.

Its wheel declares the console script `scaleway-mcp = scaleway_mcp.server:main` (FastMCP 3,
scaleway-async, aioboto3), serving stdio by default; it reads the standard SCW_* variables.
We give it well-formed throw-away credentials, an API URL and HTTP(S) proxies on a closed
loopback port, and switch off FastMCP's start-up update check (a request to pypi.org).
"""

from __future__ import annotations

import subprocess
import sys

from common import FAKE_CREDENTIALS, PEER_PACKAGE, PEER_VENV, ServerSpec, clean_env, closed_port

SCRIPT = PEER_VENV / "bin" / "scaleway-mcp"
PYTHON = PEER_VENV / "bin" / "python"


def ensure_peer(log=print) -> str | None:
    """Create bench/.peer-venv with scaleway-mcp installed; return None, or why it failed."""
    if SCRIPT.exists():
        check = subprocess.run(
            [str(PYTHON), "-c", "import importlib.metadata as m; print(m.version('scaleway-mcp'))"],
            capture_output=True,
            text=True,
        )
        if check.returncode == 0 and check.stdout.strip() == PEER_PACKAGE.split("==")[1]:
            return None
    log(f"installing {PEER_PACKAGE} into {PEER_VENV} (once; about a minute)...")
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", "--clear", str(PEER_VENV)], check=True, capture_output=True, text=True
        )
        subprocess.run(
            [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PEER_PACKAGE],
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        )
    except subprocess.CalledProcessError as exc:
        tail = (exc.stderr or exc.stdout or "").strip().splitlines()[-3:]
        return f"could not install {PEER_PACKAGE}: {' / '.join(tail) or exc}"
    except subprocess.TimeoutExpired:
        return f"installing {PEER_PACKAGE} took more than 10 minutes"
    return None if SCRIPT.exists() else f"{PEER_PACKAGE} installed no 'scaleway-mcp' script"


def peer_spec(home: str) -> ServerSpec:
    env = clean_env(
        home,
        **FAKE_CREDENTIALS,
        SCW_API_URL=f"http://127.0.0.1:{closed_port()}",
        # FastMCP checks PyPI for a newer FastMCP before serving (a blocking HTTPS call
        # whose cache lives in HOME); switched off: no network, and not its own cost.
        FASTMCP_CHECK_FOR_UPDATES="off",
    )
    return ServerSpec("scaleway-mcp 0.1.0 (peer)", str(SCRIPT), [], env, peer=True)
