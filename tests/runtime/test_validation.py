"""Validation messages name the field and the limit it broke, and never quote a secret."""

from __future__ import annotations

import jsonschema
import pytest

from scw_mcp.runtime.validation import format_errors

SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 3, "maxLength": 8, "pattern": "^[a-z]+$"},
        "size": {"type": "integer", "minimum": 1, "maximum": 100},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2},
        "order": {"type": "string", "enum": ["asc", "desc"]},
        "password": {"type": "string", "minLength": 8, "maxLength": 128, "pattern": "^[^ ]+$"},
        "token_value": {"type": "string", "enum": ["one", "two"]},
        "key": {"type": "string", "writeOnly": True, "minLength": 20},
        "zone": {"type": "string"},
    },
    "required": ["zone"],
    "additionalProperties": False,
}


def _message(arguments):
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(arguments))
    return format_errors("tool_x", errors)


@pytest.mark.parametrize(
    "arguments, expected",
    [
        ({"name": "ab"}, "name: 'ab' is too short: at least 3 characters"),
        ({"name": "abcdefghi"}, "name: 'abcdefghi' is too long: at most 8 characters"),
        ({"name": "ABC"}, "name: 'ABC' does not match the pattern ^[a-z]+$"),
        ({"size": 0}, "size: 0 is below the minimum: at least 1"),
        ({"size": 101}, "size: 101 is above the maximum: at most 100"),
        ({"ratio": 0}, "ratio: 0 is too small: more than 0"),
        ({"ratio": 1}, "ratio: 1 is too large: less than 1"),
        ({"tags": []}, "tags: too few items: at least 1 item"),
        ({"tags": ["a", "b", "c"]}, "tags: too many items: at most 2 items"),
        ({"order": "sideways"}, "order: 'sideways' is not one of the accepted values: asc, desc"),
        ({"size": "ten"}, "size: 'ten' is not an integer"),
        ({"zone": None}, "zone: null is not accepted here: give a string"),
        ({"nmae": "x"}, "see describe_operation('tool_x') for the parameters"),
    ],
)
def test_messages_name_the_limit(arguments, expected):
    assert expected in _message({"zone": "fr-par-1", **arguments})


def test_a_missing_required_field_is_named():
    assert "arguments: 'zone' is a required property" in _message({})


@pytest.mark.parametrize(
    "arguments, expected",
    [
        ({"password": "hunter2"}, "password: the value is too short: at least 8 characters"),
        ({"password": "hunter 2 hunter"}, "password: the value does not match the pattern ^[^ ]+$"),
        ({"password": 12345678}, "password: the value is not a string"),
        ({"token_value": "hunter2"}, "token_value: the value is not one of the accepted values: one, two"),
        ({"key": "hunter2"}, "key: the value is too short: at least 20 characters"),
    ],
)
def test_secrets_are_never_quoted_but_the_limit_is_given(arguments, expected):
    message = _message({"zone": "fr-par-1", **arguments})
    assert expected in message
    assert "hunter" not in message and "12345678" not in message


def test_one_message_for_several_errors_in_a_stable_order():
    message = _message({"size": 0, "name": "ab"})
    assert message == (
        "Invalid arguments for tool_x: arguments: 'zone' is a required property; "
        "name: 'ab' is too short: at least 3 characters; size: 0 is below the minimum: at least 1."
    )
