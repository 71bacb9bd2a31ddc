"""What may be called: read-only mode, the optional policy file, and per-call safety.

One module decides, for typed tools and the gateway alike, before any request leaves.

Policy file (YAML or TOML, `--policy PATH` / SCW_MCP_POLICY):

    deny: ["iam_*", "*_delete_*"]      # never callable
    allow: ["instance_*", "vpc_*"]     # if given, only these are callable
    confirm: ["*_update_*"]            # also need confirmation (destructive ones always do)
    projects: ["<project uuid>"]       # calls may only target these projects
    zones: ["fr-par-1"]                # ... these zones
    regions: ["fr-par"]                # ... these regions
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scw_mcp.safety import DESTRUCTIVE, READ

from .errors import ToolFailure

# Argument values that make an otherwise destructive operation a plain mutation.
_SAFE_ACTIONS = {
    ("instance_server_action", "action"): {"poweron", "poweroff", "reboot", "stop_in_place", "enable_routed_ip"},
}


class PolicyError(Exception):
    """The policy file cannot be read or is malformed."""


@dataclass(frozen=True)
class Policy:
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    confirm: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    source: str = ""

    def permits(self, tool: str) -> bool:
        if any(fnmatch.fnmatchcase(tool, p) for p in self.deny):
            return False
        return not self.allow or any(fnmatch.fnmatchcase(tool, p) for p in self.allow)


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
    known = {"allow", "deny", "confirm", "projects", "zones", "regions"}
    if not isinstance(data, dict) or set(data) - known:
        raise PolicyError(f"policy file {path}: expected a mapping with keys among {sorted(known)}")
    return Policy(source=str(file), **{k: tuple(str(v) for v in data.get(k) or ()) for k in known})


@dataclass(frozen=True)
class Decision:
    safety: str  # the effective class for this call
    needs_confirmation: bool


@dataclass
class Guard:
    """Read-only mode + policy + confirmation switch, applied to every call."""

    read_only: bool = False
    confirm_destructive: bool = True
    policy: Policy = field(default_factory=Policy)
    allow_lockout: bool = False  # skip the guards against locking oneself out (runtime/guards.py)

    def effective_safety(self, tool: str, safety: str, arguments: dict[str, Any]) -> str:
        for (name, arg), safe_values in _SAFE_ACTIONS.items():
            if tool == name and arguments.get(arg) in safe_values:
                return "mutate"
        return safety

    def decide(self, tool: str, safety: str, arguments: dict[str, Any], project: str | None) -> Decision:
        if self.read_only and safety != READ:
            raise ToolFailure(
                f"Refused: {tool} is a {safety} operation and the server runs in read-only mode. "
                "What to do: use a read operation, or restart scw-mcp without --read-only."
            )
        if not self.policy.permits(tool):
            raise ToolFailure(f"Refused by policy ({self.policy.source}): {tool} is not allowed.")
        target_project = arguments.get("project_id") or arguments.get("project") or project
        if self.policy.projects and safety != READ and target_project not in self.policy.projects:
            raise ToolFailure(
                f"Refused by policy ({self.policy.source}): project {target_project} is not in the allowed projects."
            )
        if self.policy.projects and safety == READ and arguments.get("project_id", arguments.get("project")) not in (None, *self.policy.projects):
            raise ToolFailure(f"Refused by policy ({self.policy.source}): that project is not in the allowed projects.")
        zone, region = arguments.get("zone"), arguments.get("region")
        if self.policy.zones and zone and zone != "all" and zone not in self.policy.zones:
            raise ToolFailure(f"Refused by policy ({self.policy.source}): zone {zone} is not allowed ({', '.join(self.policy.zones)}).")
        if self.policy.regions and region and region not in self.policy.regions:
            raise ToolFailure(f"Refused by policy ({self.policy.source}): region {region} is not allowed ({', '.join(self.policy.regions)}).")
        effective = self.effective_safety(tool, safety, arguments)
        confirm = effective == DESTRUCTIVE or any(fnmatch.fnmatchcase(tool, p) for p in self.policy.confirm)
        return Decision(safety=effective, needs_confirmation=confirm and self.confirm_destructive)
