"""Arguments checked before anything is sent: the schema, one-of groups, and path segments.

Messages name the field and never quote a secret's value.
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema

from .errors import ToolFailure
from .secrets import is_secret_name

_validators: dict[int, jsonschema.Draft202012Validator] = {}

# A path parameter becomes one URL segment: nothing that ends it, escapes it or climbs out of it.
_SEGMENT_BREAKERS = re.compile(r"[/?#%\\\x00-\x1f\x7f]")


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """One compiled validator per schema object (catalog schemas live as long as the process)."""
    validator = _validators.get(id(schema))
    if validator is None or validator.schema is not schema:
        validator = _validators[id(schema)] = jsonschema.Draft202012Validator(schema)
    return validator


def validate(op: Any, arguments: dict[str, Any]) -> None:
    """Raise ToolFailure (naming each bad field) unless the arguments fit the operation."""
    errors = list(_validator(op.input_schema).iter_errors(arguments))
    if errors:
        raise ToolFailure(format_validation_errors(op.name, errors))
    for group, members in op.one_of:
        given = [m for m in members if arguments.get(m) is not None]
        if len(given) > 1:
            raise ToolFailure(f"Invalid arguments for {op.name}: at most one of {', '.join(members)} may be set ({group}).")
    check_path_params(op.name, op.path_params, arguments)


def segment_problem(value: Any) -> str | None:
    """Why a value cannot be one URL path segment, or None."""
    if not isinstance(value, str):
        return None
    if value.strip() == "":
        return "is empty"
    if value in (".", ".."):
        return f"is {value!r}"
    found = _SEGMENT_BREAKERS.search(value)
    if found:
        char = found.group()
        shown = repr(char) if char.isprintable() else f"a control character (U+{ord(char):04X})"
        return f"contains {shown}, which cannot appear in an id"
    return None


def check_path_params(tool: str, names: tuple[str, ...] | list[str], arguments: dict[str, Any]) -> None:
    """Ids stay in their URL segment: `/`, `?`, `#`, `%`, `..` and control characters are refused."""
    for name in names:
        if name not in arguments:
            continue
        problem = segment_problem(arguments[name])
        if problem:
            raise ToolFailure(f"Invalid arguments for {tool}: {name} {problem}. What to do: pass the resource's id as the API returned it.")


def _is_secret(error: jsonschema.ValidationError) -> bool:
    """A value the message must not quote: a writeOnly field, or one named like a secret."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    names = [p for p in error.absolute_path if isinstance(p, str)]
    if isinstance(error.instance, dict):
        names += [k for k in error.instance if isinstance(k, str)]
    return bool(schema.get("writeOnly")) or any(is_secret_name(n) for n in names)


def format_validation_errors(tool: str, errors: list[jsonschema.ValidationError]) -> str:
    lines = []
    for error in sorted(errors, key=lambda e: list(e.absolute_path))[:8]:
        where = ".".join(str(p) for p in error.absolute_path) or "arguments"
        message = error.message
        if _is_secret(error):  # "'hunter2' is too short" would echo a password into the error and logs
            message = message.replace(repr(error.instance), "the value")
            if isinstance(error.instance, str) and error.instance and error.instance in message:
                message = f"the value fails the {error.validator!r} check"
        elif error.validator == "enum":
            message = f"{error.instance!r} is not one of the accepted values: {', '.join(map(str, error.validator_value))}"
        elif error.validator == "additionalProperties":
            message = f"{message}; see describe_operation('{tool}') for the parameters"
        lines.append(f"{where}: {message}")
    return f"Invalid arguments for {tool}: " + "; ".join(lines) + "."
