"""Ask the user to confirm a destructive call, where the client supports elicitation.

Uses the mcp SDK's resolver machinery, which speaks both protocol eras: a mid-call
`elicitation/create` request on older connections, an `InputRequiredResult` round trip on
2026-07-28 ones. Clients without the capability get the two-step token protocol instead.
"""

from __future__ import annotations

from typing import Any

from mcp.server.elicitation import AcceptedElicitation
from mcp.server.mcpserver.resolve import Elicit, Resolve, build_resolver_plans, resolve_arguments
from mcp_types import InputRequiredResult
from pydantic import BaseModel, Field


class Confirmation(BaseModel):
    confirm: bool = Field(description="Proceed with this destructive operation?")


def _ask(confirmation_message: str) -> Elicit[Confirmation]:
    return Elicit(confirmation_message, Confirmation)


_PARAMS = {"answer": (Resolve(_ask), True)}
_PLANS = build_resolver_plans(_PARAMS, {"confirmation_message"})


def supported(context: Any) -> bool:
    try:
        capabilities = context.client_capabilities
    except Exception:  # no active request (in-process calls outside MCP)
        return False
    elicitation = getattr(capabilities, "elicitation", None)
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


async def confirm(context: Any, message: str) -> bool | InputRequiredResult:
    """True if the user accepted, False if declined/cancelled, or the round trip to make."""
    resolved = await resolve_arguments(_PARAMS, _PLANS, {"confirmation_message": message}, context)
    if isinstance(resolved, InputRequiredResult):
        return resolved
    outcome = resolved["answer"]
    return isinstance(outcome, AcceptedElicitation) and bool(outcome.data.confirm)
