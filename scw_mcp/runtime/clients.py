"""SDK and S3 clients, built once per configuration, with a timeout, retries and a User-Agent.

The SDK calls the module-level `requests.request` with no timeout and no retries; the
runtime routes those calls through one `requests.Session` whose adapter retries idempotent
requests on 429/5xx/connection errors (urllib3's own Retry, honouring Retry-After). A read that
timed out (or whose connection dropped) is retried once: more would keep an agent waiting
minutes for an API that is not answering. Requests that change something are never retried
once sent (errors.py then says they may have been applied).
"""

from __future__ import annotations

import threading
import types
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from scw_mcp import __version__

from .settings import Settings

USER_AGENT = f"scw-mcp/{__version__}"
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
RETRIES = 3
READ_RETRIES = 1  # GET read timeouts / dropped connections: one more try, then "timed out"
BACKOFF = 0.3
RETRY_AFTER_CAP = 10.0


class _CappedRetry(Retry):
    """Retry that honours Retry-After but never sleeps longer than RETRY_AFTER_CAP."""

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        return None if value is None else min(value, RETRY_AFTER_CAP)


def _session() -> requests.Session:
    retry = _CappedRetry(
        total=RETRIES,
        connect=RETRIES,
        read=READ_RETRIES,
        status=RETRIES,
        backoff_factor=BACKOFF,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD", "OPTIONS"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_connections=8, pool_maxsize=32)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class UnsafeUrl(ValueError):
    """A URL whose path an id has bent: refused before anything is sent."""


def check_url(url: str) -> None:
    """The last line of defence for ids in paths (validation checks each path parameter first):
    the SDK builds URLs as f"{api_url}/.../{id}" and passes the query apart, so a URL it made has
    no query, no fragment, no percent-escape, no "." or ".." segment and no empty one in its path."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    if (
        parts.query
        or parts.fragment
        or "%" in parts.path
        or any(s in (".", "..") for s in segments)
        or "//" in parts.path
        or parts.path.endswith("/")  # an empty last segment: no SDK URL ends with "/"
    ):
        raise UnsafeUrl(
            "an id would change which endpoint is called (it holds '/', '?', '#', '%' or '..'); nothing was sent"
        )


class _Transport(types.ModuleType):
    """Stands in for the `requests` module inside scaleway_core.api."""

    def __init__(self) -> None:
        super().__init__("scw_mcp_requests")
        self._local = threading.local()

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        check_url(url)
        session = getattr(self._local, "session", None)
        if session is None:  # one session per worker thread: Session is not thread-safe
            session = self._local.session = _session()
        kwargs.setdefault("timeout", (CONNECT_TIMEOUT, READ_TIMEOUT))
        return session.request(method, url, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)


_install_lock = threading.Lock()


def install_transport() -> None:
    import scaleway_core.api as sdk_api

    with _install_lock:
        if not isinstance(sdk_api.requests, _Transport):
            sdk_api.requests = _Transport()  # type: ignore[assignment]


@lru_cache(maxsize=8)
def sdk_client(settings: Settings) -> Any:
    """The SDK Client for these settings (validated before: see Settings.require_credentials)."""
    from scaleway import Client

    install_transport()
    return Client(
        access_key=settings.access_key,
        secret_key=settings.secret_key,
        api_url=settings.api_url,
        default_project_id=settings.project_id,
        default_organization_id=settings.organization_id,
        default_region=settings.region,
        default_zone=settings.zone,
        user_agent=f"{USER_AGENT} scaleway-sdk-python",
    )


_api_cache: dict[tuple[Settings, type], Any] = {}
_api_lock = threading.Lock()


def sdk_api(settings: Settings, api_class: type) -> Any:
    with _api_lock:
        key = (settings, api_class)
        if key not in _api_cache:
            _api_cache[key] = api_class(sdk_client(settings), bypass_validation=True)
        return _api_cache[key]


_s3_lock = threading.Lock()
_s3_local = threading.local()


def _new_s3(settings: Settings, region: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        region_name=region,
        endpoint_url=settings.s3_endpoint(region),
        aws_access_key_id=settings.access_key,
        aws_secret_access_key=settings.secret_key,
        config=Config(
            user_agent_extra=USER_AGENT,
            retries={"max_attempts": RETRIES + 1, "mode": "standard"},
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            s3={"addressing_style": "path"},
        ),
    )


def s3_client(settings: Settings, region: str) -> Any:
    """The calling thread's boto3 S3 client for this region (one per region and thread)."""
    clients = getattr(_s3_local, "clients", None)
    if clients is None:
        clients = _s3_local.clients = {}
    key = (settings, region)
    if key not in clients:
        with _s3_lock:  # boto3 client creation is not thread-safe
            clients[key] = _new_s3(settings, region)
    return clients[key]
