"""Stage 2: turn what introspection read into the frozen model (names, types, safety)."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import inspect
import re
import types
import typing
from collections import defaultdict
from collections.abc import Mapping
from functools import cache
from typing import Any

from scaleway_core.bridge import ScwFile

from scw_mcp import __version__
from scw_mcp.safety import MUTATE, READ, classify, product_wide_reads, wire_problems

from . import names
from .config import GeneratorConfig
from .docstrings import parse_docstring
from .introspect import SdkMethod, discover_classes, read_methods, sdk_version
from .model import Field, ModuleSpec, ObjectDef, Operation, SdkModel, TypeRef, Wait
from .required import RequiredTable, path_parameters
from .routes import private_routes, routes_for
from .s3 import S3ModelError, botocore_version, build_s3_module
from .typedocs import class_field_docs

_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean", bytes: "bytes"}
_ALL_KEY_RE = re.compile(r"\bkey=\"(\w+)\"")
_SCOPES = ("zone", "region")


class GeneratorError(Exception):
    """Something in the SDK the generator cannot represent; names the operation."""


def _python_path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _unwrap_optional(hint: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return hint, False


def type_ref(hint: Any) -> TypeRef:
    hint, _ = _unwrap_optional(hint)
    origin = typing.get_origin(hint)
    if origin is list:
        (item,) = typing.get_args(hint)
        return TypeRef("array", item=type_ref(item))
    if origin is dict:
        _, value = typing.get_args(hint)
        return TypeRef("map", item=type_ref(value))
    if origin in (typing.Union, types.UnionType):
        raise GeneratorError(f"unsupported union type {hint!r}")
    if hint is typing.Any:
        return TypeRef("any")
    if hint in _SCALARS:
        return TypeRef(_SCALARS[hint])
    if hint is datetime.datetime:
        return TypeRef("datetime")
    if hint is ScwFile:
        return TypeRef("file", name="ScwFile", python=_python_path(ScwFile))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return TypeRef("enum", name=hint.__name__, python=_python_path(hint), values=tuple(str(m.value) for m in hint))
    if dataclasses.is_dataclass(hint):
        return TypeRef("object", name=hint.__name__, python=_python_path(hint))
    raise GeneratorError(f"unsupported type {hint!r}")


def _json_default(value: Any) -> tuple[bool, Any]:
    """(has_default, default) for a signature or field default."""
    if value is inspect.Parameter.empty or value is dataclasses.MISSING or value is None:
        return False, None
    if isinstance(value, enum.Enum):
        return True, str(value.value)
    if isinstance(value, (bool, int, float, str)):
        return True, value
    raise GeneratorError(f"default {value!r} is not JSON-compatible")


def _describe_type(ref: TypeRef) -> str:
    """A type's own doc, for parameters the docstring leaves empty."""
    if ref.kind == "array" and ref.item is not None:
        return _describe_type(ref.item)
    if ref.kind == "object" and ref.python:
        return class_field_docs(_load(ref.python)).get("", "")
    return ""


def _load(python: str) -> type:
    module, _, qualname = python.partition(":")
    obj: Any = __import__(module, fromlist=["_"])
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


@cache
def object_def(python: str) -> ObjectDef:
    """A nested SDK class; no field required yet (`_collect_objects` applies the table)."""
    cls = _load(python)
    docs = class_field_docs(cls)
    hints = typing.get_type_hints(cls)
    fields = []
    for f in dataclasses.fields(cls):
        ref = type_ref(hints[f.name])
        has_default, default = _json_default(f.default)
        if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            has_default = False
        no_default = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING  # type: ignore[misc]
        fields.append(
            Field(
                name=names.wire_name(f.name),
                sdk_name=f.name,
                type=ref,
                required=False,
                description=docs.get(f.name, "") or _describe_type(ref),
                has_default=has_default,
                default=default,
                sdk_required=no_default and not _is_optional(hints[f.name]),
            )
        )
    return ObjectDef(name=cls.__name__, python=python, description=docs.get("", ""), fields=tuple(fields))


def _is_optional(hint: Any) -> bool:
    return _unwrap_optional(hint)[1]


def _collect_objects(refs: list[TypeRef], table: RequiredTable) -> tuple[ObjectDef, ...]:
    """Every object definition reachable from these types, in a stable order."""
    found: dict[str, ObjectDef] = {}
    pending = list(refs)
    while pending:
        ref = pending.pop()
        if ref.item is not None:
            pending.append(ref.item)
        if ref.kind != "object" or ref.python in found:
            continue
        definition = object_def(ref.python)
        must = table.objects.get(ref.python, {})
        if must:
            fields = tuple(dataclasses.replace(f, required=f.name in must) for f in definition.fields)
            definition = dataclasses.replace(definition, fields=fields)
        found[ref.python] = definition
        pending.extend(f.type for f in definition.fields)
    by_name: dict[str, str] = {}
    for python, definition in found.items():
        if by_name.setdefault(definition.name, python) != python:
            raise GeneratorError(f"two types named {definition.name} ({python}, {by_name[definition.name]})")
    return tuple(sorted(found.values(), key=lambda d: d.name))


