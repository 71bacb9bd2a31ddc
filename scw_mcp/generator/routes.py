"""Read the HTTP routes an SDK method calls, for the sandbox's route table.

Every generated SDK method ends in `self._request("VERB", f"/product/v1/.../{param_x}", ...)`
followed by `return unmarshal_Type(res.json())`. Reading that source (with `ast`, no regexes
over code) gives the verb, the path template and the request and response types, so the
sandbox serves exactly the routes the SDK calls, with the shapes it unmarshals.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import textwrap
import types
import typing
import warnings
from typing import Any

from .model import Route

_ITEM_VERBS = {"GET": "get", "PATCH": "update", "PUT": "update", "DELETE": "delete"}


@dataclasses.dataclass(frozen=True)
class RawRoute:
    """One `_request` call as written in the SDK."""

    verb: str
    path: str  # /vpc/v2/regions/{region}/vpcs/{vpc_id}
    request: str  # class name of the marshalled request body, or ""


def _path_template(node: ast.expr) -> str | None:
    """f"/vpc/v2/regions/{param_region}/vpcs" -> "/vpc/v2/regions/{region}/vpcs"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.JoinedStr):
        return None
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value))
        elif isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name):
            parts.append("{" + value.value.id.removeprefix("param_") + "}")
        else:
            return None
    return "".join(parts)


def _request_type(call: ast.Call) -> str:
    """The XRequest class in body=marshal_XRequest(XRequest(...), ...)."""
    for keyword in call.keywords:
        if keyword.arg == "body" and isinstance(keyword.value, ast.Call) and keyword.value.args:
            inner = keyword.value.args[0]
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name):
                return inner.func.id
    return ""


def _source_tree(fn: Any) -> ast.AST:
    with warnings.catch_warnings():  # the SDK's docstrings hold escapes like "\{" that Python warns about
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        return ast.parse(textwrap.dedent(inspect.getsource(fn)))


def _called_method(node: ast.Call) -> str | None:
    """`self.name(...)` or `SomeClass.name(self, ...)` -> name."""
    if not isinstance(node.func, ast.Attribute) or not isinstance(node.func.value, ast.Name):
        return None
    if node.func.value.id == "self":
        return node.func.attr
    if node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == "self":
        return node.func.attr
    return None


def raw_routes(cls: type, fn: Any, depth: int = 2) -> list[RawRoute]:
    """The `_request` calls of a method, following its calls to sibling methods a little way."""
    found: list[RawRoute] = []
    for node in ast.walk(_source_tree(fn)):
        if not isinstance(node, ast.Call):
            continue
        name = _called_method(node)
        if name == "_request" and len(node.args) >= 2 and isinstance(node.args[0], ast.Constant):
            path = _path_template(node.args[1])
            if path is not None:
                found.append(RawRoute(str(node.args[0].value), path, _request_type(node)))
        elif name and depth and not name.startswith("wait_for_") and callable(getattr(cls, name, None)):
            found.extend(raw_routes(cls, getattr(cls, name), depth - 1))
    return found


def _unwrap_optional(hint: Any) -> Any:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return hint


def _python_path(cls: Any) -> str:
    return f"{cls.__module__}:{cls.__qualname__}" if isinstance(cls, type) and cls is not type(None) else ""


def _wrapped_resource(response: Any) -> tuple[str | None, Any]:
    """GetServerResponse{server: Server} -> ("server", Server); a plain resource -> (None, it)."""
    if not dataclasses.is_dataclass(response) or not response.__name__.endswith("Response"):
        return None, response
    hints = typing.get_type_hints(response)
    objects = [
        (name, _unwrap_optional(h)) for name, h in hints.items() if dataclasses.is_dataclass(_unwrap_optional(h))
    ]
    if len(objects) == 1 and len(hints) == 1:
        return objects[0]
    return None, response


def _items_field(response: Any) -> str | None:
    """The one list (or map) field of a list response, for lists without an `*_all` twin."""
    if not dataclasses.is_dataclass(response):
        return None
    found = [
        name
        for name, hint in typing.get_type_hints(response).items()
        if typing.get_origin(_unwrap_optional(hint)) in (list, dict)
    ]
    return found[0] if len(found) == 1 else None


def _kind(verb: str, path: str, method_name: str, list_key: str | None) -> str:
    ends_in_param = path.endswith("}")
    if verb == "GET" and list_key and not ends_in_param:
        return "list"
    if verb == "POST" and method_name.startswith("create") and not ends_in_param:
        return "create"
    if ends_in_param and verb in _ITEM_VERBS and method_name.startswith(_ITEM_VERBS[verb]):
        return _ITEM_VERBS[verb]
    return "call"


def _id_field(path: str, resource: Any) -> str | None:
    """The resource field the last path parameter names: {server_id} -> id, {name} -> name."""
    if not path.endswith("}"):
        return None
    param = path.rsplit("{", 1)[1].rstrip("}")
    if dataclasses.is_dataclass(resource):
        return param if param in typing.get_type_hints(resource) else "id"
    # No body to look at (a delete): ids are "id"; other names (name, key) are fields.
    return "id" if param == "id" or param.endswith("_id") else param


def routes_for(
    cls: type, fn: Any, method_name: str, operation: str, response: Any, list_key: str | None
) -> tuple[Route, ...]:
    """The routes one operation calls, typed: what the sandbox needs to answer them."""
    module = inspect.getmodule(fn)
    response = _unwrap_optional(response)
    wrap, resource = _wrapped_resource(response)
    if list_key is None and method_name.startswith("list"):
        list_key = _items_field(response)
    routes = []
    for raw in raw_routes(cls, fn):
        request = getattr(module, raw.request, None) if raw.request else None
        own = len(routes) == 0  # the first call is the operation's own; later ones are helpers it uses
        kind = _kind(raw.verb, raw.path, method_name, list_key) if own else "call"
        routes.append(
            Route(
                verb=raw.verb,
                path=raw.path,
                operation=operation,
                kind=kind,
                request=_python_path(request),
                response=_python_path(response) if own else "",
                wrap=wrap if own else None,
                resource=_python_path(resource) if own else "",
                list_key=list_key if kind == "list" else None,
                id_field=_id_field(raw.path, resource) if own and kind in ("get", "update", "delete") else None,
            )
        )
    return tuple(routes)


def private_routes(classes: list[Any]) -> tuple[Route, ...]:
    """Routes of the API classes' private methods (`_get_cluster_kube_config`): no tool of their
    own, but the SDK's public methods and our hand-written tools call them."""
    found = []
    for sdk_class in classes:
        cls = sdk_class.cls
        for name, fn in vars(cls).items():
            if not name.startswith("_") or name.startswith("__") or not callable(fn) or name == "_request":
                continue
            hints = typing.get_type_hints(fn)
            found.extend(routes_for(cls, fn, name.lstrip("_"), "", hints.get("return"), None))
    return tuple(found)
