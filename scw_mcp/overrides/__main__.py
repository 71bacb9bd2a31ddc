"""`python -m scw_mcp.overrides [--check]`: rebuild (or check) declared.json from the declarations."""

from __future__ import annotations

import difflib
import sys
from importlib import resources
from pathlib import Path

from scw_mcp.overrides.declare import DECLARED_FILE, FIX_COMMAND, DeclarationError, render_declared
from scw_mcp.runtime.catalog import load_catalog


def main(argv: list[str]) -> int:
    path = Path(str(resources.files("scw_mcp.overrides").joinpath(DECLARED_FILE)))
    try:
        text = render_declared(load_catalog())
    except DeclarationError as exc:
        print(f"scw_mcp.overrides: {exc}", file=sys.stderr)
        return 2
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if "--check" in argv:
        if text == current:
            print(f"{path.name}: up to date")
            return 0
        diff = difflib.unified_diff(
            current.splitlines(True), text.splitlines(True), f"{path.name} (committed)", f"{path.name} (declarations)"
        )
        sys.stdout.writelines(diff)
        print(
            f"\n{path} is out of date with the hand-written tools in scw_mcp/overrides/ "
            f"(a declaration, signature or docstring changed). Fix it with: {FIX_COMMAND}",
            file=sys.stderr,
        )
        return 1
    if text != current:
        path.write_text(text, encoding="utf-8")
    print(f"{path.name}: {'rewritten' if text != current else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
