"""The committed catalog covers every public operation of the installed SDK.

The expected set is computed here independently of the generator's own code.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import scaleway
from scaleway_core.api import API


def _sdk_operations() -> tuple[set[str], int, int, int]:
    classes = {}
    for info in pkgutil.walk_packages(scaleway.__path__, "scaleway."):
        if info.name.rsplit(".", 1)[-1] not in ("api", "custom_api"):
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, API) and obj is not API and obj.__module__ == module.__name__:
                classes[obj] = module.__name__.rsplit(".", 1)[0]
    expected, public, twins, waits = set(), 0, 0, 0
    for cls, package in classes.items():
        for name, value in vars(cls).items():
            if name.startswith("_") or not callable(value):
                continue
            public += 1
            if name.endswith("_all"):
                twins += 1
            elif name.startswith("wait_for_"):
                waits += 1
            else:
                expected.add(f"{package}:{cls.__name__}.{name}")
    return expected, public, twins, waits, len(classes)


def test_every_sdk_operation_is_in_the_catalog(catalog):
    expected, public, twins, waits, class_count = _sdk_operations()
    generated = {op["sdk"] for op in catalog["operations"] if op["sdk"].startswith("scaleway.")}
    missing = sorted(expected - generated)
    extra = sorted(generated - expected)
    assert not missing, f"{len(missing)} SDK operations have no tool, e.g. {missing[:10]}"
    assert not extra, f"tools without an SDK operation: {extra[:10]}"
    # scaleway 2.12.0: 1,929 public methods of 88 classes, minus 282 *_all twins and 90 wait_for_*.
    assert (public, twins, waits, class_count, len(expected)) == (1929, 282, 90, 88, 1557)


def test_names_are_unique_short_and_well_formed(catalog):
    names = [op["name"] for op in catalog["operations"]]
    assert len(names) == len(set(names))
    for name in names:
        assert len(name) <= 64 and name.replace("_", "").isalnum() and name == name.lower(), name
    assert not [n for n in names if "_i_ps" in n or "_vp_cs" in n or "_jw_ts" in n or "_i_pv6" in n]


def test_catalog_header_names_sdk_version(catalog):
    assert catalog["sdk"] == "scaleway 2.12.0"
    assert catalog["generator"].startswith("scw-mcp-gen ")
