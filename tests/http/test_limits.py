"""HTTP that sheds idle work: header deadline, connection cap, keep-alive, concurrency and stream
limits, and the request log. One real server (embedded sandbox) with small numbers."""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest
import requests

from tests.http.servers import TOKEN, start_replica, stopped_at_exit

HEADER_TIMEOUT = 1.0
KEEPALIVE = 3.0
MAX_CONNECTIONS = 30
SLOW_SECONDS = 2
AUTH = {
    "Authorization": f"Bearer {TOKEN}",
    "Content-Type": "application/json",
    "Accept": "application/json, text/event-stream",
    "MCP-Protocol-Version": "2025-06-18",
}
SLOW_CALL = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "tools/call",
    "params": {
        "name": "call_operation",
        "arguments": {"name": "instance_list_servers", "arguments": {"zone": "fr-par-1"}},
    },
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("limits")
    faults = f'[{{"route": "GET /instance/v1/zones/*/servers", "kind": "latency", "seconds": {SLOW_SECONDS}}}]'
    replica = start_replica(
        tmp,
        {"SCW_SANDBOX_FAULTS": faults},
        "--sandbox",
        "--allowed-hosts",
        "mcp.example.test",
        "--http-header-timeout",
        str(HEADER_TIMEOUT),
        "--http-keepalive-timeout",
        str(KEEPALIVE),
        "--max-connections",
        str(MAX_CONNECTIONS),
        "--max-concurrent-calls",
        "2",
        "--max-sse-streams",
        "1",
    )
    with stopped_at_exit(replica):
        yield replica
        assert replica.stop() == 0, replica.stderr[-2000:]


