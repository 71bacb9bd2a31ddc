"""Every generated module imports; every tool's schema accepts a realistic call, rejects a
wrong type, and its function turns that call into the SDK method's typed arguments."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import keyword
import typing

import jsonschema
import pytest

from scw_mcp import generated
from tests.schema_samples import realistic_call


class RecordingApi:
    """Stands in for an SDK API instance: records the method called and its arguments."""

    def __init__(self, api_class):
        self.api_class = api_class
        self.calls = []

    def __getattr__(self, method):
        def record(**kwargs):
            self.calls.append((method, kwargs))
            return {"ok": True}

        return record


def _module(name):
    return importlib.import_module(f"scw_mcp.generated.{name}")


def test_every_module_imports_and_lists_its_operations(catalog):
    by_module = {}
    for op in catalog["operations"]:
        if not op.get("client"):  # S3 modules: tests/generator/test_s3.py
            by_module.setdefault(op["module"], set()).add(op["name"])
    assert set(by_module) == set(generated.MODULES)
    for name in generated.MODULES:
        module = _module(name)
        assert set(module.OPERATIONS) == by_module[name], name
        assert module.__doc__ and "DO NOT EDIT" in inspect.getsource(module).splitlines()[0]


def _wrong_type(schema):
    for key, prop in schema.get("properties", {}).items():
        if prop.get("type") in ("string", "boolean", "array", "object"):
            return {key: 12345}
        if prop.get("type") in ("integer", "number"):
            return {key: "not a number"}
    return {"no_such_parameter": 1}


@pytest.mark.parametrize("module_name", generated.MODULES)
def test_schemas_accept_realistic_calls_and_reject_wrong_types(module_name, operations):
    module = _module(module_name)
    for tool, (api_class, function) in module.OPERATIONS.items():
        op = operations[tool]
        validator = jsonschema.Draft202012Validator(op["input_schema"])
        args = realistic_call(op)
        errors = list(validator.iter_errors(args))
        assert not errors, f"{tool}: {errors[0].message}"
        wrong = {**args, **_wrong_type(op["input_schema"])}
        assert list(validator.iter_errors(wrong)), f"{tool} accepted {wrong}"

        api = RecordingApi(api_class)
        function(api, **{(f"{k}_" if keyword.iskeyword(k) else k): v for k, v in args.items()})
        ((method, sdk_kwargs),) = api.calls
        assert op["sdk"].endswith(f".{method}"), tool
        sdk_method = getattr(api_class, method)
        hints = typing.get_type_hints(sdk_method)
        sdk_params = set(inspect.signature(sdk_method).parameters) - {"self"}
        if "kwargs" not in sdk_params:
            assert set(sdk_kwargs) <= sdk_params, tool
        for key, value in sdk_kwargs.items():
            hint = hints.get(key)
            base = typing.get_args(hint)[0] if typing.get_origin(hint) is typing.Union else hint
            if isinstance(base, type) and dataclasses.is_dataclass(base) and value is not None:
                assert isinstance(value, base), f"{tool}.{key}: {type(value)} is not {base}"


def test_the_catalog_holds_sdk_parameters_and_the_waiter_only(operations):
    """The runner adds its own options (confirm_token, all_pages) at run time: runtime/options.py."""
    for op in operations.values():
        props = op["input_schema"].get("properties", {})
        assert not {"confirm_token", "all_pages"} & set(props), op["name"]
        assert ("wait" in props) == (op["wait"] is not None), op["name"]
        assert set(op["path_params"]) <= set(props), op["name"]
