"""Safety classes of operations: one module, one data file (data/safety.yaml).

Used at build time by the generator (which stores each operation's class in the
catalog) and at run time by the policy that decides what may be called.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

READ, MUTATE, DESTRUCTIVE, SECRET = "read", "mutate", "destructive", "secret"
SAFETY_CLASSES = (READ, MUTATE, DESTRUCTIVE, SECRET)


@dataclass(frozen=True)
class SafetyRules:
    default: str
    verbs: dict[str, str]
    exceptions: tuple[tuple[str, str], ...]


@lru_cache(maxsize=1)
def load_rules() -> SafetyRules:
    text = resources.files("scw_mcp").joinpath("data/safety.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    verbs = {verb: cls for cls, names in data["verbs"].items() for verb in names}
    exceptions = tuple((pattern, cls) for pattern, cls in data["exceptions"].items())
    for cls in [data["default"], *verbs.values(), *(c for _, c in exceptions)]:
        if cls not in SAFETY_CLASSES:
            raise ValueError(f"data/safety.yaml: unknown safety class {cls!r}")
    return SafetyRules(default=data["default"], verbs=verbs, exceptions=exceptions)


def classify(tool_name: str, method_name: str, rules: SafetyRules | None = None) -> str:
    """Safety class of one operation: exceptions table first, then the method's verb."""
    rules = rules or load_rules()
    for pattern, cls in rules.exceptions:
        if fnmatch.fnmatchcase(tool_name, pattern):
            return cls
    return rules.verbs.get(method_name.split("_", 1)[0], rules.default)


def annotation_hints(safety: str) -> dict[str, bool]:
    """MCP tool annotations (snake_case, as mcp's ToolAnnotations takes them) for a class."""
    return {
        "read_only_hint": safety == READ,
        "destructive_hint": safety == DESTRUCTIVE,
        "idempotent_hint": safety == READ,
        "open_world_hint": True,
    }