def _connect(server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.settimeout(10)
    return sock


def _seconds_until_closed(sock: socket.socket) -> float:
    """Read (and drop) whatever the server sends until it closes the connection."""
    started = time.monotonic()
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass
    return time.monotonic() - started


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.lower().split(b"\r\n")
    length = int(next(line.split(b":")[1] for line in lines if line.startswith(b"content-length")))
    while len(body) < length:
        body += sock.recv(4096)
    return head


def test_a_connection_that_sends_half_its_headers_is_closed_within_the_timeout(server):
    with _connect(server) as sock:
        sock.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appli")
        assert 0.5 * HEADER_TIMEOUT < _seconds_until_closed(sock) < HEADER_TIMEOUT + 2


def test_a_connection_that_sends_nothing_is_closed_within_the_timeout(server):
    with _connect(server) as sock:
        assert _seconds_until_closed(sock) < HEADER_TIMEOUT + 2


def test_the_next_request_on_a_kept_alive_connection_has_the_same_deadline(server):
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert _read_response(sock).startswith(b"HTTP/1.1 200")
        time.sleep(0.5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # the blank line never comes
        assert _seconds_until_closed(sock) < KEEPALIVE - 0.5  # the header deadline, not keep-alive, closed it


def test_an_idle_kept_alive_connection_is_closed_after_the_keepalive_timeout(server):
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert _read_response(sock).startswith(b"HTTP/1.1 200")
        assert KEEPALIVE - 1 < _seconds_until_closed(sock) < KEEPALIVE + 2


def test_a_body_trickled_after_a_401_does_not_hold_the_connection(server):
    with _connect(server) as sock:
        sock.sendall(
            b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
        )
        assert _read_response(sock).startswith(b"HTTP/1.1 401")
        sock.settimeout(0.2)  # a byte every 0.2 s: each one used to hold the connection open again
        started, closed = time.monotonic(), False
        while not closed and time.monotonic() - started < 10:
            try:
                sock.sendall(b" ")
                closed = sock.recv(1) == b""
            except TimeoutError:
                pass
            except OSError:
                closed = True
        assert closed and time.monotonic() - started < HEADER_TIMEOUT + 2


def test_many_half_open_connections_are_capped_and_shed(server):
    baseline = len(os.listdir(f"/proc/{server.proc.pid}/fd"))
    socks = [_connect(server) for _ in range(200)]
    try:
        time.sleep(0.3)
        refused = 0
        for sock in socks:
            sock.settimeout(0.05)
            try:
                refused += sock.recv(64).startswith(b"HTTP/1.1 503")
            except TimeoutError:
                pass
        assert refused >= 200 - MAX_CONNECTIONS - 5  # a few may have been shed by the deadline already
        time.sleep(HEADER_TIMEOUT + 1.5)
        assert len(os.listdir(f"/proc/{server.proc.pid}/fd")) <= baseline + 5  # every one closed by the server
    finally:
        for sock in socks:
            sock.close()
    assert requests.get(f"{server.base}/healthz", timeout=10).status_code == 200


def test_calls_beyond_the_limit_get_503_with_retry_after(server):
    answers: list[requests.Response] = []

    def slow_call() -> None:
        answers.append(requests.post(server.url, headers=AUTH, json=SLOW_CALL, timeout=60))

    slow = [threading.Thread(target=slow_call) for _ in range(2)]
    for thread in slow:
        thread.start()
    time.sleep(1.0)  # both slow calls are in flight (the sandbox answers after SLOW_SECONDS)
    busy = requests.post(server.url, headers=AUTH, json={**SLOW_CALL, "id": 3}, timeout=30)
    assert busy.status_code == 503 and busy.headers["retry-after"] == "1", busy.text
    assert requests.get(f"{server.base}/healthz", timeout=10).status_code == 200  # health is not a call
    for thread in slow:
        thread.join(timeout=60)
    assert [a.status_code for a in answers] == [200, 200]
    assert requests.post(server.url, headers=AUTH, json={**SLOW_CALL, "id": 4}, timeout=30).status_code == 200


LISTEN = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "subscriptions/listen",
    "params": {
        "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"},
            "io.modelcontextprotocol/clientCapabilities": {},
        },
        "notifications": {"toolsListChanged": True},
    },
}
LISTEN_HEADERS = {**AUTH, "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "subscriptions/listen"}


def test_get_opens_no_stream_and_subscription_streams_are_capped(server):
    get = requests.get(server.url, headers=AUTH, timeout=10)
    assert get.status_code == 405 and get.headers["allow"] == "POST"
    first = requests.post(server.url, headers=LISTEN_HEADERS, json=LISTEN, stream=True, timeout=10)
    try:
        assert first.status_code == 200 and first.headers["content-type"].startswith("text/event-stream")
        second = requests.post(server.url, headers=LISTEN_HEADERS, json=LISTEN, timeout=10)
        assert second.status_code == 429 and second.headers["retry-after"]
    finally:
        first.close()
    deadline = time.monotonic() + 10  # the server sees the first stream go once the client hangs up
    while time.monotonic() < deadline:
        again = requests.post(server.url, headers=LISTEN_HEADERS, json=LISTEN, stream=True, timeout=10)
        again.close()
        if again.status_code == 200:
            break
        time.sleep(0.2)
    assert again.status_code == 200


def test_one_log_line_per_request_with_id_method_tool_status_and_duration_but_no_secret(server):
    secret = "hunter2-do-not-log-me"
    call = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {
            "name": "call_operation",
            "arguments": {"name": "iam_list_api_keys", "arguments": {"password": secret, "zone": "fr-par-1"}},
        },
    }
    answer = requests.post(server.url, headers={**AUTH, "X-Request-Id": "lb-req-42"}, json=call, timeout=30)
    assert answer.status_code == 200 and answer.headers["x-request-id"] == "lb-req-42"
    forged = requests.post(server.url, headers={**AUTH, "X-Request-Id": "a b"}, json=call, timeout=30)
    assert forged.headers["x-request-id"] != "a b"  # not a plain token: a fresh id instead
    deadline = time.monotonic() + 5
    while "id=lb-req-42 " not in server.stderr and time.monotonic() < deadline:
        time.sleep(0.1)
    line = next(line for line in server.stderr.splitlines() if "id=lb-req-42 " in line)
    assert "method=tools/call tool=call_operation status=200 ms=" in line
    assert '"password":"(hidden)"' in line and '"zone":"fr-par-1"' in line
    assert secret not in server.stderr and TOKEN not in server.stderr
    assert "healthz" not in server.stderr  # probes are not logged


def test_413_421_403_and_401_still_hold(server):
    big = requests.post(server.url, headers=AUTH, data=b"{" + b" " * (5 << 20) + b"}", timeout=60)
    assert big.status_code == 413

    def status(**headers: str) -> int:
        sent = {k: v for k, v in {**AUTH, **headers}.items() if v}
        return requests.post(server.url, headers=sent, json=SLOW_CALL, timeout=10).status_code

    assert status(Host="evil.example") == 421
    assert status(Origin="http://evil.example") == 403
    assert status(Authorization="") == 401
    named = {**AUTH, "Host": "mcp.example.test", "Origin": "https://mcp.example.test"}  # --allowed-hosts
    listed = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    assert requests.post(server.url, headers=named, json=listed, timeout=30).status_code == 200


def test_an_ipv6_host_is_answered_as_clients_spell_it():
    """A client of http://[::1]:8080 sends `Host: [::1]:8080`; 421 for it would refuse every call."""
    from mcp.server.transport_security import TransportSecurityMiddleware

    from scw_mcp.http import HttpOptions, transport_security

    settings = transport_security(HttpOptions(host="::1", port=8080, allowed_hosts=("fd00::5",)))
    check = TransportSecurityMiddleware(settings)
    assert check._validate_host("[::1]:8080") and check._validate_host("localhost:8080")
    assert check._validate_origin("http://[::1]:8080") and check._validate_host("[fd00::5]:443")
    assert not check._validate_host("::1:8080") and not check._validate_host("evil.example:8080")
