"""An embedded, stateful fake Scaleway cloud: `scw-mcp --sandbox`, and the tests' one fake.

    with Sandbox() as sb:
        os.environ.update(sb.env())   # SDK and boto3 now talk to 127.0.0.1 only

The Scaleway API side is generated: the generator emits the route table of every SDK call
(scw_mcp/generated/routes.json) and `engine.Engine` serves it statefully, applying the tables of
data/sandbox_rules.yaml; `behaviours/` adds what a generic engine cannot know. Object storage is
moto in server mode, behind Scaleway's bucket-name rules (`s3.py`).
"""

from __future__ import annotations

from typing import Any

from .behaviours import BEHAVIOURS, ON_REMOVE, seed
from .engine import Engine
from .faults import Faults, from_environment
from .http import ApiServer

ACCESS_KEY = "SCWSANDBOXXXXXXXXXXX"
# Shares no run of 12 characters with the ids: the redactor takes any such run for the key, cut.
SECRET_KEY = "5a2db0c5-9e3f-4b7a-8c1d-e6f0a2b4c9d7"
ORGANIZATION_ID = "5a2db0c5-0000-4000-8000-000000000001"
PROJECT_ID = "5a2db0c5-0000-4000-8000-000000000002"

__all__ = ["Sandbox", "ACCESS_KEY", "SECRET_KEY", "PROJECT_ID", "ORGANIZATION_ID"]


class Sandbox:
    """A fake Scaleway API and S3 endpoint on free loopback ports, with throw-away credentials.

    faults: see `faults.py` (also read from SCW_SANDBOX_FAULTS). s3: start moto (needs the
    `sandbox` extra). unknown_ids="create" makes up items for unknown ids (route walks only).
    host/port: where the fake API listens (S3 takes a free port on the same host). record=False
    keeps no request log (`scw-mcp sandbox serve`, which runs for as long as its user wants).
    """

    def __init__(
        self,
        project_id: str = PROJECT_ID,
        *,
        organization_id: str = ORGANIZATION_ID,
        faults: list[dict[str, Any]] | None = None,
        s3: bool = True,
        unknown_ids: str = "404",
        region: str = "fr-par",
        zone: str = "fr-par-1",
        host: str = "127.0.0.1",
        port: int = 0,
        record: bool = True,
    ) -> None:
        self.project_id = project_id
        self.organization_id = organization_id
        self.access_key, self.secret_key = ACCESS_KEY, SECRET_KEY
        self.region, self.zone = region, zone
        self.engine = Engine(
            project_id, organization_id, behaviours=BEHAVIOURS, on_remove=ON_REMOVE, unknown_ids=unknown_ids
        )
        seed(self.engine, access_key=ACCESS_KEY, secret_key=SECRET_KEY)
        self.faults = Faults()
        self.faults.set(faults if faults is not None else from_environment())
        self._api = ApiServer(self.engine, self.faults, host=host, port=port, record=record)
        self.api_url = self._api.url
        self._host = host
        self._record = record
        self._with_s3 = s3
        self._s3: Any = None
        self.s3_endpoint_url: str | None = None

    # --- life cycle --------------------------------------------------------------------------
    def start(self) -> Sandbox:
        self._api.start()
        if self._with_s3:
            from .s3 import S3Server

            self._s3 = S3Server(self._host, self._record)
            self._s3.start()
            self.s3_endpoint_url = self._s3.url
        return self

    def stop(self) -> None:
        self._api.stop()
        if self._s3 is not None:
            self._s3.stop()
            self._s3 = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # --- what tests and the CLI use ----------------------------------------------------------
    def env(self) -> dict[str, str]:
        """Environment variables that point scw-mcp (SDK and boto3) at this sandbox."""
        env = {
            "SCW_API_URL": self.api_url,
            "SCW_ACCESS_KEY": self.access_key,
            "SCW_SECRET_KEY": self.secret_key,
            "SCW_DEFAULT_PROJECT_ID": self.project_id,
            "SCW_DEFAULT_ORGANIZATION_ID": self.organization_id,
            "SCW_DEFAULT_REGION": self.region,
            "SCW_DEFAULT_ZONE": self.zone,
        }
        if self.s3_endpoint_url:
            env["SCW_S3_ENDPOINT_URL"] = self.s3_endpoint_url
        return env

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every API request received: method, path, query, body, headers (no auth token)."""
        return self._api.requests

    @property
    def s3_requests(self) -> list[dict[str, Any]]:
        """Every S3 request received: method, path (/bucket/key), query (no headers, no body)."""
        return self._s3.log.requests if self._s3 is not None else []

    def reset_requests(self) -> None:
        self._api.requests.clear()
        if self._s3 is not None:
            self._s3.log.requests.clear()

    def set_faults(self, faults: list[dict[str, Any]] | None) -> None:
        self.faults.set(faults)
