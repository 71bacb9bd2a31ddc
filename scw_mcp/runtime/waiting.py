"""Waiting for a resource to settle: one poll loop for generated and hand-written operations.

Each poll sends a progress notification (state, elapsed seconds) when the client gave a
progress token; a cancelled call stops polling (every sleep is a cancellation point); the last
poll is at the deadline, after which the loop returns the current state instead of failing, and
the caller says how to keep waiting (`pending`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio

# Delays between polls: start fast (sandboxes, quick transitions), back off to POLL_MAX so a
# long wait costs few API calls. Module-level so tests can shorten them.
POLL_MIN = 1.0
POLL_MAX = 10.0


@dataclass(frozen=True)
class Waited:
    obj: Any  # the resource as last read
    state: str
    done: bool  # False: the deadline came first
    polls: int
    elapsed: float


async def poll(
    ctx: Any, fetch: Callable[[], Awaitable[tuple[Any, str]]], stop: Callable[[str], bool], *, what: str, seconds: float
) -> Waited:
    """Call `fetch` (-> (object, state)) until `stop(state)` or the deadline; progress on each poll."""
    started = time.monotonic()
    delay = POLL_MIN
    polls = 0
    while True:
        obj, state = await fetch()
        polls += 1
        elapsed = time.monotonic() - started
        await ctx.progress(polls, None, f"{what}: {state} after {shown_seconds(elapsed)} s")
        if stop(state):
            return Waited(obj, state, True, polls, elapsed)
        if elapsed >= seconds:
            return Waited(obj, state, False, polls, elapsed)
        await anyio.sleep(min(delay, seconds - elapsed))  # a short deadline still gets its time: one more read
        delay = min(delay * 1.5, POLL_MAX)


def shown_seconds(elapsed: float) -> float:
    """Seconds as a message shows them: a tenth under 10 s (a 1 s wait is not "0 s"), whole ones above."""
    return round(elapsed, 1) if elapsed < 10 else round(elapsed)


def pending(waited: Waited, what: str, continue_with: dict[str, Any], until: str = "") -> dict[str, Any]:
    """What a result says when its wait reached the deadline: where things stand, how to go on."""
    out: dict[str, Any] = {
        "done": False,
        "state": waited.state,
        "elapsed_seconds": shown_seconds(waited.elapsed),
        "polls": waited.polls,
        "continue_with": continue_with,
    }
    out["hint"] = (
        f"Still {waited.state} after {shown_seconds(waited.elapsed)} s (the wait's deadline, timeout_seconds): "
        f"{what} goes on server-side. Call continue_with to keep waiting{(' ' + until) if until else ''}."
    )
    return out
