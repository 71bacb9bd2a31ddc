"""Drive the real server in process through the mcp SDK's in-memory client (the default for
server tests; tests/e2e.py runs it over stdio for the few smoke tests that need a process)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from mcp import Client

from scw_mcp.runtime.policy import Policy
from scw_mcp.runtime.settings import Settings, load_settings
from scw_mcp.server import ServerOptions, build_server


def sandbox_settings(sb: Any) -> Settings:
    """Settings pointing at a sandbox (fake API and, when started, S3)."""
    return load_settings(environ=sb.env()) if sb is not None else Settings()


def server_for(
    sb: Any = None,
    *,
    toolsets: tuple[str, ...] = ("core",),
    read_only: bool = False,
    policy: Policy | None = None,
    confirm: bool = True,
    allow_lockout: bool = False,
    budget: int | None = None,
    settings: Settings | None = None,
) -> Any:
    options = ServerOptions(
        toolsets=toolsets,
        read_only=read_only,
        confirm_destructive=confirm,
        allow_lockout=allow_lockout,
        policy=policy or Policy(),
        **({"budget": budget} if budget else {}),
    )
    return build_server(settings or sandbox_settings(sb), options)


@contextlib.asynccontextmanager
async def session(sb: Any = None, client_kwargs: dict[str, Any] | None = None, **options: Any) -> AsyncIterator[Client]:
    async with Client(server_for(sb, **options), **(client_kwargs or {})) as client:
        yield client


def calls(
    sb: Any,
    *calls: tuple[str, dict[str, Any]],
    client_kwargs: dict[str, Any] | None = None,
    chain: Callable[[list[Any]], dict[str, str]] | None = None,
    **options: Any,
) -> list[Any]:
    """Run tool calls in one session; their results in order. With `chain`, string arguments
    such as "{id}" are filled from what chain(results so far) returns, once the first call is done."""

    async def scenario() -> list[Any]:
        results: list[Any] = []
        async with session(sb, client_kwargs, **options) as client:
            for name, arguments in calls:
                if chain is not None and results:
                    values = chain(results)
                    arguments = {
                        k: v.format(**values) if isinstance(v, str) and "{" in v else v for k, v in arguments.items()
                    }
                results.append(await client.call_tool(name, arguments))
        return results

    return anyio.run(scenario)


def text_of(result: Any) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)


def ok(result: Any) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    return result.structured_content
