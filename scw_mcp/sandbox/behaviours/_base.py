"""What the product modules share: the registries and a few helpers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from .. import shapes
from ..engine import Behaviour, Call, Engine, Remover, Reply, region_of

BEHAVIOURS: dict[tuple[str, str], Behaviour] = {}
ON_REMOVE: dict[str, Remover] = {}  # collection template -> hook run once an item is gone


def behaviour(verb: str, *paths: str) -> Callable[[Behaviour], Behaviour]:
    """Register a behaviour for one route (or the same one of several API versions)."""

    def register(fn: Behaviour) -> Behaviour:
        for path in paths:
            BEHAVIOURS[(verb, path)] = fn
        return fn

    return register


def on_remove(*templates: str) -> Callable[[Remover], Remover]:
    def register(fn: Remover) -> Remover:
        for template in templates:
            ON_REMOVE[template] = fn
        return fn

    return register


def cls(python: str) -> Any:
    return shapes.load(python)


def new_id() -> str:
    return str(uuid.uuid4())


def apply_change(current: list[Any], named: list[Any], change: str) -> list[Any]:
    """A member list after an add / remove / set request (add keeps what is there, in order)."""
    if change == "set":
        return named
    if change == "add":
        return current + [i for i in named if i not in current]
    return [i for i in current if i not in named]


def error(status: int, message: str, kind: str = "invalid_request_error", **extra: Any) -> Reply:
    return Reply(status, {"message": message, "type": kind, **extra})


def precondition(help_message: str, precondition_name: str = "resource_still_in_use") -> Reply:
    """The API's 412 (recorded for Private Networks and Secret Manager, e.g.)."""
    return Reply(
        412,
        {
            "message": "precondition is not respected",
            "precondition": precondition_name,
            "help_message": help_message,
            "type": "precondition_failed",
        },
    )


def flag(call: Call, name: str) -> bool | None:
    """A boolean query parameter (the SDK sends True/False, curl users true/false)."""
    value = call.arg(name)
    return None if value is None else value.lower() == "true"


__all__ = [
    "BEHAVIOURS",
    "ON_REMOVE",
    "Call",
    "Engine",
    "Reply",
    "apply_change",
    "behaviour",
    "cls",
    "error",
    "flag",
    "new_id",
    "on_remove",
    "precondition",
    "region_of",
]
