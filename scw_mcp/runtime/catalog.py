"""The operation catalog at run time: lookups and search.

Reads scw_mcp/generated/catalog.json once (SDK operations only); the server joins the
hand-written operations to it. Product modules are imported only when one of their
operations is called.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any, Iterable

from scw_mcp.safety import READ

from .operation import Operation
from .sdk import SdkExecutor

_STOPWORDS = {"a", "an", "the", "my", "me", "all", "of", "in", "on", "for", "to", "and", "with", "from", "by", "please", "i", "want", "some", "is", "are", "what", "which", "show", "this", "that", "do", "how"}
_SHORT_PLURALS = {"lbs", "ips", "vms", "dbs"}
# Verbs of operation names: a request that names one prefers operations that do it.
_VERBS = {"list", "get", "create", "delete", "update", "set", "start", "stop", "reboot", "add", "remove",
          "attach", "detach", "access", "check", "restore", "upgrade", "enable", "disable", "put", "search",
          "poweron", "poweroff", "terminate", "scale", "download", "export", "import", "book", "release"}
# plain words -> the words the SDK uses
_SYNONYMS = {
    "kubernetes": ["k8s", "cluster"], "kube": ["k8s"], "k8s": ["k8s"],
    "vm": ["server", "instance"], "vms": ["server", "instance"], "machine": ["server", "instance"],
    "database": ["rdb", "instance", "database"], "db": ["rdb", "database"], "postgres": ["rdb"], "postgresql": ["rdb"], "mysql": ["rdb"],
    "bucket": ["bucket", "object_storage"], "s3": ["object_storage", "bucket"], "object": ["object", "object_storage"], "file": ["object"],
    "network": ["network", "vpc"], "subnet": ["subnet", "vpc"], "vpc": ["vpc"],
    "registry": ["registry", "namespace"], "docker": ["registry", "image"], "image": ["image"],
    "stop": ["stop", "poweroff", "action"], "shutdown": ["stop", "poweroff"], "start": ["start", "poweron", "action"], "boot": ["start", "poweron"],
    "reboot": ["reboot", "restart"], "restart": ["reboot", "restart"],
    "remove": ["delete"], "destroy": ["delete"], "drop": ["delete"], "erase": ["delete"], "kill": ["delete", "terminate"],
    "make": ["create"], "new": ["create"], "add": ["create", "add"], "provision": ["create"], "launch": ["create"], "spin": ["create"],
    "show": ["get", "list"], "see": ["get", "list"], "view": ["get", "list"], "find": ["list", "search"], "describe": ["get"], "inspect": ["get"],
    "change": ["update", "set"], "modify": ["update"], "edit": ["update"], "rename": ["update"], "resize": ["update", "scale"],
    "ip": ["ip", "ips"], "ips": ["ip", "ips"], "address": ["ip"], "key": ["key"], "keys": ["key"], "ssh": ["ssh", "key"],
    "dns": ["domain", "dns", "record"], "record": ["record"], "domain": ["domain"],
    "balancer": ["lb"], "loadbalancer": ["lb"], "lb": ["lb"],
    "secret": ["secret"], "password": ["password", "secret"], "token": ["token", "key"], "credential": ["key", "credential"],
    "serverless": ["function", "container"], "function": ["function"], "lambda": ["function"],
    "node": ["node", "pool"], "nodes": ["node", "pool"], "pool": ["pool"], "scale": ["scale", "pool", "update"],
    "kubeconfig": ["kubeconfig"], "backup": ["backup"], "snapshot": ["snapshot"], "volume": ["volume"], "disk": ["volume"],
    "firewall": ["security", "group", "rule"], "cost": ["billing", "consumption"], "bill": ["billing", "invoice"], "invoice": ["invoice"],
    "read": ["get", "access"], "spend": ["consumption", "billing"], "spent": ["consumption", "billing"],
    "schedule": ["cron", "trigger"], "hour": ["cron"], "daily": ["cron"], "reserve": ["book", "ip"],
    "files": ["object"], "content": ["object"], "forward": ["pat", "rule"], "allow": ["acl", "rule"],
    "os": ["image"], "tag": ["tag"], "email": ["tem", "email"], "queue": ["mnq", "sqs", "queue"], "project": ["project"], "user": ["user"], "upload": ["put", "upload"], "download": ["get", "download"],
}


def tokens(text: str) -> list[str]:
    out = []
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if len(word) > 3 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif (len(word) > 3 and word.endswith("s") and not word.endswith("ss")) or word in _SHORT_PLURALS:
            word = word[:-1]
        out.append(word)
    return out


def operation_from_entry(data: dict[str, Any], catalog: "Catalog") -> Operation:
    """A generated operation from its catalog.json entry."""
    return Operation(
        name=data["name"],
        product=data["product"],
        namespace=data["namespace"],
        version=data["version"],
        safety=data["safety"],
        summary=data["summary"],
        description=data["description"],
        scope=data["scope"],
        schema=data["input_schema"],
        executor=SdkExecutor(data["module"], catalog),
        sdk=(data["sdk"],),
        performs=(data["name"],),
        writes=(data["name"],) if data["safety"] != READ else (),
        list_key=data.get("list_key"),
        paging=data.get("paging") or "",
        path_params=tuple(data.get("path_params") or ()),
        one_of=tuple((group, tuple(members)) for group, members in (data.get("one_of") or {}).items()),
        extra={"wait": data["wait"]} if data.get("wait") else {},
    )


class Catalog:
    """Operations by name: the SDK's (catalog.json), or those joined with hand-written ones."""

    def __init__(self, meta: dict[str, Any] | None = None, operations: Iterable[Operation] = ()):
        self.meta = meta or {}
        self.entries: dict[str, Operation] = {op.name: op for op in operations}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Catalog":
        catalog = cls({k: v for k, v in data.items() if k != "operations"})
        catalog.entries = {op["name"]: operation_from_entry(op, catalog) for op in data["operations"]}
        return catalog

    def joined(self, handwritten: Iterable[Operation]) -> "Catalog":
        """This catalog with hand-written operations standing in for the ones they replace."""
        handwritten = list(handwritten)
        replaced = {name for op in handwritten for name in op.replaces}
        kept = [op for name, op in self.entries.items() if name not in replaced]
        return Catalog(self.meta, sorted([*kept, *handwritten], key=lambda op: op.name))

    def get(self, name: str) -> Operation | None:
        return self.entries.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def namespaces(self) -> set[str]:
        return {op.namespace for op in self.entries.values()}

    def products(self) -> set[str]:
        return {op.product for op in self.entries.values()}

    @cached_property
    def _index(self) -> tuple[dict[str, tuple[Counter, Counter, set[str]]], dict[str, float]]:
        index = {}
        df: Counter = Counter()
        for name, entry in self.entries.items():
            name_tokens = Counter(tokens(name.replace("_", " ")))
            text_tokens = Counter(tokens(f"{entry.summary} {entry.description}"))
            index[name] = (name_tokens, text_tokens, {entry.product, *tokens(entry.product)})
            df.update(set(name_tokens) | set(text_tokens))
        total = len(self.entries)
        idf = {tok: math.log(1 + total / count) for tok, count in df.items()}
        return index, idf

    def search(self, query: str, product: str | None = None, safety: str | None = None, limit: int = 10) -> list[Operation]:
        index, idf = self._index
        words = [w for w in tokens(query) if w not in _STOPWORDS]
        expanded: list[tuple[str, float]] = []
        for word in words:
            expanded.append((word, 1.0))
            expanded.extend((syn, 0.7) for syn in _SYNONYMS.get(word, []) if syn != word)
        query_verbs = {w for w, _ in expanded if w in _VERBS}
        scored = []
        for name, (name_tokens, text_tokens, product_tokens) in index.items():
            entry = self.entries[name]
            if product and product not in (entry.product, entry.namespace):
                continue
            if safety and entry.safety != safety:
                continue
            score = 0.0
            for word, weight in expanded:
                w = weight * idf.get(word, 1.0)
                if word in product_tokens:
                    score += 1.5 * weight
                if word in name_tokens:
                    score += 3.0 * w
                elif word in text_tokens:
                    score += 0.6 * w
            if score <= 0:
                continue
            if query_verbs and not (query_verbs & set(name_tokens)):
                score *= 0.45  # "create a namespace" should not answer with namespace_delete
            if entry.handwritten:
                score *= 1.25  # the hand-written tool is the better answer for everyday jobs
            if entry.namespace != entry.product:
                score *= 0.85  # non-default versions after the default one
            score -= 0.05 * len(name_tokens)  # prefer the shorter, more general operation
            scored.append((score, name))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [self.entries[name] for _, name in scored[:limit]]


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The SDK operations (generated/catalog.json), read once."""
    text = resources.files("scw_mcp").joinpath("generated/catalog.json").read_text(encoding="utf-8")
    return Catalog.from_json(json.loads(text))
