"""Which fields a tool's schema requires.

The SDK declares almost every field without a default, but Scaleway's APIs read a zero value
("", 0, false, [], {}, an absent enum or object) as "not set", and the call sends that zero
value for a field left out (`runtime.convert.zero`). So a schema requires only what the
request cannot be formed without, the ids in the operation's URL, and the fields
`data/required.yaml` lists because the API refuses their zero value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from .model import Route

_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class RequiredTable:
    """data/required.yaml: field -> reason, per tool name and per SDK class ("module:Class")."""

    operations: Mapping[str, Mapping[str, str]]
    objects: Mapping[str, Mapping[str, str]]

    @classmethod
    def load(cls, path: Path) -> RequiredTable:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(operations=data.get("operations") or {}, objects=data.get("objects") or {})

    def stale(self, fields_by_operation: Mapping[str, set[str]], fields_by_class: Mapping[str, set[str]]) -> list[str]:
        """Entries that name no operation, class or field (the SDK moved on)."""
        out = []
        for kind, table, known in (
            ("operation", self.operations, fields_by_operation),
            ("class", self.objects, fields_by_class),
        ):
            for owner, fields in table.items():
                if owner not in known:
                    out.append(f"{kind} {owner}")
                    continue
                out += [f"{owner}.{name}" for name in fields if name not in known[owner]]
        return out


def path_parameters(routes: Iterable[Route]) -> frozenset[str]:
    """SDK parameter names in the URL templates of an operation's routes."""
    return frozenset(name for route in routes for name in _PATH_PARAMETER.findall(route.path))
