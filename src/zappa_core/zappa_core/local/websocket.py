"""The WebSocket protocol (RFC 6455) on the local gateway's connections, server side, standard library only.

The gateway hands a connection whose request asks to upgrade to a route's ``websocket(request, socket)``
callable with a :class:`LocalWebSocket`; the route decides (``accept`` or ``refuse``), then reads messages
with :meth:`LocalWebSocket.receive` until it returns ``None`` (the client closed, went away or broke the
protocol: :attr:`LocalWebSocket.close_code` says how). Other threads may :meth:`~LocalWebSocket.send` and
:meth:`~LocalWebSocket.close` at any time. Pings are answered with pongs, fragmented messages are joined,
text is checked to be UTF-8, client frames must be masked.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import struct
import threading
from typing import Any, BinaryIO

from zappa_core.local.http import LocalRequest, LocalResponse

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0
#: Close codes (RFC 6455 section 7.4.1) and 1005/1006, which are never sent, only reported.
NORMAL, GOING_AWAY, PROTOCOL_ERROR, UNSUPPORTED, NO_STATUS, ABNORMAL, INVALID_DATA, TOO_BIG, INTERNAL_ERROR = (
    1000, 1001, 1002, 1003, 1005, 1006, 1007, 1009, 1011)
#: The largest message the gateway reads (a route applies its own, smaller limit).
MAX_MESSAGE_BYTES = 1024 * 1024


def handshake_problem(request: LocalRequest) -> LocalResponse | None:
    """Why this upgrade request is not a valid WebSocket opening handshake (an HTTP answer), or ``None``."""
    if request.method != "GET":
        return _plain(400, "a WebSocket handshake is a GET request")
    if "upgrade" not in (request.header("connection") or "").lower():
        return _plain(400, "a WebSocket handshake needs 'Connection: Upgrade'")
    if (request.header("sec-websocket-version") or "").strip() != "13":
        response = _plain(426, "only WebSocket version 13 is supported")
        response.headers.append(("Sec-WebSocket-Version", "13"))
        return response
    key = (request.header("sec-websocket-key") or "").strip()
    try:
        valid = len(base64.b64decode(key, validate=True)) == 16
    except ValueError:
        valid = False
    if not valid:
        return _plain(400, "'Sec-WebSocket-Key' must be 16 bytes in base64")
    return None


def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key.strip() + GUID).encode()).digest()).decode()


def _plain(status: int, message: str) -> LocalResponse:
    return LocalResponse(status, [("Content-Type", "text/plain; charset=utf-8")], (message + "\n").encode())


class ProtocolError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class LocalWebSocket:
    """One client's WebSocket on the local gateway (see the module's docstring)."""

    def __init__(self, request: LocalRequest, rfile: BinaryIO, wfile: BinaryIO, connection: socket.socket | None = None,
                 *, max_message_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self.request = request
        self.rfile = rfile
        self.wfile = wfile
        self.connection = connection
        self.max_message_bytes = max_message_bytes
        self.accepted = False
        self.refused: LocalResponse | None = None
        self.close_code: int | None = None
        self.close_reason = ""
        self._close_sent = False
        self._send_lock = threading.Lock()

    # -- the handshake -------------------------------------------------------------------------------------

    def accept(self, headers: list[tuple[str, str]] | None = None) -> None:
        """Answer ``101 Switching Protocols`` (with ``headers``, e.g. the chosen ``Sec-WebSocket-Protocol``)."""
        lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Accept: {accept_key(self.request.header('sec-websocket-key') or '')}"]
        lines += [f"{name}: {value}" for name, value in headers or []]
        with self._send_lock:
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            self.wfile.flush()
        self.accepted = True

    def refuse(self, response: LocalResponse) -> None:
        """Answer the handshake with an HTTP response instead (the connection then closes)."""
        self.refused = response
        head = [f"HTTP/1.1 {response.status} {_reason(response.status)}"]
        head += [f"{k}: {v}" for k, v in response.headers if k.lower() not in ("content-length", "connection")]
        head += [f"Content-Length: {len(response.body)}", "Connection: close"]
        with self._send_lock:
            self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.body)
            self.wfile.flush()

    # -- messages ------------------------------------------------------------------------------------------

    @property
    def open(self) -> bool:
        return self.accepted and self.close_code is None and not self._close_sent

    def send(self, data: str | bytes) -> None:
        """Send one message: ``str`` as a text frame, ``bytes`` as a binary frame. ``ConnectionError`` when closed."""
        if not self.open:
            raise ConnectionError("the WebSocket is closed")
        opcode, payload = (TEXT, data.encode("utf-8")) if isinstance(data, str) else (BINARY, bytes(data))
        self._write_frame(opcode, payload)

    def close(self, code: int = NORMAL, reason: str = "") -> None:
        """Send a close frame (once); :meth:`receive` returns ``None`` when the client answers or goes away."""
        with self._send_lock:
            if self._close_sent or not self.accepted:
                return
            self._close_sent = True
        payload = struct.pack("!H", code) + reason.encode("utf-8")[:123] if code not in (NO_STATUS, ABNORMAL) else b""
        try:
            self._write_frame(CLOSE, payload, force=True)
        except OSError:
            pass
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
        if self.connection is not None:  # the reader sees the end once the client answers (or at once, if gone)
            try:
                self.connection.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def receive(self) -> str | bytes | None:
        """The next message (``str`` for text, ``bytes`` for binary), or ``None`` once the connection is closed."""
        while True:
            try:
                message = self._read_message()
            except ProtocolError as broken:
                self.close(broken.code, broken.reason)
                self.close_code, self.close_reason = broken.code, broken.reason
                return None
            except TimeoutError:  # idle for longer than the route allows
                self.close(GOING_AWAY, "Going away")
                self.close_code, self.close_reason = GOING_AWAY, "Going away"
                return None
            except (OSError, EOFError, ValueError):  # went away without a close frame
                if self.close_code is None:
                    self.close_code, self.close_reason = ABNORMAL, ""
                return None
            if message is not None:
                return message
            if self.close_code is not None:
                return None

    def _read_message(self) -> str | bytes | None:
        """One data message; ``None`` after a control frame (answered here)."""
        parts: list[bytes] = []
        kind = None
        size = 0
        while True:
            fin, opcode, payload = self._read_frame()
            if opcode >= 0x8:
                if not fin or len(payload) > 125:
                    raise ProtocolError(PROTOCOL_ERROR, "control frames are not fragmented and hold at most 125 bytes")
                if opcode == PING:
                    self._write_frame(PONG, payload)
                elif opcode == CLOSE:
                    self._on_close(payload)
                    return None
                elif opcode != PONG:
                    raise ProtocolError(PROTOCOL_ERROR, f"unknown control opcode {opcode}")
                if kind is None:
                    return None
                continue
            if opcode == CONTINUATION:
                if kind is None:
                    raise ProtocolError(PROTOCOL_ERROR, "continuation frame without a message")
            elif opcode in (TEXT, BINARY):
                if kind is not None:
                    raise ProtocolError(PROTOCOL_ERROR, "a new message began before the last one ended")
                kind = opcode
            else:
                raise ProtocolError(PROTOCOL_ERROR, f"unknown opcode {opcode}")
            size += len(payload)
            if size > self.max_message_bytes:
                raise ProtocolError(TOO_BIG, f"message over {self.max_message_bytes} bytes")
            parts.append(payload)
            if fin:
                data = b"".join(parts)
                if kind == BINARY:
                    return data
                try:
                    return data.decode("utf-8")
                except UnicodeDecodeError:
                    raise ProtocolError(INVALID_DATA, "text message is not UTF-8") from None

    def _on_close(self, payload: bytes) -> None:
        if len(payload) == 1:
            raise ProtocolError(PROTOCOL_ERROR, "close frame with a one-byte payload")
        code = struct.unpack("!H", payload[:2])[0] if payload else NO_STATUS
        try:
            reason = payload[2:].decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError(INVALID_DATA, "close reason is not UTF-8") from None
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
        self.close(code if code != NO_STATUS else NORMAL)  # echo it (does nothing if we closed first)

    def _read_frame(self) -> tuple[bool, int, bytes]:
        head = self._read_exact(2)
        fin, opcode, masked, length = head[0] & 0x80, head[0] & 0x0F, head[1] & 0x80, head[1] & 0x7F
        if head[0] & 0x70:
            raise ProtocolError(PROTOCOL_ERROR, "reserved bits set without an extension")
        if not masked:
            raise ProtocolError(PROTOCOL_ERROR, "client frames must be masked")
        if length == 126:
            length = struct.unpack("!H", self._read_exact(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read_exact(8))[0]
        if length > self.max_message_bytes:
            raise ProtocolError(TOO_BIG, f"message over {self.max_message_bytes} bytes")
        mask = self._read_exact(4)
        data = self._read_exact(length)
        return bool(fin), opcode, _unmask(data, mask)

    def _read_exact(self, count: int) -> bytes:
        data = self.rfile.read(count) if count else b""
        if len(data) < count:
            raise EOFError("the connection ended mid-frame")
        return data

    def _write_frame(self, opcode: int, payload: bytes, *, force: bool = False) -> None:
        length = len(payload)
        if length < 126:
            head = struct.pack("!BB", 0x80 | opcode, length)
        elif length < 1 << 16:
            head = struct.pack("!BBH", 0x80 | opcode, 126, length)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 127, length)
        with self._send_lock:
            if self._close_sent and not force:
                raise ConnectionError("the WebSocket is closed")
            self.wfile.write(head + payload)
            self.wfile.flush()


def _unmask(data: bytes, mask: bytes) -> bytes:
    if not data:
        return data
    repeated = (mask * (len(data) // 4 + 1))[: len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(len(data), "big")


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def is_upgrade(headers: Any) -> bool:
    """Whether a request's headers ask to upgrade to a WebSocket."""
    return (headers.get("Upgrade") or "").strip().lower() == "websocket"
