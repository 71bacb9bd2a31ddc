"""Field documentation of the SDK's dataclasses.

The SDK documents fields with a string literal under each annotated attribute in
`types.py`; that text is not reachable at run time, so it is read with libcst.
"""

from __future__ import annotations

import inspect
import sys
import warnings
from functools import cache
from pathlib import Path

import libcst as cst

from .docstrings import meaningful


def _clean(text: str) -> str:
    return meaningful(" ".join(inspect.cleandoc(text).split()))


@cache
def _module_docs(path: str) -> dict[str, dict[str, str]]:
    """{class name: {field name: doc, "": class doc}} for one source file."""
    module = cst.parse_module(Path(path).read_text(encoding="utf-8"))
    docs: dict[str, dict[str, str]] = {}
    for stmt in module.body:
        if not isinstance(stmt, cst.ClassDef):
            continue
        fields: dict[str, str] = {}
        pending: str | None = None
        body = stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else ()
        for index, item in enumerate(body):
            if not isinstance(item, cst.SimpleStatementLine):
                pending = None
                continue
            node = item.body[0]
            if isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name):
                pending = node.target.value
            elif isinstance(node, cst.Expr) and isinstance(node.value, cst.SimpleString):
                text = _clean(_evaluated(node.value))
                if index == 0:
                    fields[""] = text
                elif pending:
                    fields[pending] = text
                pending = None
            else:
                pending = None
        docs[stmt.name.value] = fields
    return docs


def class_field_docs(cls: type) -> dict[str, str]:
    """Docs of a dataclass's fields (key "" holds the class's own doc)."""
    module = sys.modules.get(cls.__module__)
    path = getattr(module, "__file__", None)
    if not path:
        return {}
    return _module_docs(path).get(cls.__name__, {})


def _evaluated(string: cst.SimpleString) -> str:
    """The string's value; the SDK's docstrings hold escapes like "\\{" that Python warns about."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        return string.evaluated_value
