"""Stage 2's output: a plain, frozen intermediate representation of the SDK.

Independent of jinja2 and of MCP: the render stage and the catalog are built from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Kinds of TypeRef: scalars map to JSON types; the rest need conversion to SDK objects.
SCALAR_KINDS = ("string", "integer", "number", "boolean", "any", "enum")
CONVERTED_KINDS = ("datetime", "bytes", "file", "object")


@dataclass(frozen=True)
class TypeRef:
    kind: str  # string integer number boolean any enum datetime bytes file object array map
    name: str = ""  # enum and object: the SDK class name
    python: str = ""  # enum and object: "module:Class" of the SDK class
    values: tuple[str, ...] = ()  # enum values
    item: TypeRef | None = None  # array items, map values

    def needs_conversion(self) -> bool:
        if self.item is not None:
            return self.item.needs_conversion()
        return self.kind in CONVERTED_KINDS


@dataclass(frozen=True)
class Field:
    """A parameter of an operation, or a field of a nested object."""

    name: str  # as on the wire and in the tool's schema (`type`, not `type_`)
    sdk_name: str  # as the SDK spells it (`type_`)
    type: TypeRef
    required: bool  # in the schema: an id in the URL, or a field the API refuses to leave unset
    description: str
    has_default: bool = False
    default: Any = None  # JSON-compatible
    scope: str = ""  # "zone" or "region" for locality parameters
    # The SDK has no default for it: left out, the call passes its zero value ("", 0, false,
    # [], {}, None for enums and objects), which Scaleway's APIs read as "not set".
    sdk_required: bool = False
    secret: bool = False  # a sensitive value (an encryption key): writeOnly in the schema


@dataclass(frozen=True)
class ObjectDef:
    name: str  # unique within one operation's schema ($defs key)
    python: str  # "module:Class"
    description: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Wait:
    """How to wait for the resource an operation changes (or reads): the SDK's wait_for_* helper,
    as the runtime's own poll loop runs it: its getter, the field it watches, its transient values."""

    method: str
    args: tuple[tuple[str, str], ...]  # waiter parameter -> "arg:NAME" or "result:FIELD"
    get: str  # the getter the waiter polls (same arguments)
    field: str  # the field of the resource it watches
    transient: tuple[str, ...]  # values of that field that mean "not settled yet"


@dataclass(frozen=True)
class Route:
    """One HTTP route an operation calls, as the sandbox serves it."""

    verb: str
    path: str  # template: /vpc/v2/regions/{region}/vpcs/{vpc_id}
    operation: str  # tool name ("" for a route only a private SDK method calls)
    kind: str  # list, create, get, update, delete, or call (anything else)
    request: str  # "module:Class" of the JSON body, or ""
    response: str  # "module:Class" the SDK unmarshals, or "" (no body)
    wrap: str | None  # field of the response that holds the resource (GetServerResponse.server)
    resource: str  # "module:Class" of the resource a collection holds
    list_key: str | None  # list routes: the response field holding the items
    id_field: str | None  # item routes: resource field the last path parameter matches


@dataclass(frozen=True)
class S3Spec:
    """What the S3 executor needs besides the arguments (stored in the catalog entry's `s3`)."""

    operation: str  # botocore's name: PutBucketVersioning
    preview: str | None  # destructive operations: the read tool whose result the preview shows
    body_in: bool  # the input carries a streaming body (content + encoding)
    body_out: bool  # the output is a streaming body (GetObject)
    page_size: str | None  # listing operations: the argument that sets the page size
    default_page_size: int | None  # ... and its value when the caller gives none
    next: tuple[tuple[str, tuple[str, ...]], ...]  # argument -> result paths that resume the listing
    more: str | None  # the result field that says there is more (is_truncated)


@dataclass(frozen=True)
class Operation:
    name: str  # tool name: {namespace}_{method}
    namespace: str
    product: str
    version: str
    module: str  # generated module that holds its call function
    sdk_package: str
    sdk_class: str
    sdk_class_module: str
    method: str
    function: str  # name of the call function in the generated module
    summary: str
    description: str
    safety: str
    scope: str  # "zone", "region" or "" (global)
    params: tuple[Field, ...]
    objects: tuple[ObjectDef, ...]
    one_of: tuple[tuple[str, tuple[str, ...]], ...]  # group -> wire names of its members
    returns: str
    list_key: str | None  # the list in the response, for listing operations
    paging: str  # "page", "token" or ""
    wait: Wait | None
    routes: tuple[Route, ...] = ()
    # Operations of another client than the scaleway SDK (botocore's S3 model): its name and
    # what its runtime executor needs (see S3Spec).
    client: str = ""
    s3: S3Spec | None = None

    @property
    def sdk_path(self) -> str:
        return f"{self.sdk_package}:{self.sdk_class}.{self.method}"


@dataclass(frozen=True)
class ModuleSpec:
    name: str  # generated module file stem, e.g. instance or instance_v2alpha1
    product: str
    version: str
    namespace: str
    sdk_package: str
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class SdkModel:
    sdk_version: str
    generator_version: str
    modules: tuple[ModuleSpec, ...]
    botocore_version: str = ""  # the S3 module (object_storage) comes from botocore's model
    # Routes only the SDK's private methods call (hand-written tools use some, e.g. kubeconfig).
    private_routes: tuple[Route, ...] = ()

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for module in self.modules for op in module.operations)
