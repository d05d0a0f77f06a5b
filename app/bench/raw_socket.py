"""A websocket client by hand, for clients the ``websockets`` library will not be: ones that stop reading.

The benchmark and the tests use it for a client that completes the handshake and then never reads
(its receive buffer kept small, so the server's sends back up soon), and to send and read single
frames. Client frames are masked with a zero mask, which leaves the payload as it is.
"""

from __future__ import annotations

import socket

TEXT, CLOSE = 0x1, 0x8  # websocket opcodes


def open_raw(port: int, path: str = "/ws", *, receive_buffer: int | None = None,
             timeout_s: float | None = None) -> socket.socket:
    """A socket to 127.0.0.1:``port`` that has sent the upgrade request for ``path``."""
    raw = socket.socket()
    if receive_buffer is not None:
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    raw.settimeout(timeout_s)
    raw.connect(("127.0.0.1", port))
    raw.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    return raw


def read_handshake(raw: socket.socket) -> bytes:
    """Read the server's answer to the upgrade; raises unless it is 101. Returns the bytes after it."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += _receive(raw)
    headers, rest = data.split(b"\r\n\r\n", 1)
    if not headers.startswith(b"HTTP/1.1 101"):
        raise ConnectionError(f"the upgrade was refused: {headers[:60]!r}")
    return rest


def read_frame(raw: socket.socket, buffer: bytes = b"") -> tuple[int, bytes, bytes]:
    """One unmasked server frame, ``buffer`` first: (opcode, payload, the bytes after it)."""
    buffer = _at_least(raw, buffer, 2)
    opcode, length, offset = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
    if length >= 126:
        size = 2 if length == 126 else 8
        buffer = _at_least(raw, buffer, 2 + size)
        length, offset = int.from_bytes(buffer[2:2 + size], "big"), 2 + size
    buffer = _at_least(raw, buffer, offset + length)
    return opcode, buffer[offset:offset + length], buffer[offset + length:]


def send_frame(raw: socket.socket, payload: bytes, opcode: int = TEXT) -> None:
    """One short client frame (under 126 bytes), masked with a zero mask."""
    raw.sendall(bytes([0x80 | opcode, 0x80 | len(payload)]) + bytes(4) + payload)


def _at_least(raw: socket.socket, buffer: bytes, size: int) -> bytes:
    while len(buffer) < size:
        buffer += _receive(raw)
    return buffer


def _receive(raw: socket.socket) -> bytes:
    chunk = raw.recv(65536)
    if not chunk:
        raise ConnectionError("the server closed the connection")
    return chunk
