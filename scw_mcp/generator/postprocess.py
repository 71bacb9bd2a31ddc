"""Stage 4: check every generated Python file parses, and normalise formatting."""

from __future__ import annotations

import re
from dataclasses import replace

import libcst as cst

from .render import RenderedFile

_BLANK_RUNS = re.compile(r"\n{4,}")


class GeneratedSyntaxError(Exception):
    """A generated module does not parse; names the operation that caused it."""


def normalise(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    text = "\n".join(lines).strip("\n") + "\n"
    return _BLANK_RUNS.sub("\n\n\n", text)


def _operation_at(rendered: RenderedFile, line: int) -> str:
    owner = "module header"
    for start, name in rendered.operation_lines:
        if start <= line:
            owner = name
    return owner


def postprocess(files: list[RenderedFile]) -> list[RenderedFile]:
    out = []
    for rendered in files:
        if not rendered.path.endswith(".py"):
            out.append(rendered)
            continue
        try:
            cst.parse_module(rendered.content)
        except cst.ParserSyntaxError as exc:
            raise GeneratedSyntaxError(
                f"{rendered.path}: generated code for {_operation_at(rendered, exc.raw_line)} "
                f"does not parse (line {exc.raw_line}): {exc.message}"
            ) from exc
        out.append(replace(rendered, content=normalise(rendered.content)))
    return sorted(out, key=lambda f: f.path)
