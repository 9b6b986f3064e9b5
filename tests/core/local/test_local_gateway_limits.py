"""The gateway under bad HTTP and bursts: broken framing is a 400, oversized bodies a 413 (as API Gateway
answers them), and a burst of clients queues in the listen backlog instead of being reset."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from zappa_core.local.gateway import MAX_BODY_BYTES, Gateway
from zappa_core.local.http import LocalRequest, LocalResponse
from zappa_core.records import LocalRoute


@pytest.fixture
def gateway():
    seen: list[bytes] = []

    def handle(request: LocalRequest) -> LocalResponse:
        seen.append(request.body)
        return LocalResponse(200, [("Content-Type", "text/plain")], b"got %d" % len(request.body))

    gw = Gateway(lambda: [LocalRoute(kind="url", key="fn", handle=handle)]).start()
    gw.seen = seen
    yield gw
    gw.stop()


def exchange(gateway, raw: bytes, *, timeout: float = 10) -> tuple[int, bytes]:
    """Send ``raw`` on a fresh connection; the status and the body of the answer (the server closes after it)."""
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=timeout) as sock:
        sock.sendall(raw)
        data = b""
        while b"\r\n\r\n" not in data:
            part = sock.recv(65536)
            if not part:
                break
            data += part
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(next((line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")), b"0"))
        while len(body) < length:
            part = sock.recv(65536)
            if not part:
                break
            body += part
    return int(head.split(b" ")[1]), body


@pytest.mark.parametrize("length", [b"abc", b"-5", b"1e3", b" ", b"12, 13"])
def test_a_bad_content_length_is_a_400(gateway, length):
    started = time.monotonic()
    status, body = exchange(gateway, b"POST /fn/ HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + b"\r\n\r\nhello")
    assert status == 400 and b"invalid Content-Length" in body
    assert time.monotonic() - started < 5 and gateway.seen == []


def test_two_different_content_lengths_are_a_400(gateway):
    status, _ = exchange(gateway, b"POST /fn/ HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nhello")
    assert status == 400 and gateway.seen == []


@pytest.mark.parametrize("size", [b"zz", b"-1", b"0x5", b""])
def test_a_bad_chunk_size_is_a_400(gateway, size):
    raw = b"POST /fn/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + size + b"\r\nhello\r\n0\r\n\r\n"
    if size == b"":  # an empty size line
        raw = b"POST /fn/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\r\n"
    status, body = exchange(gateway, raw)
    assert status == 400 and b"chunk" in body and gateway.seen == []


def test_a_chunk_shorter_than_declared_is_a_400(gateway):
    raw = b"POST /fn/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nhello\r\n0\r\n\r\n"
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)  # the client gives up: the body ends early
        data = sock.recv(65536)
    assert data.startswith(b"HTTP/1.1 400") and gateway.seen == []


def test_good_chunked_and_sized_bodies_still_arrive(gateway):
    raw = b"POST /fn/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    assert exchange(gateway, raw) == (200, b"got 11")
    assert exchange(gateway, b"POST /fn/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello") == (200, b"got 5")
    assert gateway.seen == [b"hello world", b"hello"]


def test_a_body_over_the_front_door_limit_is_a_413_without_reading_it(gateway):
    started = time.monotonic()
    head = f"POST /fn/ HTTP/1.1\r\nHost: x\r\nContent-Length: {20 * 1024 * 1024}\r\n\r\n".encode()
    status, body = exchange(gateway, head + b"x" * 1024)
    assert status == 413 and json.loads(body) == {"message": "Request Too Long"}
    assert time.monotonic() - started < 5 and gateway.seen == []


def test_a_chunked_body_over_the_limit_is_a_413(gateway):
    chunk = b"x" * (1024 * 1024)
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=20) as sock:
        sock.sendall(b"POST /fn/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        try:
            for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
                sock.sendall(b"100000\r\n" + chunk + b"\r\n")
        except OSError:  # the gateway answered and closed while we were still sending
            pass
        data = sock.recv(65536)
    assert data.startswith(b"HTTP/1.1 413") and gateway.seen == []


def test_a_burst_of_connections_is_accepted_at_once(gateway):
    """200 clients connect together: each handshake completes without the 1 s SYN retry that a full listen
    queue forces, and every one is answered."""
    results: list[tuple[float, int | str]] = []
    lock = threading.Lock()
    go = threading.Event()

    def client() -> None:
        go.wait()
        started = time.monotonic()
        try:
            sock = socket.create_connection(("127.0.0.1", gateway.port), timeout=30)
        except OSError as exc:
            outcome: tuple[float, int | str] = (time.monotonic() - started, type(exc).__name__)
        else:
            connected = time.monotonic() - started
            with sock:
                sock.sendall(b"GET /fn/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                data = b""
                while part := sock.recv(65536):
                    data += part
            outcome = (connected, int(data.split(b" ")[1]) if data else "no answer")
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=client) for _ in range(200)]
    for thread in threads:
        thread.start()
    go.set()
    for thread in threads:
        thread.join()
    assert [status for _, status in results] == [200] * 200
    assert max(connected for connected, _ in results) < 0.9
