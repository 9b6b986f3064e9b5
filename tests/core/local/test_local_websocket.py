"""The local gateway's WebSocket protocol (RFC 6455), through a real socket on 127.0.0.1: the handshake, text
and binary messages (fragmented too), ping/pong, close codes both ways, and the protocol errors a server must
refuse. The client here writes its frames by hand, so that it can also write broken ones."""

from __future__ import annotations

import base64
import os
import socket
import struct
import threading

import pytest
from zappa_core.local.gateway import Gateway
from zappa_core.local.http import LocalResponse
from zappa_core.records import LocalRoute


def echo_route(request, ws):
    """Refuses ``/echo/deny``; otherwise echoes every message (``close`` makes the server close with 4000)."""
    if request.path == "/deny":
        ws.refuse(LocalResponse(403, [("Content-Type", "text/plain")], b"no"))
        return
    ws.accept()
    while (message := ws.receive()) is not None:
        if message == "close":
            ws.close(4000, "asked to")
        else:
            ws.send(message)
    echo_route.closed.append((ws.close_code, ws.close_reason))


echo_route.closed = []


def idle_route(request, ws):
    """Closes a connection idle for 0.3 s (API Gateway's idle timeout, shortened)."""
    ws.accept()
    ws.connection.settimeout(0.3)
    while ws.receive() is not None:
        pass


@pytest.fixture(scope="module")
def gateway():
    routes = [LocalRoute("websocket", "echo", lambda request: LocalResponse(426), websocket=echo_route),
              LocalRoute("websocket", "idle", lambda request: LocalResponse(426), websocket=idle_route),
              LocalRoute("url", "plain", lambda request: LocalResponse(200, [], b"plain"))]
    gw = Gateway(lambda: routes).start()
    yield gw
    gw.stop()


def handshake(port: int, path: str, **headers: str) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    fields = {"Host": f"127.0.0.1:{port}", "Upgrade": "websocket", "Connection": "Upgrade",
              "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13", **headers}
    sock.sendall((f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            break
        head += chunk
    return sock, head


def frame(opcode: int, payload: bytes, *, fin: bool = True, masked: bool = True) -> bytes:
    first = (0x80 if fin else 0) | opcode
    mask = os.urandom(4)
    length = len(payload)
    head = struct.pack("!BB", first, (0x80 if masked else 0) | (length if length < 126 else 126))
    if length >= 126:
        head += struct.pack("!H", length)
    if not masked:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def read_frame(sock: socket.socket) -> tuple[int, bytes]:
    def exact(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    first, second = exact(2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", exact(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", exact(8))[0]
    return first & 0x0F, exact(length)


def test_handshake_messages_ping_and_a_client_close(gateway):
    sock, head = handshake(gateway.port, "/echo/")
    assert head.startswith(b"HTTP/1.1 101 ")
    key_line = next(line for line in head.split(b"\r\n") if line.lower().startswith(b"sec-websocket-accept"))
    assert len(base64.b64decode(key_line.split(b":", 1)[1].strip())) == 20
    sock.sendall(frame(0x1, "héllo".encode()))
    assert read_frame(sock) == (0x1, "héllo".encode())
    sock.sendall(frame(0x2, b"\x00\xff" * 100))
    assert read_frame(sock) == (0x2, b"\x00\xff" * 100)
    sock.sendall(frame(0x1, b"frag", fin=False) + frame(0x9, b"ping!") + frame(0x0, b"mented"))  # a ping between fragments
    assert read_frame(sock) == (0xA, b"ping!")
    assert read_frame(sock) == (0x1, b"fragmented")
    sock.sendall(frame(0x8, struct.pack("!H", 1000) + b"bye"))
    assert read_frame(sock) == (0x8, struct.pack("!H", 1000))  # the close is echoed
    sock.close()
    threading.Event().wait(0.2)
    assert (1000, "bye") in echo_route.closed


def test_the_server_closes_with_its_code(gateway):
    sock, head = handshake(gateway.port, "/echo/")
    assert head.startswith(b"HTTP/1.1 101 ")
    sock.sendall(frame(0x1, b"close"))
    opcode, payload = read_frame(sock)
    assert opcode == 0x8 and payload == struct.pack("!H", 4000) + b"asked to"
    sock.close()


def test_an_idle_connection_is_closed_going_away(gateway):
    sock, head = handshake(gateway.port, "/idle/")
    assert head.startswith(b"HTTP/1.1 101 ")
    opcode, payload = read_frame(sock)
    assert opcode == 0x8 and struct.unpack("!H", payload[:2])[0] == 1001
    sock.close()


@pytest.mark.parametrize(("data", "code"), [
    (frame(0x1, b"x", masked=False), 1002),        # client frames must be masked
    (frame(0x1, b"\xff\xfe"), 1007),               # text that is not UTF-8
    (frame(0x0, b"x"), 1002),                      # a continuation without a message
    (frame(0x3, b"x"), 1002),                      # a reserved opcode
], ids=["unmasked", "not-utf8", "stray-continuation", "reserved-opcode"])
def test_protocol_errors_close_the_connection_with_their_code(gateway, data, code):
    sock, head = handshake(gateway.port, "/echo/")
    assert head.startswith(b"HTTP/1.1 101 ")
    sock.sendall(data)
    opcode, payload = read_frame(sock)
    assert opcode == 0x8 and struct.unpack("!H", payload[:2])[0] == code
    sock.close()


def test_refused_and_invalid_handshakes_get_http_answers(gateway):
    assert handshake(gateway.port, "/echo/deny")[1].startswith(b"HTTP/1.1 403 ")
    assert handshake(gateway.port, "/nowhere/")[1].startswith(b"HTTP/1.1 404 ")
    assert handshake(gateway.port, "/plain/")[1].startswith(b"HTTP/1.1 426 ")  # a front door without WebSockets
    assert handshake(gateway.port, "/echo/", **{"Sec-WebSocket-Version": "8"})[1].startswith(b"HTTP/1.1 426 ")
    assert handshake(gateway.port, "/echo/", **{"Sec-WebSocket-Key": "short"})[1].startswith(b"HTTP/1.1 400 ")
