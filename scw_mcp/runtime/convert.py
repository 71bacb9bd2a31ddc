"""Conversions between JSON values and the SDK's typed objects.

`to_sdk` turns a validated JSON argument into what an SDK method expects (dataclasses,
datetimes, ScwFile, bytes); `to_json` turns any SDK result into JSON: enums as their
values, datetimes ISO 8601, bytes base64, field names as on the wire. `zero` is what a field
the caller left out gets when the SDK has no default for it.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import enum
import types
import typing
from decimal import Decimal
from functools import cache
from typing import Any


class ConversionError(ValueError):
    """An argument that validated against the schema but cannot become an SDK value."""


@cache
def _dataclass_fields(cls: type) -> tuple[tuple[str, Any, bool], ...]:
    """(sdk name, type hint, required) of each field."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING  # type: ignore[misc]
        out.append((f.name, hints[f.name], required))
    return tuple(out)


def _wire(name: str) -> str:
    return name[:-1] if name.endswith("_") and not name.endswith("__") else name


def _parse_datetime(value: str) -> datetime.datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ConversionError(f"{value!r} is not an ISO 8601 date-time (e.g. 2026-01-31T12:00:00Z)") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


_SCALAR_ZEROS: dict[Any, Any] = {str: "", bool: False, int: 0, float: 0.0}


def zero(hint: Any) -> Any:
    """The value Scaleway's APIs read as "not set", as the SDK takes it: "", 0, false, [], {};
    None (left out of the request) for enums, nested objects, datetimes, files and optional
    fields: an absent enum is read as its first value (the protobuf zero)."""
    origin = typing.get_origin(hint)
    if origin is list:
        return []
    if origin is dict:
        return {}
    return _SCALAR_ZEROS.get(hint)


def or_zero(value: Any, hint: Any) -> Any:
    """`value`, or the zero value of `hint` when it is None (the caller left the field out)."""
    return zero(hint) if value is None else value


def to_sdk(value: Any, hint: Any, path: str = "") -> Any:
    """Convert a JSON value to the SDK type `hint` (None stays None)."""
    from scaleway_core.bridge import ScwFile  # at the first call, not at start-up

    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return to_sdk(value, args[0], path) if len(args) == 1 else value
    if origin is list:
        (item,) = typing.get_args(hint)
        return [to_sdk(v, item, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        _, item = typing.get_args(hint)
        return {k: to_sdk(v, item, f"{path}.{k}") for k, v in value.items()}
    if hint is datetime.datetime:
        return value if isinstance(value, datetime.datetime) else _parse_datetime(value)
    if hint is bytes:
        try:
            return base64.b64decode(value, validate=True)
        except ValueError as exc:
            raise ConversionError(f"{path or 'value'}: not valid base64") from exc
    if hint is ScwFile:
        return ScwFile(name=value["name"], content_type=value["content_type"], content=value["content"])
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConversionError(f"{path or 'value'}: expected an object")
        kwargs = {}
        for name, field_hint, required in _dataclass_fields(hint):
            wire = _wire(name)
            if wire in value:
                kwargs[name] = to_sdk(value[wire], field_hint, f"{path}.{wire}" if path else wire)
            elif required:  # the SDK's dataclasses have no default for most fields
                kwargs[name] = zero(field_hint)
        return hint(**kwargs)
    return value


_PLAIN = frozenset({str, int, float, bool, type(None)})


@cache
def _wire_fields(cls: type) -> tuple[tuple[str, str], ...] | None:
    """(attribute, wire name) of a dataclass's fields; None for other classes."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple((f.name, _wire(f.name)) for f in dataclasses.fields(cls))


def to_json(obj: Any) -> Any:
    """Any SDK result as JSON-compatible data."""
    kind = type(obj)
    if kind in _PLAIN:  # the hot path: most leaves of a result (exact types: enums are str subclasses)
        return obj
    if kind is list:
        return [to_json(v) for v in obj]
    if kind is dict:
        return {str(k): to_json(v) for k, v in obj.items()}
    fields = _wire_fields(kind)
    if fields is not None:
        return {wire: to_json(getattr(obj, name)) for name, wire in fields}
    if isinstance(obj, enum.Enum):  # before str: the SDK's enums are str subclasses
        return obj.value
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (datetime.datetime, datetime.date)):
        return obj.isoformat()
    if isinstance(obj, (bytes, bytearray)):
        return base64.b64encode(bytes(obj)).decode("ascii")
    if isinstance(obj, Decimal):
        return float(obj)
    if isinstance(obj, dict):
        return {str(k): to_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [to_json(v) for v in obj]
    if hasattr(obj, "status_code") and hasattr(obj, "content"):  # requests.Response (raw SDK results)
        content_type = obj.headers.get("Content-Type", "")
        body = obj.content
        if "json" in content_type:
            try:
                return obj.json()
            except ValueError:
                pass
        try:
            return {"content_type": content_type, "text": body.decode("utf-8")}
        except UnicodeDecodeError:
            return {"content_type": content_type, "base64": base64.b64encode(body).decode("ascii")}
    if isinstance(obj, datetime.timedelta):
        return obj.total_seconds()
    return str(obj)
