"""Run one operation: validate, guard, confirm, call (in a worker thread), wait, shape.

Typed tools and `call_operation` both come through `Runner.call`, so they validate
against the same schema and obey the same safety rules.
"""

from __future__ import annotations

import inspect
import json
import keyword
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from scw_mcp.safety import READ

from . import confirm, elicit, guards, s3
from .catalog import Catalog, Entry
from .context import CallContext, check_region, check_zone
from .convert import to_json
from .errors import ToolFailure, describe
from .policy import Guard
from .results import DEFAULT_BUDGET, fit_budget, list_page
from .settings import Settings

log = logging.getLogger("scw_mcp")
audit_log = logging.getLogger("scw_mcp.audit")

RUNTIME_OPTIONS = ("all_pages", "wait", "confirm_token")
MAX_PAGES = 50
WAIT_TIMEOUT_SECONDS = 600


@dataclass
class Outcome:
    """What a call produced: JSON data, or an error message."""

    data: dict[str, Any] | None = None
    text: str | None = None  # data as JSON text, when already computed
    error: str | None = None
    input_required: Any = None  # an InputRequiredResult: the client must answer an elicitation first

    @property
    def status(self) -> str:
        if self.error is not None:
            return "error"
        if self.input_required is not None:
            return "awaiting_confirmation"
        status = (self.data or {}).get("status")
        return status if status in ("confirmation_required", "cancelled") else "ok"


_validators: dict[int, jsonschema.Draft202012Validator] = {}


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """One compiled validator per schema object (catalog schemas live as long as the process)."""
    validator = _validators.get(id(schema))
    if validator is None or validator.schema is not schema:
        validator = _validators[id(schema)] = jsonschema.Draft202012Validator(schema)
    return validator


_SECRET_NAME = re.compile(r"password|passphrase|secret|private_key|token", re.IGNORECASE)
HIDDEN = "(hidden)"


def is_secret_name(name: str) -> bool:
    """An argument whose value is a secret (password, secret_key...); ids (secret_id) are not."""
    return bool(_SECRET_NAME.search(name)) and not name.endswith(("_id", "_ids"))


def shown(value: Any) -> Any:
    """Arguments as a preview or a question may show them: secret-named values hidden, at any depth."""
    if isinstance(value, dict):
        return {k: HIDDEN if isinstance(k, str) and is_secret_name(k) and v is not None else shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shown(v) for v in value]
    return value


