"""The S3 stages: botocore's S3 service model -> the same frozen model as the SDK's operations.

Scaleway Object Storage speaks S3 and the scaleway SDK has no object API, so these tools come
from the model boto3 ships (no network): operations, input shapes, types, enums, required
members and documentation. Which operations: `data/s3_operations.yaml` (Scaleway's list).
Names: `object_storage_{snake_case(operation)}`; arguments and results are the snake_case of
the model's members (botocore's own `xform_name`, so the runtime converts with the same rule).
"""

from __future__ import annotations

import fnmatch
import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from scw_mcp import __version__
from scw_mcp.safety import DESTRUCTIVE, classify

from .config import GeneratorConfig
from .model import Field, ModuleSpec, ObjectDef, Operation, S3Spec, TypeRef

NAMESPACE = "object_storage"
CLIENT = "s3"
# The member that carries a request's streaming body, and the two arguments that stand for it.
BODY = "Body"
CONTENT_DOC = "The data: text, or base64 when encoding is base64."
ENCODING_DOC = "How content is written: text (UTF-8) or base64 (binary data)."

_NOTE_RE = re.compile(r"<(note|important)>.*?</\1>", re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")
_PARAGRAPH_END_RE = re.compile(r"</p>|</li>|</dd>|</dt>")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
# Sentences about AWS-only features say nothing true about Scaleway: descriptions skip them.
_AWS_ONLY_RE = re.compile(
    r"directory bucket|Outposts|access point|Amazon Web Services|Amazon S3 Express|Local Zone|"
    r"IAM|Amazon S3 User Guide|Amazon S3 API Reference|CloudTrail|KMS key|dual-stack|Object Lambda|"
    r"Permissions|HTTP Host header syntax|For more information|For information|AWS Region|AWS account|"
    r"Amazon S3 console|"
    r"x-amz-|URL encode|Cross-account|are related to|is related to|Related Resources|must have|this permission|"
    r"s3:[A-Z]|Access Denied|require the|correct permissions|identity|Example",
)
# The model speaks of Amazon S3; these tools talk to Scaleway Object Storage.
_RENAMES: tuple[tuple[re.Pattern[str], Any], ...] = (
    (re.compile(r"\b(an )?Amazon S3 bucket"), lambda m: "a bucket" if m.group(1) else "bucket"),
    (re.compile(r"\bAmazon S3\b"), "Object Storage"),
    (re.compile(r"\bS3 bucket"), "bucket"),
    (
        re.compile(r"^This (?:operation|action) (\w)"),
        lambda m: m.group(1).upper(),
    ),  # "This operation aborts" -> "Aborts"
)
_SCALARS = {
    "string": "string",
    "integer": "integer",
    "long": "integer",
    "boolean": "boolean",
    "float": "number",
    "double": "number",
    "timestamp": "datetime",
    "blob": "bytes",
}
SUMMARY_LIMIT = 160
DESCRIPTION_LIMIT = 360
FIELD_DOC_LIMIT = 160


class S3ModelError(Exception):
    """botocore's model and data/s3_operations.yaml disagree; says what to change."""


@dataclass(frozen=True)
class S3Operations:
    """data/s3_operations.yaml, read."""

    supported: dict[str, str]  # operation -> source key
    left_out: dict[str, str]  # operation -> reason
    sources: dict[str, dict[str, Any]]
    omitted_members: dict[str, str]  # fnmatch pattern -> reason
    previews: dict[str, str]  # destructive operation -> the read operation its preview shows
    default_page_size: int

    def omitted(self, member: str, parent: str) -> bool:
        """Patterns name a member anywhere (`MFA`) or in one shape (`RestoreRequest.Type`)."""
        return any(
            fnmatch.fnmatchcase(member, p) or fnmatch.fnmatchcase(f"{parent}.{member}", p) for p in self.omitted_members
        )


def load_operations(config: GeneratorConfig) -> S3Operations:
    data = yaml.safe_load(config.s3_operations.read_text(encoding="utf-8"))
    return S3Operations(
        supported=dict(data["supported"]),
        left_out=dict(data["left_out"]),
        sources=dict(data["sources"]),
        omitted_members=dict(data["omitted_members"]),
        previews=dict(data.get("previews") or {}),
        default_page_size=int(data["default_page_size"]),
    )


def xform_name(name: str) -> str:
    from botocore import xform_name as botocore_xform

    return botocore_xform(name)


def tool_name(operation: str) -> str:
    return f"{NAMESPACE}_{xform_name(operation)}"


# --- documentation -----------------------------------------------------------------------


def doc_text(markup: str) -> str:
    """The model's HTML documentation as plain text, without its notes and notices (about AWS);
    a paragraph ends a sentence even without a full stop."""
    paragraphs = _PARAGRAPH_END_RE.split(_NOTE_RE.sub(" ", markup or ""))
    texts = [" ".join(html.unescape(_TAG_RE.sub(" ", p)).split()) for p in paragraphs]
    return " ".join(t if t.endswith((".", ":", "!", "?")) else f"{t}." for t in texts if t)


def _rename(sentence: str) -> str:
    for pattern, replacement in _RENAMES:
        sentence = pattern.sub(replacement, sentence)
    return sentence


def _sentences(markup: str) -> list[str]:
    text = doc_text(markup) or " ".join(html.unescape(_TAG_RE.sub(" ", markup or "")).split())
    # Lists of related operations leave one-word sentences: they are no description.
    return [_rename(s) for s in _SENTENCE_RE.split(text) if s.count(" ") >= 2 and not _AWS_ONLY_RE.search(s)]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def summary(markup: str, fallback: str) -> str:
    sentences = _sentences(markup)
    return _clip(sentences[0].rstrip("."), SUMMARY_LIMIT) if sentences else fallback


def description(markup: str) -> str:
    out = ""
    for sentence in _sentences(markup):
        if out and len(out) + len(sentence) + 1 > DESCRIPTION_LIMIT:
            break
        out = f"{out} {sentence}".strip()
    return _clip(out, DESCRIPTION_LIMIT)


def field_doc(markup: str) -> str:
    sentences = _sentences(markup)
    return _clip(sentences[0], FIELD_DOC_LIMIT) if sentences else ""


# --- types -------------------------------------------------------------------------------


def type_ref(shape: Any) -> TypeRef:
    kind = shape.type_name
    if kind == "string" and shape.enum:
        return TypeRef("enum", name=shape.name, values=tuple(shape.enum))
    if kind in _SCALARS:
        return TypeRef(_SCALARS[kind])
    if kind == "structure":
        return TypeRef("object", name=shape.name, python=f"botocore:s3.{shape.name}")
    if kind == "list":
        return TypeRef("array", item=type_ref(shape.member))
    if kind == "map":
        return TypeRef("map", item=type_ref(shape.value))
    raise S3ModelError(f"unsupported shape type {kind} ({shape.name})")


def _fields(shape: Any, ops: S3Operations) -> tuple[Field, ...]:
    required = set(shape.required_members)
    return tuple(
        Field(
            name=xform_name(member),
            sdk_name=member,
            type=type_ref(member_shape),
            required=member in required,
            description=field_doc(member_shape.documentation),
            secret=bool(member_shape.metadata.get("sensitive")),
        )
        for member, member_shape in shape.members.items()
        if not ops.omitted(member, shape.name)
    )


def _objects(shapes: list[Any], ops: S3Operations) -> tuple[ObjectDef, ...]:
    """Every structure reachable from these member shapes, in a stable order."""
    found: dict[str, ObjectDef] = {}
    pending = list(shapes)
    while pending:
        shape = pending.pop()
        if shape.type_name == "list":
            pending.append(shape.member)
        elif shape.type_name == "map":
            pending.append(shape.value)
        elif shape.type_name == "structure" and shape.name not in found:
            found[shape.name] = ObjectDef(
                shape.name, f"botocore:s3.{shape.name}", field_doc(shape.documentation), _fields(shape, ops)
            )
            pending.extend(m for name, m in shape.members.items() if not ops.omitted(name, shape.name))
    return tuple(sorted(found.values(), key=lambda d: d.name))


# --- operations --------------------------------------------------------------------------


def _params(op_model: Any, ops: S3Operations) -> tuple[tuple[Field, ...], list[Any]]:
    """(the tool's parameters, the member shapes behind them) of one operation."""
    shape = op_model.input_shape
    params: list[Field] = []
    shapes: list[Any] = []
    if shape is not None:
        for f in _fields(shape, ops):
            member_shape = shape.members[f.sdk_name]
            if f.sdk_name == BODY and member_shape.serialization.get("streaming"):
                params.append(Field("content", BODY, TypeRef("string"), False, CONTENT_DOC))
                params.append(
                    Field(
                        "encoding",
                        "",
                        TypeRef("enum", name="Encoding", values=("text", "base64")),
                        False,
                        ENCODING_DOC,
                        has_default=True,
                        default="text",
                    )
                )
                continue
            params.append(f)
            shapes.append(member_shape)
    params.append(Field("region", "", TypeRef("string"), False, "", scope="region"))
    return tuple(params), shapes


def _paths(expression: str) -> tuple[str, ...]:
    """A paginator's output token ("NextMarker || Contents[-1].Key") as snake_case result paths."""
    alternatives = [a.strip() for a in expression.split("||")]
    return tuple(
        ".".join(
            xform_name(p) if "[" not in p else xform_name(p[: p.index("[")]) + p[p.index("[") :] for p in a.split(".")
        )
        for a in alternatives
    )


def _paging(paginators: Any, operation: str) -> tuple[str | None, tuple[tuple[str, tuple[str, ...]], ...], str | None]:
    try:
        config = paginators.get_paginator(operation)
    except ValueError:
        return None, (), None
    inputs = config["input_token"] if isinstance(config["input_token"], list) else [config["input_token"]]
    outputs = config["output_token"] if isinstance(config["output_token"], list) else [config["output_token"]]
    nexts = tuple((xform_name(i), _paths(o)) for i, o in zip(inputs, outputs, strict=False))
    more = config.get("more_results")
    return xform_name(config["limit_key"]), nexts, xform_name(more) if more else None


def _preview_of(operation: str, safety: str, ops: S3Operations) -> str | None:
    if safety != DESTRUCTIVE:
        return None
    read = ops.previews.get(operation) or re.sub(r"^(Put|Delete)", "Get", operation)
    return tool_name(read) if read in ops.supported else None


def _operation(service: Any, paginators: Any, operation: str, ops: S3Operations) -> Operation:
    op_model = service.operation_model(operation)
    params, shapes = _params(op_model, ops)
    name = tool_name(operation)
    method = xform_name(operation)
    safety = classify(name, method)
    page_size, nexts, more = _paging(paginators, operation)
    output = op_model.output_shape
    return Operation(
        name=name,
        namespace=NAMESPACE,
        product=NAMESPACE,
        version="",
        module=NAMESPACE,
        sdk_package="botocore",
        sdk_class=CLIENT,
        sdk_class_module="",
        method=operation,
        function=method,
        summary=summary(op_model.documentation, method.replace("_", " ").capitalize()),
        description=description(op_model.documentation),
        safety=safety,
        scope="region",
        params=params,
        objects=_objects(shapes, ops),
        one_of=(),
        returns=output.name if output is not None else "",
        list_key=None,
        paging="",
        wait=None,
        client=CLIENT,
        s3=S3Spec(
            operation=operation,
            preview=_preview_of(operation, safety, ops),
            body_in=bool(op_model.has_streaming_input),
            body_out=bool(op_model.has_streaming_output),
            page_size=page_size,
            default_page_size=ops.default_page_size if page_size else None,
            next=nexts,
            more=more,
        ),
    )


@lru_cache(maxsize=1)
def _botocore() -> tuple[Any, Any, str, str]:
    """botocore's shipped S3 model and paginators only: a session would also search ~/.aws/models,
    AWS_DATA_PATH and the config's data_path (and resolve a profile), so the output would depend on
    the machine instead of the botocore pin."""
    import botocore
    from botocore.loaders import Loader
    from botocore.model import ServiceModel
    from botocore.paginate import PaginatorModel

    loader = Loader(extra_search_paths=[Loader.BUILTIN_DATA_PATH], include_default_search_paths=False)
    service = ServiceModel(loader.load_service_model(CLIENT, "service-2"), service_name=CLIENT)
    paginators = PaginatorModel(loader.load_service_model(CLIENT, "paginators-1"))
    return service, paginators, botocore.__version__, service.api_version


def botocore_version() -> str:
    return _botocore()[2]


def check_lists(model_operations: list[str], ops: S3Operations) -> None:
    """Every operation of the model is supported or left out with a reason, and nothing else is named."""
    both = sorted(set(ops.supported) & set(ops.left_out))
    unplaced = sorted(set(model_operations) - set(ops.supported) - set(ops.left_out))
    unknown = sorted(set(ops.supported) - set(model_operations))  # left out of another botocore: no matter
    bad_sources = sorted(op for op, source in ops.supported.items() if source not in ops.sources)
    problems = []
    if unplaced:
        problems.append(
            f"operations of botocore {botocore_version()}'s S3 model in neither list: {', '.join(unplaced)} "
            "(add each to `supported` with its source or to `left_out` with a reason)"
        )
    if unknown:
        problems.append(f"supported operations not in botocore {botocore_version()}'s model: {', '.join(unknown)}")
    if both:
        problems.append(f"both supported and left out: {', '.join(both)}")
    if bad_sources:
        problems.append(f"supported with an unknown source: {', '.join(bad_sources)}")
    if problems:
        raise S3ModelError("data/s3_operations.yaml: " + "; ".join(problems))


def build_s3_module(config: GeneratorConfig) -> ModuleSpec:
    service, paginators, _, _ = _botocore()
    ops = load_operations(config)
    check_lists(list(service.operation_names), ops)
    operations = tuple(sorted((_operation(service, paginators, op, ops) for op in ops.supported), key=lambda o: o.name))
    return ModuleSpec(NAMESPACE, NAMESPACE, "", NAMESPACE, "botocore", operations)


def header(generator_version: str = __version__) -> str:
    _, _, version, api_version = _botocore()
    return (
        f"# Generated by scw-mcp-gen {generator_version} from botocore {version} (S3 API {api_version}). DO NOT EDIT.\n"
        "# Regenerate with `scw-mcp-gen` after changing the botocore pin, data/s3_operations.yaml or the generator."
    )
