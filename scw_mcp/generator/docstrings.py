"""Parse the SDK's reST-style docstrings (`:param x:` lines, One-Of notes)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARAM_RE = re.compile(r"^:param (\w+):\s*(.*)$")
_ONE_OF_RE = re.compile(r"One-Of \('(\w+)'\): at most one of (.+?) could be set\.")
_PLACEHOLDER_RE = re.compile(r"^(TODO|FIXME|TBD|XXX)\W*$", re.IGNORECASE)


def meaningful(text: str) -> str:
    """The text, or "" when it is only a placeholder the SDK left ("TODO."): no description beats that one."""
    return "" if _PLACEHOLDER_RE.match(text.strip()) else text


@dataclass(frozen=True)
class ParsedDoc:
    summary: str
    description: str
    params: dict[str, str]
    one_of: dict[str, tuple[str, ...]]  # group -> member parameter names (SDK names)


def parse_docstring(doc: str) -> ParsedDoc:
    head: list[str] = []
    params: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in doc.splitlines():
        line = raw.strip()
        if line.startswith(":return") or line.startswith("Usage:"):
            current = None
            if line.startswith("Usage:"):
                break
            continue
        match = _PARAM_RE.match(line)
        if match:
            current = params.setdefault(match.group(1), [])
            if match.group(2):
                current.append(match.group(2))
        elif current is not None:
            if line:
                current.append(line)
        elif line:
            head.append(line)
    one_of: dict[str, list[str]] = {}
    for lines in params.values():
        for line in lines:
            match = _ONE_OF_RE.search(line)
            if match:
                members = re.findall(r"'(\w+)'", match.group(2))
                group = one_of.setdefault(match.group(1), [])
                group.extend(m for m in members if m not in group)
    return ParsedDoc(
        summary=meaningful(head[0]) if head else "",
        description=meaningful(" ".join(head).strip()),
        params={name: meaningful(" ".join(lines).strip()) for name, lines in params.items()},
        one_of={group: tuple(members) for group, members in sorted(one_of.items())},
    )
