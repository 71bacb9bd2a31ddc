"""Run one operation: validate -> policy -> confirm -> execute -> shape, each once.

Typed tools and `call_operation` both come through `Runner.call`, and generated and
hand-written operations look the same to it (an `Operation` with an executor).
"""

from __future__ import annotations

import functools
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import anyio

from scw_mcp.safety import READ

from . import audit, confirm, elicit, guards, options
from .catalog import load_catalog
from .context import CallContext
from .errors import ToolFailure, describe
from .localities import ALL, check_region, check_zone, regions_of_product, zones_of_product
from .operation import Operation
from .policy import Gate, target_project
from .preview import confirmation_question, preview_payload
from .projects import Placement
from .redact import Redactor, secret_values, traceback_text
from .results import DEFAULT_BUDGET, Cursor, Query, compact_result, dumps, fit_budget, is_list, with_next
from .sdk import page_size_param, twin
from .settings import Settings
from .validation import validate

log = logging.getLogger("scw_mcp")

MAX_PAGES = 50
ALL_PAGES_SIZE = 100  # page size all_pages asks for when the call names none


@functools.lru_cache(maxsize=1)
def _items_query() -> Query:
    return Query.compile("items", "")


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


@dataclass
class Runner:
    settings: Settings
    gate: Gate = field(default_factory=Gate)
    budget: int = DEFAULT_BUDGET
    used_tokens: confirm.UsedTokens = field(default_factory=confirm.UsedTokens)
    catalog: Any = None  # the served operations: where an ambiguous failure's lookup (get/list twin) is found

    async def call(self, op: Operation, arguments: dict[str, Any] | None, mcp_context: Any = None) -> Outcome:
        started = time.monotonic()
        arguments = dict(arguments or {})
        # Everything this call sends out passes one redactor: the configured secrets and its own passwords.
        redactor = self.settings.redactor.with_secrets(*secret_values(arguments))
        ctx = CallContext(settings=self.settings, tool=op.name, mcp_context=mcp_context, redactor=redactor)
        decision = None
        try:
            validate(op, arguments)
            arguments, opts = options.split(arguments, op)
            query = Query.compile(opts[options.QUERY], op.name) if options.QUERY in opts else None
            self._fill_locality(op, arguments, opts)
            placement = self._placement()
            placement.fill_project(op, arguments)
            decision = self.gate.decide(op, arguments, self.settings.project_id)
            if not self.gate.allow_lockout:
                await guards.check(ctx, op, arguments)
            if decision.needs_confirmation:
                held = await self._confirm(op, arguments, opts.get(options.CONFIRM_TOKEN), ctx)
                if held is not None:
                    return Outcome(data=redactor.value(held.data), input_required=held.input_required)
            elif op.safety != READ:
                await placement.check_write(op, ctx, arguments, None)
            else:
                await placement.check_read(op, ctx, arguments)
            data = await placement.confine(op, await self._execute(op, arguments, opts, ctx, query), ctx, arguments)
            offset = opts.get(options.OFFSET)
            if offset and is_list(data):  # a continuation: the page from this item on (of what it may show)
                data = {**data, "items": data["items"][offset:]}
            data, text = self._shape(op, data, arguments, opts, ctx, query, redactor)
            outcome = Outcome(data=data, text=text)
        except Exception as exc:  # every failure becomes a clean message
            lookup = self._lookup(op, arguments) if op.safety != READ else None
            message = describe(exc, redactor, lookup)
            if ctx.created:
                message += redactor(
                    f" Already created by this call: {', '.join(ctx.created)}. What to do: do not run "
                    f"{op.name} again; get what was created and continue from there."
                )
            if not isinstance(exc, ToolFailure):
                # At DEBUG, the frames too, but never an API response body (redact.traceback_text).
                detail = "\n" + traceback_text(exc, redactor) if log.isEnabledFor(logging.DEBUG) else ""
                log.info("%s failed: %s%s", op.name, message, detail)
            outcome = Outcome(error=message)
        if decision is not None and decision.safety != READ:
            project = target_project(arguments, self.settings.project_id)
            audit.record(op, arguments, outcome.status, outcome.error, time.monotonic() - started, project, redactor)
            await ctx.info(f"{op.name}: {outcome.status}")  # also an MCP log notification to the client
        return outcome

    # --- locality ---------------------------------------------------------------------
    def _fill_locality(self, op: Operation, arguments: dict[str, Any], opts: dict[str, Any]) -> None:
        """The configured zone/region where none is given; "all" only where a listing can fan out."""
        for scope, default, check in (
            ("zone", self.settings.zone, check_zone),
            ("region", self.settings.region, check_region),
        ):
            if scope not in op.schema.get("properties", {}):
                continue
            value = arguments.get(scope)
            if value == ALL:
                # only a listing scoped by it fans out: a region-scoped create with a `zone` field
                # (k8s_create_pool) must not run once per zone
                if op.scope != scope or not (op.list_key or op.paging):
                    raise ToolFailure(
                        f'Invalid arguments for {op.name}: {scope} "all" only works for listings. '
                        f"What to do: name one {scope}."
                    )
                if opts.get(options.ALL_PAGES):
                    raise ToolFailure(
                        f'Invalid arguments for {op.name}: {scope} "all" and all_pages do not combine. '
                        f"What to do: page through with the result's next, or list one {scope} "
                        "with all_pages."
                    )
                continue
            if op.scope == scope:
                arguments[scope] = check(value or default)
            elif value:  # a pool's zone in a region-scoped call: spelled as the API spells it too
                arguments[scope] = check(value)

    def _placement(self) -> Placement:
        """Where what a call touches belongs, for a projects allowlist (runtime/projects.py)."""
        return Placement(self.gate, load_catalog(), self.settings.project_id)

    # --- confirmation -----------------------------------------------------------------
    async def _confirm(
        self, op: Operation, arguments: dict[str, Any], token: str | None, ctx: CallContext
    ) -> Outcome | None:
        """None to go ahead, or what to return instead (a preview, a refusal, a question, a cancellation)."""
        key = confirm.signing_key(self.settings.confirm_key)
        if token:
            payload = confirm.check_token(key, token, op.name, arguments)
            target, notes = await self._target(op, ctx, arguments)
            if payload.get("s") != confirm.fingerprint(target):
                fresh = self._preview(op, arguments, target, key, notes)
                fresh["refused"] = (
                    "The confirm_token was not used: what it confirmed has changed or is gone since its preview. "
                    "Here is the current state; confirm again only if the user agrees with it."
                )
                return Outcome(data=fresh)
            self.used_tokens.claim(payload)
            return None
        mcp_context = ctx.mcp_context
        if mcp_context is not None and elicit.supported(mcp_context):
            target, _ = await self._target(op, ctx, arguments)  # what the person sees, as the agent would
            target = ctx.redactor.value(target)  # redacted whole, before the question shortens it
            question = ctx.redact(
                confirmation_question(op, arguments, target_project(arguments, self.settings.project_id), target)
            )
            answer = await elicit.confirm(mcp_context, question)
            if not isinstance(answer, bool):
                return Outcome(input_required=answer)
            if answer:
                return None
            return Outcome(
                data={
                    "status": "cancelled",
                    "operation": op.name,
                    "message": "The user did not confirm; nothing was done.",
                }
            )
        target, notes = await self._target(op, ctx, arguments)
        return Outcome(data=self._preview(op, arguments, target, key, notes))

    async def _target(self, op: Operation, ctx: CallContext, arguments: dict[str, Any]) -> tuple[Any, list[str]]:
        """What the call would change, as read now, and the notes of what could not be read
        (taken out of the call's own notes)."""
        target = await op.executor.preview(op, ctx, arguments)
        notes = list(ctx.notes)
        ctx.notes.clear()
        await self._placement().check_write(op, ctx, arguments, target)
        return target, notes

    def _preview(
        self, op: Operation, arguments: dict[str, Any], target: Any, key: bytes, notes: list[str]
    ) -> dict[str, Any]:
        token = confirm.make_token(key, op.name, arguments, state=confirm.fingerprint(target))
        payload = preview_payload(op, arguments, target, token, target_project(arguments, self.settings.project_id))
        if notes:  # what the preview could not read: it degrades, the confirmation still works
            payload["notes"] = notes
        return payload

    def _lookup(self, op: Operation, arguments: dict[str, Any]) -> str | None:
        """How to check whether a call that may have been applied was: get what it targets, else list
        what it creates (by name where it has one), e.g. `instance_list_servers {"name": "web-1", ...}`."""
        if self.catalog is None:
            return None
        getter = twin(self.catalog, op, "get", arguments)
        if getter is not None:
            return _call_text(getter, arguments, getter.schema.get("required", []))
        lister = twin(self.catalog, op, "list", arguments)
        if lister is not None:
            return _call_text(lister, arguments, ("name", "zone", "region", "project_id"))
        return None

    # --- execution --------------------------------------------------------------------
    async def _execute(
        self, op: Operation, arguments: dict[str, Any], opts: dict[str, Any], ctx: CallContext, query: Query | None
    ) -> dict[str, Any]:
        for scope, every in (("zone", zones_of_product), ("region", regions_of_product)):
            if scope == op.scope and arguments.get(scope) == ALL:
                allowed = self.gate.policy.zone_allowed if scope == "zone" else self.gate.policy.region_allowed
                data = await self._fan_out(op, arguments, scope, [v for v in every(op.product) if allowed(v)], ctx)
                break
        else:
            if opts.get(options.ALL_PAGES):
                data = await self._all_pages(op, arguments, ctx, query)
            else:
                data = await op.executor.execute(op, ctx, arguments)
        return data

    async def _fan_out(
        self, op: Operation, arguments: dict[str, Any], scope: str, places: list[str], ctx: CallContext
    ) -> dict[str, Any]:
        """A listing over every zone (or region) at once: the same page of each, in a fixed order;
        one that fails does not hide the others."""
        results: dict[str, dict[str, Any]] = {}
        errors: dict[str, str] = {}

        async def one(place: str) -> None:
            try:
                results[place] = await op.executor.execute(op, ctx, {**arguments, scope: place})
            except Exception as exc:
                errors[place] = describe(exc, ctx.redact)

        async with anyio.create_task_group() as group:
            for place in places:
                group.start_soon(one, place)
        done = [place for place in places if place in results]
        items = [item for place in done for item in results[place].get("items", [])]
        counts = {place: int(results[place].get("total_count") or 0) for place in done}
        out: dict[str, Any] = {"items": items, "total_count": sum(counts.values()), f"{scope}s": counts}
        if op.paging == "page":  # page N of "all" is page N of each: the next one is exact
            page = arguments.get("page") or 1
            out["page"] = page
            out["next_page"] = page + 1 if any(results[p].get("next_page") for p in done) else None
        else:
            more = {
                p: {scope: p, "page_token": results[p]["next_page_token"]}
                for p in done
                if results[p].get("next_page_token")
            }
            if more:
                out["more"] = more
                out["hint"] = f"{', '.join(more)} have more: `more` gives, for each, the arguments of its next page."
        if errors:
            out["errors"] = errors
        return out

    async def _all_pages(
        self, op: Operation, arguments: dict[str, Any], ctx: CallContext, query: Query | None
    ) -> dict[str, Any]:
        size_param = page_size_param(op)
        arguments = {**arguments, size_param: arguments.get(size_param) or ALL_PAGES_SIZE}
        start = page = arguments.get("page") or 1
        items: list[Any] = []
        data: dict[str, Any] = {}
        for _ in range(MAX_PAGES):
            data = await op.executor.execute(op, ctx, {**arguments, "page": page})
            items.extend(data.get("items") or [])
            total = data.get("total_count")
            await ctx.progress(len(items), total, f"{len(items)} of {total}")
            if not data.get("next_page") or self._full(op, {**data, "items": items}, query):
                break
            page = data["next_page"]
        return {**data, "items": items, "page": start}

    def _full(self, op: Operation, joined: dict[str, Any], query: Query | None) -> bool:
        """Enough pages for one result: over the budget as it would be returned (what the query selects)."""
        shown = query.apply(joined, op.name) if query is not None else joined["items"]
        return len(dumps(shown).encode()) > self.budget

    # --- shaping ----------------------------------------------------------------------
    def _shape(
        self,
        op: Operation,
        data: dict[str, Any],
        arguments: dict[str, Any],
        opts: dict[str, Any],
        ctx: CallContext,
        query: Query | None,
        redactor: Redactor,
    ) -> tuple[dict[str, Any], str]:
        """Compact, `query`, notes, redaction, then the budget: the one place results take their shape
        (redacted before anything is cut, so no cut can leave a piece of a secret)."""
        data = compact_result(data, rows_only=op.handwritten)  # a hand-written tool's own result stays as written
        cursor = None
        if is_list(data):
            data = with_next(data)
            cursor = self._cursor(op, arguments, opts)
        if query is not None:
            data = query.apply(data, op.name)
            cursor = None
        elif cursor is None and is_list(data) and options.takes_query(op):
            query = _items_query()  # a list without paging goes on with a query slice of its items
        if ctx.notes:
            data = {**data, "notes": ctx.notes}
        if ctx.waited:
            data = {**data, "wait": ctx.waited}
        return fit_budget(redactor.value(data), self.budget, cursor, query)

    def _cursor(self, op: Operation, arguments: dict[str, Any], opts: dict[str, Any]) -> Cursor | None:
        """Where a list result starts (the page or token it was read from, and the offset in it)."""
        offset = opts.get(options.OFFSET) or 0
        if op.paging == "page" or (op.list_key and arguments.get(op.scope) == ALL):
            size = (arguments.get(page_size_param(op)) or ALL_PAGES_SIZE) if opts.get(options.ALL_PAGES) else None
            return Cursor({"page": arguments.get("page") or 1}, offset, size)
        if op.paging == "token":
            return Cursor({"page_token": arguments["page_token"]} if arguments.get("page_token") else {}, offset)
        return None


def _call_text(op: Operation, arguments: dict[str, Any], names: Any) -> str:
    """`tool {"arg": value}` with those of `names` that the call gave and the tool takes."""
    params = op.schema.get("properties", {})
    shown = {k: arguments[k] for k in names if k in params and isinstance(arguments.get(k), (str, int))}
    return f"{op.name} {json.dumps(shown)}" if shown else op.name
