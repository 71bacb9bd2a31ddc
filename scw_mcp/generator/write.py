"""Stage 5: write the files atomically, or (--check) compare them with what is there."""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path

from .render import RenderedFile

MANAGED_SUFFIXES = (".py", ".json")


def _managed(out_dir: Path) -> dict[str, str]:
    if not out_dir.is_dir():
        return {}
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(out_dir.iterdir())
        if p.is_file() and p.suffix in MANAGED_SUFFIXES
    }


def drift(files: list[RenderedFile], out_dir: Path) -> str:
    """Unified diff between the tree on disk and what the generator produces ('' when equal)."""
    existing = _managed(out_dir)
    wanted = {f.path: f.content for f in files}
    chunks = []
    for name in sorted(set(existing) | set(wanted)):
        old, new = existing.get(name), wanted.get(name)
        if old == new:
            continue
        chunks.extend(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                (new or "").splitlines(keepends=True),
                fromfile=f"a/{out_dir.name}/{name}" if old is not None else "/dev/null",
                tofile=f"b/{out_dir.name}/{name}" if new is not None else "/dev/null",
                n=2,
            )
        )
    return "".join(chunks)


def _atomic_write(path: Path, content: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(files: list[RenderedFile], out_dir: Path) -> list[str]:
    """Write every file that changed and remove stale ones; returns the names touched."""
    out_dir.mkdir(parents=True, exist_ok=True)
    existing = _managed(out_dir)
    wanted = {f.path: f.content for f in files}
    touched = []
    for name, content in wanted.items():
        if existing.get(name) != content:
            _atomic_write(out_dir / name, content)
            touched.append(name)
    for name in existing:
        if name not in wanted:
            (out_dir / name).unlink()
            touched.append(name)
    return sorted(touched)
