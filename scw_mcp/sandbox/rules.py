"""The tables of scw_mcp/data/sandbox_rules.yaml: 404 names, item keys, shared storage, deleting
periods, cascades, counters and references, as the engine reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class Related:
    """Items tied to an item: `nested` collections under it, `linked` siblings naming it."""

    nested: tuple[str, ...] = ()
    linked: tuple[tuple[str, str], ...] = ()  # (sibling noun, field holding the item's id)


@dataclass(frozen=True)
class Counter:
    related: Related
    sum: str | None = None  # add up this field instead of counting


@dataclass(frozen=True)
class Deleting:
    field: str
    value: str
    reads: int = 1  # reads that still see the item in that state before it is gone


@dataclass(frozen=True)
class Rules:
    not_found: dict[str, str | dict[str, str]] = field(default_factory=dict)
    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    storage: dict[str, str] = field(default_factory=dict)
    deleting: dict[str, Deleting] = field(default_factory=dict)
    cascades: dict[str, Related] = field(default_factory=dict)
    counters: dict[str, dict[str, Counter]] = field(default_factory=dict)
    references: dict[str, dict[str, str]] = field(default_factory=dict)  # "VERB path" -> field -> collection


def _related(spec: dict[str, Any]) -> Related:
    linked = spec.get("linked") or {}
    if "by" in spec:  # counters name one linked collection: {linked: noun, by: field}
        linked = {spec["linked"]: spec["by"]}
    nested = spec.get("nested") or ()
    return Related(nested=tuple([nested] if isinstance(nested, str) else nested), linked=tuple(linked.items()))


def _deleting(spec: dict[str, Any]) -> Deleting:
    (state_field,) = [k for k in spec if k != "reads"]  # {status: deleting} or {state: ..., reads: 2}
    return Deleting(state_field, spec[state_field], spec.get("reads", 1))


def parse(data: dict[str, Any]) -> Rules:
    return Rules(
        not_found=dict(data.get("not_found") or {}),
        keys={k: tuple(v) for k, v in (data.get("keys") or {}).items()},
        storage=dict(data.get("storage") or {}),
        deleting={k: _deleting(v) for k, v in (data.get("deleting") or {}).items()},
        cascades={k: _related(v) for k, v in (data.get("cascades") or {}).items()},
        counters={
            k: {name: Counter(_related(spec), spec.get("sum")) for name, spec in v.items()}
            for k, v in (data.get("counters") or {}).items()
        },
        references={k: dict(v) for k, v in (data.get("references") or {}).items()},
    )


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    text = resources.files("scw_mcp.data").joinpath("sandbox_rules.yaml").read_text(encoding="utf-8")
    return parse(yaml.safe_load(text))
