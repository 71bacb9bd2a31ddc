"""Inputs as agents write them: does a create operation work with only its required fields?

For every generated create operation (SDK method `create_*`), a call with only the fields its
schema requires (at every depth, with the realistic sample values of tests/schema_samples.py)
goes through the runtime's validation (`validation.validate`, as every tool call does) and then
through the generated call function and the SDK up to the HTTP request, which is captured,
not sent. It passes when the SDK forms a request. Also counted: the values those minimal calls
hold (what an agent must write before a create can even be tried). Nothing leaves the process.

    python bench/inputs.py                        # the share, then each failing operation
    python bench/inputs.py --against OLD.json     # the same calls, validated by another catalog's
                                                  # schemas (e.g. git show main:scw_mcp/generated/catalog.json)
"""

from __future__ import annotations

import argparse
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


def required_only(op: Any) -> dict[str, Any]:
    """The schema's required fields (and, inside them, the required fields of nested objects)."""
    from tests.schema_samples import sample

    schema = op.schema
    defs = schema.get("$defs", {})
    return {key: sample(schema["properties"][key], defs, key) for key in schema.get("required", [])}


def _leaves(value: Any) -> int:
    """Values an agent writes: scalars, and empty objects or arrays (still to be written)."""
    if isinstance(value, (dict, list)) and value:
        return sum(_leaves(v) for v in (value.values() if isinstance(value, dict) else value))
    return 1


def check(entry: Any, arguments: dict[str, Any], client: Any, validate_with: Any = None) -> str | None:
    """None when the call passes validation (by `validate_with`'s schema, default the entry's)
    and the SDK forms a request from it; else why not."""
    from scw_mcp.runtime.errors import ToolFailure
    from scw_mcp.runtime.validation import validate

    arguments = dict(arguments)
    try:
        validate(validate_with or entry, arguments)
    except ToolFailure as exc:
        return f"validation: {exc}"
    api_class, function = entry.executor.function(entry)
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


def run(log: Any = print, against: Path | None = None) -> dict[str, Any]:
    from scaleway import Client

    from scw_mcp.runtime.catalog import Catalog, load_catalog

    load_catalog.cache_clear()  # the catalog on disk now
    catalog = load_catalog()
    other = Catalog.from_json(json.loads(against.read_text(encoding="utf-8"))) if against else None
    env = FAKE_CREDENTIALS
    client = Client(
        access_key=env["SCW_ACCESS_KEY"],
        secret_key=env["SCW_SECRET_KEY"],
        api_url="http://127.0.0.1:9",
        default_project_id=env["SCW_DEFAULT_PROJECT_ID"],
        default_organization_id=env["SCW_DEFAULT_ORGANIZATION_ID"],
        default_region=env["SCW_DEFAULT_REGION"],
        default_zone=env["SCW_DEFAULT_ZONE"],
    )
    creates = sorted(
        (e for e in catalog.entries.values() if e.sdk[0].rsplit(".", 1)[1].startswith("create")), key=lambda e: e.name
    )
    calls = {e.name: required_only(e) for e in creates}
    failures = {}
    for entry in creates:
        problem = check(entry, calls[entry.name], client, other.get(entry.name) if other else None)
        if problem is not None:
            failures[entry.name] = problem
    passed = len(creates) - len(failures)
    values = sum(_leaves(value) for args in calls.values() for value in args.values())
    by = f", validated by {against}" if against else ""
    log(
        f"  create operations passing with only their required fields{by}: {passed}/{len(creates)}; "
        f"values in those calls: {values} ({values / len(creates):.1f} per operation)"
    )
    return {
        "operations": len(creates),
        "passed": passed,
        "rate": passed / len(creates),
        "required_values": values,
        "against": str(against) if against else None,
        "failures": failures,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--against", type=Path, help="validate the calls with this catalog.json's schemas instead")
    args = ap.parse_args()
    result = run(against=args.against)
    for name, problem in result["failures"].items():
        print(f"  {name}: {problem[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
