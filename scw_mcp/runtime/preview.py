"""What a call that asks first shows before it runs: the preview and the confirmation question."""

from __future__ import annotations

import json
from typing import Any

from scw_mcp.safety import DESTRUCTIVE

from . import confirm
from .options import RUNNER_OPTIONS
from .secrets import shown


def _why(op: Any) -> str:
    """Why this call asks first: it is destructive, or the server's policy wants writes like it confirmed."""
    if op.safety == DESTRUCTIVE:
        return f"{op.name} is destructive: it deletes or changes resources in a way that cannot be undone."
    return f"{op.name} changes resources, and this server's policy asks for a confirmation first."


def preview_payload(op: Any, arguments: dict[str, Any], target: Any, token: str, project: str | None) -> dict[str, Any]:
    return {
        "status": "confirmation_required",
        "operation": op.name,
        "arguments": shown(arguments),  # the caller has them; a preview may be logged or shown around
        "project_id": project,
        "warning": f"{_why(op)} Nothing has been done yet.",
        "target": target
        if target is not None
        else "(nothing to show: no operation reads this resource's current state)",
        "confirm_token": token,
        "expires_in_seconds": confirm.TOKEN_TTL_SECONDS,
        "next_step": (
            f"Show this to the user. If they agree, call {op.name} again with the same arguments "
            "plus confirm_token (it works once)."
        ),
    }


QUESTION_TARGET_CHARS = 600  # what the question shows of the previewed state; the person can ask for more


def confirmation_question(op: Any, arguments: dict[str, Any], project: str | None, target: Any = None) -> str:
    """What a person is asked: the call, and what it acts on as read now (the agent's preview, shortened)."""
    listed = ", ".join(f"{k}={v}" for k, v in sorted(shown(arguments).items()) if k not in RUNNER_OPTIONS)
    question = f"Confirm {op.name} ({listed}) in project {project}. {_why(op)}"
    if target is not None:
        state = json.dumps(target, separators=(", ", ": "), ensure_ascii=False, default=str)
        if len(state) > QUESTION_TARGET_CHARS:
            state = state[:QUESTION_TARGET_CHARS] + " …"
        question += f" It acts on: {state}"
    return question


def project_of(state: Any) -> str | None:
    """The project a resource (as read, maybe wrapped: {"server": {...}}) belongs to."""
    if not isinstance(state, dict):
        return None
    for key in ("project", "project_id"):
        if isinstance(state.get(key), str) and state[key]:
            return state[key]
    for value in state.values():
        if isinstance(value, dict):
            for key in ("project", "project_id"):
                if isinstance(value.get(key), str) and value[key]:
                    return value[key]
    return None
