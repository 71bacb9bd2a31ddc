"""Helpers to drive the real `scw-mcp` over stdio through the real mcp client."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import AsyncIterator
from typing import Any

from mcp import Client, StdioServerParameters

from tests.conftest import ROOT


def clean_env(tmp_home: str, **extra: str) -> dict[str, str]:
    """An environment with no Scaleway settings but the ones given (and no real config file)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCW_", "AWS_"))}
    env.update({"HOME": tmp_home, "XDG_CONFIG_HOME": os.path.join(tmp_home, ".config"), "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def server_params(args: list[str], env: dict[str, str]) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", "scw_mcp.cli", *args], env=env, cwd=str(ROOT))


@contextlib.asynccontextmanager
async def stdio_client(args: list[str], env: dict[str, str], **client_kwargs: Any) -> AsyncIterator[Client]:
    async with Client(server_params(args, env), read_timeout_seconds=60, **client_kwargs) as client:
        yield client


def text_of(result: Any) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)
