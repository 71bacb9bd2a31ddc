"""The generator's one configuration object."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class GeneratorConfig:
    sdk_package: str = "scaleway"
    out_dir: Path = PACKAGE_DIR / "generated"
    template_dir: Path = PACKAGE_DIR / "templates"
    # Fields the API refuses to leave unset, beyond the ids in the URL (see generator/required.py).
    required_table: Path = PACKAGE_DIR / "data" / "required.yaml"
    # Which operations of botocore's S3 model become object_storage_* tools (Scaleway's list).
    s3_operations: Path = PACKAGE_DIR / "data" / "s3_operations.yaml"
    # Products whose default (bare-named) version is not the rule's choice
    # (the most stable, then the newest): baremetal v3 only has the private-network API.
    default_version_overrides: dict[str, str] = field(default_factory=lambda: {"baremetal": "v1"})
    # Tool names are at most this long (MCP clients reject longer ones).
    max_name_length: int = 64
    # The command that regenerates, shown by --check on drift.
    fix_command: str = "scw-mcp-gen"