def _list_key(cls: type, method: str) -> str | None:
    twin = getattr(cls, f"{method}_all", None)
    if twin is None:
        return None
    match = _ALL_KEY_RE.search(inspect.getsource(twin))
    return match.group(1) if match else None


def _params(
    method: SdkMethod, doc_params: dict[str, str], in_path: frozenset[str], must: Mapping[str, str]
) -> tuple[Field, ...]:
    """The parameters; required: an id in the URL the SDK has no default for, or listed in `must`."""
    params = []
    for p in method.signature.parameters.values():
        if p.name == "self":
            continue
        if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            raise GeneratorError(f"{method.class_name}.{method.method_name}: **kwargs without a typed parent")
        hint = method.hints[p.name]
        ref = type_ref(hint)
        has_default, default = _json_default(p.default)
        scope = p.name if p.name in _SCOPES and ref.kind == "string" else ""
        sdk_required = p.default is inspect.Parameter.empty and not _is_optional(hint)
        name = names.wire_name(p.name)
        params.append(
            Field(
                name=name,
                sdk_name=p.name,
                type=ref,
                required=(sdk_required and p.name in in_path and not scope) or name in must,
                description=doc_params.get(p.name, "") or _describe_type(ref),
                has_default=has_default,
                default=default,
                scope=scope,
                sdk_required=sdk_required,
            )
        )
    return tuple(params)


def _resource_fields(returns: Any, resource: type) -> str | None:
    """Path in an operation's result to the resource a waiter watches ('' = the result itself)."""
    if returns is resource:
        return ""
    if dataclasses.is_dataclass(returns):
        for name, hint in typing.get_type_hints(returns).items():
            if _unwrap_optional(hint)[0] is resource:
                return name
    return None


_FETCHER_RE = re.compile(r"fetcher=self\.(\w+)")
_STOP_RE = re.compile(r"lambda res: \(?\s*res\.(\w+) not in (\w+)")


@cache
def _polling(class_ref: str, waiter: str) -> tuple[str, str, tuple[str, ...]]:
    """What a wait_for_* helper polls: (getter, watched field, transient values), read from its source."""
    fn = getattr(_load(class_ref), waiter)
    source = inspect.getsource(fn)
    fetcher, stop = _FETCHER_RE.search(source), _STOP_RE.search(source)
    if fetcher is None or stop is None:
        raise GeneratorError(f"{class_ref}.{waiter}: cannot read the getter and transient states it polls")
    values = fn.__globals__[stop.group(2)]
    return fetcher.group(1), stop.group(1), tuple(sorted(str(getattr(v, "value", v)) for v in values))


def _wait(method: SdkMethod, params: tuple[Field, ...], safety: str) -> Wait | None:
    """Attach the class's wait_for_X helper to the mutating operations on X, and to the getter it
    polls (a get with wait=true goes on waiting where a wait reached its deadline)."""
    if safety not in (MUTATE, READ):
        return None
    class_ref = f"{method.class_module}:{method.class_name}"
    arg_names = {p.sdk_name for p in params}
    candidates = []
    for waiter, signature, hints in method.waiters:
        resource_name = waiter.removeprefix("wait_for_")
        if safety == READ:
            if _polling(class_ref, waiter)[0] != method.method_name:
                continue
        elif not (resource_name in method.method_name or f"{resource_name}_id" in arg_names):
            continue
        resource = hints.get("return")
        path = _resource_fields(method.hints.get("return"), resource)
        args = []
        for wp in signature.parameters.values():
            if wp.name in ("self", "options") or wp.default is not inspect.Parameter.empty and wp.name not in _SCOPES:
                continue
            if wp.name in arg_names:
                args.append((wp.name, f"arg:{wp.name}"))
            elif path is not None and wp.name == f"{resource_name}_id":
                args.append((wp.name, f"result:{path + '.' if path else ''}id"))
            elif path is not None and dataclasses.is_dataclass(resource) and wp.name in typing.get_type_hints(resource):
                args.append((wp.name, f"result:{path + '.' if path else ''}{wp.name}"))
            elif wp.name in _SCOPES:
                continue  # the waiter falls back to the client's default
            else:
                break
        else:
            candidates.append((resource_name not in method.method_name, waiter, tuple(args)))
    if not candidates:
        return None
    _, waiter, args = min(candidates)
    get, watched, transient = _polling(class_ref, waiter)
    return Wait(method=waiter, args=args, get=get, field=watched, transient=transient)


