"""What may be called: read-only mode, the optional policy file, and per-call safety.

One module decides, for typed tools and the gateway alike, before any request leaves. Rules
match operations, never a tool's spelling: a tool is matched by its own name and by the name
of every operation it performs (a hand-written delete that first powers a server off performs
instance_server_action and instance_delete_server). See docs/policy.md.

Policy file (YAML or TOML, `--policy PATH` / SCW_MCP_POLICY):

    deny: ["iam_*", "*_delete_*"]      # never callable
    allow: ["instance_*", "vpc_*"]     # if given, only these are callable
    confirm: ["*_update_*"]            # also need confirmation (destructive ones always do)
    projects: ["<project uuid>"]       # calls may only target these projects
    zones: ["fr-par-1"]                # ... these zones
    regions: ["fr-par"]                # ... these regions (and their zones)
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scw_mcp.safety import DESTRUCTIVE, READ, refined_safety

from .errors import ToolFailure
from .localities import region_of

FIELDS = ("allow", "deny", "confirm", "projects", "zones", "regions")


class PolicyError(Exception):
    """The policy file cannot be read or is malformed (the server refuses to start: fail closed)."""


def _matches(names: Iterable[str], patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for name in names for p in patterns)


@dataclass(frozen=True)
class Policy:
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    confirm: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    source: str = ""

    def permits(self, op: Any) -> bool:
        """deny: the tool or any operation it performs; allow: the tool and every operation it writes with."""
        if _matches((op.name, *op.performs), self.deny):
            return False
        if not self.allow:
            return True
        return _matches((op.name,), self.allow) and all(_matches((w,), self.allow) for w in op.writes)

    def wants_confirmation(self, op: Any) -> bool:
        return _matches((op.name, *op.writes), self.confirm)

    def zone_allowed(self, zone: str) -> bool:
        if self.zones and zone not in self.zones:
            return False
        return self.region_allowed(region_of(zone))

    def region_allowed(self, region: str) -> bool:
        return not self.regions or region in self.regions


def load_policy(path: str | None) -> Policy:
    if not path:
        return Policy()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
        if file.suffix == ".toml":
            try:
                import tomllib
            except ImportError:  # Python 3.10
                raise PolicyError("TOML policy files need Python 3.11+; use YAML") from None
            data = tomllib.loads(text)
        else:
            data = yaml.safe_load(text) or {}
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise PolicyError(f"cannot read policy file {path}: {exc}") from None
    if not isinstance(data, dict) or set(data) - set(FIELDS):
        raise PolicyError(f"policy file {path}: expected a mapping with keys among {list(FIELDS)}")
    values: dict[str, tuple[str, ...]] = {}
    for key in FIELDS:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            got = type(value).__name__ if not isinstance(value, list) else "a list with a non-string or empty item"
            raise PolicyError(f'policy file {path}: {key} must be a list of strings (e.g. {key}: ["..."]), got {got}')
        values[key] = tuple(value)
    return Policy(source=str(file), **values)


@dataclass(frozen=True)
class Decision:
    safety: str  # the effective class for this call
    needs_confirmation: bool


def target_project(arguments: dict[str, Any], default: str | None) -> str | None:
    return arguments.get("project_id") or arguments.get("project") or default


@dataclass
class Gate:
    """Read-only mode + policy + confirmation switch, applied to every call."""

    read_only: bool = False
    confirm_destructive: bool = True
    policy: Policy = field(default_factory=Policy)
    allow_lockout: bool = False  # skip the guards against locking oneself out (runtime/guards.py)

    def serves(self, op: Any) -> bool:
        """Whether a tool is listed at all."""
        return (not self.read_only or op.safety == READ) and self.policy.permits(op)

    def may_confirm(self, op: Any, safety: str | None = None) -> bool:
        """Whether a call of this operation (of this class, when its arguments refine it) asks for a
        confirmation, and so takes a token."""
        safety = safety or op.safety
        return safety == DESTRUCTIVE or (safety != READ and self.policy.wants_confirmation(op))

    def refuse(self, reason: str) -> ToolFailure:
        return ToolFailure(f"Refused by policy ({self.policy.source}): {reason}")

    def read_only_refusal(self, op: Any) -> ToolFailure | None:
        """Why read-only mode neither serves nor runs an operation (None when it does)."""
        if not self.read_only or op.safety == READ:
            return None
        return ToolFailure(
            f"Refused: {op.name} is a {op.safety} operation (a write) and this server runs in read-only mode. "
            "What to do: use a read operation, or restart scw-mcp without --read-only."
        )

    def decide(self, op: Any, arguments: dict[str, Any], project: str | None) -> Decision:
        refusal = self.read_only_refusal(op)
        if refusal is not None:
            raise refusal
        if not self.policy.permits(op):
            raise self.refuse(f"{op.name} is not allowed.")
        if op.safety == READ:
            self.check_project(op, arguments.get("project_id") or arguments.get("project"))
        else:
            self.check_project(op, target_project(arguments, project), known=True)
        project_ids = arguments.get("project_ids")
        for named in project_ids if isinstance(project_ids, list) else ():  # search and billing filter by several
            self.check_project(op, named if isinstance(named, str) else str(named))
        zone, region = arguments.get("zone"), arguments.get("region")
        if isinstance(zone, str) and zone != "all" and not self.policy.zone_allowed(zone):
            raise self.refuse(f"zone {zone} is not allowed ({', '.join(self.policy.zones or self.policy.regions)}).")
        if isinstance(region, str) and region != "all" and not self.policy.region_allowed(region):
            raise self.refuse(f"region {region} is not allowed ({', '.join(self.policy.regions)}).")
        effective = refined_safety(op.name, op.safety, arguments)
        return Decision(
            safety=effective, needs_confirmation=self.may_confirm(op, effective) and self.confirm_destructive
        )

    def check_project(self, op: Any, project: str | None, known: bool = False, what: str = "") -> None:
        """The project a call targets, or `what` it touches belongs to, must be allowed (known=True: a
        write must name one). The one home of this rule: runtime/projects.py places resources with it."""
        if self.policy.projects and (project is not None or known) and project not in self.policy.projects:
            whose = f": {what} belongs to it" if what else ""
            raise self.refuse(f"project {project} is not in the allowed projects ({op.name}{whose}).")
