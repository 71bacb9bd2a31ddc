"""Inputs as agents write them: does a create operation work with only its required fields?

For every generated create operation (SDK method `create_*`), a call with only the fields its
schema requires (at every depth, with the realistic sample values of tests/schema_samples.py)
goes through the runtime's validation (`Runner.validate`, as every tool call does) and then
through the generated call function and the SDK up to the HTTP request, which is captured,
not sent. It passes when the SDK forms a request. Also counted: the values those minimal calls
hold (what an agent must write before a create can even be tried). Nothing leaves the process.

    python bench/inputs.py            # the share, then each failing operation
"""

from __future__ import annotations

import json
import keyword
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import FAKE_CREDENTIALS, ROOT, describe

sys.path.insert(0, str(ROOT))


class _Formed(Exception):
    """Raised by the captured `_request`: the SDK formed a request (what it would send)."""


def _capture(method: str, path: str, params: Any = None, headers: Any = None, body: Any = None) -> Any:
    json.dumps(body)  # the SDK would serialise it next
    raise _Formed(f"{method} {path}")


def required_only(op: dict[str, Any]) -> dict[str, Any]:
    """The schema's required fields (and, inside them, the required fields of nested objects)."""
    from tests.schema_samples import sample

    schema = op["input_schema"]
    defs = schema.get("$defs", {})
    return {key: sample(schema["properties"][key], defs, key) for key in schema.get("required", [])}


def _leaves(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(_leaves(v) for v in value)
    return 1


def check(entry: Any, runner: Any, client: Any) -> str | None:
    """None when the minimal call passes validation and forms a request; else why not."""
    from scw_mcp.runtime.errors import ToolFailure

    arguments = required_only(entry.data)
    try:
        runner.validate(entry, arguments)
    except ToolFailure as exc:
        return f"validation: {exc}"
    api_class, function = entry.function()
    api = api_class(client)
    api._request = _capture
    kwargs = {(f"{k}_" if keyword.iskeyword(k) else k): v for k, v in arguments.items()}
    try:
        function(api, **kwargs)
    except _Formed:
        return None
    except Exception as exc:  # noqa: BLE001 - every failure is a finding
        return f"conversion: {type(exc).__name__}: {describe(exc)}"
    return "conversion: the SDK returned without a request"


def run(log: Any = print) -> dict[str, Any]:
    from scaleway import Client

    from scw_mcp.runtime.catalog import load_catalog
    from scw_mcp.runtime.invoke import Runner
    from scw_mcp.runtime.settings import Settings

    load_catalog.cache_clear()  # the catalog on disk now
    catalog = load_catalog()
    env = FAKE_CREDENTIALS
    settings = Settings(access_key=env["SCW_ACCESS_KEY"], secret_key=env["SCW_SECRET_KEY"],
                        project_id=env["SCW_DEFAULT_PROJECT_ID"], organization_id=env["SCW_DEFAULT_ORGANIZATION_ID"])
    client = Client(access_key=env["SCW_ACCESS_KEY"], secret_key=env["SCW_SECRET_KEY"], api_url="http://127.0.0.1:9",
                    default_project_id=env["SCW_DEFAULT_PROJECT_ID"],
                    default_organization_id=env["SCW_DEFAULT_ORGANIZATION_ID"],
                    default_region=env["SCW_DEFAULT_REGION"], default_zone=env["SCW_DEFAULT_ZONE"])
    runner = Runner(catalog, settings)
    creates = [e for e in catalog.entries.values()
               if not e.is_override and e.data["sdk"].rsplit(".", 1)[1].startswith("create")]
    failures = {}
    fields = sum(_leaves(required_only(e.data)) for e in creates)
    for entry in sorted(creates, key=lambda e: e.name):
        problem = check(entry, runner, client)
        if problem is not None:
            failures[entry.name] = problem
    passed = len(creates) - len(failures)
    log(f"  create operations passing with only their required fields: {passed}/{len(creates)}; "
        f"values in those calls: {fields} ({fields / len(creates):.1f} per operation)")
    return {"operations": len(creates), "passed": passed, "rate": passed / len(creates), "required_values": fields,
            "failures": failures}


def main() -> int:
    result = run()
    for name, problem in result["failures"].items():
        print(f"  {name}: {problem[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
