"""JSON shapes from the SDK's own dataclasses: blank resources, body checks, type-aware merges.

The sandbox answers with what the SDK unmarshals, so every shape here is read from the
type hints of the SDK class a route returns (the route table names it).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import importlib
import types
import typing
from functools import cache
from typing import Any

# State and status values that mean "exists and works", preferred for a new resource.
_SETTLED = ("ready", "running", "available", "active", "enabled", "created", "ok", "success", "succeeded")
_MAX_DEPTH = 4  # nested objects deeper than this stay null (some SDK types are recursive)


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@cache
def load(python: str) -> Any:
    """'scaleway.vpc.v2.types:PrivateNetwork' -> the class (None for '')."""
    if not python:
        return None
    module, _, name = python.partition(":")
    return getattr(importlib.import_module(module), name)


@cache
def hints(cls: Any) -> dict[str, Any]:
    """Field name on the wire -> type hint (`type_` is `type` in JSON)."""
    if not dataclasses.is_dataclass(cls):
        return {}
    return {name.rstrip("_"): hint for name, hint in typing.get_type_hints(cls).items()}


@cache
def required_fields(cls: Any) -> tuple[str, ...]:
    """Wire names of the fields the SDK class declares required and not nullable."""
    if not dataclasses.is_dataclass(cls):
        return ()
    hinted = typing.get_type_hints(cls)
    return tuple(
        f.name.rstrip("_")
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
        and not unwrap(hinted[f.name])[1]
    )


def unwrap(hint: Any) -> tuple[Any, bool]:
    """Optional[X] -> (X, True)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return (args[0] if len(args) == 1 else typing.Any), True
    return hint, False


def enum_value(cls: type[enum.Enum], field_name: str = "") -> str:
    values = [str(m.value) for m in cls]
    if field_name in ("state", "status"):
        for wanted in _SETTLED:
            if wanted in values:
                return wanted
    return next((v for v in values if "unknown" not in v), values[0])


def blank(hint: Any, field_name: str = "", depth: int = 0) -> Any:
    """The JSON value a fresh resource has for a field of this type."""
    hint, optional = unwrap(hint)
    origin = typing.get_origin(hint)
    if origin is list:
        return []
    if origin is dict:
        return {}
    if optional:
        return None
    if hint is str:
        return ""
    if hint is bool:
        return False
    if hint in (int, float):
        return 0
    if hint is datetime.datetime:
        return now()
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return enum_value(hint, field_name)
    if dataclasses.is_dataclass(hint) and depth < _MAX_DEPTH:
        return skeleton(hint, depth + 1)
    return None


def skeleton(cls: Any, depth: int = 0) -> dict[str, Any]:
    """A blank object of an SDK class, every field present."""
    return {name: blank(hint, name, depth) for name, hint in hints(cls).items()}


def fits(value: Any, hint: Any) -> bool:
    """Whether a JSON value has the shape of a type hint (None fits only nullable types)."""
    hint, optional = unwrap(hint)
    if value is None:
        return optional
    origin = typing.get_origin(hint)
    if hint is typing.Any:
        return True
    if origin is list:
        (item,) = typing.get_args(hint) or (typing.Any,)
        return isinstance(value, list) and all(fits(v, item) for v in value)
    if origin is dict:
        args = typing.get_args(hint)
        return isinstance(value, dict) and all(fits(v, args[1] if args else typing.Any) for v in value.values())
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is str or hint is datetime.datetime or (isinstance(hint, type) and issubclass(hint, enum.Enum)):
        return isinstance(value, str)
    if dataclasses.is_dataclass(hint):
        return isinstance(value, dict)
    return True


def merge(resource: dict[str, Any], body: dict[str, Any], cls: Any) -> None:
    """Copy the body's fields that the resource has, with the same shape (others are request-only)."""
    fields = hints(cls)
    for key, value in body.items():
        if key in fields and value is not None and fits(value, fields[key]):
            resource[key] = value


def invalid_arguments(body: Any, cls: Any, path_params: set[str]) -> list[dict[str, str]]:
    """The real API's 400 details for a body that misses required fields or has wrong types."""
    if cls is None:
        return []
    if not isinstance(body, dict):
        return [{"argument_name": "", "reason": "constraint", "help_message": "the body must be a JSON object"}]
    details = []
    for name in required_fields(cls):
        if name not in path_params and body.get(name) is None:
            details.append({"argument_name": name, "reason": "required", "help_message": "required key not provided"})
    fields = hints(cls)
    for key, value in body.items():
        if key in fields and value is not None and not fits(value, fields[key]):
            details.append({"argument_name": key, "reason": "constraint", "help_message": "value has the wrong type"})
    return details
