"""Safety classes of operations: one module, one data file (data/safety.yaml).

Used at build time by the generator (which stores each operation's class in the
catalog) and at run time by the policy that decides what may be called.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

READ, MUTATE, DESTRUCTIVE, SECRET = "read", "mutate", "destructive", "secret"
SAFETY_CLASSES = (READ, MUTATE, DESTRUCTIVE, SECRET)


@dataclass(frozen=True)
class Refinement:
    """Argument values that make a call of an operation a lesser class (server_action poweron: mutate)."""

    argument: str
    values: frozenset[str]
    safety: str


@dataclass(frozen=True)
class SafetyRules:
    default: str
    verbs: dict[str, str]
    exceptions: tuple[tuple[str, str], ...]
    refinements: dict[str, Refinement]
    checked_non_get_reads: dict[str, str]  # operation -> why it is a read though not sent with GET
    not_destructive: dict[str, str]  # operation -> why it loses nothing though it looks lossy


@lru_cache(maxsize=1)
def load_rules() -> SafetyRules:
    import yaml

    text = resources.files("scw_mcp").joinpath("data/safety.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    verbs = {verb: cls for cls, names in data["verbs"].items() for verb in names}
    exceptions = tuple((pattern, cls) for pattern, cls in data["exceptions"].items())
    for cls in [data["default"], *verbs.values(), *(c for _, c in exceptions)]:
        if cls not in SAFETY_CLASSES:
            raise ValueError(f"data/safety.yaml: unknown safety class {cls!r}")
    refinements = {}
    for operation, spec in (data.get("refinements") or {}).items():
        ((cls, values),) = ((k, v) for k, v in spec.items() if k != "argument")
        refinements[operation] = Refinement(spec["argument"], frozenset(values), cls)
    return SafetyRules(
        default=data["default"],
        verbs=verbs,
        exceptions=exceptions,
        refinements=refinements,
        checked_non_get_reads=dict(data.get("checked_non_get_reads") or {}),
        not_destructive=dict(data.get("not_destructive") or {}),
    )


def classify(tool_name: str, method_name: str, rules: SafetyRules | None = None) -> str:
    """Safety class of one operation: exceptions table first, then the method's verb."""
    rules = rules or load_rules()
    for pattern, cls in rules.exceptions:
        if fnmatch.fnmatchcase(tool_name, pattern):
            return cls
    return rules.verbs.get(method_name.split("_", 1)[0], rules.default)


_LOSSY_NAME = re.compile(r"(^|_)(delete|terminate|wipe|purge)(_|$)")


def wire_problems(
    name: str, method: str, safety: str, verbs: set[str], collections: list[str], rules: SafetyRules | None = None
) -> list[str]:
    """Why an operation's class contradicts what it sends (empty when it does not).

    verbs: the HTTP verbs it sends; collections: its list/map parameters other than tags
    (a set_* with one replaces that whole collection)."""
    rules = rules or load_rules()
    problems = []
    others = sorted(verbs - {"GET"})
    if safety == READ and others and name not in rules.checked_non_get_reads:
        problems.append(
            f"{name} is classed read but sends {', '.join(others)}: class it by what it does, or list it "
            "under checked_non_get_reads with the reason it changes nothing"
        )
    why = (
        "sends DELETE"
        if "DELETE" in verbs
        else "is named like a delete"
        if _LOSSY_NAME.search(method)
        else f"replaces a whole collection ({', '.join(collections)})"
        if method.startswith("set_") and collections
        else ""
    )
    if why and safety != DESTRUCTIVE and name not in rules.not_destructive:
        problems.append(
            f"{name} {why} but is classed {safety}: class it destructive, or list it under "
            "not_destructive with the reason it loses nothing"
        )
    for listed, table in ((name, rules.checked_non_get_reads), (name, rules.not_destructive)):
        if listed in table and not str(table[listed]).strip():
            problems.append(f"{name} is listed in data/safety.yaml without a reason")
    return problems


def product_wide_reads(namespaces: set[str], rules: SafetyRules | None = None) -> list[str]:
    """Exceptions that would class a whole product read (its writes with it)."""
    rules = rules or load_rules()
    return [
        pattern
        for pattern, cls in rules.exceptions
        if cls == READ
        and pattern.endswith("*")
        and "*" not in pattern[:-1]
        and any(ns.startswith(pattern[:-1]) or pattern[:-1].startswith(ns) for ns in namespaces)
        and not any(verb in pattern[:-1].split("_")[1:] for verb in rules.verbs)
    ]


def refined_operations() -> frozenset[str]:
    return frozenset(load_rules().refinements)


def refined_safety(operation: str, safety: str, arguments: dict) -> str:
    """The class of one call: an operation's class, lowered where its arguments make it harmless."""
    refinement = load_rules().refinements.get(operation)
    if refinement is not None and arguments.get(refinement.argument) in refinement.values:
        return refinement.safety
    return safety


def annotation_hints(safety: str) -> dict[str, bool]:
    """MCP tool annotations (snake_case, as mcp's ToolAnnotations takes them) for a class."""
    return {
        "read_only_hint": safety == READ,
        "destructive_hint": safety == DESTRUCTIVE,
        "idempotent_hint": safety == READ,
        "open_world_hint": True,
    }
