"""Arguments checked before anything is sent: the schema, one-of groups, and path segments.

Messages say where, what, and the limit broken; a secret (a write-only field, or one named
like a password) is never quoted: "'hunter2' is too short" would echo a password into the
error and the logs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .errors import ToolFailure
from .normalize import normalize
from .secrets import is_secret_name

if TYPE_CHECKING:
    import jsonschema

_validators: dict[int, jsonschema.Draft202012Validator] = {}

# A path parameter becomes one URL segment: nothing that ends it, escapes it or climbs out of it.
_SEGMENT_BREAKERS = re.compile(r"[/?#%\\\x00-\x1f\x7f]")


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """One compiled validator per schema object (catalog schemas live as long as the process)."""
    import jsonschema  # on the first call, not at start-up

    validator = _validators.get(id(schema))
    if validator is None or validator.schema is not schema:
        validator = _validators[id(schema)] = jsonschema.Draft202012Validator(schema)
    return validator


def validate(op: Any, arguments: dict[str, Any]) -> None:
    """Raise ToolFailure (naming each bad field) unless the arguments fit the operation.

    First the arguments are taken as agents write them (normalize: null means not set, enum
    values in any spelling); the dict is updated in place."""
    normalized = normalize(op.input_schema, arguments)
    arguments.clear()
    arguments.update(normalized)
    errors = list(_validator(op.input_schema).iter_errors(arguments))
    if errors:
        raise ToolFailure(format_errors(op.name, errors))
    for group, members in op.one_of:
        given = [m for m in members if arguments.get(m) is not None]
        if len(given) > 1:
            raise ToolFailure(
                f"Invalid arguments for {op.name}: at most one of {', '.join(members)} may be set ({group})."
            )
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


# Arguments whose keys the SDK puts in the URL, one request per key: the SDK's own
# InstanceUtilsV1API.set_all_server_user_data sends PATCH .../user_data/{key} for each.
KEYS_IN_PATH = {"instance_set_all_server_user_data": "user_data"}


def check_path_params(tool: str, names: tuple[str, ...] | list[str], arguments: dict[str, Any]) -> None:
    """Ids stay in their URL segment: `/`, `?`, `#`, `%`, `..` and control characters are refused."""
    for name in names:
        if name not in arguments:
            continue
        problem = segment_problem(arguments[name])
        if problem:
            raise ToolFailure(
                f"Invalid arguments for {tool}: {name} {problem}. "
                "What to do: pass the resource's id as the API returned it."
            )
    keyed = arguments.get(KEYS_IN_PATH.get(tool, ""))
    for key in keyed if isinstance(keyed, dict) else ():
        problem = segment_problem(key)
        if problem:
            raise ToolFailure(
                f"Invalid arguments for {tool}: the key {key!r} of {KEYS_IN_PATH[tool]} {problem}: each key is a "
                "segment of the request's URL. What to do: name keys with letters, digits, '-' and '_'."
            )


MAX_ERRORS = 8

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "an array",
    "object": "an object",
    "null": "null",
}


def format_errors(tool: str, errors: list[jsonschema.ValidationError]) -> str:
    lines = []
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])[:MAX_ERRORS]:
        where = ".".join(str(p) for p in error.absolute_path) or "arguments"
        lines.append(f"{where}: {_message(tool, error)}")
    return f"Invalid arguments for {tool}: " + "; ".join(lines) + "."


def _is_secret(error: jsonschema.ValidationError) -> bool:
    """A value the message must not quote: a writeOnly field, or one named like a secret."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    names = [p for p in error.absolute_path if isinstance(p, str)]
    if isinstance(error.instance, dict):
        names += [k for k in error.instance if isinstance(k, str)]
    return bool(schema.get("writeOnly")) or any(is_secret_name(n) for n in names)


def _expected(types: Any) -> str:
    names = types if isinstance(types, list) else [types]
    return " or ".join(_TYPE_NAMES.get(t, str(t)) for t in names)


def _plural(count: Any, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _message(tool: str, error: jsonschema.ValidationError) -> str:
    secret = _is_secret(error)
    value = "the value" if secret else repr(error.instance)
    limit = error.validator_value
    match error.validator:
        case "minLength":
            return f"{value} is too short: at least {_plural(limit, 'character')}"
        case "maxLength":
            return f"{value} is too long: at most {_plural(limit, 'character')}"
        case "minimum":
            return f"{value} is below the minimum: at least {limit}"
        case "maximum":
            return f"{value} is above the maximum: at most {limit}"
        case "exclusiveMinimum":
            return f"{value} is too small: more than {limit}"
        case "exclusiveMaximum":
            return f"{value} is too large: less than {limit}"
        case "pattern":
            return f"{value} does not match the pattern {limit}"
        case "minItems":
            return f"too few items: at least {_plural(limit, 'item')}"
        case "maxItems":
            return f"too many items: at most {_plural(limit, 'item')}"
        case "enum":
            return f"{value} is not one of the accepted values: {', '.join(map(str, limit))}"
        case "type" if error.instance is None:
            return f"null is not accepted here: give {_expected(limit)}"
        case "type":
            return f"{value} is not {_expected(limit)}"
        case "additionalProperties":
            return f"{error.message}; see describe_operation('{tool}') for the parameters"
    message = error.message
    if secret:
        message = message.replace(repr(error.instance), "the value")
        if isinstance(error.instance, str) and error.instance and error.instance in message:
            message = f"the value fails the {error.validator!r} check"
    return message
