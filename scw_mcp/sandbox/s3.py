"""The sandbox's S3: moto in server mode, behind the bucket-name rules Scaleway applies.

moto accepts names the real endpoint refuses (`Bad_Bucket`): bucket creations go through a WSGI
check first and get the endpoint's 400 `InvalidBucketName` error. The rules are S3's, which
Scaleway Object Storage implements: 3 to 63 characters, lowercase letters, digits, dots and
hyphens, starting and ending with a letter or digit, no two dots in a row, not an IP address.
In front of both, a log of every request (method, path, query): what tests check reached S3.
"""

from __future__ import annotations

import ipaddress
import re
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def valid_bucket_name(name: str) -> bool:
    if not _NAME.fullmatch(name) or ".." in name:
        return False
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return True
    return False


def invalid_bucket_name(name: str) -> bytes:
    """The S3 error document the endpoint answers (code InvalidBucketName, status 400)."""
    request_id = f"tx{uuid.uuid4().hex[:20]}"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidBucketName</Code>'
        f"<Message>The specified bucket is not valid.</Message><BucketName>{escape(name)}</BucketName>"
        f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
    ).encode()


class BucketNames:
    """WSGI middleware: a CreateBucket (path-style PUT /<bucket> with no sub-resource) must name
    a valid bucket."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        bucket = environ.get("PATH_INFO", "").strip("/")
        creating = environ.get("REQUEST_METHOD") == "PUT" and not environ.get("QUERY_STRING") and "/" not in bucket
        if creating and bucket and not valid_bucket_name(bucket):
            body = invalid_bucket_name(bucket)
            start_response("400 Bad Request", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
            return [body]
        return self.app(environ, start_response)


class Log:
    """WSGI middleware: every request as {method, path, query} ("?delete" is {"delete": ""}), in
    `requests`; record=False keeps none."""

    def __init__(self, app: Callable[..., Iterable[bytes]], record: bool = True) -> None:
        self.app = app
        self.record = record
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if self.record:
            query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
            entry = {
                "method": environ.get("REQUEST_METHOD"),
                "path": environ.get("PATH_INFO", ""),
                "query": {k: v if len(v) > 1 else v[0] for k, v in query.items()},
            }
            with self._lock:
                self.requests.append(entry)
        return self.app(environ, start_response)


class S3Server:
    """moto's S3 on a free loopback port, in a thread (what moto's ThreadedMotoServer does, with
    the request log and the bucket-name check in front)."""

    def __init__(self, host: str = "127.0.0.1", record: bool = True) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        class Quiet(MotoRequestHandler):
            def log(self, *args: Any, **kwargs: Any) -> None:  # no request lines on stderr
                pass

        self.log = Log(BucketNames(DomainDispatcherApplication(create_backend_app)), record)
        self._server = make_server(host, 0, self.log, threaded=True, request_handler=Quiet)
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from moto.moto_api._internal import moto_api_backend

        moto_api_backend.reset()  # moto keeps its buckets per process: a new sandbox starts empty
        self._thread = threading.Thread(target=self._server.serve_forever, name="scw-sandbox-s3", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
