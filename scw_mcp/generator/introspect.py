"""Stage 1: find every API class of the installed SDK and read its public methods.

Walks the SDK's modules (no hard-coded product list), imports each `api` and
`custom_api` module, and keeps the classes derived from `scaleway_core.api.API`.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import typing
from dataclasses import dataclass, field
from typing import Any

from scaleway_core.api import API

_VERSION_RE = re.compile(r"^v\d+((alpha|beta)\d+)?$")


@dataclass(frozen=True)
class SdkMethod:
    """One public method of one SDK API class, as the SDK defines it."""

    package: str  # scaleway.instance.v1
    product: str  # instance
    version: str  # v1
    class_name: str  # InstanceV1API
    class_module: str  # scaleway.instance.v1.api
    is_primary: bool  # the class named {Product}{Version}API
    method_name: str
    signature: inspect.Signature
    hints: dict[str, Any]
    doc: str
    # wait_for_* helpers of the same class: method name -> (signature, hints)
    waiters: tuple[tuple[str, inspect.Signature, dict[str, Any]], ...]
    function: Any = field(default=None, compare=False)  # the defining function (its source has the routes)


@dataclass(frozen=True)
class SdkClass:
    package: str
    product: str
    version: str
    cls: type
    is_primary: bool


def is_operation(name: str) -> bool:
    """Public methods that become operations: not `*_all` twins nor `wait_for_*` helpers."""
    return not name.startswith("_") and not name.endswith("_all") and not name.startswith("wait_for_")


def discover_classes(sdk_package: str = "scaleway") -> list[SdkClass]:
    root = importlib.import_module(sdk_package)
    found: dict[str, SdkClass] = {}
    for info in pkgutil.walk_packages(root.__path__, f"{sdk_package}."):
        parts = info.name.split(".")
        if parts[-1] not in ("api", "custom_api") or len(parts) != 4 or not _VERSION_RE.match(parts[2]):
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, API) and obj is not API and obj.__module__ == module.__name__:
                package = ".".join(parts[:3])
                primary = obj.__name__.lower() == f"{parts[1]}{parts[2]}api".replace("_", "")
                found[f"{module.__name__}:{obj.__name__}"] = SdkClass(package, parts[1], parts[2], obj, primary)
    return [found[key] for key in sorted(found)]


def defining_function(cls: type, name: str) -> Any:
    """The method itself, or the parent's when the override hides its signature behind **kwargs."""
    fn = vars(cls)[name]
    params = inspect.signature(fn).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        for base in cls.__mro__[1:]:
            if name in vars(base):
                return vars(base)[name]
    return fn


def read_methods(sdk_class: SdkClass) -> list[SdkMethod]:
    cls = sdk_class.cls
    waiters = []
    for name in sorted(dir(cls)):
        if name.startswith("wait_for_"):
            fn = getattr(cls, name)
            waiters.append((name, inspect.signature(fn), typing.get_type_hints(fn)))
    methods = []
    for name, value in vars(cls).items():
        if not callable(value) or not is_operation(name):
            continue
        fn = defining_function(cls, name)
        methods.append(
            SdkMethod(
                package=sdk_class.package,
                product=sdk_class.product,
                version=sdk_class.version,
                class_name=cls.__name__,
                class_module=cls.__module__,
                is_primary=sdk_class.is_primary,
                method_name=name,
                signature=inspect.signature(fn),
                hints=typing.get_type_hints(fn),
                doc=inspect.getdoc(fn) or inspect.getdoc(vars(cls)[name]) or "",
                waiters=tuple(waiters),
                function=fn,
            )
        )
    return methods


def sdk_version() -> str:
    from importlib.metadata import version

    return version("scaleway")