def _operation(
    method: SdkMethod, name: str, namespace: str, module: str, function: str, table: RequiredTable
) -> Operation:
    doc = parse_docstring(method.doc)
    cls = _load(f"{method.class_module}:{method.class_name}")
    returns = method.hints.get("return")
    list_key = _list_key(cls, method.method_name) if method.method_name.startswith("list") else None
    routes = routes_for(cls, method.function, method.method_name, name, returns, list_key)
    params = _params(method, doc.params, path_parameters(routes), table.operations.get(name, {}))
    safety = classify(name, method.method_name)
    wire = {p.sdk_name: p.name for p in params}
    scope = next((p.scope for p in params if p.scope), "")
    return Operation(
        name=name,
        namespace=namespace,
        product=method.product,
        version=method.version,
        module=module,
        sdk_package=method.package,
        sdk_class=method.class_name,
        sdk_class_module=method.class_module,
        method=method.method_name,
        function=function,
        summary=doc.summary.rstrip(".") or names.repair_acronyms(method.method_name).replace("_", " ").capitalize(),
        description=doc.description,
        safety=safety,
        scope=scope,
        params=params,
        objects=_collect_objects([p.type for p in params], table),
        one_of=tuple((group, tuple(wire.get(m, m) for m in members)) for group, members in doc.one_of.items()),
        returns=getattr(returns, "__name__", repr(returns)),
        list_key=list_key,
        paging="page" if "page" in wire else ("token" if "page_token" in wire else ""),
        wait=_wait(method, params, safety),
        routes=routes,
    )


def _class_order(method: SdkMethod) -> tuple[int, str, str]:
    """Primary class first, then the SDK's custom classes, then siblings; stable within each."""
    rank = 0 if method.is_primary else (1 if method.class_module.endswith("custom_api") else 2)
    return (rank, method.class_name, method.method_name)


def build_model(config: GeneratorConfig) -> SdkModel:
    table = RequiredTable.load(config.required_table)
    classes = discover_classes(config.sdk_package)
    versions: dict[str, set[str]] = defaultdict(set)
    for c in classes:
        versions[c.product].add(c.version)
    defaults = names.default_versions(versions, config.default_version_overrides)

    grouped: dict[tuple[str, str], list[SdkMethod]] = defaultdict(list)
    for c in classes:
        grouped[(c.product, c.version)].extend(read_methods(c))

    modules = []
    for (product, version), methods in sorted(grouped.items()):
        namespace = names.namespace(product, version, defaults[product])
        taken: set[str] = set()
        operations = []
        for method in sorted(methods, key=_class_order):
            base = names.repair_acronyms(method.method_name)
            function = base
            if base in taken:
                discriminator = names.class_discriminator(method.class_name, product, version)
                function = f"{discriminator}_{base}"
            if function in taken:
                raise GeneratorError(f"{method.class_name}.{method.method_name}: name {function} is taken")
            taken.add(function)
            name = names.fit_length(f"{namespace}_{function}", config.max_name_length)
            try:
                operations.append(_operation(method, name, namespace, namespace, function, table))
            except GeneratorError as exc:
                raise GeneratorError(f"{method.package}:{method.class_name}.{method.method_name}: {exc}") from exc
        operations.sort(key=lambda op: op.name)
        modules.append(
            ModuleSpec(namespace, product, version, namespace, f"scaleway.{product}.{version}", tuple(operations))
        )
    try:  # object storage: botocore's S3 model, the stage parallel to the SDK's
        modules.append(build_s3_module(config))
    except S3ModelError as exc:
        raise GeneratorError(str(exc)) from exc
    model = SdkModel(
        sdk_version=sdk_version(),
        generator_version=__version__,
        modules=tuple(modules),
        private_routes=private_routes(classes),
        botocore_version=botocore_version(),
    )
    seen: set[str] = set()
    for op in model.operations:
        if op.name in seen:
            raise GeneratorError(f"duplicate operation name {op.name}")
        seen.add(op.name)
    stale = table.stale(
        {op.name: {p.name for p in op.params} for op in model.operations},
        {d.python: {f.name for f in d.fields} for op in model.operations for d in op.objects},
    )
    if stale:
        raise GeneratorError(f"{config.required_table.name} names what the SDK does not have: {', '.join(stale)}")
    check_safety_against_wire(model)
    return model


def check_safety_against_wire(model: SdkModel) -> None:
    """Refuse a safety table that contradicts what the operations send (see data/safety.yaml)."""
    problems = [
        f"data/safety.yaml: product-wide read exception {p!r} would class writes as reads"
        for p in product_wide_reads({op.namespace for op in model.operations})
    ]
    for op in model.operations:
        collections = [f.name for f in op.params if f.type.kind in ("array", "map") and f.name != "tags"]
        problems += wire_problems(
            op.name, op.name[len(op.namespace) + 1 :], op.safety, {r.verb for r in op.routes}, collections
        )
    if problems:
        raise GeneratorError("safety classes contradict the wire:\n  " + "\n  ".join(problems))
