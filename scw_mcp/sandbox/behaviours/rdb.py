"""Managed databases: engine check, instances ready over polls with a public endpoint.

Databases and users go with their instance, backups stay, and the delete goes through "deleting"
(rules `cascades` and `deleting`; docs and cassettes named there). Lists under a deleted instance
answer its 404 (the engine's parent check; tf cassettes: GET .../instances/{id}/acls -> 404
"instance").
"""

from __future__ import annotations

import random
import uuid

from ..engine import fill, invalid_arguments
from ._base import Call, Engine, Reply, behaviour

RDB = "/rdb/v1/regions/{region}"


@behaviour("POST", f"{RDB}/instances")
def create_database_instance(engine: Engine, call: Call) -> Reply:
    """ "provisioning", then "ready" two polls later, with a public endpoint."""
    engines = {
        f"{e['name']}-{v['version']}"
        for e in engine.items(fill(f"{RDB}/database-engines", call.params))
        for v in e["versions"]
    }
    if call.body.get("engine") not in engines:
        return invalid_arguments(
            [
                {
                    "argument_name": "engine",
                    "reason": "constraint",
                    "help_message": f"engine must be one of {', '.join(sorted(engines))}",
                }
            ]
        )
    port = 5432 if str(call.body.get("engine")).startswith("PostgreSQL") else 3306
    endpoint = {
        "id": str(uuid.uuid4()),
        "ip": f"51.159.{random.randint(0, 255)}.{random.randint(1, 254)}",
        "port": port,
        "name": None,
        "load_balancer": {},
        "hostname": None,
    }
    instance = engine.create(
        call,
        status="provisioning",
        endpoints=[endpoint],
        endpoint=endpoint,
        volume={
            "type": call.body.get("volume_type") or "sbs_5k",
            "size": call.body.get("volume_size") or 10_000_000_000,
            "class": "sbs",
        },
    )
    engine.later(instance, {}, {"status": "ready"})
    return Reply(200, instance)