def _is_secret(error: jsonschema.ValidationError) -> bool:
    """A value the message must not quote: a writeOnly field, or one named like a secret."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    names = [p for p in error.absolute_path if isinstance(p, str)]
    if isinstance(error.instance, dict):
        names += [k for k in error.instance if isinstance(k, str)]
    return bool(schema.get("writeOnly")) or any(is_secret_name(n) for n in names)


def _format_validation_errors(tool: str, errors: list[jsonschema.ValidationError]) -> str:
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


def _python_kwargs(arguments: dict[str, Any]) -> dict[str, Any]:
    return {(f"{k}_" if keyword.iskeyword(k) else k): v for k, v in arguments.items()}


def _dig(data: Any, path: str) -> Any:
    for part in path.split(".") if path else []:
        data = data.get(part) if isinstance(data, dict) else getattr(data, part, None)
    return data


@dataclass
class Runner:
    catalog: Catalog
    settings: Settings
    guard: Guard = field(default_factory=Guard)
    budget: int = DEFAULT_BUDGET

    # --- validation -------------------------------------------------------------------
    def validate(self, entry: Entry, arguments: dict[str, Any]) -> None:
        errors = list(_validator(entry.schema).iter_errors(arguments))
        if errors:
            raise ToolFailure(_format_validation_errors(entry.name, errors))
        for group, members in (entry.data.get("one_of") or {}).items():
            given = [m for m in members if arguments.get(m) is not None]
            if len(given) > 1:
                raise ToolFailure(f"Invalid arguments for {entry.name}: at most one of {', '.join(members)} may be set ({group}).")

    def _fill_locality(self, entry: Entry, arguments: dict[str, Any]) -> None:
        properties = entry.schema.get("properties", {})
        if "zone" in properties and entry.data.get("scope") == "zone":
            if arguments.get("zone") != "all":
                arguments["zone"] = check_zone(arguments.get("zone") or self.settings.zone)
        if "region" in properties and entry.data.get("scope") == "region":
            arguments["region"] = check_region(arguments.get("region") or self.settings.region)

    # --- the call ---------------------------------------------------------------------
    async def call(self, entry: Entry, arguments: dict[str, Any] | None, mcp_context: Any = None) -> Outcome:
        started = time.monotonic()
        arguments = dict(arguments or {})
        ctx = CallContext(settings=self.settings, tool=entry.name, mcp_context=mcp_context)
        decision = None
        try:
            self.validate(entry, arguments)
            token = arguments.pop("confirm_token", None)
            self._fill_locality(entry, arguments)
            decision = self.guard.decide(entry.name, entry.safety, arguments, self.settings.project_id)
            if not self.guard.allow_lockout:
                await guards.check(ctx, entry.name, arguments)
            if decision.needs_confirmation:
                key = confirm.signing_key(self.settings.secret_key)
                if token:
                    confirm.check_token(key, token, entry.name, arguments)
                elif mcp_context is not None and elicit.supported(mcp_context):
                    answer = await elicit.confirm(mcp_context, self._confirmation_question(entry, arguments))
                    if not isinstance(answer, bool):
                        return Outcome(input_required=answer)
                    if not answer:
                        return Outcome(data={"status": "cancelled", "operation": entry.name,
                                             "message": "The user did not confirm; nothing was done."})
                else:
                    return Outcome(data=await self._preview(entry, arguments, ctx, key))
            data = await self._execute(entry, arguments, ctx)
            if ctx.notes:
                data = {**data, "notes": ctx.notes}
            data, text = fit_budget(data, self.budget)
            outcome = Outcome(data=data, text=text)
        except Exception as exc:  # every failure becomes a clean message
            message = self.settings.redact(describe(exc))
            if not isinstance(exc, ToolFailure):
                log.info("%s failed: %s", entry.name, message, exc_info=log.isEnabledFor(logging.DEBUG))
            outcome = Outcome(error=message)
        if decision is not None and decision.safety != READ:
            status = self._audit(entry, arguments, outcome, time.monotonic() - started)
            await ctx.info(f"{entry.name}: {status}")  # also an MCP log notification to the client
        return outcome

    async def _execute(self, entry: Entry, arguments: dict[str, Any], ctx: CallContext) -> dict[str, Any]:
        if entry.is_override:  # hand-written tools take their own options (wait, ...) as parameters
            fn = _override_function(entry.name)
            result = fn(ctx, **arguments)
            if inspect.isawaitable(result):
                result = await result
            return _as_object(to_json(result))
        if entry.data.get("client") == "s3":  # botocore's S3 operations run in their own executor
            return await s3.executor(entry, self.budget).execute(ctx, arguments)
        wait = arguments.pop("wait", False)
        all_pages = arguments.pop("all_pages", False)
        api_class, function = entry.function()
        api = ctx.api(api_class)
        kwargs = _python_kwargs(arguments)
        if entry.data.get("list_key") and all_pages:
            return await self._all_pages(entry, api, function, kwargs, ctx)
        result = await ctx.run(function, api, **kwargs)
        if wait and entry.data.get("wait"):
            result = await self._wait(entry, api, arguments, result, ctx)
        data = to_json(result)
        if entry.data.get("list_key") and isinstance(data, dict):
            size = arguments.get(_page_size_param(entry))
            return list_page(data, entry.data["list_key"], entry.data["paging"], arguments.get("page"), size)
        return _as_object(data)

    async def _all_pages(self, entry: Entry, api: Any, function: Any, kwargs: dict[str, Any], ctx: CallContext) -> dict[str, Any]:
        key = entry.data["list_key"]
        items: list[Any] = []
        total = None
        size_param = _page_size_param(entry)
        page = kwargs.pop("page", None) or 1
        size = kwargs.pop(size_param, None) or 100
        for _ in range(MAX_PAGES):
            data = to_json(await ctx.run(function, api, page=page, **{size_param: size}, **kwargs))
            batch = data.get(key) or []
            items.extend(batch)
            total = int(data.get("total_count") or len(items))
            await ctx.progress(len(items), total, f"{len(items)} of {total}")
            if not batch or len(items) >= total or len(json.dumps(items, default=str)) > self.budget:
                break
            page += 1
        more = total is not None and len(items) < total
        return {"items": items, "total_count": total if total is not None else len(items), "page": page, "next_page": page + 1 if more else None}

    async def _wait(self, entry: Entry, api: Any, arguments: dict[str, Any], result: Any, ctx: CallContext) -> Any:
        from scaleway_core.utils import WaitForOptions

        spec = entry.data["wait"]
        kwargs = {}
        for param, source in spec["args"].items():
            kind, _, path = source.partition(":")
            value = arguments.get(path) if kind == "arg" else _dig(result, path)
            if value is not None:
                kwargs[param] = value
        await ctx.progress(0, None, f"waiting ({spec['method']})")
        options = WaitForOptions(timeout=WAIT_TIMEOUT_SECONDS, min_delay=1, max_delay=15)
        return await ctx.run(getattr(api, spec["method"]), options=options, **kwargs)

    # --- confirmation ------------------------------------------------------------------
    async def _preview(self, entry: Entry, arguments: dict[str, Any], ctx: CallContext, key: bytes) -> dict[str, Any]:
        target: Any = None
        if entry.is_override:
            preview = _override_preview(entry.name)
            if preview is not None:
                result = preview(ctx, **arguments)
                target = to_json(await result if inspect.isawaitable(result) else result)
        elif entry.data.get("client") == "s3":
            target = await s3.executor(entry, self.budget).preview(ctx, arguments)
        else:
            target = await self._current_state(entry, arguments, ctx)
        token = confirm.make_token(key, entry.name, arguments)
        return {
            "status": "confirmation_required",
            "operation": entry.name,
            "arguments": shown(arguments),  # the caller has them; a preview may be logged or shown around
            "project_id": arguments.get("project_id") or arguments.get("project") or self.settings.project_id,
            "warning": f"{entry.name} is destructive: it deletes or changes resources in a way that cannot be undone. Nothing has been done yet.",
            "target": target,
            "confirm_token": token,
            "expires_in_seconds": confirm.TOKEN_TTL_SECONDS,
            "next_step": f"Show this to the user. If they agree, call {entry.name} again with the same arguments plus confirm_token.",
        }

    def _confirmation_question(self, entry: Entry, arguments: dict[str, Any]) -> str:
        listed = ", ".join(f"{k}={v}" for k, v in sorted(shown(arguments).items()) if k not in RUNTIME_OPTIONS)
        project = arguments.get("project_id") or arguments.get("project") or self.settings.project_id
        return (
            f"Confirm destructive operation {entry.name} ({listed}) in project {project}. "
            "It deletes or changes resources in a way that cannot be undone."
        )

    async def _current_state(self, entry: Entry, arguments: dict[str, Any], ctx: CallContext) -> Any:
        """The resource a generated destructive operation targets, read with its get_* twin."""
        getter = _getter_for(self.catalog, entry, arguments)
        if getter is None:
            return None
        params = getter.schema.get("properties", {})
        try:
            api_class, function = getter.function()
            kwargs = _python_kwargs({k: v for k, v in arguments.items() if k in params})
            return to_json(await ctx.run(function, ctx.api(api_class), **kwargs))
        except Exception as exc:
            return {"unavailable": describe(exc)}

    # --- audit -----------------------------------------------------------------------
    def _audit(self, entry: Entry, arguments: dict[str, Any], outcome: Outcome, seconds: float) -> str:
        targets = {k: v for k, v in arguments.items() if (k == "id" or k.endswith("_id")) and isinstance(v, str)}
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "operation": entry.name,
            "safety": entry.safety,
            "targets": targets,
            "zone": arguments.get("zone"),
            "region": arguments.get("region"),
            "project_id": arguments.get("project_id") or arguments.get("project") or self.settings.project_id,
            "outcome": outcome.status,
            "seconds": round(seconds, 3),
        }
        if outcome.error:
            record["error"] = outcome.error[:200]
        audit_log.info(self.settings.redact(json.dumps(record, sort_keys=True)))
        return str(record["outcome"])


def _page_size_param(entry: Entry) -> str:
    """The SDK names the page size per_page or page_size depending on the product."""
    return "page_size" if "page_size" in entry.schema.get("properties", {}) else "per_page"


def _as_object(data: Any) -> dict[str, Any]:
    if isinstance(data, dict):
        return data
    if isinstance(data, list):
        return {"items": data, "total_count": len(data)}
    return {"result": data}


def _getter_for(catalog: Catalog, entry: Entry, arguments: dict[str, Any]) -> Entry | None:
    namespace = entry.data["namespace"]
    method = entry.name[len(namespace) + 1 :]
    verb, _, resource = method.partition("_")
    resource = resource.removesuffix("_action") if verb != "server" else "server"
    parts = resource.split("_")
    candidates = [resource] + ["_".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)] + ["_".join(parts[i:]) for i in range(1, len(parts))]
    for candidate in candidates:
        getter = catalog.get(f"{namespace}_get_{candidate}")
        if getter and set(getter.schema.get("required", [])) <= set(arguments):
            return getter
    return None


def _override_function(name: str) -> Any:
    from scw_mcp.overrides import load_overrides

    return load_overrides()[name].fn


def _override_preview(name: str) -> Any:
    from scw_mcp.overrides import load_overrides

    return load_overrides()[name].preview
