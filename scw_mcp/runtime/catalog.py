"""The operation catalog at run time: lookups, toolsets and search.

Reads scw_mcp/generated/catalog.json once; product modules are imported only when one of
their operations is called.
"""

from __future__ import annotations

import importlib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

import yaml

from scw_mcp.safety import READ

GATEWAY_TOOLS = ("search_operations", "describe_operation", "call_operation")

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


@dataclass(frozen=True)
class Entry:
    """One operation of the catalog, as the runtime needs it."""

    data: dict[str, Any]

    @property
    def name(self) -> str:
        return self.data["name"]

    @property
    def safety(self) -> str:
        return self.data["safety"]

    @property
    def schema(self) -> dict[str, Any]:
        return self.data["input_schema"]

    @property
    def is_override(self) -> bool:
        return bool(self.data.get("override"))

    def function(self) -> tuple[type, Any]:
        """(API class, generated call function) of a generated operation; imports its module."""
        module = importlib.import_module(f"scw_mcp.generated.{self.data['module']}")
        return module.OPERATIONS[self.name]


class Catalog:
    def __init__(self, data: dict[str, Any]):
        self.meta = {k: v for k, v in data.items() if k != "operations"}
        self.entries = {op["name"]: Entry(op) for op in data["operations"]}

    def get(self, name: str) -> Entry | None:
        return self.entries.get(name)

    def namespaces(self) -> set[str]:
        return {e.data["namespace"] for e in self.entries.values()}

    def products(self) -> set[str]:
        return {e.data["product"] for e in self.entries.values()}

    @cached_property
    def _index(self) -> tuple[dict[str, tuple[Counter, Counter, set[str]]], dict[str, float]]:
        index = {}
        df: Counter = Counter()
        for name, entry in self.entries.items():
            name_tokens = Counter(tokens(name.replace("_", " ")))
            text_tokens = Counter(tokens(f"{entry.data['summary']} {entry.data['description']}"))
            index[name] = (name_tokens, text_tokens, {entry.data["product"], *tokens(entry.data["product"])})
            df.update(set(name_tokens) | set(text_tokens))
        total = len(self.entries)
        idf = {tok: math.log(1 + total / count) for tok, count in df.items()}
        return index, idf

    def search(self, query: str, product: str | None = None, safety: str | None = None, limit: int = 10) -> list[Entry]:
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
            if product and product not in (entry.data["product"], entry.data["namespace"]):
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
            if entry.is_override:
                score *= 1.25  # the hand-written tool is the better answer for everyday jobs
            if entry.data["namespace"] != entry.data["product"]:
                score *= 0.85  # non-default versions after the default one
            score -= 0.05 * len(name_tokens)  # prefer the shorter, more general operation
            scored.append((score, name))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [self.entries[name] for _, name in scored[:limit]]

    def core_names(self) -> list[str]:
        data = yaml.safe_load(resources.files("scw_mcp").joinpath("data/core_toolset.yaml").read_text(encoding="utf-8"))
        overrides = [e.name for e in self.entries.values() if e.is_override]
        replaced = {r for e in self.entries.values() if e.is_override for r in e.data.get("replaces", [])}
        generated = [n for n in data["generated"] if n in self.entries and n not in replaced]
        return overrides + generated

    def toolset(self, toolsets: list[str], read_only: bool) -> list[Entry]:
        """The typed tools to serve (the gateway tools are served besides, always)."""
        names: list[str] = []
        for toolset in toolsets:
            if toolset == "all":
                names.extend(self.entries)
            elif toolset == "core":
                names.extend(self.core_names())
            elif toolset in ("gateway", "none", ""):
                continue
            else:
                names.extend(
                    e.name for e in self.entries.values() if toolset in (e.data["namespace"], e.data["product"])
                )
        if "all" not in toolsets:
            # a hand-written tool stands in for the generated ones it replaces
            replaced = {r for n in names if self.entries[n].is_override for r in self.entries[n].data.get("replaces", [])}
            names = [n for n in names if n not in replaced or self.entries[n].is_override]  # it may bear their name
        seen: dict[str, Entry] = {}
        for name in names:
            entry = self.entries[name]
            if read_only and entry.safety != READ:
                continue
            seen.setdefault(name, entry)
        return list(seen.values())

    def unknown_toolsets(self, toolsets: list[str]) -> list[str]:
        known = self.namespaces() | self.products() | {"all", "core", "gateway", "none"}
        return [t for t in toolsets if t not in known]


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    text = resources.files("scw_mcp").joinpath("generated/catalog.json").read_text(encoding="utf-8")
    return Catalog(json.loads(text))
