"""Domains and DNS: zones addressed as `subdomain.domain`, records changed through one PATCH, and
a version per change.

Checked against the tf cassettes domain/domain-zone-basic (the zone's shape, `ns` and
`ns_default` ns0/ns1.dom.scw.cloud, status active, DELETE answering {}), domain/domain-record-
basic (add/set/delete changes, `set` by id keeping the id, the answer listing the changed records,
list filters name (exact, empty: any) and type ("unknown": any), the zone's two default NS
records, status pending after a change) and domain/domain-zone-root-zone ("root zone can't be
deleted", 403).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import shapes
from ..engine import invalid_arguments
from ._base import Call, Engine, Reply, behaviour, cls, error, new_id

ZONES = "/domain/v2beta1/dns-zones"
ZONE = f"{ZONES}/{{dns_zone}}"
NAMESERVERS = ["ns0.dom.scw.cloud", "ns1.dom.scw.cloud"]
VERSIONS = "dns_zone_versions"  # engine.scratch: version id -> (zone name, records then)


def _records(name: str) -> str:
    return f"{ZONES}/{name}/records"


def _zone(engine: Engine, name: str) -> dict[str, Any] | None:
    return engine.find(ZONES, name)


def _record(engine: Engine, fields: dict[str, Any], record_id: str | None = None) -> dict[str, Any]:
    return engine.new(
        cls("scaleway.domain.v2beta1.types:Record"),
        body=fields,
        id=record_id or new_id(),
        name=fields.get("name") or "",
        type=_type(fields.get("type")),
        comment=fields.get("comment"),
        updated_at=shapes.now(),
    )


def _type(value: str | None) -> str:
    """The API answers record types in capitals ("A", "NS": tf cassettes) whatever the case sent
    (the Python SDK's RecordType values are lower case)."""
    return (value or "").upper()


def _default_records(engine: Engine) -> list[dict[str, Any]]:
    return [
        _record(engine, {"name": "", "type": "NS", "data": f"{ns}.", "ttl": 1800, "priority": 0}) for ns in NAMESERVERS
    ]


def _version(engine: Engine, name: str) -> None:
    """Every change of a zone's records is a version (DNSZoneVersion: id, created_at)."""
    version = engine.add(f"{ZONES}/{name}/versions", engine.new(cls("scaleway.domain.v2beta1.types:DNSZoneVersion")))
    engine.scratch.setdefault(VERSIONS, {})[version["id"]] = (name, [dict(r) for r in engine.items(_records(name))])


@behaviour("POST", ZONES)
def create_zone(engine: Engine, call: Call) -> Reply:
    domain, subdomain = call.body.get("domain") or "", call.body.get("subdomain") or ""
    name = f"{subdomain}.{domain}" if subdomain else domain
    if _zone(engine, name) is not None:
        return error(409, "resource already exists", "already_exists", resource="dns_zone", resource_id=name)
    zone = engine.create(
        call,
        ns=list(NAMESERVERS),
        ns_default=list(NAMESERVERS),
        ns_master=[],
        status="active",
        message=None,
        linked_products=[],
        subdomain=subdomain,
        domain=domain,
    )
    for record in _default_records(engine):
        engine.add(_records(name), record)
    _version(engine, name)
    return Reply(200, zone)


@behaviour("GET", ZONES)
def list_zones(engine: Engine, call: Call) -> Reply:
    """Also filters by dns_zone and dns_zones (full names)."""
    names = set(call.query.get("dns_zones", []) + call.query.get("dns_zone", []))
    return engine.list(call, lambda z: not names or engine.key_of(ZONES, z) in names)


@behaviour("PATCH", ZONE)
def update_zone(engine: Engine, call: Call) -> Reply:
    """Renames the zone (new_dns_zone, in the same domain); its records and versions follow."""
    zone = _zone(engine, call.params["dns_zone"])
    new_name = call.body.get("new_dns_zone")
    if zone is not None and new_name and new_name != call.params["dns_zone"]:
        if not new_name.endswith(zone["domain"]) or _zone(engine, new_name) is not None:
            return invalid_arguments(
                [
                    {
                        "argument_name": "new_dns_zone",
                        "reason": "constraint",
                        "help_message": f"{new_name} is taken or not in {zone['domain']}",
                    }
                ]
            )
        old_name = call.params["dns_zone"]
        for noun in ("records", "versions"):
            engine.collections[f"{ZONES}/{new_name}/{noun}"] = engine.collections.pop(f"{ZONES}/{old_name}/{noun}", [])
        versions = engine.scratch.get(VERSIONS, {})
        for version_id, (name, records) in versions.items():  # its versions, addressed by id, name the zone
            if name == old_name:
                versions[version_id] = (new_name, records)
        zone["subdomain"] = new_name[: -len(zone["domain"])].rstrip(".")
        zone["updated_at"] = shapes.now()
    return engine.handle_generic(
        dataclasses.replace(
            call,
            body={k: v for k, v in call.body.items() if k != "new_dns_zone"},
            path=f"{ZONES}/{new_name or call.params['dns_zone']}",
        )
    )


@behaviour("DELETE", ZONE)
def delete_zone(engine: Engine, call: Call) -> Reply:
    found = engine.lookup(call)
    if isinstance(found, Reply):
        return found
    if not found[1]["subdomain"]:
        return Reply(403, {"message": "root zone can't be deleted"})
    engine.remove(*found)
    return Reply(200, {})


@behaviour("GET", f"{ZONE}/records")
def list_records(engine: Engine, call: Call) -> Reply:
    """name is exact ("" or absent: any), type "unknown" means any (either case), id one record."""
    name, kind, record_id = call.arg("name"), call.arg("type"), call.arg("id")
    query = {k: v for k, v in call.query.items() if k not in ("name", "type", "id")}
    return engine.list(
        dataclasses.replace(call, query=query),
        lambda r: (
            (not name or r["name"] == name)
            and (kind in (None, "unknown") or r["type"] == _type(kind))
            and (not record_id or r["id"] == record_id)
        ),
    )


def _matching(records: list[dict[str, Any]], change: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The records a set/delete names, by id or by id_fields (name, type, and data/ttl if given)."""
    if change.get("id"):
        found = [r for r in records if r["id"] == change["id"]]
        return found or None
    fields = change.get("id_fields") or {}
    return [
        r
        for r in records
        if r["name"] == fields.get("name", "")
        and r["type"] == _type(fields.get("type"))
        and all(fields.get(k) in (None, r[k]) for k in ("data", "ttl"))
    ]


def _apply(engine: Engine, name: str, change: dict[str, Any]) -> list[dict[str, Any]] | Reply:
    """One change of update_dns_zone_records: the records it added or set."""
    collection = _records(name)
    records = engine.items(collection)
    if "add" in change:
        return [engine.add(collection, _record(engine, r)) for r in (change["add"] or {}).get("records") or []]
    if "set" in change or "delete" in change:
        spec = change.get("set") or change.get("delete") or {}
        matched = _matching(records, spec)
        if matched is None:
            return engine.not_found("/domain/v2beta1/dns-zones/{dns_zone}/records", str(spec.get("id")))
        for record in matched:
            engine.remove(collection, record)
        if "delete" in change:
            return []
        kept_id = spec.get("id")  # a set by id keeps the record's id
        return [
            engine.add(collection, _record(engine, r, kept_id if n == 0 else None))
            for n, r in enumerate(spec.get("records") or [])
        ]
    if "clear" in change:
        _clear(engine, name)
        return []
    return invalid_arguments(
        [{"argument_name": "changes", "reason": "constraint", "help_message": "one of add, set, delete, clear"}]
    )


def _clear(engine: Engine, name: str) -> None:
    """Every record but the zone's default name servers."""
    collection = _records(name)
    for record in list(engine.items(collection)):
        if not (record["type"] == "NS" and record["name"] == "" and record["data"].rstrip(".") in NAMESERVERS):
            engine.remove(collection, record)


def _changed(engine: Engine, zone: dict[str, Any]) -> None:
    zone["status"] = "pending"  # the API answers "pending" while it applies a change
    zone["updated_at"] = shapes.now()
    engine.later(zone, {}, {"status": "active"})
    _version(engine, engine.key_of(ZONES, zone))


@behaviour("PATCH", f"{ZONE}/records")
def update_records(engine: Engine, call: Call) -> Reply:
    """add / set / delete / clear, in order; the answer lists the changed records (or all of them)."""
    name = call.params["dns_zone"]
    zone = _zone(engine, name)
    changed: list[dict[str, Any]] = []
    for change in call.body.get("changes") or []:
        applied = _apply(engine, name, change or {})
        if isinstance(applied, Reply):
            return applied
        changed += applied
    _changed(engine, zone)
    records = list(engine.items(_records(name))) if call.body.get("return_all_records") else changed
    return Reply(200, {"records": records})


@behaviour("DELETE", f"{ZONE}/records")
def clear_records(engine: Engine, call: Call) -> Reply:
    _clear(engine, call.params["dns_zone"])
    _changed(engine, _zone(engine, call.params["dns_zone"]))
    return Reply(200, {})


@behaviour("GET", f"{ZONE}/nameservers")
def list_nameservers(engine: Engine, call: Call) -> Reply:
    zone = _zone(engine, call.params["dns_zone"])
    return Reply(200, {"ns": [{"name": ns, "ip": []} for ns in zone["ns"]]})


def _version_records(engine: Engine, call: Call) -> tuple[str, list[dict[str, Any]]] | Reply:
    found = engine.scratch.get(VERSIONS, {}).get(call.params["dns_zone_version_id"])
    if found is None and engine.unknown_ids == "create":  # the route walk: a made-up, empty version
        found = engine.scratch.setdefault(VERSIONS, {})[call.params["dns_zone_version_id"]] = ("", [])
    if found is None or (found[0] and _zone(engine, found[0]) is None):
        return engine.not_found("/domain/v2beta1/dns-zones/version", call.params["dns_zone_version_id"])
    return found


@behaviour("GET", f"{ZONES}/version/{{dns_zone_version_id}}")
def list_version_records(engine: Engine, call: Call) -> Reply:
    found = _version_records(engine, call)
    if isinstance(found, Reply):
        return found
    return Reply(200, {"records": found[1], "total_count": len(found[1])}, {"X-Total-Count": str(len(found[1]))})


@behaviour("GET", f"{ZONES}/version/{{dns_zone_version_id}}/diff")
def version_diff(engine: Engine, call: Call) -> Reply:
    """What that version changed from the one before it."""
    found = _version_records(engine, call)
    if isinstance(found, Reply):
        return found
    name, records = found
    versions = [v["id"] for v in engine.items(f"{ZONES}/{name}/versions")]
    index = versions.index(call.params["dns_zone_version_id"]) if call.params["dns_zone_version_id"] in versions else 0
    before = engine.scratch[VERSIONS][versions[index - 1]][1] if index else []
    ids_before, ids_now = {r["id"] for r in before}, {r["id"] for r in records}
    changes = [{"add": {"records": [r for r in records if r["id"] not in ids_before]}}] if ids_now - ids_before else []
    changes += [{"delete": {"id": r["id"]}} for r in before if r["id"] not in ids_now]
    return Reply(200, {"changes": changes})


@behaviour("POST", f"{ZONES}/version/{{dns_zone_version_id}}/restore")
def restore_version(engine: Engine, call: Call) -> Reply:
    found = _version_records(engine, call)
    if isinstance(found, Reply):
        return found
    name, records = found
    if name:
        engine.collections[engine.store(_records(name))] = [dict(r) for r in records]
        _changed(engine, _zone(engine, name))
    return Reply(200, {})
