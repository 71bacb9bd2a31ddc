"""What a running operation (generated or hand-written) gets from the server.

Hand-written overrides receive a `CallContext` as their first argument: the effective
settings, SDK API objects and S3 clients for them, validated zone/region defaults, a way
to run blocking SDK code in a worker thread, progress/log notifications to the client (both
redacted), and `created` to name what a call made before it failed.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio.to_thread

from .localities import check_region, check_zone
from .redact import Redactor
from .settings import Settings

T = TypeVar("T")
log = logging.getLogger("scw_mcp")


@dataclass
class CallContext:
    settings: Settings
    tool: str
    mcp_context: Any = None  # mcp.server.mcpserver.Context, when called over MCP
    redactor: Redactor | None = None  # the call's: the configured secrets and its secret-named arguments
    notes: list[str] = field(default_factory=list)
    waited: dict[str, Any] | None = None  # a wait that reached its deadline: where it stands, how to go on
    created: list[str] = field(default_factory=list)  # "server 1f0c…": named by any error that follows

    def __post_init__(self) -> None:
        if self.redactor is None:
            self.redactor = self.settings.redactor

    def redact(self, text: str) -> str:
        return self.redactor(text)  # type: ignore[misc]  # set in __post_init__

    # --- defaults and validation -------------------------------------------------------
    @property
    def project_id(self) -> str | None:
        return self.settings.project_id

    def zone(self, zone: str | None = None) -> str:
        return check_zone(zone or self.settings.zone)

    def region(self, region: str | None = None) -> str:
        return check_region(region or self.settings.region)

    # --- clients ---------------------------------------------------------------------
    def api(self, api_class: type[T]) -> T:
        """An SDK API object (e.g. InstanceUtilsV1API) for the configured credentials."""
        from .clients import sdk_api  # requests and the SDK: on the first call, not at start-up

        self.settings.require_credentials()
        return sdk_api(self.settings, api_class)

    def s3(self, region: str | None = None) -> Any:
        """A boto3 S3 client for Scaleway Object Storage in a region."""
        from .clients import s3_client

        self.settings.require_credentials()
        return s3_client(self.settings, self.region(region))

    # --- running ---------------------------------------------------------------------
    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking (SDK, boto3) code in a worker thread."""
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))

    async def progress(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        if self.mcp_context is not None:
            try:
                shown = None if message is None else self.redact(message)
                await self.mcp_context.report_progress(progress, total, shown)
            except Exception:  # a client that cannot take progress must not fail the call
                log.debug("progress notification failed", exc_info=True)

    async def info(self, message: str) -> None:
        message = self.redact(message)
        log.info("%s: %s", self.tool, message)
        if self.mcp_context is not None:
            try:
                await self.mcp_context.info(message, logger_name="scw_mcp")
            except Exception:
                log.debug("log notification failed", exc_info=True)

    def note(self, text: str) -> None:
        """A line added to the result's `notes` (e.g. what was left in place)."""
        self.notes.append(text)

    def made(self, what: str) -> None:
        """Record a resource this call created ("server <id>"): if a later step fails, the error names it,
        so the agent continues from it instead of creating it again."""
        self.created.append(what)
